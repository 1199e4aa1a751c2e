#!/usr/bin/env bash
# Data set figures (docs/BENCHMARKS.md "Data sets"): a coordinator and one worker over their own
# PostgreSQL; a 1,000,000-bar plain CSV is
#  1. registered (`ats data add`: upload, parse, catalog, hash, store in PostgreSQL), timed whole,
#     with the coordinator's peak memory (VmHWM) after it;
#  2. run by a backtest job on the set on a worker that lacks it (fetch in signed 8 MiB ranges,
#     hash, load), and by the same job on the file in the worker's data root; the worker's log
#     gives the fetch's seconds, the API each job's created → finished time.
# Usage: scripts/bench-datasets.sh [BIN_DIR]   (default .build-release/release, built when missing)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ATS_ROOT"
BIN=${1:-.build-release/release}
if [ ! -x "$BIN/ats-coordinator" ] || [ ! -x "$BIN/ats-worker" ] || [ ! -x "$BIN/ats" ]; then
    for p in ats-coordinator ats-worker ats ats-admin; do
        swift build -c release --scratch-path .build-release $(swift_release_flags) --product "$p" >/dev/null
    done
fi
PORT=${ATS_BENCH_PG_PORT:-55478}
pg_stop pg-bench-sets >/dev/null 2>&1 || true
rm -rf .data/pg-bench-sets .data/pg-bench-sets.password .data/bench-sets
mkdir -p .data/bench-sets/data
URL=$(pg_start pg-bench-sets "$PORT")
export DATABASE_URL=$URL ATS_WORKER_TOKEN=bench-worker-token-0123456789 ATS_ADMIN_TOKEN=bench-admin-token-0123456789 \
    ATS_HTTP_PORT=18091 ATS_WORKER_PORT=17091 ATS_ENV_FILE=/nonexistent LOG_LEVEL=info ATS_URL=http://127.0.0.1:18091
"$BIN/ats-coordinator" > .data/bench-sets/coordinator.log 2>&1 &
CP=$!
WP=
trap 'kill $CP $WP 2>/dev/null; pg_stop pg-bench-sets >/dev/null 2>&1' EXIT
for _ in $(seq 1 150); do curl -sf http://127.0.0.1:18091/healthz | grep -q '"role":"leader"' && break; sleep 0.2; done
"$BIN/ats" data synth --bars 1000000 --seed 3 --format plain --out .data/bench-sets/data/bars.csv >/dev/null
size=$(stat -c %s .data/bench-sets/data/bars.csv)
t0=$(date +%s.%N)
"$BIN/ats" data add .data/bench-sets/data/bars.csv --name bench-1m >/dev/null
t1=$(date +%s.%N)
echo "DATASETS register 1,000,000 bars ($((size / 1048576)) MB plain CSV): $(echo "$t1 - $t0" | bc) s"
echo "DATASETS coordinator's peak memory after registering: $(awk '/^VmHWM/ {print int($2 / 1024)}' "/proc/$CP/status") MB"
ATS_COORDINATOR=127.0.0.1:17091 ATS_COORDINATOR_HTTP=http://127.0.0.1:18091 ATS_WORKER_ID=bench-w1 \
    ATS_WORKER_CAPACITY=1 ATS_DATA_DIR=.data/bench-sets/data ATS_DATASET_CACHE_DIR=.data/bench-sets/cache \
    "$BIN/ats-worker" > .data/bench-sets/worker.log 2>&1 &
WP=$!
run() { # name, data option...
    "$BIN/ats" job create --name "$1" "${@:2}" --strategy sma_cross --param fast=10 --param slow=30 >/dev/null
    for _ in $(seq 1 600); do
        s=$("$BIN/ats" job show "$1" --json | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["status"])')
        [ "$s" = completed ] || [ "$s" = failed ] && break
        sleep 0.1
    done
    "$BIN/ats" job show "$1" --json | python3 -c '
import json, sys, datetime
j = json.load(sys.stdin)
t = lambda s: datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
d = (t(j["finished_at"]) - t(j["created_at"])).total_seconds()
print("DATASETS job %s: %s, created to finished %.3f s" % (j["name"], j["status"], d))'
}
run on-set --data-set bench-1m
run on-file --data bars.csv
run on-set-again --data-set bench-1m
grep "data set fetched" .data/bench-sets/worker.log | sed "s/^/DATASETS worker: /"
