#!/usr/bin/env bash
# A 1,000,000-trial grid on this machine (docs/BENCHMARKS.md "Sweeps", a million trials): sma_cross
# over 2,000 one-minute bars, fast 1..100 × slow 101..1100 × quantity 0.1..1 (step 0.1), on a
# coordinator over its own PostgreSQL and 2 workers (capacity 1 each), created to completed; every
# process's memory sampled each second (peak RSS), the stored records' size, the report's time
# (first, then kept), and the same grid by `ats sweep run` (its peak RSS by /usr/bin/time), the
# two leaderboards checked equal.
# Usage: scripts/bench-sweep-million.sh [BIN_DIR]   (default: .build-release/release, built first)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ATS_ROOT"
BIN=$(release_bin "${1:-}")
PORT=${ATS_BENCH_PG_PORT:-55481}
D=.data/bench-sweep-million
pg_stop pg-bench-million >/dev/null 2>&1 || true
rm -rf .data/pg-bench-million .data/pg-bench-million.password "$D"
mkdir -p "$D/data"
URL=$(pg_start pg-bench-million "$PORT")
export DATABASE_URL=$URL ATS_WORKER_TOKEN=bench-worker-token-0123456789 ATS_ADMIN_TOKEN=bench-admin-token-0123456789 \
    ATS_HTTP_PORT=18097 ATS_WORKER_PORT=17097 ATS_ENV_FILE=/nonexistent LOG_LEVEL=info ATS_URL=http://127.0.0.1:18097
"$BIN/ats-coordinator" > "$D/coordinator.log" 2>&1 &
CP=$!
WPS=()
SAMPLER=
trap 'kill $CP ${WPS[@]+"${WPS[@]}"} $SAMPLER 2>/dev/null; pg_stop pg-bench-million >/dev/null 2>&1' EXIT
for _ in $(seq 1 150); do curl -sf http://127.0.0.1:18097/healthz | grep -q '"role":"leader"' && break; sleep 0.2; done
"$BIN/ats" data synth --bars 2000 --seed 5 --format plain --out "$D/data/bars.csv" >/dev/null
"$BIN/ats" data add "$D/data/bars.csv" --name million-bars >/dev/null
for w in w1 w2; do
    ATS_COORDINATOR=127.0.0.1:17097 ATS_COORDINATOR_HTTP=http://127.0.0.1:18097 ATS_WORKER_ID="$w" \
        ATS_WORKER_CAPACITY=1 ATS_DATA_DIR="$D/data" ATS_DATASET_CACHE_DIR="$D/cache-$w" \
        "$BIN/ats-worker" > "$D/worker-$w.log" 2>&1 &
    WPS+=($!)
done
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo 0; }
# Each process's RSS every second: "elapsed coordinator w1 w2 postgres(sum)".
(
    t=0
    while true; do
        pg=$(ps -o rss= -u postgres 2>/dev/null | awk '{s += $1} END {printf "%.0f", s / 1024}')
        echo "$t $(rss_mb $CP) $(rss_mb "${WPS[0]}") $(rss_mb "${WPS[1]}") $pg"
        sleep 1
        t=$((t + 1))
    done
) > "$D/rss.txt" &
SAMPLER=$!
SEARCH=(--strategy sma_cross --param fast=int:1..100 --param slow=int:101..1100 --param quantity=float:0.1..1:0.1)
t0=$(date +%s.%N)
"$BIN/ats" sweep create --name million --data-set million-bars "${SEARCH[@]}"
for _ in $(seq 1 36000); do
    curl -sf -H "Authorization: Bearer $ATS_ADMIN_TOKEN" "$ATS_URL/api/sweeps/million" | grep -q '"state":"completed"' && break
    sleep 0.1
done
t1=$(date +%s.%N)
echo "MILLION: created to completed $(echo "$t1 - $t0" | bc) s"
r0=$(date +%s.%N)
"$BIN/ats" sweep top million -n 20 --json > "$D/cluster.json"
r1=$(date +%s.%N)
"$BIN/ats" sweep top million -n 20 --json > /dev/null
r2=$(date +%s.%N)
echo "MILLION: report (ats sweep top) first $(echo "$r1 - $r0" | bc) s, kept $(echo "$r2 - $r1" | bc) s"
kill $SAMPLER 2>/dev/null || true
SAMPLER=
for p in $CP "${WPS[@]}"; do
    echo "MILLION: pid $p peak RSS $(awk '/VmHWM/ {printf "%.0f MB", $2 / 1024}' /proc/$p/status)"
done
awk 'NR > 1 {for (i = 2; i <= 5; i++) if ($i > m[i]) m[i] = $i}
    END {printf "MILLION: sampled peak RSS MB: coordinator %d, w1 %d, w2 %d, postgres (all processes) %d\n", m[2], m[3], m[4], m[5]}' "$D/rss.txt"
awk '{print "MILLION: RSS at " $1 " s: coordinator " $2 " MB, w1 " $3 " MB, w2 " $4 " MB"}' "$D/rss.txt" | awk 'NR % 10 == 1'
psql "$URL" -Atc "SELECT 'MILLION: sweep_results ' || pg_size_pretty(pg_total_relation_size('sweep_results')) || ', ' || count(*) || ' chunks' FROM sweep_results"
l0=$(date +%s.%N)
/usr/bin/time -v "$BIN/ats" sweep run --data "$D/data/bars.csv" --top 20 --json "${SEARCH[@]}" > "$D/local.json" 2> "$D/local.time"
l1=$(date +%s.%N)
echo "MILLION: ats sweep run (this machine, no cluster) $(echo "$l1 - $l0" | bc) s, peak RSS $(awk -F': ' '/Maximum resident/ {printf "%.0f MB", $2 / 1024}' "$D/local.time")"
python3 - "$D/cluster.json" "$D/local.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
keys = ["top", "trials", "failed", "deflated_sharpe", "overfitting", "probabilistic_sharpe", "minimum_backtest_years"]
print("MILLION: %d trials; leaderboards equal: %s; PBO over %s trials" % (
    a["trials"], all(a.get(k) == b.get(k) for k in keys), (a.get("overfitting") or {}).get("trials", "—")))
PY
