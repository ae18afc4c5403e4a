-- The roles are cluster-wide: the extension installs again after DROP
-- EXTENSION, and into a second database of the same cluster.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\set test_database :DBNAME
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_webhook;
DROP EXTENSION pg_webhook;
SELECT count(*) AS webhook_schemas_left FROM pg_namespace WHERE nspname = 'webhook';
CREATE EXTENSION pg_webhook;
SELECT count(*) AS endpoints_after_reinstall FROM webhook.list_endpoints();
SELECT rolname FROM pg_roles WHERE rolname IN ('webhook_admin', 'webhook_user') ORDER BY 1;

DROP DATABASE IF EXISTS regress_pgw_second;
CREATE DATABASE regress_pgw_second;
\c regress_pgw_second
SET client_min_messages = warning;
CREATE EXTENSION pg_webhook;
SELECT (webhook.create_endpoint('https://second.example/')).url;
SELECT count(*) AS deliveries FROM webhook.publish('second.db', '{}');
\c :test_database
DROP DATABASE regress_pgw_second;
SELECT count(*) AS extension_still_here FROM pg_extension WHERE extname = 'pg_webhook';
