-- webhook.list_deliveries and webhook.deliveries_page at the edges: values
-- at the limits of their types, patterns with escapes, refusals that must
-- carry a detail and a hint, and how the envelopes behave at the ends of a
-- listing. Found by an audit of the listing; each section says what it pins.
\i test/sql/fixtures/listing_setup.sql

-- 'SQLSTATE message | detail | hint' of the error `sql` raises, or 'no error'.
CREATE FUNCTION pg_temp.error_full(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE state text; message text; detail text; hint text;
BEGIN
    EXECUTE sql;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    RETURN concat_ws(' | ', state || ' ' || message, nullif(detail, ''), nullif(hint, ''));
END $$;
CREATE FUNCTION pg_temp.listed(filter jsonb) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(right(l.id::text, 2), ',' ORDER BY l.ordinality), '')
    FROM webhook.list_deliveries(filter => filter) WITH ORDINALITY AS l $$;

SELECT plan(51);

-- A LIKE pattern that ends with its escape character: refused before
-- anything runs (22025, as Postgres), with a detail and a hint, whatever the
-- data. Postgres itself raises it only when a row's text reaches the end of
-- the pattern: 'timeout' LIKE 'a\' fails at the first letter and matched
-- nothing, so the same filter failed or not depending on the rows.
SELECT is(pg_temp.error_full($$SELECT * FROM webhook.list_deliveries(filter => '{"last_error": {"like": "a\\"}}')$$),
          '22025 pattern of "like" on field "last_error" ends with an escape character'
          ' | In a LIKE pattern a backslash escapes the character after it, and this pattern ends with a backslash that escapes nothing.'
          ' | To match a backslash, double it (\\ in the pattern, written "\\\\" in JSON).',
          'like: a pattern ending in a backslash is refused, also when no row reaches its end');
SELECT is(left(pg_temp.error_full($$SELECT * FROM webhook.list_deliveries(ids => '{}', filter => '{"endpoint": {"url": {"ilike": "x\\"}}}')$$), 62),
          '22025 pattern of "ilike" on field "url" ends with an escape ch',
          'ilike through the endpoint too, also on an empty listing');
SELECT is(left(pg_temp.error_full($$SELECT webhook.count_deliveries(filter => '{"event_type": {"like": "invoice\\\\\\"}}')$$), 5),
          '22025', 'count_deliveries too: an escaped backslash then a lone one');
SELECT is(pg_temp.listed('{"event_type": {"like": "%\\\\"}}'), '', 'an escaped backslash at the end is a pattern like any');
UPDATE webhook.delivery SET last_error = 'C:\temp\50%_done' WHERE id = '00000000-0000-7000-8000-000000000007';
SELECT is(pg_temp.listed('{"last_error": {"like": "C:\\\\temp\\\\50\\%\\_%"}}'), '07',
          'escapes of a backslash, a percent sign and an underscore match those characters');
SELECT is(pg_temp.listed('{"last_error": {"ilike": "c:\\\\TEMP%DON\\E"}}'), '07',
          'ilike: an escaped letter matches itself in either case');
UPDATE webhook.delivery SET last_error = NULL WHERE id = '00000000-0000-7000-8000-000000000007';

-- count => 'estimated' (for a caller that sees every workspace, as here):
-- the planner's guess, but never one that the page itself contradicts. With
-- full statistics of these 24 rows, the planner assumes event_type and
-- status independent: it expects 1 row of invoice.paid and pending (there
-- are 2: 04 and 16) and 1 of invoice.paid and retrying (there are none).
ANALYZE webhook.delivery;
SELECT is(webhook.count_deliveries(filter => '{"event_type": {"eq": "invoice.paid"}, "status": {"eq": "pending"}}',
                                   estimated => true), 1::bigint, 'the planner under-estimates one filter');
SELECT is(webhook.count_deliveries(filter => '{"event_type": {"eq": "invoice.paid"}, "status": {"eq": "retrying"}}',
                                   estimated => true), 1::bigint, 'and over-estimates another');
