#!/usr/bin/env python3
"""Trains a small LSTM to predict the next bar's return, exports it to ONNX, and writes the bars
it learned from — the example of docs/MODELS.md (run.sh runs it end to end).

The bars are synthetic with something to learn: returns follow an AR(1) process (each return
carries 0.3 of the last one) under noisy volume, so a model can do better than chance and the
backtest says whether it did, in and out of sample. The features are computed exactly as ATS's
`model` indicator computes them (close_return, high_logret, volume_z over the window), and their
training mean and standard deviation go into the model's metadata (ats.mean, ats.std), which
the indicator uses when the job does not give its own.

    train.py OUT_DIR [--bars 60000] [--window 30] [--epochs 4]
"""
import argparse
import os

import numpy as np
import onnx
import torch


def bars(n, seed=20261205):
    rng = np.random.default_rng(seed)
    r = np.zeros(n)
    noise = rng.normal(0, 0.002, n)
    for t in range(1, n):
        r[t] = 0.3 * r[t - 1] + noise[t]
    close = 100 * np.exp(np.cumsum(r))
    open_ = np.concatenate([[100.0], close[:-1]])
    high = np.maximum(open_, close) * (1 + np.abs(rng.normal(0, 0.0005, n)))
    low = np.minimum(open_, close) * (1 - np.abs(rng.normal(0, 0.0005, n)))
    volume = np.exp(rng.normal(3, 0.4, n) + 40 * np.abs(r))
    t0 = 1_700_000_000_000
    rows = np.stack([t0 + 60_000 * np.arange(n), open_, high, low, close, volume], axis=1)
    return np.round(rows, 6)


def features(rows, window):
    h, c, v = rows[:, 2], rows[:, 4], rows[:, 5]
    n = len(rows)
    f = np.full((n, 3), np.nan)
    f[1:, 0] = c[1:] / c[:-1] - 1
    f[1:, 1] = np.log(h[1:] / h[:-1])
    for t in range(window - 1, n):
        w = v[t - window + 1:t + 1]
        sd = w.std()
        f[t, 2] = (v[t] - w.mean()) / sd if sd > 0 else 0
    return f


class Net(torch.nn.Module):
    def __init__(self, hidden=16):
        super().__init__()
        self.lstm = torch.nn.LSTM(3, hidden, batch_first=True)
        self.head = torch.nn.Linear(hidden, 1)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.head(y[:, -1, :])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--bars", type=int, default=60_000)
    ap.add_argument("--window", type=int, default=30)
    ap.add_argument("--epochs", type=int, default=4)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(7)
    rows = bars(args.bars)
    train_end = int(len(rows) * 0.7)
    # All the bars, and the 30% the model never saw (for an out-of-sample backtest).
    for name, part in [("bars.csv", rows), ("bars-test.csv", rows[train_end:])]:
        with open(os.path.join(args.out, name), "w") as fh:
            fh.write("timestamp,open,high,low,close,volume\n")
            for r in part:
                fh.write(f"{int(r[0])},{r[1]},{r[2]},{r[3]},{r[4]},{r[5]}\n")
    f = features(rows, args.window)
    first = int(np.argmax(~np.isnan(f).any(axis=1)))
    mean = f[first:train_end].mean(axis=0)
    std = f[first:train_end].std(axis=0)
    norm = ((f - mean) / std).astype(np.float32)
    target = np.concatenate([rows[1:, 4] / rows[:-1, 4] - 1, [np.nan]]).astype(np.float32)
    # Window t holds rows t-window+1 … t and predicts the return from t to t+1.
    ends = np.arange(first + args.window - 1, train_end - 1)
    x = np.stack([norm[e - args.window + 1:e + 1] for e in ends])
    y = target[ends][:, None] * 100  # in percent, for a well-scaled loss
    model = Net()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    for epoch in range(args.epochs):
        perm = torch.randperm(len(xt))
        total = 0.0
        for i in range(0, len(xt), 256):
            idx = perm[i:i + 256]
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        print(f"epoch {epoch + 1}: mse {total / len(xt):.5f} (variance of the target {y.var():.5f})")
    # The model predicts the return itself (not in percent): fold the scale into the head.
    with torch.no_grad():
        model.head.weight /= 100
        model.head.bias /= 100
    model.eval()
    path = os.path.join(args.out, "lstm.onnx")
    torch.onnx.export(model, (xt[:1],), path, dynamo=False, opset_version=17, input_names=["x"],
                      output_names=["next_return"], dynamic_axes={"x": {1: "bars"}})
    m = onnx.load(path)
    for key, values in [("ats.mean", mean), ("ats.std", std)]:
        entry = m.metadata_props.add()
        entry.key, entry.value = key, "|".join(repr(float(v)) for v in values)
    entry = m.metadata_props.add()
    entry.key, entry.value = "ats.features", "close_return|high_logret|volume_z"
    onnx.save(m, path)
    print(f"wrote {path}, bars.csv ({len(rows)} bars, trained on the first {train_end}) and bars-test.csv (the rest)")


if __name__ == "__main__":
    main()
