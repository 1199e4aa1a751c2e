#!/usr/bin/env bash
# Runs the whole test suite against a throwaway PostgreSQL on 127.0.0.1 (in .data/pg-test, which
# git ignores). Installs what is missing first. Extra arguments go to `swift test`
# (e.g. ./test.sh --filter Exchange).
set -euo pipefail
source "$(dirname "$0")/scripts/lib.sh"
cd "$ATS_ROOT"

ensure_packages
ensure_tool protoc protobuf-compiler   # the codec is checked against docs/ats.proto
ensure_tool systemd-analyze systemd  # the unit files in deploy/ are verified
ensure_tool ip iproute2               # network namespaces for the partition scenario
ensure_tool openssl openssl           # test certificates for mutual TLS (scripts/make-test-certs.sh)
ensure_python_module prometheus_client python3-prometheus-client  # parses /metrics in the tests
ensure_tool chromium chromium               # the dashboard's tests run in a real headless browser
ensure_tool chromedriver chromium-driver    # … driven over WebDriver
PORT=${ATS_TEST_PG_PORT:-55432}
pg_stop pg-test
rm -rf .data/pg-test .data/pg-test.password
export ATS_TEST_DATABASE_URL
# The shared throwaway server does not wait for each commit's WAL flush: with a dozen clusters
# creating and dropping databases (DROP DATABASE forces a checkpoint), flush stalls of seconds
# made healthy workers miss their leases. Nothing here is durable data; the PostgreSQL-restart
# test runs its own server with the defaults (PrivatePostgres).
ATS_TEST_DATABASE_URL=$(pg_start pg-test "$PORT" "synchronous_commit = off")
trap 'pg_stop pg-test' EXIT

log "checking formatting (swift format, .swift-format)"
swift format lint --strict -r Sources Tests Package.swift
CPU_FLAGS=$(swift_cpu_flags)
log "building ${CPU_FLAGS:+(for this CPU: $CPU_FLAGS)}"
# shellcheck disable=SC2086  # the flags are words
swift build --build-tests $CPU_FLAGS
log "testing"
if [ $# -gt 0 ]; then
    # shellcheck disable=SC2086
    swift test --skip-build $CPU_FLAGS "$@"
else
    # The heaviest parts run alone after the rest: the fault-injection scenarios and the 500-job
    # drain (dozens of daemons and thousands of fills a second), the clusters trading a fake venue
    # that ticks every 50 ms, the simulation's seeds (both cores), chromium (a core). Beside them
    # the cluster tests' debug daemons were starved on two cores until they missed their leases.
    # The cluster's trained models (a cluster of their own) run beside the live jobs: the main
    # phase's parallel clusters already hold about a thousand descriptors at their peak.
    LIVE=(--filter LiveTradingTests --filter KillSwitchTests --filter RiskLimitTests --filter PaperOnLiveTests
        --filter WorkerLossPolicyTests --filter ModelClusterTests)
    # The in-process tests and the CLI's own commands first, without the clusters: parsing
    # 100,000-line files, sweeps and backtests fill both cores, and beside them the clusters'
    # debug daemons answered too late (a request timed out in CI after a minute in which the
    # test process ran nothing else). The clusters come after, alone.
    CLI_SUITES='AllocationTests|BacktestCommandTests|CLIHandOverTests|CLIRedirectTests|SweepRunCommandTests'
    log "running the in-process tests and the CLI's commands"
    # shellcheck disable=SC2086
    swift test --skip-build $CPU_FLAGS \
        --skip "^(IntegrationTests\.(?!($CLI_SUITES)\b)|VenueConnectorTests\.|SimulationTests\.)"
    log "running the clusters: real coordinators, workers and venues as processes"
    # shellcheck disable=SC2086
    swift test --skip-build $CPU_FLAGS --filter '^(IntegrationTests|VenueConnectorTests)\.' \
        --skip "^IntegrationTests\.($CLI_SUITES)\b" --skip DashboardBrowserTests --skip FaultInjectionTests \
        --skip DrainTests --skip LiveTradingTests --skip KillSwitchTests --skip RiskLimitTests \
        --skip PaperOnLiveTests --skip WorkerLossPolicyTests --skip ModelClusterTests \
        --skip aThousandSlowConnectionsAreClosed
    # A thousand sockets in the test process at once: alone, since beside the other clusters the
    # process's descriptors pass 1,024, where Foundation's Process watches its children's pipes
    # with select(2) (a stuck or lost exit seen twice in the main phase).
    log "running a thousand slow connections against the coordinator"
    # shellcheck disable=SC2086
    swift test --skip-build $CPU_FLAGS --filter aThousandSlowConnectionsAreClosed
    log "running live and paper jobs against the fake venue (docs/LIVE.md)"
    # shellcheck disable=SC2086
    swift test --skip-build $CPU_FLAGS "${LIVE[@]}"
    log "running the fault-injection scenarios and the 500-job drain"
    # shellcheck disable=SC2086
    swift test --skip-build $CPU_FLAGS --filter FaultInjectionTests --filter DrainTests
    log "running the deterministic simulation (docs/RELIABILITY.md, Simulation)"
    # shellcheck disable=SC2086
    swift test --skip-build $CPU_FLAGS --filter SimulationTests
    log "testing the dashboard in a headless browser"
    # shellcheck disable=SC2086
    swift test --skip-build $CPU_FLAGS --filter DashboardBrowserTests
fi
