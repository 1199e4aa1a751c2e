#!/usr/bin/env python3
"""Regenerates the TA-Lib reference values the indicator tests compare against.

    pip install ta-lib numpy && python3 scripts/make_talib_fixtures.py

Writes Tests/EngineTests/Fixtures/talib/bars.csv (timestamp,open,high,low,close,volume; a seeded
random walk, so the file is reproducible) and one CSV per indicator call with one column per output;
an empty cell is TA-Lib's NaN (warm-up).
"""
import os
import numpy as np
import talib

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "EngineTests", "Fixtures", "talib")
N = 3000

rng = np.random.default_rng(20261125)
close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, N)))
open_ = np.concatenate([[100.0], close[:-1]]) * (1 + rng.normal(0, 0.002, N))
high = np.maximum(open_, close) * (1 + np.abs(rng.normal(0, 0.004, N)))
low = np.minimum(open_, close) * (1 - np.abs(rng.normal(0, 0.004, N)))
volume = rng.uniform(10, 1000, N)
# Round to 8 decimals so the CSV holds exactly the values TA-Lib saw.
open_, high, low, close, volume = (np.round(a, 8) for a in (open_, high, low, close, volume))
times = 1_640_995_200_000 + 60_000 * np.arange(N)


def fmt(v):
    return "" if np.isnan(v) else repr(float(v))


os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "bars.csv"), "w") as f:
    f.write("timestamp,open,high,low,close,volume\n")
    for i in range(N):
        f.write(f"{times[i]},{fmt(open_[i])},{fmt(high[i])},{fmt(low[i])},{fmt(close[i])},{fmt(volume[i])}\n")

# name -> (spec as `ats indicators` takes it, outputs)
CASES = {
    "sma_30": ("sma:period=30", [talib.SMA(close, 30)]),
    "sma_5": ("sma:period=5", [talib.SMA(close, 5)]),
    "ema_30": ("ema:period=30", [talib.EMA(close, 30)]),
    "ema_9": ("ema:period=9", [talib.EMA(close, 9)]),
    "wma_30": ("wma:period=30", [talib.WMA(close, 30)]),
    "wma_5": ("wma:period=5", [talib.WMA(close, 5)]),
    "obv": ("obv", [talib.OBV(close, volume)]),
    "dema_10": ("dema:period=10", [talib.DEMA(close, 10)]),
    "tema_10": ("tema:period=10", [talib.TEMA(close, 10)]),
    "natr_14": ("natr:period=14", [talib.NATR(high, low, close, 14)]),
    "max_20": ("max:period=20", [talib.MAX(close, 20)]),
    "min_20": ("min:period=20", [talib.MIN(close, 20)]),
    "mom_10": ("mom:period=10", [talib.MOM(close, 10)]),
    "roc_10": ("roc:period=10", [talib.ROC(close, 10)]),
    "var_5": ("var:period=5", [talib.VAR(close, 5, 1)]),
    "willr_14": ("willr:period=14", [talib.WILLR(high, low, close, 14)]),
    "stoch_5_3_3": ("stoch:fastk=5,slowk=3,slowd=3", list(talib.STOCH(high, low, close, 5, 3, 0, 3, 0))),
    "stoch_14_3_3": ("stoch:fastk=14,slowk=3,slowd=3", list(talib.STOCH(high, low, close, 14, 3, 0, 3, 0))),
    "mfi_14": ("mfi:period=14", [talib.MFI(high, low, close, volume, 14)]),
    "cci_14": ("cci:period=14", [talib.CCI(high, low, close, 14)]),
    "linreg_14": ("linreg:period=14", [talib.LINEARREG(close, 14), talib.LINEARREG_SLOPE(close, 14), talib.LINEARREG_INTERCEPT(close, 14)]),
    "plus_di_14": ("plus_di:period=14", [talib.PLUS_DI(high, low, close, 14)]),
    "minus_di_14": ("minus_di:period=14", [talib.MINUS_DI(high, low, close, 14)]),
    "adx_14": ("adx:period=14", [talib.ADX(high, low, close, 14)]),
    "rsi_14": ("rsi:period=14", [talib.RSI(close, 14)]),
    "rsi_6": ("rsi:period=6", [talib.RSI(close, 6)]),
    "stddev_20": ("stddev:period=20", [talib.STDDEV(close, 20, 1)]),
    "bbands_20_2_2": ("bbands:period=20,nbdevup=2,nbdevdn=2", list(talib.BBANDS(close, 20, 2, 2, 0))),
    "bbands_10_1.5_2.5": ("bbands:period=10,nbdevup=1.5,nbdevdn=2.5", list(talib.BBANDS(close, 10, 1.5, 2.5, 0))),
    "trange": ("trange", [talib.TRANGE(high, low, close)]),
    "atr_14": ("atr:period=14", [talib.ATR(high, low, close, 14)]),
    "atr_5": ("atr:period=5", [talib.ATR(high, low, close, 5)]),
    "macd_12_26_9": ("macd:fast=12,slow=26,signal=9", list(talib.MACD(close, 12, 26, 9))),
    "macd_5_35_5": ("macd:fast=5,slow=35,signal=5", list(talib.MACD(close, 5, 35, 5))),
    "kama_30": ("kama:period=30", [talib.KAMA(close, 30)]),
    "kama_10": ("kama:period=10", [talib.KAMA(close, 10)]),
    "stochrsi_14_5_3": ("stochrsi:period=14,fastk=5,fastd=3", list(talib.STOCHRSI(close, 14, 5, 3, 0))),
    "stochrsi_9_14_4": ("stochrsi:period=9,fastk=14,fastd=4", list(talib.STOCHRSI(close, 9, 14, 4, 0))),
    "trima_30": ("trima:period=30", [talib.TRIMA(close, 30)]),
    "trima_9": ("trima:period=9", [talib.TRIMA(close, 9)]),
}

with open(os.path.join(OUT, "cases.txt"), "w") as index:
    for name, (spec, outputs) in CASES.items():
        index.write(f"{name} {spec}\n")
        with open(os.path.join(OUT, f"{name}.csv"), "w") as f:
            for i in range(N):
                f.write(",".join(fmt(o[i]) for o in outputs) + "\n")
print("wrote", len(CASES), "cases to", os.path.normpath(OUT), "with TA-Lib", talib.__version__)
