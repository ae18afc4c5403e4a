-- The data model, roles and privileges that CREATE EXTENSION sets up.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_webhook;

SELECT plan(26);

SELECT is(enum_range(NULL::webhook.delivery_status)::text,
          '{pending,retrying,rate_limited,delivered,dead_letter,cancelled}',
          'delivery_status has exactly the six labels, in order');

SELECT columns_are('webhook', 'endpoint', ARRAY[
    'id', 'workspace_id', 'url', 'description', 'event_types', 'secret', 'enabled',
    'disabled_reason', 'max_attempts', 'timeout_ms', 'headers', 'created_at', 'updated_at',
    'previous_secret', 'previous_secret_expires_at'], 'endpoint has the documented columns');
SELECT columns_are('webhook', 'delivery', ARRAY[
    'id', 'workspace_id', 'endpoint_id', 'event_id', 'event_type', 'payload', 'payload_hash',
    'status', 'attempt_count', 'max_attempts', 'next_attempt_at', 'last_attempted_at',
    'last_error', 'http_status', 'response_body', 'delivered_at', 'created_at', 'updated_at'],
    'delivery has the documented columns');
SELECT col_type_is('webhook', 'delivery', 'status', 'webhook.delivery_status', 'status is the enum');
SELECT col_type_is('webhook', 'delivery', 'payload', 'jsonb', 'payload is jsonb');
SELECT col_type_is('webhook', 'endpoint', 'event_types', 'text[]', 'event_types is text[]');
SELECT has_table('webhook', 'attempt', 'the attempt log exists');
SELECT fk_ok('webhook', 'attempt', 'delivery_id', 'webhook', 'delivery', 'id');

-- Row-level security is enabled and forced on every table.
SELECT is((SELECT count(*)::int FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'webhook' AND c.relkind = 'r'
              AND c.relrowsecurity AND c.relforcerowsecurity), 4,
          'endpoint, delivery, attempt and cursor_signing_key have RLS enabled and forced');
SELECT is((SELECT count(*)::int FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'webhook' AND c.relkind = 'r'
              AND NOT (c.relrowsecurity AND c.relforcerowsecurity)), 0,
          'no table of the extension lacks forced RLS');

-- Roles.
SELECT ok(NOT rolcanlogin, 'webhook_admin is NOLOGIN') FROM pg_roles WHERE rolname = 'webhook_admin';
SELECT ok(NOT rolcanlogin, 'webhook_user is NOLOGIN') FROM pg_roles WHERE rolname = 'webhook_user';

-- Nothing is granted to PUBLIC: functions, tables, schema, enum.
SELECT is((SELECT count(*)::int FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'webhook'
              AND has_function_privilege('public', p.oid, 'EXECUTE')), 0,
          'no function is executable by PUBLIC');
SELECT is((SELECT count(*)::int FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             CROSS JOIN LATERAL aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
            WHERE n.nspname = 'webhook' AND a.grantee = 0), 0,
          'no table, view or sequence grants anything to PUBLIC');
SELECT ok(NOT has_schema_privilege('public', 'webhook', 'USAGE'), 'PUBLIC has no usage of schema webhook');
SELECT ok(NOT has_type_privilege('public', 'webhook.delivery_status', 'USAGE'), 'PUBLIC cannot use the enum');

-- SECURITY DEFINER only with a fixed search_path.
SELECT is((SELECT count(*)::int FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'webhook' AND p.prosecdef
              AND NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false)), 0,
          'every SECURITY DEFINER function has search_path = pg_catalog, pg_temp');

-- The secret columns are not readable by the roles.
SELECT ok(NOT has_column_privilege('webhook_user', 'webhook.endpoint', 'secret', 'SELECT'),
          'webhook_user cannot select endpoint.secret');
SELECT ok(NOT has_column_privilege('webhook_admin', 'webhook.endpoint', 'secret', 'SELECT'),
          'webhook_admin cannot select endpoint.secret');
SELECT ok(NOT has_column_privilege('webhook_user', 'webhook.endpoint', 'previous_secret', 'SELECT'),
          'webhook_user cannot select endpoint.previous_secret');
SELECT ok(has_column_privilege('webhook_user', 'webhook.endpoint', 'url', 'SELECT'),
          'webhook_user can select the other endpoint columns');

-- Indexes for the two hot paths.
SELECT has_index('webhook', 'delivery', 'delivery_due_idx', 'the claim index exists');
SELECT ok((SELECT pg_get_expr(indpred, indrelid) FROM pg_index
            WHERE indexrelid = 'webhook.delivery_due_idx'::regclass) LIKE '%pending%retrying%rate_limited%',
          'the claim index covers only unfinished deliveries');

-- The data tables are dumped by pg_dump.
SELECT is((SELECT cardinality(extconfig) FROM pg_extension WHERE extname = 'pg_webhook'), 3,
          'endpoint, delivery and attempt are registered for pg_dump');

-- Every object a user can meet says what it is (COMMENT ON), and so does
-- every column whose meaning its name does not tell.
SELECT is((SELECT string_agg(o.name, ', ' ORDER BY o.name) FROM (
              SELECT p.oid::regprocedure::text AS name, obj_description(p.oid, 'pg_proc') AS comment
                FROM pg_proc p WHERE p.pronamespace = 'webhook'::regnamespace
              UNION ALL
              SELECT c.oid::regclass::text, obj_description(c.oid, 'pg_class')
                FROM pg_class c WHERE c.relnamespace = 'webhook'::regnamespace AND c.relkind IN ('r', 'v')
              UNION ALL
              SELECT t.oid::regtype::text, obj_description(t.oid, 'pg_type')
                FROM pg_type t LEFT JOIN pg_class c ON c.oid = t.typrelid
               WHERE t.typnamespace = 'webhook'::regnamespace
                 AND (t.typtype IN ('e', 'd') OR c.relkind = 'c')) AS o
            WHERE o.comment IS NULL),
          NULL, 'every function, table and type has a comment');
SELECT is((SELECT string_agg(c.relname || '.' || a.attname, ', ' ORDER BY c.relname, a.attnum)
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            WHERE c.relnamespace = 'webhook'::regnamespace AND c.relkind IN ('r', 'c')
              AND a.attnum > 0 AND NOT a.attisdropped
              AND col_description(a.attrelid, a.attnum) IS NULL
              -- listed_delivery repeats delivery's columns, then adds cursor.
              AND NOT (c.relname = 'listed_delivery' AND a.attname <> 'cursor')
              AND (a.attname NOT IN ('id', 'url', 'description', 'event_type', 'payload',
                                     'created_at', 'updated_at', 'delivery_id')
                   -- a delivery's updated_at is also the version its result must find
                   OR (c.relname, a.attname) = ('delivery', 'updated_at'))),
          NULL, 'every column that is not obvious has a comment');

SELECT * FROM finish();
