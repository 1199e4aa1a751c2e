#!/usr/bin/env bash
# The fault-injection suite (docs/RELIABILITY.md) against release builds of the daemons: each
# scenario prints its figures (lines starting with FAULTS) and fails on any lost, duplicated or
# extra fill. ./scripts/faults.sh [--long]   (--long: the 5-minute versions)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ATS_ROOT"

if [ "${1:-}" = "--long" ]; then export ATS_FAULTS_LONG=1; fi
CPU_FLAGS=$(swift_release_flags)
log "building the daemons (release)"
for product in ats-coordinator ats-worker; do
    # shellcheck disable=SC2086  # the flags are words
    swift build -c release --scratch-path .build-release $CPU_FLAGS --product "$product"
done
export ATS_BIN_DIR="$ATS_ROOT/.build-release/release"
mkdir -p .data
log "running the fault scenarios (log: .data/faults.log)"
./test.sh --filter "FaultInjectionTests|HighAvailabilityTests|PartitionTests|DatabaseRestartTests|HandshakeSecurityTests|LifecycleTests|ClusterTests" \
    >.data/faults.log 2>&1 || { grep -E "FAULTS|✘" .data/faults.log; exit 1; }
grep -E "FAULTS|✔ Test|✘" .data/faults.log
