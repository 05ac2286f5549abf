#!/usr/bin/env python3
"""The micro-place targeting list done with polars: the same per-cell work as `svd hotspots FILE --method cells
--tier partner` (README, "Micro-place targeting list").

Incidents, grid and land cells come from emerging_peer.py (one path for both hotspot peers): serious violence in a
district over the latest 36 months (partner tier: sensitive places kept), 150 m cells on the National Grid over the
districts' bounding box; places are the land cells (intersecting a district, or holding an incident), or every cell
of the rectangle with `--whole-rectangle`. Then, with polars:

- counts per cell over the 36 months, the latest 12 and the 12 before (one group_by), ranked by count, ties by cell;
- the concentration curve: the share of incidents in the top 1, 2, 5, 10, 25 and 50 % of places (ceil of the share
  of places), and the fewest places holding 25, 50 and 75 % of incidents;
- the back-test for n = 10, 20, 50: the previous 12 months' top n against the latest 12 months: hit rate, area
  share, PAI = hit rate / area share, how many of the latest top n were in the previous top n, and their Jaccard.

Writes the three tables (CSV) into --out and prints seconds per stage, `TOTAL_SECONDS` and `PEAK_RSS_KIB`.
`--compare DIR` reads svd's micro_places*.csv from DIR and prints both side by side.

Usage:
  cells_peer.py INCIDENTS.csv [--cell 150] [--months 36] [--whole-rectangle] [--out DIR] [--compare SVD_DIR]
"""
import math
import os
import sys

import numpy as np
import polars as pl

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_common as pc  # noqa: E402
from emerging_peer import area_grid, land_cells, read_incidents  # noqa: E402

PLACE_SHARES = [1, 2, 5, 10, 25, 50]
INCIDENT_SHARES = [25, 50, 75]
TOP_N = [10, 20, 50]


def main():
    ap = pc.grid_arguments(__doc__, "cells_peer", "svd's --out directory (partner tier) to compare with")
    args = ap.parse_args()

    clock = pc.Stopwatch()
    x, y, month, first, districts, geoms = read_incidents(args.csv, args.definitions, args.area, args.months,
                                                          "partner", clock)
    cell, T = args.cell, args.months
    ox, oy, cols, rows = area_grid(districts, cell)
    inc = pl.DataFrame({"cell": (np.floor((y - oy) / cell).astype(np.int64) * cols
                                 + np.floor((x - ox) / cell).astype(np.int64)), "month": month})
    counts = inc.group_by("cell").agg(
        pl.len().alias("incidents"),
        (pl.col("month") >= T - 12).sum().alias("latest_12_months"),
        ((pl.col("month") >= T - 24) & (pl.col("month") < T - 12)).sum().alias("previous_12_months"))
    clock.lap("cell counts (group_by)")
    if args.whole_rectangle:
        places = rows * cols
    else:
        land = land_cells(geoms, ox, oy, cols, rows, cell)
        land[counts["cell"].to_numpy()] = True
        places = int(land.sum())
    clock.lap("land mask")

    ranked = counts.sort(["incidents", "cell"], descending=[True, False])
    total = int(ranked["incidents"].sum())
    cum = ranked["incidents"].cum_sum().to_numpy()
    ranked = ranked.with_columns(
        pl.int_range(1, pl.len() + 1).alias("rank"),
        pl.format("E{}N{}", (ox + (pl.col("cell") % cols) * cell).cast(pl.Int64),
                  (oy + (pl.col("cell") // cols) * cell).cast(pl.Int64)).alias("cell_id"),
        (100 * pl.col("incidents") / total).alias("share_pct"),
        (100 * pl.col("incidents").cum_sum() / total).alias("cumulative_share_pct"))
    curve = []
    for s in PLACE_SHARES:
        k = math.ceil(s / 100 * places - 1e-9)
        held = cum[min(k, len(cum)) - 1] if k > 0 else 0
        curve.append((f"top {s}% of places", k, 100 * k / places, 100 * held / total))
    for s in INCIDENT_SHARES:
        k = int(np.searchsorted(cum, s / 100 * total * (1 - 1e-12))) + 1
        curve.append((f"{s}% of incidents", k, 100 * k / places, float(s)))
    concentration = pl.DataFrame(curve, schema=["line", "places", "places_pct", "incidents_pct"], orient="row")

    latest_total = int(ranked["latest_12_months"].sum())
    prev_rank = counts.filter(pl.col("previous_12_months") > 0).sort(["previous_12_months", "cell"], descending=[True, False])["cell"]
    now_rank = counts.filter(pl.col("latest_12_months") > 0).sort(["latest_12_months", "cell"], descending=[True, False])["cell"]
    latest = dict(zip(counts["cell"].to_list(), counts["latest_12_months"].to_list()))
    tests = []
    for n in TOP_N:
        before, now = set(prev_rank[:n].to_list()), set(now_rank[:n].to_list())
        hit = sum(latest[c] for c in before) / latest_total
        area = len(before) / places
        common = len(before & now)
        tests.append((n, len(before), 100 * hit, 100 * area, hit / area, common, common / len(before | now)))
    backtest = pl.DataFrame(tests, schema=["n", "cells", "hit_rate_pct", "area_share_pct", "pai", "stable", "jaccard"],
                            orient="row")
    clock.lap("rank, curve, back-test")

    os.makedirs(args.out, exist_ok=True)
    ranked.select("rank", "cell_id", "incidents", "share_pct", "cumulative_share_pct", "latest_12_months",
                  "previous_12_months").write_csv(os.path.join(args.out, "micro_places.csv"))
    concentration.write_csv(os.path.join(args.out, "micro_places_concentration.csv"))
    backtest.write_csv(os.path.join(args.out, "micro_places_backtest.csv"))
    clock.lap("write csv")

    print(f"{len(x)} incidents, {pc.month_label(first)} to {pc.month_label(first + T - 1)}; grid {cols}x{rows} of "
          f"{cell:g} m, {places} places, {ranked.height} with an incident")
    clock.report()
    if args.compare:
        compare(ranked, concentration, backtest, args.compare)


def compare(ranked, concentration, backtest, svd_dir):
    pl.Config.set_tbl_cols(-1)
    pl.Config.set_tbl_width_chars(160)
    read = lambda name: pl.read_csv(os.path.join(svd_dir, name), comment_prefix="#")  # noqa: E731
    svd = read("micro_places.csv")
    top = svd.select("rank", "cell_id", "incidents", "latest_12_months", "previous_12_months")
    same = top.join(ranked.select("rank", "cell_id", "incidents", "latest_12_months", "previous_12_months"),
                    on=["rank", "cell_id", "incidents", "latest_12_months", "previous_12_months"], how="semi").height
    print(f"\nsvd's listed top cells: {top.height}; same rank, cell, incidents and yearly counts in the peer: {same}")
    c = read("micro_places_concentration.csv").select("line", "places", "places_pct", "incidents_pct")
    print(c.join(concentration, on="line", suffix="_peer").with_columns(pl.col("^.*pct.*$").round(2)))
    b = read("micro_places_backtest.csv").select("n", "hit_rate_pct", "pai", "stable", "jaccard")
    print(b.join(backtest.select("n", "hit_rate_pct", "pai", "stable", "jaccard"), on="n", suffix="_peer")
          .with_columns(pl.col("hit_rate_pct_peer", "pai_peer", "jaccard_peer").round(2)))


if __name__ == "__main__":
    main()
