
-- ---------------------------------------------------------------------------
-- Dispatch: what the background worker calls, and what users call to steer
-- it (retry, cancel, status).
-- ---------------------------------------------------------------------------

-- The three functions the worker calls on every pass are plpgsql, not SQL:
-- plpgsql keeps its statements' plans for the session, while a SQL function
-- is parsed and planned again on each call. plan_cache_mode =
-- force_generic_plan: the right plan does not depend on the values (a small
-- batch, a short in-flight list), and the plan cache would otherwise keep
-- re-planning while it compares custom and generic plans.
-- enable_seqscan = off: every row these statements touch is found through
-- an index (the due index, a primary key), whatever the statistics say. A
-- plan made while the statistics described an empty table (a fresh or
-- truncated webhook.delivery, until autovacuum's next ANALYZE) otherwise
-- read the whole table for each batch: a drain of 20,000 just after a
-- TRUNCATE ran at 2,572/s instead of about 8,900/s.
-- enable_bitmapscan = off and enable_sort = off in the two statements that
-- take due deliveries in next_attempt_at order: the only plan left is the
-- ordered scan of delivery_due_idx, which stops after batch_size rows. The
-- worker makes its plans on its first pass, often on an empty table (a new
-- installation), where reading every due row and sorting them looks as
-- cheap; that plan then read and sorted the whole backlog on every claim
-- (100,000 due: 2,258/s, 468 us of worker time per delivery) until the
-- next ANALYZE.
-- jit = off: these statements touch a few hundred rows, and the cost that
-- enable_sort = off adds to the claim's one unavoidable sort (of an
-- endpoint's headers) would otherwise send the claim through JIT
-- compilation on every call (about 700 ms each).

-- Claiming due work. The worker locks due deliveries (oldest due first, on
-- the partial index delivery_due_idx) with FOR UPDATE SKIP LOCKED, reads
-- what their requests need, and commits: nothing is written for a claim.
-- The lease is the worker process itself: while it lives it passes the ids
-- it has claimed and not yet recorded (waiting to be sent, in flight, or
-- finished and waiting to be recorded) as in_flight, so they are never
-- claimed twice; when it dies, they are simply still due and are sent again
-- by the next worker (at-least-once). Not writing a lease halves the writes
-- per delivery, each of which maintains every index of the table. The
-- delivery's updated_at at claim time is the token that lets the attempt's
-- result land: a retry or cancel in the meantime changes it. Due deliveries of a
-- disabled endpoint are parked to wait (below); those of a deleted endpoint
-- are cancelled. Deliveries of an endpoint that another transaction is changing
-- (its row locked by an UPDATE or DELETE not yet committed, or prepared) are
-- left for a later claim: their requests would be built from the row that
-- transaction replaces. A committed change withdraws what is queued (the
-- triggers below), but COMMIT PREPARED runs in a session that does not know
-- what its transaction changed, so without this lock a claim between
-- PREPARE and COMMIT PREPARED queued requests with the old URL, headers or
-- secret.
CREATE FUNCTION webhook.claim_due_deliveries(
    batch_size integer, in_flight uuid[], body_budget bigint DEFAULT NULL)
RETURNS TABLE (
    id uuid, workspace_id uuid, endpoint_id uuid, attempt_number integer,
    max_attempts integer, claimed_version timestamptz, url text, secret text,
    previous_secret text, timeout_ms integer, headers text[], body bytea, parked boolean)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
SET jit = off
SET enable_bitmapscan = off
SET enable_sort = off
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH due AS (
        SELECT d.id, d.workspace_id, d.endpoint_id, d.attempt_count, d.max_attempts,
               d.updated_at, d.payload,
               e.workspace_id IS DISTINCT FROM d.workspace_id AS endpoint_deleted,
               e.workspace_id IS NOT DISTINCT FROM d.workspace_id AND NOT e.enabled
                   AS endpoint_disabled,
               e.url, e.secret,
               CASE WHEN e.previous_secret_expires_at > now() THEN e.previous_secret END
                   AS previous_secret,
               e.timeout_ms, e.headers
        FROM webhook.delivery d
        -- An endpoint of another workspace is no endpoint for this delivery
        -- (deleted, as far as it is concerned): should its id ever be reused
        -- there, its secret must not sign this. The workspace is compared
        -- with IS DISTINCT FROM, which no index can serve, so that the join
        -- probes the primary key whatever the statistics say: with
        -- `e.workspace_id = d.workspace_id` in the join, a plan made before
        -- endpoint was first analyzed probed endpoint_workspace_idx and read
        -- the workspace's endpoints up to the one wanted, for each delivery (100
        -- endpoints in one workspace: a claim of 512 took 12 ms instead of 8).
        LEFT JOIN webhook.endpoint e ON e.id = d.endpoint_id
        WHERE d.status IN ('pending', 'retrying', 'rate_limited')
          AND d.next_attempt_at <= now()
          -- A hashed subplan: the in-flight list is hashed once per claim.
          -- `<> ALL (in_flight)` compared every row the claim passes over
          -- (the in-flight deliveries come first in due order) with every
          -- id in the list, which cost more than the claim itself with a
          -- few hundred deliveries queued. The list never holds NULL.
          AND d.id NOT IN (SELECT unnest(in_flight))
          -- The endpoint, locked FOR SHARE (the weakest lock that an UPDATE's
          -- conflicts with) as this version: SKIP LOCKED passes over an
          -- endpoint being changed, and the version test over one changed
          -- since this statement's snapshot. Row by row, below the LIMIT, so
          -- that an endpoint held locked for long (a prepared transaction)
          -- only waits itself: locked once per claim after the LIMIT, its
          -- due deliveries took the whole batch and stalled every other
          -- endpoint's. A row locked already by this claim costs a look.
          AND (e.workspace_id IS DISTINCT FROM d.workspace_id
               OR EXISTS (SELECT FROM webhook.endpoint l
                          WHERE l.id = e.id AND l.xmin = e.xmin
                          FOR SHARE SKIP LOCKED))
        ORDER BY d.next_attempt_at
        LIMIT batch_size
        FOR UPDATE OF d SKIP LOCKED
    ),
    orphans AS (
        UPDATE webhook.delivery d
        SET status = 'cancelled', next_attempt_at = NULL,
            last_error = 'endpoint deleted', updated_at = now()
        -- By id, not as a join: a generic plan expecting a large batch
        -- would hash the whole delivery table for the join. The first
        -- condition is evaluated once: without an orphan, nothing is read.
        WHERE (SELECT bool_or(due.endpoint_deleted) FROM due)
          AND d.id = ANY (ARRAY(SELECT due.id FROM due WHERE due.endpoint_deleted))
        RETURNING d.id
    ),
    -- A due delivery of a disabled endpoint is parked here, as the disable
    -- parks those it sees: it is passed over by this claim only, not by
    -- every claim until the endpoint is enabled. Such deliveries are made
    -- by races the disable cannot see: a publish that read the endpoint
    -- enabled, a retry that found it enabled, an attempt recorded after
    -- the disable (its result schedules the next attempt), a row inserted
    -- or updated by hand. The endpoint is locked FOR SHARE as this version
    -- (the condition above), so an enable cannot commit between this read
    -- and the park: one that comes later waits for this transaction, and
    -- then finds the delivery parked and makes it due. updated_at is left
    -- alone, as by the disable. The parked deliveries are returned too,
    -- marked, and are not to be sent: the worker counts them as part of the
    -- batch, so that a claim that parked many is followed by another at
    -- once rather than after its fallback interval.
    parked AS (
        UPDATE webhook.delivery d
        SET next_attempt_at = NULL
        WHERE (SELECT bool_or(due.endpoint_disabled) FROM due)
          AND d.id = ANY (ARRAY(SELECT due.id FROM due WHERE due.endpoint_disabled))
        RETURNING d.id
    )
    -- The header lines are made per row. Made once per endpoint in a CTE of
    -- their own, a claim of 512 with 2 headers took 5.5 ms instead of 9.2,
    -- but the worker's memory in the benchmark's run to 1,000,000 grew 13 %
    -- instead of 2 % (bench/RESULTS.md), and the drain showed no gain.
    -- body_budget bounds the bytes of the bodies returned: rows are returned
    -- while the bodies before them add up to less than it (so at least one),
    -- and the rest stay due for a later claim (a claim writes nothing). The
    -- worker holds every body it has claimed until the attempt is made, and
    -- a payload may be up to 1 MiB: without it, a batch of 512 large
    -- payloads took over half a gigabyte, twice (the claim's result and the
    -- worker's copy). The running sum follows the due order in which the
    -- claim's CTE hands its rows on; any order would keep the bound. A parked
    -- delivery is not sent: no body is made for it.
    SELECT sized.id, sized.workspace_id, sized.endpoint_id, sized.attempt_number,
           sized.max_attempts, sized.claimed_version, sized.url, sized.secret,
           sized.previous_secret, sized.timeout_ms, sized.headers, sized.body, sized.parked
    FROM (SELECT bodies.*,
                 sum(coalesce(octet_length(bodies.body), 0)) OVER (ROWS UNBOUNDED PRECEDING)
                     - coalesce(octet_length(bodies.body), 0) AS bytes_before
          FROM (SELECT due.id, due.workspace_id, due.endpoint_id,
                       due.attempt_count + 1 AS attempt_number, due.max_attempts,
                       due.updated_at AS claimed_version, due.url, due.secret,
                       due.previous_secret,
                       -- NULL when the endpoint sets none: the worker applies
                       -- webhook.request_timeout when the request starts, so
                       -- that a reload reaches requests already queued.
                       due.timeout_ms,
                       -- Most endpoints set no header: their rows skip the
                       -- subquery (a claim of 256 took 2.3 ms with it, 2.0
                       -- without).
                       CASE WHEN due.headers IS NULL OR due.headers = '{}' THEN '{}'::text[]
                            ELSE ARRAY(SELECT h.key || ': ' || h.value
                                       FROM jsonb_each_text(due.headers) AS h
                                       ORDER BY h.key) END AS headers,
                       CASE WHEN NOT due.endpoint_disabled
                            THEN convert_to(due.payload::text, 'UTF8') END AS body,
                       due.endpoint_disabled AS parked
                FROM due
                WHERE NOT due.endpoint_deleted
                -- Kept a subquery of its own, so that each body is made
                -- once: pulled up, the body's expression was copied into the
                -- running sum and the filter, and each payload was rendered
                -- three times (a claim of 512 took 9.6 ms instead of 7.9).
                OFFSET 0) AS bodies) AS sized
    WHERE body_budget IS NULL OR sized.bytes_before < body_budget;
END
$$;
COMMENT ON FUNCTION webhook.claim_due_deliveries(integer, uuid[], bigint) IS
    'Internal, for the background worker: locks up to batch_size due deliveries (skipping '
    'in_flight ones) and returns what their requests need, with updated_at as the version their '
    'result must find, stopping once the bodies add up to body_budget bytes. Cancels due '
    'deliveries of deleted endpoints, and parks (next_attempt_at NULL) due deliveries of '
    'disabled ones, which it returns with parked true and no body: not to be sent. timeout_ms '
    'is NULL for an endpoint without one of its own (webhook.request_timeout applies).';
REVOKE ALL ON FUNCTION webhook.claim_due_deliveries(integer, uuid[], bigint) FROM PUBLIC;

-- When the worker should look again: the earliest due time of a delivery it
-- could send and does not have in flight.
CREATE FUNCTION webhook.next_due_at(in_flight uuid[]) RETURNS timestamptz
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
SET jit = off
SET enable_bitmapscan = off
SET enable_sort = off
AS $$
BEGIN
    RETURN (
    SELECT d.next_attempt_at
    FROM webhook.delivery d
    -- On the primary key alone, as in the claim.
    JOIN webhook.endpoint e ON e.id = d.endpoint_id
    WHERE NOT e.workspace_id IS DISTINCT FROM d.workspace_id
      AND e.enabled
      AND d.status IN ('pending', 'retrying', 'rate_limited')
      AND d.next_attempt_at IS NOT NULL
      AND d.id NOT IN (SELECT unnest(in_flight))  -- hashed, as in the claim
    ORDER BY d.next_attempt_at
    LIMIT 1);
END
$$;
COMMENT ON FUNCTION webhook.next_due_at(uuid[]) IS
    'Internal, for the background worker: the earliest next_attempt_at of a sendable delivery '
    'that is not in flight.';
REVOKE ALL ON FUNCTION webhook.next_due_at(uuid[]) FROM PUBLIC;

-- Recording a batch of attempts: one UPDATE of the deliveries still at the
-- version they were claimed at, one INSERT into the attempt log for every attempt (also when
-- the delivery was retried or cancelled meanwhile: cancel wins, the attempt
-- is still logged). A delivery whose row another transaction holds locked
-- is skipped, not waited for: the worker must never stall on a user's open
-- transaction while requests could be sent. Its id is returned, and the
-- worker records it again later.
-- The rows are locked first, then updated from the arrays by position
-- (WITH ORDINALITY): an UPDATE ... FROM a wide set of rows would copy each
-- source row whole for a possible EvalPlanQual recheck, which cost more than
-- the update itself; the rows are locked already, so no recheck is needed.
-- Which rows were locked is kept as a mask aligned with the arrays, read by
-- position: a list of the locked ids, searched with `= ANY` for every row,
-- compared each id with all the others (65,536 comparisons for a batch of
-- 256; the mask makes the function about a tenth faster, median of 16
-- paired runs of 256 in psql).
CREATE FUNCTION webhook.record_attempts(
    delivery_ids uuid[], claimed_versions timestamptz[], workspace_ids uuid[], endpoint_ids uuid[],
    attempt_numbers integer[], statuses webhook.delivery_status[],
    next_attempts timestamptz[], http_statuses integer[], errors text[],
    response_bodies text[], started timestamptz[], durations_ms double precision[])
RETURNS SETOF uuid
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
SET jit = off
AS $$
#variable_conflict use_column
DECLARE
    locked boolean[];  -- locked[i]: delivery_ids[i]'s row is locked by this transaction
BEGIN
    locked := ARRAY(SELECT l.id IS NOT NULL
                    FROM unnest(delivery_ids) WITH ORDINALITY AS o(id, i)
                    LEFT JOIN LATERAL (SELECT d.id FROM webhook.delivery d WHERE d.id = o.id
                                       FOR UPDATE SKIP LOCKED) AS l ON true
                    ORDER BY o.i);
    UPDATE webhook.delivery d
    SET status = statuses[o.i],
        attempt_count = attempt_numbers[o.i],
        next_attempt_at = next_attempts[o.i],
        last_attempted_at = started[o.i],
        last_error = errors[o.i],
        http_status = http_statuses[o.i],
        response_body = response_bodies[o.i],
        delivered_at = CASE WHEN statuses[o.i] = 'delivered'
                            THEN started[o.i] + durations_ms[o.i] * interval '1 millisecond' END,
        updated_at = now()
    FROM unnest(delivery_ids) WITH ORDINALITY AS o(id, i)
    WHERE d.id = o.id
      AND locked[o.i]
      AND d.updated_at = claimed_versions[o.i]
      AND d.attempt_count = attempt_numbers[o.i] - 1
      -- Not final. Written as NOT IN on purpose: an IN list of the due
      -- statuses matches delivery_due_idx's predicate, and a generic plan
      -- made while the statistics said nothing was due then scanned that
      -- whole index and hashed it, on every record: a backlog of 100,000
      -- cost each pass its time and about 10 MB, which the worker's RSS kept.
      AND d.status NOT IN ('delivered', 'dead_letter', 'cancelled');
    INSERT INTO webhook.attempt (delivery_id, workspace_id, endpoint_id, attempt_number,
                                 started_at, duration_ms, http_status, error, response_body)
    SELECT o.id, o.workspace_id, o.endpoint_id, o.attempt_number, o.started_at,
           o.duration_ms, o.http_status, o.error, o.response_body
    FROM unnest(delivery_ids, workspace_ids, endpoint_ids, attempt_numbers, started,
                durations_ms, http_statuses, errors, response_bodies) WITH ORDINALITY
         AS o(id, workspace_id, endpoint_id, attempt_number, started_at, duration_ms,
              http_status, error, response_body, i)
    WHERE locked[o.i];
    RETURN QUERY
    SELECT o.id
    FROM unnest(delivery_ids) WITH ORDINALITY AS o(id, i)
    WHERE NOT locked[o.i]
      AND EXISTS (SELECT FROM webhook.delivery d WHERE d.id = o.id);
END
$$;
COMMENT ON FUNCTION webhook.record_attempts(uuid[], timestamptz[], uuid[], uuid[], integer[],
    webhook.delivery_status[], timestamptz[], integer[], text[], text[], timestamptz[],
    double precision[]) IS
    'Internal, for the background worker: records a batch of finished attempts. A delivery '
    'takes its result only while it is unchanged since its claim (updated_at and attempt_count); '
    'every attempt is appended to webhook.attempt. Returns the ids of deliveries locked by '
    'another transaction, for which nothing was recorded.';
REVOKE ALL ON FUNCTION webhook.record_attempts(uuid[], timestamptz[], uuid[], uuid[], integer[],
    webhook.delivery_status[], timestamptz[], integer[], text[], text[], timestamptz[],
    double precision[]) FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- Waking the worker.
-- ---------------------------------------------------------------------------
CREATE FUNCTION webhook.wake_worker_on_commit() RETURNS void
    AS 'MODULE_PATHNAME', 'webhook_wake_worker_on_commit' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION webhook.wake_worker_on_commit() IS
    'Makes the background worker look for due deliveries as soon as the current transaction '
    'commits; a rollback wakes nothing.';
REVOKE ALL ON FUNCTION webhook.wake_worker_on_commit() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION webhook.wake_worker_on_commit() TO webhook_admin, webhook_user;

-- ---------------------------------------------------------------------------
-- Withdrawing claimed requests that have become wrong to send. The worker
-- claims ahead of the network, so a claimed request may wait in its queue
-- for a while before it starts. When a change commits that makes it wrong
-- to send (the delivery cancelled, retried from a clean slate or deleted,
-- its endpoint disabled, deleted or edited), these triggers tell the
-- worker, which takes the request back if it has not started: a cancelled
-- delivery is then never sent, a disabled endpoint's delivery waits, and one
-- whose endpoint changed is claimed again and sent with the new URL, headers
-- and secret. A request already on the network is left to finish (its
-- attempt is logged; a cancel still wins).
-- ---------------------------------------------------------------------------
CREATE FUNCTION webhook.withdraw_queued_requests() RETURNS trigger
    AS 'MODULE_PATHNAME', 'webhook_withdraw_queued_requests' LANGUAGE C;
COMMENT ON FUNCTION webhook.withdraw_queued_requests() IS
    'Trigger (AFTER, FOR EACH ROW, argument ''delivery'' or ''endpoint''): at COMMIT, tells the '
    'background worker to withdraw its claimed, not yet started requests for the row''s id.';
REVOKE ALL ON FUNCTION webhook.withdraw_queued_requests() FROM PUBLIC;

-- Only a change away from a due status can concern a queued request; the
-- worker's own results never set cancelled or attempt_count 0, so for them
-- the condition is false and no trigger event is queued.
CREATE TRIGGER delivery_withdraw_queued_request
    AFTER UPDATE OF status, attempt_count ON webhook.delivery
    FOR EACH ROW
    WHEN (OLD.status IN ('pending', 'retrying', 'rate_limited')
          AND (NEW.status = 'cancelled' OR NEW.attempt_count = 0))
    EXECUTE FUNCTION webhook.withdraw_queued_requests('delivery');

-- A due delivery deleted by its owner (the API never deletes one): its
-- request would go out for a row that no longer exists. Retention purges
-- delete final deliveries, for which the condition is false.
CREATE TRIGGER delivery_withdraw_queued_request_on_delete
    AFTER DELETE ON webhook.delivery
    FOR EACH ROW
    WHEN (OLD.status IN ('pending', 'retrying', 'rate_limited'))
    EXECUTE FUNCTION webhook.withdraw_queued_requests('delivery');

CREATE TRIGGER endpoint_withdraw_queued_requests_on_change
    AFTER UPDATE ON webhook.endpoint
    FOR EACH ROW
    WHEN ((OLD.url, OLD.secret, OLD.previous_secret, OLD.previous_secret_expires_at,
           OLD.headers, OLD.timeout_ms, OLD.enabled)
          IS DISTINCT FROM
          (NEW.url, NEW.secret, NEW.previous_secret, NEW.previous_secret_expires_at,
           NEW.headers, NEW.timeout_ms, NEW.enabled))
    EXECUTE FUNCTION webhook.withdraw_queued_requests('endpoint');

CREATE TRIGGER endpoint_withdraw_queued_requests_on_delete
    AFTER DELETE ON webhook.endpoint
    FOR EACH ROW
    EXECUTE FUNCTION webhook.withdraw_queued_requests('endpoint');

-- ---------------------------------------------------------------------------
-- Deliveries of a disabled endpoint wait unscheduled. Left due, they stayed
-- at the head of delivery_due_idx (the oldest due times), and every claim
-- and next_due_at walked past all of them: 100,000 waiting deliveries made
-- a claim of 512 take 175 ms instead of 6.5, for every tenant (RESULTS.md). So disabling an
-- endpoint takes its unfinished deliveries' next_attempt_at away (NULL,
-- outside the claim's range), enabling it makes them due now, and deleting
-- it cancels them (the claim, which cancels the due deliveries of a deleted
-- endpoint, never sees an unscheduled one). Each runs as the caller, under
-- its row-level security, in the transaction that changes the endpoint, on
-- delivery_endpoint_status_created_idx, and locks the rows it changes in id
-- order (see the trigger). updated_at is left alone: it is
-- the token of a request in flight, whose result still lands.
-- ---------------------------------------------------------------------------
-- In C++ (src/api/endpoint_schedule_trigger.cpp) for the snapshot its
-- statements read: enabling and deleting must find every unfinished delivery
-- of the endpoint, also those parked by transactions that committed while this
-- one waited for the endpoint's row. In REPEATABLE READ or SERIALIZABLE the
-- statements find rows with the latest snapshot, as a foreign key's cascade
-- does, and changing one the transaction cannot see is a serialization
-- failure (40001), which the application retries.
CREATE FUNCTION webhook.schedule_deliveries_of_endpoint() RETURNS trigger
AS 'MODULE_PATHNAME', 'webhook_schedule_deliveries_of_endpoint'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION webhook.schedule_deliveries_of_endpoint() IS
    'Trigger on webhook.endpoint: disabling it unschedules its unfinished deliveries (they wait), '
    'enabling it makes them due now, deleting it cancels them.';
REVOKE ALL ON FUNCTION webhook.schedule_deliveries_of_endpoint() FROM PUBLIC;

CREATE TRIGGER endpoint_schedule_deliveries_on_enable
    AFTER UPDATE OF enabled ON webhook.endpoint
    FOR EACH ROW
    WHEN (OLD.enabled IS DISTINCT FROM NEW.enabled)
    EXECUTE FUNCTION webhook.schedule_deliveries_of_endpoint();

CREATE TRIGGER endpoint_cancel_deliveries_on_delete
    AFTER DELETE ON webhook.endpoint
    FOR EACH ROW
    EXECUTE FUNCTION webhook.schedule_deliveries_of_endpoint();

-- ---------------------------------------------------------------------------
-- Who may change a delivery's state. The API functions run as their caller,
-- so the extension's roles hold UPDATE on the state columns; this trigger
-- lets through only the changes those functions make: a retry's clean slate,
-- a cancel, and a waiting delivery parked or made due with its endpoint.
-- Anything else (marking a delivery delivered, a negative attempt count, a
-- due time far away) is refused: only the worker writes outcomes. It runs as
-- a superuser, as do DBAs who must repair a row by hand, and the trigger's
-- condition leaves both alone at the cost of one setting read per row.
-- ---------------------------------------------------------------------------
CREATE FUNCTION webhook.check_delivery_state_change() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    was_due CONSTANT boolean := OLD.status IN ('pending', 'retrying', 'rate_limited');
    outcome_kept CONSTANT boolean :=
        NEW.attempt_count = OLD.attempt_count
        AND NEW.http_status IS NOT DISTINCT FROM OLD.http_status
        AND NEW.response_body IS NOT DISTINCT FROM OLD.response_body
        AND NEW.delivered_at IS NOT DISTINCT FROM OLD.delivered_at;
    parked_or_due_now CONSTANT boolean := NEW.next_attempt_at IS NULL OR NEW.next_attempt_at = now();
BEGIN
    IF NEW.updated_at IS DISTINCT FROM OLD.updated_at AND NEW.updated_at IS DISTINCT FROM now() THEN
        RAISE EXCEPTION 'a delivery''s updated_at is set by pg_webhook' USING ERRCODE = '42501',
            DETAIL = 'It is the version the worker checks before it records a result.',
            HINT = 'Leave updated_at out of the UPDATE, or set it to now().';
    END IF;
    IF (NEW.status = 'pending' AND NEW.attempt_count = 0 AND NEW.last_error IS NULL
            AND NEW.http_status IS NULL AND NEW.response_body IS NULL AND NEW.delivered_at IS NULL
            AND parked_or_due_now)                                         -- retried
       OR (was_due AND NEW.status = 'cancelled' AND NEW.next_attempt_at IS NULL AND outcome_kept
            AND (NEW.last_error IS NOT DISTINCT FROM OLD.last_error
                 OR NEW.last_error = 'endpoint deleted'))                 -- cancelled
       OR (was_due AND NEW.status = OLD.status AND outcome_kept
            AND NEW.last_error IS NOT DISTINCT FROM OLD.last_error
            AND parked_or_due_now)                                         -- parked, or due again
       OR ((NEW.status, NEW.attempt_count, NEW.next_attempt_at, NEW.last_error) IS NOT DISTINCT FROM
           (OLD.status, OLD.attempt_count, OLD.next_attempt_at, OLD.last_error)
            AND outcome_kept) THEN                                         -- no state changed
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'a delivery''s state changes only through pg_webhook''s functions' USING ERRCODE = '42501',
        DETAIL = format('This update from %s to %s is not a retry, a cancel, or a change of when a waiting delivery is due; only the worker records outcomes.',
                        OLD.status, NEW.status),
        HINT = 'Use webhook.retry_delivery(), webhook.retry_deliveries() or webhook.cancel_delivery().';
END
$$;
COMMENT ON FUNCTION webhook.check_delivery_state_change() IS
    'Trigger (AFTER UPDATE of webhook.delivery, for roles that are not superusers): lets through '
    'a retry''s clean slate, a cancel and a change of when a waiting delivery is due; raises 42501 '
    'for any other change of its state.';
REVOKE ALL ON FUNCTION webhook.check_delivery_state_change() FROM PUBLIC;

-- AFTER, not BEFORE: a BEFORE row trigger makes every UPDATE of the table
-- fetch and lock each old row again before its condition is even tested,
-- which cost the worker's record about 14 us per delivery (dispatch_bench:
-- 173-175 us against 157-163, bench/RESULTS.md); an AFTER trigger's condition is tested on the rows the
-- UPDATE has in hand, and its error undoes the statement all the same.
CREATE TRIGGER delivery_state_changes_through_the_api
    AFTER UPDATE ON webhook.delivery
    FOR EACH ROW
    WHEN (pg_catalog.current_setting('is_superuser') = 'off')
    EXECUTE FUNCTION webhook.check_delivery_state_change();

