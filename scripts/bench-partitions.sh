#!/usr/bin/env bash
# Fills in time-partitioned tables, measured before they are built (docs/ARCHITECTURE.md "Scaling
# past one coordinator", step 3; docs/BENCHMARKS.md "Fills by day"): the same DAYS × PER_DAY fills
# (1,000 jobs, times spread over the days) in today's `fills` table and in one partitioned by day
# of `time_ms` (primary key (job_id, seq, time_ms): a fill written twice has the same time, so it
# is still refused). Measures, in a private PostgreSQL of its own:
#   1. writing them (one INSERT … SELECT per day, as a day's batches would arrive);
#   2. reading one job's fills in order (what a report or a resume reads), 200 times, with and
#      without a time bound (a partitioned read without one visits every day);
#   3. ageing out the oldest day: DELETE + VACUUM against DETACH + DROP: time and WAL written.
# Usage: scripts/bench-partitions.sh [DAYS] [PER_DAY]   (default 30 days × 100,000 fills)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ATS_ROOT"
DAYS=${1:-30}
PER_DAY=${2:-100000}
PORT=${ATS_BENCH_PG_PORT:-55479}
pg_stop pg-bench-parts >/dev/null 2>&1 || true
rm -rf .data/pg-bench-parts .data/pg-bench-parts.password
URL=$(pg_start pg-bench-parts "$PORT")
trap 'pg_stop pg-bench-parts >/dev/null 2>&1' EXIT
q() { psql "$URL" -v ON_ERROR_STOP=1 -qAtX "$@"; }
DAY_MS=86400000
START_MS=1767225600000 # 2026-01-01
q <<SQL
CREATE TABLE fills_plain (
    job_id BIGINT NOT NULL, seq BIGINT NOT NULL, epoch BIGINT NOT NULL, order_id BIGINT NOT NULL,
    time_ms BIGINT NOT NULL, bar_index BIGINT NOT NULL, side TEXT NOT NULL, price DOUBLE PRECISION NOT NULL,
    quantity DOUBLE PRECISION NOT NULL, fee_base DOUBLE PRECISION NOT NULL, fee_quote DOUBLE PRECISION NOT NULL,
    liquidity TEXT NOT NULL, tag TEXT NOT NULL DEFAULT '', venue_trade_id TEXT,
    PRIMARY KEY (job_id, seq));
CREATE TABLE fills_by_day (LIKE fills_plain INCLUDING DEFAULTS, PRIMARY KEY (job_id, seq, time_ms))
    PARTITION BY RANGE (time_ms);
SQL
for d in $(seq 0 $((DAYS - 1))); do
    q -c "CREATE TABLE fills_day_$d PARTITION OF fills_by_day FOR VALUES FROM ($((START_MS + d * DAY_MS))) TO ($((START_MS + (d + 1) * DAY_MS)))"
done
# Day d's fills: job j gets PER_DAY / 1000 of them, seq numbers continuing from the day before.
insert() { # table day
    q -c "INSERT INTO $1 SELECT j, $2 * ($PER_DAY / 1000) + k, 1, k, $(( START_MS + $2 * DAY_MS ))::bigint + k * ($DAY_MS / ($PER_DAY / 1000)) + j,
          k, CASE WHEN k % 2 = 0 THEN 'BUY' ELSE 'SELL' END, 100 + k * 0.01, 1, 0, 0.1, 'TAKER', '', NULL
          FROM generate_series(1, 1000) j, generate_series(0, $PER_DAY / 1000 - 1) k"
}
now_ms() { date +%s%3N; }
for t in fills_plain fills_by_day; do
    t0=$(now_ms)
    for d in $(seq 0 $((DAYS - 1))); do insert "$t" "$d"; done
    t1=$(now_ms)
    q -c "VACUUM ANALYZE $t"
    rows=$(q -c "SELECT count(*) FROM $t")
    echo "PARTITIONS write $t: $rows fills in $((t1 - t0)) ms ($((rows * 1000 / (t1 - t0 + 1))) a second)"
done
read_ms() { # query: mean execution time of 200 runs (EXPLAIN ANALYZE), in ms
    local sum=0
    for i in $(seq 1 200); do
        local job=$(( (i * 37) % 1000 + 1 ))
        local ms
        ms=$(q -c "EXPLAIN (ANALYZE, FORMAT JSON) ${1//JOB/$job}" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Execution Time"])')
        sum=$(python3 -c "print($sum + $ms)")
    done
    python3 -c "print(f'{$sum / 200:.3f}')"
}
LAST_DAY_MS=$((START_MS + (DAYS - 1) * DAY_MS))
echo "PARTITIONS read a job's fills in order: plain $(read_ms "SELECT * FROM fills_plain WHERE job_id = JOB ORDER BY seq") ms," \
    "by day $(read_ms "SELECT * FROM fills_by_day WHERE job_id = JOB ORDER BY seq") ms (mean of 200)"
echo "PARTITIONS read a job's last day of fills: plain $(read_ms "SELECT * FROM fills_plain WHERE job_id = JOB AND time_ms >= $LAST_DAY_MS ORDER BY seq") ms," \
    "by day $(read_ms "SELECT * FROM fills_by_day WHERE job_id = JOB AND time_ms >= $LAST_DAY_MS ORDER BY seq") ms (mean of 200)"
wal() { q -c "SELECT pg_current_wal_lsn()"; }
walbytes() { q -c "SELECT pg_wal_lsn_diff('$2', '$1')"; }
size() { q -c "SELECT pg_size_pretty(pg_total_relation_size('$1'))"; }
echo "PARTITIONS plain table before ageing out: $(size fills_plain)"
w0=$(wal); t0=$(now_ms)
q -c "DELETE FROM fills_plain WHERE time_ms < $((START_MS + DAY_MS))"
t1=$(now_ms)
q -c "VACUUM fills_plain"
t2=$(now_ms); w1=$(wal)
echo "PARTITIONS age out the oldest day, plain: DELETE $((t1 - t0)) ms + VACUUM $((t2 - t1)) ms, WAL $(( $(walbytes "$w0" "$w1") / 1048576 )) MB; table after: $(size fills_plain) (space reused, not returned)"
w0=$(wal); t0=$(now_ms)
q -c "ALTER TABLE fills_by_day DETACH PARTITION fills_day_0"
q -c "DROP TABLE fills_day_0"
t1=$(now_ms); w1=$(wal)
echo "PARTITIONS age out the oldest day, by day: DETACH + DROP $((t1 - t0)) ms, WAL $(( $(walbytes "$w0" "$w1") / 1024 )) kB"
