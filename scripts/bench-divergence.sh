#!/usr/bin/env bash
# `ats job divergence` over a long recording: a paper job whose recording is a day of synthetic
# 1-second candles (written straight into market_candles, as CandlesSeen would have stored them),
# replayed through the coordinator's API: the time of the whole request (the candles and fills
# read from PostgreSQL, the replay through the engine, the comparison, the JSON), five times.
# (docs/BENCHMARKS.md, "Live trading")
#   ./start.sh --detach                          # the system
#   scripts/bench-divergence.sh [CANDLES]        # default 86400 (a day of 1-second candles)
# The job and its candles are deleted afterwards.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ATS_ROOT"
CANDLES=${1:-86400}
use_running_system
name="divergence-bench-$(date +%H%M%S)"
# A market nothing listens on: the job never trades live; its recording is written below.
endpoint="local:1"
"$ATS" job create --name "$name" --mode paper --market "$endpoint" --interval 1s \
    --strategy sma_cross --param fast=10 --param slow=30 --cash 10000 >/dev/null
"$ATS" job stop "$name" >/dev/null
cleanup() {
    "$ATS" job delete "$name" >/dev/null 2>&1 || true
    psql "$DATABASE_URL" -q -c "DELETE FROM market_candles WHERE endpoint = '$endpoint'" || true
}
trap cleanup EXIT
for _ in $(seq 1 100); do
    [ "$("$ATS" job show "$name" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" = stopped ] && break
    sleep 0.2
done
t0=1700000000000
psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 <<SQL
INSERT INTO market_candles (endpoint, symbol, interval, open_time_ms, open, high, low, close, volume)
SELECT '$endpoint', 'BTCUSDT', '1s', $t0 + g * 1000, o, greatest(o, c) + 0.5, least(o, c) - 0.5, c, 0.25
FROM (SELECT g, round((50000 + 400 * sin((g - 1) / 900.0) + 60 * sin((g - 1) / 45.0))::numeric, 2) AS o,
             round((50000 + 400 * sin(g / 900.0) + 60 * sin(g / 45.0))::numeric, 2) AS c
      FROM generate_series(0, $CANDLES - 1) g) s
ON CONFLICT DO NOTHING;
UPDATE jobs SET market_origin_ms = $t0, market_through_ms = $t0 + ($CANDLES - 1) * 1000 WHERE name = '$name';
UPDATE job_progress SET bars_done = $CANDLES WHERE job_id = (SELECT id FROM jobs WHERE name = '$name');
SQL
url="http://127.0.0.1:${ATS_HTTP_PORT:-8080}/api/jobs/$name/divergence"
times=()
for _ in 1 2 3 4 5; do
    times+=("$(curl -sf -o /tmp/divergence-bench.json -w '%{time_total}' -H "Authorization: Bearer $ATS_ADMIN_TOKEN" "$url")")
done
python3 - "$CANDLES" "${times[@]}" <<'PY'
import json, statistics, sys
candles, times = int(sys.argv[1]), sorted(float(t) for t in sys.argv[2:])
r = json.load(open("/tmp/divergence-bench.json"))
s = r["summary"]
print(f"divergence of {r['candles']} candles ({candles} asked): {s['replay_fills']} replay fills, "
      f"{len(r['orders'])} orders; request {times[len(times) // 2] * 1000:.0f} ms median, "
      f"{times[0] * 1000:.0f}-{times[-1] * 1000:.0f} ms over {len(times)}")
PY
