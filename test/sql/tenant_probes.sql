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

SELECT plan(10);

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

SELECT * FROM finish();
DROP ROLE regress_probe_tenant, regress_probe_admin;
