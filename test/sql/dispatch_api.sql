-- The dispatcher's SQL side: claiming, recording with the claimed version
-- as token, retry, cancel, bulk retry, status. No worker serves this
-- database (webhook.database names another one), so nothing moves by itself.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_webhook;

\i test/sql/fixtures/error_of.sql

SELECT plan(108);

CREATE TEMP TABLE t (name text PRIMARY KEY, id uuid);
GRANT SELECT ON t TO webhook_admin, webhook_user;
INSERT INTO t SELECT 'ep', (webhook.create_endpoint(
    'http://127.0.0.1:9/hook', headers => '{"x-team": "blue", "x-env": "test"}',
    timeout_ms => 2000)).id;
INSERT INTO t SELECT 'ep_off', (webhook.create_endpoint('http://127.0.0.1:9/off')).id;
INSERT INTO t SELECT 'ep_gone', (webhook.create_endpoint('http://127.0.0.1:9/gone')).id;
INSERT INTO t SELECT 'd1', webhook.publish('order.paid', '{"n": 1, "text": "h\u00e9"}', endpoint_id => (SELECT id FROM t WHERE name = 'ep'));
INSERT INTO t SELECT 'd2', webhook.publish('order.paid', '{"n": 2}', endpoint_id => (SELECT id FROM t WHERE name = 'ep'));
INSERT INTO t SELECT 'd_off', webhook.publish('order.paid', '{"n": 3}', endpoint_id => (SELECT id FROM t WHERE name = 'ep_off'));
INSERT INTO t SELECT 'd_gone', webhook.publish('order.paid', '{"n": 4}', endpoint_id => (SELECT id FROM t WHERE name = 'ep_gone'));
SELECT (webhook.disable_endpoint((SELECT id FROM t WHERE name = 'ep_off'), 'maintenance')).enabled;
-- Deleted behind the API's back: its due delivery is cancelled at claim time,
-- also when its id now belongs to an endpoint of another workspace (whose
-- secret must never sign it).
DELETE FROM webhook.endpoint WHERE id = (SELECT id FROM t WHERE name = 'ep_gone');
INSERT INTO webhook.endpoint (id, workspace_id, url)
VALUES ((SELECT id FROM t WHERE name = 'ep_gone'), 'cccccccc-cccc-cccc-cccc-cccccccccccc', 'http://127.0.0.1:9/other');

-- ---------------------------------------------------------------------------
-- Claiming
-- ---------------------------------------------------------------------------
SELECT is(webhook.next_due_at('{}') <= now(), true, 'next_due_at sees due work');

CREATE TEMP TABLE claimed AS
SELECT * FROM webhook.claim_due_deliveries(10, ARRAY[(SELECT id FROM t WHERE name = 'd2')]);

SELECT is((SELECT array_agg(id) FROM claimed), ARRAY[(SELECT id FROM t WHERE name = 'd1')],
          'claim returns the due delivery, not the one in flight, nor a disabled endpoint''s');
SELECT is((SELECT body FROM claimed), (SELECT convert_to(payload::text, 'UTF8') FROM webhook.delivery WHERE id = (SELECT id FROM t WHERE name = 'd1')),
          'the body is exactly convert_to(payload::text, ''UTF8'')');
SELECT is((SELECT encode(sha256(body), 'hex') FROM claimed), (SELECT payload_hash FROM webhook.delivery WHERE id = (SELECT id FROM t WHERE name = 'd1')),
          'the body''s SHA-256 is payload_hash');
SELECT is((SELECT headers FROM claimed), ARRAY['x-env: test', 'x-team: blue'], 'extra headers come as name: value lines');
SELECT is((SELECT timeout_ms FROM claimed), 2000, 'the endpoint''s timeout_ms overrides the default');
SELECT is((SELECT attempt_number FROM claimed), 1, 'the first attempt is number 1');
SELECT is((SELECT secret FROM claimed), (SELECT secret FROM webhook.endpoint WHERE id = (SELECT id FROM t WHERE name = 'ep')), 'the current secret comes along');
SELECT is((SELECT previous_secret FROM claimed), NULL, 'no previous secret without a rotation');
SELECT is((SELECT claimed_version FROM claimed), (SELECT updated_at FROM webhook.delivery WHERE id = (SELECT id FROM t WHERE name = 'd1')),
          'the claimed version is the delivery''s updated_at');
SELECT ok((SELECT status = 'pending' AND next_attempt_at <= now() FROM webhook.delivery WHERE id = (SELECT id FROM t WHERE name = 'd1')),
          'a claim writes nothing: the delivery stays pending and due');