-- ---------------------------------------------------------------------------
-- Retry and cancel.
-- ---------------------------------------------------------------------------
CREATE FUNCTION webhook.retry_delivery(id uuid) RETURNS webhook.delivery
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    result webhook.delivery;
BEGIN
    PERFORM webhook.check_delivery_id(retry_delivery.id);
    -- One definition of the clean slate: the bulk retry's, for this one id
    -- (it also wakes the worker).
    IF webhook.retry_deliveries(ids => ARRAY[retry_delivery.id]) = 0 THEN
        -- Visible, yet not retried: its endpoint was deleted (the bulk retry
        -- leaves such deliveries alone), and nothing can send it again.
        IF EXISTS (SELECT FROM webhook.delivery d WHERE d.id = retry_delivery.id) THEN
            RAISE EXCEPTION 'delivery cannot be retried'
                USING ERRCODE = '55000',
                      DETAIL = 'Its endpoint was deleted, so there is nowhere to send it.',
                      HINT = 'Publish the event again (webhook.publish) to an endpoint that exists; '
                             'the delivery and its attempts are kept as they are.';
        END IF;
        RAISE EXCEPTION 'delivery not found'
            USING ERRCODE = 'P0002',
                  DETAIL = format('No delivery with id %s is visible to the current role and workspace.', retry_delivery.id),
                  HINT = 'Check the id, and the workspace the session acts in: the JWT''s workspace_id claim (PostgREST), else the webhook.workspace_id setting.';
    END IF;
    SELECT * INTO result FROM webhook.delivery d WHERE d.id = retry_delivery.id;
    RETURN result;
