#!/usr/bin/env bash
# A/B of engine builds on a VM whose speed drifts: runs `ats-bench engine` for each binary in
# turn, ROUNDS times, best of 30 runs each time, and prints each binary's best and all rounds.
# Compare the bests; a difference inside the spread of the rounds is noise.
#
#   cp .build-release/release/ats-bench /tmp/ats-bench-before     # then change and rebuild
#   scripts/bench-engine-ab.sh 8 "" /tmp/ats-bench-before .build-release/release/ats-bench
#   scripts/bench-engine-ab.sh 8 "--param fast=10 --param slow=30 --param fraction=0" A B
set -euo pipefail
ROUNDS=${1:?usage: bench-engine-ab.sh ROUNDS "ENGINE ARGS" BIN...}
ARGS=$2
shift 2
for _ in $(seq 1 "$ROUNDS"); do
    for bin in "$@"; do
        # shellcheck disable=SC2086  # ARGS are words
        echo "$bin $("$bin" engine --repeats 30 $ARGS 2>&1 | grep 'run:' | grep -oE '[0-9.]+ M')"
    done
done | awk '{best[$1] = ($2 > best[$1] ? $2 : best[$1]); all[$1] = all[$1] " " $2; order[NR] = $1}
    END {for (i = 1; i <= NR; i++) if (!(order[i] in seen)) { seen[order[i]] = 1
        printf "%-44s best %6.1f M bars/s  (rounds:%s)\n", order[i], best[order[i]], all[order[i]] }}'