SELECT is(webhook.deliveries_page(filter => '{"event_type": {"eq": "invoice.paid"}, "status": {"eq": "pending"}}',
                                  page_size => 1, page => 2, count => 'estimated') -> 'pagination',
          '{"page": 2, "has_next": false, "page_size": 1, "total_count": 2, "total_pages": 2, "has_previous": true}',
          'estimated, offset mode: the last page knows the total (the guess said 1 page, and this is page 2)');
SELECT is(webhook.deliveries_page(filter => '{"event_type": {"eq": "invoice.paid"}, "status": {"eq": "pending"}}',
                                  page_size => 1, page => 1, count => 'estimated') #> '{pagination,total_count}',
          '2', 'estimated, offset mode: at least the rows seen, the look-ahead row included');
SELECT is(webhook.deliveries_page(filter => '{"event_type": {"eq": "invoice.paid"}, "status": {"eq": "retrying"}}',
                                  page => 1, count => 'estimated') -> 'pagination',
          '{"page": 1, "has_next": false, "page_size": 100, "total_count": 0, "total_pages": 0, "has_previous": false}',
          'estimated, offset mode: an empty first page is an empty listing');
SELECT is(webhook.deliveries_page(filter => '{"event_type": {"eq": "invoice.paid"}, "status": {"in": ["retrying", "delivered", "cancelled"]}}',
                                  page_size => 1, page => 2, count => 'estimated') -> 'pagination',
          '{"page": 2, "has_next": false, "page_size": 1, "total_count": 1, "total_pages": 1, "has_previous": true}',
          'estimated, offset mode: an empty page 2 caps the guess (3) at the rows page 1 can hold');
SELECT is(webhook.deliveries_page(filter => '{"event_type": {"eq": "invoice.paid"}, "status": {"eq": "pending"}}',
                                  page_size => 1, count => 'estimated') #> '{pageInfo,total}',
          '2', 'estimated, cursor mode: at least the rows seen and the next one');
SELECT is(webhook.deliveries_page(filter => '{"event_type": {"eq": "invoice.paid"}, "status": {"eq": "retrying"}}',
                                  count => 'estimated') #> '{pageInfo,total}',
          '0', 'estimated, cursor mode: a first page without a next one is the whole listing');

-- Names a caller wrote (fields, operators, directions) are quoted in
-- messages as JSON strings: a quote or a backslash in a JSON key cannot make
-- the message say something else, nor a control character (a newline, an
-- escape sequence) reach the client's terminal or the server log raw.
SELECT is(pg_temp.error_full($$SELECT * FROM webhook.list_deliveries(filter => '{"status\" OR \"1": {"eq": "x"}}')$$),
          '22023 unknown filter field "status\" OR \"1" | Filters apply to the columns of webhook.delivery other than payload.'
          ' | Fields: id, workspace_id, endpoint_id, event_id, event_type, payload_hash, status, attempt_count, max_attempts, next_attempt_at, last_attempted_at, last_error, http_status, response_body, delivered_at, created_at, updated_at, endpoint; and, or, not combine filters.',
          'a quote in a field name is escaped in the message');
SELECT is(left(pg_temp.error_full($$SELECT * FROM webhook.list_deliveries(filter => '{"status": {"eq\n\u001b[2J\\": "x"}}')$$), 55),
          '22023 unknown filter operator "eq\n\u001b[2J\\" | The o',
          'a newline, an escape character and a backslash in an operator are escaped');
SELECT is(left(pg_temp.error_full($$SELECT * FROM webhook.list_deliveries(order_by => '[{"sta\ttus": "asc"}]')$$), 37),
          '22023 unknown sort field "sta\ttus" |', 'a tab in a sort field');
SELECT is(left(pg_temp.error_full($$SELECT * FROM webhook.list_deliveries(order_by => '[{"status": "asc\""}]')$$), 66),
          '22023 unknown sort direction "asc\"" for field "status" | A direct', 'a quote in a direction');
