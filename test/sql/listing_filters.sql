-- webhook.list_deliveries: plain arguments, every filter operator, nested
-- and/or/not, endpoint traversal, and refusals (bad shapes, wrong types,
-- injection attempts). Each listing is compared with a hand-written query.
\i test/sql/fixtures/listing_setup.sql

-- The listing, as the last two digits of each id in order.
CREATE FUNCTION pg_temp.listed(filter jsonb) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(right(l.id::text, 2), ',' ORDER BY l.ordinality), '')
    FROM webhook.list_deliveries(filter => filter) WITH ORDINALITY AS l $$;
-- The same ids from a hand-written query over the table.

SELECT plan(72);

-- Plain arguments.
SELECT is((SELECT string_agg(right(id::text, 2), ',') FROM webhook.list_deliveries()),
          pg_temp.expected('true'), 'no arguments: every row, newest first');
SELECT is((SELECT count(*)::int FROM webhook.list_deliveries()), 24, 'all 24 rows');
SELECT is((SELECT string_agg(right(id::text, 2), ',') FROM webhook.list_deliveries(
              workspace_id => 'a0000000-0000-0000-0000-00000000000a')),
          pg_temp.expected($$workspace_id = 'a0000000-0000-0000-0000-00000000000a'$$), 'workspace_id');
SELECT is((SELECT string_agg(right(id::text, 2), ',') FROM webhook.list_deliveries(
              endpoint_id => 'e0000000-0000-7000-8000-000000000002')),
          pg_temp.expected($$endpoint_id = 'e0000000-0000-7000-8000-000000000002'$$), 'endpoint_id');
SELECT is((SELECT string_agg(right(id::text, 2), ',') FROM webhook.list_deliveries(status => 'retrying')),
          pg_temp.expected($$status = 'retrying'$$), 'status');
SELECT is((SELECT string_agg(right(id::text, 2), ',') FROM webhook.list_deliveries(event_type => 'invoice.paid')),
          pg_temp.expected($$event_type = 'invoice.paid'$$), 'event_type');
SELECT is((SELECT string_agg(right(id::text, 2), ',') FROM webhook.list_deliveries(event_id => 'evt-7')),
          '07', 'event_id');
SELECT is((SELECT string_agg(right(id::text, 2), ',') FROM webhook.list_deliveries(
              created_after => '2024-03-01 02:00+00', created_before => '2024-03-01 04:00+00')),
          pg_temp.expected($$created_at BETWEEN '2024-03-01 02:00+00' AND '2024-03-01 04:00+00'$$),
          'created_after and created_before are inclusive');
SELECT is((SELECT string_agg(right(id::text, 2), ',') FROM webhook.list_deliveries(
              ids => ARRAY['00000000-0000-7000-8000-000000000003', '00000000-0000-7000-8000-000000000011',
                           '00000000-0000-7000-8000-000000000099']::uuid[])),
          '11,03', 'ids narrows to the rows named (an unknown id adds nothing)');
SELECT is((SELECT string_agg(right(id::text, 2), ',') FROM webhook.list_deliveries(
              status => 'pending', workspace_id => 'b0000000-0000-0000-0000-00000000000b',
              filter => '{"attempt_count": {"gte": 1}}')),
          pg_temp.expected($$status = 'pending' AND workspace_id = 'b0000000-0000-0000-0000-00000000000b' AND attempt_count >= 1$$),
          'plain arguments and filter AND together');

-- Every operator.
SELECT is(pg_temp.listed('{"status": {"eq": "delivered"}}'), pg_temp.expected($$status = 'delivered'$$), 'eq');
SELECT is(pg_temp.listed('{"status": {"neq": "delivered"}}'), pg_temp.expected($$status <> 'delivered'$$), 'neq');
SELECT is(pg_temp.listed('{"attempt_count": {"gt": 2}}'), pg_temp.expected('attempt_count > 2'), 'gt');
SELECT is(pg_temp.listed('{"attempt_count": {"gte": 2}}'), pg_temp.expected('attempt_count >= 2'), 'gte');
SELECT is(pg_temp.listed('{"attempt_count": {"lt": 2}}'), pg_temp.expected('attempt_count < 2'), 'lt');
SELECT is(pg_temp.listed('{"attempt_count": {"lte": 2}}'), pg_temp.expected('attempt_count <= 2'), 'lte');
SELECT is(pg_temp.listed('{"status": {"in": ["pending", "dead_letter"]}}'),
          pg_temp.expected($$status IN ('pending', 'dead_letter')$$), 'in');
