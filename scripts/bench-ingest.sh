#!/usr/bin/env bash
# CSV ingest against pandas (docs/BENCHMARKS.md "CSV ingest"): a whole `ats backtest` (load, run,
# report) on 1,000,000 bars, plain epoch-ms CSV and the seed's format, beside pandas' `read_csv`
# alone on the same file, in pandas 2.3.3 (the version the issue measured) and the newest pandas 3.
# Every round times each side once, in turn (this VM has fast and slow phases a few seconds
# long, so sides sampled apart would not be comparable); each side's best and median over the
# rounds are printed with the ratios.
# Usage: scripts/bench-ingest.sh [ROUNDS]   (default 20; builds the release `ats` when missing)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ATS_ROOT"
ROUNDS=${1:-20}
BIN=.build-release/release
[ -x "$BIN/ats" ] || swift build -c release --scratch-path .build-release $(swift_release_flags) --product ats >/dev/null
DIR=.data/bench-ingest
mkdir -p "$DIR"
for v in 2.3.3 3; do
    venv="$DIR/venv-pandas$v"
    if [ ! -x "$venv/bin/python" ]; then
        log "installing pandas $v in $venv"
        python3 -m venv "$venv"
        if [ "$v" = 3 ]; then "$venv/bin/pip" install -q "pandas>=3,<4"; else "$venv/bin/pip" install -q "pandas==$v"; fi
    fi
done
[ -f "$DIR/plain-1m.csv" ] || "$BIN/ats" data synth --bars 1000000 --seed 42 --format plain --out "$DIR/plain-1m.csv" >/dev/null
[ -f "$DIR/seed-1m.csv" ] || "$BIN/ats" data synth --bars 1000000 --seed 42 --format seed --out "$DIR/seed-1m.csv" >/dev/null
python3 scripts/bench_ingest.py --rounds "$ROUNDS" --ats "$BIN/ats" \
    --pandas "$DIR/venv-pandas2.3.3/bin/python" --pandas "$DIR/venv-pandas3/bin/python" \
    "$DIR/plain-1m.csv" "$DIR/seed-1m.csv"
