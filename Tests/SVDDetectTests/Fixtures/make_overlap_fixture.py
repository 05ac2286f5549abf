#!/usr/bin/env python3
"""Independent reference for SVDDetect's OverlapEstimate (chance-corrected share of partner records with a
police counterpart, and the 95% interval of the share without one). No svd code is used.

For each group (records n, matched k, expected chance matches E, control shifts K), with p = k/n and c = E/n:
  linked   = (p - c)/(1 - c) clamped to [0, 1]
  known_*  = the unlinked share's interval with c treated as known: scipy's Wilson interval of p
             (binomtest(k, n).proportion_ci(method="wilson")) pushed through (p - c)/(1 - c), then 1 - that
  lower/upper = the interval OverlapEstimate documents, found here by root-finding (scipy brentq) on its
             defining inequality in the unlinked share u, not by its closed form:
               ((1 - c)u - q)^2 <= z^2/n * [(1 - c)u(1 - (1 - c)u) + u^2 c(1 - c)/K],  q = 1 - p,
             z = norm.ppf(0.975), clamped to [0, 1].
Run:  python3 make_overlap_fixture.py > overlap_reference.csv
"""
from scipy.optimize import brentq
from scipy.stats import binomtest, norm

CASES = [
    (1000, 450, 100.0, 4), (5000, 2300, 612.5, 4), (200, 90, 30.25, 4), (50, 20, 10.0, 4),
    (20, 20, 4.0, 4), (20, 0, 4.0, 4), (100, 10, 15.0, 4), (12345, 5000, 2469.0, 4),
    (1000, 450, 100.0, 1), (1000, 450, 100.0, 16), (30, 28, 25.0, 2), (3, 2, 2.5, 1),
    (100, 40, 0.0, 4), (400, 399, 150.75, 4), (1, 1, 0.5, 4), (250_000, 90_000, 31_250.0, 4),
]
Z = float(norm.ppf(0.975))


def clamp(x):
    return min(1.0, max(0.0, x))


def known(n, k, e):
    c = e / n
    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    lo_linked = clamp(float(ci.low - c) / (1 - c))
    hi_linked = clamp(float(ci.high - c) / (1 - c))
    return float(1 - hi_linked), float(1 - lo_linked)


def extended(n, k, e, shifts):
    c = e / n
    a = 1 - c
    q = 1 - k / n

    def g(u):
        return (a * u - q) ** 2 - Z * Z / n * (a * u * (1 - a * u) + u * u * c * a / shifts)

    # An inner point of the interval: the point estimate, or failing that (g = 0 there) the lowest grid point
    # where g < 0.
    inner = q / a
    if not g(inner) < 0:
        inner = next(i / 100_000 for i in range(1, 200_001) if g(i / 100_000) < 0)
    lower = 0.0 if g(0) <= 0 else brentq(g, 0, inner, xtol=1e-15, rtol=1e-15)
    if inner >= 1 or g(1) <= 0:
        upper = 1.0
    else:
        upper = brentq(g, inner, 1, xtol=1e-15, rtol=1e-15)
    return float(clamp(lower)), float(clamp(upper))


print("records,matched,expected_chance,control_shifts,linked,known_lower,known_upper,lower,upper")
for n, k, e, shifts in CASES:
    c = e / n
    linked = clamp((k / n - c) / (1 - c))
    kl, ku = known(n, k, e)
    lo, up = extended(n, k, e, shifts)
    print(f"{n},{k},{e!r},{shifts},{linked!r},{kl!r},{ku!r},{lo!r},{up!r}")
