-- Endpoints at their edges: headers written back as the API shows them,
-- header names that are not names, the writes in a read-only transaction (a
-- PostgREST GET), and the checks of header names in a database whose locale
-- has its own case rules.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_webhook;
TRUNCATE webhook.endpoint, webhook.delivery, webhook.attempt;

\i test/sql/fixtures/error_of.sql
-- The SQLSTATE and message of the error `sql` raises, and whether a hint came.
CREATE FUNCTION pg_temp.refusal_of(sql text) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(e.state || ' ' || e.message || CASE WHEN e.hint <> '' THEN ' (with hint)' ELSE ' (without hint)' END,
                    'no error')
    FROM pg_temp.error_fields(sql) AS e $$;
-- The detail of the error `sql` raises.
CREATE FUNCTION pg_temp.detail_of(sql text) RETURNS text LANGUAGE sql AS $$
    SELECT CASE WHEN e.state IS NULL THEN 'no error' ELSE e.detail END FROM pg_temp.error_fields(sql) AS e $$;

SELECT plan(21);

SELECT (webhook.create_endpoint('https://ro.example/')).id AS e \gset

-- The API shows each header's value as "[redacted]". A client that changes
-- one header by writing back the object it read (a form loaded, edited and
-- saved) replaced every credential with the placeholder.
SELECT (webhook.create_endpoint('https://rt.example/', headers => '{"authorization": "Bearer a", "x-team": "blue"}')).id AS rt \gset
SELECT is(pg_temp.error_of(format($$SELECT webhook.update_endpoint(%L, headers => (webhook.get_endpoint(%L)).headers || '{"x-team": "red"}')$$, :'rt', :'rt')),
          '22023 with hint', 'headers written back with their redacted values: 22023');
SELECT is(pg_temp.error_of(format($$UPDATE webhook.endpoint SET headers = (SELECT l.headers FROM webhook.list_endpoints() l WHERE l.id = %L) WHERE id = %L$$, :'rt', :'rt')),
          '22023 with hint', '... also written to the table (PostgREST: PATCH /endpoint)');
SELECT is(webhook.endpoint_headers(:'rt'), '{"authorization": "Bearer a", "x-team": "blue"}', '... and the credential is kept');

-- The API shows the secret as NULL. A row read from it and written back
-- whole (PostgREST: PATCH /endpoint with the record a client loaded) keeps
-- the secret: it was rotated to a generated one no one knew.
SELECT (webhook.create_endpoint('https://rs.example/')).id AS rs \gset
SELECT webhook.endpoint_secret(:'rs') AS rs_secret \gset
UPDATE webhook.endpoint t
   SET (url, description, secret, enabled, previous_secret, previous_secret_expires_at)
     = (SELECT r.url, 'edited', r.secret, r.enabled, r.previous_secret, r.previous_secret_expires_at
          FROM webhook.get_endpoint(:'rs') r)
 WHERE t.id = :'rs';
SELECT is(webhook.endpoint_secret(:'rs'), :'rs_secret', 'an endpoint row written back as the API shows it keeps its secret');
SELECT is((SELECT row(description, previous_secret IS NULL, previous_secret_expires_at IS NULL)::text FROM webhook.endpoint WHERE id = :'rs'),
          '(edited,t,t)', '... is not rotated, and takes the change it carried');
SELECT (webhook.rotate_endpoint_secret(:'rs')).id IS NOT NULL AS rotated \gset
SELECT isnt(webhook.endpoint_secret(:'rs'), :'rs_secret', 'rotate_endpoint_secret still replaces it');
-- Written back during the rotation's grace, the row (previous_secret NULL
-- too) keeps the previous secret: the grace ended at once, and receivers not
-- yet given the new secret failed every signature.
UPDATE webhook.endpoint t
   SET (description, secret, previous_secret, previous_secret_expires_at)
     = (SELECT 'edited again', r.secret, r.previous_secret, r.previous_secret_expires_at
          FROM webhook.get_endpoint(:'rs') r)
 WHERE t.id = :'rs';