SELECT is((SELECT status::text FROM webhook.delivery WHERE id = (SELECT id FROM t WHERE name = 'd_off')), 'pending', 'a disabled endpoint''s delivery waits, not failed');
SELECT is((SELECT status::text || ' / ' || last_error FROM webhook.delivery WHERE id = (SELECT id FROM t WHERE name = 'd_gone')),
          'cancelled / endpoint deleted', 'a deleted endpoint''s delivery is cancelled');
SELECT is((SELECT count(*)::int FROM webhook.claim_due_deliveries(10, ARRAY[(SELECT id FROM t WHERE name = 'd1'), (SELECT id FROM t WHERE name = 'd2')])), 0,
          'deliveries the worker has in flight are not claimed again');
SELECT is(webhook.next_due_at(ARRAY[(SELECT id FROM t WHERE name = 'd1'), (SELECT id FROM t WHERE name = 'd2')]), NULL,
          'next_due_at leaves out what is in flight (and waiting deliveries of a disabled endpoint)');

-- ---------------------------------------------------------------------------
-- Recording, with the claimed version as token
-- ---------------------------------------------------------------------------
SELECT is(ARRAY(SELECT webhook.record_attempts(
    ARRAY[(SELECT id FROM claimed)], ARRAY[(SELECT claimed_version FROM claimed) - interval '1 s'],
    ARRAY[(SELECT workspace_id FROM claimed)], ARRAY[(SELECT endpoint_id FROM claimed)], '{1}',
    '{delivered}', '{NULL}', '{200}', '{NULL}', '{ok}', ARRAY[now()], '{12.5}')), '{}'::uuid[],
    'a result with a stale version does not land (nothing is left for later)');
SELECT is((SELECT status::text FROM webhook.delivery WHERE id = (SELECT id FROM claimed)), 'pending', '... the delivery is unchanged');
SELECT is((SELECT count(*)::int FROM webhook.attempt WHERE delivery_id = (SELECT id FROM claimed)), 1, '... but the attempt is logged');

SELECT is(ARRAY(SELECT webhook.record_attempts(
    ARRAY[(SELECT id FROM claimed)], ARRAY[(SELECT claimed_version FROM claimed)],
    ARRAY[(SELECT workspace_id FROM claimed)], ARRAY[(SELECT endpoint_id FROM claimed)], '{1}',
    '{retrying}', ARRAY[now() + interval '5 s'], '{500}', '{"HTTP 500"}', '{boom}', ARRAY[now()], '{12.5}')), '{}'::uuid[],
    'a result with the claimed version lands (nothing is left for later)');
SELECT is((SELECT row(status::text, attempt_count, http_status, last_error, response_body)::text
             FROM webhook.delivery WHERE id = (SELECT id FROM claimed)),
          '(retrying,1,500,"HTTP 500",boom)', '... status, count, http_status, error and body are recorded');
SELECT is((SELECT row(attempt_number, http_status, error, response_body, duration_ms)::text
             FROM webhook.attempt WHERE delivery_id = (SELECT id FROM claimed) ORDER BY id DESC LIMIT 1),
          '(1,500,"HTTP 500",boom,12.5)', '... and the attempt row holds the same');

-- ---------------------------------------------------------------------------
-- Cancel
-- ---------------------------------------------------------------------------
SELECT is((webhook.cancel_delivery((SELECT id FROM t WHERE name = 'd1'))).status::text, 'cancelled', 'a retrying delivery can be cancelled');
SELECT is((SELECT next_attempt_at FROM webhook.delivery WHERE id = (SELECT id FROM t WHERE name = 'd1')), NULL, '... and is no longer due');
SELECT throws_ok(format('SELECT webhook.cancel_delivery(%L)', (SELECT id FROM t WHERE name = 'd1')), '55000', 'delivery cannot be cancelled',
                 'cancelling a cancelled delivery: 55000');
SELECT throws_ok('SELECT webhook.cancel_delivery(''00000000-0000-0000-0000-0000000000aa'')', 'P0002', 'delivery not found',
                 'cancelling an unknown delivery: P0002');

-- A cancel that races an attempt in flight wins, and the attempt is logged.
CREATE TEMP TABLE claimed2 AS SELECT * FROM webhook.claim_due_deliveries(10, '{}');
SELECT is((SELECT array_agg(id) FROM claimed2), ARRAY[(SELECT id FROM t WHERE name = 'd2')], 'd2 is claimed');
SELECT is((webhook.cancel_delivery((SELECT id FROM t WHERE name = 'd2'))).status::text, 'cancelled', 'd2 is cancelled while in flight');
SELECT is(ARRAY(SELECT webhook.record_attempts(
    ARRAY[(SELECT id FROM claimed2)], ARRAY[(SELECT claimed_version FROM claimed2)],
    ARRAY[(SELECT workspace_id FROM claimed2)], ARRAY[(SELECT endpoint_id FROM claimed2)], '{1}',
    '{delivered}', '{NULL}', '{204}', '{NULL}', '{""}', ARRAY[now()], '{3}')), '{}'::uuid[], 'the in-flight result does not land (nothing is left for later)');
