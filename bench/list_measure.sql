-- Timing helpers of the listing benchmark: each query runs as static SQL in
-- PL/pgSQL (so its plan is cached, like a prepared statement), the server
-- time of each run is taken with clock_timestamp(), and the median returned.
CREATE SCHEMA bench;

CREATE TABLE bench.point (name text PRIMARY KEY, cursor text, created_at timestamptz, id uuid);

CREATE FUNCTION bench.median_ms(kind text, runs int) RETURNS double precision
LANGUAGE plpgsql AS $$
DECLARE
    times double precision[] := '{}';
    started timestamptz;
    result jsonb;
    rows_seen int;
    deep bench.point;
    filtered_first bench.point;
    filtered_deep bench.point;
    or_deep bench.point;
    endpoint uuid := 'e0000000-0000-7000-8000-000000000042';
    or_filter jsonb := '{"or": [{"status": {"in": ["retrying", "dead_letter"]}}, {"and": [{"http_status": {"gte": 400}}, {"attempt_count": {"gte": 3}}]}]}';
BEGIN
    SELECT * INTO deep FROM bench.point WHERE name = 'deep';
    SELECT * INTO filtered_deep FROM bench.point WHERE name = 'filtered deep';
    SELECT * INTO or_deep FROM bench.point WHERE name = 'or deep';
    FOR i IN 1 .. runs LOOP
        started := clock_timestamp();
        CASE kind
        WHEN 'list first' THEN
            SELECT jsonb_agg(l), count(*) INTO result, rows_seen FROM webhook.list_deliveries(page_size => 100) AS l;
        WHEN 'list deep' THEN
            SELECT jsonb_agg(l), count(*) INTO result, rows_seen FROM webhook.list_deliveries(after => deep.cursor, page_size => 100) AS l;
        WHEN 'hand first' THEN
            SELECT jsonb_agg(h), count(*) INTO result, rows_seen FROM (
                SELECT d.* FROM webhook.delivery d ORDER BY d.created_at DESC, d.id DESC LIMIT 100) AS h;
        WHEN 'hand deep' THEN
            SELECT jsonb_agg(h), count(*) INTO result, rows_seen FROM (
                SELECT d.* FROM webhook.delivery d WHERE (d.created_at, d.id) < (deep.created_at, deep.id)
                ORDER BY d.created_at DESC, d.id DESC LIMIT 100) AS h;
        WHEN 'filtered first' THEN
            SELECT jsonb_agg(l), count(*) INTO result, rows_seen FROM webhook.list_deliveries(
                endpoint_id => endpoint, status => 'delivered', page_size => 100) AS l;
        WHEN 'filtered deep' THEN
            SELECT jsonb_agg(l), count(*) INTO result, rows_seen FROM webhook.list_deliveries(
                endpoint_id => endpoint, status => 'delivered', after => filtered_deep.cursor, page_size => 100) AS l;
        WHEN 'hand filtered deep' THEN
            SELECT jsonb_agg(h), count(*) INTO result, rows_seen FROM (
                SELECT d.* FROM webhook.delivery d
                WHERE d.endpoint_id = endpoint AND d.status = 'delivered'
                  AND (d.created_at, d.id) < (filtered_deep.created_at, filtered_deep.id)
                ORDER BY d.created_at DESC, d.id DESC LIMIT 100) AS h;
        WHEN 'or first' THEN
            SELECT jsonb_agg(l), count(*) INTO result, rows_seen FROM webhook.list_deliveries(
                filter => or_filter, page_size => 100) AS l;
        WHEN 'or deep' THEN
            SELECT jsonb_agg(l), count(*) INTO result, rows_seen FROM webhook.list_deliveries(
                filter => or_filter, after => or_deep.cursor, page_size => 100) AS l;
        WHEN 'page cursor deep' THEN
            result := webhook.deliveries_page(after => deep.cursor, page_size => 100, count => 'none');
            rows_seen := jsonb_array_length(result -> 'data');
        WHEN 'page offset 9000' THEN
            result := webhook.deliveries_page(page => 9000, page_size => 100, count => 'none');
            rows_seen := jsonb_array_length(result -> 'data');
        END CASE;
        times := times || extract(epoch FROM clock_timestamp() - started) * 1000;
        IF rows_seen <> 100 THEN RAISE 'query % returned % rows, not 100', kind, rows_seen; END IF;
    END LOOP;
    RETURN (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY t) FROM unnest(times) AS t);
END $$;
