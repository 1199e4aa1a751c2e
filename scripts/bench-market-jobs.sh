#!/usr/bin/env bash
# Paper jobs on a live market, many on one worker: CPU and memory of that worker while N jobs
# trade the local fake venue's candles (docs/BENCHMARKS.md, "Jobs on a live market").
#   ./start.sh --detach                       # the system, with ats-venue on port 9100
#   scripts/bench-market-jobs.sh [JOBS] [INTERVAL] [SECONDS]     # default 1000 1m 60
# It starts one more worker (capacity JOBS, label bench-market) so the demo's workers are left
# alone, creates JOBS paper jobs on BTCUSDT candles of INTERVAL, waits until all run, samples the
# worker's CPU time and resident memory over SECONDS, then stops and deletes the jobs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ATS_ROOT"
JOBS=${1:-1000}
INTERVAL=${2:-1m}
SECONDS_TO_SAMPLE=${3:-60}
use_running_system
stamp=$(date +%H%M%S)

ATS_WORKER_ID="bench-market-$stamp" ATS_WORKER_CAPACITY="$JOBS" ATS_WORKER_LABELS=bench-market \
    ATS_DATA_DIR="$ATS_ROOT" ATS_WORKER_HTTP_PORT=0 LOG_LEVEL=warning "$BIN/ats-worker" > ".run/logs/bench-market.log" 2>&1 &
WORKER=$!
cleanup() {
    log "stopping and deleting the bench jobs"
    seq 1 "$JOBS" | xargs -P 8 -I{} "$ATS" job stop "bm-$stamp-{}" >/dev/null 2>&1 || true
    sleep 2
    seq 1 "$JOBS" | xargs -P 8 -I{} "$ATS" job delete "bm-$stamp-{}" >/dev/null 2>&1 || true
    kill -TERM "$WORKER" 2>/dev/null || true
}
trap cleanup EXIT
sleep 1
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$WORKER/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$WORKER/stat"; }
log "worker pid $WORKER, idle: $(rss_kb) kB resident"
log "creating $JOBS paper jobs on BTCUSDT $INTERVAL candles of the local venue"
seq 1 "$JOBS" | xargs -P 4 -I{} "$ATS" job create --name "bm-$stamp-{}" --mode paper \
    --market "local:$VENUE_PORT" --interval "$INTERVAL" --strategy sma_cross --param fast=5 --param slow=20 \
    --cash 10000 --label bench-market >/dev/null
log "waiting until they all run"
for _ in $(seq 1 600); do
    running=$("$ATS" job list --status running --json \
        | python3 -c "import json,sys; print(sum(j['name'].startswith('bm-$stamp-') for j in json.load(sys.stdin)))")
    [ "$running" -ge "$JOBS" ] && break
    sleep 1
done
log "$running running; sampling for $SECONDS_TO_SAMPLE s"
hz=$(getconf CLK_TCK)
t0=$(cpu_ticks); r0=$(rss_kb)
sleep "$SECONDS_TO_SAMPLE"
t1=$(cpu_ticks); r1=$(rss_kb)
cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s="$SECONDS_TO_SAMPLE" 'BEGIN { printf "%.1f", 100 * (b - a) / hz / s }')
echo "jobs $JOBS on $INTERVAL candles: worker CPU ${cpu}% of a core; resident ${r0} → ${r1} kB;" \
    "$(awk -v r="$r1" -v n="$JOBS" 'BEGIN { printf "%.1f", r / n }') kB per job (whole process)"
