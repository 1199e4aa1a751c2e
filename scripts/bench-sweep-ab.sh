#!/usr/bin/env bash
# A/B of a sweep's per-trial cost between `ats` builds (docs/BENCHMARKS.md "Per-trial cost"):
# `ats sweep run`'s reported trial seconds, ROUNDS rounds with the binaries alternating; prints each
# binary's best and every round. Compare the bests; a difference inside the rounds' spread is noise.
#   GRID=small (default): 20,000 sma_cross trials (fast 2..101 x slow 102..301) over 2,148
#     synthetic bars (per-trial overhead);
#   GRID=large: the side by side's large grid, 90 pairs (fast 5..50:5 x slow 20..200:20) over
#     1,000,000 synthetic bars (the loop).
#
#   scripts/bench-sweep-ab.sh 4 /tmp/ats-before .build-release/release/ats
#   GRID=large scripts/bench-sweep-ab.sh 3 /tmp/ats-before .build-release/release/ats
set -euo pipefail
ROUNDS=${1:?usage: [GRID=small|large] bench-sweep-ab.sh ROUNDS BIN...}
shift
DATA=$(mktemp --suffix=.csv)
trap 'rm -f "$DATA"' EXIT
case "${GRID:-small}" in
small)
    "$1" data synth --bars 2148 --seed 7 --format plain --out "$DATA" >/dev/null
    ARGS=(--param fast=int:2..101 --param slow=int:102..301 --cash 10000)
    ;;
large)
    "$1" data synth --bars 1000000 --seed 42 --format plain --out "$DATA" >/dev/null
    ARGS=(--param fast=int:5..50:5 --param slow=int:20..200:20 --where "fast < slow")
    ;;
*)
    echo "GRID is small or large" >&2
    exit 2
    ;;
esac
for _ in $(seq 1 "$ROUNDS"); do
    for bin in "$@"; do
        seconds=$("$bin" sweep run --data "$DATA" --json --top 5 --strategy sma_cross --param quantity=1 "${ARGS[@]}" |
            python3 -c 'import json, sys; print(json.load(sys.stdin)["seconds"])')
        echo "$bin $seconds"
    done
done | awk '{ if (!($1 in best) || $2 < best[$1]) best[$1] = $2; all[$1] = all[$1] " " $2; order[NR] = $1 }
    END { for (i = 1; i <= NR; i++) if (!(order[i] in seen)) { seen[order[i]] = 1
        printf "%-44s best %.4f s  (rounds:%s)\n", order[i], best[order[i]], all[order[i]] } }'