SELECT is(left(pg_temp.error_full($$SELECT * FROM webhook.list_deliveries(order_by => '[{"id": "asc"}, {"\u00e9\"": "asc"}]')$$), 41),
          '22023 order_by key "é\"" comes after id |', 'a key after id');
SELECT is(pg_temp.error_full(format('SELECT * FROM webhook.list_deliveries(filter => %L)',
                                    jsonb_build_object(repeat('"', 70), '{"eq": 1}'::jsonb))),
          '22023 unknown filter field "' || repeat('\"', 61) || '..." | Filters apply to the columns of webhook.delivery other than payload.'
          ' | Fields: id, workspace_id, endpoint_id, event_id, event_type, payload_hash, status, attempt_count, max_attempts, next_attempt_at, last_attempted_at, last_error, http_status, response_body, delivered_at, created_at, updated_at, endpoint; and, or, not combine filters.',
          'a long name is cut, then quoted');

-- A detail describes what was given: an object of the wrong size is not
-- just "an object".
SELECT is(pg_temp.error_full($$SELECT * FROM webhook.list_deliveries(order_by => '[{"status": "asc", "id": "desc"}]')$$),
          '22023 each order_by element must be an object with exactly one key | An element of order_by is an object with 2 keys.'
          ' | Give order_by as a JSON array of single-key objects, for example [{"status": "asc"}, {"created_at": "desc_nulls_last"}].',
          'an order_by element with two keys');
SELECT is(pg_temp.error_full($$SELECT * FROM webhook.list_deliveries(filter => '{"http_status": {}}')$$),
          '22023 filter field "http_status" needs an object of operators | Its value is an empty object.'
          ' | Write {"http_status": {"eq": value}}; operators: eq, neq, gt, gte, lt, lte, in, nin, like, ilike, is_null.',
          'a field with an empty object of operators');

-- null as a value: refused, with a hint that leads to what the operator
-- meant. "Use is_null: true" was right for eq and in, and the opposite of
-- what neq null or a nin list holding null asks for.
SELECT is(pg_temp.error_full($$SELECT * FROM webhook.list_deliveries(filter => '{"http_status": {"eq": null}}')$$),
          '22023 operator "eq" on field "http_status" cannot take null | A comparison with null matches nothing.'
          ' | To match rows whose http_status is NULL, write {"http_status": {"is_null": true}}.',
          'eq null: is_null true');
SELECT is(pg_temp.error_full($$SELECT * FROM webhook.list_deliveries(filter => '{"http_status": {"neq": null}}')$$),
          '22023 operator "neq" on field "http_status" cannot take null | A comparison with null matches nothing.'
          ' | To match rows whose http_status is not NULL, write {"http_status": {"is_null": false}}.',
          'neq null: is_null false');
SELECT is(pg_temp.error_full($$SELECT * FROM webhook.list_deliveries(filter => '{"http_status": {"in": [200, null]}}')$$),
          '22023 operator "in" on field "http_status" cannot take null | A list of values cannot hold null: a comparison with null matches nothing.'
          ' | Leave null out of the list; to match rows whose http_status is NULL too, write {"or": [{"http_status": {"in": [...]}}, {"http_status": {"is_null": true}}]}.',
          'in with a null: leave it out, or an "or" with is_null true');
SELECT is(pg_temp.error_full($$SELECT * FROM webhook.list_deliveries(filter => '{"http_status": {"nin": [null]}}')$$),
          '22023 operator "nin" on field "http_status" cannot take null | A list of values cannot hold null: a comparison with null matches nothing.'
          ' | Leave null out of the list; to leave out rows whose http_status is NULL too, add "is_null": false beside "nin".',
          'nin with a null: leave it out, and add is_null false');
SELECT is(pg_temp.error_full($$SELECT * FROM webhook.list_deliveries(filter => '{"delivered_at": {"lt": null}}')$$),
          '22023 operator "lt" on field "delivered_at" cannot take null | A comparison with null matches nothing.'
          ' | Compare with a value; to test whether delivered_at is NULL, write {"delivered_at": {"is_null": true}} (or false).',
          'lt null: a value, or is_null');
