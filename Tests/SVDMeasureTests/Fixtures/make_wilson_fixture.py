#!/usr/bin/env python3
"""Independent reference for SVDMeasure's ProportionEstimate (Wilson score interval).

scipy.stats.binomtest(k, n).proportion_ci(confidence_level, method="wilson") gives the Wilson score interval
(without continuity correction), the method ProportionEstimate documents. No svd code is used.
Run:  python3 make_wilson_fixture.py > wilson_reference.csv
"""
from scipy.stats import binomtest

CASES = [(0, 1), (1, 1), (0, 10), (3, 10), (10, 10), (7, 20), (1, 50), (25, 50), (49, 50),
         (123, 400), (640, 1000), (5_000, 12_345), (11, 11), (2, 99_999)]
CONFIDENCES = [0.95, 0.998]

print("successes,trials,confidence,proportion,lower,upper")
for confidence in CONFIDENCES:
    for k, n in CASES:
        ci = binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
        print(f"{k},{n},{confidence},{float(k / n)!r},{float(ci.low)!r},{float(ci.high)!r}")
