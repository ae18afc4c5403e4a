#!/usr/bin/env bash
# Listing benchmark (issue 3). Builds a throwaway cluster, loads 1,000,000
# deliveries (bench/list_data.sql) and prints, measured in this one run:
#  - the median server time of list_deliveries pages: first, at cursor depth
#    900,000, filtered (endpoint_id + status; a nested "or"), as a tenant
#    under row-level security, and of the best hand-written keyset SQL for the
#    same pages on the same indexes (bench/list_measure.sql says how);
#  - deliveries_page at offset page 9,000 against the cursor at that depth;
#  - the ratios, and the plan of every query list_deliveries runs.
#   bench/list_bench.sh [rounds] [runs per round]     (default 10 x 30)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-10}
runs=${2:-30}

tools/deps >/dev/null
source tools/lib/cluster.sh
# A clean build: PGXS does not track header dependencies.
make -s clean
pgroot_install
cluster_create listbench "shared_buffers = '1GB'" "max_wal_size = '4GB'" "checkpoint_timeout = '30min'" \
    "jit = off"
trap cluster_destroy EXIT

# Its own database: a dispatcher serving "postgres" never looks at it.
export PGDATABASE=listbench
createdb listbench
psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
tenant="SET ROLE bench_listing_tenant; SET webhook.workspace_id = 'a0000000-0000-0000-0000-000000000003';"
or_filter='{"or": [{"status": {"in": ["retrying", "dead_letter"]}}, {"and": [{"http_status": {"gte": 400}}, {"attempt_count": {"gte": 3}}]}]}'
endpoint=e0000000-0000-7000-8000-000000000042

echo "== loading 1,000,000 deliveries"
start=$(date +%s)
psql_q -f bench/list_data.sql
echo "loaded in $(( $(date +%s) - start )) s; webhook.delivery with indexes: $(psql_q -At -c \
    "SELECT pg_size_pretty(pg_total_relation_size('webhook.delivery'))")"
psql_q -f bench/list_measure.sql

# The rows at the benchmark's depths, found once (slowly) through offset pages.
psql_q <<SQL
INSERT INTO bench.point
SELECT 'deep', p #>> '{data,99,cursor}', (p #>> '{data,99,created_at}')::timestamptz, (p #>> '{data,99,id}')::uuid
FROM webhook.deliveries_page(page => 9000, page_size => 100, count => 'none') AS p;
INSERT INTO bench.point
SELECT 'filtered deep', p #>> '{data,99,cursor}', (p #>> '{data,99,created_at}')::timestamptz, (p #>> '{data,99,id}')::uuid
FROM (SELECT count(*) AS n FROM webhook.delivery WHERE endpoint_id = '$endpoint' AND status = 'delivered') AS c,
     webhook.deliveries_page(endpoint_id => '$endpoint', status => 'delivered',
                             page => (c.n * 9 / 10 / 100)::int, page_size => 100, count => 'none') AS p;
INSERT INTO bench.point
SELECT 'or deep', p #>> '{data,99,cursor}', (p #>> '{data,99,created_at}')::timestamptz, (p #>> '{data,99,id}')::uuid
FROM (SELECT webhook.count_deliveries(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '$or_filter') AS n) AS c,
     webhook.deliveries_page(filter => '$or_filter', page => (c.n * 9 / 10 / 100)::int, page_size => 100,
                             count => 'none') AS p;
$tenant
INSERT INTO bench.point
SELECT 'tenant deep', p #>> '{data,99,cursor}', (p #>> '{data,99,created_at}')::timestamptz, (p #>> '{data,99,id}')::uuid
FROM webhook.deliveries_page(page => 900, page_size => 100, count => 'none') AS p;
SQL
psql_q -At -c "SELECT 'depth ' || name || ': row created ' || created_at FROM bench.point ORDER BY name"
psql_q -At -c "SELECT 'rows: ' || count(*) FILTER (WHERE endpoint_id = '$endpoint' AND status = 'delivered')
                      || ' of endpoint 42 delivered, ' || webhook.count_deliveries(NULL, NULL, NULL, NULL, NULL,
                      NULL, NULL, NULL, '$or_filter') || ' match the nested or' FROM webhook.delivery"