-- What those hints say, done: the same rows as the SQL they stand for.
SELECT is(pg_temp.listed('{"http_status": {"nin": [200], "is_null": false}}'),
          pg_temp.expected('http_status IS NOT NULL AND http_status <> 200'), 'nin beside is_null false');

-- Sort keys at the edges of their types: the largest and smallest
-- integers, infinite timestamps, and timestamps before 1970, after 2038, in
-- 4713 BC and in 294276 AD. Walks of one row per page, forward and
-- backward, visit every row once, in the order plain SQL gives.
CREATE TEMP TABLE saved AS SELECT id, http_status, created_at, next_attempt_at FROM webhook.delivery;
UPDATE webhook.delivery SET http_status = -2147483648 WHERE right(id::text, 2) IN ('01', '02');
UPDATE webhook.delivery SET http_status = 2147483647 WHERE right(id::text, 2) IN ('05', '06');
UPDATE webhook.delivery SET created_at = 'infinity' WHERE right(id::text, 2) IN ('07', '08');
UPDATE webhook.delivery SET created_at = '-infinity' WHERE right(id::text, 2) IN ('09', '10');
UPDATE webhook.delivery SET created_at = '1969-12-31 23:59:59.999999+00' WHERE right(id::text, 2) = '11';
UPDATE webhook.delivery SET created_at = '2038-01-19 03:14:08+00' WHERE right(id::text, 2) = '12';
UPDATE webhook.delivery SET created_at = '4713-01-01 00:00+00 BC' WHERE right(id::text, 2) = '13';
UPDATE webhook.delivery SET created_at = '294276-12-31 23:59:59.999999+00' WHERE right(id::text, 2) = '14';
UPDATE webhook.delivery SET next_attempt_at = 'infinity' WHERE right(id::text, 2) IN ('15', '17');
UPDATE webhook.delivery SET next_attempt_at = '-infinity' WHERE right(id::text, 2) = '16';
CREATE FUNCTION pg_temp.walk(order_by jsonb, backward boolean) RETURNS text LANGUAGE plpgsql AS $$
DECLARE position text; ids text[] := '{}'; r record; n int; pages int := 0;
BEGIN
    IF backward THEN  -- from the last row
        SELECT l.id, l.cursor INTO r FROM webhook.list_deliveries(order_by => order_by) WITH ORDINALITY AS l
        ORDER BY l.ordinality DESC LIMIT 1;
        ids := ARRAY[right(r.id::text, 2)];
        position := r.cursor;
    END IF;
    LOOP
        n := 0;
        FOR r IN SELECT l.id, l.cursor FROM webhook.list_deliveries(order_by => order_by, page_size => 1,
                     after => CASE WHEN NOT backward THEN position END,
                     before => CASE WHEN backward THEN position END) AS l LOOP
            ids := CASE WHEN backward THEN right(r.id::text, 2) || ids ELSE ids || right(r.id::text, 2) END;
            position := r.cursor;
            n := n + 1;
        END LOOP;
        EXIT WHEN n = 0;
        pages := pages + 1;
        IF pages > 100 THEN RAISE 'the walk does not end'; END IF;
    END LOOP;
    RETURN array_to_string(ids, ',');
