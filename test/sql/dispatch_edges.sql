-- Edges of the dispatch API (retry, cancel, status) and of the privileges
-- around it, as a tenant (webhook_user) could meet them. No worker serves
-- this database, so nothing moves by itself.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_webhook;

\i test/sql/fixtures/error_of.sql

SELECT plan(2);

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

SELECT * FROM finish();
