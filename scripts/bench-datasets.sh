#!/usr/bin/env bash
# Data set figures (docs/BENCHMARKS.md "Data sets"): a coordinator and one worker over their own
# PostgreSQL; a 1,000,000-bar plain CSV is
#  1. registered (`ats data add`: upload, parse, catalog, hash, store in PostgreSQL), timed whole,
#     with the coordinator's peak memory (VmHWM) after it, and its anonymous memory (RssAnon: what
#     the process holds outright, file pages aside) before and at its peak during it, sampled
#     every 2 ms (the catalog is a file's pages where the temporary folder is on disk: deploy's
#     unit sets TMPDIR=/var/tmp, as /tmp may be tmpfs);
#  2. run by a backtest job on the set on a worker that lacks it (fetch in signed 8 MiB ranges,
#     hash, load), and by the same job on the file in the worker's data root; the worker's log
#     gives the fetch's seconds, the API each job's created → finished time;
#  3. through an object store (scripts/fake_s3.py on loopback, which checks every signature): the
#     leader's PUT of the set (its log gives the seconds), then a second worker that lacks the set
#     reads it from the store; the coordinator's CPU time over each worker's job shows what a
#     fetch costs it either way.
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
python3 scripts/fake_s3.py --dir .data/bench-sets/s3 --port 18093 --access-key BENCHKEY0001 \
    --secret-key bench-s3-secret-0123456789 > .data/bench-sets/s3.log 2>&1 &
SP=$!
export ATS_DATASET_S3_URL=http://127.0.0.1:18093/bench/sets ATS_DATASET_S3_ACCESS_KEY_ID=BENCHKEY0001 \
    ATS_DATASET_S3_SECRET_ACCESS_KEY=bench-s3-secret-0123456789
export DATABASE_URL=$URL ATS_WORKER_TOKEN=bench-worker-token-0123456789 ATS_ADMIN_TOKEN=bench-admin-token-0123456789 \
    ATS_HTTP_PORT=18091 ATS_WORKER_PORT=17091 ATS_ENV_FILE=/nonexistent LOG_LEVEL=info ATS_URL=http://127.0.0.1:18091
"$BIN/ats-coordinator" > .data/bench-sets/coordinator.log 2>&1 &
CP=$!
WP=
WP2=
trap 'kill $CP $WP $WP2 $SP 2>/dev/null; pg_stop pg-bench-sets >/dev/null 2>&1' EXIT
for _ in $(seq 1 150); do curl -sf http://127.0.0.1:18091/healthz | grep -q '"role":"leader"' && break; sleep 0.2; done
"$BIN/ats" data synth --bars 1000000 --seed 3 --format plain --out .data/bench-sets/data/bars.csv >/dev/null
size=$(stat -c %s .data/bench-sets/data/bars.csv)
rm -f .data/bench-sets/registered
anon_before=$(awk '/^RssAnon/ {print int($2 / 1024)}' "/proc/$CP/status")
python3 - "$CP" .data/bench-sets/registered > .data/bench-sets/anon.txt <<'PY' &
import os, sys, time
pid, flag = sys.argv[1], sys.argv[2]
peak = 0
while not os.path.exists(flag):
    try:
        with open(f"/proc/{pid}/status") as f:
            peak = max(peak, next(int(l.split()[1]) for l in f if l.startswith("RssAnon:")))
    except OSError:
        break  # the coordinator is gone: the registration below says why
    time.sleep(0.002)
print(peak // 1024)
PY
AP=$!
t0=$(date +%s.%N)
"$BIN/ats" data add .data/bench-sets/data/bars.csv --name bench-1m >/dev/null
t1=$(date +%s.%N)
touch .data/bench-sets/registered
wait $AP || true
echo "DATASETS register 1,000,000 bars ($((size / 1048576)) MB plain CSV): $(echo "$t1 - $t0" | bc) s"
echo "DATASETS coordinator's peak memory after registering: $(awk '/^VmHWM/ {print int($2 / 1024)}' "/proc/$CP/status") MB"
anon_peak=$(cat .data/bench-sets/anon.txt)
echo "DATASETS coordinator's anonymous memory: $anon_before MB before registering, $anon_peak MB at its peak during it"
for _ in $(seq 1 100); do grep -q "data set put in the object store" .data/bench-sets/coordinator.log && break; sleep 0.1; done
grep "data set put in the object store" .data/bench-sets/coordinator.log | sed "s/^/DATASETS leader: /"
# Worker 1 fetches from the coordinators only (no store configured for it).
env -u ATS_DATASET_S3_URL -u ATS_DATASET_S3_ACCESS_KEY_ID -u ATS_DATASET_S3_SECRET_ACCESS_KEY \
    ATS_COORDINATOR=127.0.0.1:17091 ATS_COORDINATOR_HTTP=http://127.0.0.1:18091 ATS_WORKER_ID=bench-w1 \
    ATS_WORKER_CAPACITY=1 ATS_DATA_DIR=.data/bench-sets/data ATS_DATASET_CACHE_DIR=.data/bench-sets/cache \
    "$BIN/ats-worker" > .data/bench-sets/worker.log 2>&1 &
WP=$!
cpu_ms() { awk '{print ($14 + $15) * 1000 / '"$(getconf CLK_TCK)"'}' "/proc/$CP/stat"; }
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
c0=$(cpu_ms)
run on-set --data-set bench-1m
c1=$(cpu_ms)
echo "DATASETS coordinator CPU over the job whose worker fetched from it: $(echo "$c1 - $c0" | bc) ms"
run on-file --data bars.csv
run on-set-again --data-set bench-1m
grep "data set fetched" .data/bench-sets/worker.log | sed "s/^/DATASETS worker: /"
kill $WP
wait $WP 2>/dev/null || true
# Worker 2 lacks the set and reads it from the store.
ATS_COORDINATOR=127.0.0.1:17091 ATS_COORDINATOR_HTTP=http://127.0.0.1:18091 ATS_WORKER_ID=bench-w2 \
    ATS_WORKER_CAPACITY=1 ATS_DATA_DIR=.data/bench-sets/data ATS_DATASET_CACHE_DIR=.data/bench-sets/cache2 \
    "$BIN/ats-worker" > .data/bench-sets/worker2.log 2>&1 &
WP2=$!
c0=$(cpu_ms)
run on-set-s3 --data-set bench-1m
c1=$(cpu_ms)
echo "DATASETS coordinator CPU over the job whose worker read the store: $(echo "$c1 - $c0" | bc) ms"
grep "data set fetched" .data/bench-sets/worker2.log | sed "s/^/DATASETS worker 2: /"
