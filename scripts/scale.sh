#!/usr/bin/env bash
# The scale harness (issue 18; docs/BENCHMARKS.md "Many jobs on many hosts"): its own PostgreSQL
# (.data/pg-scale), one coordinator, WORKERS workers — each in its own network namespace when run
# as root with iproute2 (a separate host as far as the network is concerned: its own veth link and
# address) — and JOBS long-running paper jobs paced at PACE_MS a bar. Once every job runs it samples
# for SECONDS and prints what each process and PostgreSQL cost:
#   scripts/scale.sh [--jobs 10000] [--workers 20] [--seconds 120] [--pace-ms 1000] [--no-netns]
#                    [--keep]   (leave the system running; scripts/scale.sh --stop ends it)
# Release binaries (.build-release) are built when missing.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ATS_ROOT"

JOBS=10000 WORKERS=20 SECONDS_TO_SAMPLE=120 PACE_MS=1000 NETNS=auto KEEP=0 STOP=0
while [ $# -gt 0 ]; do
    case $1 in
        --jobs) JOBS=$2; shift 2 ;;
        --workers) WORKERS=$2; shift 2 ;;
        --seconds) SECONDS_TO_SAMPLE=$2; shift 2 ;;
        --pace-ms) PACE_MS=$2; shift 2 ;;
        --no-netns) NETNS=no; shift ;;
        --keep) KEEP=1; shift ;;
        --stop) STOP=1; shift ;;
        *) echo "usage: $0 [--jobs N] [--workers N] [--seconds N] [--pace-ms N] [--no-netns] [--keep] [--stop]" >&2
           exit 2 ;;
    esac
done

RUN=.data/scale
PG_PORT=55440 HTTP_PORT=18480 WORKER_PORT=17470
BIN=.build-release/release
mkdir -p "$RUN/logs"

