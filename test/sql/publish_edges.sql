-- Publishing at its edges: what a caller may not do (a workspace it does not
-- act in, a read-only transaction, an event id reused for another event,
-- control characters in an event id), and the use the product is for: a
-- trigger on a business table whose row and webhook commit or roll back
-- together.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_webhook;
TRUNCATE webhook.endpoint, webhook.delivery, webhook.attempt;

\i test/sql/fixtures/error_of.sql

-- The message and detail of the error `sql` raises.
CREATE FUNCTION pg_temp.message_and_detail(sql text) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(e.message || ' / ' || e.detail, 'no error') FROM pg_temp.error_fields(sql) AS e $$;

SELECT plan(44);

\set wa '''aaaaaaaa-0000-0000-0000-000000000000'''
\set wb '''bbbbbbbb-0000-0000-0000-000000000000'''
SELECT (webhook.create_endpoint('https://a.example/', workspace_id => :wa)).id AS ea \gset
SELECT (webhook.create_endpoint('https://b.example/', workspace_id => :wb)).id AS eb \gset

-- Tenancy: a webhook_user publishes only in the workspace its session acts
-- in. Naming another one (or acting in none) used to return no deliveries
-- and no error: the event was silently lost.
DROP ROLE IF EXISTS publish_edges_app;
CREATE ROLE publish_edges_app;
GRANT webhook_user TO publish_edges_app;
SET ROLE publish_edges_app;
SET webhook.workspace_id = :wa;
SELECT is((SELECT count(*)::int FROM webhook.publish('a.b', '{}', event_id => 'own')), 1,
          'a webhook_user publishes in its own workspace');
SELECT is((SELECT count(*)::int FROM webhook.publish('a.b', '{}', :wa, 'own-named')), 1,
          '... also naming it');
SELECT is(pg_temp.error_of(format($$SELECT webhook.publish('a.b', '{}', %L)$$, :wb)), '42501 with hint',
          'a webhook_user naming another workspace: 42501');
SELECT is(pg_temp.error_of(format($$SELECT webhook.publish('a.b', '{}', %L, endpoint_id => %L)$$, :wb, :'eb')),
          '42501 with hint', '... also with that workspace''s endpoint');
SELECT is(pg_temp.error_of(format($$SELECT webhook.publish('a.b', '{}', endpoint_id => %L)$$, :'eb')),
          'P0002 with hint', 'another workspace''s endpoint by id: P0002, nothing leaked');
RESET webhook.workspace_id;
SELECT is(pg_temp.error_of($$SELECT webhook.publish('a.b', '{}')$$), '42501 with hint',
          'a webhook_user acting in no workspace: 42501');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM webhook.delivery WHERE workspace_id = :wb), 0,
          'nothing was published in the other workspace');
-- An administrator (here a superuser) publishes in any workspace.
SET webhook.workspace_id = :wa;
SELECT is((SELECT count(*)::int FROM webhook.publish('a.b', '{}', :wb, 'admin')), 1,
          'an administrator publishes in another workspace than its session''s');
RESET webhook.workspace_id;
-- A workspace without endpoints: nothing to send, no error.
SELECT is((SELECT count(*)::int FROM webhook.publish('a.b', '{}', 'cccccccc-0000-0000-0000-000000000000')), 0,
          'a workspace without endpoints: no deliveries');

-- A read-only transaction: a clear 25006, also when no endpoint would get
-- the event (that used to succeed, and otherwise the error blamed a SELECT).
BEGIN READ ONLY;
SELECT is(pg_temp.error_of(format($$SELECT webhook.publish('a.b', '{}', %L)$$, :wa)), '25006 with hint',
          'publish in a read-only transaction: 25006');
SELECT is(pg_temp.error_of($$SELECT webhook.publish('a.b', '{}', 'cccccccc-0000-0000-0000-000000000000')$$),
          '25006 with hint', '... also when no endpoint would get it');
ROLLBACK;

-- An event id names one event: again with the same type and payload it is
-- the producer's retry (the first deliveries, nothing new); with another
-- type or payload it is a different event, refused rather than dropped.
CREATE TEMP TABLE first AS SELECT * FROM webhook.publish('order.created', '{"id": 1, "total": 42}', :wa, 'ord-1') AS id;
SELECT set_eq(format($$SELECT * FROM webhook.publish('order.created', '{"total": 42, "id": 1}', %L, 'ord-1')$$, :wa),
              'SELECT id FROM first', 'the same event again (keys in another order): the first deliveries');
SELECT is(pg_temp.error_of(format($$SELECT webhook.publish('order.created', '{"id": 1, "total": 43}', %L, 'ord-1')$$, :wa)),
          '23505 with hint', 'the same event id with another payload: 23505');
