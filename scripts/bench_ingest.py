#!/usr/bin/env python3
"""Driver of scripts/bench-ingest.sh: per file, ROUNDS rounds; in each, every pandas (a long-lived
interpreter of its own virtualenv, so that importing pandas is not timed) reads the file once with
`read_csv`, then `ats backtest` runs once as a whole process (sma_cross 10/30, as in
scripts/bench_compare.py). Prints each side's best and median and the ratios of the bests."""
import argparse
import json
import statistics
import subprocess
import time

SERVER = r"""
import sys, time, pandas as pd
print(pd.__version__, flush=True)
for line in sys.stdin:
    t = time.perf_counter(); df = pd.read_csv(line.strip()); s = time.perf_counter() - t
    print(f"{s} {len(df)}", flush=True)
"""

parser = argparse.ArgumentParser()
parser.add_argument("--rounds", type=int, default=20)
parser.add_argument("--ats", required=True)
parser.add_argument("--pandas", action="append", default=[], help="a Python with pandas installed")
parser.add_argument("files", nargs="+")
args = parser.parse_args()

readers = []
for python in args.pandas:
    p = subprocess.Popen([python, "-c", SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    readers.append((f"pandas {p.stdout.readline().strip()}", p))


def read_csv(p, path):
    p.stdin.write(path + "\n")
    p.stdin.flush()
    seconds, rows = p.stdout.readline().split()
    return float(seconds), int(rows)


def ats(path):
    t = time.perf_counter()
    out = subprocess.run(
        [args.ats, "backtest", "--data", path, "--strategy", "sma_cross", "--param", "fast=10", "--param", "slow=30",
         "--param", "quantity=1", "--cash", "1000000000", "--json", "--quiet"],
        check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - t
    report = json.loads(out)
    return wall, report["load_seconds"], report["stamp"]["bars"]


for path in args.files:
    times = {name: [] for name, _ in readers}
    walls, loads = [], []
    for _ in range(args.rounds):
        for name, p in readers:
            seconds, rows = read_csv(p, path)
            times[name].append(seconds)
        wall, load, bars = ats(path)
        walls.append(wall)
        loads.append(load)
        assert all(rows == bars for _ in readers), f"pandas read {rows} rows, ats {bars} bars"
    print(f"{path} ({bars:,} bars), {args.rounds} rounds, best / median:")
    print(f"  ats backtest, whole process  {min(walls):.3f} / {statistics.median(walls):.3f} s"
          f"  (its load {min(loads):.3f} / {statistics.median(loads):.3f} s)")
    for name, _ in readers:
        t = times[name]
        print(f"  {name} read_csv alone  {min(t):.3f} / {statistics.median(t):.3f} s"
              f"  -> ats whole process {min(t) / min(walls):.1f}x faster (medians {statistics.median(t) / statistics.median(walls):.1f}x)")
