#!/usr/bin/env python3
"""Independent reference for SVDMeasure's rate confidence intervals.

Follows the PHE / Fingertips method (PHEindicatormethods `phe_rate`):
  counts < 10  -> exact Poisson limits from chi-square quantiles
                  lower = chi2.ppf(alpha/2, 2*O) / 2      (0 when O == 0)
                  upper = chi2.ppf(1 - alpha/2, 2*O + 2) / 2
  counts >= 10 -> Byar's approximation
                  lower = O * (1 - 1/(9*O) - z/(3*sqrt(O)))**3
                  upper = (O+1) * (1 - 1/(9*(O+1)) + z/(3*sqrt(O+1)))**3
                  z = norm.ppf(1 - alpha/2)
Limits on the count are divided by the population and scaled by the multiplier.
Run:  python3 make_rate_ci_fixture.py > rate_ci_reference.csv
"""
import math
from scipy.stats import chi2, norm

COUNTS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 20, 50, 100, 1000, 12345]
POPULATIONS = [1000, 8734, 152_300, 1_871_250]
CONFIDENCES = [0.95, 0.998]
MULTIPLIER = 1000.0


def limits(o, confidence):
    alpha = 1.0 - confidence
    if o < 10:
        lower = 0.0 if o == 0 else chi2.ppf(alpha / 2, 2 * o) / 2
        upper = chi2.ppf(1 - alpha / 2, 2 * o + 2) / 2
        return lower, upper, "exactPoisson"
    z = norm.ppf(1 - alpha / 2)
    lower = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
    upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3
    return lower, upper, "byar"


print("count,population,confidence,method,rate,lower,upper")
for confidence in CONFIDENCES:
    for population in POPULATIONS:
        for o in COUNTS:
            lo, up, method = limits(o, confidence)
            scale = MULTIPLIER / population
            print(f"{o},{population},{confidence},{method},{float(o * scale)!r},{float(lo * scale)!r},{float(up * scale)!r}")