SELECT is((SELECT status::text FROM webhook.delivery WHERE id = (SELECT id FROM t WHERE name = 'd2')), 'cancelled', '... the delivery stays cancelled');
SELECT is((SELECT http_status FROM webhook.attempt WHERE delivery_id = (SELECT id FROM t WHERE name = 'd2')), 204, '... and the attempt is logged');
SELECT throws_ok(format('SELECT webhook.cancel_delivery(%L)', (SELECT id FROM t WHERE name = 'd2')), '55000', NULL,
                 'cancelling it again: 55000');

-- ---------------------------------------------------------------------------
-- Retry
-- ---------------------------------------------------------------------------
UPDATE webhook.delivery SET status = 'delivered', attempt_count = 1, http_status = 200, response_body = 'ok',
       delivered_at = now(), next_attempt_at = NULL, last_error = NULL
 WHERE id = (SELECT id FROM t WHERE name = 'd2');
SELECT throws_ok(format('SELECT webhook.cancel_delivery(%L)', (SELECT id FROM t WHERE name = 'd2')), '55000', NULL,
                 'cancelling a delivered delivery: 55000');
UPDATE webhook.delivery SET status = 'dead_letter', attempt_count = 3, http_status = 500,
       last_error = 'HTTP 500', response_body = 'boom', next_attempt_at = NULL
 WHERE id = (SELECT id FROM t WHERE name = 'd1');
SELECT throws_ok(format('SELECT webhook.cancel_delivery(%L)', (SELECT id FROM t WHERE name = 'd1')), '55000', NULL,
                 'cancelling a dead_letter delivery: 55000');
SELECT is((SELECT row(r.status::text, r.attempt_count, r.last_error, r.http_status, r.response_body, r.delivered_at, r.next_attempt_at <= now())::text
             FROM webhook.retry_delivery((SELECT id FROM t WHERE name = 'd1')) r),
          '(pending,0,,,,,t)', 'retry of a dead_letter delivery: a clean slate, due now');
SELECT is((SELECT count(*)::int FROM webhook.attempt WHERE delivery_id = (SELECT id FROM t WHERE name = 'd1')), 2, '... its attempt history is kept');
SELECT is((webhook.retry_delivery((SELECT id FROM t WHERE name = 'd2'))).status::text, 'pending', 'a delivered delivery can be replayed');
SELECT is((webhook.retry_delivery((SELECT id FROM t WHERE name = 'd2'))).status::text, 'pending', 'a pending delivery can be retried');
SELECT throws_ok('SELECT webhook.retry_delivery(''00000000-0000-0000-0000-0000000000aa'')', 'P0002', 'delivery not found',
                 'retrying an unknown delivery: P0002');

-- A result of an attempt made before a retry does not overwrite the clean slate.
CREATE TEMP TABLE claimed3 AS SELECT * FROM webhook.claim_due_deliveries(1, '{}');
SELECT is((SELECT count(*)::int FROM claimed3), 1, 'one delivery claimed with batch_size 1');
SELECT is((webhook.retry_delivery((SELECT id FROM claimed3))).attempt_count, 0, 'retried while in flight');
SELECT is(ARRAY(SELECT webhook.record_attempts(
    ARRAY[(SELECT id FROM claimed3)], ARRAY[(SELECT claimed_version FROM claimed3)],
    ARRAY[(SELECT workspace_id FROM claimed3)], ARRAY[(SELECT endpoint_id FROM claimed3)], '{1}',
    '{retrying}', ARRAY[now() + interval '1 h'], '{503}', '{"HTTP 503"}', '{""}', ARRAY[now()], '{3}')), '{}'::uuid[],
    'the old attempt''s result does not land after a retry (nothing is left for later)');
SELECT is((SELECT row(status::text, attempt_count, next_attempt_at <= now())::text FROM webhook.delivery WHERE id = (SELECT id FROM claimed3)),
          '(pending,0,t)', '... the delivery stays pending and due');

-- Bulk retry.
SELECT throws_ok('SELECT webhook.retry_deliveries()', '22023', 'retry_deliveries needs a condition', 'bulk retry without a condition: 22023');
UPDATE webhook.delivery SET status = 'dead_letter', next_attempt_at = NULL WHERE endpoint_id = (SELECT id FROM t WHERE name = 'ep');
SELECT is(webhook.retry_deliveries(endpoint_id => (SELECT id FROM t WHERE name = 'ep'), status => 'dead_letter'), 2,
          'bulk retry by endpoint and status');
SELECT is((SELECT count(*)::int FROM webhook.delivery WHERE endpoint_id = (SELECT id FROM t WHERE name = 'ep') AND status = 'pending' AND attempt_count = 0), 2,
          '... both are pending again');
