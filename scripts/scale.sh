#!/usr/bin/env bash
# The scale harness (issue 18; docs/BENCHMARKS.md "Many jobs on many hosts"): its own PostgreSQL
# (.data/pg-scale), one coordinator, WORKERS workers — each in its own network namespace when run
# as root with iproute2 (a separate host as far as the network is concerned: its own veth link and
# address) — and JOBS long-running paper jobs paced at PACE_MS a bar. Once every job runs it samples
# for SECONDS and prints what each process and PostgreSQL cost:
#   scripts/scale.sh [--jobs 10000] [--workers 20] [--seconds 120] [--pace-ms 1000] [--no-netns]
#                    [--poll SECONDS] [--faults] [--keep]   (leave the system running;
#                    scripts/scale.sh --stop ends it)
# --poll N: while sampling, every N seconds a line with the WAL written since the last one, the
# load average, the first page's p50/p99 (300 requests) and each table's size/dead tuples/autovacuum
# runs (how an hour's run shows whether the tables and the list's tail stay flat).
# SCALE_PG_SETTINGS: lines added to PostgreSQL's configuration (e.g. its checkpoint interval).
# --faults then, at that size: kill -9 the leader coordinator (a standby runs from the start),
# partition two hosts for longer than a lease (network namespaces only), and drain and restart
# every worker one after the other (a rolling upgrade); after each, the time until every job runs
# again and how many were reassigned; at the end, failed jobs, diverged fills and gaps in any
# job's fill sequence (each must be 0).
# Release binaries (.build-release) are built when missing.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ATS_ROOT"

JOBS=10000 WORKERS=20 SECONDS_TO_SAMPLE=120 PACE_MS=1000 HEARTBEAT_MS=1000 NETNS=auto KEEP=0 STOP=0 FAULTS=0 POLL=0
while [ $# -gt 0 ]; do
    case $1 in
        --jobs) JOBS=$2; shift 2 ;;
        --workers) WORKERS=$2; shift 2 ;;
        --seconds) SECONDS_TO_SAMPLE=$2; shift 2 ;;
        --pace-ms) PACE_MS=$2; shift 2 ;;
        --heartbeat-ms) HEARTBEAT_MS=$2; shift 2 ;;
        --poll) POLL=$2; shift 2 ;;
        --no-netns) NETNS=no; shift ;;
        --keep) KEEP=1; shift ;;
        --faults) FAULTS=1; shift ;;
        --stop) STOP=1; shift ;;
        *) echo "usage: $0 [--jobs N] [--workers N] [--seconds N] [--pace-ms N] [--heartbeat-ms N] [--no-netns] [--poll N] [--faults] [--keep] [--stop]" >&2
           exit 2 ;;
    esac
done

RUN=.data/scale
PG_PORT=55440 HTTP_PORT=18480 WORKER_PORT=17470
# The standby coordinator's ports (it runs only with --faults).
HTTP_PORT2=18481 WORKER_PORT2=17471
BIN=.build-release/release
mkdir -p "$RUN/logs"

stop_everything() {
    local pids=()
    for f in "$RUN"/*.pid; do
        [ -f "$f" ] || continue
        pids+=("$(cat "$f")")
        kill -TERM "$(cat "$f")" 2>/dev/null || true
        rm -f "$f"
    done
    # Each gets 15 s to stop on SIGTERM; one that does not is named (a graceful shutdown that
    # hangs is a defect) and killed.
    for pid in "${pids[@]}"; do
        for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            echo "SCALE warning: $(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | cut -c1-80) (pid $pid) did not stop on SIGTERM within 15 s: killed" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    pkill -KILL -f "ats-worker.*scale-w" 2>/dev/null || true
    for ns in $(ip netns list 2>/dev/null | awk '/^ats-scale-/ {print $1}'); do ip netns del "$ns" 2>/dev/null || true; done
    for link in $(ip -o link show 2>/dev/null | awk -F': ' '$2 ~ /^ats-sc[0-9]+@/ {sub(/@.*/, "", $2); print $2}'); do
        ip link del "$link" 2>/dev/null || true
    done
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
# wal_keep_size: the WAL of the last 8 GB stays readable, so scripts/wal-by-table.sh can read a
# window longer than a few checkpoints (PostgreSQL recycles segments behind each one).
URL=$(pg_start pg-scale "$PG_PORT" "track_io_timing = on
wal_keep_size = 8GB${SCALE_PG_SETTINGS:+$'\n'$SCALE_PG_SETTINGS}")
export DATABASE_URL=$URL
PG_DIR=$ATS_ROOT/.data/pg-scale
psql_q() { pg_run "$(pg_bindir)/psql" -h "$PG_DIR" -p "$PG_PORT" -U postgres -d ats -tAqc "$1"; }
now_s() { date +%s.%N; }
# span A B: seconds from A to B; since A: seconds from A to now (one decimal).
span() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
since() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }'; }