END $$;
CREATE FUNCTION pg_temp.ordered(order_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE result text;
BEGIN
    EXECUTE 'SELECT string_agg(right(id::text, 2), '','' ORDER BY ' || order_sql || ') FROM webhook.delivery' INTO result;
    RETURN result;
END $$;
SELECT is(pg_temp.walk(o::jsonb, backward), pg_temp.ordered(sql), o || CASE WHEN backward THEN ', backward' ELSE ', forward' END)
FROM (VALUES ('[{"http_status": "asc"}]', 'http_status ASC NULLS LAST, id'),
             ('[{"http_status": "desc_nulls_last"}]', 'http_status DESC NULLS LAST, id DESC'),
             ('[{"created_at": "asc"}]', 'created_at, id'),
             ('[{"next_attempt_at": "asc_nulls_first"}, {"http_status": "desc"}]',
              'next_attempt_at ASC NULLS FIRST, http_status DESC NULLS FIRST, id DESC'),
             ('[{"next_attempt_at": "desc_nulls_last"}, {"created_at": "asc"}]',
              'next_attempt_at DESC NULLS LAST, created_at, id')) AS v(o, sql),
     (VALUES (false), (true)) AS w(backward);
SELECT is((SELECT string_agg(right(id::text, 2), ',' ORDER BY id) FROM webhook.list_deliveries(
              filter => '{"or": [{"created_at": {"eq": "infinity"}}, {"created_at": {"lte": "-infinity"}}, {"http_status": {"eq": -2147483648}}]}')),
          '01,02,07,08,09,10', 'infinite timestamps and the smallest integer as filter values');
SELECT is((SELECT count(*)::int FROM webhook.list_deliveries(created_after => '-infinity', created_before => 'infinity')),
          24, 'created_after -infinity and created_before infinity: every row');
UPDATE webhook.delivery d SET http_status = s.http_status, created_at = s.created_at, next_attempt_at = s.next_attempt_at
FROM saved s WHERE s.id = d.id;

-- uuids in every form Postgres reads (upper case, braces, no dashes), and
-- is_null on columns that are never NULL.
SELECT is(pg_temp.listed('{"endpoint_id": {"in": ["E0000000-0000-7000-8000-000000000001", "{e0000000-0000-7000-8000-000000000002}", "e0000000000070008000000000000003"]}}'),
          pg_temp.expected('true'), 'uuids in upper case, in braces and without dashes');
SELECT is(pg_temp.listed('{"status": {"is_null": true}}'), '', 'is_null true on a NOT NULL column: nothing');
SELECT is(pg_temp.listed('{"not": {"id": {"is_null": true}}, "created_at": {"is_null": false}}'), pg_temp.expected('true'),
          'is_null false (and not is_null true) on a NOT NULL column: everything');

-- A cursor is the listing's, whichever function gave it: one from
-- list_deliveries continues in deliveries_page and the other way round;
-- and an order_by written differently but meaning the same order (the
-- implied id tie-breaker spelt out, asc for asc_nulls_last, other
-- whitespace) takes it too.
CREATE TEMP TABLE third AS
    SELECT cursor FROM webhook.list_deliveries(page_size => 3) WITH ORDINALITY AS l WHERE l.ordinality = 3;
SELECT is((SELECT string_agg(d ->> 'event_id', ',') FROM jsonb_array_elements(
              webhook.deliveries_page(page_size => 3, after => (SELECT cursor FROM third)) -> 'data') AS d),
          (SELECT string_agg(event_id, ',') FROM webhook.list_deliveries(page_size => 3, after => (SELECT cursor FROM third))),
          'a list_deliveries cursor in deliveries_page');
SELECT is((SELECT string_agg(event_id, ',') FROM webhook.list_deliveries(page_size => 3,
              after => webhook.deliveries_page(page_size => 3, page => 2) #>> '{data,2,cursor}')),
          (SELECT string_agg(d ->> 'event_id', ',') FROM jsonb_array_elements(
              webhook.deliveries_page(page_size => 3, page => 3) -> 'data') AS d),
          'a deliveries_page cursor in list_deliveries');
CREATE TEMP TABLE by_status AS
    SELECT cursor FROM webhook.list_deliveries(order_by => '[{"http_status": "asc"}]', page_size => 5)
    WITH ORDINALITY AS l WHERE l.ordinality = 5;
SELECT is((SELECT string_agg(right(id::text, 2), ',') FROM webhook.list_deliveries(
              order_by => '[ {"http_status" :   "asc_nulls_last"} ,{"id":"asc"}]', page_size => 3,
              after => (SELECT cursor FROM by_status))),
          (SELECT string_agg(right(id::text, 2), ',') FROM webhook.list_deliveries(
              order_by => '[{"http_status": "asc"}]', page_size => 3, after => (SELECT cursor FROM by_status))),
          'the same order written differently takes the same cursor');
SELECT is(left(pg_temp.error_full(format($$SELECT * FROM webhook.list_deliveries(order_by => '[{"http_status": "asc_nulls_first"}]', after => %L)$$,
                                         (SELECT cursor FROM by_status))), 62),
          '22023 cursor in after belongs to a different order_by | A curs', 'another NULL placement is another order');

-- Every row of a page is its table row, column for column, and its cursor
-- leads to the rows on either side of it, whichever way the statement made
-- the rows: the table's own tuple from an index scan (the cursor appended to
-- its bytes), a Sort's copy of it, or a row a join formed; with NULL columns
-- and without any (a tuple with none has no null bitmap). An empty text if
-- so, else what differs.
CREATE FUNCTION pg_temp.rows_and_cursors_hold(order_by jsonb, filter jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    listed jsonb[];
    wrong text;
    neighbour uuid;
BEGIN
    SELECT array_agg(to_jsonb(l) - 'ordinality' ORDER BY l.ordinality) INTO listed
    FROM webhook.list_deliveries(order_by => order_by, filter => filter) WITH ORDINALITY AS l;
    SELECT string_agg(right(r ->> 'id', 2), ',') INTO wrong
    FROM unnest(listed) AS r JOIN webhook.delivery d ON d.id = (r ->> 'id')::uuid
    WHERE r - 'cursor' <> to_jsonb(d);
    IF wrong IS NOT NULL THEN RETURN 'columns differ in ' || wrong; END IF;
    FOR i IN 1 .. coalesce(array_length(listed, 1), 0) LOOP
        SELECT id INTO neighbour FROM webhook.list_deliveries(order_by => order_by, filter => filter,
                                                              after => listed[i] ->> 'cursor', page_size => 1);
        IF neighbour IS DISTINCT FROM (listed[i + 1] ->> 'id')::uuid THEN
            RETURN format('after row %s: %s', i, neighbour);
        END IF;
        SELECT id INTO neighbour FROM webhook.list_deliveries(order_by => order_by, filter => filter,
                                                              before => listed[i] ->> 'cursor', page_size => 1);
        IF neighbour IS DISTINCT FROM (listed[i - 1] ->> 'id')::uuid THEN
            RETURN format('before row %s: %s', i, neighbour);
        END IF;
    END LOOP;
    RETURN '';
END $$;
UPDATE webhook.delivery
SET next_attempt_at = created_at + interval '1 hour', last_attempted_at = created_at, last_error = 'HTTP 500',
    http_status = 500, response_body = 'try later', delivered_at = created_at
WHERE id = '00000000-0000-7000-8000-000000000009';
SELECT is((SELECT count(*)::int FROM webhook.delivery d
           WHERE NOT EXISTS (SELECT FROM jsonb_each(to_jsonb(d)) AS c WHERE c.value = 'null')),
          1, 'one row has no NULL column');
-- Plans forced so, whatever the table's size: an index scan for the default
-- order (the table's tuples), a nested loop for an endpoint condition (a
-- join's rows, formed anew) and, with no index on attempt_count, a Sort.
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SET enable_sort = off;
SET enable_hashjoin = off;
SET enable_mergejoin = off;
SELECT is(pg_temp.rows_and_cursors_hold(NULL, '{"created_at": {"gte": "2000-01-01T00:00:00Z"}}'), '',
          'rows and cursors hold in the order an index scan yields');
SELECT is(pg_temp.rows_and_cursors_hold(NULL, '{"endpoint": {"enabled": {"eq": true}}}'), '',
          'through a join');
RESET enable_seqscan;
RESET enable_bitmapscan;
RESET enable_sort;
RESET enable_hashjoin;
RESET enable_mergejoin;
SELECT is(pg_temp.rows_and_cursors_hold('[{"attempt_count": "desc"}, {"last_error": "asc_nulls_first"}]', NULL), '',
          'and in the order of a Sort');

SELECT * FROM finish();
