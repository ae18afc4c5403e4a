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

SELECT plan(6);

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

SELECT * FROM finish();
