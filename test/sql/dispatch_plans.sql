-- The worker's claim keeps to the due index whatever the statistics said
-- when its plan was made. The worker plans on its first pass, often on an
-- empty table (a new installation); a plan made there once read and sorted
-- the whole backlog on every claim. Each backend keeps its plans, so the
-- plans here are made on an empty table, then used on a backlog of 3,000.
-- The same holds for the endpoint each claimed delivery needs: one probe of
-- the primary key, also when the workspace has many endpoints and endpoint
-- has never been analyzed.
-- No worker serves this database, so nothing moves by itself.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_webhook;

SELECT plan(4);

TRUNCATE webhook.endpoint, webhook.delivery, webhook.attempt;
-- 99 endpoints with nothing due, created before the one with the backlog:
-- a scan of the workspace's endpoints in creation order meets them first.
CREATE TEMP TABLE more_endpoints AS
SELECT e.id FROM generate_series(1, 99) AS n,
    LATERAL webhook.create_endpoint('http://127.0.0.1:9/plans-' || n) AS e;
SELECT (webhook.create_endpoint('http://127.0.0.1:9/plans')).id IS NOT NULL;
-- The plans: made now, on an empty table.
SELECT count(*) FROM webhook.claim_due_deliveries(5, '{}');
SELECT webhook.next_due_at('{}');

INSERT INTO webhook.delivery (workspace_id, endpoint_id, event_id, event_type, payload, max_attempts)
SELECT e.workspace_id, e.id, 'plans-' || n, 'plans.test', '{}', 3
FROM webhook.endpoint e, generate_series(1, 3000) AS n
WHERE e.id NOT IN (SELECT id FROM more_endpoints);
-- The counters below are per backend until flushed: start them afresh.
SELECT pg_stat_force_next_flush();

BEGIN;
SELECT is((SELECT count(*)::int FROM webhook.claim_due_deliveries(5, '{}')), 5,
          'a claim of 5 from a backlog of 3,000 gets 5');
SELECT ok(webhook.next_due_at('{}') IS NOT NULL, 'next_due_at finds the backlog');
-- This transaction's own table statistics: rows read by each kind of scan.
SELECT is((SELECT seq_tup_read::int FROM pg_stat_xact_user_tables WHERE relid = 'webhook.delivery'::regclass),
          0, 'neither reads the table sequentially');
SELECT cmp_ok((SELECT idx_tup_fetch::int FROM pg_stat_xact_user_tables WHERE relid = 'webhook.delivery'::regclass),
              '<=', 10, 'together they fetch a handful of rows through the due index, not the backlog');
COMMIT;  -- a claim writes nothing, and no worker runs here
SELECT * FROM finish();

-- A new session plans again, on the analyzed backlog, with endpoint never
-- analyzed (pgTAP's plan lives in the session, hence a second one).
ANALYZE webhook.delivery;
\c
SET client_min_messages = warning;
SELECT plan(2);
SELECT pg_stat_force_next_flush();
BEGIN;
SELECT is((SELECT count(*)::int FROM webhook.claim_due_deliveries(5, '{}')), 5,
          'a claim planned on the backlog gets 5');
SELECT cmp_ok((SELECT idx_tup_fetch::int FROM pg_stat_xact_user_tables WHERE relid = 'webhook.endpoint'::regclass),
              '<=', 12, 'it reads a handful of endpoint rows by primary key, not every endpoint of the workspace');
COMMIT;

TRUNCATE webhook.endpoint, webhook.delivery, webhook.attempt;
SELECT * FROM finish();
