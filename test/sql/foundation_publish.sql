-- Publishing: fan-out, filters, idempotency, transactions, and reading back.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_webhook;
TRUNCATE webhook.endpoint, webhook.delivery, webhook.attempt;

\i test/sql/fixtures/error_of.sql

SELECT plan(35);

\set ws '''22222222-2222-2222-2222-222222222222'''
CREATE TEMP TABLE ep AS
SELECT 'all' AS name, id FROM webhook.create_endpoint('https://a.example/', workspace_id => :ws)
UNION ALL SELECT 'invoices', id FROM webhook.create_endpoint('https://b.example/', '{invoice.paid,invoice.failed}', :ws, max_attempts => 2)
UNION ALL SELECT 'users', id FROM webhook.create_endpoint('https://c.example/', '{user.created}', :ws)
UNION ALL SELECT 'off', id FROM webhook.create_endpoint('https://d.example/', workspace_id => :ws)
UNION ALL SELECT 'elsewhere', id FROM webhook.create_endpoint('https://e.example/', workspace_id => '33333333-3333-3333-3333-333333333333');
SELECT id IS NOT NULL FROM webhook.disable_endpoint((SELECT id FROM ep WHERE name = 'off'));
CREATE FUNCTION pg_temp.ep(text) RETURNS uuid LANGUAGE sql AS $$ SELECT id FROM ep WHERE name = $1 $$;

-- Fan-out by event type; disabled endpoints and other workspaces get nothing.
CREATE TEMP TABLE p1 AS SELECT * FROM webhook.publish('invoice.paid', '{"amount": 10, "currency": "EUR"}', :ws, 'evt_1') AS id;
SELECT is((SELECT count(*)::int FROM p1), 2, 'one delivery per enabled, subscribed endpoint');
SELECT set_eq($$SELECT endpoint_id FROM webhook.delivery WHERE event_id = 'evt_1'$$,
              ARRAY[pg_temp.ep('all'), pg_temp.ep('invoices')], 'the catch-all and the invoice endpoint, nothing else');
SELECT set_eq('SELECT id FROM p1', $$SELECT id FROM webhook.delivery WHERE event_id = 'evt_1'$$, 'publish returns the delivery ids');
SELECT is((SELECT string_agg(DISTINCT status::text || '/' || attempt_count || '/' || workspace_id, ',') FROM webhook.delivery WHERE event_id = 'evt_1'),
          'pending/0/22222222-2222-2222-2222-222222222222', 'new deliveries are pending, unattempted, in the workspace');
SELECT ok((SELECT bool_and(next_attempt_at <= now() AND next_attempt_at = created_at) FROM webhook.delivery WHERE event_id = 'evt_1'),
          'new deliveries are due at once');

-- The payload hash is over the exact bytes that will be sent.
SELECT is((SELECT payload_hash FROM webhook.delivery WHERE id = (SELECT min(id::text)::uuid FROM p1)),
          encode(sha256(convert_to('{"amount": 10, "currency": "EUR"}'::jsonb::text, 'UTF8')), 'hex'),
          'payload_hash is the hex SHA-256 of the body bytes');
SELECT matches((SELECT payload_hash FROM webhook.delivery LIMIT 1), '^[0-9a-f]{64}$', 'payload_hash is 64 hex digits');

-- max_attempts: the endpoint's, else the retry schedule's length + 1.
SELECT is((SELECT max_attempts FROM webhook.delivery WHERE endpoint_id = pg_temp.ep('invoices')), 2, 'the endpoint''s max_attempts');
SELECT is((SELECT max_attempts FROM webhook.delivery WHERE endpoint_id = pg_temp.ep('all')), 8, 'default max_attempts: 7 intervals + 1');
SELECT is(webhook.default_max_attempts(), 8, 'default_max_attempts follows webhook.retry_schedule');

-- Idempotency on the event id.
CREATE TEMP TABLE p2 AS SELECT * FROM webhook.publish('invoice.paid', '{"currency": "EUR", "amount": 10}', :ws, 'evt_1') AS id;
SELECT set_eq('SELECT id FROM p2', 'SELECT id FROM p1', 'publishing the same event id again returns the same deliveries');
SELECT is((SELECT count(*)::int FROM webhook.delivery WHERE event_id = 'evt_1'), 2, '... and creates nothing new');
SELECT is(pg_temp.error_of(format($$SELECT webhook.publish('invoice.paid', '{"amount": 99}', %L, 'evt_1')$$, :ws)), '23505 with hint',
          '... and another event under the same id is refused');
SELECT is((SELECT DISTINCT payload::text FROM webhook.delivery WHERE event_id = 'evt_1'), '{"amount": 10, "currency": "EUR"}', '... and changes nothing');
-- A repeat that reaches an endpoint enabled since: the old deliveries and a new one.
SELECT (webhook.enable_endpoint(pg_temp.ep('off'))).enabled;
CREATE TEMP TABLE p2b AS SELECT * FROM webhook.publish('invoice.paid', '{"amount": 10, "currency": "EUR"}', :ws, 'evt_1') AS id;
SELECT NOT (webhook.disable_endpoint(pg_temp.ep('off'))).enabled;
SELECT set_eq('SELECT id FROM p2b', $$SELECT id FROM webhook.delivery WHERE event_id = 'evt_1'$$,
              'a repeat reaching a newly enabled endpoint returns the earlier deliveries and the new one');
