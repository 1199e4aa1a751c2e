#!/usr/bin/env bash
# Fills from an execution report to PostgreSQL: a live job on the local fake venue places a
# market order on every 1-second candle; each execution's venue time (`time_ms`) is compared with
# the time the coordinator's transaction stored it (`venue_trades.recorded_at`, the
# transaction's start). Same machine, same clock. (docs/BENCHMARKS.md, "Live trading")
#   ./start.sh --detach                       # the system, with ats-venue on port 9100
#   scripts/bench-live-fills.sh [SECONDS]     # default 240
# The job is then killed (its position flattened) and deleted.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ATS_ROOT"
SECONDS_TO_RUN=${1:-240}
use_running_system
name="fill-latency-$(date +%H%M%S)"
"$ATS" job create --name "$name" --mode live --market "local:$VENUE_PORT" --interval 1s \
    --credentials demo-venue --strategy simple --param probability=1 --param max_fraction=0.5 \
    --param seed=4 --cash 5000
cleanup() {
    "$ATS" kill "$name" --flatten >/dev/null 2>&1 || true
    sleep 5
    "$ATS" job delete "$name" >/dev/null 2>&1 || true
}
trap cleanup EXIT
log "trading for $SECONDS_TO_RUN s"
sleep "$SECONDS_TO_RUN"
id=$("$ATS" job show "$name" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
psql "$DATABASE_URL" -At -F ' ' -c "
    SELECT count(*) AS trades,
        round(percentile_cont(0.5) WITHIN GROUP (ORDER BY d)::numeric, 1) AS p50_ms,
        round(percentile_cont(0.99) WITHIN GROUP (ORDER BY d)::numeric, 1) AS p99_ms,
        round(max(d)::numeric, 1) AS max_ms
    FROM (SELECT extract(epoch FROM recorded_at) * 1000 - time_ms AS d FROM venue_trades
          WHERE job_id = $id) t" | {
    read -r trades p50 p99 max
    echo "fills from the venue's execution to PostgreSQL: $trades trades, p50 $p50 ms, p99 $p99 ms, max $max ms"
}
