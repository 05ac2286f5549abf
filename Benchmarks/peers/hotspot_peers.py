#!/usr/bin/env python3
"""Reference ("peer") implementations for the svd detect stage, used for fixtures and timing.

    python hotspot_peers.py generate --n 100000 --seed 7 --out points.csv
    python hotspot_peers.py dbscan  --points points.csv --eps 100 --min-samples 10 [--eps-days 14] --out labels.csv
    python hotspot_peers.py gistar  --points points.csv --cell 200 --band 500 [--occupied-only] --out gistar.csv
    python hotspot_peers.py timing  [--sizes 100000,1000000]
    python hotspot_peers.py --fixtures [--dir Tests/SVDDetectTests/Fixtures]

DBSCAN is scikit-learn's DBSCAN(algorithm="kd_tree"). Its border points depend on input order, so the
reference labels are re-derived from sklearn's core points with svd's documented, order-free rules:
clusters ranked by core count (desc), then by their lowest (easting, northing) core point; a border point
takes the cluster of its nearest core point, ties to the lowest id. Core/noise flags are sklearn's own.
Gi* is esda.G_Local(y, DistanceBand(cell centres, band, binary), star=True, transform="B").
KDE is the quartic kernel evaluated directly with numpy.
Requirements: requirements.txt beside this file.
"""
import argparse
import csv
import math
import os
import sys
import time
import warnings

import numpy as np

warnings.simplefilter("ignore")


# ---------------------------------------------------------------- points