SELECT is(webhook.retry_deliveries(ids => ARRAY[(SELECT id FROM t WHERE name = 'd1'), '00000000-0000-0000-0000-0000000000aa']), 1,
          'bulk retry by ids counts only existing deliveries');
SELECT is(webhook.retry_deliveries(status => 'rate_limited'), 0, 'bulk retry matching nothing returns 0');
-- A delivery whose endpoint was deleted (d_gone's endpoint id now names an
-- endpoint of another workspace, which is no endpoint for it): nothing can
-- send it. Retried, it was made pending, and the next claim cancelled it again.
SELECT is(pg_temp.error_of(format('SELECT webhook.retry_delivery(%L)', (SELECT id FROM t WHERE name = 'd_gone'))),
          '55000 with hint', 'retrying a delivery whose endpoint was deleted: 55000 (nothing could send it)');
SELECT is(webhook.retry_deliveries(ids => ARRAY[(SELECT id FROM t WHERE name = 'd_gone'), (SELECT id FROM t WHERE name = 'd1')]), 1,
          'bulk retry leaves out a delivery whose endpoint was deleted, and does not count it');
SELECT is((SELECT status::text || ' / ' || last_error || ' / ' || coalesce(next_attempt_at::text, 'unscheduled')
             FROM webhook.delivery WHERE id = (SELECT id FROM t WHERE name = 'd_gone')),
          'cancelled / endpoint deleted / unscheduled', '... it is left as it is');

-- ---------------------------------------------------------------------------
-- Status
-- ---------------------------------------------------------------------------
SELECT is((SELECT count(*)::int FROM webhook.worker_status()), 1, 'worker_status returns one row');
SELECT is((SELECT pid FROM webhook.worker_status()), NULL, 'pid is NULL: no worker serves this database');
SELECT is((SELECT state FROM webhook.worker_status()), 'stopped', '... and the state says so');
SELECT is((SELECT row(in_flight, per_second, last_error)::text FROM webhook.worker_status()), '(0,0,)',
          '... nothing in flight, nothing sent, no error');
SELECT is((SELECT due_now FROM webhook.worker_status()),
          (SELECT count(*) FROM webhook.delivery WHERE status IN ('pending', 'retrying', 'rate_limited') AND next_attempt_at <= now()),
          'due_now counts the due deliveries');

-- ---------------------------------------------------------------------------
-- Tenancy and privileges
-- ---------------------------------------------------------------------------
SET ROLE webhook_user;
SET webhook.workspace_id = '11111111-1111-1111-1111-111111111111';
SELECT throws_ok(format('SELECT webhook.retry_delivery(%L)', (SELECT id FROM t WHERE name = 'd1')), 'P0002', NULL,
                 'retrying another workspace''s delivery: P0002');
SELECT throws_ok(format('SELECT webhook.cancel_delivery(%L)', (SELECT id FROM t WHERE name = 'd1')), 'P0002', NULL,
                 'cancelling another workspace''s delivery: P0002');
SELECT is(webhook.retry_deliveries(status => 'pending'), 0, 'bulk retry never reaches another workspace');
SELECT is((SELECT due_now FROM webhook.worker_status()), 0::bigint, 'due_now counts only the caller''s deliveries');
SELECT is((SELECT row(in_flight, per_second, last_error)::text FROM webhook.worker_status()), '(,,)',
          'a webhook_user gets NULL for in_flight, per_second and last_error, which describe every workspace''s traffic');
SELECT throws_ok('SELECT * FROM webhook.claim_due_deliveries(1, ''{}'')', '42501', NULL, 'webhook_user cannot claim');
RESET webhook.workspace_id;
RESET ROLE;
SET ROLE webhook_admin;
SELECT throws_ok('SELECT webhook.record_attempts(''{}'', ''{}'', ''{}'', ''{}'', ''{}'', ''{}'', ''{}'', ''{}'', ''{}'', ''{}'', ''{}'', ''{}'')',
                 '42501', NULL, 'webhook_admin cannot record attempts');
SELECT lives_ok('SELECT webhook.wake_worker_on_commit()', 'webhook_admin can ask for a wake-up');
SELECT is((SELECT row(in_flight, per_second)::text FROM webhook.worker_status()), '(0,0)',
          'webhook_admin, who sees every workspace, gets the worker''s figures');
RESET ROLE;

