#!/usr/bin/env python3
"""Expected figures for PeopleAndPlacesTests, from incidents.csv and the ONS mid-2022 population file alone
(no svd code): peak suspect age, the 10-25 share with its Wilson interval (scipy binomtest), the population's
10-25 share, sex-specific rates with exact Poisson / Byar 95% limits (as make_rate_ci_fixture.py), the
sexual-violence profile and location types.

Every incident is in Maidstone (E07000110) in 2024; the run is `--from 2024-01 --to 2024-12`, so years = 1.
All offences are serious violence; 'rape' rows are the sexual-violence strand (offence rape, or domestic = yes).
Run:  python3 make_expected.py ../../../../../shared/geodata/kent-medway-population-sex-2022.csv > expected.csv
"""
import csv
import math
import sys
from collections import Counter

from scipy.stats import binomtest, chi2, norm

BANDS = [0, 10, 18, 25, 35, 50, 65]
YOUNG = range(10, 26)


def band(age):
    return max(i for i, lo in enumerate(BANDS) if lo <= age)


def limits(o):
    """PHE method: exact Poisson below 10, Byar from 10 (95%)."""
    if o < 10:
        lower = 0.0 if o == 0 else chi2.ppf(0.025, 2 * o) / 2
        return lower, chi2.ppf(0.975, 2 * o + 2) / 2
    z = norm.ppf(0.975)
    lower = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
    upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3
    return lower, upper


out = []


def put(key, value):
    out.append((key, value))


def rate(key, count, population):
    lo, up = limits(count)
    put(key + " count", count)
    put(key + " population", population)
    put(key + " rate", repr(count / population * 1000))
    put(key + " lower", repr(float(lo) / population * 1000))
    put(key + " upper", repr(float(up) / population * 1000))


rows = list(csv.DictReader(open("incidents.csv")))
pop = {}   # (code, sex, age) -> count; age 90 is 90+
for r in csv.DictReader(open(sys.argv[1])):
    pop[(r["lad_code"], r["sex"], 90 if r["age"] == "90+" else int(r["age"]))] = int(r["population"])
codes = sorted({k[0] for k in pop})
MAIDSTONE = "E07000110"


def residents(codes_, sex, ages):
    return sum(pop[(c, sex, a)] for c in codes_ for a in ages)


# Suspects by single year of age, peak, 10-25 share.
for role in ("victim", "suspect"):
    ages = Counter(int(r[role + "_age"]) for r in rows if r[role + "_age"])
    unknown = sum(1 for r in rows if not r[role + "_age"])
    known = sum(ages.values())
    peak = max(ages.values())
    young = sum(n for a, n in ages.items() if a in YOUNG)
    ci = binomtest(young, known).proportion_ci(confidence_level=0.95, method="wilson")
    put(f"{role} known", known)
    put(f"{role} unknown", unknown)
    put(f"{role} peak ages", "; ".join(str(a) for a in sorted(a for a, n in ages.items() if n == peak)))
    put(f"{role} peak count", peak)
    put(f"{role} aged 10-25", young)
    put(f"{role} share", repr(young / known))
    put(f"{role} lower", repr(float(ci.low)))
    put(f"{role} upper", repr(float(ci.high)))
    for a in sorted(ages):
        put(f"{role} age {a}", ages[a])
pshare = residents(codes, "persons", YOUNG) / residents(codes, "persons", range(0, 91))
put("population share 10-25", repr(pshare))
for role in ("victim", "suspect"):
    lo, hi = float(dict(out)[f"{role} lower"]), float(dict(out)[f"{role} upper"])
    put(f"{role} compared", "over" if lo > pshare else "under" if hi < pshare else "similar")

# Sex-specific rates in Maidstone, victims aged 10-17 (band 1).
for sex, code in (("female", "F"), ("male", "M")):
    n = sum(1 for r in rows if r["victim_age"] and band(int(r["victim_age"])) == 1 and r["victim_sex"] == code)
    rate(f"maidstone victim {sex} 10-17", n, residents([MAIDSTONE], sex, range(10, 18)))
    n = sum(1 for r in rows if r["suspect_age"] and band(int(r["suspect_age"])) == 1 and r["suspect_sex"] == code)
    rate(f"maidstone suspect {sex} 10-17", n, residents([MAIDSTONE], sex, range(10, 18)))

# The sexual-violence strand (rape rows), area-wide residents.
sexual = [r for r in rows if r["offence"] == "rape"]
put("sexual incidents", len(sexual))
for role in ("victim", "suspect"):
    for sex, code in (("female", "F"), ("male", "M")):
        for b in range(len(BANDS)):
            n = sum(1 for r in sexual if r[role + "_age"] and band(int(r[role + "_age"])) == b and r[role + "_sex"] == code)
            if n:
                put(f"sexual {role} {sex} band {b}", n)
    put(f"sexual {role} unknown age", sum(1 for r in sexual if not r[role + "_age"]))
n = sum(1 for r in sexual if r["victim_age"] and band(int(r["victim_age"])) == 1 and r["victim_sex"] == "F")
rate("sexual victim female 10-17", n, residents(codes, "female", range(10, 18)))

# Location types in Maidstone, and of the sexual-violence strand.
for t, n in sorted(Counter(r["location_type"] for r in rows).items()):
    put(f"maidstone location {t}", n)
for t, n in sorted(Counter(r["location_type"] for r in sexual).items()):
    put(f"sexual location {t}", n)

print("key,value")
for k, v in out:
    print(f"{k},{v}")
