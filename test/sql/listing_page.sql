-- webhook.deliveries_page envelopes, cursor validation and argument refusals.
\i test/sql/fixtures/listing_setup.sql

-- Cursor bytes, for tampering with them.
CREATE FUNCTION pg_temp.unpack(cursor text) RETURNS bytea LANGUAGE sql AS $$
    SELECT decode(rpad(translate(cursor, '-_', '+/'), (length(cursor) + 3) / 4 * 4, '='), 'base64') $$;
CREATE FUNCTION pg_temp.pack(bytes bytea) RETURNS text LANGUAGE sql AS $$
    SELECT rtrim(translate(replace(encode(bytes, 'base64'), E'\n', ''), '+/', '-_'), '=') $$;
CREATE FUNCTION pg_temp.ids(page jsonb) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(right(e ->> 'id', 2), ',' ORDER BY n), '')
    FROM jsonb_array_elements(page -> 'data') WITH ORDINALITY AS x(e, n) $$;
CREATE FUNCTION pg_temp.listed_ids(page_size int, after text DEFAULT NULL) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(right(l.id::text, 2), ',' ORDER BY l.ordinality), '')
    FROM webhook.list_deliveries(page_size => page_size, after => after) WITH ORDINALITY AS l $$;

CREATE TEMP TABLE pages (name text PRIMARY KEY, page jsonb);
INSERT INTO pages VALUES ('first', webhook.deliveries_page(page_size => 10));
INSERT INTO pages SELECT 'second', webhook.deliveries_page(page_size => 10, after => page #>> '{pageInfo,endCursor}')
    FROM pages WHERE name = 'first';
INSERT INTO pages SELECT 'third', webhook.deliveries_page(page_size => 10, after => page #>> '{pageInfo,endCursor}')
    FROM pages WHERE name = 'second';
INSERT INTO pages SELECT 'back to second', webhook.deliveries_page(page_size => 10, before => page #>> '{pageInfo,startCursor}')
    FROM pages WHERE name = 'third';
INSERT INTO pages SELECT 'back to first', webhook.deliveries_page(page_size => 10, before => page #>> '{pageInfo,startCursor}')
    FROM pages WHERE name = 'back to second';
INSERT INTO pages VALUES ('offset 1', webhook.deliveries_page(page_size => 10, page => 1));
INSERT INTO pages VALUES ('offset 3', webhook.deliveries_page(page_size => 10, page => 3));
INSERT INTO pages VALUES ('offset 4', webhook.deliveries_page(page_size => 10, page => 4));
INSERT INTO pages VALUES ('offset 2 none', webhook.deliveries_page(page_size => 10, page => 2, count => 'none'));
INSERT INTO pages VALUES ('offset 3 none', webhook.deliveries_page(page_size => 10, page => 3, count => 'none'));
INSERT INTO pages VALUES ('none', webhook.deliveries_page(page_size => 24, count => 'none'));
INSERT INTO pages VALUES ('none full', webhook.deliveries_page(page_size => 23, count => 'none'));
INSERT INTO pages VALUES ('estimated', webhook.deliveries_page(page_size => 5, count => 'estimated'));
INSERT INTO pages VALUES ('empty', webhook.deliveries_page(status => 'pending', event_type => 'nothing'));

SELECT plan(48);

-- The row type is every delivery column, in order, then the cursor.
SELECT is((SELECT array_agg(attname::text || ' ' || format_type(atttypid, atttypmod) ORDER BY attnum)
           FROM pg_attribute WHERE attrelid = 'webhook.listed_delivery'::regclass AND attnum > 0 AND NOT attisdropped),
          (SELECT array_agg(attname::text || ' ' || format_type(atttypid, atttypmod) ORDER BY attnum)
           FROM pg_attribute WHERE attrelid = 'webhook.delivery'::regclass AND attnum > 0 AND NOT attisdropped)
          || 'cursor text'::text,
          'listed_delivery has every delivery column in table order, then cursor');

-- Cursor envelopes, forward and back.
SELECT is((SELECT pg_temp.ids(page) FROM pages WHERE name = 'first'), pg_temp.listed_ids(10), 'first page data');
SELECT is((SELECT (page -> 'pageInfo') - 'startCursor' - 'endCursor' FROM pages WHERE name = 'first'),
          '{"total": 24, "hasNextPage": true, "hasPreviousPage": false}', 'first page info');
SELECT is((SELECT page #>> '{pageInfo,startCursor}' = page #>> '{data,0,cursor}'
              AND page #>> '{pageInfo,endCursor}' = page #>> '{data,9,cursor}' FROM pages WHERE name = 'first'),
          true, 'startCursor and endCursor are the first and last rows'' cursors');
SELECT is((SELECT pg_temp.ids(page) FROM pages WHERE name = 'second'), '14,13,12,11,10,09,08,07,06,05', 'second page data');
SELECT is((SELECT (page -> 'pageInfo') - 'startCursor' - 'endCursor' FROM pages WHERE name = 'second'),
          '{"total": 24, "hasNextPage": true, "hasPreviousPage": true}', 'second page info');
SELECT is((SELECT pg_temp.ids(page) FROM pages WHERE name = 'third'), '04,03,02,01', 'third page data');
SELECT is((SELECT (page -> 'pageInfo') - 'startCursor' - 'endCursor' FROM pages WHERE name = 'third'),
          '{"total": 24, "hasNextPage": false, "hasPreviousPage": true}', 'last page info');
SELECT is((SELECT pg_temp.ids(page) FROM pages WHERE name = 'back to second'),
          (SELECT pg_temp.ids(page) FROM pages WHERE name = 'second'), 'before the third page is the second, in order');
SELECT is((SELECT (page -> 'pageInfo') - 'startCursor' - 'endCursor' FROM pages WHERE name = 'back to second'),
          '{"total": 24, "hasNextPage": true, "hasPreviousPage": true}', 'its page info');
SELECT is((SELECT pg_temp.ids(page) FROM pages WHERE name = 'back to first'),
          (SELECT pg_temp.ids(page) FROM pages WHERE name = 'first'), 'and before that the first');
SELECT is((SELECT (page -> 'pageInfo') - 'startCursor' - 'endCursor' FROM pages WHERE name = 'back to first'),
          '{"total": 24, "hasNextPage": true, "hasPreviousPage": false}', 'whose previous page does not exist');
SELECT is((SELECT array(SELECT jsonb_object_keys(page -> 'data' -> 0) ORDER BY 1) FROM pages WHERE name = 'first'),
          ARRAY['attempt_count', 'created_at', 'cursor', 'delivered_at', 'endpoint_id', 'event_id', 'event_type',
                'http_status', 'id', 'last_attempted_at', 'last_error', 'max_attempts', 'next_attempt_at', 'payload',
                'payload_hash', 'response_body', 'status', 'updated_at', 'workspace_id'],
          'a data row has every column and its cursor');
SELECT is((SELECT page #> '{data,0,payload}' FROM pages WHERE name = 'first'), '{"n": 24}', 'payload is JSON');

-- count modes; hasNextPage stays exact without a count.
SELECT is((SELECT (page -> 'pageInfo') - 'startCursor' - 'endCursor' FROM pages WHERE name = 'none'),
          '{"total": null, "hasNextPage": false, "hasPreviousPage": false}', 'count none: a page holding every row');
SELECT is((SELECT (page -> 'pageInfo') - 'startCursor' - 'endCursor' FROM pages WHERE name = 'none full'),
          '{"total": null, "hasNextPage": true, "hasPreviousPage": false}', 'count none: one row left');
SELECT is((SELECT jsonb_typeof(page #> '{pageInfo,total}') FROM pages WHERE name = 'estimated'), 'number',
          'count estimated gives a number');
SELECT is((SELECT jsonb_array_length(page -> 'data') FROM pages WHERE name = 'estimated'), 5, 'of a normal page');
SELECT is((SELECT page FROM pages WHERE name = 'empty'),
          '{"data": [], "pageInfo": {"total": 0, "endCursor": null, "hasNextPage": false, "startCursor": null, "hasPreviousPage": false}}',
          'an empty listing');

-- Offset pages.
SELECT is((SELECT pg_temp.ids(page) FROM pages WHERE name = 'offset 1'),
          (SELECT pg_temp.ids(page) FROM pages WHERE name = 'first'), 'offset page 1 is the first cursor page');
SELECT is((SELECT page -> 'pagination' FROM pages WHERE name = 'offset 1'),
          '{"page": 1, "has_next": true, "page_size": 10, "total_count": 24, "total_pages": 3, "has_previous": false}',
          'offset page 1 pagination');
SELECT is((SELECT pg_temp.ids(page) FROM pages WHERE name = 'offset 3'), '04,03,02,01', 'offset page 3');
SELECT is((SELECT page -> 'pagination' FROM pages WHERE name = 'offset 3'),
          '{"page": 3, "has_next": false, "page_size": 10, "total_count": 24, "total_pages": 3, "has_previous": true}',
          'offset page 3 pagination');
SELECT is((SELECT page FROM pages WHERE name = 'offset 4'),
          '{"data": [], "pagination": {"page": 4, "has_next": false, "page_size": 10, "total_count": 24, "total_pages": 3, "has_previous": true}}',
          'a page past the end is empty');
SELECT is((SELECT page -> 'pagination' FROM pages WHERE name = 'offset 2 none'),
          '{"page": 2, "has_next": true, "page_size": 10, "total_count": null, "total_pages": null, "has_previous": true}',
          'count none: has_next still exact (true)');
SELECT is((SELECT page -> 'pagination' FROM pages WHERE name = 'offset 3 none'),
          '{"page": 3, "has_next": false, "page_size": 10, "total_count": null, "total_pages": null, "has_previous": true}',
          'count none: has_next still exact (false)');

-- Refused arguments.
SELECT is(pg_temp.error_text('SELECT * FROM webhook.list_deliveries(page_size => 0)'),
          '22023 page_size must be between 1 and 100 | Ask for 1 to 100 rows, and follow the last row''s cursor with after for more.',
          'page_size 0');
SELECT is(left(pg_temp.error_text('SELECT * FROM webhook.list_deliveries(page_size => 101)'), 5), '22023', 'page_size 101');
SELECT is((SELECT count(*)::int FROM webhook.list_deliveries(page_size => NULL)), 24, 'page_size NULL means the default, 100');
SELECT is(left(pg_temp.error_text('SELECT webhook.deliveries_page(page_size => 101)'), 5), '22023', 'deliveries_page: page_size 101');
SELECT is((SELECT webhook.deliveries_page(page_size => NULL, count => NULL, page => 1) -> 'pagination'),
          '{"page": 1, "has_next": false, "page_size": 100, "total_count": 24, "total_pages": 1, "has_previous": false}',
          'deliveries_page: NULL page_size and count mean the defaults (100, exact)');
SELECT is(pg_temp.error_text('SELECT webhook.deliveries_page(page => 0)'),
          '22023 page must be 1 or more | Pages are numbered from 1.', 'page 0');
SELECT is(pg_temp.error_text($$SELECT webhook.deliveries_page(count => 'roughly')$$),
          $$22023 unknown count mode 'roughly' | Use exact, estimated or none.$$, 'an unknown count mode');
SELECT is(pg_temp.error_text(format('SELECT webhook.deliveries_page(page => 2, after => %L)',
                                  (SELECT page #>> '{pageInfo,endCursor}' FROM pages WHERE name = 'first'))),
          '22023 page cannot be combined with after or before | Pass either page or a cursor, not both.', 'page with after');
SELECT is(pg_temp.error_text(format('SELECT * FROM webhook.list_deliveries(after => %1$L, before => %1$L)',
                                  (SELECT page #>> '{pageInfo,endCursor}' FROM pages WHERE name = 'first'))),
          '22023 after and before cannot be used together | Pass only after (next page) or only before (previous page).',
          'after with before');
SELECT is(left(pg_temp.error_text(format('SELECT webhook.deliveries_page(after => %1$L, before => %1$L)',
                                  (SELECT page #>> '{pageInfo,endCursor}' FROM pages WHERE name = 'first'))), 5),
          '22023', 'deliveries_page: after with before');
SELECT is(pg_temp.error_text($$SELECT * FROM webhook.list_deliveries(order_by => '[{"colour": "asc"}]')$$),
          '22023 unknown sort field "colour" | Sortable fields: id, workspace_id, endpoint_id, event_id, event_type, payload_hash, status, attempt_count, max_attempts, next_attempt_at, last_attempted_at, last_error, http_status, delivered_at, created_at, updated_at.',
          'an unknown sort field');
SELECT is(pg_temp.error_text($$SELECT * FROM webhook.list_deliveries(order_by => '[{"status": "upward"}]')$$),
          '22023 unknown sort direction "upward" for field "status" | Directions: asc, desc, asc_nulls_first, asc_nulls_last, desc_nulls_first, desc_nulls_last.',
          'an unknown direction');

-- Cursors: garbled, truncated, tampered with, from another order, of an
-- unknown version: each 22023 with a hint.
CREATE TEMP TABLE some_cursor AS SELECT page #>> '{pageInfo,endCursor}' AS c FROM pages WHERE name = 'first';
SELECT is(pg_temp.error_text($$SELECT * FROM webhook.list_deliveries(after => 'not a cursor at all!')$$),
          '22023 invalid cursor in after | Pass a cursor exactly as a listing with the same order_by returned it, or list again without after and before.',
          'a garbled cursor');
SELECT is(left(pg_temp.error_text(format('SELECT * FROM webhook.list_deliveries(before => %L)', (SELECT left(c, 30) FROM some_cursor))), 34),
          '22023 invalid cursor in before | P', 'a truncated cursor');
SELECT is(left(pg_temp.error_text(format('SELECT * FROM webhook.list_deliveries(after => %L)',
              (SELECT pg_temp.pack(set_byte(pg_temp.unpack(c), 10, get_byte(pg_temp.unpack(c), 10) # 1)) FROM some_cursor))), 33),
          '22023 invalid cursor in after | P', 'a cursor with one bit changed');
SELECT is(left(pg_temp.error_text(format('SELECT * FROM webhook.list_deliveries(after => %L)',
              (SELECT pg_temp.pack(set_byte(pg_temp.unpack(c), 0, 1)) FROM some_cursor))), 43),
          '22023 unsupported cursor version in after |', 'a cursor of another version');
SELECT is(left(pg_temp.error_text(format($$SELECT * FROM webhook.list_deliveries(order_by => '[{"status": "asc"}]', after => %L)$$,
              (SELECT c FROM some_cursor))), 62),
          '22023 cursor in after belongs to a different order_by | Pass t', 'a cursor of another order_by');
SELECT is(left(pg_temp.error_text($$SELECT * FROM webhook.list_deliveries(after => '')$$), 5), '22023', 'an empty cursor');
SELECT is(pg_temp.listed_ids(3, (SELECT c FROM some_cursor)), '14,13,12', 'the untouched cursor still works');
SELECT is(pg_temp.listed_ids(3, (SELECT page #>> '{data,9,cursor}' FROM pages WHERE name = 'offset 1')), '14,13,12',
          'rows of offset pages carry working cursors too');
-- PostgREST runs GET requests in READ ONLY transactions.
SET default_transaction_read_only = on;
BEGIN;
SELECT is((SELECT jsonb_typeof(webhook.deliveries_page(page_size => 2, count => 'estimated') #> '{pageInfo,total}')),
          'number', 'an estimated count works in a read-only transaction');
SELECT is((SELECT count(*)::int FROM webhook.list_deliveries(page_size => 3, filter => '{"endpoint": {"enabled": {"eq": true}}}')),
          3, 'list_deliveries works in a read-only transaction');
COMMIT;
RESET default_transaction_read_only;

SELECT * FROM finish();