secret=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
admin=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
export ATS_WORKER_TOKEN=$secret ATS_ADMIN_TOKEN=$admin LOG_LEVEL=${LOG_LEVEL:-warning}
# Heartbeats every HEARTBEAT_MS (1 s; lower it to find how many a second the coordinator and
# PostgreSQL take), leases five of them (at least 5 s).
export ATS_HEARTBEAT_MS=$HEARTBEAT_MS ATS_LEASE_TIMEOUT_MS=$((HEARTBEAT_MS * 5 > 5000 ? HEARTBEAT_MS * 5 : 5000))
# The workers reach the coordinator over their links when each is a host of its own.
WORKER_BIND=127.0.0.1
[ "$NETNS" = yes ] && WORKER_BIND=0.0.0.0
# start_coordinator N: coordinator N (1, or 2 the standby) in the background; its pid in COORD.
start_coordinator() {
    local n=$1 http=$HTTP_PORT wp=$WORKER_PORT
    [ "$n" = 2 ] && http=$HTTP_PORT2 wp=$WORKER_PORT2
    ATS_COORDINATOR_NAME="scale-c$n" ATS_HTTP_HOST=127.0.0.1 ATS_HTTP_PORT=$http ATS_WORKER_HOST=$WORKER_BIND \
        ATS_WORKER_PORT=$wp ATS_ADVERTISE_URL="http://127.0.0.1:$http" \
        "$BIN/ats-coordinator" >> "$RUN/logs/coordinator-$n.log" 2>&1 &
    COORD=$!
    echo "$COORD" > "$RUN/coordinator-$n.pid"
}
# wait_leader URL PID: until the coordinator at URL leads.
wait_leader() {
    for _ in $(seq 1 300); do
        curl -sf "$1/healthz" 2>/dev/null | grep -q '"role":"leader"' && return 0
        kill -0 "$2" 2>/dev/null || { tail -20 "$RUN"/logs/coordinator-*.log; exit 1; }
        sleep 0.1
    done
    return 1
}
start_coordinator 1
LEADER=$COORD
API="http://127.0.0.1:$HTTP_PORT"
wait_leader "$API" "$COORD"
STANDBY=
if [ "$FAULTS" = 1 ]; then
    start_coordinator 2
    STANDBY=$COORD
    COORD=$LEADER
fi

