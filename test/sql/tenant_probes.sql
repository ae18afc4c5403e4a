-- A tenant probing the SQL surface for another workspace: what a webhook_user
-- of workspace A can learn about workspace B, or change there, by calling
-- the API and writing the tables directly. Each probe here was tried
-- against the extension; foundation_tenancy and listing_tenancy hold the
-- plain visibility rules.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_webhook;
TRUNCATE webhook.endpoint, webhook.delivery, webhook.attempt;
DROP ROLE IF EXISTS regress_probe_tenant, regress_probe_admin;
CREATE ROLE regress_probe_tenant NOLOGIN IN ROLE webhook_user;
CREATE ROLE regress_probe_admin NOLOGIN IN ROLE webhook_admin;

\i test/sql/fixtures/error_of.sql
GRANT EXECUTE ON FUNCTION pg_temp.error_of(text) TO PUBLIC;

\set wa 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa'
\set wb 'bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb'
-- Workspace B: a live endpoint, and one deleted after an event was sent to
-- it (its delivery stays, as every delivery outlives its endpoint).
SELECT (webhook.create_endpoint('https://b.example/live', workspace_id => :'wb')).id AS b_live \gset
SELECT (webhook.create_endpoint('https://b.example/gone', workspace_id => :'wb')).id AS b_gone \gset
SELECT count(*) FROM webhook.publish('payroll.run', '{"n": 1}', :'wb', 'payroll-2026-11', :'b_gone');
SELECT webhook.delete_endpoint(:'b_gone');
SELECT (webhook.create_endpoint('https://a.example/', workspace_id => :'wa')).id AS a_own \gset
-- B publishes payroll.run often, A never; A has three deliveries of its own.
SELECT count(*) FROM generate_series(1, 300) AS n,
       LATERAL webhook.publish('payroll.run', jsonb_build_object('n', n), :'wb', 'run-' || n, :'b_live');
SELECT count(*) FROM generate_series(1, 3) AS n,
       LATERAL webhook.publish('order.created', jsonb_build_object('n', n), :'wa', 'order-' || n, :'a_own');
ANALYZE webhook.delivery;

SELECT plan(30);

SET ROLE regress_probe_tenant;
SET webhook.workspace_id = :'wa';

-- Endpoint ids are unique across workspaces. An id of the tenant's own
-- choosing was an oracle: B's live endpoint id gave 23505 (endpoint_pkey),
-- any free id succeeded.
SELECT is(pg_temp.error_of(format($$INSERT INTO webhook.endpoint (id, url) VALUES (%L, 'https://probe.example/')$$, :'b_live')),
          '42501 without hint', 'a tenant cannot choose an endpoint id: another workspace''s live endpoint id ...');
SELECT is(pg_temp.error_of($$INSERT INTO webhook.endpoint (id, url) VALUES (gen_random_uuid(), 'https://probe.example/')$$),
          '42501 without hint', '... and a free id are refused alike');
-- Taking the id of B's deleted endpoint, publishing to it collided with B's
-- delivery of the same event id: the tenant's event was dropped (fan-out)
-- or its endpoint "not found" (named), which told it B's event ids.
SELECT is(pg_temp.error_of(format($$INSERT INTO webhook.endpoint (id, url) VALUES (%L, 'https://probe.example/')$$, :'b_gone')),
          '42501 without hint', 'nor take the id of another workspace''s deleted endpoint');
SELECT is((SELECT count(*)::int FROM webhook.endpoint WHERE id IN (:'b_live', :'b_gone')), 0,
          'so no endpoint of the tenant carries another workspace''s endpoint id');
WITH direct AS (INSERT INTO webhook.endpoint (url) VALUES ('https://a.example/direct') RETURNING id)
SELECT isnt((SELECT id FROM direct), NULL, 'a plain INSERT without an id still works, and gets a generated id');

-- The planner's statistics describe every workspace's rows: an estimate
-- made from them told a tenant how often other workspaces publish an event
-- type (payroll.run: about 300 rows, where a type unknown everywhere gave
-- 1) and how large the whole table is. A tenant's count is exact.
SELECT is(webhook.count_deliveries(event_type => 'payroll.run', estimated => true), 0::bigint,
          'an estimated count of another workspace''s event type tells a tenant nothing: it is its own count, 0');
SELECT is(webhook.count_deliveries(estimated => true), 3::bigint,
          'an estimated count of everything is the tenant''s own count, not the table''s');
SELECT is(webhook.deliveries_page(count => 'estimated', page_size => 1) #>> '{pageInfo,total}', '3',
          'deliveries_page with count estimated: the same');
SELECT is(webhook.deliveries_page(count => 'estimated', page_size => 1, page => 1) #>> '{pagination,total_pages}', '3',
          '... also in page mode');
