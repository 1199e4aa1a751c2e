#!/usr/bin/env python3
"""Parameter sweeps side by side (docs/BENCHMARKS.md "Sweeps", issue 19's figures), one run, one machine.

    python3 -m venv .data/venv-sweeps
    .data/venv-sweeps/bin/pip install vectorbt "plotly<6" backtesting==0.6.6
    .data/venv-sweeps/bin/python scripts/bench_sweep_compare.py .build-release/release/ats [REPEATS]

1. The large grid: 90 SMA-cross pairs (fast 5..50 step 5, slow 20..200 step 20, fast < slow) over
   1,000,000 synthetic one-minute bars (`ats data synth --seed 42`): vectorbt's broadcast grid
   (`MA.run` over every window, `ma_crossed_above/below`, `Portfolio.from_signals` with a 0.1% fee,
   one process; its first, JIT-compiling run reported apart, the best of the warm ones counted)
   against `ats sweep run` of the same grid (both cores; the trials' part of the run as it prints
   it, and the whole process).
2. The small grid: 175 SmaCross pairs (n1 5..39, n2 40..120 step 20) over backtesting.py's own
   GOOG daily bars (2,148): backtesting.py 0.6.6's `Backtest.optimize` (its process pool on every
   core) against `ats sweep run` of the same pairs on the same bars (written to a CSV).
Each figure is trial·bars a second, and per core (ATS and backtesting.py use both cores; vectorbt
one). The engines' rules differ in detail (ATS's sma_cross trades one unit with its own fee model;
backtesting.py's SmaCross buys with all its cash): what is compared is the work of a search, the
same pairs over the same bars.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd

ats = sys.argv[1]
REPEATS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
CORES = os.cpu_count() or 1
work = tempfile.mkdtemp(prefix="ats-sweep-compare-")


def best_of(n, f):
    times = []
    result = None
    for _ in range(n):
        t = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - t)
    return result, min(times)


def ats_sweep(data, args):
    """`ats sweep run --json` on `data`: the seconds its trials took (as it reports them), and the
    whole process's wall time; the best of REPEATS each."""
    best_trials, best_wall, report = None, None, None
    for _ in range(REPEATS):
        t = time.perf_counter()
        out = subprocess.run([ats, "sweep", "run", "--data", data, "--json", "--top", "5"] + args,
                             check=True, capture_output=True, text=True).stdout
        wall = time.perf_counter() - t
        report = json.loads(out)
        best_trials = report["seconds"] if best_trials is None else min(best_trials, report["seconds"])
        best_wall = wall if best_wall is None else min(best_wall, wall)
    return report, best_trials, best_wall


def line(name, trials, bars, seconds, cores):
    rate = trials * bars / seconds
    print(f"  {name}: {trials} trials x {bars} bars in {seconds:.3f} s = {rate / 1e6:.2f}M trial-bars/s"
          f" ({rate / cores / 1e6:.2f}M per core, {cores} core{'s' if cores > 1 else ''})")
    return rate / cores


# 1. The large grid.
big = os.path.join(work, "synth-1m.csv")
subprocess.run([ats, "data", "synth", "--bars", "1000000", "--seed", "42", "--format", "plain", "--out", big],
               check=True, capture_output=True)
fasts = list(range(5, 51, 5))
slows = list(range(20, 201, 20))
pairs = [(f, s) for f in fasts for s in slows if f < s]
print(f"large grid: {len(pairs)} SMA-cross pairs over 1,000,000 bars")

import vectorbt as vbt  # noqa: E402

close = pd.read_csv(big)["close"] if "close" in pd.read_csv(big, nrows=1).columns else pd.read_csv(big).iloc[:, 4]


def vectorbt_grid():
    fast = vbt.MA.run(close, window=[p[0] for p in pairs], short_name="fast")
    slow = vbt.MA.run(close, window=[p[1] for p in pairs], short_name="slow")
    entries = fast.ma_crossed_above(slow)
    exits = fast.ma_crossed_below(slow)
    pf = vbt.Portfolio.from_signals(close, entries, exits, fees=0.001, freq="1min")
    return pf.total_return()


_, cold = best_of(1, vectorbt_grid)
returns, warm = best_of(REPEATS, vectorbt_grid)
print(f"  vectorbt {vbt.__version__}: first (JIT) run {cold:.2f} s; {len(returns)} portfolios")
vbt_core = line("vectorbt (warm, one process)", len(pairs), 1_000_000, warm, 1)
report, trials_s, wall = ats_sweep(big, ["--strategy", "sma_cross", "--param", "quantity=1", "--param",
                                          "fast=int:5..50:5", "--param", "slow=int:20..200:20", "--where", "fast < slow"])
assert report["trials"] == len(pairs), report["trials"]
ats_core = line("ats sweep run (trials)", len(pairs), 1_000_000, trials_s, CORES)
ats_whole = line("ats sweep run (whole process: load, trials, statistics)", len(pairs), 1_000_000, wall, CORES)
print(f"  per core: ATS / vectorbt = {ats_core / vbt_core:.1f}x (trials), {ats_whole / vbt_core:.1f}x (whole process)")

# 2. The small grid, over backtesting.py's GOOG.
from backtesting import Backtest, Strategy  # noqa: E402
from backtesting.lib import crossover  # noqa: E402
from backtesting.test import GOOG, SMA  # noqa: E402


class SmaCross(Strategy):
    n1 = 10
    n2 = 20

    def init(self):
        self.sma1 = self.I(SMA, self.data.Close, self.n1)
        self.sma2 = self.I(SMA, self.data.Close, self.n2)

    def next(self):
        if crossover(self.sma1, self.sma2):
            self.position.close()
            self.buy()
        elif crossover(self.sma2, self.sma1):
            self.position.close()


n1s = list(range(5, 40))
n2s = list(range(40, 121, 20))
small_pairs = len(n1s) * len(n2s)
print(f"small grid: {small_pairs} SmaCross pairs over backtesting.py's GOOG ({len(GOOG)} daily bars)")


def bt_optimize():
    bt = Backtest(GOOG, SmaCross, cash=10_000, commission=0.002)
    return bt.optimize(n1=n1s, n2=n2s, maximize="Sharpe Ratio", constraint=lambda p: p.n1 < p.n2)


_, bt_time = best_of(REPEATS, bt_optimize)
bt_core = line(f"backtesting.py optimize (its process pool, {CORES} cores)", small_pairs, len(GOOG), bt_time, CORES)
goog = os.path.join(work, "goog.csv")
frame = GOOG.reset_index()
with open(goog, "w") as f:
    f.write("timestamp,open,high,low,close,volume\n")
    for row in frame.itertuples(index=False):
        ms = int(pd.Timestamp(row[0]).tz_localize("UTC").value // 1_000_000)
        f.write(f"{ms},{row.Open},{row.High},{row.Low},{row.Close},{row.Volume}\n")
report, trials_s, wall = ats_sweep(goog, ["--strategy", "sma_cross", "--param", "quantity=1", "--param",
                                          "fast=int:5..39", "--param", "slow=int:40..120:20", "--cash", "10000"])
assert report["trials"] == small_pairs, report["trials"]
ats_small = line("ats sweep run (trials)", small_pairs, len(GOOG), trials_s, CORES)
ats_small_whole = line("ats sweep run (whole process)", small_pairs, len(GOOG), wall, CORES)
print(f"  per core: ATS / backtesting.py = {ats_small / bt_core:.0f}x (trials), {ats_small_whole / bt_core:.0f}x (whole process)")
