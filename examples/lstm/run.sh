#!/usr/bin/env bash
# A trained model end to end (docs/MODELS.md): train a small LSTM in PyTorch on synthetic bars,
# export it to ONNX, register it with `ats model add`, and backtest the `lstm` strategy with it on
# the bars it never saw — carrying its recurrent state from bar to bar, then over a window each
# bar as it was trained. Makes .data/venv-models (numpy, onnx, onnxruntime, torch) on first use.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib.sh
venv=.data/venv-models
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import torch, onnx" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q numpy onnx onnxruntime torch
fi
out=.data/example-lstm
"$venv/bin/python" examples/lstm/train.py "$out"
bin=$(release_bin)
export ATS_MODEL_DIR=${ATS_MODEL_DIR:-$PWD/.data/models}
"$bin/ats" model add "$out/lstm.onnx" --name example-lstm --replace
for mode in stream window; do
    echo "== lstm strategy, mode=$mode, on the 30% of the bars the model never saw"
    "$bin/ats" backtest --data "$out/bars-test.csv" --strategy lstm --param name=example-lstm \
        --param window=30 --param 'features=close_return|high_logret|volume_z' \
        --param threshold=0.0003 --param exit_threshold=0 --param mode=$mode \
        --fee generic:taker=0.0002 --quiet --report "$out/report-$mode.html"
done
echo "reports: $out/report-stream.html, $out/report-window.html; the model: ats model show example-lstm"
