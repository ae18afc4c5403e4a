-- The errors a caller meets with a wrong argument: each has its SQLSTATE, a
-- lower-case message, a detail that is a full sentence and a hint that says
-- what to do (STYLE.md, "Errors users see"), and says what is true.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_webhook;
TRUNCATE webhook.endpoint, webhook.delivery, webhook.attempt;

-- The error `sql` raises: SQLSTATE, message, detail and hint.
CREATE FUNCTION pg_temp.error_parts(sql text, OUT state text, OUT message text, OUT detail text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    state := 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
END $$;

CREATE TEMP TABLE endpoint AS
    SELECT id FROM webhook.create_endpoint('https://example.com/hooks');
-- A delivered delivery, and one whose endpoint was deleted.
CREATE TEMP TABLE delivered AS
    SELECT webhook.publish('order.created', '{}', endpoint_id => (SELECT id FROM endpoint)) AS id;
UPDATE webhook.delivery SET status = 'delivered', attempt_count = 1, http_status = 200,
       delivered_at = now(), next_attempt_at = NULL WHERE id = (SELECT id FROM delivered);
CREATE TEMP TABLE orphaned AS
    SELECT webhook.publish('order.created', '{}', endpoint_id => e.id) AS id, e.id AS endpoint_id
      FROM webhook.create_endpoint('https://example.com/gone') AS e;
SELECT webhook.delete_endpoint((SELECT endpoint_id FROM orphaned));

CREATE TEMP TABLE refused (what text, sql text, state text);
INSERT INTO refused VALUES
    ('create_endpoint without url', $$SELECT webhook.create_endpoint(NULL)$$, '22023'),
    ('an endpoint row without url', $$INSERT INTO webhook.endpoint (url) VALUES (NULL)$$, '22023'),
    ('a long description', format($$SELECT webhook.update_endpoint(%L, description => repeat('d', 1001))$$, (SELECT id FROM endpoint)), '22023'),
    ('an endpoint moved to another workspace', format($$UPDATE webhook.endpoint SET workspace_id = gen_random_uuid() WHERE id = %L$$, (SELECT id FROM endpoint)), '22023'),
    ('reset of a required field', format($$SELECT webhook.update_endpoint(%L, reset => '{url}')$$, (SELECT id FROM endpoint)), '22023'),
    ('a field set and reset', format($$SELECT webhook.update_endpoint(%L, description => 'x', reset => '{description}')$$, (SELECT id FROM endpoint)), '22023'),
    ('a long disabled_reason', format($$SELECT webhook.disable_endpoint(%L, repeat('r', 1001))$$, (SELECT id FROM endpoint)), '22023'),
    ('an update to event_types {}', format($$SELECT webhook.update_endpoint(%L, event_types => '{}')$$, (SELECT id FROM endpoint)), '22023'),
    ('an update to max_attempts 101', format($$SELECT webhook.update_endpoint(%L, max_attempts => 101)$$, (SELECT id FROM endpoint)), '22023'),
    ('an update to timeout_ms 99', format($$SELECT webhook.update_endpoint(%L, timeout_ms => 99)$$, (SELECT id FROM endpoint)), '22023'),
    ('a grace of 8 days', format($$SELECT webhook.rotate_endpoint_secret(%L, grace => '8 days')$$, (SELECT id FROM endpoint)), '22023'),
    ('publish without payload', $$SELECT webhook.publish('order.created', NULL)$$, '22023'),
    ('publish with an empty event_id', $$SELECT webhook.publish('order.created', '{}', event_id => '')$$, '22023'),
    ('an invalid event type', $$SELECT webhook.publish('order created', '{}')$$, '22023'),
    ('a URL with credentials', $$SELECT webhook.create_endpoint('https://u:p@example.com/')$$, '22023'),
    ('a secret without whsec_', $$SELECT webhook.create_endpoint('https://example.com/', secret => 'abc')$$, '22023'),
    ('headers over 8192 bytes', $$SELECT webhook.create_endpoint('https://example.com/', headers => jsonb_build_object('x-a', repeat('a', 5000), 'X-B', repeat('b', 5000)))$$, '22023'),
    ('65 headers', $$SELECT webhook.create_endpoint('https://example.com/', headers => (SELECT jsonb_object_agg('x-' || i, 'v') FROM generate_series(1, 65) i))$$, '22023'),
    ('a header named twice', $$SELECT webhook.create_endpoint('https://example.com/', headers => '{"Authorization": "a", "authorization": "b"}')$$, '22023'),
    ('a connection header', $$SELECT webhook.create_endpoint('https://example.com/', headers => '{"keep-alive": "timeout=5"}')$$, '22023'),
    ('an invisible character in a header value', $$SELECT webhook.create_endpoint('https://example.com/', headers => '{"x-api-key": "abc\u200b"}')$$, '22023'),
    ('max_attempts 0', $$SELECT webhook.create_endpoint('https://example.com/', max_attempts => 0)$$, '22023'),
    ('a header line given as a header name', $$SELECT webhook.create_endpoint('https://example.com/', headers => '{"authorization: Bearer abc": ""}')$$, '22023'),
    ('a header value written back redacted', $$SELECT webhook.create_endpoint('https://example.com/', headers => '{"authorization": "[redacted]"}')$$, '22023'),
    ('an event id ending with a no-break space', $$SELECT webhook.publish('order.created', '{}', event_id => E'order-1\u00a0')$$, '22023'),
    ('an oversized payload no endpoint gets', $$SELECT webhook.publish('order.none', to_jsonb(repeat('x', 1048576)), 'cccccccc-0000-0000-0000-000000000000')$$, '22023'),
    ('publish to an endpoint of another workspace', format($$SELECT webhook.publish('order.created', '{}', 'cccccccc-0000-0000-0000-000000000000', endpoint_id => %L)$$, (SELECT id FROM endpoint)), 'P0002'),
    ('an unknown endpoint', $$SELECT webhook.get_endpoint(gen_random_uuid())$$, 'P0002'),
    ('an unknown delivery', $$SELECT webhook.get_delivery(gen_random_uuid())$$, 'P0002'),
    ('retry_deliveries without a condition', $$SELECT webhook.retry_deliveries()$$, '22023'),
    ('cancel of a delivered delivery', format($$SELECT webhook.cancel_delivery(%L)$$, (SELECT id FROM delivered)), '55000'),
    ('retry of a delivery whose endpoint was deleted', format($$SELECT webhook.retry_delivery(%L)$$, (SELECT id FROM orphaned)), '55000'),
    ('retry of an unknown delivery', $$SELECT webhook.retry_delivery(gen_random_uuid())$$, 'P0002'),
    ('cancel of an unknown delivery', $$SELECT webhook.cancel_delivery(gen_random_uuid())$$, 'P0002'),
    ('retry_delivery of a NULL id', $$SELECT webhook.retry_delivery(NULL)$$, 'P0002'),
    ('cancel_delivery of a NULL id', $$SELECT webhook.cancel_delivery(NULL)$$, 'P0002'),
    ('get_delivery of a NULL id', $$SELECT webhook.get_delivery(NULL)$$, 'P0002'),
    ('delivery_attempts of a NULL id', $$SELECT webhook.delivery_attempts(NULL)$$, 'P0002'),
    ('get_endpoint of a NULL endpoint id', $$SELECT webhook.get_endpoint(NULL)$$, 'P0002'),
    ('update_endpoint of a NULL endpoint id', $$SELECT webhook.update_endpoint(NULL, description => 'x')$$, 'P0002'),
    ('enable_endpoint of a NULL endpoint id', $$SELECT webhook.enable_endpoint(NULL)$$, 'P0002'),
    ('disable_endpoint of a NULL endpoint id', $$SELECT webhook.disable_endpoint(NULL)$$, 'P0002'),
    ('rotate_endpoint_secret of a NULL endpoint id', $$SELECT webhook.rotate_endpoint_secret(NULL)$$, 'P0002'),
    ('delete_endpoint of a NULL endpoint id', $$SELECT webhook.delete_endpoint(NULL)$$, 'P0002'),
    ('endpoint_headers of a NULL endpoint id', $$SELECT webhook.endpoint_headers(NULL)$$, 'P0002'),
    ('endpoint_secret of a NULL endpoint id', $$SELECT webhook.endpoint_secret(NULL)$$, 'P0002'),
    ('page_size 0', $$SELECT * FROM webhook.list_deliveries(page_size => 0)$$, '22023'),
    ('deliveries_page, page_size 0', $$SELECT webhook.deliveries_page(page_size => 0)$$, '22023'),
    ('a filter on payload', $$SELECT * FROM webhook.list_deliveries(filter => '{"payload": {"eq": 1}}')$$, '22023'),
    ('an "or" of 101 filters', format($$SELECT * FROM webhook.list_deliveries(filter => %L)$$,
        jsonb_build_object('or', (SELECT jsonb_agg('{"delivered_at": {"is_null": true}}'::jsonb) FROM generate_series(1, 101)))), '22023'),
    ('an "in" list of 1001 values', format($$SELECT * FROM webhook.list_deliveries(filter => %L)$$,
        jsonb_build_object('attempt_count', jsonb_build_object('in', (SELECT jsonb_agg(i) FROM generate_series(1, 1001) i)))), '22023'),
    ('a count with a "nin" list of 1001 values', format($$SELECT webhook.count_deliveries(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, %L)$$,
        jsonb_build_object('attempt_count', jsonb_build_object('nin', (SELECT jsonb_agg(i) FROM generate_series(1, 1001) i)))), '22023'),
    ('a filter of 1011 nodes', format($$SELECT * FROM webhook.list_deliveries(filter => %L)$$,
        jsonb_build_object('and', (SELECT jsonb_agg(jsonb_build_object('or', (SELECT jsonb_agg('{}'::jsonb) FROM generate_series(1, 100)))) FROM generate_series(1, 10)))), '22023'),
    ('a sort on response_body', $$SELECT * FROM webhook.list_deliveries(order_by => '[{"response_body": "asc"}]')$$, '22023'),
    ('a garbled cursor', $$SELECT * FROM webhook.list_deliveries(after => 'garbage')$$, '22023');

CREATE TEMP TABLE raised AS
    SELECT r.what, e.* FROM refused r CROSS JOIN LATERAL pg_temp.error_parts(r.sql) e;

SELECT plan(22);

SELECT is((SELECT string_agg(what || ': ' || state, '; ') FROM raised r
            WHERE state IS DISTINCT FROM (SELECT state FROM refused WHERE what = r.what)),
          NULL, 'each refusal has its SQLSTATE');
SELECT is((SELECT string_agg(what, '; ') FROM raised WHERE message !~ '^[a-z]'), NULL,
          'every message starts in lower case');
-- A sentence may start with the name of an argument: "page_size is 0."
SELECT is((SELECT string_agg(what, '; ') FROM raised WHERE coalesce(detail, '') !~ '^([A-Z]|[a-z_]+ (is|was|has) ).*\.$'), NULL,
          'every refusal has a detail that is a full sentence');
SELECT is((SELECT string_agg(what, '; ') FROM raised WHERE coalesce(hint, '') !~ '^[A-Z].*\.$'), NULL,
          'every refusal has a hint that is a full sentence');

-- Details and hints that say what is true.
SELECT is((SELECT detail FROM raised WHERE what = 'a long description'),
          'The description has 1001 characters.', 'the detail gives the description''s length');
SELECT is((SELECT detail FROM raised WHERE what = 'a long disabled_reason'),
          'The reason has 1001 characters.', 'the detail gives the disabled_reason''s length');
SELECT is((SELECT detail FROM raised WHERE what = 'headers over 8192 bytes'),
          'The headers'' names and values add up to 10006 bytes; at most 8192 are allowed.',
          'the detail of oversized headers gives their size and the limit');
-- In update_endpoint a NULL leaves a field as it is: a hint that says
-- "pass NULL" must also say how to make it NULL there.
SELECT is((SELECT string_agg(what, '; ') FROM raised
            WHERE what LIKE 'an update to %' AND hint NOT LIKE '%reset => ''{' || split_part(what, ' ', 4) || '}''%'), NULL,
          'the hints of update_endpoint''s refusals say how to reset the field, since NULL leaves it unchanged');
SELECT is((SELECT detail FROM raised WHERE what = 'publish with an empty event_id'),
          'event_id has 0 characters.', 'the detail gives the event id''s length');
SELECT is((SELECT detail FROM raised WHERE what = 'an invisible character in a header value'),
          'The value contains U+200B, a space, invisible or control character.',
          'the detail names the invisible character of a header value, not the value');
-- A NULL id is not found, and the error says it was NULL (not "No delivery
-- with id  is visible", an id left blank).
SELECT is((SELECT string_agg(what || ': ' || message || ' / ' || detail, '; ') FROM raised
            WHERE what LIKE '% of a NULL id'
              AND (message, detail) IS DISTINCT FROM ('delivery not found', 'The id is NULL, and names no delivery.')),
          NULL, 'retry, cancel, get and attempts of a NULL id: not found, and the detail says the id is NULL');
SELECT is((SELECT string_agg(what || ': ' || message || ' / ' || detail, '; ') FROM raised
            WHERE what LIKE '% of a NULL endpoint id'
              AND (message, detail) IS DISTINCT FROM ('endpoint not found', 'The id is NULL, and names no endpoint.')),
          NULL, 'every endpoint call of a NULL id: not found, and the detail says the id is NULL');
SELECT is((SELECT detail FROM raised WHERE what = 'cancel of a delivered delivery'),
          'The delivery is already delivered.', 'the detail of a refused cancel says the delivery''s state');
SELECT is((SELECT hint FROM raised WHERE what = 'a grace of 8 days'),
          'Pass a grace from 0 to 7 days (default 24 hours): during it, requests are signed with both the new and the previous secret.',
          'the grace hint says which grace to pass');
SELECT is((SELECT hint FROM raised WHERE what = 'page_size 0'),
          'Ask for 1 to 100 rows, and follow the last row''s cursor with after for more.',
          'the page_size hint of list_deliveries covers a page_size below 1');
SELECT is((SELECT hint FROM raised WHERE what = 'deliveries_page, page_size 0'),
          'Ask for 1 to 100 rows per page.', 'the page_size hint of deliveries_page covers a page_size below 1');
SELECT is((SELECT detail FROM raised WHERE what = 'a filter on payload'),
          'Filters apply to the columns of webhook.delivery other than payload.',
          'the detail of a filter on payload does not call it filterable');
SELECT is((SELECT detail FROM raised WHERE what = 'a sort on response_body'),
          'Sorting applies to the columns of webhook.delivery other than payload and response_body.',
          'the detail of a sort on response_body does not call it sortable');
SELECT is((SELECT detail FROM raised WHERE what = 'an "or" of 101 filters'),
          'This "or" combines 101 filters; one may combine at most 100.',
          'the detail of a wide "or" gives its width and the limit');
SELECT is((SELECT detail FROM raised WHERE what = 'an "in" list of 1001 values'),
          'This "in" list has 1001 values; one may hold at most 1000.',
          'the detail of a long "in" list gives its length and the limit');
-- The limits are limits, not lower bounds: a filter at each of them is taken.
SELECT lives_ok(format($$SELECT webhook.count_deliveries(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, %L)$$,
        jsonb_build_object('or', (SELECT jsonb_agg(jsonb_build_object('attempt_count', jsonb_build_object('in', (SELECT jsonb_agg(i) FROM generate_series(1, 1000) i))))
                                  FROM generate_series(1, 100)))),
        'an "or" of 100 filters, each with an "in" list of 1000 values, is taken');
SELECT is((SELECT count(*)::int FROM webhook.endpoint), 1, 'no refused call left a row behind');

SELECT * FROM finish();