SELECT is((SELECT row(description, previous_secret = :'rs_secret', previous_secret_expires_at > now() + interval '23 hours')::text
             FROM webhook.endpoint WHERE id = :'rs'),
          '("edited again",t,t)', 'written back during a grace, the previous secret and its grace are kept');
UPDATE webhook.endpoint SET previous_secret = NULL, previous_secret_expires_at = now() WHERE id = :'rs';
SELECT is((SELECT previous_secret FROM webhook.endpoint WHERE id = :'rs'), NULL,
          'cleared together with the end of its grace, the previous secret is gone');

-- A header name that is not one is often a whole header line, value and
-- all: the error says where the name goes wrong, and does not repeat it
-- (the message reaches the server log).
SELECT is(pg_temp.refusal_of($$SELECT webhook.create_endpoint('https://n.example/', headers => '{"authorization: Bearer sk_live_abc123": ""}')$$),
          '22023 invalid endpoint header name (with hint)', 'a header line given as a name: 22023, the name not repeated');
SELECT is(pg_temp.detail_of($$SELECT webhook.create_endpoint('https://n.example/', headers => '{"authorization: Bearer sk_live_abc123": ""}')$$),
          'A header name has U+003A at position 14, which is not a token character; a name is 1 to 128 of them (RFC 9110).',
          '... the detail names the character and its place');
SELECT is(pg_temp.detail_of($$SELECT webhook.create_endpoint('https://n.example/', headers => jsonb_build_object(repeat('k', 129), 'v'))$$),
          'A header name has 129 characters; a name is 1 to 128 token characters (RFC 9110).', 'a name too long: the detail gives its length');
SELECT is(pg_temp.detail_of($$SELECT webhook.create_endpoint('https://n.example/', headers => '{"": "v"}')$$),
          'A header name is empty; a name is 1 to 128 token characters (RFC 9110).', 'an empty name: the detail says so');
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('https://n.example/', headers => jsonb_build_object(repeat('k', 128), 'v'))$$),
          'no error', 'a name of 128 token characters is taken');
SELECT is((SELECT count(*)::int FROM webhook.endpoint WHERE url = 'https://n.example/'), 1, '... and only it');

-- Every endpoint write in a read-only transaction (PostgREST runs a GET so)
-- says which call cannot run there and what to do. Postgres's own refusal
-- had no hint, and for a rotation blamed a SELECT FOR NO KEY UPDATE.
BEGIN READ ONLY;
SELECT is(pg_temp.refusal_of($$SELECT webhook.create_endpoint('https://ro2.example/')$$),
          '25006 cannot create an endpoint in a read-only transaction (with hint)', 'create_endpoint, read only: 25006 with a hint');
SELECT is(pg_temp.refusal_of(format($$SELECT webhook.update_endpoint(%L, description => 'x')$$, :'e')),
          '25006 cannot update an endpoint in a read-only transaction (with hint)', 'update_endpoint, read only: 25006 with a hint');
SELECT is(pg_temp.refusal_of(format($$SELECT webhook.disable_endpoint(%L)$$, :'e')),
          '25006 cannot disable an endpoint in a read-only transaction (with hint)', 'disable_endpoint, read only: 25006 with a hint');
SELECT is(pg_temp.refusal_of(format($$SELECT webhook.enable_endpoint(%L)$$, :'e')),
          '25006 cannot enable an endpoint in a read-only transaction (with hint)', 'enable_endpoint, read only: 25006 with a hint');
SELECT is(pg_temp.refusal_of(format($$SELECT webhook.rotate_endpoint_secret(%L)$$, :'e')),
          '25006 cannot rotate an endpoint''s secret in a read-only transaction (with hint)', 'rotate_endpoint_secret, read only: 25006 with a hint, not a SELECT FOR NO KEY UPDATE');
SELECT is(pg_temp.refusal_of(format($$SELECT webhook.delete_endpoint(%L)$$, :'e')),
          '25006 cannot delete an endpoint in a read-only transaction (with hint)', 'delete_endpoint, read only: 25006 with a hint');
ROLLBACK;
SELECT is((SELECT row(enabled, description, updated_at = created_at)::text FROM webhook.endpoint WHERE id = :'e'), '(t,,t)',
          'the endpoint is as it was created');

SELECT * FROM finish();

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
