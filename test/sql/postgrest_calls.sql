-- The API as PostgREST calls it. Each statement below has the shape PostgREST
-- (v12/v13) generates for /rpc/<function>:
--  * every request is one transaction (search_path: the exposed schema, then
--    db-extra-search-path, public by default); GET (and POST to a STABLE function)
--    runs READ ONLY; first a
--    select set_config('search_path', ..., true), set_config('role', <JWT role>, true),
--           set_config('request.jwt.claims', <JWT claims>, true), ...
--  * GET /rpc/f?a=v: only the arguments given, by name, each sent as text and
--    cast to the parameter's type: f("a" := $1::<type>) in
--    WITH pgrst_source AS (SELECT pgrst_call.* FROM f(...) pgrst_call) SELECT ...
--    with the query string's own filters, order and limit applied to pgrst_source;
--    a function whose required arguments are not all given is not called at all
--    (404): a query string has no way to say NULL.
--  * POST /rpc/f with a JSON object: json_to_record($1) AS _("a" <type>, ...)
--    for the keys given, then f("a" := pgrst_body."a", ...) in a LATERAL.
-- Literals stand for the parameters: an untyped literal cast to a type is
-- read by the type's input function, as PostgREST's untyped parameter is.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_webhook;
TRUNCATE webhook.endpoint, webhook.delivery, webhook.attempt;

\i test/sql/fixtures/error_of.sql
GRANT EXECUTE ON FUNCTION pg_temp.error_of(text) TO PUBLIC;

\set wa 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa'
\set wb 'bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb'
-- The set_config statement PostgREST runs first in each request's transaction.
CREATE FUNCTION pg_temp.pgrst_request(role text, workspace text, method text, path text) RETURNS void
LANGUAGE sql AS $$
    SELECT set_config('search_path', '"webhook", "public"', true),
           set_config('role', role, true),
           set_config('request.jwt.claims',
                      json_build_object('role', role, 'workspace_id', workspace)::text, true),
           set_config('request.method', method, true),
           set_config('request.path', path, true),
           set_config('request.headers', '{}', true),
           set_config('request.cookies', '{}', true)
$$;

SELECT (webhook.create_endpoint('https://a.example/hook', workspace_id => :'wa',
                                headers => '{"authorization": "Bearer a"}')).id AS ea \gset
SELECT (webhook.create_endpoint('https://b.example/hook', workspace_id => :'wb')).id AS eb \gset
-- Disabled, so that the worker leaves their deliveries pending.
SELECT (webhook.disable_endpoint(:'ea')).enabled, (webhook.disable_endpoint(:'eb')).enabled;
SELECT count(*) FROM webhook.publish('order.created', '{"n": 1}', :'wa', 'evt_a1', :'ea');
SELECT count(*) FROM webhook.publish('order.paid', '{"n": 2}', :'wa', 'evt_a2', :'ea');
SELECT count(*) FROM webhook.publish('order.created', '{"n": 3}', :'wb', 'evt_b1', :'eb');
SELECT id AS da1 FROM webhook.delivery WHERE event_id = 'evt_a1' \gset
SELECT id AS da2 FROM webhook.delivery WHERE event_id = 'evt_a2' \gset
SELECT id AS db1 FROM webhook.delivery WHERE event_id = 'evt_b1' \gset

SELECT plan(36);

-- GET /rpc/count_deliveries?status=pending: the only arguments a query string
-- can give are the conditions it wants; every other one must default.
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
SELECT pg_temp.pgrst_request('webhook_user', :'wa', 'GET', '/rpc/count_deliveries') \gset
SELECT is((WITH pgrst_source AS (
               SELECT pgrst_call.pgrst_scalar
               FROM (SELECT "webhook"."count_deliveries"("status" := 'pending'::webhook.delivery_status) pgrst_scalar) pgrst_call)
           SELECT coalesce((json_agg(_postgrest_t.pgrst_scalar) -> 0)::text, 'null')
           FROM (SELECT "pgrst_source".* FROM "pgrst_source") _postgrest_t),
          '2', 'GET /rpc/count_deliveries?status=pending counts the JWT workspace''s pending deliveries');
