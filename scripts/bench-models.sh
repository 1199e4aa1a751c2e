#!/usr/bin/env bash
# docs/BENCHMARKS.md "Models": ats-bench model beside onnxruntime (and PyTorch) on the same
# LSTM(32) over 60 bars of 4 features. Builds ats-bench in release; makes the Python venv with
# onnxruntime (and torch when it installs) in .data/venv-models on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
model=${1:-Tests/ModelTests/Fixtures/models/torch_lstm_stream.onnx}
venv=.data/venv-models
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q numpy onnx onnxruntime
    "$venv/bin/pip" install -q torch || echo "torch did not install: PyTorch's figure is skipped"
fi
swift build -c release --scratch-path .build-release $(swift_release_flags) --product ats-bench >/dev/null
echo "== ATS ($(uname -m), $(nproc) cores)"
.build-release/release/ats-bench model --model "$model"
echo "== onnxruntime / PyTorch"
"$venv/bin/python" scripts/bench_model_compare.py "$model"
