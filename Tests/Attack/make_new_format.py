#!/usr/bin/env python3
"""Negative control for attack_tables.py: writes an output folder in the NEW published format from the
UNPROTECTED (--no-suppress) CSV tables of a run, with a crude cell-key-like perturbation of every count
(|noise| <= B, zeros stay zero), primary suppression "<t" of small published counts, a protective-marking
comment line on every CSV, and a manifest.json.  Differences are recomputed from the published counts and
rates/percentages are blanked (the attacker does not use them when counts are perturbed).

It is NOT svd's disclosure engine: it only exercises the attacker's reading of the new format and checks
that, with intervals of +-B, it makes no false claim (run the attacker with --truth on the source folder).

Usage: make_new_format.py TRUTH_DIR OUT_DIR [--noise 16] [--threshold 5] [--seed 1]
"""
import argparse
import csv
import hashlib
import json
import os
import re

COUNT_COLUMNS = {
    "district_summary": {"incidents", "last_12_months", "previous_12_months"},
    "cohort_summary": {"last_12_months", "previous_12_months", "fy_count", "previous_fy_count"},
    "location_type": {"incidents"},
    "strand_summary": {"incidents"},
    "offence_mix": {"incidents"},
    "victim_age_sex_by_district": {"female", "male", "sex_unknown", "all"},
    "suspect_age_sex_by_district": {"female", "male", "sex_unknown", "all"},
}
DIFFERENCES = {"difference": ("last_12_months", "previous_12_months")}


def is_count(table, col):
    if table in COUNT_COLUMNS:
        return col in COUNT_COLUMNS[table]
    if table == "district_change":
        return col.endswith("_last_12") or col.endswith("_previous_12")
    if table == "strand_by_district":
        return col not in ("district_code", "district") and not col.endswith("_rate_per_1000_per_year")
    if table == "hour_by_weekday":
        return col != "hour"
    if table == "monthly_trend":
        return col != "month"
    return False


def noise(seed, key, B):
    h = hashlib.sha256(f"{seed}|{key}".encode()).digest()
    return int.from_bytes(h[:4], "big") % (2 * B + 1) - B


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("truth_dir")
    ap.add_argument("out_dir")
    ap.add_argument("--noise", type=int, default=16)
    ap.add_argument("--threshold", type=int, default=5)
    ap.add_argument("--seed", default="1")
    a = ap.parse_args()
    B, t = a.noise, a.threshold
    os.makedirs(a.out_dir, exist_ok=True)

    def publish(key, v):
        p = v if v == 0 or B == 0 else max(0, v + noise(a.seed, key, B))
        return f"<{t}" if 1 <= p <= t - 1 else str(p)

    for f in sorted(os.listdir(a.truth_dir)):
        if not f.endswith(".csv") or f == "rejects.csv":
            continue
        table = f[:-4]
        with open(os.path.join(a.truth_dir, f), encoding="utf-8") as fh:
            rows = list(csv.reader(l for l in fh if not l.startswith("#")))
        cols, body = rows[0], rows[1:]
        out = []
        for r in body:
            key0 = "/".join(r[:3])
            new = list(r)
            for i, c in enumerate(cols):
                v = r[i]
                if table == "data_quality":
                    if c == "value" and re.fullmatch(r"-?\d+", v) and (r[0].startswith("serious violence") or r[0].startswith("accepted but")):
                        new[i] = publish(f"{table}|{key0}|{c}", int(v))
                    elif c == "percent":
                        new[i] = ""
                elif is_count(table, c) and re.fullmatch(r"-?\d+", v):
                    new[i] = publish(f"{table}|{key0}|{c}", int(v))
                elif re.search(r"rate|lower_95|upper_95|percent|share", c):
                    new[i] = ""
            for i, c in enumerate(cols):
                if c == "difference" or c.endswith("_difference"):
                    pre = c[: -len("difference")]
                    a_, b_ = (pre + "last_12_months", pre + "previous_12_months") if c == "difference" else (pre + "last_12", pre + "previous_12")
                    if a_ in cols and b_ in cols:
                        x, y = new[cols.index(a_)], new[cols.index(b_)]
                        new[i] = str(int(x) - int(y)) if re.fullmatch(r"\d+", x) and re.fullmatch(r"\d+", y) else "[c]"
            out.append(new)
        with open(os.path.join(a.out_dir, f), "w", encoding="utf-8", newline="") as fh:
            fh.write("# OFFICIAL — synthetic new-format test output (negative control for the attacker)\n")
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(cols)
            w.writerows(out)
    manifest = {"disclosure": {"tier": "public", "marking": "OFFICIAL", "threshold": t,
                               "perturbation": {"method": "cell-key", "max_abs_noise": B} if B else None, "min_base": 50}}
    with open(os.path.join(a.out_dir, "manifest.json"), "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=1)


if __name__ == "__main__":
    main()