SELECT is((WITH pgrst_source AS (
               SELECT pgrst_call.pgrst_scalar
               FROM (SELECT "webhook"."count_deliveries"() pgrst_scalar) pgrst_call)
           SELECT coalesce((json_agg(_postgrest_t.pgrst_scalar) -> 0)::text, 'null')
           FROM (SELECT "pgrst_source".* FROM "pgrst_source") _postgrest_t),
          '2', 'GET /rpc/count_deliveries without arguments counts every visible delivery');
SELECT is((WITH pgrst_source AS (
               SELECT pgrst_call.pgrst_scalar
               FROM (SELECT "webhook"."count_deliveries"("estimated" := 'true'::boolean,
                        "filter" := '{"event_type": {"eq": "order.paid"}}'::jsonb) pgrst_scalar) pgrst_call)
           SELECT json_typeof(json_agg(_postgrest_t.pgrst_scalar) -> 0)
           FROM (SELECT "pgrst_source".* FROM "pgrst_source") _postgrest_t),
          'number', 'GET /rpc/count_deliveries?estimated=true&filter=... gives the planner''s estimate');
COMMIT;

-- POST /rpc/count_deliveries {"event_type": "order.paid"}: STABLE, so read only too.
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
SELECT pg_temp.pgrst_request('webhook_user', :'wa', 'POST', '/rpc/count_deliveries') \gset
SELECT is((WITH pgrst_source AS (
               SELECT pgrst_call.pgrst_scalar
               FROM (SELECT '{"event_type": "order.paid"}'::json AS json_data) pgrst_payload,
                    LATERAL (SELECT "event_type" FROM json_to_record(pgrst_payload.json_data) AS _("event_type" text) LIMIT 1) pgrst_body,
                    LATERAL (SELECT "webhook"."count_deliveries"("event_type" := pgrst_body."event_type") pgrst_scalar) pgrst_call)
           SELECT coalesce((json_agg(_postgrest_t.pgrst_scalar) -> 0)::text, 'null')
           FROM (SELECT "pgrst_source".* FROM "pgrst_source") _postgrest_t),
          '1', 'POST /rpc/count_deliveries with one condition');
COMMIT;