SELECT is(pg_temp.listed('{"status": {"nin": ["pending", "dead_letter"]}}'),
          pg_temp.expected($$status NOT IN ('pending', 'dead_letter')$$), 'nin');
SELECT is(pg_temp.listed('{"status": {"in": []}}'), '', 'in an empty list matches nothing');
SELECT is(pg_temp.listed('{"status": {"nin": []}}'), pg_temp.expected('true'), 'nin an empty list matches everything');
SELECT is(pg_temp.listed('{"event_type": {"like": "invoice.%"}}'),
          pg_temp.expected($$event_type LIKE 'invoice.%'$$), 'like is case-sensitive');
SELECT is(pg_temp.listed('{"event_type": {"ilike": "invoice.%"}}'),
          pg_temp.expected($$event_type ILIKE 'invoice.%'$$), 'ilike is not');
SELECT is(pg_temp.listed('{"delivered_at": {"is_null": false}}'),
          pg_temp.expected('delivered_at IS NOT NULL'), 'is_null false');
SELECT is(pg_temp.listed('{"last_error": {"is_null": true}}'),
          pg_temp.expected('last_error IS NULL'), 'is_null true');
SELECT is(pg_temp.listed('{"created_at": {"gte": "2024-03-01T03:00:00Z", "lt": "2024-03-01T05:00:00+00:00"}}'),
          pg_temp.expected($$created_at >= '2024-03-01 03:00+00' AND created_at < '2024-03-01 05:00+00'$$),
          'two operators on one field AND together (timestamps in ISO 8601)');
SELECT is(pg_temp.listed('{"id": {"in": ["00000000-0000-7000-8000-000000000005", "00000000-0000-7000-8000-000000000006"]}}'),
          '06,05', 'in on uuids');
SELECT is(pg_temp.listed(jsonb_build_object('response_body', '{"eq": "ok"}'::jsonb,
                                             'payload_hash', jsonb_build_object('neq', webhook.payload_hash('{"n": 5}')))),
          pg_temp.expected($$response_body = 'ok' AND payload_hash <> webhook.payload_hash('{"n": 5}')$$),
          'response_body and payload_hash are filterable');
SELECT is(pg_temp.listed('{"next_attempt_at": {"gt": "2100-01-01T10:00:00Z"}}'),
          pg_temp.expected($$next_attempt_at > '2100-01-01 10:00+00'$$), 'a nullable timestamp');

-- NULLs: a NULL column matches only is_null true, neq and nin, so that
-- "not" is the exact complement.
SELECT is(pg_temp.listed('{"http_status": {"neq": 200}}'),
          pg_temp.expected('http_status IS DISTINCT FROM 200'), 'neq matches NULL');
SELECT is(pg_temp.listed('{"http_status": {"nin": [200, 300]}}'),
          pg_temp.expected('http_status IS NULL OR http_status NOT IN (200, 300)'), 'nin matches NULL');
SELECT is(pg_temp.listed('{"http_status": {"lt": 400}}'),
          pg_temp.expected('http_status < 400'), 'lt does not match NULL');
SELECT is(pg_temp.listed('{"not": {"http_status": {"lt": 400}}}'),
          pg_temp.expected('NOT coalesce(http_status < 400, false)'), 'not lt matches NULL');
SELECT is(pg_temp.listed('{"not": {"last_error": {"like": "time%"}}}'),
          pg_temp.expected($$last_error IS NULL OR last_error NOT LIKE 'time%'$$), 'not like matches NULL');