-- ---------------------------------------------------------------------------
-- An endpoint that another transaction is changing: its deliveries are left
-- for a later claim, not built from the row being replaced (nor cancelled
-- as orphans while a deletion is not yet committed). A prepared transaction
-- holds its locks in this one session; it must not touch temporary tables,
-- hence the psql variables.
-- ---------------------------------------------------------------------------
SELECT (webhook.create_endpoint('http://127.0.0.1:9/before-move')).id AS ep_moving \gset
SELECT webhook.publish('order.paid', '{"n": 9}', endpoint_id => :'ep_moving') AS d_moving \gset
-- First in due order, with another endpoint's delivery behind it.
UPDATE webhook.delivery SET next_attempt_at = '2000-01-01' WHERE id = :'d_moving';
SELECT webhook.publish('order.paid', '{"n": 10}',
    endpoint_id => (webhook.create_endpoint('http://127.0.0.1:9/behind')).id) IS NOT NULL AS published \gset
BEGIN;
UPDATE webhook.endpoint SET url = 'http://127.0.0.1:9/after-move' WHERE id = :'ep_moving';
PREPARE TRANSACTION 'pgw_test_endpoint_move';
SELECT is((SELECT count(*)::int FROM webhook.claim_due_deliveries(100, '{}') WHERE id = :'d_moving'), 0,
          'a delivery whose endpoint a prepared transaction changes is not claimed');
SELECT is((SELECT count(*)::int FROM webhook.claim_due_deliveries(1, '{}') WHERE id <> :'d_moving'), 1,
          '... nor holds up the others: a claim of 1 passes over it to the next due delivery');
SELECT is((SELECT status::text FROM webhook.delivery WHERE id = :'d_moving'), 'pending', '... it waits, pending');
COMMIT PREPARED 'pgw_test_endpoint_move';
SELECT is((SELECT url FROM webhook.claim_due_deliveries(100, '{}') WHERE id = :'d_moving'),
          'http://127.0.0.1:9/after-move', '... and after COMMIT PREPARED is claimed with the new URL');
BEGIN;
DELETE FROM webhook.endpoint WHERE id = :'ep_moving';
PREPARE TRANSACTION 'pgw_test_endpoint_delete';
SELECT is((SELECT count(*)::int FROM webhook.claim_due_deliveries(100, '{}') WHERE id = :'d_moving'), 0,
          'a delivery whose endpoint a prepared transaction deletes is not claimed');
SELECT is((SELECT status::text FROM webhook.delivery WHERE id = :'d_moving'), 'pending',
          '... nor cancelled before the deletion commits');
ROLLBACK PREPARED 'pgw_test_endpoint_delete';
SELECT is((SELECT count(*)::int FROM webhook.claim_due_deliveries(100, '{}') WHERE id = :'d_moving'), 1,
          '... and is claimed again once it is rolled back');
SELECT is((SELECT timeout_ms FROM webhook.claim_due_deliveries(100, '{}') WHERE id = :'d_moving'), NULL,
          'an endpoint without timeout_ms claims NULL: the worker applies webhook.request_timeout when the request starts');
SELECT is((SELECT headers FROM webhook.claim_due_deliveries(100, '{}') WHERE id = :'d_moving'), '{}'::text[],
          'an endpoint without headers claims no header line');
UPDATE webhook.endpoint SET headers = '{}' WHERE id = :'ep_moving';
SELECT is((SELECT headers FROM webhook.claim_due_deliveries(100, '{}') WHERE id = :'d_moving'), '{}'::text[],
          '... nor does one whose headers are an empty object');
UPDATE webhook.endpoint SET headers = '{"x-b": "2", "x-a": ""}' WHERE id = :'ep_moving';
SELECT is((SELECT headers FROM webhook.claim_due_deliveries(100, '{}') WHERE id = :'d_moving'), ARRAY['x-a: ', 'x-b: 2'],
          '... and one given headers later claims them, in name order, an empty value kept');
UPDATE webhook.endpoint SET headers = NULL WHERE id = :'ep_moving';

-- ---------------------------------------------------------------------------
-- A disabled endpoint's unfinished deliveries wait unscheduled (outside the
-- claim's range, so that no claim walks past them), are due again when it is
-- enabled, and are cancelled when it is deleted, also behind the API's back.
-- ---------------------------------------------------------------------------
INSERT INTO t SELECT 'ep_parked', (webhook.create_endpoint('http://127.0.0.1:9/parked')).id;
INSERT INTO t SELECT 'd_parked' || n, webhook.publish('order.paid', jsonb_build_object('parked', n),
                                                      endpoint_id => (SELECT id FROM t WHERE name = 'ep_parked'))
FROM generate_series(1, 2) AS n;
UPDATE webhook.delivery SET status = 'retrying', attempt_count = 1, next_attempt_at = now() + interval '1 hour'
WHERE id = (SELECT id FROM t WHERE name = 'd_parked2');
SELECT (webhook.disable_endpoint((SELECT id FROM t WHERE name = 'ep_parked'), 'maintenance')).enabled;
SELECT is((SELECT array_agg(status::text || ' ' || coalesce(next_attempt_at::text, 'unscheduled') ORDER BY status)
           FROM webhook.delivery WHERE endpoint_id = (SELECT id FROM t WHERE name = 'ep_parked')),
          ARRAY['pending unscheduled', 'retrying unscheduled'],
          'disabling an endpoint unschedules its unfinished deliveries, which keep their status');