-- GET /rpc/list_deliveries?status=pending&ids={a1,b1}&filter=...&created_after=...
--     &select=event_id,status&order=event_id.asc : the array, the enum, the
-- jsonb and the timestamp each arrive as text; the JWT's workspace applies
-- (b1 is another workspace's, so ids only narrows).
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
SELECT pg_temp.pgrst_request('webhook_user', :'wa', 'GET', '/rpc/list_deliveries') \gset
SELECT is((WITH pgrst_source AS (
               SELECT pgrst_call.* FROM "webhook"."list_deliveries"(
                   "status" := 'pending'::webhook.delivery_status,
                   "ids" := ('{' || :'da1' || ',' || :'db1' || '}')::uuid[],
                   "filter" := '{"or": [{"event_type": {"eq": "order.created"}}, {"http_status": {"gte": 500}}]}'::jsonb,
                   "created_after" := '2000-01-01T00:00:00Z'::timestamp with time zone) pgrst_call)
           SELECT coalesce(json_agg(_postgrest_t), '[]')::text
           FROM (SELECT "pgrst_source"."event_id", "pgrst_source"."status" FROM "pgrst_source"
                 ORDER BY "pgrst_source"."event_id" ASC) _postgrest_t),
          '[{"event_id":"evt_a1","status":"pending"}]',
          'GET /rpc/list_deliveries with array, enum, jsonb and timestamp arguments from a query string');
-- &limit=1 on top of the function: the one row returned carries its cursor,
-- and GET ...?after=<cursor> continues after it (the rest of the page is not lost).
SELECT (WITH pgrst_source AS (SELECT pgrst_call.* FROM "webhook"."list_deliveries"() pgrst_call)
        SELECT json_agg(_postgrest_t) -> 0 ->> 'cursor'
        FROM (SELECT "pgrst_source".* FROM "pgrst_source" LIMIT 1 OFFSET 0) _postgrest_t) AS first_cursor \gset
SELECT is((WITH pgrst_source AS (
               SELECT pgrst_call.* FROM "webhook"."list_deliveries"("after" := :'first_cursor'::text) pgrst_call)
           SELECT json_agg(_postgrest_t)::text
           FROM (SELECT "pgrst_source"."event_id" FROM "pgrst_source") _postgrest_t),
          '[{"event_id":"evt_a1"}]', 'a PostgREST limit on top of a page, then ?after=<cursor of its last row>, walks on');
-- Prefer: count=exact counts the rows the function returned: the page.
SELECT is((WITH pgrst_source AS (
               SELECT pgrst_call.* FROM "webhook"."list_deliveries"("page_size" := '1'::integer) pgrst_call),
           pgrst_source_count AS (SELECT 1 FROM "pgrst_source")
           SELECT (SELECT pg_catalog.count(*) FROM pgrst_source_count)
           FROM (SELECT "pgrst_source".* FROM "pgrst_source") _postgrest_t),
          1::bigint, 'Prefer: count=exact on list_deliveries counts the page (deliveries_page gives the total)');
-- GET /rpc/deliveries_page?page=1&page_size=1
SELECT is((WITH pgrst_source AS (
               SELECT pgrst_call.pgrst_scalar FROM (SELECT "webhook"."deliveries_page"(
                   "page" := '1'::integer, "page_size" := '1'::integer) pgrst_scalar) pgrst_call)
           SELECT (json_agg(_postgrest_t.pgrst_scalar) -> 0 -> 'pagination')::text
           FROM (SELECT "pgrst_source".* FROM "pgrst_source") _postgrest_t)::jsonb,
          '{"page": 1, "page_size": 1, "total_count": 2, "total_pages": 2, "has_next": true, "has_previous": false}',
          'GET /rpc/deliveries_page?page=1&page_size=1');
-- GET /rpc/get_endpoint?id=..., /rpc/endpoint_headers, /rpc/endpoint_secret,
-- /rpc/delivery_attempts, /rpc/worker_status: all work read only.
SELECT is((WITH pgrst_source AS (SELECT pgrst_call.* FROM "webhook"."get_endpoint"("id" := :'ea'::uuid) pgrst_call)
           SELECT (json_agg(_postgrest_t) -> 0)::jsonb - 'id' - 'created_at' - 'updated_at'
           FROM (SELECT "pgrst_source".* FROM "pgrst_source") _postgrest_t),
          jsonb_build_object('url', 'https://a.example/hook', 'secret', NULL, 'enabled', false,
                             'headers', '{"authorization": "[redacted]"}'::jsonb, 'description', NULL,
                             'event_types', NULL, 'timeout_ms', NULL, 'max_attempts', NULL,
                             'workspace_id', :'wa', 'disabled_reason', NULL,
                             'previous_secret', NULL, 'previous_secret_expires_at', NULL),
          'GET /rpc/get_endpoint: a JSON object without secret and with redacted headers');
SELECT is((SELECT "webhook"."endpoint_headers"("id" := :'ea'::uuid)), '{"authorization": "Bearer a"}',
          'GET /rpc/endpoint_headers works read only');
SELECT matches((SELECT "webhook"."endpoint_secret"("id" := :'ea'::uuid)), '^whsec_',
               'GET /rpc/endpoint_secret works read only');
SELECT is((WITH pgrst_source AS (SELECT pgrst_call.* FROM "webhook"."delivery_attempts"("delivery_id" := :'da1'::uuid) pgrst_call)
           SELECT coalesce(json_agg(_postgrest_t), '[]')::text FROM (SELECT "pgrst_source".* FROM "pgrst_source") _postgrest_t),
          '[]', 'GET /rpc/delivery_attempts works read only');
SELECT is((WITH pgrst_source AS (SELECT pgrst_call.* FROM "webhook"."worker_status"() pgrst_call)
           SELECT count(*) FROM (SELECT "pgrst_source".* FROM "pgrst_source") _postgrest_t),
          1::bigint, 'GET /rpc/worker_status works read only');
COMMIT;

-- Errors a query string can cause, with the SQLSTATE PostgREST turns into 400,
-- and the one that becomes 404-like P0002.
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
SELECT pg_temp.pgrst_request('webhook_user', :'wa', 'GET', '/rpc/list_deliveries') \gset
SELECT is(pg_temp.error_of($$SELECT * FROM "webhook"."list_deliveries"("status" := 'lost'::webhook.delivery_status)$$),
          '22P02 without hint', '?status=lost: 22P02');
SELECT is(pg_temp.error_of($$SELECT * FROM "webhook"."list_deliveries"("created_after" := '2024-05-01T00:00:00 02:00'::timestamp with time zone)$$),
          '22007 without hint', '?created_after= with an unencoded + (read as a space): 22007');
SELECT is(pg_temp.error_of($$SELECT * FROM "webhook"."list_deliveries"("page_size" := '0'::integer)$$),
          '22023 with hint', '?page_size=0: 22023');
SELECT is(pg_temp.error_of($$SELECT * FROM "webhook"."list_deliveries"("filter" := '{"colour": {"eq": 1}}'::jsonb)$$),
          '22023 with hint', '?filter= naming an unknown field: 22023');
SELECT is(pg_temp.error_of(format($$SELECT * FROM "webhook"."get_delivery"("id" := %L::uuid)$$, :'db1')),
          'P0002 with hint', 'GET /rpc/get_delivery of another workspace''s delivery: P0002');
-- PostgREST answers 405 with the error's message and hint: they name the
-- call and say to POST it (Postgres's own would speak of a SELECT FOR SHARE).
SELECT is(pg_temp.error_of(format($$SELECT * FROM "webhook"."retry_delivery"("id" := %L::uuid)$$, :'da1')),
          '25006 with hint', 'GET of a VOLATILE function is refused by the read-only transaction (PostgREST: 405), with a hint');
SELECT is(pg_temp.error_of(format($$SELECT * FROM "webhook"."cancel_delivery"("id" := %L::uuid)$$, :'da1')),
          '25006 with hint', 'GET /rpc/cancel_delivery: 25006 with a hint');
SELECT is(pg_temp.error_of(format($$SELECT "webhook"."retry_deliveries"("ids" := ARRAY[%L]::uuid[])$$, :'da1')),
          '25006 with hint', 'GET /rpc/retry_deliveries: 25006 with a hint');
COMMIT;

-- POST /rpc/<function> with a JSON object, as webhook_user of workspace B.
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
SELECT pg_temp.pgrst_request('webhook_user', :'wb', 'POST', '/rpc/create_endpoint') \gset
SELECT is((WITH pgrst_source AS (
               SELECT pgrst_call.*
               FROM (SELECT '{"url": "https://b2.example/hook", "event_types": ["order.created"], "headers": {"x-key": "k"}, "max_attempts": 3}'::json AS json_data) pgrst_payload,
                    LATERAL (SELECT "url", "event_types", "headers", "max_attempts"
                             FROM json_to_record(pgrst_payload.json_data) AS _("url" text, "event_types" text[], "headers" jsonb, "max_attempts" integer) LIMIT 1) pgrst_body,
                    LATERAL "webhook"."create_endpoint"("url" := pgrst_body."url", "event_types" := pgrst_body."event_types",
                                                        "headers" := pgrst_body."headers", "max_attempts" := pgrst_body."max_attempts") pgrst_call)
           SELECT jsonb_build_array(j ->> 'workspace_id', j -> 'event_types', j -> 'headers', j -> 'max_attempts')
           FROM (SELECT json_agg(_postgrest_t)::jsonb -> 0 AS j FROM (SELECT "pgrst_source".* FROM "pgrst_source") _postgrest_t) r),
          jsonb_build_array(:'wb', '["order.created"]'::jsonb, '{"x-key": "[redacted]"}'::jsonb, 3),
          'POST /rpc/create_endpoint with JSON array and object values, in the JWT''s workspace');
SELECT is((WITH pgrst_source AS (
               SELECT pgrst_call.pgrst_scalar
               FROM (SELECT json_build_object('event_type', 'order.created', 'payload', json_build_object('n', 4),
                                              'event_id', 'evt_b2', 'endpoint_id', :'eb') AS json_data) pgrst_payload,
                    LATERAL (SELECT "event_type", "payload", "event_id", "endpoint_id"
                             FROM json_to_record(pgrst_payload.json_data) AS _("event_type" text, "payload" jsonb, "event_id" text, "endpoint_id" uuid) LIMIT 1) pgrst_body,
                    LATERAL (SELECT "webhook"."publish"("event_type" := pgrst_body."event_type", "payload" := pgrst_body."payload",
                                                        "event_id" := pgrst_body."event_id", "endpoint_id" := pgrst_body."endpoint_id") pgrst_scalar) pgrst_call)
           SELECT json_array_length(json_agg(_postgrest_t.pgrst_scalar))
           FROM (SELECT "pgrst_source".* FROM "pgrst_source") _postgrest_t),
          1, 'POST /rpc/publish with a JSON payload gives a JSON array of delivery ids');
SELECT is((SELECT payload FROM webhook.delivery WHERE event_id = 'evt_b2'), '{"n": 4}', '... and the payload arrives as the object sent');
SELECT is((WITH pgrst_source AS (
               SELECT pgrst_call.pgrst_scalar
               FROM (SELECT json_build_object('ids', json_build_array(:'db1', :'da1')) AS json_data) pgrst_payload,
                    LATERAL (SELECT "ids" FROM json_to_record(pgrst_payload.json_data) AS _("ids" uuid[]) LIMIT 1) pgrst_body,
                    LATERAL (SELECT "webhook"."retry_deliveries"("ids" := pgrst_body."ids") pgrst_scalar) pgrst_call)
           SELECT (json_agg(_postgrest_t.pgrst_scalar) -> 0)::text
           FROM (SELECT "pgrst_source".* FROM "pgrst_source") _postgrest_t),
          '1', 'POST /rpc/retry_deliveries {"ids": [...]} retries only the JWT workspace''s delivery');
SELECT is((WITH pgrst_source AS (
               SELECT pgrst_call.*
               FROM (SELECT json_build_object('id', :'eb', 'description', 'b', 'reset', json_build_array('max_attempts')) AS json_data) pgrst_payload,
                    LATERAL (SELECT "id", "description", "reset" FROM json_to_record(pgrst_payload.json_data) AS _("id" uuid, "description" text, "reset" text[]) LIMIT 1) pgrst_body,
                    LATERAL "webhook"."update_endpoint"("id" := pgrst_body."id", "description" := pgrst_body."description", "reset" := pgrst_body."reset") pgrst_call)
           SELECT (json_agg(_postgrest_t) -> 0 ->> 'description')
           FROM (SELECT "pgrst_source".* FROM "pgrst_source") _postgrest_t),
          'b', 'POST /rpc/update_endpoint with reset as a JSON array');
SELECT is((WITH pgrst_source AS (
               SELECT pgrst_call.*
               FROM (SELECT json_build_object('id', :'eb', 'grace', '1 hour') AS json_data) pgrst_payload,
                    LATERAL (SELECT "id", "grace" FROM json_to_record(pgrst_payload.json_data) AS _("id" uuid, "grace" interval) LIMIT 1) pgrst_body,
                    LATERAL "webhook"."rotate_endpoint_secret"("id" := pgrst_body."id", "grace" := pgrst_body."grace") pgrst_call)
           SELECT (json_agg(_postgrest_t) -> 0 ->> 'previous_secret_expires_at') IS NOT NULL
           FROM (SELECT "pgrst_source".* FROM "pgrst_source") _postgrest_t),
          true, 'POST /rpc/rotate_endpoint_secret with grace as text');
SELECT is(pg_temp.error_of(format($$SELECT * FROM "webhook"."cancel_delivery"("id" := %L::uuid)$$, :'da1')),
          'P0002 with hint', 'POST /rpc/cancel_delivery of another workspace''s delivery: P0002');
COMMIT;

-- A JWT without a workspace_id claim: nothing visible, nothing written.
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
SELECT pg_temp.pgrst_request('webhook_user', NULL, 'POST', '/rpc/create_endpoint') \gset
SELECT is((SELECT "webhook"."count_deliveries"()), 0::bigint, 'a JWT without workspace_id sees nothing');
SELECT is(pg_temp.error_of($$SELECT * FROM "webhook"."create_endpoint"("url" := 'https://c.example/')$$),
          '42501 with hint', '... and creates nothing (PostgREST: 403), with an error that says what to do');
COMMIT;
-- A session-level webhook.workspace_id left on the connection (an
-- application's SET on a connection a pooler later hands to PostgREST) does
-- not replace the workspace of the request's JWT.
SET webhook.workspace_id = :'wb';
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
SELECT pg_temp.pgrst_request('webhook_user', :'wa', 'GET', '/rpc/list_deliveries') \gset
SELECT is((SELECT array_agg(DISTINCT workspace_id::text) FROM "webhook"."list_deliveries"()), ARRAY[:'wa'],
          'the JWT''s workspace applies over a session''s webhook.workspace_id');
COMMIT;
RESET webhook.workspace_id;

-- An empty workspace_id claim means none, as an empty webhook.workspace_id does.
BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY;
SELECT pg_temp.pgrst_request('webhook_user', '', 'GET', '/rpc/list_deliveries') \gset
SELECT is(pg_temp.error_of($$SELECT * FROM "webhook"."list_deliveries"()$$), 'no error',
          'a JWT whose workspace_id is empty is not an error');
SELECT is((SELECT count(*) FROM "webhook"."list_deliveries"()), 0::bigint, '... and sees nothing');
COMMIT;

-- A "not found" tells a PostgREST caller where its workspace comes from: the
-- JWT's workspace_id claim (it cannot SET webhook.workspace_id).
CREATE FUNCTION pg_temp.hint_of(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE hint text;
BEGIN
    EXECUTE sql;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS hint = PG_EXCEPTION_HINT;
    RETURN hint;
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.hint_of(text) TO PUBLIC;
BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE;
SELECT pg_temp.pgrst_request('webhook_user', :'wa', 'POST', '/rpc/get_delivery') \gset
SELECT is(count(*), 0::bigint, 'every not-found hint names the JWT claim: ' || coalesce(string_agg(call || ': ' || hint, '; '), ''))
FROM (SELECT call, pg_temp.hint_of(format('SELECT webhook.%s', call)) AS hint
      FROM unnest(ARRAY[format('get_delivery(%L)', :'db1'), format('retry_delivery(%L)', :'db1'),
                        format('cancel_delivery(%L)', :'db1'), format('get_endpoint(%L)', :'eb'),
                        format('endpoint_headers(%L)', :'eb'), format('endpoint_secret(%L)', :'eb'),
                        format('update_endpoint(%L)', :'eb'), format('delete_endpoint(%L)', :'eb'),
                        format('publish(%L, %L, endpoint_id => %L)', 'order.created', '{}', :'eb')]) AS call) c
WHERE hint NOT LIKE '%workspace_id claim%';
COMMIT;

-- Every function PostgREST can reach is callable by name: no two functions
-- of the schema share a name (PostgREST picks an overload by argument names
-- alone), and every argument of a granted function has a name.
SELECT is((SELECT count(*)::int FROM (SELECT proname FROM pg_proc WHERE pronamespace = 'webhook'::regnamespace
                                      GROUP BY proname HAVING count(*) > 1) o),
          0, 'no overloaded function in schema webhook');
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY 1)
           FROM pg_proc p
           WHERE p.pronamespace = 'webhook'::regnamespace AND p.pronargs > 0
             AND has_function_privilege('webhook_user', p.oid, 'EXECUTE')
             AND (p.proargnames IS NULL OR '' = ANY (p.proargnames[1:p.pronargs]))),
          NULL::text[],
          'every argument of a granted function has a name');

SELECT * FROM finish();
