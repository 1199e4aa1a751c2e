#!/usr/bin/env bash
# Dashboard figures (docs/BENCHMARKS.md): a coordinator over 10,000 jobs in its own PostgreSQL.
#  1. the first page of the job list, as the dashboard asks for it: p50/p99 of 300 requests each
#     (curl's total time on loopback, an upper bound of the server's time);
#  2. the live stream: 1,000 running jobs updated four times a second in PostgreSQL (as Progress
#     messages update them), coordinator CPU from /proc over 20 s without subscribers, then with
#     1 and 10; the stream's cost is the difference.
# Usage: scripts/bench-dashboard.sh [BIN_DIR]   (default .build/debug; release: .build-release/release)
# ATS_BENCH_PAUSE=1 stops after seeding (PostgreSQL and the coordinator up) until Enter, to look
# at query plans or profile the coordinator by hand.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ATS_ROOT"
BIN=${1:-.build/debug}
PORT=${ATS_BENCH_PG_PORT:-55477}
pg_stop pg-bench >/dev/null 2>&1 || true
rm -rf .data/pg-bench .data/pg-bench.password
URL=$(pg_start pg-bench "$PORT")
export DATABASE_URL=$URL ATS_WORKER_TOKEN=bench-worker-token-0123456789 ATS_ADMIN_TOKEN=bench-admin-token-0123456789 \
    ATS_HTTP_PORT=18090 ATS_WORKER_PORT=17090 ATS_ENV_FILE=/nonexistent LOG_LEVEL=info ATS_URL=http://127.0.0.1:18090
"$BIN/ats-coordinator" > .data/bench-coordinator.log 2>&1 &
CP=$!
trap 'kill $CP 2>/dev/null; pg_stop pg-bench >/dev/null 2>&1' EXIT
for _ in $(seq 1 150); do curl -sf http://127.0.0.1:18090/healthz | grep -q '"role":"leader"' && break; sleep 0.2; done
psql_bench() { PGPASSWORD=$(cat .data/pg-bench.password) psql -h 127.0.0.1 -p "$PORT" -U ats -d ats -qAt "$@"; }
"$BIN/ats" data synth --bars 1000 --seed 1 --out .data/bench-bars.csv >/dev/null
"$BIN/ats" job create --name template --data .data/bench-bars.csv --strategy sma_cross --param fast=10 --param slow=30 >/dev/null
psql_bench <<'SQL'
INSERT INTO jobs (name, mode, spec, labels, status)
SELECT 'bench-' || lpad(g::text, 5, '0'), 'backtest',
       jsonb_set((SELECT spec FROM jobs WHERE name = 'template'), '{name}', to_jsonb('bench-' || lpad(g::text, 5, '0'))),
       CASE WHEN g % 10 = 0 THEN ARRAY['fast'] ELSE '{}' END,
       CASE WHEN g <= 1000 THEN 'running' ELSE 'completed' END
FROM generate_series(1, 10000) g;
DELETE FROM jobs WHERE name = 'template';
INSERT INTO job_progress (job_id, bars_total, bars_done, equity)
SELECT id, 200000, CASE WHEN status = 'running' THEN 1000 ELSE 200000 END, 100000 + id FROM jobs;
SQL
echo "jobs: $(psql_bench -c 'SELECT count(*) FROM jobs')"
H="Authorization: Bearer $ATS_ADMIN_TOKEN"
measure() {
    for _ in $(seq 1 300); do curl -s -o /dev/null -w '%{time_total}\n' -H "$H" "http://127.0.0.1:18090$1"; done | sort -n |
        awk -v p="$1" '{a[NR]=$1} END {printf "%-48s p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms\n", p, a[int(NR*0.5)]*1000, a[int(NR*0.99)]*1000, a[NR]*1000}'
}
[ -n "${ATS_BENCH_PAUSE:-}" ] && { echo "paused: PostgreSQL on $PORT, coordinator on 18090; Enter to go on"; read -r _; }
for p in "/api/jobs?limit=50" "/api/jobs?limit=50&sort=-updated_at" "/api/jobs?limit=50&sort=-equity" \
    "/api/jobs?limit=50&status=running&sort=name" "/api/jobs?limit=50&q=bench-09" "/api/overview" "/ui/"; do
    measure "$p"
done
# PostgreSQL's own share of the sorted page (the rest is the coordinator and HTTP).
psql_bench -c "EXPLAIN (ANALYZE, BUFFERS) SELECT j.id FROM jobs j LEFT JOIN job_progress p ON p.job_id = j.id ORDER BY GREATEST(j.updated_at, p.updated_at) DESC NULLS LAST, j.id DESC LIMIT 50" |
    grep "Execution Time" | sed 's/^/  sort=-updated_at in PostgreSQL: /'
HZ=$(getconf CLK_TCK)
cpu() { awk '{print $14+$15}' "/proc/$CP/stat"; }
update_for() {
    local end=$((SECONDS + $1))
    while [ $SECONDS -lt $end ]; do
        psql_bench -c "UPDATE job_progress p SET bars_done = bars_done + 1, equity = equity + 1, updated_at = now() FROM jobs j WHERE j.id = p.job_id AND j.status = 'running'"
        sleep 0.25
    done
}
share() { echo "scale=1; 100 * ($2 - $1) / $HZ / 20" | bc; }
c0=$(cpu); update_for 20; c1=$(cpu)
echo "1,000 running jobs at 4 Hz, no subscriber:  coordinator CPU $(share "$c0" "$c1") % of a core"
for n in 1 10; do
    pids=()
    for i in $(seq 1 "$n"); do
        curl -s -N -H "$H" "http://127.0.0.1:18090/api/stream?topics=jobs,events" > ".data/bench-sse-$i.txt" &
        pids+=($!)
    done
    sleep 2
    c0=$(cpu); update_for 20; c1=$(cpu)
    kill "${pids[@]}" 2>/dev/null || true
    echo "1,000 running jobs at 4 Hz, $n subscriber(s): coordinator CPU $(share "$c0" "$c1") % of a core," \
        "$(grep -c '^event: jobs' .data/bench-sse-1.txt) job frames, $(wc -c < .data/bench-sse-1.txt) bytes per subscriber"
done