def town_points(n, seed, extent=(540000.0, 130000.0, 640000.0, 180000.0), towns=40, background=0.15,
                days=365):
    """Town-clustered incidents: Gaussian towns of varied size plus a uniform background, with days."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = extent
    cx = rng.uniform(x0 + 2000, x1 - 2000, towns)
    cy = rng.uniform(y0 + 2000, y1 - 2000, towns)
    weight = 1.0 / np.arange(1, towns + 1) ** 0.8
    weight /= weight.sum()
    spread = rng.uniform(250, 1500, towns)
    n_bg = int(n * background)
    town = rng.choice(towns, size=n - n_bg, p=weight)
    xs = np.concatenate([cx[town] + rng.normal(0, 1, n - n_bg) * spread[town], rng.uniform(x0, x1, n_bg)])
    ys = np.concatenate([cy[town] + rng.normal(0, 1, n - n_bg) * spread[town], rng.uniform(y0, y1, n_bg)])
    day = rng.integers(19000, 19000 + days, n)
    perm = rng.permutation(n)
    return xs[perm], ys[perm], day[perm]


def write_points(path, xs, ys, days):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["easting", "northing", "day"])
        for x, y, d in zip(xs, ys, days):
            w.writerow([repr(float(x)), repr(float(y)), int(d)])


def read_points(path):
    data = np.genfromtxt(path, delimiter=",", names=True)
    days = data["day"].astype(np.int64) if "day" in data.dtype.names else np.zeros(len(data), np.int64)
    return data["easting"].astype(float), data["northing"].astype(float), days


# ---------------------------------------------------------------- DBSCAN

def sklearn_dbscan(xs, ys, eps, min_samples, days=None, eps_days=None):
    """Returns (sklearn labels, core mask, seconds). The space-time case uses a precomputed matrix of squared
    distances (infinite outside the day window) with eps², so the comparison is dx*dx+dy*dy <= eps*eps."""
    from sklearn.cluster import DBSCAN
    t = time.perf_counter()
    if eps_days is None:
        model = DBSCAN(eps=eps, min_samples=min_samples, algorithm="kd_tree").fit(np.column_stack([xs, ys]))
    else:
        dx = xs[:, None] - xs[None, :]
        dy = ys[:, None] - ys[None, :]
        d2 = dx * dx + dy * dy
        d2[np.abs(days[:, None] - days[None, :]) > eps_days] = 1e300  # finite: sklearn rejects inf
        model = DBSCAN(eps=eps * eps, min_samples=min_samples, metric="precomputed").fit(d2)
    seconds = time.perf_counter() - t
    core = np.zeros(len(xs), bool)
    core[model.core_sample_indices_] = True
    return model.labels_, core, seconds


def canonical_labels(xs, ys, labels, core, eps, days=None, eps_days=None):
    """svd's order-free numbering and border rule, derived from sklearn's core points and clusters."""
    from sklearn.neighbors import KDTree
    ids = sorted({int(l) for l in labels[core]},
                 key=lambda l: (-int(np.sum(core & (labels == l))),
                                min(zip(xs[core & (labels == l)], ys[core & (labels == l)]))))
    rank = {l: i for i, l in enumerate(ids)}
    out = np.full(len(xs), -1, np.int64)
    for i in np.flatnonzero(core):
        out[i] = rank[int(labels[i])]
    core_idx = np.flatnonzero(core)
    if len(core_idx) == 0:
        return out
    tree = KDTree(np.column_stack([xs[core_idx], ys[core_idx]]))
    for i in np.flatnonzero(~core):
        near = core_idx[tree.query_radius([[xs[i], ys[i]]], r=eps * (1 + 1e-6))[0]]
        best = None
        for k in near:
            dx, dy = xs[i] - xs[k], ys[i] - ys[k]
            d2 = dx * dx + dy * dy
            if d2 > eps * eps or (eps_days is not None and abs(int(days[i]) - int(days[k])) > eps_days):
                continue
            key = (d2, out[k])
            if best is None or key < best:
                best = key
        if best is not None:
            out[i] = best[1]
            # sklearn's own border choice must also be a cluster within reach.
            assert labels[i] != -1
        else:
            assert labels[i] == -1
    return out


# ---------------------------------------------------------------- grid, Gi*, KDE

def grid_counts(xs, ys, cell):
    """Grid anchored on multiples of the cell size; row 0 is the southernmost row."""
    ox = math.floor(xs.min() / cell) * cell
    oy = math.floor(ys.min() / cell) * cell
    cols = int(math.floor((xs.max() - ox) / cell)) + 1
    rows = int(math.floor((ys.max() - oy) / cell)) + 1
    c = np.minimum(np.floor((xs - ox) / cell).astype(np.int64), cols - 1)
    r = np.minimum(np.floor((ys - oy) / cell).astype(np.int64), rows - 1)
    counts = np.zeros(rows * cols)
    np.add.at(counts, r * cols + c, 1.0)
    return ox, oy, cols, rows, counts


def esda_gistar(ox, oy, cols, rows, cell, counts, band, occupied_only):
    import esda
    import libpysal
    idx = np.arange(rows * cols)
    if occupied_only:
        idx = idx[counts > 0]
    centres = np.column_stack([ox + (idx % cols + 0.5) * cell, oy + (idx // cols + 0.5) * cell])
    t = time.perf_counter()
    w = libpysal.weights.DistanceBand(centres, threshold=band, binary=True, silence_warnings=True)
    g = esda.G_Local(counts[idx], w, star=True, transform="B", permutations=0)
    seconds = time.perf_counter() - t
    return idx, g, seconds


def bh_qvalues(p):
    from scipy.stats import false_discovery_control
    q = np.full(len(p), np.nan)
    ok = ~np.isnan(p)
    q[ok] = false_discovery_control(p[ok], method="bh")
    return q


def hotspot_class(z, q):
    """-3…3: cold 99/95/90, none, hot 90/95/99, from BH-adjusted two-sided p."""
    out = np.zeros(len(z), np.int64)
    for level, alpha in ((1, 0.10), (2, 0.05), (3, 0.01)):
        sig = (~np.isnan(q)) & (q <= alpha)
        out[sig & (z > 0)] = level
        out[sig & (z < 0)] = -level
    return out


def kde_bandwidth(xs, ys):
    """ArcGIS Kernel Density default search radius: 0.9 · min(SD, √(1/ln 2) · Dm) · n^-0.2."""
    mx, my = xs.mean(), ys.mean()
    sd = math.sqrt(np.mean((xs - mx) ** 2) + np.mean((ys - my) ** 2))
    dm = float(np.median(np.hypot(xs - mx, ys - my)))
    return 0.9 * min(sd, math.sqrt(1 / math.log(2)) * dm) * len(xs) ** -0.2


def quartic_kde(xs, ys, ox, oy, cols, rows, cell, h):
    """Incidents per km² at cell centres: Σ 3/(π h²) (1 − d²/h²)² over points with d < h."""
    cxs = ox + (np.arange(cols) + 0.5) * cell
    cys = oy + (np.arange(rows) + 0.5) * cell
    gx, gy = np.meshgrid(cxs, cys)
    dens = np.zeros(rows * cols)
    gx, gy = gx.ravel(), gy.ravel()
    for x, y in zip(xs, ys):
        u2 = ((gx - x) ** 2 + (gy - y) ** 2) / (h * h)
        inside = u2 < 1
        dens[inside] += 3 / (math.pi * h * h) * (1 - u2[inside]) ** 2
    return dens * 1e6


# ---------------------------------------------------------------- fixtures

def write_dbscan_fixture(path, xs, ys, days, eps, min_samples, eps_days=None, hulls_path=None):
    labels, core, _ = sklearn_dbscan(xs, ys, eps, min_samples, days, eps_days)
    canon = canonical_labels(xs, ys, labels, core, eps, days, eps_days)
    with open(path, "w", newline="") as f:
        f.write(f"# eps={eps} min_samples={min_samples} eps_days={'' if eps_days is None else eps_days}\n")
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["easting", "northing", "day", "core", "sklearn_label", "label"])
        for i in range(len(xs)):
            w.writerow([repr(float(xs[i])), repr(float(ys[i])), int(days[i]), int(core[i]), int(labels[i]),
                        int(canon[i])])
    if hulls_path:
        from shapely.geometry import MultiPoint
        with open(hulls_path, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["cluster", "members", "convex_area_ha", "centroid_e", "centroid_n"])
            for c in range(int(canon.max()) + 1):
                m = canon == c
                hull = MultiPoint(np.column_stack([xs[m], ys[m]])).convex_hull
                w.writerow([c, int(m.sum()), repr(hull.area / 10000), repr(float(xs[m].mean())), repr(float(ys[m].mean()))])
    print(f"{os.path.basename(path)}: {len(xs)} points, {labels.max() + 1} clusters, "
          f"{int(core.sum())} core, {int(np.sum(labels == -1))} noise")


def write_gistar_fixture(path, xs, ys, cell, band, occupied_only):
    ox, oy, cols, rows, counts = grid_counts(xs, ys, cell)
    idx, g, _ = esda_gistar(ox, oy, cols, rows, cell, counts, band, occupied_only)
    p2 = 2 * g.p_norm
    q = bh_qvalues(p2)
    cls = hotspot_class(g.Zs, q)
    with open(path, "w", newline="") as f:
        f.write(f"# origin_e={ox!r} origin_n={oy!r} cell={cell!r} columns={cols} rows={rows} band={band!r} "
                f"observations={'occupied' if occupied_only else 'all'}\n")
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["cell", "count", "z", "p_norm", "q_bh", "class"])
        for k, i in enumerate(idx):
            w.writerow([int(i), int(counts[i]), repr(float(g.Zs[k])), repr(float(g.p_norm[k])),
                        repr(float(q[k])), int(cls[k])])
    print(f"{os.path.basename(path)}: {cols}x{rows} grid, {len(idx)} observations, "
          f"{int(np.sum(cls > 0))} hot, {int(np.sum(cls < 0))} cold")


def write_kde_fixture(path, xs, ys, cell):
    ox, oy, cols, rows, _ = grid_counts(xs, ys, cell)
    h = kde_bandwidth(xs, ys)
    dens = quartic_kde(xs, ys, ox, oy, cols, rows, cell, h)
    with open(path, "w", newline="") as f:
        f.write(f"# origin_e={ox!r} origin_n={oy!r} cell={cell!r} columns={cols} rows={rows} bandwidth={h!r}\n")
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["cell", "density_per_km2"])
        for i, d in enumerate(dens):
            w.writerow([i, repr(float(d))])
    print(f"{os.path.basename(path)}: {cols}x{rows} grid, bandwidth {h:.3f} m")


def write_points_fixture(path, xs, ys):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["easting", "northing"])
        for x, y in zip(xs, ys):
            w.writerow([repr(float(x)), repr(float(y))])


def fixtures(directory):
    os.makedirs(directory, exist_ok=True)
    small = (600000.0, 150000.0, 606000.0, 154000.0)
    # Town-clustered, continuous coordinates.
    xs, ys, days = town_points(3000, 11, extent=small, towns=8, background=0.25)
    write_dbscan_fixture(os.path.join(directory, "dbscan_towns.csv"), xs, ys, days, 100.0, 5,
                         hulls_path=os.path.join(directory, "dbscan_towns_hulls.csv"))
    # Snapped to a 10 m lattice with duplicates: distances exactly eps and border ties occur.
    xs2, ys2, days2 = town_points(2500, 12, extent=small, towns=6, background=0.2)
    xs2, ys2 = np.round(xs2 / 10) * 10, np.round(ys2 / 10) * 10
    write_dbscan_fixture(os.path.join(directory, "dbscan_snapped.csv"), xs2, ys2, days2, 50.0, 4)
    # Space-time.
    xs3, ys3, days3 = town_points(2000, 13, extent=small, towns=6, background=0.2, days=120)
    write_dbscan_fixture(os.path.join(directory, "dbscan_spacetime.csv"), xs3, ys3, days3, 150.0, 4, eps_days=14)
    # Gi*: full rectangle (product default) and occupied cells only; band 2.5 cells has no lattice ties,
    # band 5 cells exactly has ties at (3, 4) and (0, 5) that must be included.
    xs4, ys4, _ = town_points(4000, 14, extent=small, towns=7, background=0.3)
    write_points_fixture(os.path.join(directory, "gistar_points.csv"), xs4, ys4)
    write_gistar_fixture(os.path.join(directory, "gistar_all.csv"), xs4, ys4, 100.0, 250.0, False)
    write_gistar_fixture(os.path.join(directory, "gistar_occupied.csv"), xs4, ys4, 100.0, 250.0, True)
    write_gistar_fixture(os.path.join(directory, "gistar_band5.csv"), xs4, ys4, 200.0, 1000.0, False)
    xs5, ys5, _ = town_points(800, 15, extent=small, towns=4, background=0.2)
    write_points_fixture(os.path.join(directory, "kde_points.csv"), xs5, ys5)
    write_kde_fixture(os.path.join(directory, "kde_quartic.csv"), xs5, ys5, 150.0)


# ---------------------------------------------------------------- timing

def peak_rss_mb():
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timing(sizes, eps, min_samples, cell, band, out_dir):
    for n in sizes:
        xs, ys, days = town_points(n, 7)
        if out_dir:
            write_points(os.path.join(out_dir, f"town_points_{n}.csv"), xs, ys, days)
        labels, core, secs = sklearn_dbscan(xs, ys, eps, min_samples)
        print(f"sklearn DBSCAN kd_tree n={n} eps={eps} min_samples={min_samples}: {secs:.3f} s, "
              f"{labels.max() + 1} clusters, {int(core.sum())} core, {int(np.sum(labels == -1))} noise, "
              f"peak RSS so far {peak_rss_mb():.0f} MB", flush=True)
        ox, oy, cols, rows, counts = grid_counts(xs, ys, cell)
        idx, g, secs = esda_gistar(ox, oy, cols, rows, cell, counts, band, False)
        print(f"esda G_Local star n={n} grid {cols}x{rows} cell={cell} band={band}: {secs:.3f} s "
              f"(DistanceBand + G_Local), peak RSS so far {peak_rss_mb():.0f} MB", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", nargs="?", choices=["generate", "dbscan", "gistar", "timing"])
    ap.add_argument("--fixtures", action="store_true")
    ap.add_argument("--dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "..", "..", "Tests", "SVDDetectTests", "Fixtures"))
    ap.add_argument("--n", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--points")
    ap.add_argument("--out")
    ap.add_argument("--eps", type=float, default=100.0)
    ap.add_argument("--min-samples", type=int, default=10)
    ap.add_argument("--eps-days", type=int)
    ap.add_argument("--cell", type=float, default=200.0)
    ap.add_argument("--band", type=float, default=500.0)
    ap.add_argument("--occupied-only", action="store_true")
    ap.add_argument("--sizes", default="100000")
    args = ap.parse_args()

    if args.fixtures:
        fixtures(os.path.normpath(args.dir))
    elif args.mode == "generate":
        write_points(args.out, *town_points(args.n, args.seed))
    elif args.mode == "dbscan":
        xs, ys, days = read_points(args.points)
        labels, core, secs = sklearn_dbscan(xs, ys, args.eps, args.min_samples, days, args.eps_days)
        print(f"sklearn DBSCAN: {secs:.3f} s", file=sys.stderr)
        canon = canonical_labels(xs, ys, labels, core, args.eps, days, args.eps_days)
        with open(args.out, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["core", "sklearn_label", "label"])
            w.writerows(zip(core.astype(int), labels, canon))
    elif args.mode == "gistar":
        xs, ys, _ = read_points(args.points)
        ox, oy, cols, rows, counts = grid_counts(xs, ys, args.cell)
        idx, g, secs = esda_gistar(ox, oy, cols, rows, args.cell, counts, args.band, args.occupied_only)
        print(f"esda G_Local: {secs:.3f} s", file=sys.stderr)
        q = bh_qvalues(2 * g.p_norm)
        with open(args.out, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["cell", "count", "z", "p_norm", "q_bh"])
            for k, i in enumerate(idx):
                w.writerow([int(i), int(counts[i]), repr(float(g.Zs[k])), repr(float(g.p_norm[k])), repr(float(q[k]))])
    elif args.mode == "timing":
        timing([int(s) for s in args.sizes.split(",")], args.eps, args.min_samples, args.cell, args.band, args.out)
    else:
        ap.print_help()


if __name__ == "__main__":
    main()