END
$$;
COMMENT ON FUNCTION webhook.retry_delivery(uuid) IS
    'Sends a delivery again from a clean slate (pending, attempt_count 0, errors cleared, due '
    'now), from any state; a delivered one is replayed. The attempt history is kept. Raises '
    'P0002 for an unknown or invisible id, or a NULL one, and 55000 when its endpoint was '
    'deleted.';
REVOKE ALL ON FUNCTION webhook.retry_delivery(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION webhook.retry_delivery(uuid) TO webhook_admin, webhook_user;

CREATE FUNCTION webhook.cancel_delivery(id uuid) RETURNS webhook.delivery
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    current_status webhook.delivery_status;
    result webhook.delivery;
BEGIN
    -- As in retry_deliveries: Postgres's own refusal would speak of a
    -- SELECT FOR UPDATE.
    IF current_setting('transaction_read_only')::boolean THEN
        PERFORM webhook.refuse_read_only('cancel a delivery', 'A cancel writes the delivery''s new state in the calling transaction.');
    END IF;
    PERFORM webhook.check_delivery_id(cancel_delivery.id);
    SELECT d.status INTO current_status
    FROM webhook.delivery d WHERE d.id = cancel_delivery.id
    FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'delivery not found'
            USING ERRCODE = 'P0002',
                  DETAIL = format('No delivery with id %s is visible to the current role and workspace.', cancel_delivery.id),
                  HINT = 'Check the id, and the workspace the session acts in: the JWT''s workspace_id claim (PostgREST), else the webhook.workspace_id setting.';
    END IF;
    IF current_status NOT IN ('pending', 'retrying', 'rate_limited') THEN
        RAISE EXCEPTION 'delivery cannot be cancelled'
            USING ERRCODE = '55000',
                  DETAIL = format('The delivery is already %s.', current_status),
                  HINT = 'Only pending, retrying or rate_limited deliveries can be cancelled; '
                         'webhook.retry_delivery() sends a delivery again.';
    END IF;
    UPDATE webhook.delivery d
    SET status = 'cancelled', next_attempt_at = NULL, updated_at = now()
    WHERE d.id = cancel_delivery.id
    RETURNING d.* INTO result;
    RETURN result;
END
$$;
COMMENT ON FUNCTION webhook.cancel_delivery(uuid) IS
    'Cancels a pending, retrying or rate_limited delivery (an attempt already in flight is still '
    'logged, but the delivery stays cancelled). Raises 55000 for a delivered, dead_letter or '
    'cancelled one and P0002 for an unknown or invisible id, or a NULL one.';
REVOKE ALL ON FUNCTION webhook.cancel_delivery(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION webhook.cancel_delivery(uuid) TO webhook_admin, webhook_user;

CREATE FUNCTION webhook.retry_deliveries(
    ids uuid[] DEFAULT NULL, endpoint_id uuid DEFAULT NULL,
    status webhook.delivery_status DEFAULT NULL, created_after timestamptz DEFAULT NULL,
    created_before timestamptz DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    retried integer;
    parked_endpoints uuid[];  -- disabled, and locked so by this transaction
BEGIN
    -- Refused up front, as publish refuses it: the statements below would
    -- fail with Postgres's "cannot execute SELECT FOR SHARE in a read-only
    -- transaction", which names none of this call (PostgREST answers a GET
    -- of it so, 405).
    IF current_setting('transaction_read_only')::boolean THEN
        PERFORM webhook.refuse_read_only('retry deliveries', 'A retry writes the deliveries'' new state in the calling transaction.');
    END IF;
    IF ids IS NULL AND endpoint_id IS NULL AND status IS NULL
       AND created_after IS NULL AND created_before IS NULL THEN
        RAISE EXCEPTION 'retry_deliveries needs a condition'
            USING ERRCODE = '22023',
                  DETAIL = 'Every argument is NULL, which would send every delivery again.',
                  HINT = 'Name ids, an endpoint_id, a status or a created_after/created_before range.';
    END IF;
    -- A delivery of a disabled endpoint waits unscheduled (below). Its
    -- endpoint is locked first (FOR SHARE; enabled endpoints are not
    -- locked), with the same conditions as the UPDATE: an enable_endpoint()
    -- committing meanwhile is then seen by the lock, which reads the row as
    -- that enable left it, and one that comes later waits for this
    -- transaction and then schedules what it left waiting. Read without the
    -- lock, an endpoint being enabled looked disabled, and its retried
    -- deliveries (those the enable had not seen as waiting: delivered,
    -- dead_letter, cancelled) waited for ever behind an enabled endpoint.
    -- Locked before any delivery, as the enable does, so that the two never
    -- deadlock. Only the endpoints locked here park their deliveries: one
    -- seen enabled here and disabled by a commit before the UPDATE is not
    -- locked, and an enable_endpoint() could commit before this transaction
    -- does without seeing its rows. Such a delivery is left due, and the
    -- first claim that meets it parks it (holding the endpoint, which an
    -- enable then waits for).
    parked_endpoints := ARRAY(
        SELECT e.id FROM webhook.endpoint e
         WHERE NOT e.enabled
           AND e.id IN (SELECT d.endpoint_id FROM webhook.delivery d
                         WHERE (retry_deliveries.ids IS NULL OR d.id = ANY (retry_deliveries.ids))
                           AND (retry_deliveries.endpoint_id IS NULL OR d.endpoint_id = retry_deliveries.endpoint_id)
                           AND (retry_deliveries.status IS NULL OR d.status OPERATOR(webhook.=) retry_deliveries.status)
                           AND (retry_deliveries.created_after IS NULL OR d.created_at >= retry_deliveries.created_after)
                           AND (retry_deliveries.created_before IS NULL OR d.created_at <= retry_deliveries.created_before))
         ORDER BY e.id
           FOR SHARE OF e);
    -- The deliveries are locked first, in id order, then updated: locked in
    -- the order of the UPDATE's plan (the heap's order, which differs from
    -- one snapshot to the next as rows move), two bulk retries, or one and
    -- an endpoint's disable or delete (whose trigger locks its deliveries in
    -- id order too), deadlocked on rows they both wanted. A row updated
    -- meanwhile is locked as it now is, if it still matches.
    -- A delivery whose endpoint was deleted is left as it is: nothing can
    -- send it, and made pending it was only cancelled again by the next
    -- claim, after the call had counted it as retried. The endpoint is
    -- looked for as the claim does: in the delivery's own workspace.
    UPDATE webhook.delivery d
    SET status = 'pending', attempt_count = 0,
        -- A disabled endpoint's delivery waits, unscheduled, until it is enabled.
        next_attempt_at = CASE WHEN d.endpoint_id = ANY (parked_endpoints) THEN NULL ELSE now() END,
        last_error = NULL, http_status = NULL, response_body = NULL, delivered_at = NULL,
        updated_at = now()
    WHERE d.id = ANY (ARRAY(
          SELECT l.id FROM webhook.delivery l
           WHERE (retry_deliveries.ids IS NULL OR l.id = ANY (retry_deliveries.ids))
             AND (retry_deliveries.endpoint_id IS NULL OR l.endpoint_id = retry_deliveries.endpoint_id)
             AND (retry_deliveries.status IS NULL OR l.status OPERATOR(webhook.=) retry_deliveries.status)
             AND (retry_deliveries.created_after IS NULL OR l.created_at >= retry_deliveries.created_after)
             AND (retry_deliveries.created_before IS NULL OR l.created_at <= retry_deliveries.created_before)
             AND EXISTS (SELECT FROM webhook.endpoint e
                          WHERE e.id = l.endpoint_id AND e.workspace_id = l.workspace_id)
           ORDER BY l.id FOR UPDATE OF l));
    GET DIAGNOSTICS retried = ROW_COUNT;
    IF retried > 0 THEN
        PERFORM webhook.wake_worker_on_commit();
    END IF;
    RETURN retried;
