-- A tenant's pages narrowed or ordered by status read one page from a status
-- index, as an administrator's do. Row-level security puts its qual ahead
-- of the query's as a security barrier, and lets a condition of the query be
-- an index condition only when its functions are leakproof; the built-in
-- enum comparisons are not, so a tenant's status condition was a Filter: an
-- endpoint's page of one status read and sorted all of the endpoint's rows,
-- and a page ordered by status scanned the workspace from its start.
-- The listing's statements keep generic plans (spi_plan_cache.cpp); the
-- EXPLAINs below are of the statements it makes, generic, as a tenant, and
-- the counters of the listing itself show what it reads.
\set QUIET 1
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_webhook;
TRUNCATE webhook.endpoint, webhook.delivery, webhook.attempt;

-- Two workspaces of four endpoints with 2,000 deliveries each: 75 % retrying,
-- 20 % delivered, 5 % dead_letter. Disabled endpoints, nothing due: nothing is ever sent.
INSERT INTO webhook.endpoint (id, workspace_id, url, enabled)
SELECT ('e0000000-0000-7000-8000-' || lpad(e::text, 12, '0'))::uuid,
       ('a0000000-0000-0000-0000-' || lpad((e % 2)::text, 12, '0'))::uuid,
       'http://127.0.0.1:9/plans-' || e, false
FROM generate_series(0, 7) AS e;
INSERT INTO webhook.delivery (workspace_id, endpoint_id, event_id, event_type, payload,
                              status, max_attempts, created_at, updated_at)
SELECT ('a0000000-0000-0000-0000-' || lpad((e % 2)::text, 12, '0'))::uuid,
       ('e0000000-0000-7000-8000-' || lpad(e::text, 12, '0'))::uuid,
       'evt_' || n, 'plans.test', '{}',
       CASE WHEN n / 8 % 20 < 15 THEN 'retrying'
            WHEN n / 8 % 20 < 19 THEN 'delivered'
            ELSE 'dead_letter' END::webhook.delivery_status,
       3, at, at
FROM generate_series(1, 16000) AS n,
     LATERAL (SELECT n % 8 AS e,
                     timestamptz '2026-01-01' + n * interval '1 second' AS at) AS row;
ANALYZE webhook.delivery;
ANALYZE webhook.endpoint;

\set QUIET 0
SET ROLE webhook_user;
SET webhook.workspace_id = 'a0000000-0000-0000-0000-000000000001';
SET plan_cache_mode = force_generic_plan;

-- One endpoint's page of one status: an index scan of the endpoint+status
-- index with both conditions in its Index Cond, and no Sort.
PREPARE endpoint_status(uuid, webhook.delivery_status) AS
SELECT d.id, d.payload FROM webhook.delivery AS d
 WHERE d.endpoint_id = $1 AND d.status OPERATOR(webhook.=) $2
 ORDER BY d.created_at DESC, d.id DESC LIMIT 11;
EXPLAIN (COSTS OFF)
EXECUTE endpoint_status('e0000000-0000-7000-8000-000000000001', 'delivered');

-- A deep page of the order status asc, created_at desc (the keyset of mixed
-- directions): the scan starts at the cursor's status.
PREPARE by_status(webhook.delivery_status, timestamptz, uuid) AS
SELECT d.id, d.payload FROM webhook.delivery AS d
 WHERE (d.status OPERATOR(webhook.>=) $1
        AND (d.status OPERATOR(webhook.>) $1
             OR (d.status OPERATOR(webhook.=) $1 AND d.created_at < $2)
             OR (d.status OPERATOR(webhook.=) $1 AND d.created_at = $2 AND d.id < $3)))
 ORDER BY d.status, d.created_at DESC, d.id DESC LIMIT 11;
EXPLAIN (COSTS OFF)
EXECUTE by_status('delivered', '2026-01-01 02:00:00+00', 'e0000000-0000-7000-8000-000000000000');


-- What the listing itself reads, from this backend's counters.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
SELECT plan(5);
-- A cursor 6,010 rows deep in the order status asc, created_at desc: past the
-- workspace's 6,000 retrying deliveries, 10 into its delivered ones.
CREATE TEMP TABLE deep (cursor text);
DO $$
DECLARE
    position text;
BEGIN
    FOR page IN 1..61 LOOP
        SELECT l.cursor INTO position FROM webhook.list_deliveries(
            order_by => '[{"status": "asc"}, {"created_at": "desc"}]', after => position,
            page_size => CASE WHEN page <= 60 THEN 100 ELSE 10 END) AS l
        ORDER BY l.status DESC, l.created_at, l.id LIMIT 1;
    END LOOP;
    INSERT INTO deep VALUES (position);
END
$$;
CREATE TEMP TABLE seen (what text, fetched bigint);
CREATE FUNCTION pg_temp.fetched() RETURNS bigint LANGUAGE sql AS $$
    SELECT idx_tup_fetch + seq_tup_read FROM pg_stat_xact_user_tables
     WHERE relid = 'webhook.delivery'::regclass $$;

BEGIN;
-- The counters hold this backend's counts not yet reported: start from them.
INSERT INTO seen SELECT 'before', pg_temp.fetched();
SELECT count(*) = 10 FROM webhook.list_deliveries(
    endpoint_id => 'e0000000-0000-7000-8000-000000000001', status => 'delivered', page_size => 10);
INSERT INTO seen SELECT 'endpoint and status', pg_temp.fetched() - sum(fetched) FROM seen;
SELECT count(*) = 10 FROM webhook.list_deliveries(
    endpoint_id => 'e0000000-0000-7000-8000-000000000001',
    filter => '{"status": {"eq": "delivered"}}', page_size => 10);
INSERT INTO seen SELECT 'filter eq', pg_temp.fetched() - sum(fetched) FROM seen;
SELECT count(*) = 10 FROM webhook.list_deliveries(
    endpoint_id => 'e0000000-0000-7000-8000-000000000001',
    filter => '{"status": {"in": ["dead_letter"]}}', page_size => 10);
INSERT INTO seen SELECT 'filter in', pg_temp.fetched() - sum(fetched) FROM seen;
SELECT count(*) = 10 FROM webhook.list_deliveries(
    order_by => '[{"status": "asc"}, {"created_at": "desc"}]', page_size => 10,
    after => (SELECT cursor FROM deep));
INSERT INTO seen SELECT 'deep page by status', pg_temp.fetched() - sum(fetched) FROM seen;
COMMIT;
RESET ROLE;

-- 2,000 rows of the endpoint (400 delivered, 100 dead_letter); a page is 10.
SELECT cmp_ok((SELECT fetched::int FROM seen WHERE what = 'endpoint and status'), '<=', 20,
              'a tenant''s endpoint page of one status reads about a page of rows');
SELECT cmp_ok((SELECT fetched::int FROM seen WHERE what = 'filter eq'), '<=', 20,
              'so does the filter''s status eq');
-- (An "in" list is not an ordered index scan; one dead_letter in 20 rows.)
SELECT cmp_ok((SELECT fetched::int FROM seen WHERE what = 'filter in'), '<=', 250,
              'the filter''s status in does not read all of the endpoint''s rows');
SELECT cmp_ok((SELECT fetched::int FROM seen WHERE what = 'deep page by status'), '<=', 20,
              'a tenant''s deep page ordered by status starts at its cursor''s status');
SELECT is((SELECT count(*)::int FROM seen), 5, 'every listing was counted');
SELECT * FROM finish();

TRUNCATE webhook.endpoint, webhook.delivery, webhook.attempt;