DATA=.data/scale/bars.csv
[ -f "$DATA" ] || "$BIN/ats" data synth --bars 100000 --seed 7 --out "$DATA" >/dev/null
per_worker=$(( (JOBS + WORKERS - 1) / WORKERS ))
# Room for the jobs of hosts that are cut off or restarting.
[ "$FAULTS" = 1 ] && per_worker=$(( per_worker * 5 / 4 + 1 ))
log "$WORKERS workers ($([ "$NETNS" = yes ] && echo "each in its own network namespace" || echo "on loopback")), capacity $per_worker each"
# start_worker I: worker I, in namespace ats-scale-I (made on first use) when hosts are namespaces.
start_worker() {
    local i=$1 host=127.0.0.1
    local env=(ATS_WORKER_ID="scale-w$i" ATS_WORKER_CAPACITY="$per_worker" ATS_DATA_DIR="$ATS_ROOT"
        ATS_WORKER_TOKEN="$secret" ATS_WORKER_LABELS=scale LOG_LEVEL="$LOG_LEVEL")
    local run=()
    if [ "$NETNS" = yes ]; then
        local ns=ats-scale-$i
        netns_host "$ns" "ats-sc$i" "$i" 10.232
        host=10.232.$i.1
        run=(ip netns exec "$ns")
    fi
    local coordinators=$host:$WORKER_PORT
    [ "$FAULTS" = 1 ] && coordinators=$host:$WORKER_PORT,$host:$WORKER_PORT2
    "${run[@]}" env "${env[@]}" ATS_COORDINATOR="$coordinators" "$BIN/ats-worker" >> "$RUN/logs/worker-$i.log" 2>&1 &
    echo $! > "$RUN/worker-$i.pid"
}
for i in $(seq 1 "$WORKERS"); do start_worker "$i"; done
cleanup() { [ "$KEEP" = 1 ] || stop_everything >/dev/null; }
trap cleanup EXIT
for _ in $(seq 1 100); do
    [ "$(psql_q "SELECT count(*) FROM workers WHERE connected")" -ge "$WORKERS" ] && break
    sleep 0.3
done
sleep 2
mapfile -t WPIDS < <(cat "$RUN"/worker-*.pid)
idle_rss=$(awk '/^VmRSS/ {s += $2} END {print s + 0}' $(for p in "${WPIDS[@]}"; do echo "/proc/$p/status"; done))

