
-- ---------------------------------------------------------------------------
-- Roles. They are cluster-wide, so a second database of the same cluster, or
-- a new CREATE EXTENSION after DROP EXTENSION, finds them already there.
-- ---------------------------------------------------------------------------
DO $roles$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'webhook_admin') THEN
        CREATE ROLE webhook_admin NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'webhook_user') THEN
        CREATE ROLE webhook_user NOLOGIN;
    END IF;
END
$roles$;

CREATE SCHEMA webhook;
COMMENT ON SCHEMA webhook IS 'pg_webhook: transactional outbound webhooks';
REVOKE ALL ON SCHEMA webhook FROM PUBLIC;
GRANT USAGE ON SCHEMA webhook TO webhook_admin, webhook_user;

CREATE TYPE webhook.delivery_status AS ENUM (
    'pending', 'retrying', 'rate_limited', 'delivered', 'dead_letter', 'cancelled');
COMMENT ON TYPE webhook.delivery_status IS
    'Life of a delivery: pending (not attempted since it was published or retried), retrying '
    '(failed, will try again), rate_limited (receiver asked to wait), delivered, dead_letter '
    '(attempts exhausted), cancelled.';
REVOKE ALL ON TYPE webhook.delivery_status FROM PUBLIC;
GRANT USAGE ON TYPE webhook.delivery_status TO webhook_admin, webhook_user;