echo "== median server time (ms) and ratio, in $rounds alternating rounds of $runs runs per query"
echo "   rows: the page's rows are produced; text: and rendered as text, as a client receives them"
pair() {  # label a b target [session setup]
    local rows text
    rows=$(psql_q -At -F ' ' -c "${5:-} SELECT to_char(a_ms, 'FM990.000'), to_char(b_ms, 'FM990.000'),
                                       to_char(ratio, 'FM990.00') FROM bench.paired('$2', '$3', $rounds, $runs, 'rows')")
    text=$(psql_q -At -F ' ' -c "${5:-} SELECT to_char(a_ms, 'FM990.000'), to_char(b_ms, 'FM990.000'),
                                       to_char(ratio, 'FM990.00') FROM bench.paired('$2', '$3', $rounds, $runs, 'text')")
    # shellcheck disable=SC2086
    printf '%-34s rows %7s / %7s = %5s   text %7s / %7s = %5s   %s\n' "$1" $rows $text "$4"
}
pair 'deep (900,000) / first page'         'list deep' 'list first' 'target <= 1.5'
pair 'filtered first / first page'         'filtered first' 'list first' 'target <= 1.5'
pair 'filtered deep / first page'          'filtered deep' 'list first' 'target <= 1.5'
pair 'nested or first / first page'        'or first' 'list first' 'target <= 1.5'
pair 'nested or deep / first page'         'or deep' 'list first' 'target <= 1.5'
pair 'tenant deep / tenant first'          'tenant deep' 'tenant first' '' "$tenant"
pair 'tenant filtered / tenant first'      'tenant filtered first' 'tenant first' 'target <= 1.5' "$tenant"
pair 'list / hand-written SQL, first'      'list first' 'hand first' 'target <= 1.2'
pair 'list / hand-written SQL, deep'       'list deep' 'hand deep' 'target <= 1.2'
pair 'list / hand-written SQL, filtered'   'filtered deep' 'hand filtered deep' 'target <= 1.2'
# What any set-returning function costs: the hand-written query returned by
# PL/pgSQL's RETURN QUERY (no cursors), and list_deliveries against that.
pair 'hand-written in an SRF / hand-written' 'hand srf first' 'hand first' 'the floor of a set-returning function'
pair 'list / hand-written in an SRF'      'list first' 'hand srf first' ''
# And against a hand-written page that also returns a cursor on every row.
pair 'list / hand-written with cursors'   'list first' 'hand cursor first' ''
offset=$(psql_q -At -F ' ' -c "SELECT to_char(a_ms, 'FM990.000'), to_char(b_ms, 'FM990.000'),
                                      to_char(ratio, 'FM990.00') FROM bench.paired('page offset 9000', 'page cursor deep', 3, 3)")
# shellcheck disable=SC2086
printf '%-34s %s\n' 'deliveries_page offset 9,000 / cursor at the same depth:' "$(echo $offset | awk '{print $1 " / " $2 " = " $3}')"

# The same comparison as a client sees it: pgbench, one client over the Unix
# socket, the whole page fetched in the text protocol (round trip, protocol
# and rendering included). Each round is one pgbench run that picks either
# statement at random for every transaction, so the two share every moment
# of the run and whatever else the machine does; pgbench reports each
# statement's mean latency. The ratio is the median of the rounds' ratios.
client_dir=$(mktemp -d)
median() { sort -g | awk '{v[NR]=$1} END {printf "%.3f", (v[int((NR+1)/2)] + v[int(NR/2)+1]) / 2}'; }
client_pair() {  # label protocol a_sql b_sql target
    printf '%s\n' "$3" >"$client_dir/a.sql"
    printf '%s\n' "$4" >"$client_dir/b.sql"
    local ratios=() a_all=() b_all=() a b
    for _ in $(seq "$rounds"); do
        read -r a b < <("$PGW_BIN/pgbench" -n -M "$2" -c 1 -T "$client_seconds" \
            -f "$client_dir/a.sql@1" -f "$client_dir/b.sql@1" 2>&1 |
            awk '/^SQL script 1/ {s = 1} /^SQL script 2/ {s = 2}
                 / - latency average/ {l[s] = $5} END {print l[1], l[2]}')
        a_all+=("$a"); b_all+=("$b")
        ratios+=("$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.4f", a / b}')")
    done
    printf '%-34s %7s / %7s = %5s   %s\n' "$1" \
        "$(printf '%s\n' "${a_all[@]}" | median)" "$(printf '%s\n' "${b_all[@]}" | median)" \
        "$(printf '%s\n' "${ratios[@]}" | median | awk '{printf "%.2f", $1}')" "$5"
}
client_seconds=${LIST_BENCH_CLIENT_SECONDS:-4}
point() { psql_q -At -F ' ' -c "SELECT cursor, created_at, id FROM bench.point WHERE name = '$1'"; }
read -r deep_cursor deep_date deep_time deep_id <<<"$(point deep)"
read -r fdeep_cursor fdeep_date fdeep_time fdeep_id <<<"$(point 'filtered deep')"
first_list="SELECT * FROM webhook.list_deliveries(page_size => 100);"
first_hand="SELECT d.* FROM webhook.delivery d ORDER BY d.created_at DESC, d.id DESC LIMIT 100;"
echo "== as a client sees it: pgbench latency (ms), one client, $rounds rounds of ${client_seconds} s, both statements interleaved"
client_pair 'list / hand-written SQL, first' prepared "$first_list" "$first_hand" 'target <= 1.2'
client_pair 'list / hand-written SQL, deep' prepared \
    "SELECT * FROM webhook.list_deliveries(after => '$deep_cursor', page_size => 100);" \
    "SELECT d.* FROM webhook.delivery d WHERE (d.created_at, d.id) < ('$deep_date $deep_time', '$deep_id')
     ORDER BY d.created_at DESC, d.id DESC LIMIT 100;" 'target <= 1.2'
client_pair 'list / hand-written SQL, filtered' prepared \
    "SELECT * FROM webhook.list_deliveries(endpoint_id => '$endpoint', status => 'delivered',
                                           after => '$fdeep_cursor', page_size => 100);" \
    "SELECT d.* FROM webhook.delivery d WHERE d.endpoint_id = '$endpoint' AND d.status = 'delivered'
       AND (d.created_at, d.id) < ('$fdeep_date $fdeep_time', '$fdeep_id')
     ORDER BY d.created_at DESC, d.id DESC LIMIT 100;" 'target <= 1.2'
# Unprepared, as psql and the simple query protocol send it: each call is
# parsed and planned (list_deliveries' own statement keeps its cached plan).
client_pair 'list / hand-written, first, simple' simple "$first_list" "$first_hand" ''
rm -rf "$client_dir"

echo "== plans of the queries list_deliveries runs (auto_explain of nested statements)"
explain() {  # label sql [session setup]
    echo "-- $1"
    psql_q 2>&1 <<SQL | sed -n '/Query Text: SELECT d\./,/^Query Text: SELECT count/p' | sed '$d' | sed 's/^NOTICE:  //'
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_nested_statements = on;
SET auto_explain.log_analyze = on;
SET auto_explain.log_timing = off;
SET auto_explain.log_level = notice;
SET client_min_messages = notice;
${3:-}
$2
SQL
}
at() { echo "(SELECT cursor FROM bench.point WHERE name = '$1')"; }
plans=$(
    explain 'first page' "SELECT count(*) FROM webhook.list_deliveries(page_size => 100);"
    explain 'deep page (900,000)' "SELECT count(*) FROM webhook.list_deliveries(after => $(at deep), page_size => 100);"
    explain 'filtered first page' "SELECT count(*) FROM webhook.list_deliveries(endpoint_id => '$endpoint', status => 'delivered', page_size => 100);"
    explain 'filtered deep page' "SELECT count(*) FROM webhook.list_deliveries(endpoint_id => '$endpoint', status => 'delivered', after => $(at 'filtered deep'), page_size => 100);"
    explain 'nested or, first page' "SELECT count(*) FROM webhook.list_deliveries(filter => '$or_filter', page_size => 100);"
    explain 'nested or, deep page' "SELECT count(*) FROM webhook.list_deliveries(filter => '$or_filter', after => $(at 'or deep'), page_size => 100);"
    explain 'tenant, first page' "SELECT count(*) FROM webhook.list_deliveries(page_size => 100);" "$tenant"
    explain 'tenant, deep page' "SELECT count(*) FROM webhook.list_deliveries(after => $(at 'tenant deep'), page_size => 100);" "$tenant"
    explain 'tenant, endpoint + status, first page' "SELECT count(*) FROM webhook.list_deliveries(endpoint_id => 'e0000000-0000-7000-8000-000000000043', status => 'delivered', page_size => 100);" "$tenant"
    explain 'before: the page preceding depth 900,000' "SELECT count(*) FROM webhook.list_deliveries(before => $(at deep), page_size => 100);"
)
echo "$plans"
if echo "$plans" | grep -qE 'Seq Scan|Sort'; then
    echo "PLAN CHECK: FAILED, a plan above has a Seq Scan or a Sort"
    exit 1
fi
echo "PLAN CHECK: every listing query is an index scan, with no Sort and no Seq Scan"
