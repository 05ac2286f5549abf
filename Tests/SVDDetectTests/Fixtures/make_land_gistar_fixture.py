#!/usr/bin/env python3
"""Gi* on a land-only grid: the reference for GiStarTests.testLandCellsMatchEsda.

Reads gistar_points.csv (beside this script), keeps the points on a crafted coast (a mainland with a bay, a
lake and an offshore island), lays the 100 m grid over the kept points as svd does (origin on multiples of the
cell), takes as land the cells whose closed square intersects the coast (shapely `box(...).intersects`), and
runs esda over those cells alone (the sea is absent, not zeros):
esda.G_Local(y, libpysal DistanceBand(centres, 250, binary=True), star=True, transform="B").

    python3 make_land_gistar_fixture.py      # writes gistar_land_polygons.csv and gistar_land.csv

numpy, scipy, shapely, esda and libpysal as pinned in Benchmarks/peers/requirements.txt.
"""
import csv
import math
import os

import esda
import libpysal
import numpy as np
from scipy.stats import false_discovery_control
from shapely.geometry import Point, Polygon, MultiPolygon, box

HERE = os.path.dirname(os.path.abspath(__file__))
CELL, BAND = 100.0, 250.0

# Mainland: the south and west of the 6 × 4 km box, a bay cut into the north-east coast, a lake inside;
# an island offshore to the north-east. Vertices off the 100 m lattice, so cells are cut at odd places.
MAINLAND = Polygon(
    [(599900.0, 149900.0), (606100.0, 149900.0), (606100.0, 151730.0), (604870.0, 152310.0),
     (603930.0, 151620.0), (603210.0, 152480.0), (602050.0, 153370.0), (599900.0, 153520.0)],
    holes=[[(600810.0, 150420.0), (601390.0, 150420.0), (601390.0, 150960.0), (600810.0, 150960.0)]])
ISLAND = Polygon([(604620.0, 153040.0), (605630.0, 152930.0), (605720.0, 153860.0), (604710.0, 153950.0)])
LAND = MultiPolygon([MAINLAND, ISLAND])


def main():
    with open(os.path.join(HERE, "gistar_points.csv")) as f:
        rows = list(csv.DictReader(f))
    xs = np.array([float(r["easting"]) for r in rows])
    ys = np.array([float(r["northing"]) for r in rows])
    keep = np.array([LAND.contains(Point(x, y)) for x, y in zip(xs, ys)])
    xs, ys = xs[keep], ys[keep]

    ox = math.floor(xs.min() / CELL) * CELL
    oy = math.floor(ys.min() / CELL) * CELL
    cols = int(math.floor((xs.max() - ox) / CELL)) + 1
    rows_ = int(math.floor((ys.max() - oy) / CELL)) + 1
    c = np.floor((xs - ox) / CELL).astype(np.int64)
    r = np.floor((ys - oy) / CELL).astype(np.int64)
    counts = np.zeros(rows_ * cols)
    np.add.at(counts, r * cols + c, 1.0)

    land = np.array([LAND.intersects(box(ox + (i % cols) * CELL, oy + (i // cols) * CELL,
                                         ox + (i % cols + 1) * CELL, oy + (i // cols + 1) * CELL))
                     for i in range(rows_ * cols)])
    assert np.all(land[counts > 0]), "an occupied cell off the land"
    idx = np.arange(rows_ * cols)[land]
    centres = np.column_stack([ox + (idx % cols + 0.5) * CELL, oy + (idx // cols + 0.5) * CELL])
    w = libpysal.weights.DistanceBand(centres, threshold=BAND, binary=True, silence_warnings=True)
    g = esda.G_Local(counts[idx], w, star=True, transform="B", permutations=0)
    q = false_discovery_control(2 * g.p_norm, method="bh")
    cls = np.zeros(len(idx), np.int64)
    for level, alpha in ((1, 0.10), (2, 0.05), (3, 0.01)):
        sig = q <= alpha
        cls[sig & (g.Zs > 0)] = level
        cls[sig & (g.Zs < 0)] = -level

    with open(os.path.join(HERE, "gistar_land_polygons.csv"), "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["polygon", "ring", "easting", "northing"])
        for p, poly in enumerate(LAND.geoms):
            for k, ring in enumerate([poly.exterior] + list(poly.interiors)):
                for x, y in ring.coords:
                    out.writerow([p, k, repr(x), repr(y)])
    with open(os.path.join(HERE, "gistar_land.csv"), "w", newline="") as f:
        f.write(f"# origin_e={ox!r} origin_n={oy!r} cell={CELL!r} columns={cols} rows={rows_} band={BAND!r} "
                f"observations=land points={len(xs)}\n")
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["cell", "count", "z", "p_norm", "q_bh", "class"])
        for k, i in enumerate(idx):
            out.writerow([int(i), int(counts[i]), repr(float(g.Zs[k])), repr(float(g.p_norm[k])), repr(float(q[k])), int(cls[k])])
    print(f"{len(xs)} of {len(rows)} points on land; grid {cols} x {rows_} = {rows_ * cols} cells, {len(idx)} land; "
          f"{int(np.sum(cls > 0))} hot, {int(np.sum(cls < 0))} cold")


if __name__ == "__main__":
    main()
