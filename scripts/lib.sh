# Shared helpers for start.sh and test.sh: install what is missing, run a private PostgreSQL.
# Sourced, not executed.

ATS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Swift flags for this machine's CPU. On x86-64 with AVX2 and FMA the build targets Haswell, so a
# fused multiply-add (ATR, and wherever the engine uses `addingProduct`) is one instruction
# instead of a call into libm. Results are the same bits either way (a fused multiply-add is
# correctly rounded in both); only speed differs. ATS_PORTABLE=1 builds for any x86-64, for
# binaries copied to other machines.
swift_cpu_flags() {
    if [ "${ATS_PORTABLE:-0}" != 1 ] && [ "$(uname -m)" = x86_64 ] && grep -qw fma /proc/cpuinfo \
        && grep -qw avx2 /proc/cpuinfo; then
        echo "-Xswiftc -target-cpu -Xswiftc haswell"
    fi
}

# Flags for every release build (all share .build-release, so all use the same flags): the CPU
# flags, and the Swift runtime and Foundation linked statically where the toolchain has them. A
# static binary starts in about half the time (no dynamic symbol binding of the Swift libraries)
# and runs on a machine without a Swift toolchain.
swift_release_flags() {
    local flags
    flags=$(swift_cpu_flags)
    local toolchain
    toolchain=$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")
    if [ "${ATS_DYNAMIC_STDLIB:-0}" != 1 ] && [ -f "$toolchain/lib/swift_static/linux/libFoundation.a" ]; then
        flags="$flags --static-swift-stdlib"
    fi
    echo "$flags"
}

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        log "need root to run: $*"; return 1; fi
}

# Installs the Debian packages the system needs when they are missing.
ensure_packages() {
    local missing=()
    pg_bindir >/dev/null 2>&1 || missing+=(postgresql postgresql-client)
    command -v psql >/dev/null || missing+=(postgresql-client)
    for tool in curl git pkg-config; do command -v "$tool" >/dev/null || missing+=("$tool"); done
    dpkg -s libcurl4-openssl-dev >/dev/null 2>&1 || missing+=(libcurl4-openssl-dev)
    dpkg -s libssl-dev >/dev/null 2>&1 || missing+=(libssl-dev)
    dpkg -s zlib1g-dev >/dev/null 2>&1 || missing+=(zlib1g-dev)
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing: ${missing[*]}"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    if ! command -v swift >/dev/null; then
        for d in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
            [ -x "$d/swift" ] && export PATH="$d:$PATH" && break
        done
    fi
    command -v swift >/dev/null || { log "Swift 6 is required: https://www.swift.org/install/linux/"; return 1; }
}

# ensure_tool COMMAND PACKAGE: installs PACKAGE when COMMAND is missing.
ensure_tool() {
    command -v "$1" >/dev/null && return 0
    log "installing $2"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

# Installs the Debian package $2 unless Debian's python3 can import the module $1 (the tests
# run /usr/bin/python3, whatever python3 comes first in PATH).
ensure_python_module() {
    [ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import $1" 2>/dev/null && return 0
    log "installing $2"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

# The newest installed PostgreSQL's bin directory.
# release_bin [DIR]: DIR, or the release products (coordinator, worker, both CLIs) built into
# .build-release/release first; prints the directory.
release_bin() {
    if [ -n "${1:-}" ]; then
        echo "$1"
        return
    fi
    for p in ats-coordinator ats-worker ats ats-admin; do
        swift build -c release --scratch-path "$ATS_ROOT/.build-release" $(swift_release_flags) --product "$p" >/dev/null
    done
    echo "$ATS_ROOT/.build-release/release"
}

# netns_host NS LINK I PREFIX: network namespace NS (made on first use) joined to this host by a
# veth pair LINK <-> its eth0, this side PREFIX.I.1/30, its side PREFIX.I.2/30: a host of its own.
netns_host() {
    local ns=$1 link=$2 i=$3 prefix=$4
    ip netns list | grep -q "^$ns\b" && return 0
    ip link del "$link" 2>/dev/null || true
    ip netns add "$ns"
    ip link add "$link" type veth peer name eth0 netns "$ns"
    ip addr add "$prefix.$i.1/30" dev "$link"
    ip link set "$link" up
    ip -n "$ns" addr add "$prefix.$i.2/30" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
}

pg_bindir() {
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$d" ] && [ -x "$d/pg_ctl" ] && echo "$d"
}

# Runs a command as the user that owns the private cluster (postgres when we are root: PostgreSQL
# refuses to run as root).
pg_run() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# pg_start NAME PORT [CONF]: starts (creating if needed) a cluster in .data/NAME listening on
# 127.0.0.1:PORT only, with a generated password for role "ats" and a database "ats"; CONF, extra
# postgresql.conf lines, applies when the cluster is created. Prints the URL on stdout.
pg_start() {
    local name=$1 port=$2 bindir dir pwfile
    bindir=$(pg_bindir)
    dir="$ATS_ROOT/.data/$name"
    pwfile="$ATS_ROOT/.data/$name.password"
    mkdir -p "$ATS_ROOT/.data"
    if [ ! -f "$dir/PG_VERSION" ]; then
        log "creating PostgreSQL cluster in .data/$name"
        rm -rf "$dir"
        mkdir -p "$dir"
        [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
        chmod 700 "$dir"
        head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$pwfile"
        chmod 600 "$pwfile"
        pg_run "$bindir/initdb" -D "$dir" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
            -E UTF8 --locale=C.UTF-8 >/dev/null
        cat >>"$dir/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
shared_buffers = 256MB
fsync = on
${3:-}
CONF
    fi
    if ! pg_run "$bindir/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
        pg_run "$bindir/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null
    fi
    local pw
    pw=$(cat "$pwfile")
    pg_run "$bindir/psql" -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q <<SQL >/dev/null
SELECT 'ok';
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ats') THEN
    CREATE ROLE ats LOGIN CREATEDB PASSWORD '$pw';
  ELSE
    ALTER ROLE ats PASSWORD '$pw';
  END IF;
END \$\$;
SQL
    if ! pg_run "$bindir/psql" -h "$dir" -p "$port" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname='ats'" | grep -q 1; then
        pg_run "$bindir/createdb" -h "$dir" -p "$port" -U postgres -O ats ats
    fi
    echo "postgres://ats:$pw@127.0.0.1:$port/ats"
}

# pg_stop NAME: stops the cluster in .data/NAME if it runs.
pg_stop() {
    local dir="$ATS_ROOT/.data/$1" bindir
    bindir=$(pg_bindir) || return 0
    if [ -f "$dir/postmaster.pid" ]; then
        pg_run "$bindir/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
    fi
}

# The system `./start.sh --detach` runs, for the bench scripts: its settings (.env and
# .data/secrets.env) exported, BIN and ATS the release binaries, VENUE_PORT the fake venue's.
use_running_system() {
    BIN=.build-release/release
    set -a
    # shellcheck disable=SC1091
    source .env
    # shellcheck disable=SC1091
    source .data/secrets.env
    set +a
    ATS="$BIN/ats"
    VENUE_PORT=${ATS_VENUE_PORT:-9100}
}
