-- Endpoints: creation, validation (with SQLSTATEs), update, enable/disable,
-- secret rotation and reading, deletion.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_webhook;
TRUNCATE webhook.endpoint, webhook.delivery, webhook.attempt;

\i test/sql/fixtures/error_of.sql

SELECT plan(81);

-- Creation with defaults.
CREATE TEMP TABLE e1 AS SELECT * FROM webhook.create_endpoint('https://example.com/hooks');
SELECT is((SELECT workspace_id FROM e1), '00000000-0000-0000-0000-000000000000'::uuid,
          'no workspace given: the default workspace');
SELECT ok((SELECT secret IS NULL AND previous_secret IS NULL FROM e1),
          'the returned row carries no secret');
SELECT ok((SELECT enabled AND event_types IS NULL AND max_attempts IS NULL FROM e1),
          'enabled, every event type, default attempts');
SELECT matches(webhook.endpoint_secret((SELECT id FROM e1)), '^whsec_[A-Za-z0-9+/]{43}=$',
               'a generated secret is whsec_ + base64 of 32 bytes');
SELECT ok(webhook.check_secret(webhook.endpoint_secret((SELECT id FROM e1))),
          'the generated secret passes the format check');
SELECT is((SELECT substr(id::text, 15, 1) FROM e1), '7', 'endpoint ids are UUIDv7');

CREATE TEMP TABLE e2 AS SELECT * FROM webhook.create_endpoint(
    url => 'http://hooks.example.org:8080/in?x=1',
    event_types => '{invoice.paid,user:created}',
    workspace_id => '11111111-1111-1111-1111-111111111111',
    description => 'billing',
    secret => 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    max_attempts => 3, timeout_ms => 2500,
    headers => '{"x-api-key": "k1"}');
SELECT is((SELECT row(workspace_id, description, event_types, max_attempts, timeout_ms, headers)::text FROM e2),
          '(11111111-1111-1111-1111-111111111111,billing,"{invoice.paid,user:created}",3,2500,"{""x-api-key"": ""[redacted]""}")',
          'every argument is stored; the returned row names the headers, their values redacted');
SELECT is(webhook.endpoint_headers((SELECT id FROM e2)), '{"x-api-key": "k1"}',
          'endpoint_headers reveals the header values');
SELECT is((SELECT headers FROM webhook.list_endpoints() WHERE id = (SELECT id FROM e2)), '{"x-api-key": "[redacted]"}',
          'list_endpoints shows no header value');
SELECT is((SELECT headers FROM webhook.get_endpoint((SELECT id FROM e2))), '{"x-api-key": "[redacted]"}',
          'get_endpoint shows no header value');
SELECT is(row(webhook.masked_headers('{}'), webhook.masked_headers(NULL))::text, '({},)',
          'no headers stay no headers, NULL stays NULL');
SELECT is(webhook.endpoint_secret((SELECT id FROM e2)), 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
          'a given secret is kept');

-- Validation: errors raised in C++ (URL, secret) keep their SQLSTATE and hint.
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('ftp://example.com/')$$), '22023 with hint', 'ftp URL: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('file:///etc/passwd')$$), '22023 with hint', 'file URL: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('not a url')$$), '22023 with hint', 'garbage URL: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('https://')$$), '22023 with hint', 'URL without host: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('https://user:pass@example.com/')$$), '22023 with hint', 'URL with credentials: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('https://exa' || chr(160) || 'mple.com/')$$), '22023 with hint', 'URL with a no-break space: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('https://example.com/hook' || chr(8203))$$), '22023 with hint', 'URL with a zero-width space: 22023');
SELECT ok(webhook.check_url('https://b' || chr(252) || 'cher.example/'), 'an internationalized host name is a URL');
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint(NULL)$$), '22023 with hint', 'NULL URL: 22023');
SELECT throws_ok($$SELECT webhook.create_endpoint('gopher://x/')$$, '22023',
                 'invalid endpoint url', 'the C++ error reaches the client with its message');
