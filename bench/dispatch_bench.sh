#!/usr/bin/env bash
# The dispatcher's speed, measured in one run against a local nginx that
# answers 204 on 127.0.0.1:
#   1. raw ceiling: wrk POSTs a delivery-sized request at the sink;
#   2. drain rate: 100,000 deliveries published in one transaction, from its
#      COMMIT to the last one delivered (target >= 20,000/s), and the ratio
#      to the wrk ceiling;
#   3. latency with the worker idle: publish COMMIT -> the sink's request,
#      p50 and p99 (targets 5 ms and 50 ms);
#   4. memory: the worker's RSS after 100,000 and after 1,000,000 deliveries
#      (target: within 10%).
#
#   bench/dispatch_bench.sh [--quick] [--record]
#     --quick    skip the 1,000,000-delivery memory run
#     --record   also write the figures into bench/RESULTS.md (own section)
#
# Needs tools/deps (nginx-light, wrk, python3). Everything runs on a
# throwaway cluster (tools/lib/cluster.sh) and a private nginx; nothing is
# left behind.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

quick=0
record=0
for argument in "$@"; do
    case $argument in
        --quick) quick=1 ;;
        --record) record=1 ;;
        *) echo "usage: $0 [--quick] [--record]" >&2; exit 2 ;;
    esac
done

drain_count=100000
memory_count=1000000
latency_samples=200
wrk_seconds=10
in_flight=64

tools/deps
source tools/lib/cluster.sh
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)

work=$(mktemp -d /tmp/pgw-bench.XXXXXX)
nginx_pid=
cleanup() {
    [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
    cluster_destroy
    rm -rf "$work"
}
trap cleanup EXIT

note() { printf '%s  %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# --- the sink ------------------------------------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/nginx/body"
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $work/nginx/body;
    client_body_buffer_size 64k;
    keepalive_requests 10000000;
    keepalive_timeout 300s;
    log_format latency '\$msec \$http_webhook_id';
    server {
        listen 127.0.0.1:$port;
        location / { return 204; }
        location /latency { access_log $work/nginx/latency.log latency; return 204; }
    }
}
EOF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
nginx_pid=$!
for _ in $(seq 50); do
    curl -s -o /dev/null -X POST "http://127.0.0.1:$port/" && break
    sleep 0.1
done
note "nginx answers 204 on 127.0.0.1:$port"

# A body like the deliveries' and the same kind of headers.
payload='{"type":"invoice.paid","data":{"id":"inv_0001","amount":4200,"currency":"EUR","customer":"cus_42"}}'
cat >"$work/post.lua" <<EOF
wrk.method = "POST"
wrk.body = '$payload'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["User-Agent"] = "pg_webhook/bench"
wrk.headers["webhook-id"] = "0190b0d6-5f1e-7cc4-9a7e-4f5b7e2c9d11"
wrk.headers["webhook-timestamp"] = "1700000000"
wrk.headers["webhook-signature"] = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
EOF
note "wrk: ${wrk_seconds}s, 2 threads, $in_flight connections"
wrk -t2 -c"$in_flight" -d"${wrk_seconds}s" -s "$work/post.lua" "http://127.0.0.1:$port/" >"$work/wrk.txt"
wrk_rate=$(awk '/^Requests\/sec:/ {printf "%d", $2}' "$work/wrk.txt")
note "wrk: $wrk_rate requests/s"

# The HTTP engine alone (no database) against the same sink.
note "building bench/engine_bench.cpp"
cmake -S . -B build/cmake -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/cmake --target engine_bench -j2 >/dev/null
engine_rate=$(build/cmake/engine_bench "http://127.0.0.1:$port/engine" "$drain_count" "$in_flight" |
              awk '{printf "%d", $6}')
engine_ratio=$(python3 -c "print(f'{$engine_rate / $wrk_rate:.2f}')")
note "engine alone: $engine_rate requests/s ($engine_ratio of wrk)"

# --- the cluster ---------------------------------------------------------
note "building and starting a throwaway cluster"
pgroot_install
cluster_create bench "webhook.allowed_networks = '127.0.0.0/8'" \
    "webhook.max_in_flight = $in_flight" "shared_buffers = 256MB" \
    "max_wal_size = 4GB" "synchronous_commit = off"
# The cluster's own psql: Debian's /usr/bin/psql is a Perl wrapper whose
# start-up alone costs about 30 ms of CPU.
psql() { "$PGW_BIN/psql" -X -q -v ON_ERROR_STOP=1 -At "$@"; }
psql -c "CREATE EXTENSION pg_webhook"
sink_endpoint=$(psql -c "SELECT id FROM webhook.create_endpoint('http://127.0.0.1:$port/sink')")
latency_endpoint=$(psql -c "SELECT id FROM webhook.create_endpoint('http://127.0.0.1:$port/latency')")

worker_pid() { psql -c "SELECT pid FROM webhook.worker_status()"; }
for _ in $(seq 100); do
    [ -n "$(worker_pid)" ] && break
    sleep 0.1
done
[ -n "$(worker_pid)" ] || { echo "no worker serves the database" >&2; exit 1; }
# The worker's memory in kB: private (RssAnon, what a leak would grow) and
# resident (VmRSS, which also counts the shared buffers it has touched).
memory_kb() { awk -v field="$1:" '$1 == field {print $2}' "/proc/$(worker_pid)/status"; }
# CPU seconds the worker has used so far.
worker_cpu_seconds() {
    awk -v ticks="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / ticks}' "/proc/$(worker_pid)/stat"
}

# Publishes count deliveries to the sink in one transaction; prints the
# COMMIT's time (Unix seconds, taken just before it).
publish_batch() {
    local count=$1 first=$2
    psql <<EOF | tail -n 1
BEGIN;
SELECT count(*) FROM generate_series($first, $first + $count - 1) AS n,
       LATERAL webhook.publish('invoice.paid',
                               jsonb_build_object('n', n, 'data', '$payload'::jsonb),
                               endpoint_id => '$sink_endpoint') AS delivery;
SELECT extract(epoch FROM clock_timestamp());
COMMIT;
EOF
}

# Waits until no delivery is left to send; fails when nothing moves for a
# minute. Each look must cost next to nothing, or it takes CPU from the
# worker being measured (a new psql, connection and count of the due rows
# took about 70 ms each, bench/RESULTS.md): one session asks whether a
# delivery is still due (one probe of delivery_due_idx) and how many rows of
# webhook.delivery have been written (the statistics, reported each second).
wait_for_drain() {
    local due written last=-1 still=0
    coproc POLL { psql; }
    while :; do
        echo "SELECT EXISTS (SELECT FROM webhook.delivery
                             WHERE status IN ('pending', 'retrying', 'rate_limited')),
                     (SELECT n_tup_ins + n_tup_upd FROM pg_stat_user_tables
                       WHERE relid = 'webhook.delivery'::regclass);" >&"${POLL[1]}"
        IFS='|' read -r -t 60 due written <&"${POLL[0]}" || {
            echo "the drain's poll got no answer" >&2; return 1; }
        [ "$due" = f ] && break
        if [ "$written" = "$last" ]; then
            still=$((still + 1))
            if [ "$still" -ge 300 ]; then
                echo "the worker made no progress for a minute" >&2
                psql -c "SELECT * FROM webhook.worker_status()" >&2
                return 1
            fi
        else
            still=0
        fi
        last=$written
        sleep 0.2
    done
    exec {POLL[1]}>&-
    wait "$POLL_PID"
}

