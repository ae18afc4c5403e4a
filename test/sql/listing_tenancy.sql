-- Listing under row-level security: a webhook_user sees only its workspace,
-- whatever it asks for (ids, filters, endpoint traversal, cursors, counts).
\i test/sql/fixtures/listing_setup.sql
DROP ROLE IF EXISTS regress_listing_tenant, regress_listing_admin;
CREATE ROLE regress_listing_tenant NOLOGIN IN ROLE webhook_user;
CREATE ROLE regress_listing_admin NOLOGIN IN ROLE webhook_admin;

CREATE FUNCTION pg_temp.listed(filter jsonb DEFAULT NULL, ids uuid[] DEFAULT NULL, after text DEFAULT NULL)
RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(right(l.id::text, 2), ',' ORDER BY l.ordinality), '')
    FROM webhook.list_deliveries(filter => filter, ids => ids, after => after) WITH ORDINALITY AS l $$;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA pg_temp TO PUBLIC;
CREATE TEMP TABLE expected AS SELECT
    pg_temp.expected($$workspace_id = 'a0000000-0000-0000-0000-00000000000a'$$) AS workspace_a,
    pg_temp.expected('true') AS everything,
    (SELECT cursor FROM webhook.list_deliveries(page_size => 1)) AS admin_cursor;
GRANT SELECT ON expected TO PUBLIC;

SELECT plan(15);

SET ROLE regress_listing_tenant;
SELECT is(pg_temp.listed(), '', 'a webhook_user without a workspace sees nothing');
SELECT set_config('webhook.workspace_id', 'a0000000-0000-0000-0000-00000000000a', false) IS NOT NULL;
SELECT is(pg_temp.listed(), (SELECT workspace_a FROM expected), 'a webhook_user sees its workspace only');
SELECT is(pg_temp.listed(ids => ARRAY['00000000-0000-7000-8000-000000000002', '00000000-0000-7000-8000-000000000003']::uuid[]),
          '03', 'ids never widens: the other workspace''s row 02 stays hidden');
SELECT is(pg_temp.listed(filter => '{"workspace_id": {"eq": "b0000000-0000-0000-0000-00000000000b"}}'), '',
          'filtering on another workspace finds nothing');
SELECT is(pg_temp.listed(filter => '{"endpoint": {"enabled": {"eq": false}}}'), '',
          'endpoint traversal sees only the workspace''s endpoints');
SELECT is((SELECT count(*)::int FROM webhook.list_deliveries(workspace_id => 'b0000000-0000-0000-0000-00000000000b')), 0,
          'naming another workspace finds nothing');
SELECT is((SELECT webhook.deliveries_page(page_size => 1) #> '{pageInfo,total}'), '12', 'the total counts the workspace only');
SELECT is(pg_temp.listed(after => (SELECT admin_cursor FROM expected)),
          (SELECT workspace_a FROM expected), 'an administrator''s cursor leads only to the workspace''s rows');
SELECT is((SELECT count(*)::int FROM webhook.list_deliveries(
              filter => '{"or": [{"workspace_id": {"neq": "a0000000-0000-0000-0000-00000000000a"}}, {"id": {"is_null": false}}]}')),
          12, 'an "or" cannot reach around the policy');
SELECT throws_ok('SELECT * FROM webhook.cursor_signing_key', '42501', NULL, 'the cursor signing key is not readable');
RESET ROLE;

SET ROLE regress_listing_admin;
SELECT is(pg_temp.listed(), (SELECT everything FROM expected), 'a webhook_admin sees every workspace');
RESET ROLE;
SELECT set_config('webhook.workspace_id', '', false) IS NOT NULL;

SELECT is((SELECT array_agg(p.proname::text ORDER BY p.proname) FROM pg_proc p
           WHERE p.pronamespace = 'webhook'::regnamespace
             AND p.proname IN ('list_deliveries', 'deliveries_page', 'list_deliveries_window', 'count_deliveries')
             AND NOT p.prosecdef AND p.provolatile = 's'
             AND has_function_privilege('webhook_user', p.oid, 'EXECUTE')
             AND has_function_privilege('webhook_admin', p.oid, 'EXECUTE')
             AND NOT EXISTS (SELECT FROM aclexplode(p.proacl) a WHERE a.grantee = 0)),
          ARRAY['count_deliveries', 'deliveries_page', 'list_deliveries', 'list_deliveries_window'],
          'the listing functions are STABLE, SECURITY INVOKER, for both roles and not PUBLIC');
SELECT is(ARRAY[has_type_privilege('webhook_admin', 'webhook.listed_delivery', 'USAGE'),
                has_type_privilege('webhook_user', 'webhook.listed_delivery', 'USAGE'),
                has_type_privilege('public', 'webhook.listed_delivery', 'USAGE')],
          ARRAY[true, true, false], 'the listing''s row type is usable by both roles and not by PUBLIC');

-- The policies work out the caller's workspace once per statement (an
-- InitPlan), not once per row: where the workspace is a Filter, not an index
-- condition, a PostgREST caller's JWT claims were otherwise parsed as JSON for
-- every row the scan read (about 3x the time of a tenant's endpoint page that
-- filters its rows).
CREATE FUNCTION pg_temp.filter_lines(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE line text; lines text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
        IF line ~ '(Filter|Index Cond|Recheck Cond):' THEN lines := lines || btrim(line) || E'\n'; END IF;
    END LOOP;
    RETURN lines;
END $$;
SET ROLE regress_listing_tenant;
SELECT set_config('request.jwt.claims', '{"role": "regress_listing_tenant", "workspace_id": "a0000000-0000-0000-0000-00000000000a"}', false) IS NOT NULL;
SET enable_indexscan = off;
SET enable_bitmapscan = off;
SELECT is(pg_temp.filter_lines('SELECT id FROM webhook.delivery WHERE event_type IS NOT NULL') ~ 'current_setting',
          false, 'a scan that filters by workspace reads the claims once, not per row');
SELECT is(pg_temp.filter_lines('SELECT id FROM webhook.attempt WHERE http_status IS NOT NULL') ~ 'current_setting',
          false, 'and so does a scan of the attempts');
RESET enable_indexscan;
RESET enable_bitmapscan;
SELECT set_config('request.jwt.claims', '', false) IS NOT NULL;
RESET ROLE;

SELECT * FROM finish();
DROP ROLE regress_listing_tenant, regress_listing_admin;
