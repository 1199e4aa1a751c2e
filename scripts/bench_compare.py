#!/usr/bin/env python3
"""Side-by-side engine comparison for docs/BENCHMARKS.md (issue 3's workload).

    python3 -m venv /tmp/benchvenv
    /tmp/benchvenv/bin/pip install vectorbt "plotly<6" backtrader pandas
    .build-release/release/ats data synth --bars 1000000 --seed 42 --out /tmp/synth-1m.csv
    /tmp/benchvenv/bin/python scripts/bench_compare.py /tmp/synth-1m.csv .build-release/release/ats

Workload: sma_cross fast=10 slow=30, 1 unit, fee 0.1%, market orders filled at the signal bar's
close, long only. Prints round trips and bars/s for each engine, and the whole-process times.
"""
import json
import subprocess
import sys
import time

import numpy as np
import pandas as pd

path, ats = sys.argv[1], sys.argv[2]
BT_BARS = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000


def timed(f):
    t = time.perf_counter()
    r = f()
    return r, time.perf_counter() - t


df, read_csv_s = timed(lambda: pd.read_csv(path))
print(f"pandas read_csv: {read_csv_s:.3f} s for {len(df)} rows")
close = df["close"].to_numpy()
n = len(close)

# ATS: whole process, and engine run time as it reports.
out, ats_wall = timed(lambda: subprocess.run(
    [ats, "backtest", "--data", path, "--strategy", "sma_cross", "--param", "fast=10", "--param", "slow=30",
     "--param", "quantity=1", "--exchange-param", "market_fill=close", "--fee", "generic:taker=0.001",
     "--cash", "1000000000", "--json"], check=True, capture_output=True, text=True).stdout)
ats_json = json.loads(out)
print(f"ats: round trips {ats_json['round_trips']}, run {ats_json['run_seconds']:.4f} s "
      f"= {n / ats_json['run_seconds'] / 1e6:.1f} M bars/s, whole process {ats_wall:.3f} s "
      f"({read_csv_s / ats_wall:.2f}x pandas read_csv)")

# vectorbt: vectorised from_signals, cold (JIT) and warm.
import vectorbt as vbt

s = pd.Series(close)


def vbt_run():
    fast = vbt.MA.run(s, 10)
    slow = vbt.MA.run(s, 30)
    entries = fast.ma_crossed_above(slow)
    exits = fast.ma_crossed_below(slow)
    return vbt.Portfolio.from_signals(s, entries, exits, size=1, fees=0.001, init_cash=1e9, freq="1min")


pf, cold = timed(vbt_run)
warm = min(timed(vbt_run)[1] for _ in range(3))
print(f"vectorbt {vbt.__version__}: round trips {pf.trades.closed.count()} closed ({pf.trades.count()} with the open one), cold {cold:.3f} s, warm {warm:.4f} s "
      f"= {n / warm / 1e6:.2f} M bars/s")

# backtrader: event-driven, on the first BT_BARS bars (it is slow), rate extrapolated.
import backtrader as bt


class Cross(bt.Strategy):
    def __init__(self):
        self.cross = bt.ind.CrossOver(bt.ind.SMA(period=10), bt.ind.SMA(period=30))

    def next(self):
        if self.cross > 0 and not self.position:
            self.buy(size=1)
        elif self.cross < 0 and self.position:
            self.close()


sub = df.iloc[:BT_BARS].copy()
sub.index = pd.to_datetime(sub["time"], utc=True)
cerebro = bt.Cerebro(stdstats=False)
cerebro.adddata(bt.feeds.PandasData(dataname=sub[["open", "high", "low", "close", "volume"]]))
cerebro.addstrategy(Cross)
cerebro.broker.setcash(1e9)
cerebro.broker.setcommission(commission=0.001)
cerebro.broker.set_coc(True)  # fill market orders at the signal bar's close
cerebro.addanalyzer(bt.analyzers.TradeAnalyzer, _name="trades")
res, bt_s = timed(cerebro.run)
closed = res[0].analyzers.trades.get_analysis().get("total", {}).get("closed", 0)
print(f"backtrader {bt.__version__}: {BT_BARS} bars, round trips {closed}, {bt_s:.2f} s = {BT_BARS / bt_s:.0f} bars/s")

ats_rate = n / ats_json["run_seconds"]
print(f"ratios: ats / vectorbt warm = {ats_rate / (n / warm):.2f}x, ats / backtrader = {ats_rate / (BT_BARS / bt_s):.0f}x")
