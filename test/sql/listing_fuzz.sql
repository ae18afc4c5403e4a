-- A randomized differential check of webhook.list_deliveries and
-- webhook.deliveries_page against a reference listing written directly in
-- SQL (test/sql/fixtures/listing_fuzz_functions.sql): random data (NULLs in
-- every nullable column, ties, infinite and microsecond timestamps, unicode,
-- quotes, long text keys), random order_by (1-4 keys, six directions),
-- random filter trees and plain arguments; whole walks forward by after and
-- backward by before, envelopes in cursor and offset mode; and walks with
-- rows inserted between pages. Fixed seeds, so a run is repeatable. The
-- output is summary lines only; a failing case is printed after them.
\set ECHO none
\i test/sql/fixtures/listing_setup.sql
\i test/sql/fixtures/listing_fuzz_functions.sql
\set ECHO all

SELECT 'C.UTF-8 deliveries: ' || pg_temp.fuzz_data(0.25, 70);
SELECT 'C.UTF-8 listings checked: ' || pg_temp.fuzz_listing(0.5, 120);
SELECT 'C.UTF-8 walks while inserting: ' || pg_temp.fuzz_inserting_walks(0.75, 12);

-- As a webhook_user: row-level security narrows both the listing and the
-- reference to the workspace (the endpoint traversal too).
DROP ROLE IF EXISTS regress_listing_fuzz_tenant;
CREATE ROLE regress_listing_fuzz_tenant NOLOGIN IN ROLE webhook_user;
GRANT SELECT ON fuzz_field TO regress_listing_fuzz_tenant;
GRANT INSERT ON fuzz_failure TO regress_listing_fuzz_tenant;
SET ROLE regress_listing_fuzz_tenant;
SET webhook.workspace_id = 'a0000000-0000-0000-0000-00000000000a';
SELECT 'rows a tenant sees: ' || count(*) FROM webhook.delivery;
SELECT 'C.UTF-8 listings checked as a tenant: ' || pg_temp.fuzz_listing(0.875, 40);
RESET ROLE;
RESET webhook.workspace_id;
REVOKE ALL ON fuzz_field, fuzz_failure FROM regress_listing_fuzz_tenant;
DROP ROLE regress_listing_fuzz_tenant;
SELECT 'mismatches: ' || count(*) FROM fuzz_failure;
SELECT * FROM fuzz_failure ORDER BY case_no LIMIT 5;

-- The same in a database whose collation is ICU English, where text sorts
-- by language rules ('a' < 'B' < 'b' < 'é'), not by code point.
DROP DATABASE IF EXISTS regress_listing_fuzz_icu;
CREATE DATABASE regress_listing_fuzz_icu TEMPLATE template0 ENCODING 'UTF8'
    LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8';
\c regress_listing_fuzz_icu
\set ECHO none
\i test/sql/fixtures/listing_setup.sql
\i test/sql/fixtures/listing_fuzz_functions.sql
\set ECHO all
SELECT 'ICU en-US deliveries: ' || pg_temp.fuzz_data(0.125, 70);
SELECT 'ICU en-US listings checked: ' || pg_temp.fuzz_listing(0.0625, 80);
SELECT 'ICU en-US walks while inserting: ' || pg_temp.fuzz_inserting_walks(0.375, 8);
SELECT 'mismatches: ' || count(*) FROM fuzz_failure;
SELECT * FROM fuzz_failure ORDER BY case_no LIMIT 5;
\c contrib_regression
DROP DATABASE regress_listing_fuzz_icu;
