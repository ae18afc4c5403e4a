-- Tenancy: row-level security keeps each workspace to itself, whatever the
-- entry point; secrets stay hidden; roles have exactly what they need.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_webhook;
TRUNCATE webhook.endpoint, webhook.delivery, webhook.attempt;
DROP ROLE IF EXISTS regress_tenant, regress_ops, regress_nobody;
CREATE ROLE regress_tenant NOLOGIN IN ROLE webhook_user;
CREATE ROLE regress_ops NOLOGIN IN ROLE webhook_admin;
CREATE ROLE regress_nobody NOLOGIN;

\i test/sql/fixtures/error_of.sql
GRANT EXECUTE ON FUNCTION pg_temp.error_of(text) TO PUBLIC;

\set wa '''aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa'''
\set wb '''bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb'''
CREATE TABLE regress_ids AS
SELECT 'a' AS ws, (webhook.create_endpoint('https://a.example/', workspace_id => :wa)).id AS endpoint_id
UNION ALL
SELECT 'b', (webhook.create_endpoint('https://b.example/', workspace_id => :wb, secret => 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).id;
SELECT count(*) FROM webhook.publish('order.created', '{"n": 1}', :wa, 'evt_a');
SELECT count(*) FROM webhook.publish('order.created', '{"n": 2}', :wb, 'evt_b');
INSERT INTO webhook.attempt (delivery_id, workspace_id, endpoint_id, attempt_number, started_at, duration_ms, error)
SELECT id, workspace_id, endpoint_id, 1, now(), 1, 'test' FROM webhook.delivery;
GRANT SELECT ON regress_ids TO PUBLIC;
CREATE FUNCTION pg_temp.endpoint_of(text) RETURNS uuid LANGUAGE sql AS $$ SELECT endpoint_id FROM regress_ids WHERE ws = $1 $$;
CREATE FUNCTION pg_temp.delivery_of(text) RETURNS uuid LANGUAGE sql AS $$ SELECT id FROM webhook.delivery WHERE event_id = 'evt_' || $1 $$;
CREATE TEMP TABLE d AS SELECT pg_temp.delivery_of('a') AS a, pg_temp.delivery_of('b') AS b;
GRANT SELECT ON d TO PUBLIC;

SELECT plan(49);

-- A webhook_user in workspace A.
SET ROLE regress_tenant;
SET webhook.workspace_id = :wa;
SELECT is((SELECT array_agg(DISTINCT workspace_id::text) FROM webhook.list_endpoints()), ARRAY[:wa], 'list_endpoints shows only workspace A');
SELECT is((SELECT count(*)::int FROM webhook.endpoint), 1, 'the endpoint table shows only workspace A');
SELECT is((SELECT count(*)::int FROM webhook.delivery), 1, 'the delivery table shows only workspace A');
SELECT is((SELECT count(*)::int FROM webhook.attempt), 1, 'the attempt table shows only workspace A');
SELECT is(pg_temp.error_of(format('SELECT webhook.get_endpoint(%L)', pg_temp.endpoint_of('b'))), 'P0002 with hint', 'get_endpoint of workspace B: P0002');
SELECT is(pg_temp.error_of(format('SELECT webhook.get_delivery(%L)', (SELECT b FROM d))), 'P0002 with hint', 'get_delivery of workspace B: P0002');
SELECT is(pg_temp.error_of(format('SELECT webhook.delivery_attempts(%L)', (SELECT b FROM d))), 'P0002 with hint', 'delivery_attempts of workspace B: P0002');
SELECT is(pg_temp.error_of(format('SELECT webhook.endpoint_secret(%L)', pg_temp.endpoint_of('b'))), 'P0002 with hint', 'the secret of workspace B''s endpoint: P0002');
SELECT matches(webhook.endpoint_secret(pg_temp.endpoint_of('a')), '^whsec_', 'endpoint_secret reveals workspace A''s own secret');
SELECT is(pg_temp.error_of(format('SELECT webhook.endpoint_headers(%L)', pg_temp.endpoint_of('b'))), 'P0002 with hint', 'the headers of workspace B''s endpoint: P0002');
SELECT is(pg_temp.error_of('SELECT secret FROM webhook.endpoint'), '42501 without hint', 'the secret column cannot be selected');
SELECT is(pg_temp.error_of('SELECT * FROM webhook.endpoint'), '42501 without hint', 'SELECT * cannot reach the secret either');
SELECT ok((SELECT secret IS NULL FROM webhook.get_endpoint(pg_temp.endpoint_of('a'))), 'get_endpoint returns no secret');
SELECT is(pg_temp.error_of(format('SELECT webhook.update_endpoint(%L, url => %L)', pg_temp.endpoint_of('b'), 'https://evil.example/')), 'P0002 with hint', 'workspace B''s endpoint cannot be updated');
SELECT is(pg_temp.error_of(format('SELECT webhook.delete_endpoint(%L)', pg_temp.endpoint_of('b'))), 'P0002 with hint', 'workspace B''s endpoint cannot be deleted');
SELECT is(pg_temp.error_of(format('SELECT webhook.create_endpoint(%L, workspace_id => %L)', 'https://x.example/', :wb)), '42501 with hint', 'an endpoint cannot be created in workspace B, and the error says what to do');
SELECT is(pg_temp.error_of(format($$INSERT INTO webhook.delivery (workspace_id, endpoint_id, event_id, event_type, payload, max_attempts) VALUES (%L, %L, 'e', 't', '{}', 1)$$, :wb, pg_temp.endpoint_of('b'))), '42501 without hint', 'a delivery cannot be inserted into workspace B');
SELECT is(pg_temp.error_of(format($$SELECT webhook.publish('order.created', '{}', %L, 'evt_sneaky')$$, :wb)), '42501 with hint', 'publishing to workspace B is refused');
SELECT is((SELECT workspace_id FROM webhook.create_endpoint('https://mine.example/')), :wa::uuid, 'a new endpoint lands in the session''s workspace');
SELECT is((SELECT count(*)::int FROM webhook.publish('order.created', '{}')), 2, 'publish without a workspace uses the session''s');
SELECT is(pg_temp.error_of($$UPDATE webhook.delivery SET payload = '{"forged": true}'$$), '42501 without hint', 'a published payload cannot be rewritten');
SELECT is(pg_temp.error_of($$UPDATE webhook.delivery SET event_id = 'y'$$), '42501 without hint', 'nor its event id');
SELECT is(pg_temp.error_of($$UPDATE webhook.endpoint SET id = gen_random_uuid()$$), '22023 with hint', 'an endpoint''s id cannot change (its deliveries refer to it)');
SELECT is(pg_temp.error_of($$UPDATE webhook.delivery SET payload_hash = 'x'$$), '428C9 without hint', 'nor its hash, which is computed from the payload');
-- Direct INSERTs: only for an endpoint of the same workspace, and only what publishing sets.
SELECT is(pg_temp.error_of(format($$INSERT INTO webhook.delivery (workspace_id, endpoint_id, event_id, event_type, payload, max_attempts) VALUES (%L, %L, 'forged', 't', '{"pay": "me"}', 1)$$, :wa, pg_temp.endpoint_of('b'))),
          '42501 without hint', 'a delivery of workspace A cannot name workspace B''s endpoint (whose secret would sign it)');
SELECT is(pg_temp.error_of(format($$INSERT INTO webhook.delivery (workspace_id, endpoint_id, event_id, event_type, payload, max_attempts, status) VALUES (%L, %L, 'final', 't', '{}', 1, 'delivered')$$, :wa, pg_temp.endpoint_of('a'))),
          '42501 without hint', 'a delivery cannot be inserted in another state than pending');
SELECT is(pg_temp.error_of(format($$INSERT INTO webhook.delivery (workspace_id, endpoint_id, event_id, event_type, payload, max_attempts, payload_hash) VALUES (%L, %L, 'hashed', 't', '{}', 1, 'x')$$, :wa, pg_temp.endpoint_of('a'))),
          '428C9 without hint', 'nor with a payload_hash of its own');
WITH direct AS (
    INSERT INTO webhook.delivery (workspace_id, endpoint_id, event_id, event_type, payload, max_attempts)
    VALUES (:wa, pg_temp.endpoint_of('a'), 'direct', 'order.created', '{"n": 3}', 1)
    RETURNING payload_hash)
SELECT is((SELECT payload_hash FROM direct), encode(sha256(convert_to('{"n": 3}'::jsonb::text, 'UTF8')), 'hex'),
          'a direct INSERT for an own endpoint works, and its payload_hash is that of its body');
SELECT is((webhook.cancel_delivery((SELECT id FROM webhook.delivery ORDER BY id LIMIT 1))).status::text, 'cancelled', 'a tenant can cancel its delivery');
SELECT is((webhook.retry_delivery((SELECT id FROM webhook.delivery ORDER BY id LIMIT 1))).status::text, 'pending', '... and retry it');

-- The workspace from PostgREST's JWT claims.
RESET webhook.workspace_id;
SET request.jwt.claims = '{"role": "regress_tenant", "workspace_id": "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb"}';
SELECT is((SELECT array_agg(DISTINCT workspace_id::text) FROM webhook.delivery), ARRAY[:wb], 'the JWT claim selects workspace B');
SELECT is((SELECT count(*)::int FROM webhook.list_endpoints()), 1, '... and only its endpoints');
SET webhook.workspace_id = :wa;
SELECT is((SELECT array_agg(DISTINCT workspace_id::text) FROM webhook.delivery), ARRAY[:wb], 'the claim takes precedence over the setting');
-- A claim that is not a uuid is an error that names the claim (not the bare
-- uuid syntax error of a cast), also with a valid setting beside it.
SET request.jwt.claims = '{"role": "regress_tenant", "workspace_id": "bbbb-not-a-uuid"}';
SELECT throws_ok('SELECT count(*) FROM webhook.delivery', '22P02', 'the workspace_id claim is not a uuid',
                 'a malformed workspace_id claim: 22P02 naming the claim');
SELECT is(pg_temp.error_of('SELECT count(*) FROM webhook.delivery'), '22P02 with hint', '... with a hint');
SET request.jwt.claims = '{"role": "regress_tenant", "workspace_id": 42}';
SELECT throws_ok($$SELECT webhook.publish('order.created', '{}')$$, '22P02', 'the workspace_id claim is not a uuid',
                 'a workspace_id claim that is a number: the same, for publish too');

-- Neither: nothing is visible and nothing can be written.
RESET webhook.workspace_id;
RESET request.jwt.claims;
SELECT is((SELECT count(*)::int FROM webhook.endpoint) + (SELECT count(*)::int FROM webhook.delivery), 0, 'without a workspace a webhook_user sees nothing');
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('https://x.example/')$$), '42501 with hint', '... and changes nothing (create_endpoint says why)');
SELECT is(pg_temp.error_of($$INSERT INTO webhook.endpoint (url) VALUES ('https://x.example/')$$), '42501 without hint', '... nor does a plain INSERT (row-level security''s own error)');
SELECT is(pg_temp.error_of($$SET webhook.workspace_id = 'not-a-uuid'$$), '22023 with hint', 'a malformed workspace setting is refused');
RESET ROLE;