SELECT is(pg_temp.error_of(format($$SELECT webhook.publish('order.updated', '{"id": 1, "total": 42}', %L, 'ord-1')$$, :wa)),
          '23505 with hint', 'the same event id with another event type: 23505');
SELECT is((SELECT count(*)::int FROM webhook.delivery WHERE event_id = 'ord-1'), 1, '... which changed nothing');
SELECT is((SELECT count(*)::int FROM webhook.publish('order.updated', '{}', :wb, 'ord-1')), 1,
          'the same event id in another workspace is another event');

-- A finished delivery is not made again by publishing its event again: the
-- same id comes back, as it stands (retry_delivery sends it again).
SELECT is((webhook.cancel_delivery((SELECT id FROM first))).status, 'cancelled', 'the event''s delivery is cancelled');
SELECT set_eq(format($$SELECT * FROM webhook.publish('order.created', '{"id": 1, "total": 42}', %L, 'ord-1')$$, :wa),
              'SELECT id FROM first', 'publishing a cancelled event again returns its delivery');
SELECT is((SELECT status::text FROM webhook.delivery WHERE id = (SELECT id FROM first)), 'cancelled', '... which stays cancelled');

-- Event ids: control characters are refused; 255 characters are allowed.
SELECT is(pg_temp.error_of($$SELECT webhook.publish('a.b', '{}', event_id => E'evt\n1')$$), '22023 with hint',
          'an event id with a newline: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.publish('a.b', '{}', event_id => E'evt\x011')$$), '22023 with hint',
          'an event id with another control character: 22023');