-- Nesting.
SELECT is(pg_temp.listed('{"or": [{"status": {"eq": "dead_letter"}}, {"and": [{"status": {"eq": "retrying"}}, {"attempt_count": {"gte": 2}}]}]}'),
          pg_temp.expected($$status = 'dead_letter' OR (status = 'retrying' AND attempt_count >= 2)$$), 'or of and');
SELECT is(pg_temp.listed('{"and": [{"or": [{"http_status": {"eq": 200}}, {"http_status": {"is_null": true}}]}, {"not": {"workspace_id": {"eq": "a0000000-0000-0000-0000-00000000000a"}}}]}'),
          pg_temp.expected($$(http_status = 200 OR http_status IS NULL) AND workspace_id <> 'a0000000-0000-0000-0000-00000000000a'$$), 'and of or and not');
SELECT is(pg_temp.listed('{"not": {"not": {"status": {"eq": "pending"}}}}'),
          pg_temp.expected($$status = 'pending'$$), 'double not');
SELECT is(pg_temp.listed('{"not": {"status": {"eq": "pending"}, "attempt_count": {"gt": 1}}}'),
          pg_temp.expected($$NOT (status = 'pending' AND attempt_count > 1)$$), 'not applies to the whole node');
SELECT is(pg_temp.listed('{"or": []}'), '', 'an empty or matches nothing');
SELECT is(pg_temp.listed('{"and": []}'), pg_temp.expected('true'), 'an empty and matches everything');
SELECT is(pg_temp.listed('{}'), pg_temp.expected('true'), 'an empty filter matches everything');

-- Endpoint traversal.
SELECT is(pg_temp.listed('{"endpoint": {"url": {"like": "%example%"}}}'),
          pg_temp.expected($$endpoint_id IN (SELECT id FROM webhook.endpoint WHERE url LIKE '%example%')$$), 'endpoint url like');
SELECT is(pg_temp.listed('{"endpoint": {"enabled": {"eq": false}}}'),
          pg_temp.expected($$endpoint_id = 'e0000000-0000-7000-8000-000000000002'$$), 'endpoint enabled');
SELECT is(pg_temp.listed('{"endpoint": {"description": {"is_null": true}}}'),
          pg_temp.expected($$endpoint_id = 'e0000000-0000-7000-8000-000000000002'$$), 'endpoint description is_null');
SELECT is(pg_temp.listed('{"not": {"endpoint": {"or": [{"description": {"eq": "first"}}, {"url": {"ilike": "HTTP://%"}}]}}}'),
          pg_temp.expected($$endpoint_id = 'e0000000-0000-7000-8000-000000000002'$$), 'not endpoint with a nested or');
SELECT is(pg_temp.listed('{"endpoint": {"enabled": {"eq": true}}, "status": {"eq": "cancelled"}}'),
          pg_temp.expected($$status = 'cancelled' AND endpoint_id <> 'e0000000-0000-7000-8000-000000000002'$$), 'endpoint and a delivery field');

-- Values of the wrong type fail as Postgres fails them.
SELECT is(pg_temp.error_text($$SELECT * FROM webhook.list_deliveries(filter => '{"id": {"eq": "nope"}}')$$),
          '22P02 invalid input syntax for type uuid: "nope"', 'a bad uuid: 22P02');
SELECT is(pg_temp.error_text($$SELECT * FROM webhook.list_deliveries(filter => '{"status": {"in": ["pending", "lost"]}}')$$),
          '22P02 invalid input value for enum webhook.delivery_status: "lost"', 'a bad status: 22P02');
SELECT is(pg_temp.error_text($$SELECT * FROM webhook.list_deliveries(filter => '{"attempt_count": {"eq": "many"}}')$$),
          '22P02 invalid input syntax for type integer: "many"', 'a bad integer: 22P02');