RESET ROLE;
RESET webhook.workspace_id;
-- webhook_admin sees every workspace, and still gets the planner's guess
-- (which never says 0 rows: the planner counts at least one).
SET ROLE regress_probe_admin;
SELECT is(webhook.count_deliveries(event_type => 'never.published', estimated => true), 1::bigint,
          'webhook_admin''s estimated count is still the planner''s guess');
RESET ROLE;


-- Properties no other test pins down.
CREATE FUNCTION pg_temp.detail_of(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE state text; detail text;
BEGIN
    EXECUTE sql;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, detail = PG_EXCEPTION_DETAIL;
    RETURN state || ' detail: ' || coalesce(nullif(detail, ''), 'none');
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.detail_of(text) TO PUBLIC;
-- The listing keeps its plans for the session (src/pg/spi_plan_cache.cpp):
-- one made for a caller that row-level security does not restrict must not
-- serve a tenant afterwards, nor one made in workspace B serve workspace A.
SELECT is((SELECT count(*)::int FROM webhook.list_deliveries(event_type => 'payroll.run', page_size => 5)), 5,
          'the superuser lists workspace B''s payroll runs');
SET ROLE regress_probe_tenant;
SELECT set_config('request.jwt.claims', format('{"role": "regress_probe_tenant", "workspace_id": "%s"}', :'wa'), false) IS NOT NULL;
SELECT is((SELECT count(*)::int FROM webhook.list_deliveries(event_type => 'payroll.run', page_size => 5)), 0,
          'the same listing right after, as a tenant of workspace A, shows none of them');
-- PostgREST sets the claims for the request's transaction only.
BEGIN;
SELECT set_config('request.jwt.claims', format('{"role": "regress_probe_tenant", "workspace_id": "%s"}', :'wb'), true) IS NOT NULL;
SELECT is((SELECT count(*)::int FROM webhook.list_deliveries(page_size => 100) WHERE workspace_id <> :'wb'), 0,
          'claims switched to workspace B inside a transaction: only B''s rows');
COMMIT;
SELECT is((SELECT array_agg(DISTINCT workspace_id::text) FROM webhook.list_deliveries(page_size => 100)), ARRAY[:'wa'],
          'after that transaction, workspace A''s rows only again');
-- An event id that workspace B has used is A's to use too: nothing collides,
-- and nothing about B is changed or told.
SELECT is((SELECT count(*)::int FROM webhook.publish('payroll.run', '{"mine": true}', event_id => 'run-1')), 2,
          'publishing an event id workspace B has used creates a delivery for each of workspace A''s two endpoints');
-- Constraint errors carry no row: Postgres leaves out the "Failing row
-- contains" and "Key (...)=(...)" details under row-level security.
SELECT is(pg_temp.detail_of(format($$INSERT INTO webhook.delivery (workspace_id, endpoint_id, event_id, event_type, payload, max_attempts) VALUES (%L, %L, 'order-1', 't', '{}', 1)$$, :'wa', :'a_own')),
          '23505 detail: none', 'a duplicate event id of a direct INSERT names no key values');
SELECT is(pg_temp.detail_of($$UPDATE webhook.delivery SET status = NULL$$), '23502 detail: none',
          'a NOT NULL violation shows no row');
-- The worker's functions and the cursor key are out of reach.
SELECT is(pg_temp.error_of($$SELECT webhook.next_due_at('{}')$$), '42501 without hint', 'a tenant cannot call next_due_at');
SELECT is(pg_temp.error_of($$UPDATE webhook.cursor_signing_key SET key = repeat('x', 32)$$), '42501 without hint',
          'a tenant cannot change the cursor signing key ...');
SELECT is(pg_temp.error_of($$INSERT INTO webhook.cursor_signing_key VALUES (repeat('x', 32))$$), '42501 without hint',
          '... nor add one');
-- What a tenant plants in its own temporary schema is never picked up by
-- pg_webhook's functions: check_session_workspace reads pg_roles, and with
-- pg_temp searched first a table of that name there would say the tenant
-- bypasses row-level security.
CREATE TEMP TABLE pg_roles (rolname name, rolbypassrls boolean);
INSERT INTO pg_temp.pg_roles VALUES (current_user, true);
SET search_path = public;
SELECT is(pg_temp.error_of(format($$SELECT webhook.create_endpoint('https://planted.example/', workspace_id => %L)$$, :'wb')),
          '42501 with hint', 'a temporary table named pg_roles does not open another workspace to a tenant ...');
SELECT is(pg_temp.error_of(format($$SELECT webhook.check_session_workspace(%L, 'create an endpoint', 'creates endpoints')$$, :'wb')),
          '42501 with hint', '... nor fool the workspace check called directly');
RESET search_path;
DROP TABLE pg_temp.pg_roles;
SELECT set_config('request.jwt.claims', '', false) IS NOT NULL;
RESET ROLE;
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY p.oid::regprocedure::text)
             FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
            WHERE p.pronamespace = 'webhook'::regnamespace AND l.lanname IN ('sql', 'plpgsql')
              AND p.prosqlbody IS NULL
              AND NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false)), NULL,
          'every SQL or PL/pgSQL function either pins search_path = pg_catalog, pg_temp or has a body parsed at creation');