END
$$;
COMMENT ON FUNCTION webhook.retry_deliveries(uuid[], uuid, webhook.delivery_status, timestamptz, timestamptz) IS
    'Retries, as webhook.retry_delivery() does, every visible delivery matching all the given '
    'conditions (at least one is required; created_after/created_before are inclusive) whose '
    'endpoint still exists. Returns how many were retried.';
REVOKE ALL ON FUNCTION webhook.retry_deliveries(uuid[], uuid, webhook.delivery_status, timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION webhook.retry_deliveries(uuid[], uuid, webhook.delivery_status, timestamptz, timestamptz)
    TO webhook_admin, webhook_user;

-- ---------------------------------------------------------------------------
-- Status.
-- ---------------------------------------------------------------------------
CREATE FUNCTION webhook.worker_runtime(
    OUT pid integer, OUT state text, OUT in_flight integer,
    OUT per_second double precision, OUT last_error text)
    AS 'MODULE_PATHNAME', 'webhook_worker_runtime' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION webhook.worker_runtime() IS
    'Internal: the worker''s shared-memory status as seen from this database (pid NULL when no worker '
    'serves it; in_flight, per_second and last_error NULL for a caller kept to one workspace); '
    'webhook.worker_status() adds the backlog.';
REVOKE ALL ON FUNCTION webhook.worker_runtime() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION webhook.worker_runtime() TO webhook_admin, webhook_user;

CREATE FUNCTION webhook.worker_status(
    OUT pid integer, OUT state text, OUT in_flight integer, OUT due_now bigint,
    OUT per_second double precision, OUT last_error text)
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
    -- in_flight, per_second and last_error are the worker's, about every
    -- workspace's deliveries: worker_runtime() gives a caller kept to one
    -- workspace NULL for them, not the other tenants' traffic (how many of
    -- their requests are in flight, how many they send, an error met with
    -- their rows).
    SELECT r.pid, r.state, r.in_flight,
           (SELECT count(*) FROM webhook.delivery d
            WHERE d.status IN ('pending', 'retrying', 'rate_limited')
              AND d.next_attempt_at <= now()),
           r.per_second, r.last_error
    FROM webhook.worker_runtime() r
$$;
COMMENT ON FUNCTION webhook.worker_status() IS
    'One row about the background worker of this database: pid (NULL when none serves it), '
    'state, requests in flight, deliveries due now (those visible to the caller), attempts '
    'finished per second over the last minute, and the last error it met. in_flight, '
    'per_second and last_error describe every workspace: NULL for a caller kept to one.';
REVOKE ALL ON FUNCTION webhook.worker_status() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION webhook.worker_status() TO webhook_admin, webhook_user;
