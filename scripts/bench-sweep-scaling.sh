#!/usr/bin/env bash
# One sweep on 1, 2, 4 and 8 workers, each worker a host of its own (a network namespace with its
# own veth link, as scripts/scale.sh does; run as root), for docs/BENCHMARKS.md "Sweeps": 360
# sma_cross trials over 1,000,000 one-minute bars (a data set) in chunks of 10, created to
# completed, with each worker's data set already in its cache (a first sweep fetched it), and
# the coordinator's CPU per 1,000 trials. Every leaderboard is checked equal to the first one.
# Usage: scripts/bench-sweep-scaling.sh [BIN_DIR] [COUNTS...]   (default: release, 1 2 4 8)
# WORKER_CPU=0.2: each worker held to that share of a core (a cgroup's CPU quota), so that 1 to 8
# workers fit beside the coordinator and PostgreSQL on a small machine: a host with a slow core
# each, and linear scaling measurable where the cores are too few to give each worker one.
# CHUNK_TRIALS=5: trials a chunk (10 by default).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ATS_ROOT"
[ "$(id -u)" = 0 ] || { echo "run as root (network namespaces)" >&2; exit 1; }
BIN=$(release_bin "${1:-}")
shift || true
COUNTS=("$@")
[ ${#COUNTS[@]} -gt 0 ] || COUNTS=(1 2 4 8)
PORT=${ATS_BENCH_PG_PORT:-55483}
D=$ATS_ROOT/.data/bench-sweep-scaling
pg_stop pg-bench-scaling >/dev/null 2>&1 || true
rm -rf .data/pg-bench-scaling .data/pg-bench-scaling.password "$D"
mkdir -p "$D/data"
URL=$(pg_start pg-bench-scaling "$PORT")
export DATABASE_URL=$URL ATS_WORKER_TOKEN=bench-worker-token-0123456789 ATS_ADMIN_TOKEN=bench-admin-token-0123456789 \
    ATS_HTTP_PORT=18099 ATS_WORKER_PORT=17099 ATS_ENV_FILE=/nonexistent LOG_LEVEL=info ATS_URL=http://127.0.0.1:18099
# Reachable from the namespaces through their links.
ATS_HTTP_HOST=0.0.0.0 ATS_WORKER_HOST=0.0.0.0 "$BIN/ats-coordinator" > "$D/coordinator.log" 2>&1 &
CP=$!
WPS=()
netns_down() { for i in $(seq 1 8); do ip netns del "ats-sweep-$i" 2>/dev/null || true; ip link del "ats-sw$i" 2>/dev/null || true; done; }
WORKER_CPU=${WORKER_CPU:-}
CG=/sys/fs/cgroup/cpu
[ -z "$WORKER_CPU" ] || [ -w "$CG" ] || { echo "WORKER_CPU needs the cgroup v1 cpu controller at $CG" >&2; exit 1; }
cg_down() { for i in $(seq 1 8); do rmdir "$CG/ats-sweep-$i" 2>/dev/null || true; done; }
# cpu_limit I PID: worker I held to WORKER_CPU of a core.
cpu_limit() {
    [ -n "$WORKER_CPU" ] || return 0
    mkdir -p "$CG/ats-sweep-$1"
    cat "$CG/cpu.cfs_period_us" > "$CG/ats-sweep-$1/cpu.cfs_period_us"
    echo "$(echo "$WORKER_CPU * $(cat "$CG/cpu.cfs_period_us") / 1" | bc)" > "$CG/ats-sweep-$1/cpu.cfs_quota_us"
    echo "$2" > "$CG/ats-sweep-$1/cgroup.procs"
}
# Workers drain on TERM (a few seconds at most); anything left after 15 s is killed.
stop_workers() {
    [ ${#WPS[@]} -eq 0 ] && return 0
    kill "${WPS[@]}" 2>/dev/null || true
    for _ in $(seq 1 150); do
        local alive=0
        for p in "${WPS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
        [ $alive = 1 ] || break
        sleep 0.1
    done
    kill -9 "${WPS[@]}" 2>/dev/null || true
    WPS=()
}
trap 'stop_workers; kill $CP 2>/dev/null; pg_stop pg-bench-scaling >/dev/null 2>&1; netns_down; cg_down' EXIT
netns_down
for _ in $(seq 1 150); do curl -sf "$ATS_URL/healthz" | grep -q '"role":"leader"' && break; sleep 0.2; done
"$BIN/ats" data synth --bars 1000000 --seed 42 --format plain --out "$D/data/large.csv" >/dev/null
"$BIN/ats" data add "$D/data/large.csv" --name large >/dev/null
# worker I: in namespace ats-sweep-I, reaching the coordinator at 10.233.I.1.
worker() {
    local i=$1 ns=ats-sweep-$1
    netns_host "$ns" "ats-sw$i" "$i" 10.233
    ip netns exec "$ns" env ATS_COORDINATOR="10.233.$i.1:17099" ATS_COORDINATOR_HTTP="http://10.233.$i.1:18099" \
        ATS_WORKER_ID="w$i" ATS_WORKER_CAPACITY=1 ATS_DATA_DIR="$D/data" ATS_DATASET_CACHE_DIR="$D/cache-w$i" \
        ATS_WORKER_TOKEN="$ATS_WORKER_TOKEN" LOG_LEVEL=info "$BIN/ats-worker" >> "$D/worker-$i.log" 2>&1 &
    WPS+=($!)
    cpu_limit "$i" $!
}
cpu_ms() { awk '{print ($14 + $15) * 1000 / '"$(getconf CLK_TCK)"'}' "/proc/$1/stat"; }
# The CPU the workers, PostgreSQL and nobody (idle) had, in ms.
workers_cpu_ms() { local t=0 p; for p in "${WPS[@]}"; do t=$((t + $(cpu_ms "$p" | cut -d. -f1))); done; echo $t; }
pg_cpu_ms() { local t=0 p; for p in $(pgrep -x postgres); do t=$((t + $(cpu_ms "$p" 2>/dev/null | cut -d. -f1 || echo 0))); done; echo $t; }
idle_ms() { awk '/^cpu /{print int(($5 + $6) * 1000 / '"$(getconf CLK_TCK)"')}' /proc/stat; }
SEARCH=(--strategy sma_cross --param quantity=1 --param fast=int:5..50:5 --param slow=int:20..200:5 --where 'fast < slow')
# sweep NAME: created to completed; prints seconds and the coordinator's CPU ms.
sweep() {
    local c0 t0
    c0=$(cpu_ms $CP)
    t0=$(date +%s.%N)
    "$BIN/ats" sweep create --name "$1" --data-set large --chunk-trials "${CHUNK_TRIALS:-10}" "${SEARCH[@]}" >/dev/null
    for _ in $(seq 1 12000); do
        curl -sf -H "Authorization: Bearer $ATS_ADMIN_TOKEN" "$ATS_URL/api/sweeps/$1" | grep -q '"state":"completed"' && break
        sleep 0.05
    done
    echo "$(echo "$(date +%s.%N) - $t0" | bc) $(echo "$(cpu_ms $CP) - $c0" | bc)"
}
# Every worker fetches the set once, first (a sweep on all eight).
for i in $(seq 1 8); do worker "$i"; done
sweep warm >/dev/null
stop_workers
"$BIN/ats" sweep top warm -n 30 --json > "$D/warm.json"
TRIALS=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["trials"])' "$D/warm.json")
BASE=
for w in "${COUNTS[@]}"; do
    for i in $(seq 1 "$w"); do worker "$i"; done
    sleep 1
    pg0=$(pg_cpu_ms)
    idle0=$(idle_ms)
    w0=$(workers_cpu_ms)
    read -r secs cpu < <(sweep "s$w")
    echo "SCALING CPU $w workers: workers $(($(workers_cpu_ms) - w0)) ms, postgres $(($(pg_cpu_ms) - pg0)) ms, idle $(($(idle_ms) - idle0)) ms (all $(nproc) cores)"
    "$BIN/ats" sweep top "s$w" -n 30 --json > "$D/s$w.json"
    same=$(python3 -c 'import json,sys; a,b=(json.load(open(p)) for p in sys.argv[1:3]); print(all(a[k]==b[k] for k in ["top","trials","deflated_sharpe","overfitting"]))' "$D/warm.json" "$D/s$w.json")
    [ -n "$BASE" ] || BASE=$secs
    echo "SCALING $w workers: $TRIALS trials x 1,000,000 bars in $secs s ($(echo "scale=1; $TRIALS * 1000000 / $secs / 1000000" | bc)M trial-bars/s), speed-up $(echo "scale=2; $BASE / $secs" | bc) ($(echo "scale=0; 100 * $BASE / $secs / $w" | bc)% of linear), coordinator CPU $(echo "scale=0; $cpu * 1000 / $TRIALS" | bc) ms per 1,000 trials, leaderboard as the first: $same"
    stop_workers
done
echo "SCALING on $(nproc) cores: beyond them workers share the cores (linear is out of reach there)."