SELECT is(1 + 1, 2, 'the session keeps working after an error raised in C++');
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('https://a.example/', secret => 'secret')$$), '22023 with hint', 'secret without whsec_: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('https://a.example/', secret => 'whsec_c2hvcnQ=')$$), '22023 with hint', 'secret of 5 bytes: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('https://a.example/', secret => 'whsec_!!!!')$$), '22023 with hint', 'secret not base64: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('https://a.example/', event_types => '{}')$$), '22023 with hint', 'empty event_types: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('https://a.example/', event_types => '{{a.b},{c.d}}')$$), '22023 with hint', 'two-dimensional event_types: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.disable_endpoint((SELECT id FROM e1), repeat('x', 1001))$$), '22023 with hint', 'a disabled_reason over 1000 characters: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('https://a.example/', event_types => '{"bad type"}')$$), '22023 with hint', 'malformed event type: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('https://a.example/', max_attempts => 0)$$), '22023 with hint', 'max_attempts 0: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('https://a.example/', timeout_ms => 10)$$), '22023 with hint', 'timeout_ms 10: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('https://a.example/', headers => '[1]')$$), '22023 with hint', 'headers not an object: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('https://a.example/', headers => '{"webhook-signature": "x"}')$$), '22023 with hint', 'reserved header: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('https://a.example/', headers => '{"x-a": "1\r\nx-b: 2"}')$$), '22023 with hint', 'header injection: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('https://a.example/', headers => '{"x-a": 1}')$$), '22023 with hint', 'non-string header value: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('https://a.example/', headers => '{"x-a": "key\u0085"}')$$), '22023 with hint', 'a C1 control (U+0085) in a header value: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('https://a.example/', headers => '{"authorization": "Bearer abc\u200b"}')$$), '22023 with hint', 'a zero-width space pasted into a header value: 22023');
SELECT is(pg_temp.error_of(format($$SELECT webhook.update_endpoint(%L, headers => '{"x-a": "\u202eabc"}')$$, (SELECT id FROM e1))), '22023 with hint', 'a bidirectional override in a header value, by update_endpoint: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('https://a.example/', headers => '{"x-a": "caf\u00e9 au lait"}')$$), 'no error', 'letters beyond ASCII and plain spaces in a header value are taken');
-- The same characters as the URL check refuses as invisible or a space
-- (every code point of Latin-1 and those at each end of the other ranges).
CREATE FUNCTION pg_temp.refuses(sql text) RETURNS boolean LANGUAGE plpgsql AS $f$
BEGIN EXECUTE sql; RETURN false; EXCEPTION WHEN invalid_parameter_value THEN RETURN true; END $f$;
SELECT is((SELECT string_agg('U+' || upper(to_hex(cp)) || CASE WHEN u THEN ' only in a URL' ELSE ' only in a header' END, ', ')
             FROM (SELECT cp, pg_temp.refuses(format('SELECT webhook.check_url(%L)', 'https://a.example/' || chr(cp))) AS u,
                          pg_temp.refuses(format('SELECT webhook.check_endpoint_headers(%L)', jsonb_build_object('x-a', 'k' || chr(cp)))) AS h
                     FROM (SELECT generate_series(128, 255) UNION ALL
                           SELECT unnest(ARRAY[x'167f', x'1680', x'1681', x'180d', x'180e', x'180f', x'1fff', x'2000',
                                               x'200b', x'200f', x'2010', x'2027', x'2028', x'202e', x'202f', x'2030',
                                               x'205e', x'205f', x'2066', x'206f', x'2070', x'2fff', x'3000', x'3001',
                                               x'fefe', x'feff', x'ff00']::int[])) AS c(cp)) AS r
            WHERE u IS DISTINCT FROM h),
          NULL, 'header values refuse the invisible and space characters that URLs refuse, and only those');
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('https://a.example/', headers => '{"X-Api-Key": "a", "x-api-key": "b"}')$$), '22023 with hint', 'one header named twice, in two cases: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('https://a.example/', headers => '{"Upgrade": "h2c"}')$$), '22023 with hint', 'a connection header (upgrade): 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('https://a.example/', headers => '{"content-encoding": "gzip"}')$$), '22023 with hint', 'a content-encoding for the unencoded body: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('https://a.example/', headers => jsonb_build_object('x-big', repeat('v', 8188)))$$), '22023 with hint', 'headers over 8192 bytes: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('https://a.example/', headers => jsonb_build_object('x-big', repeat('v', 8187)))$$), 'no error', 'headers of 8192 bytes are taken');
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('https://a.example/', headers => (SELECT jsonb_object_agg('x-' || i, 'v') FROM generate_series(1, 65) i))$$), '22023 with hint', '65 headers: 22023');
-- Refused by its size before its keys are compared with one another.
SELECT is(pg_temp.error_of($$SELECT webhook.create_endpoint('https://a.example/', headers => (SELECT jsonb_object_agg('x-' || i, '') FROM generate_series(1, 200000) i))$$), '22023 with hint', '200,000 headers: 22023');
SELECT is(pg_temp.error_of($$INSERT INTO webhook.endpoint (url) VALUES ('ws://example.com/')$$), '22023 with hint', 'direct INSERT is validated too');
DELETE FROM webhook.endpoint WHERE headers ? 'x-big' OR headers ? 'x-a';
SELECT is((SELECT count(*)::int FROM webhook.endpoint), 2, 'refused endpoints left nothing behind');