SELECT is((SELECT count(*)::int FROM webhook.publish('a.b', '{}', :wa, repeat('x', 255))), 1, 'an event id of 255 characters');
CREATE FUNCTION pg_temp.detail_of(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE detail text;
BEGIN
    EXECUTE sql;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN detail;
END $$;
SELECT is(pg_temp.detail_of($$SELECT webhook.publish('a.b', '{}', event_id => E'evt\x1b[31mred')$$),
          'The character at position 4 of event_id is a control character (code 27).',
          'the refusal names the control character''s place, and does not echo the id');
-- An administrator (here a superuser) sees every endpoint; naming one of
-- another workspace than the one it publishes in (its session's, else the
-- default one) is not found there, and the detail says which workspace that is.
SELECT is(pg_temp.detail_of(format($$SELECT webhook.publish('a.b', '{}', endpoint_id => %L)$$, :'eb')),
          'No endpoint with this id is visible in workspace 00000000-0000-0000-0000-000000000000, the one the event is published to.',
          'an endpoint of another workspace by id: the detail names the workspace published in');
-- Whitespace at either end would make ' order-1' another event than 'order-1'.
SELECT is(pg_temp.error_of($$SELECT webhook.publish('a.b', '{}', event_id => '   ')$$), '22023 with hint',
          'an event id of only spaces: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.publish('a.b', '{}', event_id => ' order-1')$$), '22023 with hint',
          'an event id beginning with a space: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.publish('a.b', '{}', event_id => 'order-1 ')$$), '22023 with hint',
          'an event id ending with a space: 22023');
-- So would a no-break or zero-width space or a byte order mark, which a
-- pasted id brings along; and the characters refused do not depend on the
-- database's locale (with the C collation, \s had no member beyond ASCII).
SELECT is(pg_temp.detail_of($$SELECT webhook.publish('a.b', '{}', event_id => E'order-1\u00a0')$$),
          'The id ends with U+00A0, a space or invisible character: an id with one at an end would name another event than the same id without it.',
          'an event id ending with a no-break space: refused, the character named');
SELECT is(pg_temp.detail_of($$SELECT webhook.publish('a.b', '{}', event_id => E'\u200border-1')$$),
          'The id begins with U+200B, a space or invisible character: an id with one at an end would name another event than the same id without it.',
          'an event id beginning with a zero-width space: refused, the character named');
SELECT is(pg_temp.error_of($$SELECT webhook.publish('a.b', '{}', event_id => E'order-1\ufeff')$$), '22023 with hint',
          'an event id ending with a byte order mark: 22023');
SELECT is(pg_temp.detail_of($$SELECT webhook.publish('a.b', '{}', event_id => E'\u00a0\u3000')$$),
          'event_id is only whitespace or invisible characters.', 'an event id of only such characters: the detail says so');
SELECT is(pg_temp.error_of($$SELECT webhook.publish('a.b', '{}', event_id => E'order-1\u3000' COLLATE "C")$$), '22023 with hint',
          'an ideographic space at the end, with the C collation: 22023 as with any other');
SELECT is((SELECT count(*)::int FROM webhook.publish('a.b', '{}', :wa, E'commande-\u00e9t\u00e9')), 1,
          'an event id ending with a letter beyond ASCII is taken');

-- The product's use: a trigger on a business table publishes its webhook,
-- in the same transaction as the row.
CREATE TABLE orders (id int PRIMARY KEY, total int NOT NULL);
CREATE FUNCTION orders_webhook() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM webhook.publish('order.created', jsonb_build_object('id', NEW.id, 'total', NEW.total),
                            'aaaaaaaa-0000-0000-0000-000000000000', 'order-' || NEW.id || '-created');
    RETURN NEW;
END $$;
CREATE TRIGGER orders_webhook AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION orders_webhook();
INSERT INTO orders VALUES (1, 42);
BEGIN;
INSERT INTO orders VALUES (2, 7);
ROLLBACK;
SELECT is((SELECT array_agg(event_id || ' ' || payload::text ORDER BY event_id) FROM webhook.delivery WHERE event_type = 'order.created' AND event_id LIKE 'order-%'),
          ARRAY['order-1-created {"id": 1, "total": 42}'],
          'a committed row has its webhook; a rolled-back row has none');
-- A publish that fails (here a malformed event type) fails the row's insert.
CREATE OR REPLACE FUNCTION orders_webhook() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM webhook.publish('order created', '{}', 'aaaaaaaa-0000-0000-0000-000000000000');
    RETURN NEW;
END $$;
SELECT is(pg_temp.error_of($$INSERT INTO orders VALUES (3, 1)$$), '22023 with hint', 'a publish that fails fails the insert');
SELECT is((SELECT count(*)::int FROM orders), 1, '... which leaves no row');

-- Payloads are at most 1 MiB of JSON text: the worker holds the bodies of
-- every delivery it claimed ahead of the network, and one tenant's huge
-- payloads could exhaust its memory. The limit holds for a plain INSERT too.
SELECT is((SELECT count(*)::int FROM webhook.publish('big.ok', to_jsonb(repeat('x', 1048576 - 2)), :wa, 'big-ok')), 1,
          'a payload of exactly 1 MiB is published');
SELECT is(pg_temp.error_of(format($$SELECT webhook.publish('big.no', to_jsonb(repeat('x', 1048576 - 1)), %L, 'big-no')$$, :wa)),
          '22023 with hint', 'one byte more is refused: 22023');
SELECT is(pg_temp.error_of(format($$INSERT INTO webhook.delivery (workspace_id, endpoint_id, event_id, event_type, payload)
                                   VALUES (%L, %L, 'big-insert', 'big.no', to_jsonb(repeat('y', 2000000)))$$, :wa, :'ea')),
          '22023 with hint', 'and so is an INSERT of a larger one');
SELECT is(pg_temp.error_of($$SELECT webhook.publish('big.no', to_jsonb(repeat('x', 1048576 - 1)), 'cccccccc-0000-0000-0000-000000000000')$$),
          '22023 with hint', 'also when no endpoint gets the event: it would fail once one subscribes');

-- An invalid event type is repeated in the message only when it is short
-- printable text: a payload passed as the event type, or one with control
-- characters, would reach the server log as it is.
SELECT is(pg_temp.message_and_detail($$SELECT webhook.publish('order created', '{}')$$),
          'invalid event type: ''order created'' / The character at position 6 (U+0020) is not allowed. An event type is 1 to 255 letters, digits or the characters _ . : / -, starting with a letter or digit.',
          'a short invalid event type is named, with the character that is not allowed');
SELECT is(pg_temp.message_and_detail(format('SELECT webhook.publish(%L, ''{}'')', E'order.paid\n\x1b[31mred')),
          'invalid event type / The character at position 11 (U+000A) is not allowed. An event type is 1 to 255 letters, digits or the characters _ . : / -, starting with a letter or digit.',
          'one with control characters is not repeated');
SELECT is(pg_temp.message_and_detail(format('SELECT webhook.publish(%L, ''{}'')', repeat('a', 300))),
          'invalid event type / The event type has 300 characters. An event type is 1 to 255 letters, digits or the characters _ . : / -, starting with a letter or digit.',
          'nor one longer than an event type can be');
SELECT is(pg_temp.message_and_detail($$SELECT webhook.publish('.paid', '{}')$$),
          'invalid event type: ''.paid'' / The event type does not start with a letter or digit. An event type is 1 to 255 letters, digits or the characters _ . : / -, starting with a letter or digit.',
          'one that starts with punctuation says so');

SELECT * FROM finish();
DROP TABLE orders;
DROP FUNCTION orders_webhook();
REVOKE webhook_user FROM publish_edges_app;
DROP ROLE publish_edges_app;
