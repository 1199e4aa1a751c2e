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
    for name in worker-1 worker-2 venue coordinator; do
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
    for name in coordinator worker-1 worker-2 venue; do
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
for product in ats ats-admin ats-coordinator ats-worker ats-venue; do
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
if ! grep -q '^ATS_MASTER_KEY=' .data/secrets.env; then
    umask 077
    # Seals venue API keys at rest (ats credentials add); losing it loses the stored keys.
    echo "ATS_MASTER_KEY=$(head -c 32 /dev/urandom | base64)" >> .data/secrets.env
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
# A local stand-in for Binance spot (its documented API; no machine here needs the internet):
# prices move four times a second, and paper jobs trade its live candles.
VENUE_PORT=${ATS_VENUE_PORT:-9100}
# Its one account (a demo key pair made once, kept with the other secrets): the live demo job
# trades it with its own allocation.
if ! grep -q '^ATS_DEMO_VENUE_KEY=' .data/secrets.env; then
    umask 077
    {
        echo "ATS_DEMO_VENUE_KEY=demo$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
        echo "ATS_DEMO_VENUE_SECRET=$(head -c 32 /dev/urandom | base64 | tr -d '/+=')"
    } >> .data/secrets.env
    umask 022
    set -a
    # shellcheck disable=SC1091
    source .data/secrets.env
    set +a
fi
mkdir -p .data/demo
umask 077
cat > .data/demo/venue.json <<VENUE
{"accounts": [{"name": "demo", "apiKey": "$ATS_DEMO_VENUE_KEY", "hmacSecret": "$ATS_DEMO_VENUE_SECRET",
               "balances": {"USDT": "100000", "BTC": "2"}}]}
VENUE
umask 022
"$BIN/ats-venue" --port "$VENUE_PORT" --config .data/demo/venue.json --tick-ms 250 --volatility 0.001 \
    --seed "$(date +%s)" > "$RUN/logs/venue.log" 2>&1 &
echo $! > "$RUN/venue.pid"
if [ -z "$DETACH" ]; then trap 'echo; stop_all; exit 0' INT TERM; fi

ATS="$BIN/ats"
# The dashboard user: created once, its password kept in .data/secrets.env.
if ! "$ATS" user list --json 2>/dev/null | grep -q '"name" *: *"admin"'; then
    printf '%s\n' "$ATS_DASHBOARD_PASSWORD" | "$ATS" user add admin --role admin >/dev/null
fi
mkdir -p .data/demo
# Synthetic one-minute bars (about 208 days; the same file on every machine), a market that falls
# about 80% over them: the demo shows what each strategy made beside holding.
DEMO=.data/demo/synth-1m-seed3.csv
[ -f "$DEMO" ] || "$ATS" data synth --bars 300000 --seed 3 --out "$DEMO" >/dev/null
stamp=$(date +%H%M%S)
# What a trader would run on minute bars: 4-hour/1-day signals, fees at a venue's maker/taker rates
# (0.02% / 0.05%), long/short where the venue allows shorting.
FEES=(--fee "maker_taker:maker=0.0002,taker=0.0005")
log "submitting demo jobs over $DEMO (300,000 one-minute bars)"
"$ATS" job create --name "demo-trend-ls-$stamp" --data "$DEMO" --strategy sma_cross --param fast=240 --param slow=1440 \
    --param direction=long_short --exchange-param allow_short=true "${FEES[@]}"
"$ATS" job create --name "demo-trend-long-$stamp" --data "$DEMO" --strategy sma_cross --param fast=240 --param slow=1440 \
    "${FEES[@]}"
"$ATS" job create --name "demo-breakout-ls-$stamp" --data "$DEMO" --strategy bollinger_breakout --param period=1440 \
    --param direction=long_short --exchange-param allow_short=true "${FEES[@]}"
# A custom module (Sources/CustomModules/Strategies/Momentum.swift), registered like a built-in.
"$ATS" job create --name "demo-momentum-$stamp" --data "$DEMO" --strategy momentum --param lookback=1440 \
    --param threshold=0.04 "${FEES[@]}"

# Paper trading on a live market: 1-second candles of the local venue's BTCUSDT, traded as they
# close (it runs until stopped: ats job stop demo-live-$stamp).
"$ATS" job create --name "demo-paper-live-$stamp" --mode paper --market "local:$VENUE_PORT" --interval 1s \
    --strategy sma_cross --param fast=5 --param slow=20 --cash 10000 "${FEES[@]}"
# Live trading on the local venue's demo account: its key stored sealed (ats credentials), every
# order written and accepted by the coordinator before it is sent (ats job orders NAME).
# (Listed first, then searched: `grep -q` in a pipe may close it before `ats` has written, and
# under pipefail that read as "not there".)
credentials=$("$ATS" credentials list --json)
if ! grep -q '"name" *: *"demo-venue"' <<<"$credentials"; then
    printf '%s\n%s\n' "$ATS_DEMO_VENUE_KEY" "$ATS_DEMO_VENUE_SECRET" \
        | "$ATS" credentials add demo-venue --type hmac >/dev/null
fi
"$ATS" job create --name "demo-live-$stamp" --mode live --market "local:$VENUE_PORT" --interval 1s \
    --credentials demo-venue --strategy sma_cross --param fast=5 --param slow=20 --cash 5000 "${FEES[@]}"

log "waiting for the demo backtests"
"$ATS" job wait --timeout 600 "demo-trend-ls-$stamp" "demo-trend-long-$stamp" "demo-breakout-ls-$stamp" \
    "demo-momentum-$stamp" || log "a demo job did not complete: see ats job show NAME"
echo
"$ATS" job list
echo
"$ATS" job show "demo-paper-live-$stamp" || true
cat <<MSG

Where to look next
  dashboard: http://$ATS_HTTP_HOST:$ATS_HTTP_PORT/ui/   user admin, password in .data/secrets.env (ATS_DASHBOARD_PASSWORD)
  ats job show demo-trend-ls-$stamp     statistics of one job        (ats is $BIN/ats)
  ats job fills demo-trend-ls-$stamp    its fills; ats job events, ats job checkpoints
  ats job show demo-paper-live-$stamp paper trading on the local venue's live 1-second candles
  ats job orders demo-live-$stamp     the live job's orders on the local venue (intents, outcomes)
  ats job divergence demo-live-$stamp what the live job did against a replay of the candles it saw
  ats worker list                          workers and their load
  ats backtest --data $DEMO --strategy sma_cross --param fast=240 --param slow=1440 --report out.html
  curl -H "Authorization: Bearer \$ATS_ADMIN_TOKEN" http://$ATS_HTTP_HOST:$ATS_HTTP_PORT/api/jobs
  logs: $RUN/logs/   secrets: .data/secrets.env   stop: ./start.sh stop
MSG
if [ -z "$DETACH" ]; then
    log "running; Ctrl-C stops everything"
    while true; do sleep 1; done
fi