-- webhook_admin sees every workspace, but no secret.
SET ROLE regress_ops;
SELECT is((SELECT count(DISTINCT workspace_id)::int FROM webhook.delivery), 2, 'webhook_admin sees every workspace');
SELECT is((SELECT count(*)::int FROM webhook.list_endpoints(workspace_id => :wb)), 1, 'webhook_admin can narrow to one workspace');
SELECT is(pg_temp.error_of('SELECT secret FROM webhook.endpoint'), '42501 without hint', 'webhook_admin cannot select secrets');
SELECT is(webhook.endpoint_secret(pg_temp.endpoint_of('b')), 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'webhook_admin reads a secret through endpoint_secret');
SELECT is(pg_temp.error_of(format($$INSERT INTO webhook.delivery (workspace_id, endpoint_id, event_id, event_type, payload, max_attempts) VALUES (%L, %L, 'moved', 't', '{}', 1)$$, :wa, pg_temp.endpoint_of('b'))),
          '42501 without hint', 'not even webhook_admin can file a delivery under another workspace than its endpoint''s');
RESET ROLE;

-- A role with neither grant can do nothing.
SET ROLE regress_nobody;
SELECT is(pg_temp.error_of($$SELECT webhook.publish('a.b', '{}')$$), '42501 without hint', 'a role without a webhook role cannot publish');
SELECT is(pg_temp.error_of('SELECT count(*) FROM webhook.delivery'), '42501 without hint', 'a role without a webhook role cannot read deliveries');
SELECT is(pg_temp.error_of(format('SELECT webhook.endpoint_secret(%L)', pg_temp.endpoint_of('a'))), '42501 without hint', 'a role without a webhook role cannot read secrets');
RESET ROLE;

