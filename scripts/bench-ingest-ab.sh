#!/usr/bin/env bash
# A/B of `ats` builds on a whole `ats backtest` (the workload of scripts/bench-ingest.sh: sma_cross
# 10/30 on a CSV, --json --quiet) on a VM whose speed drifts: every round runs each binary once, in
# turn, and each binary's best and median wall time over the rounds are printed.
#
#   cp .build-release/release/ats /tmp/ats-before       # then change and rebuild
#   scripts/bench-ingest-ab.sh 20 .data/bench-ingest/plain-1m.csv /tmp/ats-before .build-release/release/ats
set -euo pipefail
ROUNDS=${1:?usage: bench-ingest-ab.sh ROUNDS FILE BIN...}
FILE=${2:?usage: bench-ingest-ab.sh ROUNDS FILE BIN...}
shift 2
python3 - "$ROUNDS" "$FILE" "$@" <<'PY'
import statistics, subprocess, sys, time
rounds, path, binaries = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
walls = {b: [] for b in binaries}
for _ in range(rounds):
    for b in binaries:
        t = time.perf_counter()
        subprocess.run([b, "backtest", "--data", path, "--strategy", "sma_cross", "--param", "fast=10", "--param",
                        "slow=30", "--param", "quantity=1", "--cash", "1000000000", "--json", "--quiet"],
                       check=True, capture_output=True)
        walls[b].append((time.perf_counter() - t) * 1000)
for b in binaries:
    print(f"{b:44s} best {min(walls[b]):6.1f} ms, median {statistics.median(walls[b]):6.1f} ms over {rounds} rounds")
PY
