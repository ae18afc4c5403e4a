-- webhook.publish reads only the rows it publishes, also when the table has
-- grown far past what its statistics say (a new installation's first burst,
-- a bulk import): an earlier version then read the whole table on every
-- call (a sequential scan, or a walk of the primary key) for the ids it
-- returns in order.
-- Autovacuum is off for the table while this runs, so the statistics stay
-- those of the ANALYZE below.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_webhook;

SELECT plan(7);

TRUNCATE webhook.endpoint, webhook.delivery, webhook.attempt;
ALTER TABLE webhook.delivery SET (autovacuum_enabled = off);
SELECT (webhook.create_endpoint('http://127.0.0.1:9/one')).id IS NOT NULL;
SELECT (webhook.create_endpoint('http://127.0.0.1:9/two')).id IS NOT NULL;
-- Statistics of a table of 10 deliveries...
SELECT count(*) FROM generate_series(1, 5) AS n, webhook.publish('plans.test', '{}', event_id => 'small-' || n);
ANALYZE webhook.delivery;
CREATE TEMP TABLE made_then AS SELECT * FROM webhook.publish('plans.test', '{}', event_id => 'early') AS p(id);
-- ... which then grows to 6,012.
SELECT count(*) FROM generate_series(1, 3000) AS n, webhook.publish('plans.test', '{}', event_id => 'grown-' || n);
-- The counters below are per backend until flushed: start them afresh.
SELECT pg_stat_force_next_flush();

BEGIN;
SELECT is((SELECT count(*)::int FROM webhook.publish('plans.test', '{"n": 1}', event_id => 'new')), 2,
          'a new event makes a delivery for each of the 2 endpoints');
SELECT is((SELECT count(*)::int FROM webhook.publish('plans.test', '{"n": 1}', event_id => 'new')), 2,
          'publishing it again returns the same 2 deliveries');
SELECT is((SELECT count(*)::int FROM webhook.publish('plans.test', '{}', event_id => 'early')), 2,
          'so does an event published long before');
SELECT is((SELECT array_agg(id ORDER BY id) FROM webhook.publish('plans.test', '{}', event_id => 'early') AS p(id)),
          (SELECT array_agg(id ORDER BY id) FROM made_then),
          '... and they are the deliveries made then');
-- This transaction's own table statistics: rows read by each kind of scan.
SELECT is((SELECT seq_tup_read::int FROM pg_stat_xact_user_tables WHERE relid = 'webhook.delivery'::regclass),
          0, 'no publish reads the table sequentially');
SELECT cmp_ok((SELECT idx_tup_fetch::int FROM pg_stat_xact_user_tables WHERE relid = 'webhook.delivery'::regclass),
              '<=', 20, 'the four publishes fetch a handful of rows by index, not the table');
SELECT is((SELECT count(*)::int FROM webhook.delivery), 6014, 'the table holds 6,014 deliveries');
COMMIT;  -- pgTAP keeps its results in this transaction

ALTER TABLE webhook.delivery RESET (autovacuum_enabled);
TRUNCATE webhook.endpoint, webhook.delivery, webhook.attempt;
SELECT * FROM finish();