SELECT is((SELECT string_agg(workspace_id::text || ' ' || payload::text, ',' ORDER BY workspace_id) FROM webhook.delivery WHERE event_id = 'run-1'),
          format('%s {"mine": true},%s {"mine": true},%s {"n": 1}', :'wa', :'wa', :'wb'), '... and workspace B''s delivery of it is untouched');
SET ROLE regress_probe_admin;
SELECT is(pg_temp.detail_of(format($$INSERT INTO webhook.endpoint (url, workspace_id, secret) VALUES ('https://x.example/', NULL, %L)$$, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')),
          '23502 detail: none', 'a failing endpoint row is not shown, so neither is the secret it carries');
SELECT is(ARRAY[has_function_privilege('webhook_admin', 'webhook.claim_due_deliveries(integer, uuid[], bigint)', 'EXECUTE'),
                has_function_privilege('webhook_admin', 'webhook.next_due_at(uuid[])', 'EXECUTE'),
                has_function_privilege('webhook_admin', 'webhook.record_attempts(uuid[], timestamptz[], uuid[], uuid[], integer[], webhook.delivery_status[], timestamptz[], integer[], text[], text[], timestamptz[], double precision[])', 'EXECUTE'),
                has_table_privilege('webhook_admin', 'webhook.cursor_signing_key', 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE')],
          ARRAY[false, false, false, false], 'not even webhook_admin reaches the worker''s functions or the cursor key');
RESET ROLE;

-- LOCK TABLE in SHARE UPDATE EXCLUSIVE mode or stronger needs only UPDATE
-- or DELETE on the table, which a tenant has on webhook.endpoint: held in an
-- open transaction, such a lock stopped every workspace's publishes,
-- listings and the worker's claims. Refused from SHARE UPDATE EXCLUSIVE up,
-- also through views the tenant owns (LOCK on a view locks what it reads);
-- the modes that reads and writes take anyway stay allowed.
SET ROLE regress_probe_tenant;
CREATE TEMP VIEW probe_endpoints AS SELECT id FROM webhook.endpoint;
CREATE TEMP VIEW probe_endpoints_again AS SELECT id FROM probe_endpoints WHERE id IS NOT NULL;
CREATE TEMP TABLE probe_own (n int);
CREATE TEMP VIEW probe_own_view AS SELECT n FROM probe_own;
SELECT is(ARRAY[pg_temp.error_of('LOCK TABLE webhook.endpoint IN ACCESS EXCLUSIVE MODE'),
                pg_temp.error_of('LOCK TABLE webhook.endpoint IN SHARE MODE'),
                pg_temp.error_of('LOCK TABLE webhook.endpoint IN SHARE UPDATE EXCLUSIVE MODE')],
          ARRAY['42501 with hint', '42501 with hint', '42501 with hint'],
          'a tenant cannot lock pg_webhook''s tables against the other workspaces ...');
SELECT is(ARRAY[pg_temp.error_of('LOCK TABLE pg_temp.probe_endpoints IN EXCLUSIVE MODE'),
                pg_temp.error_of('LOCK TABLE pg_temp.probe_own_view, pg_temp.probe_endpoints_again IN ACCESS EXCLUSIVE MODE')],
          ARRAY['42501 with hint', '42501 with hint'], '... nor through views of its own, however nested');
SELECT is(ARRAY[pg_temp.error_of('LOCK TABLE webhook.endpoint IN ROW EXCLUSIVE MODE'),
                pg_temp.error_of('LOCK TABLE webhook.delivery IN ACCESS SHARE MODE'),
                pg_temp.error_of('LOCK TABLE pg_temp.probe_own_view IN ACCESS EXCLUSIVE MODE')],
          ARRAY['no error', 'no error', 'no error'],
          'the modes that reads and writes take stay allowed, and so does any lock on its own objects');
SELECT state || ': ' || message || ' | ' || detail || ' | ' || hint
FROM pg_temp.error_fields('LOCK TABLE webhook.endpoint IN ACCESS EXCLUSIVE MODE');
DROP VIEW probe_endpoints_again, probe_endpoints, probe_own_view;
DROP TABLE probe_own;
RESET ROLE;
SET ROLE regress_probe_admin;
SELECT is(pg_temp.error_of('LOCK TABLE webhook.endpoint IN ACCESS EXCLUSIVE MODE'), 'no error',
          'a webhook_admin may: it sees every workspace');
RESET ROLE;

SELECT * FROM finish();
DROP ROLE regress_probe_tenant, regress_probe_admin;
