#!/usr/bin/env bash
# The long mode of the deterministic simulation (docs/RELIABILITY.md, "Simulation"): runs SEEDS
# seeds from FIRST (default: a million from 1) in a release build, on every core.
#   scripts/simulate.sh [SEEDS] [FIRST]
# A failing seed prints its trace; replay it with ATS_SIM_SEED=<seed> swift test --filter SimulationTests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
export ATS_SIM_SEEDS="${1:-1000000}" ATS_SIM_FIRST_SEED="${2:-1}"
swift test -c release $(swift_cpu_flags) --filter 'SimulationTests/seedsRunWithNoViolation' 2>&1 \
    | grep -E '^SIMULATION|✘|✔ Test run|recorded an issue|^  t=' || true
