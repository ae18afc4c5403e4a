#!/usr/bin/env bash
# Publishing speed: what webhook.publish adds to the caller's transaction.
# On a throwaway cluster, as a tenant role under row-level security (as an
# application calls it), in alternating rounds of calls, server time per call:
#   - publish to the one endpoint of a workspace;
#   - publish fanned out to the 10 endpoints of another workspace;
#   - publish again with event ids already published (an idempotent repeat);
#   - the floor: one plain INSERT of the same delivery row per call, the
#     least a hand-made outbox table with these indexes would cost;
# and the ratio publish / floor. The table grows as it would: every round
# commits what it published.
#   bench/publish_bench.sh [rounds] [calls per round]     (default 5 x 2000)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
calls=${2:-2000}

tools/deps >/dev/null
source tools/lib/cluster.sh
pgroot_install
cluster_create publishbench "shared_buffers = '512MB'" "max_wal_size = '4GB'" "jit = off"
trap cluster_destroy EXIT

# Its own database: a dispatcher serving "postgres" never sends from it.
export PGDATABASE=publishbench
createdb publishbench
psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

psql_q -o /dev/null <<'SQL'
CREATE EXTENSION pg_webhook;
CREATE ROLE bench_publisher LOGIN IN ROLE webhook_user;
SET webhook.workspace_id = 'b0000000-0000-0000-0000-000000000001';
SELECT count(*) FROM webhook.create_endpoint('https://one.example.com/hook');
SET webhook.workspace_id = 'b0000000-0000-0000-0000-000000000010';
SELECT count(webhook.create_endpoint('https://fan' || n || '.example.com/hook')) FROM generate_series(1, 10) AS n;
RESET webhook.workspace_id;
-- Each workload as one statement of `calls` calls; the round number keeps
-- event ids apart between rounds (the repeat workload reuses round 0's).
CREATE SCHEMA bench;
GRANT USAGE ON SCHEMA bench TO bench_publisher;
CREATE FUNCTION bench.run(workload text, round integer, calls integer) RETURNS double precision
LANGUAGE plpgsql AS $$
DECLARE
    started timestamptz := clock_timestamp();
    endpoint uuid;
BEGIN
    -- The tenant's workspace, as an application sets it per transaction.
    PERFORM set_config('webhook.workspace_id',
                       CASE workload WHEN 'publish, 10 endpoints' THEN 'b0000000-0000-0000-0000-000000000010'
                                     ELSE 'b0000000-0000-0000-0000-000000000001' END, true);
    CASE workload
    WHEN 'publish, 1 endpoint' THEN
        PERFORM webhook.publish('invoice.paid', jsonb_build_object('invoice', n, 'amount', 4200, 'currency', 'eur'),
                                event_id => format('one-%s-%s', round, n))
        FROM generate_series(1, calls) AS n;
    WHEN 'publish, 10 endpoints' THEN
        PERFORM webhook.publish('invoice.paid', jsonb_build_object('invoice', n, 'amount', 4200, 'currency', 'eur'),
                                event_id => format('fan-%s-%s', round, n))
        FROM generate_series(1, calls) AS n;
    WHEN 'publish again (repeat)' THEN
        PERFORM webhook.publish('invoice.paid', jsonb_build_object('invoice', n, 'amount', 4200, 'currency', 'eur'),
                                event_id => format('one-0-%s', n))
        FROM generate_series(1, calls) AS n;
    WHEN 'plain INSERT (floor)' THEN
        SELECT e.id INTO endpoint FROM webhook.endpoint e;
        FOR n IN 1 .. calls LOOP
            INSERT INTO webhook.delivery (workspace_id, endpoint_id, event_id, event_type, payload, max_attempts)
            VALUES ('b0000000-0000-0000-0000-000000000001', endpoint, format('raw-%s-%s', round, n),
                    'invoice.paid', jsonb_build_object('invoice', n, 'amount', 4200, 'currency', 'eur'), 8);
        END LOOP;
    END CASE;
    RETURN extract(epoch FROM clock_timestamp() - started) * 1e6 / calls;
END
$$;
GRANT EXECUTE ON FUNCTION bench.run(text, integer, integer) TO bench_publisher;
CREATE TABLE bench.timing (workload text, round integer, us_per_call double precision);
GRANT INSERT ON bench.timing TO bench_publisher;
SQL

workloads=('publish, 1 endpoint' 'publish, 10 endpoints' 'publish again (repeat)' 'plain INSERT (floor)')
# One session, as an application keeps its connection: round 0 warms the
# plan caches (and makes the events the repeat workload publishes again).
{
    echo "SET ROLE bench_publisher;"
    for ((round = 0; round <= rounds; round++)); do
        for workload in "${workloads[@]}"; do
            echo "INSERT INTO bench.timing VALUES ('$workload', $round, bench.run('$workload', $round, $calls));"
        done
    done
} | psql_q

echo "== server time per call (us), median of $rounds rounds of $calls calls; $(psql_q -At -c \
    "SELECT count(*) FROM webhook.delivery") deliveries in the table at the end"
echo "   (each round's figures, to see whether a cost grows with the table:"
psql_q -At -F ' ' -c "SELECT '    ' || rpad(workload, 24) || string_agg(to_char(us_per_call, 'FM99990'), ' ' ORDER BY round)
                      FROM bench.timing GROUP BY workload ORDER BY workload"
echo "   )"
psql_q -At <<'SQL'
WITH medians AS (
    SELECT workload, percentile_cont(0.5) WITHIN GROUP (ORDER BY us_per_call) AS us
    FROM bench.timing WHERE round > 0 GROUP BY workload)
SELECT format('%-26s %8s us   %5s x the floor', m.workload, to_char(m.us, 'FM99990.0'),
              to_char(m.us / f.us, 'FM990.00'))
FROM medians m, medians f
WHERE f.workload = 'plain INSERT (floor)'
ORDER BY m.us;
SQL