stop_everything() {
    for f in "$RUN"/*.pid; do
        [ -f "$f" ] || continue
        kill -TERM "$(cat "$f")" 2>/dev/null || true
        rm -f "$f"
    done
    sleep 1
    pkill -KILL -f "ats-worker.*scale-w" 2>/dev/null || true
    for ns in $(ip netns list 2>/dev/null | awk '/^ats-scale-/ {print $1}'); do ip netns del "$ns" 2>/dev/null || true; done
    pg_stop pg-scale
}
if [ "$STOP" = 1 ]; then stop_everything; exit 0; fi
if [ "$NETNS" = auto ]; then
    if [ "$(id -u)" = 0 ] && command -v ip >/dev/null && ip netns add ats-scale-probe 2>/dev/null; then
        ip netns del ats-scale-probe
        NETNS=yes
    else
        NETNS=no
    fi
fi

for product in ats ats-coordinator ats-worker; do
    if [ ! -x "$BIN/$product" ]; then
        log "building $product (release)"
        # shellcheck disable=SC2046  # the flags are words
        swift build -c release --scratch-path .build-release $(swift_release_flags) --product "$product" >/dev/null
    fi
done

stop_everything >/dev/null 2>&1 || true
rm -rf .data/pg-scale .data/pg-scale.password
log "PostgreSQL in .data/pg-scale on 127.0.0.1:$PG_PORT"
URL=$(pg_start pg-scale "$PG_PORT" "track_io_timing = on")
export DATABASE_URL=$URL
PG_DIR=$ATS_ROOT/.data/pg-scale
psql_q() { pg_run "$(pg_bindir)/psql" -h "$PG_DIR" -p "$PG_PORT" -U postgres -d ats -tAqc "$1"; }

secret=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
admin=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
export ATS_WORKER_TOKEN=$secret ATS_ADMIN_TOKEN=$admin LOG_LEVEL=warning
export ATS_HEARTBEAT_MS=1000 ATS_LEASE_TIMEOUT_MS=5000
# The workers reach the coordinator over their links when each is a host of its own.
WORKER_BIND=127.0.0.1
[ "$NETNS" = yes ] && WORKER_BIND=0.0.0.0
ATS_HTTP_HOST=127.0.0.1 ATS_HTTP_PORT=$HTTP_PORT ATS_WORKER_HOST=$WORKER_BIND ATS_WORKER_PORT=$WORKER_PORT \
    "$BIN/ats-coordinator" > "$RUN/logs/coordinator.log" 2>&1 &
COORD=$!
echo "$COORD" > "$RUN/coordinator.pid"
API="http://127.0.0.1:$HTTP_PORT"
for _ in $(seq 1 150); do
    curl -sf "$API/healthz" 2>/dev/null | grep -q '"role":"leader"' && break
    kill -0 "$COORD" 2>/dev/null || { tail -20 "$RUN/logs/coordinator.log"; exit 1; }
    sleep 0.2
done

DATA=.data/scale/bars.csv
[ -f "$DATA" ] || "$BIN/ats" data synth --bars 100000 --seed 7 --out "$DATA" >/dev/null
per_worker=$(( (JOBS + WORKERS - 1) / WORKERS ))
log "$WORKERS workers ($([ "$NETNS" = yes ] && echo "each in its own network namespace" || echo "on loopback")), capacity $per_worker each"
for i in $(seq 1 "$WORKERS"); do
    env=(ATS_WORKER_ID="scale-w$i" ATS_WORKER_CAPACITY="$per_worker" ATS_DATA_DIR="$ATS_ROOT"
         ATS_WORKER_TOKEN="$secret" LOG_LEVEL=warning)
    if [ "$NETNS" = yes ]; then
        ns=ats-scale-$i
        ip netns add "$ns"
        ip link add "ats-sc$i" type veth peer name eth0 netns "$ns"
        ip addr add "10.232.$i.1/30" dev "ats-sc$i"
        ip link set "ats-sc$i" up
        ip -n "$ns" addr add "10.232.$i.2/30" dev eth0
        ip -n "$ns" link set eth0 up
        ip -n "$ns" link set lo up
        ip netns exec "$ns" env "${env[@]}" ATS_COORDINATOR="10.232.$i.1:$WORKER_PORT" \
            "$BIN/ats-worker" > "$RUN/logs/worker-$i.log" 2>&1 &
    else
        env "${env[@]}" ATS_COORDINATOR="127.0.0.1:$WORKER_PORT" "$BIN/ats-worker" > "$RUN/logs/worker-$i.log" 2>&1 &
    fi
    echo $! > "$RUN/worker-$i.pid"
done
cleanup() { [ "$KEEP" = 1 ] || stop_everything >/dev/null 2>&1; }
trap cleanup EXIT

log "creating $JOBS paper jobs paced at $PACE_MS ms a bar"
t_create=$(date +%s.%N)
python3 - "$API" "$admin" "$JOBS" "$PACE_MS" "$DATA" <<'PY'
import http.client, json, sys, urllib.parse
api, token, jobs, pace, data = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
u = urllib.parse.urlparse(api)
conn = http.client.HTTPConnection(u.hostname, u.port)
for i in range(jobs):
    spec = {"name": f"scale-{i}", "mode": "paper", "paper_pace_ms": pace, "labels": ["scale"],
            "data": {"path": data},
            "strategy": {"namespace": "strategies:sma_cross", "config": {"fast": 5 + i % 20, "slow": 30 + i % 50}},
            "portfolio": {"cash": 10000}}
    conn.request("POST", "/api/jobs", body=json.dumps(spec),
                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    r = conn.getresponse()
    body = r.read()
    if r.status not in (200, 201):
        sys.exit(f"job {i}: HTTP {r.status}: {body[:300]!r}")
PY
t_created=$(date +%s.%N)
running=0
for _ in $(seq 1 1200); do
    running=$(psql_q "SELECT count(*) FROM jobs WHERE status = 'running'")
    [ "$running" -ge "$JOBS" ] && break
    sleep 0.5
done
t_running=$(date +%s.%N)
log "$running running: created in $(awk -v a="$t_create" -v b="$t_created" 'BEGIN{printf "%.1f", b-a}') s," \
    "all running $(awk -v a="$t_create" -v b="$t_running" 'BEGIN{printf "%.1f", b-a}') s after the first was created"
# Let the start-up settle (first checkpoints, curve points) before sampling.
sleep 15

hz=$(getconf CLK_TCK)
ticks() { awk '{s += $14 + $15} END {print s + 0}' "$@" 2>/dev/null; }
rss_kb() { awk '/^VmRSS/ {s += $2} END {print s + 0}' "$@" 2>/dev/null; }
pg_pids() { pgrep -u postgres -f "pg-scale" ; pgrep -P "$(head -1 "$PG_DIR/postmaster.pid")"; }
stat_files() { for p in "$@"; do echo "/proc/$p/stat"; done; }
status_files() { for p in "$@"; do echo "/proc/$p/status"; done; }
mapfile -t WPIDS < <(cat "$RUN"/worker-*.pid)
metric() { curl -sf -H "Authorization: Bearer $admin" "$API/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
db_counts() {
    psql_q "SELECT (SELECT sum(xact_commit) FROM pg_stat_database WHERE datname = 'ats'),
        (SELECT sum(n_tup_ins + n_tup_upd + n_tup_del) FROM pg_stat_user_tables),
        (SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'jobs'),
        pg_current_wal_lsn() - '0/0'::pg_lsn"
}
sizes() {
    psql_q "SELECT string_agg(relname || '=' || pg_total_relation_size(relid) || '/' || n_dead_tup, ' ' ORDER BY relname)
        FROM pg_stat_user_tables WHERE relname IN ('jobs', 'checkpoints', 'fills', 'job_curve', 'job_events', 'workers')"
}
mapfile -t PGPIDS < <(pg_pids | sort -u)
c0=$(ticks "$(stat_files "$COORD")"); w0=$(ticks $(stat_files "${WPIDS[@]}")); p0=$(ticks $(stat_files "${PGPIDS[@]}"))
IFS='|' read -r x0 t0 u0 l0 <<< "$(db_counts)"
r0=$(metric ats_lease_renewals_total); f0=$(metric ats_frames_received_total)
s0=$(sizes)
log "sampling for $SECONDS_TO_SAMPLE s"
sleep "$SECONDS_TO_SAMPLE"
mapfile -t PGPIDS2 < <(pg_pids | sort -u)
c1=$(ticks "$(stat_files "$COORD")"); w1=$(ticks $(stat_files "${WPIDS[@]}")); p1=$(ticks $(stat_files "${PGPIDS2[@]}"))
IFS='|' read -r x1 t1 u1 l1 <<< "$(db_counts)"
r1=$(metric ats_lease_renewals_total); f1=$(metric ats_frames_received_total)
s1=$(sizes)
still=$(psql_q "SELECT count(*) FROM jobs WHERE status = 'running'")
bars=$(psql_q "SELECT sum(bars_done) FROM jobs")
S=$SECONDS_TO_SAMPLE
pct() { awk -v a="$1" -v b="$2" -v hz="$hz" -v s="$S" 'BEGIN { printf "%.1f", 100 * (b - a) / hz / s }'; }
rate() { awk -v a="$1" -v b="$2" -v s="$S" 'BEGIN { printf "%.0f", (b - a) / s }'; }
coord_rss=$(rss_kb "/proc/$COORD/status")
workers_rss=$(rss_kb $(status_files "${WPIDS[@]}"))
# A worker's resident memory before its jobs: an idle worker's, measured alone below.
echo
echo "SCALE jobs=$JOBS workers=$WORKERS netns=$NETNS pace_ms=$PACE_MS sampled=${S}s running=$still"
echo "SCALE time to all running: $(awk -v a="$t_create" -v b="$t_running" 'BEGIN{printf "%.1f", b-a}') s from the first create (creating took $(awk -v a="$t_create" -v b="$t_created" 'BEGIN{printf "%.1f", b-a}') s)"
echo "SCALE coordinator: CPU $(pct "$c0" "$c1")% of a core, RSS $((coord_rss / 1024)) MB, frames $(rate "$f0" "$f1")/s, lease renewals $(rate "$r0" "$r1")/s"
echo "SCALE postgres: CPU $(pct "$p0" "$p1")% of a core, commits $(rate "$x0" "$x1")/s, rows written $(rate "$t0" "$t1")/s (jobs rows updated $(rate "$u0" "$u1")/s), WAL $(awk -v a="$l0" -v b="$l1" -v s="$S" 'BEGIN { printf "%.1f", (b - a) * 60 / s / 1048576 }') MB/min"
echo "SCALE workers: CPU $(pct "$w0" "$w1")% of a core in all ($(awk -v a="$w0" -v b="$w1" -v hz="$hz" -v s="$S" -v n="$JOBS" 'BEGIN { printf "%.1f", 100 * (b - a) / hz / s * 1000 / n }')% per 1,000 jobs), RSS $((workers_rss / 1024)) MB in all, $(awk -v r="$workers_rss" -v n="$JOBS" 'BEGIN { printf "%.1f", r / n }') kB per job (whole processes)"
echo "SCALE table bytes/dead tuples before: $s0"
echo "SCALE table bytes/dead tuples after:  $s1"
echo "SCALE bars traded by all jobs so far: $bars"
python3 - "$API" "$admin" <<'PY'
import http.client, sys, time, urllib.parse
api, token = sys.argv[1], sys.argv[2]
u = urllib.parse.urlparse(api)
conn = http.client.HTTPConnection(u.hostname, u.port)
times = []
for _ in range(200):
    t = time.perf_counter()
    conn.request("GET", "/api/jobs?limit=50", headers={"Authorization": f"Bearer {token}"})
    r = conn.getresponse(); r.read()
    times.append((time.perf_counter() - t) * 1000)
    assert r.status == 200, r.status
times.sort()
print(f"SCALE API first page of 50 jobs (200 requests): p50 {times[99]:.1f} ms, p99 {times[197]:.1f} ms")
PY
