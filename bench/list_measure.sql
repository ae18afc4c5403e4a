-- Timing helpers of the listing benchmark. Each query runs as static SQL in
-- PL/pgSQL (so its plan is cached, like a prepared statement); the server
-- time of each run is taken with clock_timestamp() and the median returned.
-- Two ways to consume the page, both applied alike to list_deliveries and to
-- the hand-written SQL:
--   rows: the page's rows are produced (count(x.*) builds every whole row);
--   text: every row is also rendered as text (x::text), as a client using
--         the text protocol receives it.
CREATE SCHEMA bench;
CREATE TABLE bench.point (name text PRIMARY KEY, cursor text, created_at timestamptz, id uuid);

CREATE FUNCTION bench.median_ms(kind text, runs int, mode text DEFAULT 'rows') RETURNS double precision
LANGUAGE plpgsql AS $$
DECLARE
    as_text boolean := mode = 'text';
    times double precision[] := '{}';
    started timestamptz;
    rows_seen bigint;
    text_length bigint;
    page jsonb;
    p bench.point;
    endpoint uuid := 'e0000000-0000-7000-8000-000000000042';
    or_filter jsonb := '{"or": [{"status": {"in": ["retrying", "dead_letter"]}}, {"and": [{"http_status": {"gte": 400}}, {"attempt_count": {"gte": 3}}]}]}';
BEGIN
    SELECT * INTO p FROM bench.point
    WHERE name = CASE WHEN kind LIKE '%filtered deep' THEN 'filtered deep' WHEN kind = 'or deep' THEN 'or deep'
                      WHEN kind = 'tenant deep' THEN 'tenant deep' ELSE 'deep' END;
    FOR i IN 1 .. runs LOOP
        started := clock_timestamp();
        CASE kind
        WHEN 'list first', 'tenant first' THEN
            SELECT count(x.*), sum(length(x::text)) FILTER (WHERE as_text) INTO rows_seen, text_length
            FROM webhook.list_deliveries(page_size => 100) AS x;
        WHEN 'list deep', 'tenant deep' THEN
            SELECT count(x.*), sum(length(x::text)) FILTER (WHERE as_text) INTO rows_seen, text_length
            FROM webhook.list_deliveries(after => p.cursor, page_size => 100) AS x;
        WHEN 'hand first' THEN
            SELECT count(x.*), sum(length(x::text)) FILTER (WHERE as_text) INTO rows_seen, text_length
            FROM (SELECT d.* FROM webhook.delivery d ORDER BY d.created_at DESC, d.id DESC LIMIT 100) AS x;
        WHEN 'hand cursor first' THEN
            -- The same page with a per-row cursor built in SQL (created_at in
            -- microseconds and id, base64url, unsigned), as an application
            -- writing keyset pages by hand would return it.
            SELECT count(x.*), sum(length(x::text)) FILTER (WHERE as_text) INTO rows_seen, text_length
            FROM (SELECT d.*, translate(encode(int8send((extract(epoch FROM d.created_at) * 1000000)::int8)
                                               || uuid_send(d.id), 'base64'), '+/=', '-_') AS cursor
                  FROM webhook.delivery d ORDER BY d.created_at DESC, d.id DESC LIMIT 100) AS x;
        WHEN 'hand srf first' THEN
            SELECT count(x.*), sum(length(x::text)) FILTER (WHERE as_text) INTO rows_seen, text_length
            FROM bench.hand_first_srf() AS x;
        WHEN 'hand deep' THEN
            SELECT count(x.*), sum(length(x::text)) FILTER (WHERE as_text) INTO rows_seen, text_length
            FROM (SELECT d.* FROM webhook.delivery d WHERE (d.created_at, d.id) < (p.created_at, p.id)
                  ORDER BY d.created_at DESC, d.id DESC LIMIT 100) AS x;
        WHEN 'tenant filtered first' THEN
            -- endpoint 43 belongs to workspace 3, the benchmark's tenant.
            SELECT count(x.*), sum(length(x::text)) FILTER (WHERE as_text) INTO rows_seen, text_length
            FROM webhook.list_deliveries(endpoint_id => 'e0000000-0000-7000-8000-000000000043',
                                         status => 'delivered', page_size => 100) AS x;
        WHEN 'filtered first' THEN
            SELECT count(x.*), sum(length(x::text)) FILTER (WHERE as_text) INTO rows_seen, text_length
            FROM webhook.list_deliveries(endpoint_id => endpoint, status => 'delivered', page_size => 100) AS x;
        WHEN 'filtered deep' THEN
            SELECT count(x.*), sum(length(x::text)) FILTER (WHERE as_text) INTO rows_seen, text_length
            FROM webhook.list_deliveries(endpoint_id => endpoint, status => 'delivered', after => p.cursor,
                                         page_size => 100) AS x;
        WHEN 'hand filtered deep' THEN
            SELECT count(x.*), sum(length(x::text)) FILTER (WHERE as_text) INTO rows_seen, text_length
            FROM (SELECT d.* FROM webhook.delivery d
                  WHERE d.endpoint_id = endpoint AND d.status = 'delivered'
                    AND (d.created_at, d.id) < (p.created_at, p.id)
                  ORDER BY d.created_at DESC, d.id DESC LIMIT 100) AS x;
        WHEN 'or first' THEN
            SELECT count(x.*), sum(length(x::text)) FILTER (WHERE as_text) INTO rows_seen, text_length
            FROM webhook.list_deliveries(filter => or_filter, page_size => 100) AS x;
        WHEN 'or deep' THEN
            SELECT count(x.*), sum(length(x::text)) FILTER (WHERE as_text) INTO rows_seen, text_length
            FROM webhook.list_deliveries(filter => or_filter, after => p.cursor, page_size => 100) AS x;
        WHEN 'page cursor deep' THEN
            page := webhook.deliveries_page(after => p.cursor, page_size => 100, count => 'none');
            rows_seen := jsonb_array_length(page -> 'data');
        WHEN 'page offset 9000' THEN
            page := webhook.deliveries_page(page => 9000, page_size => 100, count => 'none');
            rows_seen := jsonb_array_length(page -> 'data');
        END CASE;
        times := times || extract(epoch FROM clock_timestamp() - started) * 1000;
        IF rows_seen <> 100 THEN RAISE 'query % returned % rows, not 100', kind, rows_seen; END IF;
    END LOOP;
    RETURN (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY t) FROM unnest(times) AS t);
