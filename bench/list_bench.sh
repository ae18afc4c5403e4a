#!/usr/bin/env bash
# Listing benchmark (issue 3): builds a throwaway cluster, loads 1,000,000
# deliveries, and prints the median server time of the first page, a page at
# cursor depth 900,000, filtered pages, the hand-written keyset SQL for the
# same pages, and an offset page 9,000; then the ratios and the plans.
#   bench/list_bench.sh [runs]      (default 300 runs per query)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-300}

tools/deps
source tools/lib/cluster.sh
pgroot_install
cluster_create listbench "shared_buffers = '1GB'" "max_wal_size = '4GB'" "checkpoint_timeout = '30min'" \
    "jit = off"
trap cluster_destroy EXIT

# Its own database: a dispatcher serving "postgres" never looks at it.
export PGDATABASE=listbench
createdb listbench
psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

echo "== loading 1,000,000 deliveries"
start=$(date +%s)
psql_q -f bench/list_data.sql
echo "loaded in $(( $(date +%s) - start )) s: $(psql_q -At -c "SELECT pg_size_pretty(pg_total_relation_size('webhook.delivery'))") with indexes"
psql_q -f bench/list_measure.sql

# The rows at the benchmark's depths, found once (slowly) by offset.
psql_q <<'SQL'
INSERT INTO bench.point
SELECT 'deep', p #>> '{data,99,cursor}', (p #>> '{data,99,created_at}')::timestamptz, (p #>> '{data,99,id}')::uuid
FROM webhook.deliveries_page(page => 9000, page_size => 100, count => 'none') AS p;
INSERT INTO bench.point
SELECT 'filtered deep', p #>> '{data,99,cursor}', (p #>> '{data,99,created_at}')::timestamptz, (p #>> '{data,99,id}')::uuid
FROM (SELECT count(*) AS n FROM webhook.delivery
      WHERE endpoint_id = 'e0000000-0000-7000-8000-000000000042' AND status = 'delivered') AS c,
     webhook.deliveries_page(endpoint_id => 'e0000000-0000-7000-8000-000000000042', status => 'delivered',
                             page => (c.n * 9 / 10 / 100)::int, page_size => 100, count => 'none') AS p;
INSERT INTO bench.point
SELECT 'or deep', p #>> '{data,99,cursor}', (p #>> '{data,99,created_at}')::timestamptz, (p #>> '{data,99,id}')::uuid
FROM (SELECT webhook.count_deliveries(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, f) AS n, f
      FROM (SELECT '{"or": [{"status": {"in": ["retrying", "dead_letter"]}}, {"and": [{"http_status": {"gte": 400}}, {"attempt_count": {"gte": 3}}]}]}'::jsonb AS f) AS f) AS c,
     webhook.deliveries_page(filter => c.f, page => (c.n * 9 / 10 / 100)::int, page_size => 100, count => 'none') AS p;
SQL
psql_q -At -c "SELECT name || ': ' || created_at FROM bench.point ORDER BY name" | sed 's/^/position /'

echo "== median server time, $runs runs each (offset: 5 runs)"
measure() { psql_q -At -c "SELECT round(bench.median_ms('$1', $2)::numeric, 3)"; }
declare -A ms
for kind in 'list first' 'hand first' 'list deep' 'hand deep' 'filtered first' 'filtered deep' \
            'hand filtered deep' 'or first' 'or deep' 'page cursor deep'; do
    measure "$kind" 20 >/dev/null  # warm the caches and the plan cache
    ms[$kind]=$(measure "$kind" "$runs")
    printf '%-22s %8s ms\n' "$kind" "${ms[$kind]}"
done
ms['page offset 9000']=$(measure 'page offset 9000' 5)
printf '%-22s %8s ms\n' 'page offset 9000' "${ms['page offset 9000']}"

ratio() { psql_q -At -c "SELECT round($1 / $2, 2)"; }
echo "== ratios"
echo "deep (900,000) / first page:                $(ratio "${ms['list deep']}" "${ms['list first']}")   (target <= 1.5)"
echo "filtered first / first page:                $(ratio "${ms['filtered first']}" "${ms['list first']}")   (target <= 1.5)"
echo "filtered deep / first page:                 $(ratio "${ms['filtered deep']}" "${ms['list first']}")   (target <= 1.5)"
echo "nested or first / first page:               $(ratio "${ms['or first']}" "${ms['list first']}")"
echo "nested or deep / first page:                $(ratio "${ms['or deep']}" "${ms['list first']}")"
echo "list_deliveries / hand-written, first:      $(ratio "${ms['list first']}" "${ms['hand first']}")   (target <= 1.2)"
echo "list_deliveries / hand-written, deep:       $(ratio "${ms['list deep']}" "${ms['hand deep']}")   (target <= 1.2)"
echo "list_deliveries / hand-written, filtered:   $(ratio "${ms['filtered deep']}" "${ms['hand filtered deep']}")   (target <= 1.2)"
echo "offset page 9,000 / cursor at same depth:   $(ratio "${ms['page offset 9000']}" "${ms['page cursor deep']}")"

echo "== plans of the queries list_deliveries runs (auto_explain, nested statements)"
explain() {
    local label=$1 sql=$2
    echo "-- $label"
    psql_q 2>&1 <<SQL | sed -n '/Query Text: SELECT d\./,$p' | grep -v '^$' | sed 's/^NOTICE:  //'
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_nested_statements = on;
SET auto_explain.log_analyze = on;
SET auto_explain.log_timing = off;
SET auto_explain.log_level = notice;
SET client_min_messages = notice;
$sql
SQL
}
plans=$(
    explain 'first page' "SELECT count(*) FROM webhook.list_deliveries(page_size => 100);"
    explain 'deep page (900,000)' "SELECT count(*) FROM webhook.list_deliveries(after => (SELECT cursor FROM bench.point WHERE name = 'deep'), page_size => 100);"
    explain 'filtered first page' "SELECT count(*) FROM webhook.list_deliveries(endpoint_id => 'e0000000-0000-7000-8000-000000000042', status => 'delivered', page_size => 100);"
    explain 'filtered deep page' "SELECT count(*) FROM webhook.list_deliveries(endpoint_id => 'e0000000-0000-7000-8000-000000000042', status => 'delivered', after => (SELECT cursor FROM bench.point WHERE name = 'filtered deep'), page_size => 100);"
    explain 'nested or, deep page' "SELECT count(*) FROM webhook.list_deliveries(filter => '{\"or\": [{\"status\": {\"in\": [\"retrying\", \"dead_letter\"]}}, {\"and\": [{\"http_status\": {\"gte\": 400}}, {\"attempt_count\": {\"gte\": 3}}]}]}', after => (SELECT cursor FROM bench.point WHERE name = 'or deep'), page_size => 100);"
)
echo "$plans"
if echo "$plans" | grep -qE 'Seq Scan|Sort'; then
    echo "PLAN CHECK: a plan above has a Seq Scan or Sort"
else
    echo "PLAN CHECK: index scans only, no Sort and no Seq Scan"
fi
