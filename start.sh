#!/usr/bin/env bash
# Starts ATS on this machine and runs the demo:
#   ./start.sh           install what is missing, build, start PostgreSQL (in .data/pg, or use
#                        DATABASE_URL), the coordinator and two workers, run demo backtests, print
#                        a summary, then keep the system up until Ctrl-C.
#   ./start.sh --detach  the same, but leave the system running and exit.
#   ./start.sh stop      stop everything start.sh started.
#   ./start.sh status    show what runs.
set -euo pipefail
source "$(dirname "$0")/scripts/lib.sh"
cd "$ATS_ROOT"

RUN=.run
mkdir -p "$RUN/logs" .data
set -a
# shellcheck disable=SC1091
source .env
set +a
CONFIG=${ATS_BUILD:-release}
SCRATCH=.build-$CONFIG
BIN=$SCRATCH/$CONFIG

stop_all() {
    for name in worker-1 worker-2 coordinator; do
        if [ -f "$RUN/$name.pid" ]; then
            pid=$(cat "$RUN/$name.pid")
            if kill -0 "$pid" 2>/dev/null; then
                kill -TERM "$pid" 2>/dev/null || true
                for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
                kill -KILL "$pid" 2>/dev/null || true
            fi
            rm -f "$RUN/$name.pid"
        fi
    done
    [ -f "$RUN/own-pg" ] && { pg_stop pg; rm -f "$RUN/own-pg"; }
    log "stopped"
}

case "${1:-}" in
stop) stop_all; exit 0 ;;
status)
    for name in coordinator worker-1 worker-2; do
        if [ -f "$RUN/$name.pid" ] && kill -0 "$(cat "$RUN/$name.pid")" 2>/dev/null; then
            echo "$name: running (pid $(cat "$RUN/$name.pid"))"
        else echo "$name: stopped"; fi
    done
    exit 0 ;;
--detach|"") ;;
*) echo "usage: $0 [--detach|stop|status]" >&2; exit 2 ;;
esac
DETACH=${1:-}

ensure_packages
build_flags() { if [ "$CONFIG" = release ]; then swift_release_flags; else swift_cpu_flags; fi; }
log "building ($CONFIG; the first build downloads nothing but compiles the dependencies: several minutes)"
for product in ats ats-admin ats-coordinator ats-worker; do
    # shellcheck disable=SC2046  # the CPU flags are words
    swift build -c "$CONFIG" --scratch-path "$SCRATCH" --product "$product" $(build_flags) 2>&1 \
        | grep -E "error:|^$ATS_ROOT/Sources.*warning:" || true
done
[ -x "$BIN/ats-worker" ] || { log "build failed"; exit 1; }

# Secrets: generated once, kept out of git and out of logs.
if [ ! -f .data/secrets.env ]; then
    umask 077
    {
        echo "ATS_WORKER_TOKEN=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
        echo "ATS_ADMIN_TOKEN=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
    } > .data/secrets.env
    umask 022
fi
if ! grep -q '^ATS_DASHBOARD_PASSWORD=' .data/secrets.env; then
    umask 077
    # The dashboard's first user, "admin" (more with: ats user add NAME).
    echo "ATS_DASHBOARD_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')" >> .data/secrets.env
    umask 022
fi

stop_all >/dev/null 2>&1 || true
if [ -z "${DATABASE_URL:-}" ]; then
    log "starting PostgreSQL in .data/pg on 127.0.0.1:$ATS_PG_PORT"
    url=$(pg_start pg "$ATS_PG_PORT")
    touch "$RUN/own-pg"
    grep -v '^DATABASE_URL=' .data/secrets.env > .data/secrets.env.tmp || true
    echo "DATABASE_URL=$url" >> .data/secrets.env.tmp
    mv .data/secrets.env.tmp .data/secrets.env
    chmod 600 .data/secrets.env
fi
set -a
# shellcheck disable=SC1091
source .data/secrets.env
set +a

log "starting the coordinator (API http://$ATS_HTTP_HOST:$ATS_HTTP_PORT, workers $ATS_WORKER_HOST:$ATS_WORKER_PORT)"
"$BIN/ats-coordinator" > "$RUN/logs/coordinator.log" 2>&1 &
echo $! > "$RUN/coordinator.pid"
for _ in $(seq 1 100); do
    # Up and elected (it is the only coordinator, so it leads within one election round).
    curl -sf "http://$ATS_HTTP_HOST:$ATS_HTTP_PORT/healthz" 2>/dev/null | grep -q '"role":"leader"' && break
    kill -0 "$(cat "$RUN/coordinator.pid")" 2>/dev/null || { tail -20 "$RUN/logs/coordinator.log"; exit 1; }
    sleep 0.2
done
for i in 1 2; do
    ATS_WORKER_ID="$(hostname)-$i" ATS_WORKER_CAPACITY=2 ATS_DATA_DIR="$ATS_ROOT" \
        "$BIN/ats-worker" > "$RUN/logs/worker-$i.log" 2>&1 &
    echo $! > "$RUN/worker-$i.pid"
done
if [ -z "$DETACH" ]; then trap 'echo; stop_all; exit 0' INT TERM; fi

ATS="$BIN/ats"
# The dashboard user: created once, its password kept in .data/secrets.env.
if ! "$ATS" user list --json 2>/dev/null | grep -q '"name" *: *"admin"'; then
    printf '%s\n' "$ATS_DASHBOARD_PASSWORD" | "$ATS" user add admin --role admin >/dev/null
fi
mkdir -p .data/demo
DEMO=.data/demo/btc-1m.csv
[ -f "$DEMO" ] || "$ATS" data synth --bars 500000 --seed 42 --out "$DEMO" >/dev/null
stamp=$(date +%H%M%S)
log "submitting demo jobs over $DEMO (500,000 one-minute bars)"
"$ATS" job create --name "demo-sma-30-120-$stamp" --data "$DEMO" --strategy sma_cross --param fast=30 --param slow=120
"$ATS" job create --name "demo-sma-60-240-ls-$stamp" --data "$DEMO" --strategy sma_cross --param fast=60 --param slow=240 \
    --param direction=long_short --exchange-param allow_short=true
"$ATS" job create --name "demo-rsi-30-$stamp" --data "$DEMO" --strategy rsi_reversion --param period=30 --param oversold=25 --param overbought=75
"$ATS" job create --name "demo-momentum-$stamp" --data "$DEMO" --strategy momentum --param lookback=240 --param threshold=0.004

log "waiting for the demo jobs"
"$ATS" job wait --timeout 600 || log "a demo job did not complete: see ats job show NAME"
echo
"$ATS" job list
cat <<MSG

Where to look next
  dashboard: http://$ATS_HTTP_HOST:$ATS_HTTP_PORT/ui/   user admin, password in .data/secrets.env (ATS_DASHBOARD_PASSWORD)
  ats job show demo-sma-30-120-$stamp     statistics of one job        (ats is $BIN/ats)
  ats job fills demo-rsi-30-$stamp        its fills; ats job events, ats job checkpoints
  ats worker list                          workers and their load
  ats backtest --data $DEMO --strategy sma_cross --param fast=10 --param slow=30
  curl -H "Authorization: Bearer \$ATS_ADMIN_TOKEN" http://$ATS_HTTP_HOST:$ATS_HTTP_PORT/api/jobs
  logs: $RUN/logs/   secrets: .data/secrets.env   stop: ./start.sh stop
MSG
if [ -z "$DETACH" ]; then
    log "running; Ctrl-C stops everything"
    while true; do sleep 1; done
fi