-- Update, with reset.
SELECT is((SELECT row(url, description, max_attempts)::text FROM webhook.update_endpoint(
              (SELECT id FROM e2), url => 'https://new.example.org/x', max_attempts => 5)),
          '(https://new.example.org/x,billing,5)', 'update changes only the given fields');
SELECT is((SELECT row(event_types, description, headers)::text FROM webhook.update_endpoint(
              (SELECT id FROM e2), reset => '{event_types,description,headers}')),
          '(,,)', 'reset sets fields back to NULL');
SELECT is(pg_temp.error_of(format($$SELECT webhook.update_endpoint(%L, reset => '{secret}')$$, (SELECT id FROM e2))), '22023 with hint', 'resetting an unknown field: 22023');
SELECT is(pg_temp.error_of(format($$SELECT webhook.update_endpoint(%L, max_attempts => 2, reset => '{max_attempts}')$$, (SELECT id FROM e2))), '22023 with hint', 'set and reset together: 22023');
SELECT is(pg_temp.error_of(format($$SELECT webhook.update_endpoint(%L, url => 'mailto:a@b')$$, (SELECT id FROM e2))), '22023 with hint', 'update validates the URL');
SELECT is(pg_temp.error_of($$SELECT webhook.update_endpoint('00000000-0000-0000-0000-0000000000aa', url => 'https://x.example/')$$), 'P0002 with hint', 'update of an unknown endpoint: P0002');
SELECT ok((SELECT updated_at >= created_at FROM webhook.get_endpoint((SELECT id FROM e2))), 'updated_at is maintained');

-- Enable and disable.
SELECT is((SELECT row(enabled, disabled_reason)::text FROM webhook.disable_endpoint((SELECT id FROM e1), 'maintenance')),
          '(f,maintenance)', 'disable keeps the reason');
SELECT is((SELECT row(enabled, disabled_reason)::text FROM webhook.disable_endpoint((SELECT id FROM e1))),
          '(f,maintenance)', 'disabling it again without a reason keeps the reason it has');
SELECT is((SELECT row(enabled, disabled_reason)::text FROM webhook.disable_endpoint((SELECT id FROM e1), 'receiver gone')),
          '(f,"receiver gone")', '... and a new reason replaces it');
SELECT is((SELECT row(enabled, disabled_reason)::text FROM webhook.enable_endpoint((SELECT id FROM e1))),
          '(t,)', 'enable clears the reason');