SELECT is(pg_temp.error_text($$SELECT * FROM webhook.list_deliveries(filter => '{"created_at": {"gt": "last tuesday"}}')$$),
          '22007 invalid input syntax for type timestamp with time zone: "last tuesday"', 'a bad timestamp: 22007');
SELECT is(pg_temp.error_text($$SELECT * FROM webhook.list_deliveries(filter => '{"created_at": {"gt": "2024-02-30 10:00"}}')$$),
          '22008 date/time field value out of range: "2024-02-30 10:00"', 'an impossible date: 22008');
SELECT is(pg_temp.error_text($$SELECT * FROM webhook.list_deliveries(filter => '{"endpoint": {"enabled": {"eq": "maybe"}}}')$$),
          '22P02 invalid input syntax for type boolean: "maybe"', 'a bad boolean: 22P02');

-- A JSON number is read as the digits jsonb holds, whatever their size or
-- scale, so it compares (and fails) as that text would.
UPDATE webhook.delivery SET event_id = '1.10' WHERE id = '00000000-0000-7000-8000-000000000005';
UPDATE webhook.delivery SET event_id = '12345678901234567890123' WHERE id = '00000000-0000-7000-8000-000000000006';
SELECT is(pg_temp.listed('{"event_id": {"eq": 1.10}}'), '05', 'a number with a trailing zero keeps it');
SELECT is(pg_temp.listed('{"event_id": {"in": [12345678901234567890123]}}'), '06',
          'a number with more digits than a double keeps them');
SELECT is(pg_temp.error_text($$SELECT * FROM webhook.list_deliveries(filter => '{"http_status": {"gt": 99999999999999999999}}')$$),
          '22003 value "99999999999999999999" is out of range for type integer',
          'an integer too large: 22003, naming the value as written');
SELECT is(pg_temp.listed('{"or": [{"event_id": {"eq": 1e400}}, {"event_id": {"eq": 1.10}}]}'), '05',
          'a number beyond a double is still JSON');
UPDATE webhook.delivery SET event_id = 'evt-' || right(id::text, 2)::int
WHERE id IN ('00000000-0000-7000-8000-000000000005', '00000000-0000-7000-8000-000000000006');

-- Unknown fields and operators, and misshapen filters: 22023 naming what is allowed.
SELECT is(pg_temp.error_text($$SELECT * FROM webhook.list_deliveries(filter => '{"colour": {"eq": "red"}}')$$),
          '22023 unknown filter field "colour" | Fields: id, workspace_id, endpoint_id, event_id, event_type, payload_hash, status, attempt_count, max_attempts, next_attempt_at, last_attempted_at, last_error, http_status, response_body, delivered_at, created_at, updated_at, endpoint; and, or, not combine filters.',
          'an unknown field');
SELECT is(pg_temp.error_text($$SELECT * FROM webhook.list_deliveries(filter => '{"payload": {"eq": "x"}}')$$),
          '22023 unknown filter field "payload" | Fields: id, workspace_id, endpoint_id, event_id, event_type, payload_hash, status, attempt_count, max_attempts, next_attempt_at, last_attempted_at, last_error, http_status, response_body, delivered_at, created_at, updated_at, endpoint; and, or, not combine filters.',
          'payload is not filterable');
SELECT is(pg_temp.error_text($$SELECT * FROM webhook.list_deliveries(filter => '{"endpoint": {"secret": {"like": "whsec_%"}}}')$$),
          '22023 unknown filter field "secret" | Fields: url, description, enabled; and, or, not combine filters.',
          'the endpoint secret is not reachable');
SELECT is(pg_temp.error_text($$SELECT * FROM webhook.list_deliveries(filter => '{"status": {"between": ["a", "b"]}}')$$),
          '22023 unknown filter operator "between" | Operators: eq, neq, gt, gte, lt, lte, in, nin, like, ilike, is_null.',
          'an unknown operator');
SELECT is(left(pg_temp.error_text($$SELECT * FROM webhook.list_deliveries(filter => '{"status": {"like": "p%"}}')$$), 5),
          '22023', 'like on a non-text field');