log "creating $JOBS paper jobs paced at $PACE_MS ms a bar"
t_create=$(now_s)
python3 - "$API" "$admin" "$JOBS" "$PACE_MS" "$DATA" <<'PY'
import http.client, json, sys, urllib.parse
api, token, jobs, pace, data = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
u = urllib.parse.urlparse(api)
conn = http.client.HTTPConnection(u.hostname, u.port)
for i in range(jobs):
    spec = {"name": f"scale-{i}", "mode": "paper", "paper_pace_ms": pace, "labels": ["scale"],
            "data": {"path": data},
            "exchange": {"namespace": "exchanges:simulated", "symbol": {"base": "BTC", "quote": "USDT"}},
            "fees": {"namespace": "fees:generic", "config": {"taker": 0.001}},
            "strategy": {"namespace": "strategies:sma_cross", "config": {"fast": 5 + i % 20, "slow": 30 + i % 50}},
            "portfolio": {"cash": 10000}}
    conn.request("POST", "/api/jobs", body=json.dumps(spec),
                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    r = conn.getresponse()
    body = r.read()
    if r.status not in (200, 201):
        sys.exit(f"job {i}: HTTP {r.status}: {body[:300]!r}")
PY
t_created=$(now_s)
running=0
for n in $(seq 1 1200); do
    running=$(psql_q "SELECT count(*) FROM jobs WHERE status = 'running'")
    [ "$running" -ge "$JOBS" ] && break
    if [ "$n" = 240 ] && [ "$running" = 0 ]; then
        echo "no job runs after 2 minutes: $(psql_q "SELECT string_agg(status || ' ' || n, ', ') FROM (SELECT status, count(*) n FROM jobs GROUP BY 1) s")" >&2
        exit 1
    fi
    sleep 0.5
done
t_running=$(now_s)
created_in=$(span "$t_create" "$t_created") all_running=$(span "$t_create" "$t_running")
log "$running running: created in ${created_in} s, all running ${all_running} s after the first was created"
# Let the start-up settle (first checkpoints, curve points) before sampling.
sleep 15

hz=$(getconf CLK_TCK)
ticks() { awk '{s += $14 + $15} END {print s + 0}' "$@" 2>/dev/null; }
rss_kb() { awk '/^VmRSS/ {s += $2} END {print s + 0}' "$@" 2>/dev/null; }
pg_pids() { head -1 "$PG_DIR/postmaster.pid"; pgrep -P "$(head -1 "$PG_DIR/postmaster.pid")"; }
stat_files() { for p in "$@"; do echo "/proc/$p/stat"; done; }
status_files() { for p in "$@"; do echo "/proc/$p/status"; done; }
metric() { curl -sf -H "Authorization: Bearer $admin" "$API/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
db_counts() {
    psql_q "SELECT (SELECT sum(xact_commit) FROM pg_stat_database WHERE datname = 'ats'),
        (SELECT sum(n_tup_ins + n_tup_upd + n_tup_del) FROM pg_stat_user_tables),
        (SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'jobs'),
        (SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'job_progress'),
        pg_current_wal_lsn() - '0/0'::pg_lsn"
}
# sizes: each table's size, dead tuples and autovacuum runs so far.
sizes() {
    psql_q "SELECT string_agg(relname || '=' || pg_size_pretty(pg_total_relation_size(relid)) || '/' || n_dead_tup
            || '/av' || autovacuum_count, ' ' ORDER BY relname)
        FROM pg_stat_user_tables WHERE relname IN ('jobs', 'job_progress', 'checkpoints', 'fills', 'job_curve', 'job_events', 'workers')"
}
# first_page N: the first page of the jobs list asked N times on one connection, p50 and p99.
first_page() {
    python3 - "$API" "$admin" "$1" <<'PY'
import http.client, sys, time, urllib.parse
api, token, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
u = urllib.parse.urlparse(api)
conn = http.client.HTTPConnection(u.hostname, u.port)
times = []
for _ in range(n):
    t = time.perf_counter()
    conn.request("GET", "/api/jobs?limit=50", headers={"Authorization": f"Bearer {token}"})
    r = conn.getresponse(); r.read()
    times.append((time.perf_counter() - t) * 1000)
    assert r.status == 200, r.status
times.sort()
print(f"p50 {times[n // 2 - 1]:.1f} ms, p99 {times[max(0, n * 99 // 100 - 1)]:.1f} ms")
PY
}
# poll_loop: one line every POLL seconds while the sample runs (--poll).
poll_loop() {
    local t_start l_prev t_prev l_now t_now
    t_start=$(now_s) t_prev=$t_start l_prev=$(psql_q "SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")
    while sleep "$POLL"; do
        t_now=$(now_s) l_now=$(psql_q "SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")
        echo "SCALE poll +$(awk -v a="$t_start" -v b="$t_now" 'BEGIN { printf "%.0f", b - a }') s:" \
            "WAL $(awk -v a="$l_prev" -v b="$l_now" -v s="$(span "$t_prev" "$t_now")" 'BEGIN { printf "%.1f", (b - a) * 60 / s / 1048576 }') MB/min," \
            "load $(cut -d' ' -f1 /proc/loadavg), first page $(first_page 300), $(sizes)"
        t_prev=$t_now l_prev=$l_now
    done
}
mapfile -t PGPIDS < <(pg_pids | sort -u)
# Each kind of counter is read twice and divided by the time between its own two reads (reading
# the database or the metrics under load takes seconds: a nominal window would overstate).
tc0=$(now_s); c0=$(ticks "$(stat_files "$COORD")"); w0=$(ticks $(stat_files "${WPIDS[@]}")); p0=$(ticks $(stat_files "${PGPIDS[@]}"))
td0=$(now_s); IFS='|' read -r x0 t0 u0 g0 l0 <<< "$(db_counts)"
tm0=$(now_s); r0=$(metric ats_lease_renewals_total); f0=$(metric ats_frames_received_total)
s0=$(sizes)
log "sampling for $SECONDS_TO_SAMPLE s"
POLLER=
if [ "$POLL" -gt 0 ]; then
    poll_loop &
    POLLER=$!
fi
sleep "$SECONDS_TO_SAMPLE"
[ -z "$POLLER" ] || { kill "$POLLER" 2>/dev/null; wait "$POLLER" 2>/dev/null || true; }
mapfile -t PGPIDS2 < <(pg_pids | sort -u)
tc1=$(now_s); c1=$(ticks "$(stat_files "$COORD")"); w1=$(ticks $(stat_files "${WPIDS[@]}")); p1=$(ticks $(stat_files "${PGPIDS2[@]}"))
td1=$(now_s); IFS='|' read -r x1 t1 u1 g1 l1 <<< "$(db_counts)"
tm1=$(now_s); r1=$(metric ats_lease_renewals_total); f1=$(metric ats_frames_received_total)
s1=$(sizes)
still=$(psql_q "SELECT count(*) FROM jobs WHERE status = 'running'")
bars=$(psql_q "SELECT sum(bars_done) FROM job_progress")
S=$(span "$tc0" "$tc1") SD=$(span "$td0" "$td1") SM=$(span "$tm0" "$tm1")
pct() { awk -v a="$1" -v b="$2" -v hz="$hz" -v s="$S" 'BEGIN { printf "%.1f", 100 * (b - a) / hz / s }'; }
rate() { awk -v a="$1" -v b="$2" -v s="$3" 'BEGIN { printf "%.0f", (b - a) / s }'; }
coord_rss=$(rss_kb "/proc/$COORD/status")
workers_rss=$(rss_kb $(status_files "${WPIDS[@]}"))
echo
echo "SCALE jobs=$JOBS workers=$WORKERS netns=$NETNS pace_ms=$PACE_MS sampled=${S}s (database ${SD}s) running=$still"
echo "SCALE time to all running: ${all_running} s from the first create (creating took ${created_in} s)"
echo "SCALE coordinator: CPU $(pct "$c0" "$c1")% of a core, RSS $((coord_rss / 1024)) MB, frames $(rate "$f0" "$f1" "$SM")/s, lease renewals $(rate "$r0" "$r1" "$SM")/s"
echo "SCALE postgres: CPU $(pct "$p0" "$p1")% of a core, commits $(rate "$x0" "$x1" "$SD")/s, rows written $(rate "$t0" "$t1" "$SD")/s (jobs rows updated $(rate "$u0" "$u1" "$SD")/s, progress rows $(rate "$g0" "$g1" "$SD")/s), WAL $(awk -v a="$l0" -v b="$l1" -v s="$SD" 'BEGIN { printf "%.1f", (b - a) * 60 / s / 1048576 }') MB/min"
echo "SCALE workers: CPU $(pct "$w0" "$w1")% of a core in all ($(awk -v a="$w0" -v b="$w1" -v hz="$hz" -v s="$S" -v n="$JOBS" 'BEGIN { printf "%.1f", 100 * (b - a) / hz / s * 1000 / n }')% per 1,000 jobs), RSS $((workers_rss / 1024)) MB in all ($((idle_rss / 1024)) MB before any job), $(awk -v r="$workers_rss" -v i="$idle_rss" -v n="$JOBS" 'BEGIN { printf "%.1f", (r - i) / n }') kB per job"
echo "SCALE tables (size/dead tuples/autovacuums) before: $s0"
echo "SCALE tables (size/dead tuples/autovacuums) after:  $s1"
echo "SCALE bars traded by all jobs so far: $bars"
echo "SCALE API first page of 50 jobs (200 requests): $(first_page 200)"
# The dashboard's live stream: the coordinator's CPU over 30 s without a subscriber, then with one
# (every job change and audit event, as a browser on the jobs page receives them).
ta=$(now_s); c_a=$(ticks "/proc/$COORD/stat"); sleep 30; tb=$(now_s); c_b=$(ticks "/proc/$COORD/stat")
curl -sN -H "Authorization: Bearer $admin" "$API/api/stream?topics=jobs,events" > "$RUN/stream.out" &
STREAM=$!
sleep 2
tcc=$(now_s); c_c=$(ticks "/proc/$COORD/stat"); sleep 30; tdd=$(now_s); c_d=$(ticks "/proc/$COORD/stat")
kill "$STREAM" 2>/dev/null || true
S=$(span "$ta" "$tb")
without=$(pct "$c_a" "$c_b")
S=$(span "$tcc" "$tdd")
echo "SCALE live stream: coordinator CPU ${without}% of a core without a subscriber, $(pct "$c_c" "$c_d")% with one ($(( $(stat -c %s "$RUN/stream.out") / 32 / 1024 )) kB/s of events)"

[ "$FAULTS" = 1 ] || exit 0

epochs() { psql_q "SELECT sum(epoch) FROM jobs"; }
running_count() { psql_q "SELECT count(*) FROM jobs WHERE status = 'running'"; }
# wait_all_running: until every job runs again (10 minutes at most).
wait_all_running() {
    for _ in $(seq 1 2400); do
        [ "$(running_count)" -ge "$JOBS" ] && return 0
        sleep 0.25
    done
    echo "SCALE not every job ran again within 10 minutes: $(running_count) of $JOBS" >&2
    return 1
}

log "fault 1: kill -9 the leader coordinator"
e0=$(epochs)
# Each worker's session now: a worker has reconnected once its row names another.
psql_q "DROP TABLE IF EXISTS scale_sessions; CREATE TABLE scale_sessions AS SELECT id, session_id FROM workers" >/dev/null
t=$(now_s)
kill -KILL "$LEADER"
rm -f "$RUN/coordinator-1.pid"
API="http://127.0.0.1:$HTTP_PORT2"
wait_leader "$API" "$STANDBY"
t_leader=$(since "$t")
wait_all_running
connected=0
for _ in $(seq 1 1200); do
    connected=$(psql_q "SELECT count(*) FROM workers w JOIN scale_sessions s USING (id)
        WHERE w.connected AND w.session_id IS DISTINCT FROM s.session_id AND w.id LIKE 'scale-w%'")
    [ "$connected" -ge "$WORKERS" ] && break
    sleep 0.1
done
t_back=$(since "$t")
sleep 10
echo "SCALE fault leader kill -9: the standby led after ${t_leader} s; $connected of $WORKERS workers reconnected to it within ${t_back} s; 10 s later $(running_count) jobs running, jobs reassigned: $(( $(epochs) - e0 ))"
start_coordinator 1

if [ "$NETNS" = yes ]; then
    log "fault 2: hosts 1 and 2 cut off for 15 s (three lease timeouts)"
    e0=$(epochs)
    t=$(now_s)
    ip link set ats-sc1 down
    ip link set ats-sc2 down
    sleep 15
    ip link set ats-sc1 up
    ip link set ats-sc2 up
    wait_all_running
    echo "SCALE fault two hosts partitioned 15 s: every job running again $(since "$t") s after the cut; jobs reassigned: $(( $(epochs) - e0 ))"
fi

log "fault 3: every worker drained and restarted, one after the other"
e0=$(epochs)
t=$(now_s)
for i in $(seq 1 "$WORKERS"); do
    pid=$(cat "$RUN/worker-$i.pid")
    kill -TERM "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    start_worker "$i"
    for _ in $(seq 1 400); do
        [ "$(psql_q "SELECT count(*) FROM workers WHERE connected AND id = 'scale-w$i'")" = 1 ] && break
        sleep 0.1
    done
done
wait_all_running
echo "SCALE fault rolling restart of $WORKERS workers: every job running again $(since "$t") s after the first drain; jobs handed over: $(( $(epochs) - e0 ))"

failed=$(psql_q "SELECT count(*) FROM jobs WHERE status = 'failed'")
diverged=$(psql_q "SELECT count(*) FROM job_events WHERE kind = 'fill_diverged'")
gaps=$(psql_q "SELECT count(*) FROM (SELECT job_id FROM fills GROUP BY job_id HAVING max(seq) + 1 <> count(*)) g")
fills=$(psql_q "SELECT count(*) FROM fills")
stale=$(psql_q "SELECT count(*) FROM job_events WHERE kind = 'stale_fills'")
echo "SCALE after the faults: $fills fills stored; failed jobs $failed, diverged fills $diverged, jobs with a gap in their fills $gaps (each must be 0); superseded runs' fills dropped: $stale events"
[ "$failed" = 0 ] && [ "$diverged" = 0 ] && [ "$gaps" = 0 ]
