-- webhook.list_deliveries ordering and cursors: every direction (with NULL
-- keys and mixed directions), walking the whole listing forward and backward
-- visiting every row exactly once, also while rows are being inserted.
\i test/sql/fixtures/listing_setup.sql

-- Walks the listing page by page with `after`, from the start to the end.
CREATE FUNCTION pg_temp.walk_forward(order_by jsonb, page_size int, filter jsonb DEFAULT NULL)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE position text; ids text[] := '{}'; row record; fetched int; pages int := 0;
BEGIN
    LOOP
        fetched := 0;
        FOR row IN SELECT l.id, l.cursor FROM webhook.list_deliveries(
                filter => filter, order_by => order_by, after => position, page_size => page_size) AS l LOOP
            ids := ids || right(row.id::text, 2);
            position := row.cursor;
            fetched := fetched + 1;
        END LOOP;
        EXIT WHEN fetched < page_size;
        pages := pages + 1;
        IF pages > 100 THEN RAISE 'the walk does not end'; END IF;
    END LOOP;
    RETURN array_to_string(ids, ',');
END $$;

-- Walks backward with `before`, from the last row to the start; every page
-- comes in the listing's order, so pages are prepended.
CREATE FUNCTION pg_temp.walk_backward(order_by jsonb, page_size int, filter jsonb DEFAULT NULL)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE position text; ids text[]; page text[]; row record; pages int := 0;
BEGIN
    -- The last row: the first one of the reversed listing is not at hand, so
    -- walk to it once.
    SELECT right(l.id::text, 2), l.cursor INTO row
    FROM webhook.list_deliveries(filter => filter, order_by => order_by, page_size => 100)
         WITH ORDINALITY AS l
    ORDER BY l.ordinality DESC LIMIT 1;
    ids := ARRAY[row.right];
    position := row.cursor;
    LOOP
        page := '{}';
        FOR row IN SELECT l.id, l.cursor FROM webhook.list_deliveries(
                filter => filter, order_by => order_by, before => position, page_size => page_size)
                WITH ORDINALITY AS l ORDER BY l.ordinality LOOP
            page := page || right(row.id::text, 2);
            IF array_length(page, 1) = 1 THEN position := row.cursor; END IF;
        END LOOP;
        ids := page || ids;
        EXIT WHEN coalesce(array_length(page, 1), 0) < page_size;
        pages := pages + 1;
        IF pages > 100 THEN RAISE 'the walk does not end'; END IF;
    END LOOP;
    RETURN array_to_string(ids, ',');
END $$;

-- The same ids ordered by hand-written SQL.
CREATE FUNCTION pg_temp.ordered(order_sql text, condition text DEFAULT 'true') RETURNS text
LANGUAGE plpgsql AS $$
DECLARE result text;
BEGIN
    EXECUTE format('SELECT string_agg(right(d.id::text, 2), '','' ORDER BY %s) FROM webhook.delivery d WHERE %s',
                   order_sql, condition) INTO result;
    RETURN result;
END $$;

