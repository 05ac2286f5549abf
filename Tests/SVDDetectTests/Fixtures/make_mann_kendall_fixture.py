#!/usr/bin/env python3
"""Mann–Kendall reference for MannKendallTests: writes mann_kendall.csv beside this script.

    python3 make_mann_kendall_fixture.py            # pymannkendall if importable, else scipy

Reference: pymannkendall.original_test (S, var_s with the ties correction, continuity-corrected z, two-sided p,
Tau = S / (n(n-1)/2)). Without pymannkendall the script falls back to scipy.stats.kendalltau(time, x), which is
Mann–Kendall's tau-b against time: S is recovered exactly as tau_b * sqrt(n0 - n1) * sqrt(n0) (n0 = n(n-1)/2, n1 the
tied pairs of x; time has no ties), var and z are then computed from the formulas, and p is scipy's, whose
p is not the same test (no continuity correction, and the exact distribution for short series without ties): it
differs from pymannkendall's by up to 0.19 on these series while S, var and z agree exactly. The fixture records which
reference wrote it in its header; the Swift test checks p only against pymannkendall.
Series (fixed seed): monthly counts with heavy ties (Poisson means 0.3 to 8), z-like continuous values with and
without a trend, constant and short series, 36 and 12 steps.
"""
import csv
import math
import os
import sys

import numpy as np

rng = np.random.default_rng(20240611)
series = []
for n in (36, 12):
    for mean in (0.3, 1.0, 3.0, 8.0):
        series.append(rng.poisson(mean, n).astype(float))
        trend = np.linspace(0.5 * mean, 1.5 * mean + 1, n)
        series.append(rng.poisson(trend).astype(float))
    for slope in (0.0, 0.05, -0.08):
        series.append(np.round(rng.normal(0, 1, n) + slope * np.arange(n), 6))
series.append(np.zeros(36))
series.append(np.arange(36, dtype=float))
series.append(np.arange(36, 0, -1, dtype=float))
series.append(np.array([0.0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]))
series.append(np.array([2.0, 1.0, 2.0, 3.0]))
series.append(np.array([1.0, 1.0, 2.0, 2.0, 2.0, 5.0, 1.0, 0.0, 5.0]))

try:
    import pymannkendall as mk
    reference = "pymannkendall-" + getattr(mk, "__version__", "1.4")

    def test(x):
        r = mk.original_test(x)
        return r.s, r.var_s, r.z, r.p, r.Tau
except ImportError:
    from scipy import stats
    reference = "scipy-kendalltau"

    def test(x):
        n = len(x)
        n0 = n * (n - 1) / 2
        _, counts = np.unique(x, return_counts=True)
        n1 = sum(t * (t - 1) / 2 for t in counts)
        tau, p = stats.kendalltau(np.arange(n), x)
        s = 0.0 if math.isnan(tau) else round(tau * math.sqrt(n0 - n1) * math.sqrt(n0))
        var = (n * (n - 1) * (2 * n + 5) - sum(t * (t - 1) * (2 * t + 5) for t in counts)) / 18
        z = 0.0 if var == 0 or s == 0 else (s - math.copysign(1, s)) / math.sqrt(var)
        return s, var, z, (1.0 if math.isnan(p) else p), s / n0

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mann_kendall.csv")
with open(out, "w", newline="") as f:
    f.write(f"# reference={reference}\n")
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["series", "s", "var_s", "z", "p", "tau"])
    for x in series:
        s, var, z, p, tau = test(x)
        w.writerow([";".join(repr(float(v)) for v in x), int(s), repr(float(var)), repr(float(z)), repr(float(p)), repr(float(tau))])
print(f"{len(series)} series -> {out} ({reference})", file=sys.stderr)
