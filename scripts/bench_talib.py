#!/usr/bin/env python3
"""TA-Lib's batch time for the indicators `ats-bench indicators` times, on the same bars, and
with an `ats-bench` binary the ratio of the two measured side by side.

    .build-release/release/ats data synth --bars 1000000 --seed 42 --out /tmp/synth-1m.csv
    python3 scripts/bench_talib.py /tmp/synth-1m.csv                      # TA-Lib alone
    python3 scripts/bench_talib.py /tmp/synth-1m.csv .build-release/release/ats-bench 8

The second form alternates, ROUNDS times (default 8): TA-Lib's wrapper's C call best of 20
(numpy arrays prepared beforehand), then `ats-bench indicators --repeats 20` (the same bars:
seed 42, 1M), and prints each side's best over all rounds. This VM switches between two speeds
about 40 % apart every few seconds; alternating in short rounds puts both sides in both.
"""
import subprocess
import sys
import time

import numpy as np
import talib

path = sys.argv[1]
ats_bench = sys.argv[2] if len(sys.argv) > 2 else None
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else (8 if ats_bench else 1)
data = np.genfromtxt(path, delimiter=",", skip_header=1, usecols=(1, 2, 3, 4, 5))
o, h, l, c, v = (np.ascontiguousarray(data[:, k]) for k in range(5))
cases = {
    "sma:period=30": lambda: talib.SMA(c, 30),
    "ema:period=30": lambda: talib.EMA(c, 30),
    "rsi:period=14": lambda: talib.RSI(c, 14),
    "macd:fast=12,slow=26,signal=9": lambda: talib.MACD(c, 12, 26, 9),
    "bbands:period=20": lambda: talib.BBANDS(c, 20, 2, 2, 0),
    "atr:period=14": lambda: talib.ATR(h, l, c, 14),
}
theirs = {name: float("inf") for name in cases}
ours = {name: float("inf") for name in cases}
for _ in range(rounds):
    for name, f in cases.items():
        for _ in range(20):
            start = time.perf_counter()
            f()
            theirs[name] = min(theirs[name], time.perf_counter() - start)
    if ats_bench:
        out = subprocess.run([ats_bench, "indicators", "--repeats", "20"], check=True, capture_output=True,
                             text=True).stdout
        for line in out.splitlines():
            name = line.split()[0] if line else ""
            if name in ours:
                ours[name] = min(ours[name], float(line.split()[1]) / 1000)

print(f"TA-Lib {talib.__version__}, {len(c)} bars, {rounds} round(s)")
for name in cases:
    line = f"{name:32s} TA-Lib {theirs[name] * 1000:7.3f} ms"
    if ats_bench:
        line += f"   ATS {ours[name] * 1000:7.3f} ms   ratio {ours[name] / theirs[name]:.2f} (goal <= 1.0)"
    print(line)
