#!/usr/bin/env python3
"""Runs the attacker on the standard cases and prints the table of results (the README's tables).

  run_baseline.py --svd PATH/TO/svd --work DIR [--rows 300,1000,3000] [--seed 11] [--skip-generate] [--only TEXT]

For each size it writes the demo data and the outputs of every case into DIR, runs attack_tables.py on each case
with --truth, and prints one Markdown row per case.  Two engines are recognised (from `svd assess --help`):

  legacy  (per-table suppression, before the cell key method): protected outputs, truth = --no-suppress;
  current (cell key method, tiers): public outputs (must give nothing), the --no-perturb positive control,
          truth = --tier partner; a disclosure key file is written into DIR.

Exit code 1 if any claim was wrong or the model disagreed with the truth (an attacker bug), else 0.
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PERIODS = {"12": ["--from", "2025-11", "--to", "2026-10"], "24": ["--from", "2024-11", "--to", "2026-10"], "36": [],
           "23s": ["--from", "2024-12", "--to", "2026-10"], "24e": ["--from", "2024-10", "--to", "2026-09"]}
DISTRICTS = ["E06000035", "E07000105", "E07000106", "E07000107", "E07000108", "E07000109", "E07000110",
             "E07000111", "E07000112", "E07000113", "E07000114", "E07000115", "E07000116"]


def run(cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def engine_of(svd):
    h = subprocess.run([svd, "assess", "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    return "current" if "--tier" in h else "legacy"


def variants(engine):
    """(prefix, extra arguments, role) of the outputs written for every case."""
    if engine == "legacy":
        return [("a", [], "protected"), ("t", ["--no-suppress"], "truth")]
    return [("a", [], "public"), ("n", ["--no-perturb"], "no-perturb"), ("t", ["--tier", "partner"], "truth")]


def definitions_without_robbery(src, dst):
    """The area's definitions with 'robbery' moved from serious violence to out of scope (and renamed)."""
    out, section = [], None
    with open(src, encoding="utf-8") as f:
        for line in f:
            if line.startswith("name:"):
                line = "name: Kent & Medway serious violence without robbery (test variant)\n"
            if not line.startswith(" ") and line.strip().endswith(":"):
                section = line.strip()[:-1]
            if section == "serious_violence" and line.strip() == "- robbery":
                continue
            out.append(line)
            if line.startswith("out_of_scope:"):
                out.append("  - robbery\n")
    with open(dst, "w", encoding="utf-8") as f:
        f.writelines(out)


def generate(svd, work, n, seed, definitions, engine):
    data = os.path.join(work, f"d{n}.csv")
    run([svd, "demo", "--rows", str(n), "--seed", str(seed), "--out", data])

    def assess(tag, extra):
        for prefix, prot, _ in variants(engine):
            run([svd, "assess", data, "--out", os.path.join(work, f"{prefix}{n}_{tag}"), "--format", "csv,md,json",
                 "--quiet"] + extra + prot)
    for tag, extra in PERIODS.items():
        assess(tag, extra)
    assess("36nr", ["--definitions", definitions])
    for prefix, prot, _ in variants(engine):
        d = os.path.join(work, f"{prefix}rep{n}")
        os.makedirs(d, exist_ok=True)
        run([svd, "report", data, "--out", os.path.join(d, "report.html")] + prot)
        for code in DISTRICTS:
            run([svd, "report", data, "--district", code, "--out", os.path.join(d, f"pack_{code}.html")] + prot)


