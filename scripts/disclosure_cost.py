#!/usr/bin/env python3
"""What disclosure control costs an analyst: compare a public-tier run folder with a partner-tier run of the
same data (true counts), cell by cell, over every count column of every CSV table.

    python3 scripts/disclosure_cost.py PUBLIC_DIR PARTNER_DIR

Prints, per table and overall: count cells, share published unchanged, perturbed (and mean/max |change|),
shown as <N, and withheld [c]."""
import csv, os, sys

NOT_COUNTS = {"rank", "population", "band_population", "district_code", "district", "hour", "month", "strand", "label",
              "cohort", "financial_year", "offence_category", "scope", "location_type", "measure", "ci_method",
              "compared_with_area", "rank_in_district", "hotspot_id"}

def rows(path):
    with open(path, newline="") as f:
        lines = [l for l in f if not l.startswith("#")]
    return list(csv.reader(lines))

def is_count_column(name):
    return name not in NOT_COUNTS and not any(s in name for s in ("rate", "lower_95", "upper_95", "percent", "difference", "_pct", "share"))

def main(public, partner):
    total = dict(cells=0, same=0, perturbed=0, hidden=0, withheld=0, absdiff=0, maxdiff=0)
    print(f"{'table':32} {'cells':>7} {'same':>6} {'perturbed':>9} {'<N':>6} {'[c]':>6} {'mean|d|':>8} {'max|d|':>6}")
    for name in sorted(os.listdir(partner)):
        if not name.endswith(".csv") or not os.path.exists(os.path.join(public, name)):
            continue
        a, b = rows(os.path.join(public, name)), rows(os.path.join(partner, name))
        if not a or not b or a[0] != b[0] or len(a) != len(b):
            continue
        header = a[0]
        # Rows may be ordered differently (ranks): match on the first text column that is an identifier.
        key = next((i for i, h in enumerate(header) if h in ("district_code", "hour", "month", "cohort", "strand", "location_type", "measure", "offence_category")), 0)
        second = header.index("victim_age_band") if "victim_age_band" in header else header.index("suspect_age_band") if "suspect_age_band" in header else None
        index = {(r[key], r[second] if second is not None else ""): r for r in a[1:]}
        t = dict(cells=0, same=0, perturbed=0, hidden=0, withheld=0, absdiff=0, maxdiff=0)
        for r in b[1:]:
            pub = index.get((r[key], r[second] if second is not None else ""))
            if pub is None:
                continue
            for c, h in enumerate(header):
                if not is_count_column(h) or not r[c].lstrip("-").isdigit():
                    continue
                t["cells"] += 1
                v = pub[c]
                if v.startswith("<"):
                    t["hidden"] += 1
                elif v == "[c]":
                    t["withheld"] += 1
                elif v.lstrip("-").isdigit():
                    d = abs(int(v) - int(r[c]))
                    t["same" if d == 0 else "perturbed"] += 1
                    t["absdiff"] += d
                    t["maxdiff"] = max(t["maxdiff"], d)
        if t["cells"] == 0:
            continue
        shown = t["same"] + t["perturbed"]
        print(f"{name[:-4]:32} {t['cells']:7} {t['same']/t['cells']:6.1%} {t['perturbed']/t['cells']:9.1%} {t['hidden']/t['cells']:6.1%} "
              f"{t['withheld']/t['cells']:6.1%} {t['absdiff']/max(shown,1):8.2f} {t['maxdiff']:6}")
        for k in total:
            total[k] = max(total[k], t[k]) if k == "maxdiff" else total[k] + t[k]
    shown = total["same"] + total["perturbed"]
    c = max(total["cells"], 1)
    print(f"{'ALL':32} {total['cells']:7} {total['same']/c:6.1%} {total['perturbed']/c:9.1%} {total['hidden']/c:6.1%} "
          f"{total['withheld']/c:6.1%} {total['absdiff']/max(shown,1):8.2f} {total['maxdiff']:6}")

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