-- The secret is read with the table owner's rights: no operator or function
-- that the caller's search_path puts first may run with them.
CREATE SCHEMA regress_tenant_schema AUTHORIZATION regress_tenant;
SET ROLE regress_tenant;
SET webhook.workspace_id = :wa;
CREATE FUNCTION regress_tenant_schema.uuid_eq(uuid, uuid) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    IF current_user <> 'regress_tenant' THEN
        RAISE EXCEPTION 'a tenant''s operator ran as %', current_user;
    END IF;
    RETURN $1::text = $2::text;
END $$;
CREATE OPERATOR regress_tenant_schema.= (LEFTARG = uuid, RIGHTARG = uuid, FUNCTION = regress_tenant_schema.uuid_eq);
SET search_path = regress_tenant_schema, pg_catalog, public;
SELECT is(pg_temp.error_of(format('SELECT webhook.endpoint_secret(%L)', pg_temp.endpoint_of('a'))), 'no error',
          'endpoint_secret runs no operator of the caller''s search_path as the table owner');
RESET search_path;
RESET webhook.workspace_id;
RESET ROLE;
DROP SCHEMA regress_tenant_schema CASCADE;

SELECT * FROM finish();
DROP TABLE regress_ids;
DROP ROLE regress_tenant, regress_ops, regress_nobody;
