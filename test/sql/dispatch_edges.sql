-- Edges of the dispatch API (retry, cancel, status) and of the privileges
-- around it, as a tenant (webhook_user) could meet them. No worker serves
-- this database, so nothing moves by itself.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_webhook;

\i test/sql/fixtures/error_of.sql

SELECT plan(4);

-- ---------------------------------------------------------------------------
-- The worker's own figures describe every workspace: a webhook_user gets NULL
-- for them from worker_runtime() too, which it may call directly (it is in
-- the exposed schema: /rpc/worker_runtime), not only from worker_status().
-- ---------------------------------------------------------------------------
SET ROLE webhook_user;
SET webhook.workspace_id = '11111111-1111-1111-1111-111111111111';
SELECT is((SELECT row(in_flight, per_second, last_error)::text FROM webhook.worker_runtime()), '(,,)',
          'worker_runtime() gives a webhook_user NULL for in_flight, per_second and last_error');
RESET webhook.workspace_id;
RESET ROLE;
SET ROLE webhook_admin;
SELECT is((SELECT row(in_flight, per_second)::text FROM webhook.worker_runtime()), '(0,0)',
          '... and webhook_admin the worker''s figures');
RESET ROLE;

-- ---------------------------------------------------------------------------
-- Attempt ids come from no counter that every workspace shares: the gap
-- between two of a tenant's attempt ids told it how many attempts the other
-- workspaces made in between. They still sort a delivery's attempts oldest
-- first.
-- ---------------------------------------------------------------------------
SELECT is((SELECT count(*)::int FROM pg_class WHERE relkind = 'S' AND relnamespace = 'webhook'::regnamespace), 0,
          'schema webhook has no sequence');
SELECT (webhook.create_endpoint('http://127.0.0.1:9/a', workspace_id => '11111111-1111-1111-1111-111111111111')).id AS ea \gset
SELECT (webhook.create_endpoint('http://127.0.0.1:9/b', workspace_id => '22222222-2222-2222-2222-222222222222')).id AS eb \gset
SELECT webhook.publish('a.b', '{}', workspace_id => '11111111-1111-1111-1111-111111111111', endpoint_id => :'ea') AS da \gset
SELECT webhook.publish('a.b', '{}', workspace_id => '22222222-2222-2222-2222-222222222222', endpoint_id => :'eb') AS db \gset
-- Attempts of A's delivery and B's, interleaved (results with a stale
-- version: logged, the deliveries left as they are).
CREATE FUNCTION pg_temp.log_attempt(delivery uuid, workspace uuid, endpoint uuid, n int) RETURNS void LANGUAGE sql AS $$
    SELECT count(*) FROM webhook.record_attempts(
        ARRAY[delivery], ARRAY['2000-01-01'::timestamptz], ARRAY[workspace], ARRAY[endpoint], ARRAY[n],
        '{retrying}', ARRAY[now()], '{500}', '{"HTTP 500"}', '{""}', ARRAY[clock_timestamp()], '{1}') $$;
\o /dev/null
SELECT pg_temp.log_attempt(:'da', '11111111-1111-1111-1111-111111111111', :'ea', 1);
SELECT pg_temp.log_attempt(:'db', '22222222-2222-2222-2222-222222222222', :'eb', n) FROM generate_series(1, 5) AS n;
SELECT pg_temp.log_attempt(:'da', '11111111-1111-1111-1111-111111111111', :'ea', 2);
SELECT pg_temp.log_attempt(:'da', '11111111-1111-1111-1111-111111111111', :'ea', 3);
\o
SET ROLE webhook_user;
SET webhook.workspace_id = '11111111-1111-1111-1111-111111111111';
SELECT is(ARRAY(SELECT attempt_number FROM webhook.delivery_attempts(:'da')), '{1,2,3}',
          'a tenant''s attempts come oldest first, in the order of their ids');
RESET webhook.workspace_id;
RESET ROLE;

SELECT * FROM finish();