# --- drain rate ------------------------------------------------------------
note "publishing $drain_count deliveries in one transaction"
cpu_before=$(worker_cpu_seconds)
publish_started=$(date +%s.%N)
commit_at=$(publish_batch "$drain_count" 1)
publish_seconds=$(python3 -c "print(f'{$commit_at - $publish_started:.1f}')")
note "published in ${publish_seconds}s; draining"
wait_for_drain
load_at_drain=$(cut -d' ' -f1-3 /proc/loadavg)
worker_cpu=$(python3 -c "print(f'{$(worker_cpu_seconds) - $cpu_before:.1f}')")
read -r delivered failed drain_seconds first_attempt_seconds < <(psql -F ' ' -c "
    SELECT count(*) FILTER (WHERE status = 'delivered'),
           count(*) FILTER (WHERE status <> 'delivered'),
           round((extract(epoch FROM max(delivered_at)) - $commit_at)::numeric, 3),
           round((extract(epoch FROM max(delivered_at)) -
                  extract(epoch FROM min(last_attempted_at)))::numeric, 3)
      FROM webhook.delivery WHERE endpoint_id = '$sink_endpoint'")
drain_rate=$(python3 -c "print(int($delivered / $drain_seconds))")
drain_ratio=$(python3 -c "print(f'{$drain_rate / $wrk_rate:.2f}')")
worker_us=$(python3 -c "print(int($worker_cpu / $drain_count * 1e6))")
anon_100k=$(memory_kb RssAnon)
rss_100k=$(memory_kb VmRSS)
note "drain: $delivered delivered ($failed not) in ${drain_seconds}s = $drain_rate/s; ratio to wrk $drain_ratio"
note "worker CPU: ${worker_cpu}s, ${worker_us} us per delivery; load average after the drain: $load_at_drain"
note "worker memory after $drain_count deliveries: RssAnon ${anon_100k} kB, VmRSS ${rss_100k} kB"

# --- latency, worker idle -------------------------------------------------------
note "latency: $latency_samples single publishes, 50 ms apart"
{
    for i in $(seq "$latency_samples"); do
        cat <<EOF
BEGIN;
SELECT delivery FROM webhook.publish('invoice.paid', '{"n": $i}', endpoint_id => '$latency_endpoint') AS delivery \\gset
SELECT extract(epoch FROM clock_timestamp()) AS committed \\gset
COMMIT;
\\echo :delivery :committed
SELECT pg_sleep(0.05) \\g /dev/null
EOF
    done
} | psql >"$work/latency_commits.txt"
sleep 1
read -r latency_count p50 p99 latency_max < <(python3 - "$work/latency_commits.txt" "$work/nginx/latency.log" <<'EOF'
import sys
commits = dict(line.split() for line in open(sys.argv[1]) if line.strip())
received = {}
for line in open(sys.argv[2]):
    at, delivery = line.split()
    received.setdefault(delivery, float(at))
samples = sorted((received[d] - float(c)) * 1000 for d, c in commits.items() if d in received)
def percentile(p):
    return samples[min(len(samples) - 1, int(round(p / 100 * (len(samples) - 1))))]
print(len(samples), f"{percentile(50):.1f}", f"{percentile(99):.1f}", f"{samples[-1]:.1f}")
EOF
)
note "latency over $latency_count samples: p50 ${p50} ms, p99 ${p99} ms, max ${latency_max} ms"

# --- memory over 1,000,000 deliveries ---------------------------------------
rss_1m=
memory_seconds=
if [ "$quick" -eq 0 ]; then
    note "memory: publishing up to $memory_count deliveries in batches of $drain_count"
    started=$(date +%s)
    published=$drain_count
    while [ "$published" -lt "$memory_count" ]; do
        publish_batch "$drain_count" $((published + 1)) >/dev/null
        published=$((published + drain_count))
    done
    wait_for_drain
    memory_seconds=$(($(date +%s) - started))
    anon_1m=$(memory_kb RssAnon)
    rss_1m=$(memory_kb VmRSS)
    total=$(psql -c "SELECT count(*) FROM webhook.delivery
                      WHERE endpoint_id = '$sink_endpoint' AND status = 'delivered'")
    note "worker memory after $total delivered: RssAnon ${anon_1m} kB, VmRSS ${rss_1m} kB (${memory_seconds}s)"
fi

crashes=$(cluster_crashes)
[ -z "$crashes" ] || { echo "the server log shows a crash:" >&2; echo "$crashes" >&2; exit 1; }

# --- report ----------------------------------------------------------------
memory_line="not measured (--quick); after 100,000: RssAnon ${anon_100k} kB, VmRSS ${rss_100k} kB"
if [ -n "$rss_1m" ]; then
    growth() { python3 -c "print(f'{($2 - $1) / $1 * 100:+.1f}%')"; }
    memory_line="RssAnon ${anon_100k} -> ${anon_1m} kB ($(growth "$anon_100k" "$anon_1m")); VmRSS ${rss_100k} -> ${rss_1m} kB ($(growth "$rss_100k" "$rss_1m"))"
fi
report=$(cat <<EOF
## Dispatch (issue 4): \`bench/dispatch_bench.sh\`

Run: \`bench/dispatch_bench.sh --record\` on $(date -u +%Y-%m-%d) at $(date -u +%H:%M) UTC, $(nproc) cores.

| measure | result | target |
|---|---|---|
| raw sink ceiling: wrk POST, 2 threads, $in_flight connections, nginx 204 | $wrk_rate req/s | |
| drain of $drain_count deliveries, COMMIT to last delivered | $drain_rate deliveries/s (${drain_seconds} s; $failed not delivered) | >= 20,000/s |
| HTTP engine alone (bench/engine_bench.cpp), $drain_count POSTs, $in_flight in flight | $engine_rate req/s ($engine_ratio of wrk) | |
| drain / wrk | $drain_ratio | |
| worker CPU per delivery during the drain | ${worker_us} us | |
| publishing $drain_count deliveries (one transaction, webhook.publish per row) | ${publish_seconds} s | |
| latency publish COMMIT -> request at the sink, worker idle ($latency_count samples) | p50 $p50 ms, p99 $p99 ms (max $latency_max ms) | 5 ms / 50 ms |
| worker memory, after 100,000 -> after 1,000,000 deliveries | $memory_line | within 10% |

Both sides share the 2 cores: nginx (1 worker process) and wrk or
PostgreSQL (backend + pg_webhook worker). webhook.max_in_flight = $in_flight.
Load average when the run started: $load_at_start; after the drain:
$load_at_drain (other work on the machine shares the cores). RssAnon is the worker's private memory (what a leak would grow); VmRSS also
counts the pages of shared buffers it has touched.
EOF
)
echo "$report"
if [ "$record" -eq 1 ]; then
    python3 - "$repo/bench/RESULTS.md" "$report" <<'EOF'
import sys, re, os
path, report = sys.argv[1], sys.argv[2]
begin, end = "<!-- dispatch_bench: begin -->", "<!-- dispatch_bench: end -->"
block = f"{begin}\n{report}\n{end}"
text = open(path).read() if os.path.exists(path) else "# Benchmark results\n"
if begin in text and end in text:
    text = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S)
else:
    text = text.rstrip("\n") + "\n\n" + block + "\n"
open(path, "w").write(text)
EOF
    note "recorded in bench/RESULTS.md"
fi