def cases(work, n, p, t):
    """(name, inputs, truths) with input prefix p and truth prefix t."""
    w = lambda x: os.path.join(work, x)
    packs = lambda pre: [w(f"{pre}rep{n}/pack_{c}.html") for c in DISTRICTS]
    yield "36 months", [w(f"{p}{n}_36")], [w(f"{t}{n}_36")]
    yield "24 months", [w(f"{p}{n}_24")], [w(f"{t}{n}_24")]
    yield "12 months", [w(f"{p}{n}_12")], [w(f"{t}{n}_12")]
    yield "report (36 months)", [w(f"{p}rep{n}/report.html")], [w(f"{t}rep{n}/report.html")]
    yield "report + Thanet pack", [w(f"{p}rep{n}/report.html"), w(f"{p}rep{n}/pack_E07000114.html")], \
        [w(f"{t}rep{n}/report.html"), w(f"{t}rep{n}/pack_E07000114.html")]
    yield "13 packs", packs(p), packs(t)
    yield "report + 13 packs", [w(f"{p}rep{n}/report.html")] + packs(p), [w(f"{t}rep{n}/report.html")] + packs(t)
    yield "24 months + 23 (start a month later)", [w(f"{p}{n}_24"), w(f"{p}{n}_23s")], [w(f"{t}{n}_24"), w(f"{t}{n}_23s")]
    yield "24 months + 24 ending a month earlier", [w(f"{p}{n}_24"), w(f"{p}{n}_24e")], [w(f"{t}{n}_24"), w(f"{t}{n}_24e")]
    yield "36 months + definitions without robbery", [w(f"{p}{n}_36"), w(f"{p}{n}_36nr")], [w(f"{t}{n}_36"), w(f"{t}{n}_36nr")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--svd", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--rows", default="300,1000,3000")
    ap.add_argument("--seed", default="11")
    ap.add_argument("--definitions", default=os.path.join(HERE, "..", "..", "geodata", "kent-medway", "definitions.yaml"))
    ap.add_argument("--skip-generate", action="store_true")
    ap.add_argument("--only", help="run only cases whose name contains this text")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    engine = engine_of(a.svd)
    key = os.path.join(a.work, "disclosure-key")
    if not os.path.exists(key):
        with open(key, "w") as f:
            f.write("000102030405060708090a0b0c0d0e0f\n")
    os.environ["SVD_DISCLOSURE_KEY_FILE"] = key
    defs = os.path.join(a.work, "definitions_without_robbery.yaml")
    definitions_without_robbery(a.definitions, defs)
    bad = False
    print("| rows | case | hidden cells | recovered | of which 1-4 | truth check | seconds | first route (ladder) | "
          "one route alone suffices |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n in [int(x) for x in a.rows.split(",")]:
        if not a.skip_generate:
            generate(a.svd, a.work, n, a.seed, defs, engine)
        roles = [(pre, role) for pre, _, role in variants(engine) if role != "truth"]
        for pre, role in roles:
            for name, inputs, truth in cases(a.work, n, pre, "t"):
                if len(roles) > 1:
                    name = f"{name} [{role}]"
                if a.only and a.only not in name:
                    continue
                out = os.path.join(a.work, f"result_{n}_{name.replace(' ', '_').replace('+', 'and').replace('(', '').replace(')', '')}.json")
                if os.path.exists(out):
                    os.remove(out)
                t0 = time.time()
                p = subprocess.run([sys.executable, os.path.join(HERE, "attack_tables.py"), *inputs, "--truth", *truth,
                                    "--json", out, "--quiet", "--route-matrix"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                dt = time.time() - t0
                if p.returncode not in (0, 1):
                    print(f"| {n} | {name} | error: {p.stderr.strip()} | | | | | |")
                    bad = True
                    continue
                r = json.load(open(out))
                tr = r["truth"]
                ok = tr["wrong"] == 0 and tr["model_consistent"]
                bad |= not ok
                num = lambda k: int(k[1:k.index(")")]) if k.startswith("(") else 99
                routes = "; ".join(f"{k.split(')')[0]})={v}" for k, v in sorted(r["by_route"].items(), key=lambda x: num(x[0])))
                alone = "; ".join(f"{k}={v}" for k, v in sorted((r.get("by_route_alone") or {}).items(), key=lambda x: num(x[0])))
                print(f"| {n} | {name} | {r['hidden_cells']} | {r['recovered']} | {r['recovered_small']} | "
                      f"{tr['correct']} correct, {tr['wrong']} wrong{'' if tr['model_consistent'] else ', MODEL INCONSISTENT'} | "
                      f"{dt:.1f} | {routes} | {alone} |", flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