-- Comparisons of delivery_status that are LEAKPROOF. A webhook_user's
-- queries carry the row-level security qual, a security barrier: a condition
-- of the query may be an index condition ahead of it only when all of its
-- functions are leakproof, and the built-in enum comparisons (enum_eq, ...)
-- are not. With them, a tenant's "endpoint and status" page filtered every
-- row of the endpoint and sorted them, and a page ordered by status scanned
-- the workspace from its start. These are the same internal functions (they
-- compare the enum's sort order and can raise nothing about a value),
-- declared leakproof; the operators and operator classes below make them
-- the type's default, so the status indexes use them. Statements meant to
-- use those indexes name the operators by schema (OPERATOR(webhook.=)):
-- every function of pg_webhook runs with search_path = pg_catalog, pg_temp,
-- where a plain = on delivery_status is the built-in anyenum one.
CREATE FUNCTION webhook.delivery_status_eq(a webhook.delivery_status, b webhook.delivery_status)
    RETURNS boolean AS 'enum_eq' LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION webhook.delivery_status_ne(a webhook.delivery_status, b webhook.delivery_status)
    RETURNS boolean AS 'enum_ne' LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION webhook.delivery_status_lt(a webhook.delivery_status, b webhook.delivery_status)
    RETURNS boolean AS 'enum_lt' LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION webhook.delivery_status_le(a webhook.delivery_status, b webhook.delivery_status)
    RETURNS boolean AS 'enum_le' LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION webhook.delivery_status_gt(a webhook.delivery_status, b webhook.delivery_status)
    RETURNS boolean AS 'enum_gt' LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION webhook.delivery_status_ge(a webhook.delivery_status, b webhook.delivery_status)
    RETURNS boolean AS 'enum_ge' LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION webhook.delivery_status_cmp(a webhook.delivery_status, b webhook.delivery_status)
    RETURNS integer AS 'enum_cmp' LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION webhook.delivery_status_hash(status webhook.delivery_status)
    RETURNS integer AS 'hashenum' LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
CREATE FUNCTION webhook.delivery_status_hash_extended(status webhook.delivery_status, seed bigint)
    RETURNS bigint AS 'hashenumextended' LANGUAGE internal IMMUTABLE STRICT LEAKPROOF PARALLEL SAFE;
COMMENT ON FUNCTION webhook.delivery_status_eq(webhook.delivery_status, webhook.delivery_status) IS
    'Leakproof = on delivery_status (the built-in enum_eq).';
COMMENT ON FUNCTION webhook.delivery_status_ne(webhook.delivery_status, webhook.delivery_status) IS
    'Leakproof <> on delivery_status (the built-in enum_ne).';
COMMENT ON FUNCTION webhook.delivery_status_lt(webhook.delivery_status, webhook.delivery_status) IS
    'Leakproof < on delivery_status (the built-in enum_lt).';
COMMENT ON FUNCTION webhook.delivery_status_le(webhook.delivery_status, webhook.delivery_status) IS
    'Leakproof <= on delivery_status (the built-in enum_le).';
COMMENT ON FUNCTION webhook.delivery_status_gt(webhook.delivery_status, webhook.delivery_status) IS
    'Leakproof > on delivery_status (the built-in enum_gt).';
COMMENT ON FUNCTION webhook.delivery_status_ge(webhook.delivery_status, webhook.delivery_status) IS
    'Leakproof >= on delivery_status (the built-in enum_ge).';
COMMENT ON FUNCTION webhook.delivery_status_cmp(webhook.delivery_status, webhook.delivery_status) IS
    'The btree comparison of delivery_status (the built-in enum_cmp).';
COMMENT ON FUNCTION webhook.delivery_status_hash(webhook.delivery_status) IS
    'The hash of a delivery_status (the built-in hashenum).';
COMMENT ON FUNCTION webhook.delivery_status_hash_extended(webhook.delivery_status, bigint) IS
    'The seeded hash of a delivery_status (the built-in hashenumextended).';

CREATE OPERATOR webhook.= (
    LEFTARG = webhook.delivery_status, RIGHTARG = webhook.delivery_status,
    FUNCTION = webhook.delivery_status_eq, COMMUTATOR = OPERATOR(webhook.=),
    NEGATOR = OPERATOR(webhook.<>), RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR webhook.<> (
    LEFTARG = webhook.delivery_status, RIGHTARG = webhook.delivery_status,
    FUNCTION = webhook.delivery_status_ne, COMMUTATOR = OPERATOR(webhook.<>),
    NEGATOR = OPERATOR(webhook.=), RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR webhook.< (
    LEFTARG = webhook.delivery_status, RIGHTARG = webhook.delivery_status,
    FUNCTION = webhook.delivery_status_lt, COMMUTATOR = OPERATOR(webhook.>),
    NEGATOR = OPERATOR(webhook.>=), RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR webhook.<= (
    LEFTARG = webhook.delivery_status, RIGHTARG = webhook.delivery_status,
    FUNCTION = webhook.delivery_status_le, COMMUTATOR = OPERATOR(webhook.>=),
    NEGATOR = OPERATOR(webhook.>), RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR webhook.> (
    LEFTARG = webhook.delivery_status, RIGHTARG = webhook.delivery_status,
    FUNCTION = webhook.delivery_status_gt, COMMUTATOR = OPERATOR(webhook.<),
    NEGATOR = OPERATOR(webhook.<=), RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR webhook.>= (
    LEFTARG = webhook.delivery_status, RIGHTARG = webhook.delivery_status,
    FUNCTION = webhook.delivery_status_ge, COMMUTATOR = OPERATOR(webhook.<=),
    NEGATOR = OPERATOR(webhook.<), RESTRICT = scalargesel, JOIN = scalargejoinsel);

CREATE OPERATOR CLASS webhook.delivery_status_ops
    DEFAULT FOR TYPE webhook.delivery_status USING btree AS
        OPERATOR 1 webhook.<,
        OPERATOR 2 webhook.<=,
        OPERATOR 3 webhook.=,
        OPERATOR 4 webhook.>=,
        OPERATOR 5 webhook.>,
        FUNCTION 1 webhook.delivery_status_cmp(webhook.delivery_status, webhook.delivery_status);
COMMENT ON OPERATOR CLASS webhook.delivery_status_ops USING btree IS
    'The default btree order of delivery_status, with leakproof operators (see above).';
CREATE OPERATOR CLASS webhook.delivery_status_ops
    DEFAULT FOR TYPE webhook.delivery_status USING hash AS
        OPERATOR 1 webhook.=,
        FUNCTION 1 webhook.delivery_status_hash(webhook.delivery_status),
        FUNCTION 2 webhook.delivery_status_hash_extended(webhook.delivery_status, bigint);
COMMENT ON OPERATOR CLASS webhook.delivery_status_ops USING hash IS
    'The default hash of delivery_status, with the leakproof = (see above).';

-- ---------------------------------------------------------------------------
-- C helpers used by the tables' defaults, triggers and functions.
-- ---------------------------------------------------------------------------
CREATE FUNCTION webhook.uuid_generate_v7() RETURNS uuid
    AS 'MODULE_PATHNAME', 'webhook_uuid_generate_v7' LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION webhook.uuid_generate_v7() IS
    'A time-ordered UUID in the UUIDv7 layout; strictly increasing within a session.';

CREATE FUNCTION webhook.check_url(url text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'webhook_check_url' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION webhook.check_url(text) IS
    'True for an absolute http or https URL of at most 2048 bytes, without credentials, '
    'whitespace, or control, invisible or space characters; raises 22023 with a hint otherwise.';

CREATE FUNCTION webhook.check_secret(secret text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'webhook_check_secret' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION webhook.check_secret(text) IS
    'True for a Standard Webhooks secret (whsec_ + base64 of 24..64 bytes); raises 22023 otherwise.';

CREATE FUNCTION webhook.generate_secret() RETURNS text
    AS 'MODULE_PATHNAME', 'webhook_generate_secret' LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION webhook.generate_secret() IS
    'A new random signing secret in the Standard Webhooks format (whsec_ + 32 random bytes).';

CREATE FUNCTION webhook.default_max_attempts() RETURNS integer
    AS 'MODULE_PATHNAME', 'webhook_default_max_attempts' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION webhook.default_max_attempts() IS
    'Attempts a delivery gets when its endpoint sets none: intervals in webhook.retry_schedule + 1.';

-- Immutable, as a generated column needs: a database's encoding never changes.
CREATE FUNCTION webhook.payload_hash(payload jsonb) RETURNS text
    AS 'MODULE_PATHNAME', 'webhook_payload_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION webhook.payload_hash(jsonb) IS
    'Hex SHA-256 of the request body a payload is sent as: its JSON text in UTF-8.';

CREATE FUNCTION webhook.default_workspace_id() RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN '00000000-0000-0000-0000-000000000000'::uuid;
COMMENT ON FUNCTION webhook.default_workspace_id() IS
    'The workspace used when a call names none and the session has none.';

-- The JWT's claim comes first: PostgREST sets request.jwt.claims for one
-- transaction, the request's own, whereas webhook.workspace_id is a
-- session's setting, and one an application left on a connection (a pooler
-- hands the same server connections around) must not decide the workspace
-- of a PostgREST request.
CREATE FUNCTION webhook.session_workspace_id(value text, source text) RETURNS uuid
    AS 'MODULE_PATHNAME', 'webhook_session_workspace_id' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION webhook.session_workspace_id(text, text) IS
    'Internal: value as a workspace id; 22P02 with a hint naming where it came from (source '
    'claim: the workspace_id claim of request.jwt.claims; setting: webhook.workspace_id) when it '
    'is not a uuid.';

CREATE FUNCTION webhook.current_workspace_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN COALESCE(
        webhook.session_workspace_id(
            NULLIF(NULLIF(pg_catalog.current_setting('request.jwt.claims', true), '')::jsonb
                OPERATOR(pg_catalog.->>) 'workspace_id', ''), 'claim'),
        webhook.session_workspace_id(
            NULLIF(pg_catalog.current_setting('webhook.workspace_id', true), ''), 'setting'));
COMMENT ON FUNCTION webhook.current_workspace_id() IS
    'The workspace this session acts in: the workspace_id claim of PostgREST''s '
    'request.jwt.claims, else the webhook.workspace_id setting, else NULL (a webhook_user then '
    'sees nothing). An empty claim or setting is none.';

CREATE FUNCTION webhook.effective_workspace_id(requested uuid) RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN COALESCE(requested, webhook.current_workspace_id(), webhook.default_workspace_id());
COMMENT ON FUNCTION webhook.effective_workspace_id(uuid) IS
    'The workspace a call acts in: the one it names, else the session''s, else the default one.';

-- Whether the caller sees every workspace's rows: row-level security does
-- not apply to it (a superuser, BYPASSRLS), or it has webhook_admin's rights.
-- Any other caller is kept to its session's workspace, and what pg_webhook
-- shows it must come from that workspace's rows alone (the planner's
-- estimates and the worker's own figures describe every workspace). In C++
-- (src/pg/workspace_visibility.cpp), where count_deliveries uses it too.
CREATE FUNCTION webhook.sees_every_workspace() RETURNS boolean
    AS 'MODULE_PATHNAME', 'webhook_sees_every_workspace' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION webhook.sees_every_workspace() IS
    'True when the caller sees every workspace''s rows (row-level security does not apply to it, '
    'or it has webhook_admin''s rights); false for a caller kept to one workspace (webhook_user).';

-- A webhook_user acts only in its session's workspace. Row-level security
-- enforces that anyway, but a write it refuses gets Postgres's bare "new row
-- violates row-level security policy", which names neither the workspace
-- nor what to do, and a read it narrows answers nothing at all (a publish to
-- another workspace would reach no endpoint and drop the event without a
-- word). The API functions call this first; true, or 42501 with a detail and
-- a hint. action: "publish"; action_by_user: "publishes".
CREATE FUNCTION webhook.check_session_workspace(workspace uuid, action text, action_by_user text)
RETURNS boolean
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    session_workspace CONSTANT uuid := webhook.current_workspace_id();
BEGIN
    IF workspace IS DISTINCT FROM session_workspace AND NOT webhook.sees_every_workspace() THEN
        RAISE EXCEPTION 'cannot % in workspace %', action, workspace USING ERRCODE = '42501',
            DETAIL = CASE WHEN session_workspace IS NULL
                          THEN format('This session acts in no workspace, and a webhook_user %s only in its session''s workspace.',
                                      action_by_user)
                          ELSE format('This session acts in workspace %s, and a webhook_user %s only in its session''s workspace.',
                                      session_workspace, action_by_user) END,
            HINT = format('Set webhook.workspace_id (or the workspace_id claim of request.jwt.claims) to the workspace, or %s as webhook_admin.',
                          action);
    END IF;
    RETURN true;
END
$$;
COMMENT ON FUNCTION webhook.check_session_workspace(uuid, text, text) IS
    'Internal: true when the caller may act in workspace (its session''s, or any for webhook_admin '
    'and roles that bypass row-level security); 42501 with a detail and a hint otherwise.';

-- The one refusal of a write in a read-only transaction (a PostgREST GET of
-- a VOLATILE function, a standby), so that every API call says it the same
-- way: without it Postgres's own refusal names a statement inside the call
-- (such as SELECT FOR NO KEY UPDATE) and gives no hint. Callers test
-- transaction_read_only themselves and call this only to refuse: publish
-- pays nothing for it.
CREATE FUNCTION webhook.refuse_read_only(action text, detail text) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'cannot % in a read-only transaction', action USING ERRCODE = '25006',
        DETAIL = detail,
        HINT = 'Call it in a read-write transaction, on the primary (through PostgREST: POST, not GET).';
END
$$;
COMMENT ON FUNCTION webhook.refuse_read_only(text, text) IS
    'Internal: raises 25006 "cannot <action> in a read-only transaction" with the detail and a hint.';

-- ---------------------------------------------------------------------------
-- Endpoints: where deliveries go.
-- ---------------------------------------------------------------------------
CREATE TABLE webhook.endpoint (
    id                          uuid        NOT NULL DEFAULT webhook.uuid_generate_v7() PRIMARY KEY,
    workspace_id                uuid        NOT NULL DEFAULT webhook.effective_workspace_id(NULL),
    url                         text        NOT NULL,
    description                 text,
    event_types                 text[],
    secret                      text        NOT NULL DEFAULT webhook.generate_secret(),
    enabled                     boolean     NOT NULL DEFAULT true,
    disabled_reason             text,
    max_attempts                integer,
    timeout_ms                  integer,
    headers                     jsonb,
    created_at                  timestamptz NOT NULL DEFAULT now(),
    updated_at                  timestamptz NOT NULL DEFAULT now(),
    previous_secret             text,
    previous_secret_expires_at  timestamptz
);
COMMENT ON TABLE webhook.endpoint IS
    'Subscriptions: where a workspace''s events are delivered. The secret columns are readable '
    'only through webhook.endpoint_secret().';
COMMENT ON COLUMN webhook.endpoint.workspace_id IS 'The workspace (tenant) the endpoint belongs to; it never changes.';
COMMENT ON COLUMN webhook.endpoint.enabled IS 'False while disabled: a fan-out skips it, and its unfinished deliveries wait.';
COMMENT ON COLUMN webhook.endpoint.event_types IS 'Event types this endpoint receives; NULL means every type.';
COMMENT ON COLUMN webhook.endpoint.secret IS 'Standard Webhooks signing secret (whsec_...).';
COMMENT ON COLUMN webhook.endpoint.disabled_reason IS 'Why the endpoint was disabled, when it is.';
COMMENT ON COLUMN webhook.endpoint.max_attempts IS 'Attempts per delivery; NULL: webhook.default_max_attempts().';
COMMENT ON COLUMN webhook.endpoint.timeout_ms IS 'Request timeout in milliseconds; NULL: the webhook.request_timeout setting.';
COMMENT ON COLUMN webhook.endpoint.headers IS 'Extra request headers, a JSON object of strings.';
COMMENT ON COLUMN webhook.endpoint.previous_secret IS 'The secret before the last rotation, still signed with during the grace period.';
COMMENT ON COLUMN webhook.endpoint.previous_secret_expires_at IS 'End of the rotation grace period.';

CREATE INDEX endpoint_workspace_idx ON webhook.endpoint (workspace_id, created_at);

-- ---------------------------------------------------------------------------
-- Deliveries: one event for one endpoint, and where it stands.
-- ---------------------------------------------------------------------------
CREATE TABLE webhook.delivery (
    id                 uuid        NOT NULL DEFAULT webhook.uuid_generate_v7() PRIMARY KEY,
    workspace_id       uuid        NOT NULL,
    -- No foreign key: a delivery's history outlives its endpoint.
    endpoint_id        uuid        NOT NULL,
    event_id           text        NOT NULL,
    event_type         text        NOT NULL,
    payload            jsonb       NOT NULL,
    -- Computed, never written: the body the worker sends always has this hash.
    payload_hash       text        NOT NULL GENERATED ALWAYS AS (webhook.payload_hash(payload)) STORED,
    status             webhook.delivery_status NOT NULL DEFAULT 'pending',
    attempt_count      integer     NOT NULL DEFAULT 0,
    max_attempts       integer     NOT NULL,
    next_attempt_at    timestamptz DEFAULT now(),
    last_attempted_at  timestamptz,
    last_error         text,
    http_status        integer,
    response_body      text,
    delivered_at       timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT delivery_event_once_per_endpoint UNIQUE (endpoint_id, event_id)
);
COMMENT ON TABLE webhook.delivery IS 'One event sent to one endpoint: its payload, state and last outcome.';
COMMENT ON COLUMN webhook.delivery.id IS 'Time-ordered (UUIDv7 layout); also the webhook-id header, the same on every redelivery.';
COMMENT ON COLUMN webhook.delivery.workspace_id IS 'The workspace of the delivery, which is its endpoint''s.';
COMMENT ON COLUMN webhook.delivery.endpoint_id IS 'The endpoint it is sent to. No foreign key: a delivery outlives its deleted endpoint.';
COMMENT ON COLUMN webhook.delivery.event_id IS 'The event''s id; publishing it again to the same endpoint creates nothing new.';
COMMENT ON COLUMN webhook.delivery.payload_hash IS 'Hex SHA-256 of the exact request body bytes.';
COMMENT ON COLUMN webhook.delivery.status IS 'Where the delivery stands; see the type webhook.delivery_status.';
COMMENT ON COLUMN webhook.delivery.attempt_count IS 'Attempts made so far; 0 again after a retry from a clean slate.';
COMMENT ON COLUMN webhook.delivery.max_attempts IS 'Attempts allowed, fixed at publish (the endpoint''s max_attempts or webhook.default_max_attempts()); dead_letter when attempt_count reaches it.';
COMMENT ON COLUMN webhook.delivery.next_attempt_at IS 'When the next attempt is due; NULL once final, and while its endpoint is disabled.';
COMMENT ON COLUMN webhook.delivery.last_attempted_at IS 'When the last attempt started.';
COMMENT ON COLUMN webhook.delivery.last_error IS 'What went wrong in the last attempt, or ''endpoint deleted'' when that cancelled it.';
COMMENT ON COLUMN webhook.delivery.http_status IS 'The status of the last response; NULL when no response came.';
COMMENT ON COLUMN webhook.delivery.response_body IS 'The start of the last response body (webhook.response_body_limit bytes).';
COMMENT ON COLUMN webhook.delivery.delivered_at IS 'When the 2xx response arrived.';
COMMENT ON COLUMN webhook.delivery.updated_at IS 'When the row last changed. Also the version a claimed request''s result must find: a retry or cancel in the meantime wins over it.';

-- Index choice. Two hot paths read this table:
--  * listing, newest first, scoped by row-level security to one workspace:
--    (workspace_id, created_at, id) serves a tenant's keyset pages and
--    (created_at, id) an administrator's across workspaces; per-endpoint
--    listing uses (endpoint_id, created_at, id). Keyset pages then cost
--    O(log n + page) at any depth.
--  * claiming due work: a partial index on next_attempt_at over the
--    non-final statuses only, so it stays as small as the backlog however
--    long the history grows.
CREATE INDEX delivery_workspace_created_idx ON webhook.delivery (workspace_id, created_at DESC, id DESC);
CREATE INDEX delivery_created_idx ON webhook.delivery (created_at DESC, id DESC);
CREATE INDEX delivery_endpoint_created_idx ON webhook.delivery (endpoint_id, created_at DESC, id DESC);
CREATE INDEX delivery_due_idx ON webhook.delivery (next_attempt_at)
    WHERE status IN ('pending', 'retrying', 'rate_limited');

-- ---------------------------------------------------------------------------
-- Attempts: the permanent audit log, one row per HTTP attempt.
-- ---------------------------------------------------------------------------
CREATE TABLE webhook.attempt (
    id              uuid        NOT NULL DEFAULT webhook.uuid_generate_v7(),
    delivery_id     uuid        NOT NULL REFERENCES webhook.delivery (id) ON DELETE CASCADE,
    workspace_id    uuid        NOT NULL,
    endpoint_id     uuid        NOT NULL,
    attempt_number  integer     NOT NULL,
    started_at      timestamptz NOT NULL,
    duration_ms     double precision NOT NULL,
    http_status     integer,
    error           text,
    response_body   text,
    -- The order in which delivery_attempts reads a delivery's attempts. One
    -- index, not a key on id beside an index on (delivery_id, id): the
    -- worker inserts a row per attempt, and each index is one insertion
    -- more per delivery. Nothing looks an attempt up by its id alone, which
    -- is a UUIDv7, unique as the delivery ids are.
    PRIMARY KEY (delivery_id, id)
);
COMMENT ON TABLE webhook.attempt IS 'Every HTTP attempt of every delivery, kept as an audit log.';
COMMENT ON COLUMN webhook.attempt.workspace_id IS 'The delivery''s workspace.';
-- Not a sequence: one counter for every workspace would let a tenant read,
-- from the gaps between its own attempts' ids, how many attempts the other
-- workspaces made meanwhile (the traffic worker_status hides from it).
COMMENT ON COLUMN webhook.attempt.id IS 'Time-ordered (UUIDv7 layout): a delivery''s attempts sort oldest first.';
COMMENT ON COLUMN webhook.attempt.endpoint_id IS 'The endpoint the request was sent to.';
COMMENT ON COLUMN webhook.attempt.started_at IS 'When the request started.';
COMMENT ON COLUMN webhook.attempt.duration_ms IS 'How long the attempt took, in milliseconds.';
COMMENT ON COLUMN webhook.attempt.attempt_number IS 'The delivery''s attempt count after this attempt (restarts at 1 after a manual retry).';
COMMENT ON COLUMN webhook.attempt.http_status IS 'The response status; NULL when no response came.';
COMMENT ON COLUMN webhook.attempt.error IS 'What went wrong, when the attempt failed.';
COMMENT ON COLUMN webhook.attempt.response_body IS 'The start of the response body (webhook.response_body_limit bytes).';

-- ---------------------------------------------------------------------------
-- Tenancy: row-level security on every table, forced on the owner too.
-- webhook_admin sees every workspace; webhook_user only the session's.
-- ---------------------------------------------------------------------------
-- Each policy takes the workspace through a scalar subquery, which Postgres
-- evaluates once per statement (an InitPlan). Written as a plain call, it
-- was inlined and, wherever the workspace is a Filter rather than an index
-- condition, evaluated for every row: a PostgREST caller's JWT claims were
-- parsed as JSON per row read (a tenant's endpoint page of a rare status:
-- 13.6-15.2 ms against 4.4-5.3 ms).
ALTER TABLE webhook.endpoint ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook.endpoint FORCE ROW LEVEL SECURITY;
ALTER TABLE webhook.delivery ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook.delivery FORCE ROW LEVEL SECURITY;
ALTER TABLE webhook.attempt ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook.attempt FORCE ROW LEVEL SECURITY;

CREATE POLICY endpoint_admin ON webhook.endpoint TO webhook_admin USING (true) WITH CHECK (true);
CREATE POLICY endpoint_workspace ON webhook.endpoint TO webhook_user
    USING (workspace_id = (SELECT webhook.current_workspace_id()))
    WITH CHECK (workspace_id = (SELECT webhook.current_workspace_id()));
CREATE POLICY delivery_admin ON webhook.delivery TO webhook_admin USING (true) WITH CHECK (true);
CREATE POLICY delivery_workspace ON webhook.delivery TO webhook_user
    USING (workspace_id = (SELECT webhook.current_workspace_id()))
    WITH CHECK (workspace_id = (SELECT webhook.current_workspace_id()));
-- A delivery is sent to its endpoint's URL, signed with that endpoint's
-- secret: it may only be created for an endpoint of its own workspace, or a
-- tenant could have another tenant's secret sign a payload of its choosing.
-- The check runs with the inserting role's own view of the endpoints.
CREATE POLICY delivery_endpoint_of_its_workspace ON webhook.delivery AS RESTRICTIVE
    FOR INSERT TO webhook_admin, webhook_user
    WITH CHECK (EXISTS (SELECT FROM webhook.endpoint e
                        WHERE e.id = delivery.endpoint_id AND e.workspace_id = delivery.workspace_id));
CREATE POLICY attempt_admin ON webhook.attempt TO webhook_admin USING (true) WITH CHECK (true);
CREATE POLICY attempt_workspace ON webhook.attempt TO webhook_user
    USING (workspace_id = (SELECT webhook.current_workspace_id()))
    WITH CHECK (workspace_id = (SELECT webhook.current_workspace_id()));

-- Table privileges: the API functions run as their caller (SECURITY INVOKER),
-- so these grants plus the policies above are the whole access model. The
-- secret columns are left out of SELECT on purpose.
GRANT SELECT (id, workspace_id, url, description, event_types, enabled, disabled_reason,
              max_attempts, timeout_ms, headers, created_at, updated_at,
              previous_secret_expires_at),
      UPDATE, DELETE
    ON webhook.endpoint TO webhook_admin, webhook_user;
-- A webhook_user's endpoint always gets a generated id. Endpoint ids are
-- unique across every workspace, so an id of the tenant's choosing told it
-- whether another workspace has an endpoint with that id (23505 on
-- endpoint_pkey, where a free id succeeded); and taking the id of another
-- workspace's deleted endpoint, whose deliveries remain, made publishing to
-- it collide with that workspace's event ids (the event was dropped without
-- a word, which told the tenant the other workspace's event ids).
GRANT INSERT ON webhook.endpoint TO webhook_admin;
GRANT INSERT (workspace_id, url, description, event_types, secret, enabled, disabled_reason,
              max_attempts, timeout_ms, headers, created_at, updated_at, previous_secret,
              previous_secret_expires_at)
    ON webhook.endpoint TO webhook_user;
-- INSERT only of what publishing sets: a delivery starts pending, unattempted.
GRANT SELECT, INSERT (workspace_id, endpoint_id, event_id, event_type, payload, max_attempts)
    ON webhook.delivery TO webhook_admin, webhook_user;
-- UPDATE only of the delivery state that retry, cancel and delete_endpoint
-- change: what was published (payload and its hash, event, endpoint,
-- workspace, limits) can never be rewritten by a caller.
GRANT UPDATE (status, attempt_count, next_attempt_at, last_error, http_status, response_body,
              delivered_at, updated_at)
    ON webhook.delivery TO webhook_admin, webhook_user;
GRANT SELECT ON webhook.attempt TO webhook_admin, webhook_user;

SELECT pg_catalog.pg_extension_config_dump('webhook.endpoint', '');
SELECT pg_catalog.pg_extension_config_dump('webhook.delivery', '');
SELECT pg_catalog.pg_extension_config_dump('webhook.attempt', '');