INSERT INTO t SELECT 'd_parked3', webhook.publish('order.paid', '{"parked": 3}',
                                                  endpoint_id => (SELECT id FROM t WHERE name = 'ep_parked'));
SELECT is((SELECT status::text || ' ' || coalesce(next_attempt_at::text, 'unscheduled') FROM webhook.delivery
           WHERE id = (SELECT id FROM t WHERE name = 'd_parked3')),
          'pending unscheduled', 'an event published to it by id waits, unscheduled');
SELECT is((SELECT status::text || ' ' || attempt_count || ' ' || coalesce(next_attempt_at::text, 'unscheduled')
           FROM webhook.retry_delivery((SELECT id FROM t WHERE name = 'd_parked2'))),
          'pending 0 unscheduled', 'a retry of one of its deliveries resets it to wait, unscheduled');
SELECT is((SELECT count(*)::int FROM webhook.claim_due_deliveries(100, '{}')
           WHERE endpoint_id = (SELECT id FROM t WHERE name = 'ep_parked')), 0, '... none is claimed');
SELECT (webhook.enable_endpoint((SELECT id FROM t WHERE name = 'ep_parked'))).enabled;
SELECT is((SELECT count(*)::int FROM webhook.delivery
           WHERE endpoint_id = (SELECT id FROM t WHERE name = 'ep_parked')
             AND status = 'pending' AND next_attempt_at <= now()), 3,
          'enabling it makes all three due now');
SELECT is((SELECT count(*)::int FROM webhook.claim_due_deliveries(100, '{}')
           WHERE endpoint_id = (SELECT id FROM t WHERE name = 'ep_parked')), 3, '... and claimable');
SELECT (webhook.disable_endpoint((SELECT id FROM t WHERE name = 'ep_parked'), 'going away')).enabled;
DELETE FROM webhook.endpoint WHERE id = (SELECT id FROM t WHERE name = 'ep_parked');
SELECT is((SELECT array_agg(DISTINCT status::text || ' / ' || last_error || ' / ' || coalesce(next_attempt_at::text, 'unscheduled'))
           FROM webhook.delivery WHERE endpoint_id = (SELECT id FROM t WHERE name = 'ep_parked')),
          ARRAY['cancelled / endpoint deleted / unscheduled'],
          'deleting a disabled endpoint directly cancels its waiting deliveries');
SELECT is(webhook.retry_deliveries(endpoint_id => (SELECT id FROM t WHERE name = 'ep_parked')), 0,
          'a bulk retry by a deleted endpoint retries none of its deliveries');

-- The withdrawal trigger function refuses to be used any other way than the
-- extension's triggers use it.
CREATE TEMP TABLE misuse (id uuid, workspace_id uuid, label text);
CREATE TRIGGER misuse_before BEFORE INSERT ON misuse
    FOR EACH ROW EXECUTE FUNCTION webhook.withdraw_queued_requests('delivery');
SELECT is(pg_temp.error_of($$INSERT INTO misuse VALUES (gen_random_uuid(), gen_random_uuid())$$),
          '39P01 with hint', 'the withdrawal trigger refuses to fire BEFORE: 39P01');
DROP TRIGGER misuse_before ON misuse;
CREATE TRIGGER misuse_argument AFTER INSERT ON misuse
    FOR EACH ROW EXECUTE FUNCTION webhook.withdraw_queued_requests('attempt');
SELECT is(pg_temp.error_of($$INSERT INTO misuse VALUES (gen_random_uuid(), gen_random_uuid())$$),
          '39P01 with hint', 'the withdrawal trigger refuses an unknown argument: 39P01');
DROP TRIGGER misuse_argument ON misuse;
CREATE TEMP TABLE misuse_text_id (id text, workspace_id uuid);
CREATE TRIGGER misuse_column AFTER INSERT ON misuse_text_id
    FOR EACH ROW EXECUTE FUNCTION webhook.withdraw_queued_requests('endpoint');
SELECT is(pg_temp.error_of($$INSERT INTO misuse_text_id VALUES ('x', gen_random_uuid())$$),
          '39P01 with hint', 'the withdrawal trigger needs uuid id columns: 39P01');

-- ---------------------------------------------------------------------------
-- A delivery's state, as a tenant: only what the API does
-- ---------------------------------------------------------------------------
INSERT INTO t SELECT 'ep_tenant', (webhook.create_endpoint('http://127.0.0.1:9/tenant',
    workspace_id => 'dddddddd-dddd-dddd-dddd-dddddddddddd')).id;