CREATE FUNCTION pg_temp.check_order(order_by jsonb, order_sql text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE expected text := pg_temp.ordered(order_sql);
BEGIN
    RETURN NEXT is((SELECT string_agg(right(l.id::text, 2), ',' ORDER BY l.ordinality)
                    FROM webhook.list_deliveries(order_by => order_by) WITH ORDINALITY AS l),
                   expected, order_by::text || ': one page');
    RETURN NEXT is(pg_temp.walk_forward(order_by, 5), expected, order_by::text || ': forward by 5');
    RETURN NEXT is(pg_temp.walk_forward(order_by, 1), expected, order_by::text || ': forward by 1');
    RETURN NEXT is(pg_temp.walk_backward(order_by, 7), expected, order_by::text || ': backward by 7');
    RETURN NEXT is(pg_temp.walk_backward(order_by, 1), expected, order_by::text || ': backward by 1');
END $$;

SELECT plan(81);

SELECT * FROM pg_temp.check_order(NULL, 'd.created_at DESC, d.id DESC');
SELECT * FROM pg_temp.check_order('[{"created_at": "asc"}]', 'd.created_at, d.id');
SELECT * FROM pg_temp.check_order('[{"status": "asc"}]', 'd.status, d.id');
SELECT * FROM pg_temp.check_order('[{"event_type": "desc"}]', 'd.event_type DESC, d.id DESC');
SELECT * FROM pg_temp.check_order('[{"http_status": "asc"}]', 'd.http_status ASC NULLS LAST, d.id');
SELECT * FROM pg_temp.check_order('[{"http_status": "asc_nulls_first"}]', 'd.http_status ASC NULLS FIRST, d.id');
SELECT * FROM pg_temp.check_order('[{"http_status": "asc_nulls_last"}]', 'd.http_status ASC NULLS LAST, d.id');
SELECT * FROM pg_temp.check_order('[{"http_status": "desc"}]', 'd.http_status DESC NULLS FIRST, d.id DESC');
SELECT * FROM pg_temp.check_order('[{"http_status": "desc_nulls_first"}]', 'd.http_status DESC NULLS FIRST, d.id DESC');
SELECT * FROM pg_temp.check_order('[{"http_status": "desc_nulls_last"}]', 'd.http_status DESC NULLS LAST, d.id DESC');
SELECT * FROM pg_temp.check_order('[{"status": "asc"}, {"next_attempt_at": "desc_nulls_last"}]',
                                  'd.status, d.next_attempt_at DESC NULLS LAST, d.id DESC');
SELECT * FROM pg_temp.check_order('[{"delivered_at": "asc_nulls_first"}, {"event_type": "desc"}, {"id": "asc"}]',
                                  'd.delivered_at ASC NULLS FIRST, d.event_type DESC, d.id');
SELECT * FROM pg_temp.check_order('[{"last_error": "desc_nulls_last"}, {"http_status": "asc_nulls_first"}, {"created_at": "desc"}]',
                                  'd.last_error DESC NULLS LAST, d.http_status ASC NULLS FIRST, d.created_at DESC, d.id DESC');
SELECT * FROM pg_temp.check_order('[{"workspace_id": "desc"}, {"attempt_count": "asc"}]',
                                  'd.workspace_id DESC, d.attempt_count, d.id');
SELECT * FROM pg_temp.check_order('[{"id": "asc"}]', 'd.id');

-- A walk over a filtered listing.
SELECT is(pg_temp.walk_forward('[{"next_attempt_at": "asc_nulls_first"}]', 2,
                               '{"or": [{"status": {"eq": "pending"}}, {"http_status": {"is_null": true}}]}'),
          pg_temp.ordered('d.next_attempt_at ASC NULLS FIRST, d.id', $$d.status = 'pending' OR d.http_status IS NULL$$),
          'a filtered walk');

-- A long text sort key (a last_error or event_type can be as long as the
-- column holds): its row's cursor is accepted like any other.
UPDATE webhook.delivery SET last_error = repeat('connection reset; ', 1500)
WHERE id = '00000000-0000-7000-8000-000000000007';
SELECT is(pg_temp.walk_forward('[{"last_error": "asc"}]', 1), pg_temp.ordered('d.last_error, d.id'),
          'a walk past a 27,000-character sort key, forward');
SELECT is(pg_temp.walk_backward('[{"last_error": "asc"}]', 1), pg_temp.ordered('d.last_error, d.id'),
          'and backward');
UPDATE webhook.delivery SET last_error = NULL WHERE id = '00000000-0000-7000-8000-000000000007';

-- A previous page looks like any page: before => first row of page 2 gives page 1.
SELECT is((SELECT string_agg(right(l.id::text, 2), ',' ORDER BY l.ordinality)
           FROM webhook.list_deliveries(page_size => 4, before => (
               SELECT cursor FROM webhook.list_deliveries(page_size => 5, after => (
                   SELECT cursor FROM webhook.list_deliveries(page_size => 4) WITH ORDINALITY AS f
                   WHERE f.ordinality = 4)) LIMIT 1)) WITH ORDINALITY AS l),
          (SELECT string_agg(right(l.id::text, 2), ',' ORDER BY l.ordinality)
           FROM webhook.list_deliveries(page_size => 4) WITH ORDINALITY AS l),
          'before returns the previous page in the listing''s order');

-- Rows inserted during a walk: rows before the position are not visited,
-- rows after it are, and no row is visited twice.
CREATE FUNCTION pg_temp.walk_while_inserting() RETURNS text LANGUAGE plpgsql AS $$
DECLARE position text; ids text[] := '{}'; row record; fetched int; pages int := 0;
BEGIN
    LOOP
        fetched := 0;
        FOR row IN SELECT l.id, l.cursor, l.created_at FROM webhook.list_deliveries(after => position, page_size => 5) AS l LOOP
            ids := ids || right(row.id::text, 2);
            position := row.cursor;
            fetched := fetched + 1;
        END LOOP;
        IF pages = 0 THEN
            -- After page 1 (24..20; 20 shares its created_at, 06:00, with 19 and 18).
            INSERT INTO webhook.delivery (id, workspace_id, endpoint_id, event_id, event_type, payload,
                max_attempts, next_attempt_at, created_at)
            SELECT ('00000000-0000-7000-8000-0000000000' || n)::uuid, 'a0000000-0000-0000-0000-00000000000a',
                   'e0000000-0000-7000-8000-000000000001', 'late-' || n, 'late', '{}', 5, NULL, at
            FROM (VALUES ('90', '2030-01-01 00:00+00'::timestamptz),  -- newest: before the position
                         ('91', '2024-03-01 06:00+00'),  -- same time as 20, greater id: before it
                         ('1a', '2024-03-01 06:00+00'),  -- same time, id between 19 and 20: after it
                         ('92', '2023-01-01 00:00+00'))  -- older than everything: at the end
                 AS v(n, at);
        END IF;
        EXIT WHEN fetched < 5;
        pages := pages + 1;
        IF pages > 100 THEN RAISE 'the walk does not end'; END IF;
    END LOOP;
    RETURN array_to_string(ids, ',');
END $$;
SELECT is(pg_temp.walk_while_inserting(),
          '24,23,22,21,20,1a,19,18,17,16,15,14,13,12,11,10,09,08,07,06,05,04,03,02,01,92',
          'a walk during inserts visits each row once and the new rows after its position');
DELETE FROM webhook.delivery WHERE event_id LIKE 'late-%';

-- The same backward: rows inserted before the position (newer) are visited
-- as the walk reaches them, rows after it (older) are not, none twice.
CREATE FUNCTION pg_temp.walk_backward_while_inserting() RETURNS text LANGUAGE plpgsql AS $$
DECLARE position text; ids text[]; page text[]; row record; pages int := 0;
BEGIN
    SELECT right(l.id::text, 2), l.cursor INTO row
    FROM webhook.list_deliveries(page_size => 100) WITH ORDINALITY AS l ORDER BY l.ordinality DESC LIMIT 1;
    ids := ARRAY[row.right];
    position := row.cursor;
    LOOP
        page := '{}';
        FOR row IN SELECT l.id, l.cursor FROM webhook.list_deliveries(before => position, page_size => 5)
                WITH ORDINALITY AS l ORDER BY l.ordinality LOOP
            page := page || right(row.id::text, 2);
            IF array_length(page, 1) = 1 THEN position := row.cursor; END IF;
        END LOOP;
        ids := page || ids;
        IF pages = 0 THEN
            -- After the page 06..02 (the walk started at 01).
            INSERT INTO webhook.delivery (id, workspace_id, endpoint_id, event_id, event_type, payload,
                max_attempts, next_attempt_at, created_at)
            SELECT ('00000000-0000-7000-8000-0000000000' || n)::uuid, 'a0000000-0000-0000-0000-00000000000a',
                   'e0000000-0000-7000-8000-000000000001', 'late-' || n, 'late', '{}', 5, NULL, at
            FROM (VALUES ('93', '2030-01-01 00:00+00'::timestamptz),  -- newest: before the position, visited
                         ('94', '2023-01-01 00:00+00'))  -- older than everything: after it, not visited
                 AS v(n, at);
        END IF;
        EXIT WHEN coalesce(array_length(page, 1), 0) < 5;
        pages := pages + 1;
        IF pages > 100 THEN RAISE 'the walk does not end'; END IF;
    END LOOP;
    RETURN array_to_string(ids, ',');
END $$;
SELECT is(pg_temp.walk_backward_while_inserting(),
          '93,24,23,22,21,20,19,18,17,16,15,14,13,12,11,10,09,08,07,06,05,04,03,02,01',
          'a backward walk during inserts visits each row once and the new rows before its position');
DELETE FROM webhook.delivery WHERE event_id LIKE 'late-%';

SELECT * FROM finish();
