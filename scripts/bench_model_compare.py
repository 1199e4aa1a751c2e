#!/usr/bin/env python3
"""onnxruntime's (and PyTorch's) side of docs/BENCHMARKS.md "Models": the single-call latency of
a model over [1, window, 4] and of one [1, 1, 4] step, on one thread, best of repeats.

    bench_model_compare.py MODEL.onnx [--window 60] [--repeats 5]
"""
import argparse
import time

import numpy as np
import onnxruntime as ort


def best_call(run, n, repeats):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(n):
            run()
        best = min(best, (time.perf_counter() - start) / n)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--window", type=int, default=60)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    sess = ort.InferenceSession(args.model, options, providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    rng = np.random.default_rng(1)
    x = rng.uniform(-2, 2, size=(1, args.window, 4)).astype(np.float32)
    step = x[:, :1]
    window = best_call(lambda: sess.run(None, {name: x}), 20_000, args.repeats)
    one = best_call(lambda: sess.run(None, {name: step}), 50_000, args.repeats)
    print(f"onnxruntime {ort.__version__} window call [1,{args.window},4]: {window * 1e6:.2f} µs")
    print(f"onnxruntime {ort.__version__} one-step call [1,1,4]: {one * 1e6:.2f} µs ({1e-6 / one:.3f}M calls/s)")
    try:
        import torch
        torch.set_num_threads(1)
        from onnx import load, numpy_helper
        m = load(args.model)
        w = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
        lstm = next(n for n in m.graph.node if n.op_type == "LSTM")
        hidden = next(a.i for a in lstm.attribute if a.name == "hidden_size")
        net = torch.nn.LSTM(4, hidden, batch_first=True).eval()
        xt = torch.from_numpy(x)
        with torch.no_grad():
            t = best_call(lambda: net(xt), 5_000, args.repeats)
        print(f"pytorch {torch.__version__} LSTM({hidden}) window call [1,{args.window},4]: {t * 1e6:.2f} µs")
    except ImportError:
        pass


if __name__ == "__main__":
    main()
