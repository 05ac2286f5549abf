#!/usr/bin/env python3
"""Independent reference for SVDMeasure's ChangeSignificance: the exact conditional test for two Poisson counts.

Given n = current + previous, current ~ Binomial(n, p0) under equal rates, p0 = e / (1 + e) with e the current
period's exposure over the previous one's. p-value: scipy.stats.binomtest(current, n, p0).pvalue (two-sided).
Rate-ratio interval: Clopper-Pearson limits of p (binomtest(...).proportion_ci(method="exact")) mapped by
RR = p / (1 - p) / e.
Run:  python3 make_change_test_fixture.py > change_test_reference.csv
"""
from scipy.stats import binomtest

PAIRS = [(0, 0), (0, 1), (1, 0), (3, 7), (5, 5), (10, 4), (12, 25), (40, 60), (94, 120), (120, 94),
         (250, 251), (1000, 1100), (1623, 1728), (3428, 3612), (5527, 5569), (28269, 29058), (996, 992), (61, 40)]
EXPOSURES = [1.0, 0.25]
print("current,previous,exposure,p_value,lower,upper")
for c, p in PAIRS:
    for e in EXPOSURES:
        n = c + p
        p0 = e / (1 + e)
        if n == 0:
            print(f"{c},{p},{e},1,0,inf")
            continue
        t = binomtest(c, n, p0)
        ci = t.proportion_ci(confidence_level=0.95, method="exact")
        lo = ci.low / (1 - ci.low) / e
        hi = float("inf") if ci.high >= 1 else ci.high / (1 - ci.high) / e
        print(f"{c},{p},{e},{float(t.pvalue)!r},{float(lo)!r},{float(hi)!r}")
