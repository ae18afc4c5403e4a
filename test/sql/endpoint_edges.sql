-- Endpoints at their edges: the checks of header names in a database whose
-- locale has its own case rules.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_webhook;
TRUNCATE webhook.endpoint, webhook.delivery, webhook.attempt;

\i test/sql/fixtures/error_of.sql
-- Header names are compared by ASCII rules, whatever the database's locale:
-- in Turkish, lower('I') is a dotless 'ı', and 'WEBHOOK-ID', 'CONNECTION'
-- or two spellings of 'X-ID' passed the checks of the lower-case names.
DROP DATABASE IF EXISTS regress_endpoint_edges_tr;
CREATE DATABASE regress_endpoint_edges_tr TEMPLATE template0 ENCODING 'UTF8'
    LOCALE_PROVIDER icu ICU_LOCALE 'tr-TR' LOCALE 'C.UTF-8';
\c regress_endpoint_edges_tr
SET client_min_messages = warning;
CREATE EXTENSION pg_webhook;
\i test/sql/fixtures/error_of.sql
SELECT 'the database lower-cases I as: ' || lower('I');
SELECT 'WEBHOOK-ID: ' || pg_temp.error_of($$SELECT webhook.check_endpoint_headers('{"WEBHOOK-ID": "x"}')$$);
SELECT 'WEBHOOK-SIGNATURE: ' || pg_temp.error_of($$SELECT webhook.check_endpoint_headers('{"WEBHOOK-SIGNATURE": "v1,x"}')$$);
SELECT 'CONNECTION: ' || pg_temp.error_of($$SELECT webhook.check_endpoint_headers('{"CONNECTION": "close"}')$$);
SELECT 'CONTENT-ENCODING: ' || pg_temp.error_of($$SELECT webhook.check_endpoint_headers('{"CONTENT-ENCODING": "gzip"}')$$);
SELECT 'X-ID and x-id: ' || pg_temp.error_of($$SELECT webhook.check_endpoint_headers('{"X-ID": "a", "x-id": "b"}')$$);
SELECT 'X-ID alone: ' || pg_temp.error_of($$SELECT webhook.check_endpoint_headers('{"X-ID": "a"}')$$);
SELECT 'create_endpoint with WEBHOOK-ID: ' || pg_temp.error_of($$SELECT webhook.create_endpoint('https://tr.example/', headers => '{"WEBHOOK-ID": "x"}')$$);
\c contrib_regression
DROP DATABASE regress_endpoint_edges_tr;
