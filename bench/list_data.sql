-- The listing benchmark's data set: 1,000,000 deliveries over 10 workspaces
-- and 100 endpoints, created over 30 days, with a realistic status mix
-- (mostly delivered, a tail of failures and a small live backlog).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_webhook;

-- Endpoints are disabled and live work is due far in the future, so that no
-- dispatcher ever sends anything from this database.
INSERT INTO webhook.endpoint (id, workspace_id, url, description, enabled)
SELECT ('e0000000-0000-7000-8000-' || lpad(e::text, 12, '0'))::uuid,
       ('a0000000-0000-0000-0000-' || lpad((e % 10)::text, 12, '0'))::uuid,
       'https://hooks.customer' || e || '.example.com/webhooks',
       CASE WHEN e % 3 = 0 THEN NULL ELSE 'endpoint ' || e END,
       false
FROM generate_series(0, 99) AS e;

INSERT INTO webhook.delivery (workspace_id, endpoint_id, event_id, event_type, payload,
    status, attempt_count, max_attempts, next_attempt_at, last_attempted_at, last_error, http_status,
    response_body, delivered_at, created_at, updated_at)
SELECT ('a0000000-0000-0000-0000-' || lpad((e % 10)::text, 12, '0'))::uuid,
       ('e0000000-0000-7000-8000-' || lpad(e::text, 12, '0'))::uuid,
       'evt_' || n,
       event_type,
       jsonb_build_object('id', n, 'type', event_type, 'amount', n % 10000, 'currency', 'EUR'),
       status,
       attempts, 8,
       CASE WHEN status IN ('pending', 'retrying', 'rate_limited') THEN '2999-01-01'::timestamptz END,
       CASE WHEN status <> 'pending' THEN created_at + interval '2 seconds' END,
       CASE WHEN status IN ('retrying', 'dead_letter') THEN 'HTTP 503' END,
       CASE WHEN status = 'delivered' THEN 200
            WHEN status IN ('retrying', 'dead_letter') THEN 503
            WHEN status = 'rate_limited' THEN 429 END,
       CASE WHEN status = 'delivered' THEN 'ok' END,
       CASE WHEN status = 'delivered' THEN created_at + interval '2 seconds' END,
       created_at, created_at
FROM (
    SELECT n, e, created_at,
           (ARRAY['order.created', 'order.paid', 'order.shipped', 'order.refunded', 'invoice.created',
                  'invoice.paid', 'customer.created', 'customer.updated'])[1 + (n * 7 + e) % 8] AS event_type,
           CASE WHEN r < 0.85 THEN 'delivered'
                WHEN r < 0.88 THEN 'pending'
                WHEN r < 0.92 THEN 'retrying'
                WHEN r < 0.93 THEN 'rate_limited'
                WHEN r < 0.98 THEN 'dead_letter'
                ELSE 'cancelled' END::webhook.delivery_status AS status,
           CASE WHEN r < 0.88 THEN 1 ELSE 1 + (n % 8) END AS attempts
    FROM (
        SELECT n, (n * 37) % 100 AS e, random() AS r,
               now() - interval '30 days' + (n * interval '30 days' / 1000000) AS created_at
        FROM generate_series(1, 1000000) AS n
    ) AS raw
    ORDER BY created_at  -- so that the time-ordered ids follow created_at
) AS row;

VACUUM ANALYZE webhook.delivery;
VACUUM ANALYZE webhook.endpoint;
