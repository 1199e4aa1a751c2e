#!/usr/bin/env bash
# Prints the statistics (timings and stamp left out) of 162 backtests: 9 strategies × 2 fill
# policies × 3 exchange configurations × 3 fee models, one JSON object per line. Run it before and
# after a change that must not move any number, and diff the two outputs.
#
#   .build-release/release/ats data synth --bars 200000 --seed 7 --out /tmp/matrix.csv
#   scripts/backtest_matrix.sh .build-release/release/ats /tmp/matrix.csv > before.txt
set -uo pipefail
ATS=${1:?usage: backtest_matrix.sh path/to/ats bars.csv}
DATA=${2:?usage: backtest_matrix.sh path/to/ats bars.csv}

run() {
    # A refused spec (e.g. long_short on a venue without shorting) prints its error line instead.
    "$ATS" backtest --data "$DATA" --quiet --json "$@" 2>&1 | python3 -c '
import json, sys
text = sys.stdin.read()
try:
    d = json.loads(text)
except ValueError:
    print("REFUSED", text.strip().splitlines()[-1] if text.strip() else "(no output)")
    sys.exit()
for k in ("load_seconds", "run_seconds", "stamp"):
    d.pop(k, None)
print(json.dumps(d, sort_keys=True))'
}

for fill in close next_open; do
    for venue in "market_fill=$fill" \
        "market_fill=$fill allow_short=true slippage_fraction=0.0005 max_volume_share=0.3" \
        "market_fill=$fill tick_size=0.01 step_size=0.001 min_notional=10"; do
        args=()
        for kv in $venue; do args+=(--exchange-param "$kv"); done
        for fee in "generic:taker=0.001" "tiered" "maker_taker:maker=0.0002,taker=0.0007"; do
            run "${args[@]}" --fee "$fee" --strategy sma_cross --param fast=10 --param slow=30 --param direction=long_short
            run "${args[@]}" --fee "$fee" --strategy simple_ma --param go_short=true
            run "${args[@]}" --fee "$fee" --strategy simple --param order_type=limit
            run "${args[@]}" --fee "$fee" --strategy simple
            run "${args[@]}" --fee "$fee" --strategy grid
            run "${args[@]}" --fee "$fee" --strategy dca --param interval=600 --param take_profit=0.01
            run "${args[@]}" --fee "$fee" --strategy rsi_reversion --param direction=long_short
            run "${args[@]}" --fee "$fee" --strategy bollinger_breakout
            run "${args[@]}" --fee "$fee" --strategy macd_cross --param quantity=1
        done
    done
done
