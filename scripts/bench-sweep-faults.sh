#!/usr/bin/env bash
# A sweep disturbed at scale (docs/BENCHMARKS.md "Sweeps", faults): one grid run twice on six
# workers (capacity 1 each, every one holding its next chunk ahead) beside a leader coordinator and
# a standby over their own PostgreSQL: once undisturbed, once with kill -9 of two workers a quarter
# of the way (each back a second later, a new process) and kill -9 of the leader halfway (the
# standby takes over; the old leader comes back as the standby). The disturbed sweep's
# leaderboard, trial count and statistics must equal the undisturbed one's bit for bit; the
# chunks run again (epochs past the first) and both times are printed.
# Usage: scripts/bench-sweep-faults.sh [BIN_DIR]   (default: .build-release/release, built first)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ATS_ROOT"
BIN=$(release_bin "${1:-}")
PORT=${ATS_BENCH_PG_PORT:-55485}
D=$ATS_ROOT/.data/bench-sweep-faults
WORKERS=6
pg_stop pg-bench-faults >/dev/null 2>&1 || true
rm -rf .data/pg-bench-faults .data/pg-bench-faults.password "$D"
mkdir -p "$D/data"
URL=$(pg_start pg-bench-faults "$PORT")
export DATABASE_URL=$URL ATS_WORKER_TOKEN=bench-worker-token-0123456789 ATS_ADMIN_TOKEN=bench-admin-token-0123456789 \
    ATS_ENV_FILE=/nonexistent LOG_LEVEL=info ATS_HEARTBEAT_MS=500 ATS_LEASE_TIMEOUT_MS=3000
HTTP=(18093 18094)
WIRE=(17093 17094)
CPIDS=(0 0)
# coordinator N (0 or 1): in the background, its pid in CPIDS[N].
coordinator() {
    ATS_COORDINATOR_NAME="faults-c$1" ATS_HTTP_HOST=127.0.0.1 ATS_HTTP_PORT=${HTTP[$1]} ATS_WORKER_HOST=127.0.0.1 \
        ATS_WORKER_PORT=${WIRE[$1]} ATS_ADVERTISE_URL="http://127.0.0.1:${HTTP[$1]}" \
        "$BIN/ats-coordinator" >> "$D/coordinator-$1.log" 2>&1 &
    CPIDS[$1]=$!
}
WPIDS=()
# worker I (1-based): a new process under the same id.
worker() {
    ATS_COORDINATOR="127.0.0.1:${WIRE[0]},127.0.0.1:${WIRE[1]}" \
        ATS_COORDINATOR_HTTP="http://127.0.0.1:${HTTP[0]},http://127.0.0.1:${HTTP[1]}" ATS_WORKER_ID="w$1" \
        ATS_WORKER_CAPACITY=1 ATS_DATA_DIR="$D/data" ATS_DATASET_CACHE_DIR="$D/cache-w$1" \
        "$BIN/ats-worker" >> "$D/worker-$1.log" 2>&1 &
    WPIDS[$1]=$!
}
trap 'kill ${WPIDS[@]+"${WPIDS[@]}"} ${CPIDS[@]} 2>/dev/null; pg_stop pg-bench-faults >/dev/null 2>&1' EXIT
# The leader's URL (whichever coordinator leads now).
leader() {
    for _ in $(seq 1 300); do
        for n in 0 1; do
            curl -sf "http://127.0.0.1:${HTTP[$n]}/healthz" 2>/dev/null | grep -q '"role":"leader"' \
                && { echo "http://127.0.0.1:${HTTP[$n]}"; return 0; }
        done
        sleep 0.1
    done
    echo "no coordinator leads" >&2
    return 1
}
coordinator 0
export ATS_URL
ATS_URL=$(leader)
coordinator 1
"$BIN/ats" data synth --bars 200000 --seed 11 --format plain --out "$D/data/bars.csv" >/dev/null
"$BIN/ats" data add "$D/data/bars.csv" --name faults-bars >/dev/null
for i in $(seq 1 $WORKERS); do worker "$i"; done
SEARCH=(--strategy sma_cross --param quantity=1 --param fast=int:2..60 --param slow=int:10..200:2 --where 'fast < slow')
# chunks_done of sweep NAME (from the leader now).
done_chunks() {
    curl -sf -H "Authorization: Bearer $ATS_ADMIN_TOKEN" "$ATS_URL/api/sweeps/$1" 2>/dev/null \
        | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["chunks_done"], s["chunks"], s["state"])' \
        2>/dev/null || echo "0 1 unknown"
}
# run NAME [faults]: created to completed, its seconds in SECS.
run() {
    local t0 d n state killed_workers=0 killed_leader=0 back=
    t0=$(date +%s.%N)
    "$BIN/ats" sweep create --name "$1" --data-set faults-bars --chunk-trials 40 "${SEARCH[@]}" >/dev/null
    for _ in $(seq 1 6000); do
        read -r d n state < <(done_chunks "$1")
        [ "$state" = completed ] && break
        if [ "${2:-}" = faults ] && [ $killed_workers = 0 ] && [ $((d * 4)) -ge "$n" ]; then
            killed_workers=1
            echo "FAULTS kill -9 workers w2 and w5 at chunk $d of $n"
            kill -KILL "${WPIDS[2]}" "${WPIDS[5]}"
            back=$(date +%s.%N)
        fi
        if [ -n "${back:-}" ] && [ "$(echo "$(date +%s.%N) - $back >= 1" | bc)" = 1 ]; then
            back=
            worker 2
            worker 5
        fi
        if [ "${2:-}" = faults ] && [ $killed_leader = 0 ] && [ $((d * 2)) -ge "$n" ]; then
            killed_leader=1
            local n0=0
            [ "$ATS_URL" = "http://127.0.0.1:${HTTP[1]}" ] && n0=1
            echo "FAULTS kill -9 the leader (coordinator $n0) at chunk $d of $n"
            kill -KILL "${CPIDS[$n0]}"
            ATS_URL=$(leader)
            coordinator $n0
        fi
        sleep 0.05
    done
    SECS=$(echo "$(date +%s.%N) - $t0" | bc)
}
run calm
calm=$SECS
"$BIN/ats" sweep top calm -n 30 --json > "$D/calm.json"
run disturbed faults
disturbed=$SECS
ATS_URL=$(leader)
"$BIN/ats" sweep top disturbed -n 30 --json > "$D/disturbed.json"
same=$(python3 -c 'import json,sys; a,b=(json.load(open(p)) for p in sys.argv[1:3]); print(all(k in a and a[k]==b.get(k) for k in ["top","trials","deflated_sharpe","overfitting"]) and a.get("failed")==b.get("failed"))' "$D/calm.json" "$D/disturbed.json")
trials=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["trials"])' "$D/disturbed.json")
rerun=$(psql "$URL" -Atc "SELECT coalesce(sum(j.epoch - 1), 0), count(*) FROM jobs j JOIN sweeps s ON s.id = j.sweep_id WHERE s.name = 'disturbed'")
echo "FAULTS undisturbed: $trials trials in ${calm} s; disturbed (2 workers and the leader killed): ${disturbed} s; assignments past each chunk's first, and chunks: ${rerun/|/ of }; leaderboard, trial count and statistics as undisturbed: $same"
[ "$same" = True ]
