#!/usr/bin/env python3
"""TA-Lib's batch time for the indicators `ats-bench indicators` times, on the same bars.

    .build-release/release/ats data synth --bars 1000000 --seed 42 --out /tmp/synth-1m.csv
    python3 scripts/bench_talib.py /tmp/synth-1m.csv

Best of 10 runs of the wrapper's C call (numpy arrays prepared beforehand).
"""
import sys
import time

import numpy as np
import talib

path = sys.argv[1]
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
print(f"TA-Lib {talib.__version__}, {len(c)} bars")
for name, f in cases.items():
    best = min(timing(f) for timing in [lambda f=f: (lambda t0: (f(), time.perf_counter() - t0)[1])(time.perf_counter())] * 10)
    print(f"{name:32s} {best * 1000:8.3f} ms  ({best / len(c) * 1e9:.1f} ns/bar)")
