
-- ---------------------------------------------------------------------------
-- Endpoint validation. A trigger, so that direct table writes are held to the
-- same rules as the API functions, with the same SQLSTATEs and hints.
-- ---------------------------------------------------------------------------
CREATE FUNCTION webhook.check_event_type(event_type text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    bad_at integer;  -- the first character an event type may not have
BEGIN
    -- The length apart: a bounded repetition ({0,254}) makes the regular
    -- expression several times slower, and every publish runs this.
    IF event_type IS NULL OR length(event_type) > 255
       OR event_type !~ '^[A-Za-z0-9][A-Za-z0-9_.:/-]*$' THEN
        bad_at := regexp_instr(coalesce(event_type, ''), '[^A-Za-z0-9_.:/-]');
        -- The value is repeated only when it is short printable text: an
        -- argument passed in the wrong place (a payload as the event type)
        -- or one with control characters would go into the server log and
        -- terminals as it is. The detail says what is wrong instead.
        RAISE EXCEPTION '%', CASE WHEN event_type IS NULL THEN 'invalid event type: NULL'
                                  WHEN event_type ~ '^[ -~]{1,64}$'
                                  THEN 'invalid event type: ' || quote_literal(event_type)
                                  ELSE 'invalid event type' END
            USING ERRCODE = '22023',
                  DETAIL = CASE WHEN event_type = '' THEN 'The event type is empty. '
                                WHEN length(event_type) > 255
                                THEN format('The event type has %s characters. ', length(event_type))
                                WHEN bad_at > 0
                                THEN format('The character at position %s (U+%s) is not allowed. ', bad_at,
                                            upper(lpad(to_hex(ascii(substr(event_type, bad_at, 1))), 4, '0')))
                                WHEN event_type IS NOT NULL THEN 'The event type does not start with a letter or digit. '
                                ELSE '' END
                           || 'An event type is 1 to 255 letters, digits or the characters _ . : / -, starting with a letter or digit.',
                  HINT = 'Use names such as invoice.paid or user:created.';
    END IF;
    RETURN true;
END
$$;
COMMENT ON FUNCTION webhook.check_event_type(text) IS
    'True for a well-formed event type name; raises 22023 with a hint otherwise.';

CREATE FUNCTION webhook.check_endpoint_headers(headers jsonb) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    header record;
    header_count bigint;
    total bigint;           -- bytes of the names and values
    twice text;             -- a name given twice, in two cases
    invisible text;         -- the first invisible character of a value
    bad_at integer;         -- where a malformed name has a character it may not
BEGIN
    IF headers IS NULL THEN
        RETURN true;
    END IF;
    IF jsonb_typeof(headers) <> 'object' THEN
        RAISE EXCEPTION 'invalid endpoint headers'
            USING ERRCODE = '22023',
                  DETAIL = format('The headers are a JSON %s, not an object.', jsonb_typeof(headers)),
                  HINT = 'Give headers as a JSON object of strings, such as {"x-api-key": "abc"}.';
    END IF;
    -- Receivers refuse requests whose header section is large (commonly from
    -- 8 to 16 KiB in all, or more than 100 fields), and the worker holds a
    -- copy of the headers for every delivery it has claimed: unbounded, they
    -- failed every request and could take the worker's memory. Measured
    -- first, so that a huge object is refused before it is walked.
    SELECT count(*), coalesce(sum(octet_length(h.key) + octet_length(h.value #>> '{}')), 0)
      INTO header_count, total
      FROM jsonb_each(headers) AS h;
    IF header_count > 64 THEN
        RAISE EXCEPTION 'endpoint has too many headers'
            USING ERRCODE = '22023',
                  DETAIL = format('The headers name %s headers; at most 64 are allowed.', header_count),
                  HINT = 'Send fewer headers: receivers refuse requests with many header fields.';
    END IF;
    IF total > 8192 THEN
        RAISE EXCEPTION 'endpoint headers are too large'
            USING ERRCODE = '22023',
                  DETAIL = format('The headers'' names and values add up to %s bytes; at most 8192 are allowed.', total),
                  HINT = 'Send fewer or shorter headers: receivers refuse requests with large headers.';
    END IF;
    FOR header IN SELECT key, value FROM jsonb_each(headers) LOOP
        IF header.key !~ '^[!#$%&''*+.^_`|~0-9A-Za-z-]{1,128}$' THEN
            -- Not echoed: a name that fails is often a whole header line or
            -- a value ({"authorization: Bearer ...": ""}), and the message
            -- reaches the server log. The detail says where it goes wrong.
            bad_at := regexp_instr(header.key, '[^!#$%&''*+.^_`|~0-9A-Za-z-]');
            RAISE EXCEPTION 'invalid endpoint header name'
                USING ERRCODE = '22023',
                      DETAIL = CASE WHEN header.key = '' THEN 'A header name is empty; a name is 1 to 128 token characters (RFC 9110).'
                                    WHEN bad_at > 0 THEN format('A header name has U+%s at position %s, which is not a token character; a name is 1 to 128 of them (RFC 9110).',
                                                                upper(lpad(to_hex(ascii(substr(header.key, bad_at, 1))), 4, '0')), bad_at)
                                    ELSE format('A header name has %s characters; a name is 1 to 128 token characters (RFC 9110).', length(header.key)) END,
                      HINT = 'Use names such as x-api-key, and give a header line such as "authorization: Bearer ..." as {"authorization": "Bearer ..."}.';
        END IF;
        -- Lower-cased by ASCII rules alone (COLLATE "C"): in a database
        -- whose locale is Turkish, lower('WEBHOOK-ID') is 'webhook-ıd' (a
        -- dotless i), and these names, in capitals, passed every check.
        IF lower(header.key COLLATE "C") IN ('host', 'content-type', 'content-length', 'transfer-encoding',
                                 'connection', 'expect', 'user-agent', 'webhook-id',
                                 'webhook-timestamp', 'webhook-signature') THEN
            RAISE EXCEPTION 'endpoint header % cannot be overridden', quote_literal(header.key)
                USING ERRCODE = '22023',
                      DETAIL = 'pg_webhook sets this header itself on every request.',
                      HINT = 'Remove it from the headers.';
        END IF;
        -- The connection's own fields (RFC 9110, 7.6.1) are the HTTP client's
        -- to manage, and HTTP/2 drops them, so they would be sent to some
        -- receivers and not to others; the body is sent as it is, so a
        -- content-encoding would misdescribe the bytes that were signed.
        IF lower(header.key COLLATE "C") IN ('keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade',
                                 'content-encoding') THEN
            RAISE EXCEPTION 'endpoint header % cannot be set', quote_literal(header.key)
                USING ERRCODE = '22023',
                      DETAIL = 'It concerns the connection or the encoding of the body, which pg_webhook manages.',
                      HINT = 'Remove it from the headers.';
        END IF;
        IF jsonb_typeof(header.value) <> 'string' OR header.value #>> '{}' ~ '[\r\n\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' THEN
            RAISE EXCEPTION 'invalid value for endpoint header %', quote_literal(header.key)
                USING ERRCODE = '22023',
                      DETAIL = 'A header value is a JSON string without control characters.',
                      HINT = 'Give headers as a JSON object of strings, such as {"x-api-key": "abc"}.';
        END IF;
        -- The API shows every value as "[redacted]": a client that writes
        -- back the headers it read (a form loaded, edited and saved) stored
        -- the placeholder in place of the credential, and every request
        -- then carried it.
        IF header.value #>> '{}' = '[redacted]' THEN
            RAISE EXCEPTION 'the value of endpoint header % is the redaction placeholder', quote_literal(header.key)
                USING ERRCODE = '22023',
                      DETAIL = 'The API (get_endpoint, list_endpoints) shows "[redacted]" in place of each header''s value; stored, it would be sent instead of the value it stands for.',
                      HINT = 'Give the header''s real value (webhook.endpoint_headers shows the current ones), or leave headers NULL in update_endpoint to keep them as they are.';
        END IF;
        -- The characters the URL check refuses as invisible or as a space
        -- (src/core/endpoint_url.cpp, is_invisible_or_space; test
        -- foundation_endpoint compares the two): C1 controls, Unicode spaces,
        -- zero-width and bidirectional formatting characters, the soft hyphen
        -- and the byte order mark. A credential pasted with one looks right
        -- wherever it is shown and is refused by the receiver, and a C1
        -- control is no field content in HTTP. The detail names the
        -- character, not the value, which is often a credential.
        invisible := substring(header.value #>> '{}' FROM
            '[\u0080-\u00a0\u00ad\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff]');
        IF invisible IS NOT NULL THEN
            RAISE EXCEPTION 'invalid value for endpoint header %', quote_literal(header.key)
                USING ERRCODE = '22023',
                      DETAIL = format('The value contains U+%s, a space, invisible or control character.',
                                      upper(lpad(to_hex(ascii(invisible)), 4, '0'))),
                      HINT = 'Give the value as printable text without such characters; retype a value that was pasted.';
        END IF;
    END LOOP;
    -- Header names are case-insensitive: two keys that differ only in case
    -- would send the header twice, which receivers join or refuse.
    SELECT max(k) INTO twice
      FROM jsonb_object_keys(headers) AS k
     GROUP BY lower(k COLLATE "C") HAVING count(*) > 1
     LIMIT 1;
    IF twice IS NOT NULL THEN
        RAISE EXCEPTION 'endpoint header % is given twice', quote_literal(twice)
            USING ERRCODE = '22023',
                  DETAIL = 'Header names are case-insensitive, and another key of the headers names the same header.',
                  HINT = 'Give each header once.';
    END IF;
    RETURN true;
END
$$;
COMMENT ON FUNCTION webhook.check_endpoint_headers(jsonb) IS
    'True for a JSON object of extra request headers pg_webhook may send; raises 22023 otherwise.';

-- The worker signs with the previous secret too while its grace lasts, so a
-- previous secret written directly (a rotation keeps the old secret itself)
-- must be one: a malformed one would fail every delivery of the endpoint.
CREATE FUNCTION webhook.check_previous_secret(previous_secret text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    reason text;
BEGIN
    IF previous_secret IS NOT NULL THEN
        PERFORM webhook.check_secret(previous_secret);
    END IF;
    RETURN true;
EXCEPTION WHEN invalid_parameter_value THEN
    GET STACKED DIAGNOSTICS reason = PG_EXCEPTION_DETAIL;
    RAISE EXCEPTION 'invalid previous_secret' USING ERRCODE = '22023',
        DETAIL = replace(reason, 'The secret', 'The previous secret'),
        HINT = 'Leave previous_secret to webhook.rotate_endpoint_secret(), which keeps the replaced secret there; or set it NULL.';
END
$$;
COMMENT ON FUNCTION webhook.check_previous_secret(text) IS
    'True for NULL or a Standard Webhooks secret; raises 22023 naming previous_secret otherwise.';

CREATE FUNCTION webhook.endpoint_before_write() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM webhook.check_url(NEW.url);
    IF NEW.url IS NULL THEN
        RAISE EXCEPTION 'endpoint url is required' USING ERRCODE = '22023',
            DETAIL = 'The url is where the endpoint''s deliveries are sent.',
            HINT = 'Give an absolute URL such as https://example.com/webhooks.';
    END IF;
    -- On UPDATE a NULL secret keeps the one stored. The API shows the secret
    -- as NULL, so a row read back from get_endpoint or list_endpoints and
    -- written whole (PostgREST's PATCH /endpoint of a record a client
    -- loaded) rotated it to a generated secret no one knew, the old one
    -- signing for 24 hours more. rotate_endpoint_secret replaces a secret.
    IF NEW.secret IS NULL THEN
        NEW.secret := CASE WHEN TG_OP = 'UPDATE' THEN OLD.secret ELSE webhook.generate_secret() END;
    END IF;
    PERFORM webhook.check_secret(NEW.secret);
    IF NEW.event_types IS NOT NULL THEN
        IF cardinality(NEW.event_types) = 0 THEN
            RAISE EXCEPTION 'event_types is empty' USING ERRCODE = '22023',
                DETAIL = 'An endpoint with no event types would never receive anything.',
                HINT = 'Name at least one, or leave event_types NULL to receive every event type (update_endpoint: reset => ''{event_types}'').';
        END IF;
        IF array_ndims(NEW.event_types) > 1 THEN
            RAISE EXCEPTION 'event_types must be a one-dimensional array' USING ERRCODE = '22023',
                DETAIL = format('It has %s dimensions.', array_ndims(NEW.event_types)),
                HINT = 'Pass a list such as ARRAY[''invoice.paid'', ''invoice.failed''].';
        END IF;
        PERFORM webhook.check_event_type(t) FROM unnest(NEW.event_types) AS t;
    END IF;
    IF NEW.max_attempts IS NOT NULL AND NEW.max_attempts NOT BETWEEN 1 AND 100 THEN
        RAISE EXCEPTION 'max_attempts must be between 1 and 100' USING ERRCODE = '22023',
            DETAIL = format('max_attempts was %s.', NEW.max_attempts),
            HINT = 'Pass 1 to 100, or leave max_attempts NULL for the retry schedule''s length + 1 (update_endpoint: reset => ''{max_attempts}'').';
    END IF;
    IF NEW.timeout_ms IS NOT NULL AND NEW.timeout_ms NOT BETWEEN 100 AND 300000 THEN
        RAISE EXCEPTION 'timeout_ms must be between 100 and 300000' USING ERRCODE = '22023',
            DETAIL = format('timeout_ms was %s.', NEW.timeout_ms),
            HINT = 'Pass 100 to 300000, or leave timeout_ms NULL for the webhook.request_timeout setting (update_endpoint: reset => ''{timeout_ms}'').';
    END IF;
    IF length(NEW.description) > 1000 THEN
        RAISE EXCEPTION 'description is longer than 1000 characters' USING ERRCODE = '22023',
            DETAIL = format('The description has %s characters.', length(NEW.description)),
            HINT = 'Shorten the description.';
    END IF;
    IF length(NEW.disabled_reason) > 1000 THEN
        RAISE EXCEPTION 'disabled_reason is longer than 1000 characters' USING ERRCODE = '22023',
            DETAIL = format('The reason has %s characters.', length(NEW.disabled_reason)),
            HINT = 'Shorten the reason.';
    END IF;
    PERFORM webhook.check_endpoint_headers(NEW.headers);
    IF NEW.enabled THEN
        NEW.disabled_reason := NULL;
    END IF;

    IF TG_OP = 'UPDATE' THEN
        NEW.updated_at := now();
        NEW.created_at := OLD.created_at;
        IF NEW.id IS DISTINCT FROM OLD.id THEN
            RAISE EXCEPTION 'an endpoint''s id cannot change' USING ERRCODE = '22023',
                DETAIL = 'Its deliveries refer to it by this id.',
                HINT = 'Create a new endpoint instead.';
        END IF;
        IF NEW.workspace_id IS DISTINCT FROM OLD.workspace_id THEN
            RAISE EXCEPTION 'an endpoint cannot move to another workspace' USING ERRCODE = '22023',
                DETAIL = 'Its deliveries and their attempts belong to the workspace it was created in.',
                HINT = 'Create a new endpoint in the other workspace instead.';
        END IF;
        -- A new secret keeps the old one for signing during the grace period.
        IF NEW.secret IS DISTINCT FROM OLD.secret THEN
            NEW.previous_secret := OLD.secret;
            IF NEW.previous_secret_expires_at IS NOT DISTINCT FROM OLD.previous_secret_expires_at THEN
                NEW.previous_secret_expires_at := now() + interval '24 hours';
            END IF;
        ELSIF NEW.previous_secret IS NULL AND NEW.previous_secret_expires_at > now() THEN
            -- A grace the row says still runs keeps the secret it is for.
            -- NULL is how the API shows it: a row written back whole ended
            -- the grace at once, and receivers not yet given the new secret
            -- failed every signature. It is cleared with the grace ended
            -- (previous_secret_expires_at no later than now()).
            NEW.previous_secret := OLD.previous_secret;
        ELSIF NEW.previous_secret IS DISTINCT FROM OLD.previous_secret
              AND NEW.previous_secret IS NOT NULL THEN
            PERFORM webhook.check_previous_secret(NEW.previous_secret);
        END IF;
    ELSIF NEW.previous_secret IS NOT NULL THEN
        PERFORM webhook.check_previous_secret(NEW.previous_secret);
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION webhook.endpoint_before_write() IS
    'Validates an endpoint row and keeps updated_at and the rotation grace secret current.';

CREATE TRIGGER endpoint_before_write BEFORE INSERT OR UPDATE ON webhook.endpoint
    FOR EACH ROW EXECUTE FUNCTION webhook.endpoint_before_write();

-- ---------------------------------------------------------------------------
-- Endpoint API. Every function runs as its caller: row-level security is what
-- keeps each workspace to itself. Returned rows never carry a secret.
-- ---------------------------------------------------------------------------
-- It reads the secret as the table's owner: the fixed search_path keeps the
-- caller's own operators and functions out of that query.
CREATE FUNCTION webhook.endpoint_secret(id uuid) RETURNS text
    AS 'MODULE_PATHNAME', 'webhook_endpoint_secret' LANGUAGE C STABLE
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION webhook.endpoint_secret(uuid) IS
    'The signing secret of an endpoint visible to the caller: the one call that reveals it. P0002 otherwise.';

-- Header values are credentials as often as not (authorization, an API
-- key): what the API returns shows each header's name, never its value.
CREATE FUNCTION webhook.masked_headers(headers jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
RETURN CASE WHEN headers IS NULL THEN NULL
            ELSE coalesce((SELECT jsonb_object_agg(h.key, '[redacted]') FROM jsonb_object_keys(headers) AS h(key)),
                          '{}') END;
COMMENT ON FUNCTION webhook.masked_headers(jsonb) IS
    'An endpoint''s headers as the API shows them: every value replaced by "[redacted]".';

CREATE FUNCTION webhook.endpoint_headers(id uuid) RETURNS jsonb
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM webhook.get_endpoint(endpoint_headers.id);  -- P0002 when not visible
    RETURN (SELECT e.headers FROM webhook.endpoint e WHERE e.id = endpoint_headers.id);
END
$$;
COMMENT ON FUNCTION webhook.endpoint_headers(uuid) IS
    'The extra request headers of an endpoint visible to the caller, values included (other '
    'calls show them redacted); P0002 otherwise.';

CREATE FUNCTION webhook.get_endpoint(id uuid) RETURNS webhook.endpoint
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    result webhook.endpoint;
BEGIN
    -- Every endpoint call finds its endpoint here: a NULL id is not found,
    -- with a detail that says so rather than one that names "<NULL>".
    IF get_endpoint.id IS NULL THEN
        RAISE EXCEPTION 'endpoint not found' USING ERRCODE = 'P0002',
            DETAIL = 'The id is NULL, and names no endpoint.',
            HINT = 'Pass the id of an endpoint, as create_endpoint or list_endpoints returns it.';
    END IF;
    SELECT e.id, e.workspace_id, e.url, e.description, e.event_types, NULL, e.enabled,
           e.disabled_reason, e.max_attempts, e.timeout_ms, webhook.masked_headers(e.headers),
           e.created_at, e.updated_at, NULL, e.previous_secret_expires_at
      INTO result
      FROM webhook.endpoint e
     WHERE e.id = get_endpoint.id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'endpoint % not found', get_endpoint.id USING ERRCODE = 'P0002',
            DETAIL = 'No endpoint with this id is visible to the current role and workspace.',
            HINT = 'Check the id, and the workspace the session acts in: the JWT''s workspace_id claim (PostgREST), else the webhook.workspace_id setting.';
    END IF;
    RETURN result;
END
$$;
COMMENT ON FUNCTION webhook.get_endpoint(uuid) IS
    'One endpoint (secret columns NULL, header values redacted); P0002 when it does not exist or is not visible.';

CREATE FUNCTION webhook.list_endpoints(workspace_id uuid DEFAULT NULL, enabled boolean DEFAULT NULL)
    RETURNS SETOF webhook.endpoint
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT e.id, e.workspace_id, e.url, e.description, e.event_types, NULL::text, e.enabled,
           e.disabled_reason, e.max_attempts, e.timeout_ms, webhook.masked_headers(e.headers),
           e.created_at, e.updated_at, NULL::text, e.previous_secret_expires_at
      FROM webhook.endpoint e
     WHERE (list_endpoints.workspace_id IS NULL OR e.workspace_id = list_endpoints.workspace_id)
       AND (list_endpoints.enabled IS NULL OR e.enabled = list_endpoints.enabled)
     ORDER BY e.created_at, e.id;
END;
COMMENT ON FUNCTION webhook.list_endpoints(uuid, boolean) IS
    'The endpoints visible to the caller, oldest first, optionally of one workspace or enabled state (secret columns NULL, header values redacted).';

CREATE FUNCTION webhook.create_endpoint(
    url text,
    event_types text[] DEFAULT NULL,
    workspace_id uuid DEFAULT NULL,
    description text DEFAULT NULL,
    secret text DEFAULT NULL,
    max_attempts integer DEFAULT NULL,
    timeout_ms integer DEFAULT NULL,
    headers jsonb DEFAULT NULL) RETURNS webhook.endpoint
    LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    new_id uuid;
    workspace CONSTANT uuid := webhook.effective_workspace_id(create_endpoint.workspace_id);
BEGIN
    -- Refused up front, as publish refuses it: Postgres's own refusal has
    -- no hint, and for rotate_endpoint_secret it blamed a SELECT FOR NO KEY
    -- UPDATE the caller never wrote (a PostgREST GET of these calls).
    IF current_setting('transaction_read_only')::boolean THEN
        PERFORM webhook.refuse_read_only('create an endpoint', 'Creating an endpoint writes it in the calling transaction.');
    END IF;
    PERFORM webhook.check_session_workspace(workspace, 'create an endpoint', 'creates endpoints');
    IF create_endpoint.url IS NULL THEN
        RAISE EXCEPTION 'endpoint url is required' USING ERRCODE = '22023',
            DETAIL = 'The url is where the endpoint''s deliveries are sent.',
            HINT = 'Give an absolute URL such as https://example.com/webhooks.';
    END IF;
    INSERT INTO webhook.endpoint AS e
           (workspace_id, url, description, event_types, secret, max_attempts, timeout_ms, headers)
    VALUES (workspace, create_endpoint.url,
            create_endpoint.description, create_endpoint.event_types,
            coalesce(create_endpoint.secret, webhook.generate_secret()),
            create_endpoint.max_attempts, create_endpoint.timeout_ms, create_endpoint.headers)
    RETURNING e.id INTO new_id;
    RETURN webhook.get_endpoint(new_id);
END
$$;
COMMENT ON FUNCTION webhook.create_endpoint(text, text[], uuid, text, text, integer, integer, jsonb) IS
    'Creates an endpoint; a secret is generated unless one is given. Read it with webhook.endpoint_secret().';

CREATE FUNCTION webhook.update_endpoint(
    id uuid,
    url text DEFAULT NULL,
    event_types text[] DEFAULT NULL,
    description text DEFAULT NULL,
    max_attempts integer DEFAULT NULL,
    timeout_ms integer DEFAULT NULL,
    headers jsonb DEFAULT NULL,
    reset text[] DEFAULT NULL) RETURNS webhook.endpoint
    LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    resettable CONSTANT text[] := '{event_types,description,max_attempts,timeout_ms,headers}';
    field text;
BEGIN
    IF current_setting('transaction_read_only')::boolean THEN
        PERFORM webhook.refuse_read_only('update an endpoint', 'Updating an endpoint writes it in the calling transaction.');
    END IF;
    FOREACH field IN ARRAY coalesce(reset, '{}') LOOP
        IF field IS NULL OR NOT field = ANY (resettable) THEN
            RAISE EXCEPTION 'cannot reset %', coalesce(quote_literal(field), 'NULL')
                USING ERRCODE = '22023',
                      DETAIL = 'Only the optional fields of an endpoint can be reset to NULL.',
                      HINT = format('Fields that can be reset to NULL: %s.', array_to_string(resettable, ', '));
        END IF;
    END LOOP;
    IF (update_endpoint.event_types IS NOT NULL AND 'event_types' = ANY (reset))
       OR (update_endpoint.description IS NOT NULL AND 'description' = ANY (reset))
       OR (update_endpoint.max_attempts IS NOT NULL AND 'max_attempts' = ANY (reset))
       OR (update_endpoint.timeout_ms IS NOT NULL AND 'timeout_ms' = ANY (reset))
       OR (update_endpoint.headers IS NOT NULL AND 'headers' = ANY (reset)) THEN
        RAISE EXCEPTION 'a field cannot be both set and reset' USING ERRCODE = '22023',
            DETAIL = 'A field named in reset becomes NULL, so it cannot also take the value given for it.',
            HINT = 'Pass a new value or name the field in reset, not both.';
    END IF;

    UPDATE webhook.endpoint AS e SET
        url          = coalesce(update_endpoint.url, e.url),
        event_types  = CASE WHEN 'event_types' = ANY (reset) THEN NULL
                            ELSE coalesce(update_endpoint.event_types, e.event_types) END,
        description  = CASE WHEN 'description' = ANY (reset) THEN NULL
                            ELSE coalesce(update_endpoint.description, e.description) END,
        max_attempts = CASE WHEN 'max_attempts' = ANY (reset) THEN NULL
                            ELSE coalesce(update_endpoint.max_attempts, e.max_attempts) END,
        timeout_ms   = CASE WHEN 'timeout_ms' = ANY (reset) THEN NULL
                            ELSE coalesce(update_endpoint.timeout_ms, e.timeout_ms) END,
        headers      = CASE WHEN 'headers' = ANY (reset) THEN NULL
                            ELSE coalesce(update_endpoint.headers, e.headers) END
     WHERE e.id = update_endpoint.id;
    RETURN webhook.get_endpoint(update_endpoint.id);  -- P0002 when nothing was visible
END
$$;
COMMENT ON FUNCTION webhook.update_endpoint(uuid, text, text[], text, integer, integer, jsonb, text[]) IS
    'Changes the given fields of an endpoint (NULL: unchanged); fields named in reset become NULL.';

CREATE FUNCTION webhook.enable_endpoint(id uuid) RETURNS webhook.endpoint
    LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF current_setting('transaction_read_only')::boolean THEN
        PERFORM webhook.refuse_read_only('enable an endpoint', 'Enabling an endpoint writes it, and schedules its waiting deliveries, in the calling transaction.');
    END IF;
    -- A trigger makes its waiting deliveries due and wakes the worker on
    -- commit (also for an UPDATE that does not come through here).
    UPDATE webhook.endpoint AS e SET enabled = true, disabled_reason = NULL
     WHERE e.id = enable_endpoint.id;
    RETURN webhook.get_endpoint(enable_endpoint.id);
END
$$;
COMMENT ON FUNCTION webhook.enable_endpoint(uuid) IS
    'Enables an endpoint; its waiting deliveries become due at once.';

CREATE FUNCTION webhook.disable_endpoint(id uuid, reason text DEFAULT NULL) RETURNS webhook.endpoint
    LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF current_setting('transaction_read_only')::boolean THEN
        PERFORM webhook.refuse_read_only('disable an endpoint', 'Disabling an endpoint writes it, and parks its unfinished deliveries, in the calling transaction.');
    END IF;
    -- Without a reason, a disabled endpoint keeps the one it has: disabling
    -- it again (an operator's script, a retried request) must not erase why
    -- it was disabled. An enabled endpoint has none (the trigger clears it).
    UPDATE webhook.endpoint AS e
       SET enabled = false, disabled_reason = coalesce(disable_endpoint.reason, e.disabled_reason)
     WHERE e.id = disable_endpoint.id;
    RETURN webhook.get_endpoint(disable_endpoint.id);
END
$$;
COMMENT ON FUNCTION webhook.disable_endpoint(uuid, text) IS
    'Disables an endpoint: a fan-out skips it (an event published to it by id waits), and its '
    'unfinished deliveries wait (neither sent nor failed) until it is enabled. '
    'A NULL reason keeps the reason of an endpoint disabled already.';

CREATE FUNCTION webhook.rotate_endpoint_secret(
    id uuid, secret text DEFAULT NULL, grace interval DEFAULT interval '24 hours')
    RETURNS webhook.endpoint
    LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF current_setting('transaction_read_only')::boolean THEN
        PERFORM webhook.refuse_read_only('rotate an endpoint''s secret', 'A rotation writes the endpoint''s new secret in the calling transaction.');
    END IF;
    IF grace IS NULL OR grace < interval '0' OR grace > interval '7 days' THEN
        RAISE EXCEPTION 'grace must be between 0 and 7 days' USING ERRCODE = '22023',
            DETAIL = format('grace was %s.', coalesce(grace::text, 'NULL')),
            HINT = 'Pass a grace from 0 to 7 days (default 24 hours): during it, requests are signed with both the new and the previous secret.';
    END IF;
    -- The current secret again would replace nothing, but would give the
    -- secret it replaced (perhaps rotated away because it leaked) a new grace.
    -- endpoint_secret() reads it as the caller may (P0002 when not visible).
    -- The row is locked first, so that it is the secret a rotation committed
    -- meanwhile left: read from this statement's snapshot, a concurrent
    -- rotation to the same secret passed the test and then gave the secret
    -- that rotation had replaced a new grace.
    PERFORM FROM webhook.endpoint e WHERE e.id = rotate_endpoint_secret.id FOR NO KEY UPDATE;
    IF rotate_endpoint_secret.secret = webhook.endpoint_secret(rotate_endpoint_secret.id) THEN
        RAISE EXCEPTION 'the new secret is the endpoint''s current secret' USING ERRCODE = '22023',
            DETAIL = 'Rotating to it would replace nothing, and would make the secret it replaced valid again for the grace period.',
            HINT = 'Pass another secret, or NULL to have one generated.';
    END IF;
    -- The trigger keeps the old secret as previous_secret, and gives it 24
    -- hours unless the UPDATE changes previous_secret_expires_at. A rotation
    -- earlier in this transaction with the same grace left the same end
    -- (now() does not move): clear it first, or the grace asked for is lost.
    UPDATE webhook.endpoint AS e SET previous_secret_expires_at = NULL
     WHERE e.id = rotate_endpoint_secret.id
       AND e.previous_secret_expires_at = now() + grace;
    UPDATE webhook.endpoint AS e
       SET secret = coalesce(rotate_endpoint_secret.secret, webhook.generate_secret()),
           previous_secret_expires_at = now() + grace
     WHERE e.id = rotate_endpoint_secret.id;
    RETURN webhook.get_endpoint(rotate_endpoint_secret.id);
END
$$;
COMMENT ON FUNCTION webhook.rotate_endpoint_secret(uuid, text, interval) IS
    'Replaces an endpoint''s secret (generated unless given); requests carry signatures with both secrets for the grace period.';

CREATE FUNCTION webhook.delete_endpoint(id uuid) RETURNS void
    LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF current_setting('transaction_read_only')::boolean THEN
        PERFORM webhook.refuse_read_only('delete an endpoint', 'Deleting an endpoint, and cancelling its unfinished deliveries, writes in the calling transaction.');
    END IF;
    PERFORM webhook.get_endpoint(delete_endpoint.id);  -- P0002 when not visible
    -- Its unfinished deliveries are cancelled by a trigger (also for a
    -- DELETE that does not come through here).
    DELETE FROM webhook.endpoint AS e WHERE e.id = delete_endpoint.id;
    -- Seen above, and gone once its row lock was granted: a concurrent
    -- delete committed first. That is not found either.
    IF NOT FOUND THEN
        RAISE EXCEPTION 'endpoint % not found', delete_endpoint.id USING ERRCODE = 'P0002',
            DETAIL = 'Another transaction deleted the endpoint while this one waited for it.',
            HINT = 'Nothing is left to delete; list the endpoints to see what remains.';
    END IF;
END
$$;
COMMENT ON FUNCTION webhook.delete_endpoint(uuid) IS
    'Deletes an endpoint and cancels its unfinished deliveries; their history and attempts are kept.';