SELECT is(left(pg_temp.error_text($$SELECT * FROM webhook.list_deliveries(filter => '{"status": "pending"}')$$), 5),
          '22023', 'a field without operators');
SELECT is(left(pg_temp.error_text($$SELECT * FROM webhook.list_deliveries(filter => '[{"status": {"eq": "pending"}}]')$$), 5),
          '22023', 'a filter that is not an object');
SELECT is(left(pg_temp.error_text($$SELECT * FROM webhook.list_deliveries(filter => '{"status": {"eq": null}}')$$), 5),
          '22023', 'a null value');

-- Injection through names, directions and values: refused, or bound as data.
CREATE TABLE pg_temp.canary (hit int);
SELECT is(left(pg_temp.error_text($$SELECT * FROM webhook.list_deliveries(filter => '{"status = status OR true; INSERT INTO pg_temp.canary VALUES (1); --": {"eq": "x"}}')$$), 36),
          '22023 unknown filter field "status =', 'SQL in a field name is refused');
SELECT is(left(pg_temp.error_text($$SELECT * FROM webhook.list_deliveries(filter => '{"status": {"eq); INSERT INTO pg_temp.canary VALUES (2); --": "x"}}')$$), 5),
          '22023', 'SQL in an operator is refused');
SELECT is(left(pg_temp.error_text($$SELECT * FROM webhook.list_deliveries(order_by => '[{"created_at": "desc; INSERT INTO pg_temp.canary VALUES (3)"}]')$$), 5),
          '22023', 'SQL in a direction is refused');
SELECT is(pg_temp.listed($$ {"event_type": {"eq": "x' OR '1'='1"}, "event_id": {"in": ["a'); INSERT INTO pg_temp.canary VALUES (4); --"]}} $$),
          '', 'SQL in values is data: it matches nothing');
SELECT is((SELECT count(*)::int FROM pg_temp.canary), 0, 'nothing injected ever ran');

-- An operator planted in a schema ahead of pg_catalog in the caller's
-- search_path (a trojan for whoever lists with that path) is never used:
-- the listing functions run with search_path = pg_catalog, pg_temp.
CREATE SCHEMA regress_planted;
CREATE FUNCTION regress_planted.text_eq(a text, b text) RETURNS boolean LANGUAGE sql AS $$
    INSERT INTO pg_temp.canary VALUES (5) RETURNING true $$;
CREATE OPERATOR regress_planted.= (LEFTARG = text, RIGHTARG = text, FUNCTION = regress_planted.text_eq);
CREATE FUNCTION regress_planted.text_ne(a text, b text) RETURNS boolean LANGUAGE sql AS $$
    INSERT INTO pg_temp.canary VALUES (6) RETURNING true $$;
CREATE OPERATOR regress_planted.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = regress_planted.text_ne);
SET search_path = regress_planted, pg_catalog, public;
CREATE TEMP TABLE planted AS SELECT
    (SELECT string_agg(right(id::text, 2), ',') FROM webhook.list_deliveries(
         event_type => 'invoice.paid', filter => '{"event_id": {"eq": "evt-8"}}')) AS listed,
    pg_temp.error_text($$SELECT webhook.deliveries_page(event_type => 'invoice.paid', count => 'exact') #>> '{pageInfo,total}'$$) AS page_error,
    webhook.count_deliveries(event_type => 'invoice.paid', filter => '{"event_id": {"neq": "evt-8"}}') AS counted;
RESET search_path;
SELECT is(listed, '08', 'list_deliveries compares with pg_catalog''s operators') FROM planted;
SELECT is(page_error, 'no error', 'deliveries_page too') FROM planted;
SELECT is(counted, (SELECT count(*) FROM webhook.delivery WHERE event_type = 'invoice.paid' AND event_id <> 'evt-8'),
          'count_deliveries too') FROM planted;
SELECT is((SELECT count(*)::int FROM pg_temp.canary), 0, 'the planted operators never ran');
DROP SCHEMA regress_planted CASCADE;

SELECT * FROM finish();