SELECT is((SELECT array_agg(endpoint_id ORDER BY endpoint_id) FROM webhook.delivery WHERE event_id = 'evt_1' AND id NOT IN (SELECT id FROM p1)),
          ARRAY[pg_temp.ep('off')], '... the new one being for that endpoint alone');
SELECT is((SELECT array_agg(id) FROM p2b), (SELECT array_agg(id ORDER BY id) FROM p2b), 'publish returns its ids in order');

-- A generated event id; ids are time-ordered UUIDv7.
CREATE TEMP TABLE p3 AS SELECT * FROM webhook.publish('user.created', '{"user": 1}', :ws) AS id;
SELECT matches((SELECT event_id FROM webhook.delivery WHERE id = (SELECT id FROM p3 LIMIT 1)), '^evt_[0-9a-f]{32}$', 'an event id is generated');
SELECT is((SELECT count(DISTINCT event_id)::int FROM webhook.delivery WHERE id IN (SELECT id FROM p3)), 1, 'one generated event id per publish');
SELECT is((SELECT count(*)::int FROM p3), 2, 'user.created goes to the catch-all and the user endpoint');
SELECT ok((SELECT bool_and(substr(id::text, 15, 1) = '7') FROM webhook.delivery), 'delivery ids are UUIDv7');
SELECT ok((SELECT bool_and(a < b) FROM (SELECT id AS a, lead(id) OVER (ORDER BY n) AS b
             FROM (SELECT n, webhook.uuid_generate_v7() AS id FROM generate_series(1, 5000) n) g) s WHERE b IS NOT NULL),
          '5000 ids made in a row are strictly increasing');

-- A named endpoint gets the event whatever its filter; unknown ones: P0002.
CREATE TEMP TABLE p4 AS SELECT * FROM webhook.publish('user.created', '{}', :ws, 'evt_named', pg_temp.ep('invoices')) AS id;
SELECT is((SELECT endpoint_id FROM webhook.delivery WHERE id = (SELECT id FROM p4)), pg_temp.ep('invoices'), 'publish to one named endpoint');
SELECT is((SELECT count(*)::int FROM p4), 1, '... and only to it');
SELECT is(pg_temp.error_of($$SELECT webhook.publish('x', '{}', endpoint_id => '00000000-0000-0000-0000-0000000000ee')$$), 'P0002 with hint', 'unknown endpoint: P0002');
SELECT is(pg_temp.error_of(format($$SELECT webhook.publish('x', '{}', endpoint_id => %L)$$, pg_temp.ep('elsewhere'))), 'P0002 with hint', 'an endpoint of another workspace: P0002');

-- Bad input.
SELECT is(pg_temp.error_of($$SELECT webhook.publish('bad type', '{}')$$), '22023 with hint', 'malformed event type: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.publish(NULL, '{}')$$), '22023 with hint', 'NULL event type: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.publish('a.b', NULL)$$), '22023 with hint', 'NULL payload: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.publish('a.b', '{}', event_id => '')$$), '22023 with hint', 'empty event id: 22023');

-- Transactional: a rolled-back publish leaves nothing behind.
BEGIN;
SELECT count(*) > 0 FROM webhook.publish('invoice.failed', '{}', :ws, 'evt_rolled_back');
ROLLBACK;
SELECT is((SELECT count(*)::int FROM webhook.delivery WHERE event_id = 'evt_rolled_back'), 0, 'a rolled-back publish leaves nothing');

-- Reading back.
SELECT is((webhook.get_delivery((SELECT id FROM p4))).event_id, 'evt_named', 'get_delivery returns the delivery');
SELECT is(pg_temp.error_of($$SELECT webhook.get_delivery('00000000-0000-0000-0000-0000000000ee')$$), 'P0002 with hint', 'get_delivery of an unknown id: P0002');
INSERT INTO webhook.attempt (delivery_id, workspace_id, endpoint_id, attempt_number, started_at, duration_ms, http_status, error)
SELECT (SELECT id FROM p4), :ws, pg_temp.ep('invoices'), n, now() + n * interval '1 second', 12.5, 500, 'HTTP 500'
  FROM generate_series(2, 1, -1) n;
SELECT is((SELECT array_agg(attempt_number) FROM webhook.delivery_attempts((SELECT id FROM p4))), '{2,1}'::int[],
          'delivery_attempts lists attempts in the order they were logged');
SELECT is(pg_temp.error_of($$SELECT webhook.delivery_attempts('00000000-0000-0000-0000-0000000000ee')$$), 'P0002 with hint', 'attempts of an unknown delivery: P0002');

SELECT * FROM finish();