-- Secret rotation: the old secret is kept for the grace period.
SELECT id IS NOT NULL FROM webhook.rotate_endpoint_secret((SELECT id FROM e2), grace => interval '1 hour');
SELECT isnt(webhook.endpoint_secret((SELECT id FROM e2)), 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'rotation sets a new secret');
SELECT is((SELECT previous_secret FROM webhook.endpoint WHERE id = (SELECT id FROM e2)),
          'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'the previous secret is kept for signing');
SELECT ok((SELECT previous_secret_expires_at BETWEEN now() + interval '59 minutes' AND now() + interval '61 minutes'
             FROM webhook.get_endpoint((SELECT id FROM e2))), 'the grace period ends when asked');
SELECT is((SELECT previous_secret IS NULL FROM webhook.rotate_endpoint_secret((SELECT id FROM e2), secret => 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')),
          true, 'rotate returns no secret either');
SELECT is(webhook.endpoint_secret((SELECT id FROM e2)), 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'rotation to a given secret');
CREATE TEMP TABLE grace_before AS SELECT previous_secret_expires_at FROM webhook.endpoint WHERE id = (SELECT id FROM e2);
SELECT is(pg_temp.error_of(format($$SELECT webhook.rotate_endpoint_secret(%L, secret => 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', grace => interval '7 days')$$, (SELECT id FROM e2))),
          '22023 with hint', 'rotation to the current secret: 22023');
SELECT is((SELECT previous_secret_expires_at FROM webhook.endpoint WHERE id = (SELECT id FROM e2)), (SELECT previous_secret_expires_at FROM grace_before),
          '... and the replaced secret''s grace is not extended');
SELECT is(pg_temp.error_of(format($$SELECT webhook.rotate_endpoint_secret(%L, grace => interval '-1 hour')$$, (SELECT id FROM e2))), '22023 with hint', 'negative grace: 22023');
SELECT is(pg_temp.error_of($$SELECT webhook.endpoint_secret('00000000-0000-0000-0000-0000000000aa')$$), 'P0002 with hint', 'secret of an unknown endpoint: P0002');
SELECT is(pg_temp.error_of($$SELECT webhook.endpoint_headers('00000000-0000-0000-0000-0000000000aa')$$), 'P0002 with hint', 'headers of an unknown endpoint: P0002');
SELECT is(pg_temp.error_of($$SELECT webhook.endpoint_secret(NULL)$$), 'P0002 with hint', 'the secret of no endpoint (a NULL id): P0002, not a NULL secret');

-- Deletion keeps history and cancels what was still to be sent.
SELECT webhook.publish('invoice.paid', '{"n": 1}', workspace_id => '11111111-1111-1111-1111-111111111111') IS NOT NULL;
SELECT webhook.delete_endpoint((SELECT id FROM e2));
SELECT is((SELECT string_agg(status || '/' || last_error, ',') FROM webhook.delivery WHERE endpoint_id = (SELECT id FROM e2)),
          'cancelled/endpoint deleted', 'the deleted endpoint''s pending delivery is kept, cancelled');
SELECT is(pg_temp.error_of(format($$SELECT webhook.get_endpoint(%L)$$, (SELECT id FROM e2))), 'P0002 with hint', 'a deleted endpoint is gone');
SELECT is(pg_temp.error_of(format($$SELECT webhook.delete_endpoint(%L)$$, (SELECT id FROM e2))), 'P0002 with hint', 'deleting twice: P0002');

-- A previous secret written directly is held to the secret's format: the
-- worker signs with it until previous_secret_expires_at.
SELECT is(pg_temp.error_of(format($$UPDATE webhook.endpoint SET previous_secret = 'not a secret', previous_secret_expires_at = now() + interval '1 hour' WHERE id = %L$$, (SELECT id FROM e1))),
          '22023 with hint', 'a malformed previous_secret written by UPDATE: 22023');
SELECT is(pg_temp.error_of($$INSERT INTO webhook.endpoint (url, previous_secret, previous_secret_expires_at) VALUES ('https://a.example/', 'whsec_', now() + interval '1 hour')$$),
          '22023 with hint', 'a malformed previous_secret written by INSERT: 22023');
SELECT is(pg_temp.error_of($$INSERT INTO webhook.endpoint (url, previous_secret, previous_secret_expires_at) VALUES ('https://a.example/', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', now() + interval '1 hour')$$),
          'no error', 'a well-formed previous_secret can be written (as pg_restore does)');

-- Rotations in one transaction each keep the grace asked for (now() is the
-- same for all of them, so the grace's end can repeat).
BEGIN;
SELECT id IS NOT NULL FROM webhook.rotate_endpoint_secret((SELECT id FROM e1), grace => interval '1 hour');
SELECT is((SELECT previous_secret_expires_at - now() FROM webhook.rotate_endpoint_secret((SELECT id FROM e1), grace => interval '1 hour')),
          interval '1 hour', 'a second rotation with the same grace keeps it');
SELECT is((SELECT previous_secret_expires_at - now() FROM webhook.rotate_endpoint_secret((SELECT id FROM e1), grace => interval '0')),
          interval '0', 'a rotation with no grace ends the previous secret at once');
SELECT is((SELECT previous_secret_expires_at - now() FROM webhook.rotate_endpoint_secret((SELECT id FROM e1), grace => interval '0')),
          interval '0', '... also when repeated in the same transaction');
COMMIT;

SELECT * FROM finish();
