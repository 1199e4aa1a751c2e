#!/usr/bin/env bash
# Fuzzes the worker-port frame decoder and the connection's state machine (WorkerSessionRules)
# with libFuzzer (docs/RELIABILITY.md, scenario 9):
#   scripts/fuzz.sh [SECONDS]   (default 120)
# Builds the protocol module and its dependencies with coverage instrumentation
# (-sanitize=fuzzer) in .build-fuzz, links Fuzz/FuzzFrames.swift against them, and runs the fuzzer
# on the corpus in .data/fuzz-corpus. A crash leaves its input in .data/fuzz-crashes: add it to
# Tests/SharedTests/Protocol/FuzzRegressionTests.swift.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ATS_ROOT"

seconds=${1:-120}
scratch=.build-fuzz
log "building the protocol module for fuzzing (in $scratch)"
swift build --target ATSShared -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library --scratch-path "$scratch" \
    >/dev/null
debug="$scratch/debug"
# The objects of ATSShared's dependency closure (host tools, *-tool.build, are not linked), and
# the module maps of the C modules among them.
mapfile -t objects < <(find -L "$debug/" -path '*.build/*.o' -not -path '*-tool.build/*' | sort)
mapfile -t modulemaps < <( (find -L "$debug/" -maxdepth 2 -path '*.build/module.modulemap' -not -path '*-tool.build/*'
    find -L "$scratch/checkouts" -path '*/include/module.modulemap') | sed 's/^/-fmodule-map-file=/')
xcc=()
for m in "${modulemaps[@]}"; do xcc+=(-Xcc "$m"); done
log "linking the fuzzer"
swiftc -sanitize=fuzzer -parse-as-library -g -I "$debug/Modules" "${xcc[@]}" \
    Fuzz/FuzzFrames.swift "${objects[@]}" -lstdc++ -o "$scratch/fuzz-frames"
mkdir -p .data/fuzz-corpus .data/fuzz-crashes
log "fuzzing for $seconds s"
"$scratch/fuzz-frames" -max_total_time="$seconds" -print_final_stats=1 -max_len=4096 \
    -artifact_prefix=.data/fuzz-crashes/ .data/fuzz-corpus 2>&1 | tee .data/fuzz.log |
    grep -E "stat::|ERROR|SUMMARY|Done [0-9]+ runs" || true
if grep -q "ERROR: libFuzzer\|==ERROR\|SUMMARY:" .data/fuzz.log; then
    echo "fuzz: a crash was found; its input is in .data/fuzz-crashes" >&2
    exit 1
fi
