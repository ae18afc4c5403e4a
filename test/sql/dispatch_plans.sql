-- The worker's claim keeps to the due index whatever the statistics said
-- when its plan was made. The worker plans on its first pass, often on an
-- empty table (a new installation); a plan made there once read and sorted
-- the whole backlog on every claim. Each backend keeps its plans, so the
-- plans here are made on an empty table, then used on a backlog of 3,000.
-- No worker serves this database, so nothing moves by itself.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_webhook;

SELECT plan(4);

TRUNCATE webhook.endpoint, webhook.delivery, webhook.attempt;
SELECT (webhook.create_endpoint('http://127.0.0.1:9/plans')).id IS NOT NULL;
-- The plans: made now, on an empty table.
SELECT count(*) FROM webhook.claim_due_deliveries(5, '{}', 1000);
SELECT webhook.next_due_at('{}');

INSERT INTO webhook.delivery (workspace_id, endpoint_id, event_id, event_type, payload, max_attempts)
SELECT e.workspace_id, e.id, 'plans-' || n, 'plans.test', '{}', 3
FROM webhook.endpoint e, generate_series(1, 3000) AS n;
-- The counters below are per backend until flushed: start them afresh.
SELECT pg_stat_force_next_flush();

BEGIN;
SELECT is((SELECT count(*)::int FROM webhook.claim_due_deliveries(5, '{}', 1000)), 5,
          'a claim of 5 from a backlog of 3,000 gets 5');
SELECT ok(webhook.next_due_at('{}') IS NOT NULL, 'next_due_at finds the backlog');
-- This transaction's own table statistics: rows read by each kind of scan.
SELECT is((SELECT seq_tup_read::int FROM pg_stat_xact_user_tables WHERE relid = 'webhook.delivery'::regclass),
          0, 'neither reads the table sequentially');
SELECT cmp_ok((SELECT idx_tup_fetch::int FROM pg_stat_xact_user_tables WHERE relid = 'webhook.delivery'::regclass),
              '<=', 10, 'together they fetch a handful of rows through the due index, not the backlog');
COMMIT;  -- a claim writes nothing, and no worker runs here

TRUNCATE webhook.endpoint, webhook.delivery, webhook.attempt;
SELECT * FROM finish();
