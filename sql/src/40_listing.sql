-- ---------------------------------------------------------------------------
-- Listing deliveries: webhook.list_deliveries (rows with keyset cursors) and
-- webhook.deliveries_page (REST envelopes, cursor or offset pages).
-- ---------------------------------------------------------------------------

-- Listing indexes. The foundation's three (workspace_id | endpoint_id | none,
-- then created_at DESC, id DESC) serve the default order for a tenant (RLS
-- adds workspace_id = ...), per endpoint, and across workspaces; a keyset page
-- is then an index range scan of page_size rows at any depth. Two more serve
-- the most common narrowing of the list, by status, without scanning past
-- rows of other statuses: per endpoint (the endpoint's failures) and per
-- workspace. Each costs one index entry per delivery and per status change
-- (status changes are not HOT updates anyway: the claim index depends on
-- status).
CREATE INDEX delivery_endpoint_status_created_idx
    ON webhook.delivery (endpoint_id, status, created_at DESC, id DESC);
CREATE INDEX delivery_workspace_status_created_idx
    ON webhook.delivery (workspace_id, status, created_at DESC, id DESC);
-- An endpoint's deliveries all share its workspace. Without this the planner
-- multiplied the selectivities of endpoint_id = ... and a tenant's
-- workspace_id = ... (row-level security adds it), expected a tenant's
-- endpoint to have a tenth of its rows, and read and sorted all of an
-- endpoint's rows of a status through a BitmapAnd rather than reading one
-- page from delivery_endpoint_status_created_idx.
CREATE STATISTICS webhook.delivery_endpoint_workspace (dependencies)
    ON endpoint_id, workspace_id FROM webhook.delivery;
COMMENT ON STATISTICS webhook.delivery_endpoint_workspace IS
    'endpoint_id decides workspace_id: a tenant''s page of one endpoint is not underestimated.';

-- The cursor signing key: random per installation, readable by superusers
-- only (the listing reads it as such); no policy, so RLS hides it from all.
CREATE TABLE webhook.cursor_signing_key (
    key text NOT NULL CHECK (pg_catalog.length(key) >= 16)
);
CREATE UNIQUE INDEX cursor_signing_key_single_row ON webhook.cursor_signing_key ((true));
ALTER TABLE webhook.cursor_signing_key ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook.cursor_signing_key FORCE ROW LEVEL SECURITY;
REVOKE ALL ON webhook.cursor_signing_key FROM PUBLIC;
INSERT INTO webhook.cursor_signing_key (key) SELECT webhook.generate_secret();
COMMENT ON TABLE webhook.cursor_signing_key IS
    'The secret that listing cursors are signed with (one row; the MAC key is derived from it). '
    'Not dumped: a restored database makes a '
    'new one, which only invalidates cursors handed out before.';
COMMENT ON COLUMN webhook.cursor_signing_key.key IS 'The secret, at least 16 characters.';

CREATE TYPE webhook.listed_delivery AS (
    id                 uuid,
    workspace_id       uuid,
    endpoint_id        uuid,
    event_id           text,
    event_type         text,
    payload            jsonb,
    payload_hash       text,
    status             webhook.delivery_status,
    attempt_count      integer,
    max_attempts       integer,
    next_attempt_at    timestamptz,
    last_attempted_at  timestamptz,
    last_error         text,
    http_status        integer,
    response_body      text,
    delivered_at       timestamptz,
    created_at         timestamptz,
    updated_at         timestamptz,
    cursor             text
);
COMMENT ON TYPE webhook.listed_delivery IS
    'A row of webhook.list_deliveries: every webhook.delivery column in table order, then the '
    'row''s opaque cursor (pass it as after or before to continue from that row).';
COMMENT ON COLUMN webhook.listed_delivery.cursor IS
    'Opaque and signed; valid only with the order_by that returned it.';
REVOKE ALL ON TYPE webhook.listed_delivery FROM PUBLIC;
GRANT USAGE ON TYPE webhook.listed_delivery TO webhook_admin, webhook_user;

-- The listing functions run as their caller (row-level security decides
-- what it sees) but with search_path pinned, as every other function of
-- pg_webhook: their statements name their tables, yet operators (=, <, LIKE,
-- ...) are found through the search_path, and one planted in a schema ahead
-- of pg_catalog would otherwise run, with the caller's rights, inside every
-- listing that caller makes. The C functions pin it themselves, around the
-- statements they parse and run (a SET clause here would save and restore
-- the setting on every call, a fortieth of a page's time).
CREATE FUNCTION webhook.list_deliveries(
    workspace_id uuid DEFAULT NULL,
    endpoint_id uuid DEFAULT NULL,
    status webhook.delivery_status DEFAULT NULL,
    event_type text DEFAULT NULL,
    event_id text DEFAULT NULL,
    created_after timestamptz DEFAULT NULL,
    created_before timestamptz DEFAULT NULL,
    ids uuid[] DEFAULT NULL,
    filter jsonb DEFAULT NULL,
    order_by jsonb DEFAULT NULL,
    after text DEFAULT NULL,
    before text DEFAULT NULL,
    page_size integer DEFAULT 100)
RETURNS SETOF webhook.listed_delivery
AS 'MODULE_PATHNAME', 'webhook_list_deliveries'
LANGUAGE C STABLE SECURITY INVOKER ROWS 100;
COMMENT ON FUNCTION webhook.list_deliveries(uuid, uuid, webhook.delivery_status, text, text,
    timestamptz, timestamptz, uuid[], jsonb, jsonb, text, text, integer) IS
    'One page (page_size 1..100) of the deliveries the caller may see, newest first unless '
    'order_by says otherwise ([{"<column>": "asc|desc|asc_nulls_first|asc_nulls_last|'
    'desc_nulls_first|desc_nulls_last"}, ...], id always last). NULL arguments set no condition; '
    'created_after/created_before are inclusive; ids narrows. filter is a JSON tree of '
    '{"and":[..]}, {"or":[..]}, {"not":..}, {"endpoint":{..}} and {"<column>":{"<op>":value}} '
    'with ops eq neq gt gte lt lte in nin like ilike is_null. Every row carries a cursor: '
    'after => c gives the rows after row c, before => c the rows before it (in the same order).';

CREATE FUNCTION webhook.list_deliveries_window(
    workspace_id uuid, endpoint_id uuid, status webhook.delivery_status, event_type text,
    event_id text, created_after timestamptz, created_before timestamptz, ids uuid[],
    filter jsonb, order_by jsonb, after text, before text,
    row_limit integer, row_offset bigint)
RETURNS SETOF webhook.listed_delivery
AS 'MODULE_PATHNAME', 'webhook_list_deliveries_window'
LANGUAGE C STABLE SECURITY INVOKER ROWS 101;
COMMENT ON FUNCTION webhook.list_deliveries_window(uuid, uuid, webhook.delivery_status, text,
    text, timestamptz, timestamptz, uuid[], jsonb, jsonb, text, text, integer, bigint) IS
    'Internal: the rows of webhook.list_deliveries with a raw row_limit (0..101) and an optional row_offset; '
    'the building block of webhook.deliveries_page.';

-- Every argument has a default, as list_deliveries' do: a caller names only
-- the conditions it wants. A required one could not be left out of a
-- PostgREST query string (which has no way to say NULL), so GET
-- /rpc/count_deliveries?status=... could not be called at all.
CREATE FUNCTION webhook.count_deliveries(
    workspace_id uuid DEFAULT NULL,
    endpoint_id uuid DEFAULT NULL,
    status webhook.delivery_status DEFAULT NULL,
    event_type text DEFAULT NULL,
    event_id text DEFAULT NULL,
    created_after timestamptz DEFAULT NULL,
    created_before timestamptz DEFAULT NULL,
    ids uuid[] DEFAULT NULL,
    filter jsonb DEFAULT NULL,
    estimated boolean DEFAULT false)
RETURNS bigint
AS 'MODULE_PATHNAME', 'webhook_count_deliveries'
LANGUAGE C STABLE SECURITY INVOKER;
COMMENT ON FUNCTION webhook.count_deliveries(uuid, uuid, webhook.delivery_status, text, text,
    timestamptz, timestamptz, uuid[], jsonb, boolean) IS
    'How many deliveries visible to the caller match the conditions list_deliveries takes (each '
    'NULL by default, meaning no condition): counted, or the planner''s estimate when estimated '
    'is true and the caller sees every workspace (a webhook_user is counted exactly: the '
    'statistics describe every workspace''s rows).';

CREATE FUNCTION webhook.deliveries_page(
    workspace_id uuid DEFAULT NULL,
    endpoint_id uuid DEFAULT NULL,
    status webhook.delivery_status DEFAULT NULL,
    event_type text DEFAULT NULL,
    event_id text DEFAULT NULL,
    created_after timestamptz DEFAULT NULL,
    created_before timestamptz DEFAULT NULL,
    ids uuid[] DEFAULT NULL,
    filter jsonb DEFAULT NULL,
    order_by jsonb DEFAULT NULL,
    after text DEFAULT NULL,
    before text DEFAULT NULL,
    page_size integer DEFAULT 100,
    page integer DEFAULT NULL,
    count text DEFAULT 'exact')
RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY INVOKER SET search_path = pg_catalog, pg_temp
AS $page$
#variable_conflict use_variable
DECLARE
    fetched jsonb;       -- page_size + 1 rows at most, in the requested order
    fetched_count integer;
    data jsonb;
    total bigint;
    has_next boolean;
    has_previous boolean;
BEGIN
    -- NULL means the default, as for list_deliveries.
    page_size := coalesce(page_size, 100);
    count := coalesce(count, 'exact');
    IF page_size < 1 OR page_size > 100 THEN
        RAISE EXCEPTION 'page_size must be between 1 and 100'
            USING ERRCODE = '22023', DETAIL = format('page_size is %s.', page_size),
                  HINT = 'Ask for 1 to 100 rows per page.';
    END IF;
    IF count NOT IN ('exact', 'estimated', 'none') THEN
        RAISE EXCEPTION 'unknown count mode %', quote_literal(count)
            USING ERRCODE = '22023', DETAIL = 'count says how the total is computed.',
                  HINT = 'Use exact, estimated or none.';
    END IF;
    IF page IS NOT NULL AND (after IS NOT NULL OR before IS NOT NULL) THEN
        RAISE EXCEPTION 'page cannot be combined with after or before'
            USING ERRCODE = '22023',
                  DETAIL = 'Offset pages and cursor pages are two different ways to walk a listing.',
                  HINT = 'Pass either page or a cursor, not both.';
    END IF;
    IF page IS NOT NULL AND page < 1 THEN
        RAISE EXCEPTION 'page must be 1 or more'
            USING ERRCODE = '22023', DETAIL = format('page is %s.', page),
                  HINT = 'Pages are numbered from 1.';
    END IF;

    IF count <> 'none' THEN
        total := webhook.count_deliveries(workspace_id, endpoint_id, status, event_type, event_id,
            created_after, created_before, ids, filter, count = 'estimated');
    END IF;

    SELECT coalesce(jsonb_agg(to_jsonb(w) - 'ordinality' ORDER BY w.ordinality), '[]'::jsonb),
           count(*)
      INTO fetched, fetched_count
      FROM ROWS FROM (webhook.list_deliveries_window(workspace_id, endpoint_id, status,
               event_type, event_id, created_after, created_before, ids, filter, order_by,
               after, before, page_size + 1,
               CASE WHEN page IS NULL THEN NULL ELSE (page - 1)::bigint * page_size END))
           WITH ORDINALITY AS w;

    IF page IS NOT NULL THEN
        data := fetched;
        IF fetched_count > page_size THEN data := data - page_size; END IF;
        -- An estimate is the planner's guess, but never one the page
        -- contradicts: a last page (no look-ahead row, and rows or page 1)
        -- knows the total, any other page shows that at least the rows
        -- before it, its own and the look-ahead one exist, and an empty page
        -- past the first that the rows before it are all there may be.
        IF count = 'estimated' THEN
            IF fetched_count <= page_size AND (fetched_count > 0 OR page = 1) THEN
                total := (page - 1)::bigint * page_size + fetched_count;
            ELSIF fetched_count > 0 THEN
                total := greatest(total, (page - 1)::bigint * page_size + fetched_count);
            ELSE
                total := least(total, (page - 1)::bigint * page_size);
            END IF;
        END IF;
        RETURN jsonb_build_object(
            'data', data,
            'pagination', jsonb_build_object(
                'page', page,
                'page_size', page_size,
                'total_count', total,
                'total_pages', CASE WHEN total IS NULL THEN NULL
                                    ELSE (total + page_size - 1) / page_size END,
                'has_next', fetched_count > page_size,
                'has_previous', page > 1));
    END IF;

    IF before IS NULL THEN
        -- Forward: the extra row says whether a next page exists; a previous
        -- page exists when a row precedes the first one (or the cursor).
        data := fetched;
        IF fetched_count > page_size THEN data := data - page_size; END IF;
        has_next := fetched_count > page_size;
        has_previous := after IS NOT NULL AND EXISTS (
            SELECT FROM webhook.list_deliveries_window(workspace_id, endpoint_id, status,
                event_type, event_id, created_after, created_before, ids, filter, order_by,
                NULL, coalesce(data -> 0 ->> 'cursor', after), 1, NULL));
    ELSE
        -- Backward: the extra row is the first one.
        data := fetched;
        IF fetched_count > page_size THEN data := data - 0; END IF;
        has_previous := fetched_count > page_size;
        has_next := EXISTS (
            SELECT FROM webhook.list_deliveries_window(workspace_id, endpoint_id, status,
                event_type, event_id, created_after, created_before, ids, filter, order_by,
                coalesce(data -> -1 ->> 'cursor', before), NULL, 1, NULL));
    END IF;

    -- As in offset mode: a first page without a next one is the whole
    -- listing; otherwise the page's rows and a row on each side that exists
    -- are a floor under the guess.
    IF count = 'estimated' THEN
        IF after IS NULL AND before IS NULL AND NOT has_next THEN
            total := jsonb_array_length(data);
        ELSE
            total := greatest(total, jsonb_array_length(data) + has_next::integer
                                     + has_previous::integer);
        END IF;
    END IF;

    RETURN jsonb_build_object(
        'data', data,
        'pageInfo', jsonb_build_object(
            'total', total,
            'hasNextPage', has_next,
            'hasPreviousPage', has_previous,
            'startCursor', data -> 0 -> 'cursor',
            'endCursor', data -> -1 -> 'cursor'));
END
$page$;
COMMENT ON FUNCTION webhook.deliveries_page(uuid, uuid, webhook.delivery_status, text, text,
    timestamptz, timestamptz, uuid[], jsonb, jsonb, text, text, integer, integer, text) IS
    'A page of webhook.list_deliveries as a REST envelope. Without page: {"data", "pageInfo": '
    '{total, hasNextPage, hasPreviousPage, startCursor, endCursor}}; with page (1-based): '
    '{"data", "pagination": {page, page_size, total_count, total_pages, has_next, has_previous}}. '
    'count is exact, estimated (the planner''s guess, kept to what the page shows: exact on a '
    'last page) or none (total NULL); hasNextPage and '
    'has_next are always exact.';

REVOKE ALL ON FUNCTION
    webhook.list_deliveries(uuid, uuid, webhook.delivery_status, text, text, timestamptz,
        timestamptz, uuid[], jsonb, jsonb, text, text, integer),
    webhook.list_deliveries_window(uuid, uuid, webhook.delivery_status, text, text, timestamptz,
        timestamptz, uuid[], jsonb, jsonb, text, text, integer, bigint),
    webhook.count_deliveries(uuid, uuid, webhook.delivery_status, text, text, timestamptz,
        timestamptz, uuid[], jsonb, boolean),
    webhook.deliveries_page(uuid, uuid, webhook.delivery_status, text, text, timestamptz,
        timestamptz, uuid[], jsonb, jsonb, text, text, integer, integer, text)
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    webhook.list_deliveries(uuid, uuid, webhook.delivery_status, text, text, timestamptz,
        timestamptz, uuid[], jsonb, jsonb, text, text, integer),
    webhook.list_deliveries_window(uuid, uuid, webhook.delivery_status, text, text, timestamptz,
        timestamptz, uuid[], jsonb, jsonb, text, text, integer, bigint),
    webhook.count_deliveries(uuid, uuid, webhook.delivery_status, text, text, timestamptz,
        timestamptz, uuid[], jsonb, boolean),
    webhook.deliveries_page(uuid, uuid, webhook.delivery_status, text, text, timestamptz,
        timestamptz, uuid[], jsonb, jsonb, text, text, integer, integer, text)
TO webhook_admin, webhook_user;