INSERT INTO t SELECT 'd_tenant', webhook.publish('order.paid', '{"n": 20}',
    workspace_id => 'dddddddd-dddd-dddd-dddd-dddddddddddd', endpoint_id => (SELECT id FROM t WHERE name = 'ep_tenant'));
INSERT INTO t SELECT 'd_tenant_dead', webhook.publish('order.paid', '{"n": 21}',
    workspace_id => 'dddddddd-dddd-dddd-dddd-dddddddddddd', endpoint_id => (SELECT id FROM t WHERE name = 'ep_tenant'));
UPDATE webhook.delivery SET status = 'dead_letter', attempt_count = 3, http_status = 500, next_attempt_at = NULL,
    last_error = 'HTTP 500' WHERE id = (SELECT id FROM t WHERE name = 'd_tenant_dead');
SET ROLE webhook_user;
SET webhook.workspace_id = 'dddddddd-dddd-dddd-dddd-dddddddddddd';
SELECT is(pg_temp.error_of(format($$UPDATE webhook.delivery SET status = 'delivered', http_status = 200, delivered_at = now() WHERE id = %L$$,
                                  (SELECT id FROM t WHERE name = 'd_tenant'))),
          '42501 with hint', 'a tenant cannot mark its delivery delivered: 42501');
SELECT is(pg_temp.error_of(format($$UPDATE webhook.delivery SET attempt_count = -5 WHERE id = %L$$, (SELECT id FROM t WHERE name = 'd_tenant'))),
          '42501 with hint', '... nor set its attempt count');
SELECT is(pg_temp.error_of(format($$UPDATE webhook.delivery SET next_attempt_at = now() + interval '1 year' WHERE id = %L$$, (SELECT id FROM t WHERE name = 'd_tenant'))),
          '42501 with hint', '... nor put it off');
SELECT is(pg_temp.error_of(format($$UPDATE webhook.delivery SET status = 'pending', next_attempt_at = now() WHERE id = %L$$, (SELECT id FROM t WHERE name = 'd_tenant_dead'))),
          '42501 with hint', '... nor make a dead letter pending without the clean slate');
SELECT is(pg_temp.error_of(format($$UPDATE webhook.delivery SET updated_at = '2000-01-01' WHERE id = %L$$, (SELECT id FROM t WHERE name = 'd_tenant'))),
          '42501 with hint', '... nor set the version the worker checks');
SELECT is((SELECT status::text FROM webhook.cancel_delivery((SELECT id FROM t WHERE name = 'd_tenant'))), 'cancelled',
          'a tenant cancels its delivery through the API');
SELECT is((SELECT status::text || ' ' || attempt_count FROM webhook.retry_delivery((SELECT id FROM t WHERE name = 'd_tenant_dead'))), 'pending 0',
          'a tenant retries its dead letter through the API');
SELECT (webhook.disable_endpoint((SELECT id FROM t WHERE name = 'ep_tenant'))).enabled;
SELECT is((SELECT next_attempt_at FROM webhook.delivery WHERE id = (SELECT id FROM t WHERE name = 'd_tenant_dead')), NULL,
          'a tenant disabling its endpoint parks its waiting delivery');
SELECT (webhook.enable_endpoint((SELECT id FROM t WHERE name = 'ep_tenant'))).enabled;
SELECT ok((SELECT next_attempt_at <= now() FROM webhook.delivery WHERE id = (SELECT id FROM t WHERE name = 'd_tenant_dead')),
          '... and enabling it makes the delivery due again');
RESET webhook.workspace_id;
-- A PostgREST request's JWT claim names another workspace than the setting
-- a pooled connection kept: the claim decides, for every dispatch call.
SET webhook.workspace_id = 'dddddddd-dddd-dddd-dddd-dddddddddddd';
SET request.jwt.claims = '{"role": "webhook_user", "workspace_id": "eeeeeeee-eeee-eeee-eeee-eeeeeeeeeeee"}';
SELECT is(ARRAY[pg_temp.error_of(format('SELECT webhook.get_delivery(%L)', (SELECT id FROM t WHERE name = 'd_tenant_dead'))),
                pg_temp.error_of(format('SELECT webhook.delivery_attempts(%L)', (SELECT id FROM t WHERE name = 'd_tenant_dead'))),
                pg_temp.error_of(format('SELECT webhook.retry_delivery(%L)', (SELECT id FROM t WHERE name = 'd_tenant_dead'))),
                pg_temp.error_of(format('SELECT webhook.cancel_delivery(%L)', (SELECT id FROM t WHERE name = 'd_tenant_dead')))],
          ARRAY['P0002 with hint', 'P0002 with hint', 'P0002 with hint', 'P0002 with hint'],
          'with a JWT claim of another workspace, get, attempts, retry and cancel of the setting''s workspace''s delivery: P0002');
