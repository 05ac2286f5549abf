"""Helpers shared by the peers: the polars and DuckDB pipeline peers (pipeline_polars.py, pipeline_duckdb.py) and
the grid peers (emerging_peer.py, cells_peer.py).

The same rules as pipeline_peer.py (the pandas peer), without importing pandas: the serious-violence
scope from the definitions file, the area's districts in BNG from area.json, the age bands, and the two
output files in the layout pipeline_peer.py writes, so every peer (and DistrictCounts) can be diffed.
"""
import json
import os
import resource
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_AREA = os.path.join(REPO, "geodata", "kent-medway")
DEFAULT_DEFINITIONS = os.path.join(DEFAULT_AREA, "definitions.yaml")

# Open band last; "unknown" for blank or unusable ages, as the Kent & Medway assessment reports them.
AGE_BOUNDS = [0, 10, 18, 25, 35, 50, 65]
AGE_LABELS = ["0-9", "10-17", "18-24", "25-34", "35-49", "50-64", "65+"]
UNKNOWN_BAND = len(AGE_BOUNDS)
MAX_AGE = 120
# Hour slot for date-only rows (no time of day).
NO_HOUR = 24

DISTRICT_HEADER = "district_code,district_name,accepted,serious_violence"
CUBE_HEADER = "district,band,hour,weekday,month,count"


class Stopwatch:
    def __init__(self):
        self.stages = []
        self._t = time.perf_counter()

    def lap(self, name):
        now = time.perf_counter()
        self.stages.append((name, now - self._t))
        self._t = now

    def report(self):
        for name, secs in self.stages:
            print(f"  {name:<28} {secs:8.3f} s")
        print(f"TOTAL_SECONDS {sum(s for _, s in self.stages):.3f}")
        # Linux reports ru_maxrss in KiB.
        print(f"PEAK_RSS_KIB {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}")


def grid_arguments(doc, out, compare):
    """The options the grid peers (emerging_peer.py, cells_peer.py) share: the file, area, definitions, cell, months."""
    import argparse
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv")
    ap.add_argument("--area", default=DEFAULT_AREA)
    ap.add_argument("--definitions", default=DEFAULT_DEFINITIONS)
    ap.add_argument("--cell", type=float, default=150.0)
    ap.add_argument("--months", type=int, default=36)
    ap.add_argument("--whole-rectangle", action="store_true")
    ap.add_argument("--out", default=out)
    ap.add_argument("--compare", help=compare)
    return ap


def normalise_category(s):
    """Same rule as the definitions file states: lower case; '-', '_', '/' read as spaces; '&' as 'and'."""
    s = s.lower().replace("&", " and ")
    for c in "-_/":
        s = s.replace(c, " ")
    return " ".join(s.split())


def serious_violence_categories(path):
    """The `serious_violence:` block list of the definitions YAML (kept dependency-free: no PyYAML)."""
    cats, inside = set(), False
    with open(path, encoding="utf-8") as f:
        for line in f:
            stripped = line.split("#", 1)[0].rstrip()
            if not stripped:
                continue
            if not line[0].isspace():
                inside = stripped.startswith("serious_violence:")
                continue
            if inside and stripped.lstrip().startswith("- "):
                cats.add(normalise_category(stripped.lstrip()[2:].strip().strip("'\"")))
    if not cats:
        sys.exit(f"{path}: no serious_violence list found")
    return cats


def in_scope_values(values, sv):
    """The raw offence strings (as they appear in the file) that normalise to a serious-violence category.
    Normalising each distinct value once, not each row."""
    return [v for v in values if v is not None and normalise_category(v) in sv]


def area_districts(area_dir):
    """[(code, name, [polygon rings ...])] from area.json (BNG metres), in the file's order."""
    with open(os.path.join(area_dir, "area.json"), encoding="utf-8") as f:
        area = json.load(f)
    if area.get("crs") not in (None, "EPSG:27700"):
        print(f"warning: area.json crs is {area.get('crs')}, not EPSG:27700", file=sys.stderr)
    return [(d["code"], d["name"], d["polygons"]) for d in area["districts"]]


def shapely_districts(districts):
    import shapely
    return [shapely.MultiPolygon([shapely.Polygon(rings[0], rings[1:]) for rings in polys])
            for _, _, polys in districts]


def assign_districts(x, y, geoms):
    """Vectorised point-in-polygon per district: bounding-box prefilter, then prepared contains_xy.
    Index into `geoms`, -1 outside every district; a point on a shared boundary is in neither (contains)."""
    import numpy as np
    import shapely
    which = np.full(len(x), -1, dtype=np.int16)
    for k, geom in enumerate(geoms):
        shapely.prepare(geom)
        xmin, ymin, xmax, ymax = geom.bounds
        cand = np.flatnonzero((which < 0) & (x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax))
        hit = shapely.contains_xy(geom, x[cand], y[cand])
        which[cand[hit]] = k
    return which


def write_district_counts(path, districts, accepted_by_index, sv_by_index):
    """pipeline_peer.py's layout: one row per district in area.json order, then `outside`.
    The two dicts map a district index (-1 = outside) to a count."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(DISTRICT_HEADER + "\n")
        for k, (code, name, _) in enumerate(districts):
            f.write(f"{code},{csv_field(name)},{accepted_by_index.get(k, 0)},{sv_by_index.get(k, 0)}\n")
        f.write(f"outside,Outside the area,{accepted_by_index.get(-1, 0)},{sv_by_index.get(-1, 0)}\n")


def csv_field(s):
    return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\n') else s


def month_label(m):
    """Months are counted as year * 12 + month - 1."""
    return f"{m // 12:04d}-{m % 12 + 1:02d}"
