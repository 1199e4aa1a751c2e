#!/usr/bin/env bash
# Installs ATS on this machine as systemd services (run as root from the repository):
#   deploy/install.sh coordinator        the coordinator (PostgreSQL reachable through DATABASE_URL)
#   deploy/install.sh worker [N]         N worker processes (default: 1), ats-worker@1..N
# Builds release binaries, installs them to /usr/local/bin, creates the `ats` system user and
# /var/lib/ats, writes /etc/ats/ats.env from the example when missing (mode 600: fill in the
# secrets before starting), installs and enables the units. Idempotent: run it again to upgrade.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"
cd "$ATS_ROOT"

role=${1:-}
count=${2:-1}
case "$role" in
coordinator | worker) ;;
*)
    echo "usage: deploy/install.sh coordinator | worker [N]" >&2
    exit 64
    ;;
esac
[ "$(id -u)" = 0 ] || { echo "install.sh: run as root" >&2; exit 77; }
command -v systemctl >/dev/null || { echo "install.sh: systemd is required" >&2; exit 69; }

ensure_packages
CPU_FLAGS=$(swift_release_flags)
log "building release binaries ${CPU_FLAGS:+($CPU_FLAGS)}"
# shellcheck disable=SC2086  # the flags are words
swift build -c release --scratch-path .build-release $CPU_FLAGS
install -m 755 .build-release/release/ats .build-release/release/ats-admin .build-release/release/ats-coordinator .build-release/release/ats-worker \
    /usr/local/bin/

id ats >/dev/null 2>&1 || useradd --system --home /var/lib/ats --shell /usr/sbin/nologin ats
install -d -o ats -g ats -m 750 /var/lib/ats /var/lib/ats/data
install -d -m 755 /etc/ats
if [ ! -f /etc/ats/ats.env ]; then
    install -m 600 deploy/ats.env.example /etc/ats/ats.env
    log "wrote /etc/ats/ats.env: set DATABASE_URL and the two tokens (the same on every machine) before starting"
    fresh_env=1
fi

install -m 644 deploy/ats-coordinator.service deploy/ats-worker@.service /etc/systemd/system/
systemctl daemon-reload
if [ "$role" = coordinator ]; then
    units=(ats-coordinator.service)
else
    units=()
    for i in $(seq 1 "$count"); do units+=("ats-worker@$i.service"); done
fi
if [ -n "${fresh_env:-}" ]; then
    systemctl enable "${units[@]}"
    log "enabled ${units[*]}; start them after editing /etc/ats/ats.env: systemctl start ${units[*]}"
else
    systemctl enable "${units[@]}"
    systemctl restart "${units[@]}"
    log "running: ${units[*]} (journalctl -u ${units[0]} -f)"
fi
