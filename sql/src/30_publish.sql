
-- ---------------------------------------------------------------------------
-- Publishing: the write that makes webhooks transactional. Deliveries are
-- rows of the caller's transaction: a rollback leaves nothing and sends
-- nothing; a commit wakes the worker.
-- ---------------------------------------------------------------------------
CREATE FUNCTION webhook.publish(
    event_type text,
    payload jsonb,
    workspace_id uuid DEFAULT NULL,
    event_id text DEFAULT NULL,
    endpoint_id uuid DEFAULT NULL) RETURNS SETOF uuid
    LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
    -- Every statement here reads by a unique key or the workspace's few
    -- endpoints: one plan serves every call, where PL/pgSQL would otherwise
    -- plan some of them anew on each call.
    SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    -- The event type is checked here, and the ids are returned by a loop:
    -- PL/pgSQL evaluates those as expressions, where PERFORM and RETURN QUERY
    -- start an executor each (a quarter of a publish's time went to that).
    event_type_checked CONSTANT boolean := webhook.check_event_type(publish.event_type);
    workspace CONSTANT uuid := webhook.effective_workspace_id(publish.workspace_id);
    event CONSTANT text := coalesce(publish.event_id,
                                    'evt_' || replace(webhook.uuid_generate_v7()::text, '-', ''));
    targets uuid[];
    target_enabled boolean := true;  -- a fan-out names enabled endpoints only
    deliveries uuid[];
    delivery uuid;
    other_event boolean;
BEGIN
    -- Refused up front: with no endpoint to send to, nothing below would
    -- write, and the call would seem to have published.
    IF current_setting('transaction_read_only')::boolean THEN
        PERFORM webhook.refuse_read_only('publish', 'Publishing writes the event''s deliveries in the calling transaction.');
    END IF;
    -- In another workspace than the session's, row-level security would
    -- hide every endpoint from a webhook_user, and the event would be
    -- dropped without a word. Tested here first: the check is a call.
    IF workspace IS DISTINCT FROM webhook.current_workspace_id() THEN
        PERFORM webhook.check_session_workspace(workspace, 'publish', 'publishes');
    END IF;
    IF publish.payload IS NULL THEN
        RAISE EXCEPTION 'payload is required' USING ERRCODE = '22023',
            DETAIL = 'The payload is the body of every request sent for the event.',
            HINT = 'Pass the event''s JSON payload; use ''{}'' for an event without data.';
    END IF;
    IF event = '' OR length(event) > 255 THEN
        RAISE EXCEPTION 'event_id must be 1 to 255 characters' USING ERRCODE = '22023',
            DETAIL = format('event_id has %s characters.', length(event)),
            HINT = 'Pass NULL to have an event id generated.';
    END IF;
    -- The detail names the character's position, not the id: echoed, its
    -- control characters would reach logs and terminals as they are. The
    -- characters are named, not a class such as [[:cntrl:]] or \s, whose
    -- members depend on the database's locale: the same id was accepted in
    -- one database and refused in another.
    IF publish.event_id ~ '[\x01-\x1f\x7f-\x9f]' THEN
        RAISE EXCEPTION 'event_id must not contain control characters' USING ERRCODE = '22023',
            DETAIL = format('The character at position %s of event_id is a control character (code %s).',
                            regexp_instr(event, '[\x01-\x1f\x7f-\x9f]'),
                            ascii(substr(event, regexp_instr(event, '[\x01-\x1f\x7f-\x9f]'), 1))),
            HINT = 'Use printable characters, such as order-1-created; pass NULL to have an event id generated.';
    END IF;
    -- ' order-1' and 'order-1' would be two events: a space at either end (or
    -- nothing else) is almost always a mistake of the caller's, and so is one
    -- of the invisible or space characters of Unicode that the URL and header
    -- checks refuse (a no-break or zero-width space, a byte order mark, which
    -- a pasted id brings along and no one sees).
    IF publish.event_id ~ '^[ \u00a0\u00ad\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff]|[ \u00a0\u00ad\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff]$' THEN
        DECLARE
            spaces CONSTANT text := '[ \u00a0\u00ad\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff]';  -- as above
            at_start CONSTANT boolean := publish.event_id ~ ('^' || spaces);
        BEGIN
            RAISE EXCEPTION 'event_id must not begin or end with whitespace' USING ERRCODE = '22023',
                DETAIL = CASE WHEN publish.event_id ~ ('^' || spaces || '+$')
                              THEN 'event_id is only whitespace or invisible characters.'
                              ELSE format('The id %s with U+%s, a space or invisible character: an id with one at an end would name another event than the same id without it.',
                                          CASE WHEN at_start THEN 'begins' ELSE 'ends' END,
                                          upper(lpad(to_hex(ascii(CASE WHEN at_start THEN left(publish.event_id, 1)
                                                                       ELSE right(publish.event_id, 1) END)), 4, '0'))) END,
                HINT = 'Trim the id, such as order-1-created; pass NULL to have an event id generated.';
        END;
    END IF;

    IF publish.endpoint_id IS NOT NULL THEN
        -- A named endpoint gets the event whatever its event_types filter.
        SELECT array[e.id], e.enabled INTO targets, target_enabled
          FROM webhook.endpoint e
         WHERE e.id = publish.endpoint_id AND e.workspace_id = workspace;
        IF targets IS NULL THEN
            -- The detail names the workspace: an administrator who sees the
            -- endpoint, and named no workspace_id, publishes in the session's
            -- or the default one, and "not found" alone made no sense to it.
            RAISE EXCEPTION 'endpoint % not found', publish.endpoint_id USING ERRCODE = 'P0002',
                DETAIL = format('No endpoint with this id is visible in workspace %s, the one the event is published to.', workspace),
                HINT = 'Check the endpoint id, the workspace_id argument, and the workspace the session acts in: the JWT''s workspace_id claim (PostgREST), else the webhook.workspace_id setting.';
        END IF;
        IF NOT target_enabled THEN
            -- Its delivery will wait unscheduled, which an enable_endpoint()
            -- committing meanwhile would never undo: its trigger cannot see
            -- this transaction's rows, and they would wait for ever behind
            -- an enabled endpoint. Locked FOR SHARE (rarely: only a disabled
            -- endpoint), the endpoint is read as such an enable left it,
            -- once it has committed; and an enable that comes later waits
            -- for this transaction, then finds its delivery.
            SELECT e.enabled INTO target_enabled
              FROM webhook.endpoint e
             WHERE e.id = publish.endpoint_id AND e.workspace_id = workspace
               FOR SHARE;
            -- Deleted meanwhile: the INSERT below finds no endpoint, and
            -- the call fails as for an unknown endpoint.
            target_enabled := coalesce(target_enabled, true);
        END IF;
    ELSE
        SELECT array_agg(e.id ORDER BY e.id) INTO targets
          FROM webhook.endpoint e
         WHERE e.workspace_id = workspace
           AND e.enabled
           AND (e.event_types IS NULL OR publish.event_type = ANY (e.event_types));
        IF targets IS NULL THEN
            -- Nothing is written, but the payload is held to its limit all
            -- the same: accepted while no endpoint subscribes, the event
            -- began to fail once one did.
            PERFORM webhook.payload_hash(publish.payload);
            RETURN;
        END IF;
    END IF;

    -- Idempotent on (endpoint, event id): a repeat creates nothing. A
    -- concurrent publish of the same event waits for this one's rows, one
    -- endpoint at a time: they are inserted in endpoint id order, the same
    -- for both. In the order of the endpoint table's scan, which differs
    -- between two snapshots when an endpoint row moved in between, each
    -- held a row the other wanted (40P01). The ids
    -- come from the INSERT itself. Only when some target had the event
    -- already are they looked up, one endpoint at a time by the unique key:
    -- a single query ordered by id could be planned, on statistics that say
    -- the table is small, as a walk of the whole primary key.
    WITH inserted AS (
        INSERT INTO webhook.delivery AS d
               (workspace_id, endpoint_id, event_id, event_type, payload, max_attempts)
        SELECT workspace, e.id, event, publish.event_type, publish.payload,
               coalesce(e.max_attempts, webhook.default_max_attempts())
          FROM webhook.endpoint e
         WHERE e.id = ANY (targets)
         ORDER BY e.id
        ON CONFLICT ON CONSTRAINT delivery_event_once_per_endpoint DO NOTHING
        RETURNING d.id)
    SELECT array_agg(inserted.id ORDER BY inserted.id) INTO deliveries FROM inserted;

    IF deliveries IS NOT NULL AND NOT target_enabled THEN
        -- Named, a disabled endpoint still gets the event: it waits,
        -- unscheduled, until the endpoint is enabled.
        UPDATE webhook.delivery AS d SET next_attempt_at = NULL WHERE d.id = ANY (deliveries);
    ELSIF deliveries IS NOT NULL THEN
        PERFORM webhook.wake_worker_on_commit();
    END IF;
    IF coalesce(cardinality(deliveries), 0) < cardinality(targets) THEN
        -- Some endpoint had the event id already. The same event again (a
        -- producer's retry) returns its deliveries; another event under the
        -- same id is refused, not dropped.
        SELECT array_agg(existing.id ORDER BY existing.id),
               bool_or(existing.event_type <> publish.event_type OR existing.payload <> publish.payload)
          INTO deliveries, other_event
          FROM unnest(targets) AS target(endpoint_id)
         CROSS JOIN LATERAL (
               SELECT d.id, d.event_type, d.payload FROM webhook.delivery d
                WHERE d.endpoint_id = target.endpoint_id AND d.event_id = event) AS existing;
        IF other_event THEN
            RAISE EXCEPTION 'event % was already published with another event type or payload', quote_literal(event)
                USING ERRCODE = '23505',
                DETAIL = 'An event id names one event: publishing it again returns its deliveries only when the event type and payload are the same (JSON equality).',
                HINT = 'Give each event an id of its own; compare with the earlier deliveries (list_deliveries with event_id).';
        END IF;
    END IF;
    IF deliveries IS NULL AND publish.endpoint_id IS NOT NULL THEN
        -- The named endpoint was deleted by a transaction that committed
        -- after it was read (the lock above waited for it, or it came
        -- between the read and the INSERT): nothing was published, which
        -- the caller must not take for a success.
        RAISE EXCEPTION 'endpoint % not found', publish.endpoint_id USING ERRCODE = 'P0002',
            DETAIL = format('No endpoint with this id is visible in workspace %s, the one the event is published to.', workspace),
            HINT = 'Check the endpoint id, the workspace_id argument, and the workspace the session acts in: the JWT''s workspace_id claim (PostgREST), else the webhook.workspace_id setting.';
    END IF;
    FOREACH delivery IN ARRAY coalesce(deliveries, '{}') LOOP
        RETURN NEXT delivery;
    END LOOP;
END
$$;
COMMENT ON FUNCTION webhook.publish(text, jsonb, uuid, text, uuid) IS
    'Publishes an event: one delivery per enabled endpoint of the workspace subscribed to its type '
    '(or to the one named endpoint). Idempotent on event_id; transactional. Returns the delivery ids.';

-- A NULL id names no delivery: the functions that take one delivery's id
-- answer P0002, as for an unknown one, with a detail that says so rather
-- than one that names an empty id.
CREATE FUNCTION webhook.check_delivery_id(id uuid) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF check_delivery_id.id IS NULL THEN
        RAISE EXCEPTION 'delivery not found'
            USING ERRCODE = 'P0002',
                  DETAIL = 'The id is NULL, and names no delivery.',
                  HINT = 'Pass the id of a delivery, as publish or list_deliveries returns it.';
    END IF;
END
$$;
COMMENT ON FUNCTION webhook.check_delivery_id(uuid) IS
    'Internal: raises P0002 for a NULL delivery id; nothing otherwise.';

CREATE FUNCTION webhook.get_delivery(id uuid) RETURNS webhook.delivery
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    result webhook.delivery;
BEGIN
    PERFORM webhook.check_delivery_id(get_delivery.id);
    SELECT * INTO result FROM webhook.delivery d WHERE d.id = get_delivery.id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'delivery % not found', get_delivery.id USING ERRCODE = 'P0002',
            DETAIL = 'No delivery with this id is visible to the current role and workspace.',
            HINT = 'Check the id, and the workspace the session acts in: the JWT''s workspace_id claim (PostgREST), else the webhook.workspace_id setting.';
    END IF;
    RETURN result;
END
$$;
COMMENT ON FUNCTION webhook.get_delivery(uuid) IS
    'One delivery; P0002 when it does not exist or is not visible to the caller, or the id is NULL.';

CREATE FUNCTION webhook.delivery_attempts(delivery_id uuid) RETURNS SETOF webhook.attempt
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM webhook.get_delivery(delivery_attempts.delivery_id);  -- P0002 when not visible
    RETURN QUERY
        SELECT * FROM webhook.attempt a
         WHERE a.delivery_id = delivery_attempts.delivery_id
         ORDER BY a.id;
END
$$;
COMMENT ON FUNCTION webhook.delivery_attempts(uuid) IS
    'The attempts of one delivery, oldest first; P0002 when the delivery is not visible.';