SELECT is(ARRAY[webhook.retry_deliveries(endpoint_id => (SELECT id FROM t WHERE name = 'ep_tenant')),
                webhook.count_deliveries(), webhook.count_deliveries(estimated => true),
                (SELECT due_now FROM webhook.worker_status())],
          ARRAY[0, 0, 0, 0]::bigint[], '... and a bulk retry, a count, an estimate and due_now find nothing of it');
RESET request.jwt.claims;
RESET webhook.workspace_id;
RESET ROLE;
SELECT is(pg_temp.error_of(format($$UPDATE webhook.delivery SET status = 'delivered', delivered_at = now() WHERE id = %L$$,
                                  (SELECT id FROM t WHERE name = 'd_tenant_dead'))),
          'no error', 'a superuser (the worker, a DBA repairing a row) may change any state');

-- ---------------------------------------------------------------------------
-- The claim's body budget: the worker holds every body it claims until the
-- attempt is made, so a claim stops once its bodies add up to body_budget.
-- ---------------------------------------------------------------------------
INSERT INTO t SELECT 'ep_big', (webhook.create_endpoint('http://127.0.0.1:9/big')).id;
-- Three due deliveries, oldest first, each with a body of 1011 bytes.
CREATE TEMP TABLE big AS
SELECT i, webhook.publish('big.event', jsonb_build_object('pad', repeat('x', 1000)), event_id => 'big-' || i,
                          endpoint_id => (SELECT id FROM t WHERE name = 'ep_big')) AS id
FROM generate_series(1, 3) AS i;
UPDATE webhook.delivery d SET next_attempt_at = now() - (4 - big.i) * interval '1 minute'
FROM big WHERE d.id = big.id;
-- Everything else due counts as in flight here.
CREATE TEMP TABLE others AS
SELECT array_agg(id) AS ids FROM webhook.delivery
WHERE status IN ('pending', 'retrying', 'rate_limited') AND id NOT IN (SELECT id FROM big);
CREATE FUNCTION pg_temp.claimed_with_budget(budget bigint) RETURNS int[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg(big.i ORDER BY big.i), '{}')
    FROM webhook.claim_due_deliveries(10, (SELECT coalesce(ids, '{}') FROM others), budget) AS c
    JOIN big ON big.id = c.id $$;
SELECT is((SELECT octet_length(convert_to(payload::text, 'UTF8')) FROM webhook.delivery WHERE id = (SELECT id FROM big WHERE i = 1)),
          1011, 'each test body is 1011 bytes');
SELECT is(pg_temp.claimed_with_budget(NULL), '{1,2,3}', 'no budget: the whole batch');
SELECT is(pg_temp.claimed_with_budget(3033), '{1,2,3}', 'a budget that fits every body: the whole batch');
SELECT is(pg_temp.claimed_with_budget(1012), '{1,2}', 'rows come while the bodies before them are under the budget');
SELECT is(pg_temp.claimed_with_budget(1011), '{1}', '... and stop once they reach it, oldest due first');
SELECT is(pg_temp.claimed_with_budget(1), '{1}', 'a budget smaller than one body still claims one delivery');
-- A parked delivery is not sent: it carries no body, and takes no budget.
SELECT (webhook.disable_endpoint((SELECT id FROM t WHERE name = 'ep_big'))).enabled;
UPDATE webhook.delivery SET next_attempt_at = now() - interval '1 hour' WHERE id = (SELECT id FROM big WHERE i = 1);
SELECT is((SELECT array_agg(row(c.parked, c.body IS NULL)::text)
             FROM webhook.claim_due_deliveries(10, (SELECT coalesce(ids, '{}') FROM others), 1) AS c),
          '{"(t,t)"}', 'a delivery parked behind a disabled endpoint comes without a body');
SELECT is((SELECT next_attempt_at FROM webhook.delivery WHERE id = (SELECT id FROM big WHERE i = 1)), NULL, '... and is parked');

-- ---------------------------------------------------------------------------
-- webhook.database must be a name a database can have: the launcher would
-- otherwise wait for it forever. ALTER SYSTEM validates without applying.
-- ---------------------------------------------------------------------------
ALTER SYSTEM SET webhook.database = '';
SELECT is(:'ERROR' || ' ' || :'LAST_ERROR_SQLSTATE', 'true 22023', 'an empty webhook.database is refused (22023)');
ALTER SYSTEM SET webhook.database = 'a_database_name_longer_than_the_sixty_three_bytes_postgres_keeps';
SELECT is(:'ERROR' || ' ' || :'LAST_ERROR_SQLSTATE', 'true 22023', 'a webhook.database longer than a database name can be is refused (22023)');
ALTER SYSTEM RESET webhook.database;

SELECT * FROM finish();