END $$;

-- The hand-written first page returned by a set-returning function, as
-- PL/pgSQL's RETURN QUERY does it: the least any set-returning function can
-- cost for the same rows (it has no cursors).
CREATE FUNCTION bench.hand_first_srf() RETURNS SETOF webhook.delivery
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY SELECT d.* FROM webhook.delivery d ORDER BY d.created_at DESC, d.id DESC LIMIT 100;
END $$;

-- A tenant: a webhook_user acting in workspace 3 (100,000 of the rows).
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bench_listing_tenant') THEN
        CREATE ROLE bench_listing_tenant NOLOGIN IN ROLE webhook_user;
    END IF;
END $$;
GRANT USAGE ON SCHEMA bench TO bench_listing_tenant;
GRANT SELECT, INSERT ON bench.point TO bench_listing_tenant;

-- Two queries measured in alternating rounds, so that load from elsewhere on
-- the machine hits both alike: the overall medians of each, and the median
-- of the per-round ratios a / b.
CREATE FUNCTION bench.paired(a text, b text, rounds int, runs int, mode text DEFAULT 'rows',
                             OUT a_ms double precision, OUT b_ms double precision, OUT ratio double precision)
LANGUAGE plpgsql AS $$
DECLARE
    a_times double precision[] := '{}';
    b_times double precision[] := '{}';
    ratios double precision[] := '{}';
    a_round double precision;
    b_round double precision;
BEGIN
    PERFORM bench.median_ms(a, 10, mode), bench.median_ms(b, 10, mode);  -- warm up
    FOR i IN 1 .. rounds LOOP
        a_round := bench.median_ms(a, runs, mode);
        b_round := bench.median_ms(b, runs, mode);
        a_times := a_times || a_round;
        b_times := b_times || b_round;
        ratios := ratios || a_round / b_round;
    END LOOP;
    a_ms := (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY t) FROM unnest(a_times) AS t);
    b_ms := (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY t) FROM unnest(b_times) AS t);
    ratio := (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY t) FROM unnest(ratios) AS t);
END $$;
