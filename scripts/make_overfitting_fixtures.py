#!/usr/bin/env python3
"""Reference numbers for the overfitting statistics (Tests/EngineTests/Research), computed
independently of the Swift code: scipy's normal distribution for PSR, SR0, DSR and MinBTL, and a
plain numpy/itertools CSCV for PBO (average ranks by scipy.stats.rankdata).

    python3 -m venv /tmp/statsvenv && /tmp/statsvenv/bin/pip install numpy scipy
    /tmp/statsvenv/bin/python scripts/make_overfitting_fixtures.py > Tests/EngineTests/Fixtures/overfitting/reference.json
"""
import itertools
import json
import math

import numpy as np
from scipy.stats import norm, rankdata

GAMMA = 0.5772156649015329


def factor(n):
    if n <= 1:
        return 0.0
    return (1 - GAMMA) * norm.ppf(1 - 1 / n) + GAMMA * norm.ppf(1 - 1 / (n * math.e))


def psr(sr, bench, t, skew, kurt):
    return float(norm.cdf((sr - bench) * math.sqrt(t - 1) / math.sqrt(1 - skew * sr + (kurt - 1) / 4 * sr * sr)))


def moments(r):
    r = np.asarray(r, dtype=float)
    m = r.mean()
    d = r - m
    var = (d ** 2).mean()
    return {
        "count": len(r), "mean": m, "standard_deviation": r.std(ddof=1),
        "skewness": (d ** 3).mean() / var ** 1.5, "kurtosis": (d ** 4).mean() / var ** 2,
    }


def sharpe(x):
    s = x.std(ddof=1)
    return x.mean() / s if s > 0 else 0.0


def pbo(matrix, blocks):
    t, n = matrix.shape
    bounds = [(b * t // blocks, (b + 1) * t // blocks) for b in range(blocks)]
    logits = []
    for chosen in itertools.combinations(range(blocks), blocks // 2):
        inside = np.concatenate([matrix[a:b] for k, (a, b) in enumerate(bounds) if k in chosen])
        outside = np.concatenate([matrix[a:b] for k, (a, b) in enumerate(bounds) if k not in chosen])
        is_sr = np.array([sharpe(inside[:, j]) for j in range(n)])
        oos_sr = np.array([sharpe(outside[:, j]) for j in range(n)])
        best = int(np.argmax(is_sr))  # the first of equals
        omega = rankdata(oos_sr, method="average")[best] / (n + 1)
        logits.append(math.log(omega / (1 - omega)))
    return sum(1 for x in logits if x <= 0) / len(logits), logits


rng = np.random.default_rng(20261204)
cases = {"factors": {str(n): factor(n) for n in [2, 10, 45, 100, 1000, 10000]}}
cases["quantiles"] = {repr(p): float(norm.ppf(p)) for p in [1e-12, 1e-6, 0.01, 0.02425, 0.3, 0.5, 0.8, 0.975, 0.999999]}
cases["cdf"] = {repr(x): float(norm.cdf(x)) for x in [-8.0, -3.0, -1.0, 0.0, 0.5, 1.96, 4.0]}
# PSR / DSR of a few return series against a few searches.
series = []
for k, (drift, scale, t) in enumerate([(0.001, 0.01, 500), (0.0005, 0.02, 2000), (-0.0002, 0.01, 300)]):
    r = rng.standard_t(5, size=t) * scale + drift
    m = moments(r)
    sr = m["mean"] / m["standard_deviation"]
    searches = []
    for trials, variance in [(1, 0.0), (10, 0.0004), (100, 0.001), (5000, 0.0002)]:
        bench = math.sqrt(variance) * factor(trials)
        searches.append({"trials": trials, "variance": variance, "benchmark": bench,
                         "dsr": psr(sr, bench, m["count"], m["skewness"], m["kurtosis"])})
    series.append({"returns": r.tolist(), "moments": m, "sharpe": sr,
                   "psr0": psr(sr, 0.0, m["count"], m["skewness"], m["kurtosis"]), "searches": searches})
cases["series"] = series
cases["min_btl"] = {str(n): {str(e): (factor(n) / e) ** 2 for e in [0.5, 1.0, 2.0]} for n in [2, 45, 100, 1000]}
# PBO: 12 trials of noise over 400 periods, one of them with a drift, and 8 blocks (70 splits);
# the same matrix with the drift removed.
matrix = rng.normal(0, 0.01, size=(400, 12))
with_drift = matrix.copy()
with_drift[:, 5] += 0.004
p1, l1 = pbo(with_drift, 8)
p2, l2 = pbo(matrix, 8)
cases["pbo"] = [
    {"blocks": 8, "returns": with_drift.T.tolist(), "probability": p1, "logits": l1},
    {"blocks": 8, "returns": matrix.T.tolist(), "probability": p2, "logits": l2},
]
print(json.dumps(cases))
