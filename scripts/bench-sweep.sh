#!/usr/bin/env bash
# Sweep figures on the cluster (docs/BENCHMARKS.md "Sweeps"): a coordinator over its own
# PostgreSQL and W workers (capacity 1 each) on this machine;
#  1. the large grid — 90 sma_cross trials over 1,000,000 one-minute bars (a data set, chunks of
#     the default size) — with 1 worker and with 2, created to completed, against `ats sweep run`
#     of the same grid on this machine (every core, no cluster);
#  2. many small chunks — 2,000 random trials over 20,000 bars in chunks of 50 (40 chunk jobs) —
#     for the coordinator's CPU per 1,000 trials (its /proc CPU time over the sweep).
# Each cluster sweep's leaderboard is checked equal to the local one (`ats sweep top --json`).
# Usage: scripts/bench-sweep.sh [BIN_DIR]   (default: .build-release/release, built first)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ATS_ROOT"
BIN=$(release_bin "${1:-}")
PORT=${ATS_BENCH_PG_PORT:-55479}
D=.data/bench-sweep
pg_stop pg-bench-sweep >/dev/null 2>&1 || true
rm -rf .data/pg-bench-sweep .data/pg-bench-sweep.password "$D"
mkdir -p "$D/data"
URL=$(pg_start pg-bench-sweep "$PORT")
export DATABASE_URL=$URL ATS_WORKER_TOKEN=bench-worker-token-0123456789 ATS_ADMIN_TOKEN=bench-admin-token-0123456789 \
    ATS_HTTP_PORT=18095 ATS_WORKER_PORT=17095 ATS_ENV_FILE=/nonexistent LOG_LEVEL=info ATS_URL=http://127.0.0.1:18095
"$BIN/ats-coordinator" > "$D/coordinator.log" 2>&1 &
CP=$!
WPS=()
trap 'kill $CP ${WPS[@]+"${WPS[@]}"} 2>/dev/null; pg_stop pg-bench-sweep >/dev/null 2>&1' EXIT
for _ in $(seq 1 150); do curl -sf http://127.0.0.1:18095/healthz | grep -q '"role":"leader"' && break; sleep 0.2; done
"$BIN/ats" data synth --bars 1000000 --seed 42 --format plain --out "$D/data/large.csv" >/dev/null
"$BIN/ats" data synth --bars 20000 --seed 7 --format plain --out "$D/data/small.csv" >/dev/null
"$BIN/ats" data add "$D/data/large.csv" --name large >/dev/null
"$BIN/ats" data add "$D/data/small.csv" --name small >/dev/null
worker() { # id
    ATS_COORDINATOR=127.0.0.1:17095 ATS_COORDINATOR_HTTP=http://127.0.0.1:18095 ATS_WORKER_ID="$1" \
        ATS_WORKER_CAPACITY=1 ATS_DATA_DIR="$D/data" ATS_DATASET_CACHE_DIR="$D/cache-$1" \
        "$BIN/ats-worker" > "$D/worker-$1.log" 2>&1 &
    WPS+=($!)
}
cpu_ms() { awk '{print ($14 + $15) * 1000 / '"$(getconf CLK_TCK)"'}' "/proc/$1/stat"; }
LARGE=(--strategy sma_cross --param quantity=1 --param fast=int:5..50:5 --param slow=int:20..200:20 --where 'fast < slow')
SMALL=(--strategy sma_cross --param quantity=1 --param fast=int:2..60 --param slow=int:10..200 --where 'fast < slow'
    --search random --trials 2000 --seed 11)
# name, set, extra options, local data file, search flags...
sweep() {
    local name=$1 set=$2 extra=$3 file=$4
    shift 4
    local c0 t0 t1 c1
    c0=$(cpu_ms $CP)
    t0=$(date +%s.%N)
    # shellcheck disable=SC2086
    "$BIN/ats" sweep create --name "$name" --data-set "$set" $extra "$@" >/dev/null
    # The sweep's record alone (not `show`, which ranks the trials) every 50 ms.
    for _ in $(seq 1 6000); do
        curl -sf -H "Authorization: Bearer $ATS_ADMIN_TOKEN" "$ATS_URL/api/sweeps/$name" | grep -q '"state":"completed"' && break
        sleep 0.05
    done
    t1=$(date +%s.%N)
    c1=$(cpu_ms $CP)
    local trials
    trials=$("$BIN/ats" sweep show "$name" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["sweep"]["trials"])')
    echo "SWEEP $name: $trials trials, created to completed $(echo "$t1 - $t0" | bc) s, coordinator CPU $(echo "$c1 - $c0" | bc) ms"
    "$BIN/ats" sweep top "$name" -n 50 --json > "$D/$name.json"
    local l0 l1
    l0=$(date +%s.%N)
    "$BIN/ats" sweep run --data "$file" --top 50 --json "$@" > "$D/$name.local.json"
    l1=$(date +%s.%N)
    python3 - "$D/$name.json" "$D/$name.local.json" "$name" "$(echo "$l1 - $l0" | bc)" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
keys = ["top", "trials", "failed", "deflated_sharpe", "overfitting", "probabilistic_sharpe", "minimum_backtest_years"]
same = all(a.get(k) == b.get(k) for k in keys)
print("SWEEP %s: the same sweep by ats sweep run on this machine: %.2f s; leaderboards equal: %s" % (sys.argv[3], float(sys.argv[4]), same))
PY
}
worker w1
sleep 1
sweep large-w1 large "" "$D/data/large.csv" "${LARGE[@]}"
worker w2
sleep 1
sweep large-w2 large "" "$D/data/large.csv" "${LARGE[@]}"
sweep small-w2 small "--chunk-trials 50" "$D/data/small.csv" "${SMALL[@]}"
