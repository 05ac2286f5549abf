#!/usr/bin/env python3
"""An independent attacker for svd's PLACE-based outputs: hotspot maps and tables, Gi* and density cells, and the
hotspot map of the HTML report and its district packs.

It reads only published files (GeoJSON maps, CSV/Markdown tables, manifest.json, report HTML) plus the raw incident
extract an insider would hold (native schema: easting/northing, or longitude/latitude), and asks three questions:

  1. POSITIONS. Does any published vertex, centroid or cell centre lie within 5 m of an incident position, more often
     than chance?  Every published point within 5 m (plus the coordinates' own precision) of an incident is a hit.
     Points on a data-independent grid or at random places near incidents also hit by chance, so each group of
     points (one file, one kind) is compared with the same points moved by 64 random offsets of 25-75 m: a group whose
     hits are significantly above that chance level (Poisson tail < 1e-3 and more than twice the expected count) is
     tied to incident positions, and all its hits are findings.  A group whose coordinates are coarser than 20 m
     (e.g. centroids to 3 decimal degrees) cannot point at a position and is skipped.
  2. PLACES. Does a published hotspot outline, Gi* cell (with its band neighbourhood) or density cell (with its
     kernel radius) rest on fewer than k distinct places?  A place is counted greedily: incidents pairwise more than
     10 m apart (an address), among the incidents of the published period in the serious-violence scope (and, for a
     public-tier file, without the domestic abuse, sexual offences and dwelling incidents the public tier says it
     leaves out).  Outlines smaller than 0.5 ha are findings as well.
  3. SOLVING. Can a hidden (<5) count be solved from Gi* z values (z is linear in the neighbourhood sum: the slope and
     intercept are fitted on cells whose neighbourhoods are fully published, then cells with one unknown neighbour are
     solved, repeatedly), or do perturbed counts travel with z (which gives the true neighbourhood totals back)?  Does a
     raw kernel density rest on fewer than k places (a lone incident's density is exactly one kernel)?

The report draws outlines as SVG paths in pixels: the frame is georeferenced independently, by fitting scale and
offset of the drawn district boundaries to the area's boundary file (geodata/<area>/area.json, BNG) with iterated
closest points.  WGS84 -> BNG uses the OS Helmert transformation and Transverse Mercator formulae written out here.

Nothing of svd's code is used.  Usage:

  attack_places.py --raw incidents.csv PUBLISHED [PUBLISHED ...] [--k 5] [--area area.json] [--quiet]

PUBLISHED: output folders of `svd hotspots` / `svd assess`, or single .geojson/.csv/.html files.
Exit code 1 on any finding, 0 when none, 2 on bad input.
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import re
import sys
import xml.etree.ElementTree as ET

import numpy as np
from scipy.spatial import cKDTree

RADIUS = 5.0            # metres: a published point this close to an incident points at it
COARSE = 20.0           # metres: coordinates quantised this coarsely cannot point at a position
PLACE = 10.0            # metres: incidents closer than this are one place (an address)
TINY_HA = 0.5           # hectares: an outline smaller than this pinpoints a place
TRANSLATIONS = 64
SV_OFFENCES = {"homicide", "attempted murder", "violence with injury", "violence without injury", "robbery", "rape",
               "other sexual offences", "possession of weapons", "drug trafficking", "violence and sexual offences", "assault"}
SEXUAL = {"rape", "other sexual offences"}
YES = {"yes", "y", "true", "1", "t"}
NO = {"no", "n", "false", "0", "f"}


# ----------------------------------------------------------------------------------------------------------------
# Coordinates: ETRS89/WGS84 <-> OSGB36 National Grid (OS "A guide to coordinate systems in Great Britain")

AIRY = (6377563.396, 6356256.909)
GRS80 = (6378137.000, 6356752.3141)
F0, LAT0, LON0, E0, N0 = 0.9996012717, math.radians(49.0), math.radians(-2.0), 400000.0, -100000.0


def _cartesian(lat, lon, ell):
    a, b = ell
    e2 = (a * a - b * b) / (a * a)
    nu = a / np.sqrt(1 - e2 * np.sin(lat) ** 2)
    return nu * np.cos(lat) * np.cos(lon), nu * np.cos(lat) * np.sin(lon), (1 - e2) * nu * np.sin(lat)


def _geodetic(x, y, z, ell):
    a, b = ell
    e2 = (a * a - b * b) / (a * a)
    p = np.sqrt(x * x + y * y)
    lat = np.arctan2(z, p * (1 - e2))
    for _ in range(12):
        nu = a / np.sqrt(1 - e2 * np.sin(lat) ** 2)
        lat = np.arctan2(z + e2 * nu * np.sin(lat), p)
    return lat, np.arctan2(y, x)


def _helmert_to_osgb(x, y, z):
    tx, ty, tz, s = -446.448, 125.157, -542.060, 20.4894e-6
    arc = math.pi / (180 * 3600)
    rx, ry, rz = -0.1502 * arc, -0.2470 * arc, -0.8421 * arc
    return tx + (1 + s) * x - rz * y + ry * z, ty + rz * x + (1 + s) * y - rx * z, tz - ry * x + rx * y + (1 + s) * z


def _meridional(lat, b, n):
    d, s = lat - LAT0, lat + LAT0
    return b * F0 * ((1 + n + 1.25 * n * n + 1.25 * n ** 3) * d - (3 * n + 3 * n * n + 21 / 8 * n ** 3) * np.sin(d) * np.cos(s)
                     + (15 / 8 * n * n + 15 / 8 * n ** 3) * np.sin(2 * d) * np.cos(2 * s) - 35 / 24 * n ** 3 * np.sin(3 * d) * np.cos(3 * s))


def wgs84_to_bng(lon, lat):
    """Longitude/latitude in degrees (arrays) -> easting, northing in metres."""
    lon, lat = np.radians(np.asarray(lon, float)), np.radians(np.asarray(lat, float))
    x, y, z = _helmert_to_osgb(*_cartesian(lat, lon, GRS80))
    phi, lam = _geodetic(x, y, z, AIRY)
    a, b = AIRY
    e2 = (a * a - b * b) / (a * a)
    n = (a - b) / (a + b)
    sin, cos, tan = np.sin(phi), np.cos(phi), np.tan(phi)
    nu = a * F0 / np.sqrt(1 - e2 * sin ** 2)
    rho = a * F0 * (1 - e2) * (1 - e2 * sin ** 2) ** -1.5
    eta2 = nu / rho - 1
    m = _meridional(phi, b, n)
    i = m + N0
    ii = nu / 2 * sin * cos
    iii = nu / 24 * sin * cos ** 3 * (5 - tan ** 2 + 9 * eta2)
    iiia = nu / 720 * sin * cos ** 5 * (61 - 58 * tan ** 2 + tan ** 4)
    iv = nu * cos
    v = nu / 6 * cos ** 3 * (nu / rho - tan ** 2)
    vi = nu / 120 * cos ** 5 * (5 - 18 * tan ** 2 + tan ** 4 + 14 * eta2 - 58 * tan ** 2 * eta2)
    dl = lam - LON0
    return E0 + iv * dl + v * dl ** 3 + vi * dl ** 5, i + ii * dl ** 2 + iii * dl ** 4 + iiia * dl ** 6


# ----------------------------------------------------------------------------------------------------------------
# The raw extract

def norm_category(s):
    s = s.strip().lower().replace("&", " and ")
    s = re.sub(r"[-_/]", " ", s)
    return re.sub(r"\s+", " ", s).strip()


def month_of(text):
    t = text.strip()
    m = re.match(r"(\d{4})-(\d{2})", t)
    if m:
        return int(m.group(1)) * 12 + int(m.group(2)) - 1
    m = re.match(r"(\d{1,2})/(\d{1,2})/(\d{4})", t)
    if m:
        return int(m.group(3)) * 12 + int(m.group(2)) - 1
    return None


class Raw:
    """Positions (BNG) of every row, with month, scope and sensitivity flags."""

    def __init__(self, path):
        xs, ys, months, scope, sensitive = [], [], [], [], []
        with open(path, newline="", encoding="utf-8", errors="replace") as f:
            reader = csv.reader(f)
            header = [h.strip().lower().lstrip("\ufeff") for h in next(reader)]
            col = {h: i for i, h in enumerate(header)}

            def get(row, *names):
                for n in names:
                    i = col.get(n)
                    if i is not None and i < len(row):
                        return row[i]
                return ""
            bng = "easting" in col and "northing" in col
            lonlat = [], []
            for row in reader:
                try:
                    if bng:
                        x, y = float(get(row, "easting")), float(get(row, "northing"))
                    else:
                        x, y = float(get(row, "longitude", "lon")), float(get(row, "latitude", "lat"))
                except ValueError:
                    continue
                if not (math.isfinite(x) and math.isfinite(y)):
                    continue
                xs.append(x)
                ys.append(y)
                months.append(month_of(get(row, "datetime", "month", "date")) or -1)
                offence = norm_category(get(row, "offence", "crime type"))
                scope.append(offence in SV_OFFENCES)
                place = get(row, "location_type").strip().lower()
                sensitive.append(get(row, "domestic").strip().lower() in YES or offence in SEXUAL or "dwelling" in place
                                 or (place == "" and get(row, "public_place").strip().lower() in NO))
        x, y = np.array(xs), np.array(ys)
        if not bng:
            x, y = wgs84_to_bng(x, y)
        self.xy = np.column_stack([x, y]) if len(x) else np.zeros((0, 2))
        self.month = np.array(months)
        self.scope = np.array(scope, bool)
        self.sensitive = np.array(sensitive, bool)
        self.positions = np.unique(np.round(self.xy, 2), axis=0) if len(x) else self.xy
        self.tree = cKDTree(self.positions) if len(self.positions) else None

    def reference(self, period, public):
        """Incidents a published place may rest on: the period's serious violence (minus sensitive ones, public tier)."""
        keep = self.scope.copy()
        if period:
            keep &= (self.month >= period[0]) & (self.month <= period[1])
        if public:
            keep &= ~self.sensitive
        return self.xy[keep]


# ----------------------------------------------------------------------------------------------------------------
# Findings

class Report:
    def __init__(self, quiet):
        self.findings = []
        self.quiet = quiet

    def finding(self, source, text):
        self.findings.append((source, text))
        print(f"FINDING  {source}: {text}")

    def info(self, source, text):
        if not self.quiet:
            print(f"         {source}: {text}")


def poisson_tail(h, lam):
    """P(X >= h) for X ~ Poisson(lam)."""
    if h <= 0:
        return 1.0
    term = math.exp(-lam)
    below = 0.0
    for i in range(h):
        below += term
        term *= lam / (i + 1)
    return max(0.0, 1.0 - below) if below < 0.999999 else sum_tail(h, lam)


def sum_tail(h, lam):
    # Far in the tail: add the terms from h upward instead (no cancellation).
    log_term = -lam + h * math.log(lam) - math.lgamma(h + 1) if lam > 0 else (0.0 if h == 0 else -math.inf)
    total, i = 0.0, h
    while True:
        t = math.exp(log_term)
        total += t
        if t < 1e-300 or t < total * 1e-16:
            return total
        i += 1
        log_term += math.log(lam) - math.log(i)


def places_at_least(points, k, sep=PLACE):
    """Greedily picks incidents pairwise more than `sep` apart; stops at k. Returns how many were found (<= k)."""
    if len(points) == 0:
        return 0
    chosen = []
    s2 = sep * sep
    for x, y in points.tolist():
        if all((x - a) ** 2 + (y - b) ** 2 > s2 for a, b in chosen):
            chosen.append((x, y))
            if len(chosen) >= k:
                break
    return len(chosen)


def in_polygon(points, ring, margin=1.0):
    """Points (n×2) inside a ring (m×2, closed or open) by the even-odd rule, or within `margin` of its boundary."""
    if len(points) == 0:
        return np.zeros(0, bool)
    x, y = points[:, 0], points[:, 1]
    inside = np.zeros(len(points), bool)
    near = np.zeros(len(points), bool)
    r = np.asarray(ring, float)
    xj, yj = r[-1]
    for xi, yi in r:
        cond = ((yi > y) != (yj > y)) & (x < (xj - xi) * (y - yi) / ((yj - yi) if yj != yi else 1e-300) + xi)
        inside ^= cond
        # Distance to the edge (xj, yj)-(xi, yi).
        dx, dy = xi - xj, yi - yj
        L = dx * dx + dy * dy
        t = np.clip(((x - xj) * dx + (y - yj) * dy) / L, 0, 1) if L > 0 else np.zeros(len(x))
        near |= (x - xj - t * dx) ** 2 + (y - yj - t * dy) ** 2 <= margin * margin
        xj, yj = xi, yi
    return inside | near


def ring_area(ring):
    r = np.asarray(ring, float)
    if len(r) < 3:
        return 0.0
    x, y = r[:, 0] - r[0, 0], r[:, 1] - r[0, 1]
    return abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2


PLURAL = {"outline vertex": "outline vertices", "centroid": "centroids", "cell centre": "cell centres", "centroid dot": "centroid dots"}


def proximity(report, raw, source, kind, points, precision, rng):
    """Question 1 for one group of published points."""
    kinds = PLURAL.get(kind, kind + "s")
    pts = np.asarray(points, float).reshape(-1, 2)
    if len(pts) == 0 or raw.tree is None:
        return
    if precision >= COARSE:
        report.info(source, f"{len(pts)} {kinds} quantised to ~{precision:.0f} m: too coarse to point at a position")
        return
    reach = RADIUS + precision
    d, _ = raw.tree.query(pts, distance_upper_bound=reach)
    hit = d <= reach
    hits = int(hit.sum())
    chance = []
    for _ in range(TRANSLATIONS):
        angle, dist = rng.uniform(0, 2 * math.pi), rng.uniform(25, 75)
        dt, _ = raw.tree.query(pts + [dist * math.cos(angle), dist * math.sin(angle)], distance_upper_bound=reach)
        chance.append(int((dt <= reach).sum()))
    expected = float(np.mean(chance))
    tail = poisson_tail(hits, max(expected, 1e-9)) if hits > 0 else 1.0
    if hits >= 3 and tail < 1e-3 and hits > 2 * expected:
        report.finding(source, f"{hits} of {len(pts)} {kinds} lie within {reach:.1f} m of an incident "
                               f"(chance level {expected:.1f}, p = {tail:.1e}): the {kinds} are tied to incident positions")
        for i in np.flatnonzero(hit)[:20]:
            report.finding(source, f"  {kind} E {pts[i, 0]:.1f} N {pts[i, 1]:.1f} is {d[i]:.2f} m from an incident")
        if hits > 20:
            report.finding(source, f"  … and {hits - 20} more")
    else:
        report.info(source, f"{hits} of {len(pts)} {kinds} within {reach:.1f} m of an incident: chance level ({expected:.1f} expected)")


def check_outline(report, source, name, ring, reference, k, precision=0.15):
    """Question 2 for one outline (BNG ring); incidents within 1 m plus the coordinates' precision of it count as inside."""
    r = np.asarray(ring, float)
    area_ha = ring_area(r) / 10000
    margin = 1.0 + precision
    lo, hi = r.min(axis=0) - margin, r.max(axis=0) + margin
    box = reference[(reference[:, 0] >= lo[0]) & (reference[:, 0] <= hi[0]) & (reference[:, 1] >= lo[1]) & (reference[:, 1] <= hi[1])]
    inside = box[in_polygon(box, r, margin)] if len(r) >= 3 else box[:0]
    if len(r) < 3 or area_ha < TINY_HA:
        # A degenerate or tiny outline: the incidents at (or within 10 m of) it are what it shows.
        if len(r) >= 1:
            c = r.mean(axis=0)
            near = reference[np.hypot(reference[:, 0] - c[0], reference[:, 1] - c[1]) <= max(PLACE, math.sqrt(max(area_ha, 0) * 10000))]
            inside = near if len(near) > len(inside) else inside
        report.finding(source, f"{name}: outline of {area_ha:.3f} ha pinpoints a place ({len(inside)} incidents at it)")
    n = places_at_least(inside, k)
    if n < k:
        report.finding(source, f"{name}: rests on {n} distinct place{'s' if n != 1 else ''} (fewer than {k}; {len(inside)} incidents inside)")


# ----------------------------------------------------------------------------------------------------------------
# Published files

def read_md_notes(folder):
    """Every bullet note of every Markdown table in a folder, by table id."""
    notes = {}
    if not folder or not os.path.isdir(folder):
        return notes
    for f in os.listdir(folder):
        if f.endswith(".md"):
            with open(os.path.join(folder, f), encoding="utf-8") as fh:
                notes[f[:-3]] = [ln[2:] for ln in fh.read().splitlines() if ln.startswith("- ")]
    return notes


def period_of(folder):
    path = os.path.join(folder, "manifest.json") if folder else None
    if path and os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            m = json.load(f)
        p = m.get("period") or {}
        a, b = month_of(p.get("from", "")), month_of(p.get("to", ""))
        if a is not None and b is not None:
            return (a, b)
    return None


def tier_of(obj_marking, disclosure):
    if isinstance(disclosure, dict) and disclosure.get("tier"):
        return disclosure["tier"]
    if obj_marking == "OFFICIAL":
        return "public"
    if obj_marking:
        return "partner"
    return "unmarked"


def printed(value):
    """A printed number and half a unit of its last digit (so a rounded band still reaches the diagonal it covers)."""
    decimals = len(value.split(".")[1]) if "." in value else 0
    return float(value) + 0.5 * 10 ** -decimals


def parse_band(notes):
    for n in notes:
        m = re.search(r"distance band ([0-9.]+) m", n)
        if m:
            return printed(m.group(1))
    return None


def parse_emerging(notes):
    """Band, step length in months and the final step's last month of an emerging hot spot run, from its notes."""
    band = step = last = None
    for n in notes:
        m = re.search(r"within ([0-9.]+) m of each cell", n)
        if m:
            band = printed(m.group(1))
        m = re.search(r"by (month|quarter), (\d+) steps from (\d{4}-\d{2}) to (\d{4}-\d{2})", n)
        if m:
            step = 1 if m.group(1) == "month" else 3
            last = month_of(m.group(4))
    return band, step, last


def parse_radius(notes):
    for n in notes:
        m = re.search(r"radius ([0-9.]+) m", n)
        if m:
            return float(m.group(1))
    return None


def number(v):
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    try:
        return float(str(v).replace(",", ""))
    except ValueError:
        return None


def attack_geojson(report, raw, path, k, rng, folder_period, notes):
    with open(path, encoding="utf-8") as f:
        obj = json.load(f)
    name = obj.get("name") or os.path.basename(path)[:-8]
    tier = tier_of(obj.get("marking"), obj.get("svd_disclosure"))
    disclosure = obj.get("svd_disclosure") or {}
    perturbed = isinstance(disclosure.get("perturbation"), dict)
    public = tier == "public"
    source = os.path.relpath(path)
    reference = raw.reference(folder_period, public)
    report.info(source, f"{len(obj.get('features', []))} features, tier {tier}; {len(reference)} reference incidents")
    vertices, centres, cells = [], [], []
    shells = []
    for feat in obj.get("features", []):
        g = feat.get("geometry") or {}
        props = feat.get("properties") or {}
        polys = [g["coordinates"]] if g.get("type") == "Polygon" else g.get("coordinates", []) if g.get("type") == "MultiPolygon" else []
        shells += [(props, np.asarray(poly[0], float).reshape(-1, 2)) for poly in polys]
    # One conversion for every position of the file.
    if shells:
        flat = np.vstack([sh for _, sh in shells])
        e, n = wgs84_to_bng(flat[:, 0], flat[:, 1])
        bng = np.column_stack([e, n])
        at = 0
        rings = []
        for props, sh in shells:
            rings.append((props, bng[at:at + len(sh)]))
            at += len(sh)
    else:
        rings = []
    if rings:
        for props, ring in rings:
            closed = len(ring) > 1 and abs(ring[0, 0] - ring[-1, 0]) < 1e-6 and abs(ring[0, 1] - ring[-1, 1]) < 1e-6
            if name.startswith("hotspots_dbscan"):
                vertices.append(ring[:-1] if closed else ring)
                label = props.get("hotspot_id") or "hotspot"
                check_outline(report, source, f"{label} ({props.get('incidents')} incidents)", ring, reference, k)
            else:
                sq = ring[:-1] if closed else ring
                centre = sq.mean(axis=0)
                side = float(np.sqrt(ring_area(ring)))
                centres.append(centre)
                cells.append((centre, side, props))
    if vertices:
        proximity(report, raw, source, "outline vertex", np.vstack(vertices), 0.15, rng)
    if cells:
        proximity(report, raw, source, "cell centre", np.vstack(centres), 0.15, rng)
        final_reference = None
        if "emerging" in name:
            _, step, last = parse_emerging(notes.get(name, []))
            if step and last is not None:
                final_reference = raw.reference((last - step + 1, last), public)
        attack_cells(report, source, name, cells, reference, k, notes.get(name, []), perturbed, final_reference)


def neighbourhood_places(cells, reference, side, band, k, margin=0.0):
    """Distinct places (at most what k needs) among the reference incidents in each cell's band neighbourhood: the
    cells whose centres lie within the band of the cell's centre, the cell itself included. With a margin (cells read
    off a drawing), an incident within the margin of the neighbourhood counts: a finding must hold wherever the cell is."""
    if not len(cells):
        return []
    if not len(reference):
        return [0] * len(cells)
    tree = cKDTree(reference)
    reach = int(band // side) + 1
    centres = np.array([c[0] for c in cells]).reshape(-1, 2)
    out = []
    for centre, near in zip(centres, tree.query_ball_point(centres, (reach + 1) * side * math.sqrt(2))):
        pts = np.zeros((0, 2))
        if near:
            cand = reference[near]
            ok = np.zeros(len(cand), bool)
            shifts = [(0.0, 0.0)] if margin <= 0 else [(dx, dy) for dx in (-margin, 0.0, margin) for dy in (-margin, 0.0, margin)]
            for dx, dy in shifts:
                rel = np.floor((cand + (dx, dy) - (centre - side / 2)) / side)
                ok |= (rel[:, 0] ** 2 + rel[:, 1] ** 2) * side * side <= band * band * (1 + 1e-9)
            pts = cand[ok]
        out.append(places_at_least(pts, k))
    return out


def attack_emerging(report, source, cells, reference, final_reference, side, notes, k, band=None, margin=0.0):
    """Question 2 for emerging hot spot cells: a cell's band neighbourhood must rest on k places over the steps and,
    for every pattern but historical (whose final step is not significant), in the final step."""
    parsed_band, step, last = parse_emerging(notes)
    band = band or parsed_band or side * math.sqrt(2)
    overall = neighbourhood_places(cells, reference, side, band, k, margin)
    final = neighbourhood_places(cells, final_reference, side, band, k, margin) if final_reference is not None else [k] * len(cells)
    small = 0
    for (centre, s, props), n_all, n_final in zip(cells, overall, final):
        pattern = str(props.get("pattern", ""))
        historical = "historical" in pattern.lower()
        if n_all < k or (not historical and n_final < k):
            small += 1
            if small <= 20:
                which = f"{n_all} over the steps" if n_all < k else f"{n_final} in the final step"
                report.finding(source, f"emerging cell at E {centre[0]:.0f} N {centre[1]:.0f} ({pattern}): its neighbourhood rests on {which} distinct place(s), fewer than {k}")
    if small > 20:
        report.finding(source, f"  … {small - 20} more emerging cells on fewer than {k} places")
    report.info(source, f"{len(cells)} emerging cells, band {band:.1f} m; final step {'known' if final_reference is not None else 'unknown (not checked)'}")


def attack_cells(report, source, name, cells, reference, k, notes, perturbed, final_reference=None):
    """Questions 2 and 3 for Gi* and density cells."""
    tree = cKDTree(reference) if len(reference) else None
    side = round(float(np.median([c[1] for c in cells])), 1)
    if "emerging" in name:
        attack_emerging(report, source, cells, reference, final_reference, side, notes, k)
        return
    if "gistar" in name:
        band = parse_band(notes) or side * math.sqrt(2)
        reach = int(band // side) + 1
        offsets = [(dx, dy) for dx in range(-reach, reach + 1) for dy in range(-reach, reach + 1)
                   if (dx * dx + dy * dy) * side * side <= band * band * (1 + 1e-9)]
        small = 0
        mapped = [c for c in cells if "not significant" not in str(c[2].get("class", "")).lower()]
        nears = tree.query_ball_point(np.array([c[0] for c in mapped]).reshape(-1, 2), (reach + 1) * side * math.sqrt(2)) \
            if tree is not None and mapped else [[] for _ in mapped]
        for (centre, s, props), near in zip(mapped, nears):
            cls = str(props.get("class", ""))
            pts = np.zeros((0, 2))
            if near:
                cand = reference[near]
                # The cells within the band: offset (in cells) of each incident's cell from this one.
                rel = np.floor((cand - (centre - side / 2)) / side)
                ok = (rel[:, 0] ** 2 + rel[:, 1] ** 2) * side * side <= band * band * (1 + 1e-9)
                pts = cand[ok]
            n = places_at_least(pts, k)
            if n < k:
                small += 1
                if small <= 20:
                    report.finding(source, f"Gi* cell at E {centre[0]:.0f} N {centre[1]:.0f} ({cls}): its neighbourhood rests on {n} distinct place(s), fewer than {k}")
        if small > 20:
            report.finding(source, f"  … {small - 20} more Gi* cells on fewer than {k} places")
        solve_gistar(report, source, cells, side, band, perturbed)
    else:
        h = parse_radius(notes)
        if h is None:
            report.info(source, "no kernel radius in the notes (no Markdown table beside the map): density cells not checked for places")
            return
        raw_density = any("density_per_km2" in c[2] for c in cells)
        one_kernel = 3 / (math.pi * h * h) * 1e6
        small = 0
        for centre, s, props in cells:
            n = 0
            if tree is not None:
                # The nearest few hundred first; all within the radius only if they are not enough.
                d, idx = tree.query(centre, k=min(256, len(reference)), distance_upper_bound=h)
                idx = np.atleast_1d(idx)[np.atleast_1d(d) <= h]
                n = places_at_least(reference[idx], k)
                if n < k and len(idx) == min(256, len(reference)):
                    n = places_at_least(reference[tree.query_ball_point(centre, h)], k)
            if n < k:
                small += 1
                if small <= 20:
                    extra = ""
                    if raw_density and number(props.get("density_per_km2")) is not None:
                        extra = f"; its published density {number(props['density_per_km2']):.2f} is {number(props['density_per_km2']) / one_kernel:.2f} kernels"
                    report.finding(source, f"density cell at E {centre[0]:.0f} N {centre[1]:.0f}: {n} distinct place(s) within the {h:.0f} m radius, fewer than {k}{extra}")
        if small > 20:
            report.finding(source, f"  … {small - 20} more density cells on fewer than {k} places")


def solve_gistar(report, source, cells, side, band, perturbed):
    """Question 3: hidden counts from z (z = (S − a) / b in the neighbourhood sum S, same a, b for full neighbourhoods)."""
    zs = {}
    counts = {}
    hidden = set()
    for centre, s, props in cells:
        key = (int(round((centre[0] - side / 2) / side)), int(round((centre[1] - side / 2) / side)))
        z = number(props.get("z")) if "z" in props else None
        if z is not None and math.isfinite(z):
            zs[key] = z
        v = props.get("incidents")
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            counts[key] = float(v)
        elif isinstance(v, str) and v.startswith("<"):
            hidden.add(key)
    if not zs:
        return
    reach = int(band // side) + 1
    offsets = [(dx, dy) for dx in range(-reach, reach + 1) for dy in range(-reach, reach + 1)
               if (dx * dx + dy * dy) * side * side <= band * band * (1 + 1e-9)]
    # Fit S = a + b z on cells whose whole neighbourhood is published with a count.
    xs, ys = [], []
    for key, z in zs.items():
        nb = [(key[0] + dx, key[1] + dy) for dx, dy in offsets]
        if all(c in counts for c in nb):
            xs.append(z)
            ys.append(sum(counts[c] for c in nb))
    if len(xs) < 3 or len(set(xs)) < 2:
        report.info(source, f"z published for {len(zs)} cells, but too few fully published neighbourhoods to fit")
        return
    A = np.column_stack([np.ones(len(xs)), xs])
    (a, b), *_ = np.linalg.lstsq(A, np.array(ys), rcond=None)
    resid = np.abs(A @ [a, b] - ys)
    if perturbed:
        # Counts are noisy, z is not: S = a + b z gives the true neighbourhood totals once a, b are known.
        if b * 0.0005 < 0.5:
            report.finding(source, f"z published beside perturbed counts: z is linear in the true neighbourhood total "
                                   f"(fitted S = {a:.2f} + {b:.3f} z on {len(xs)} cells), to ±{b * 0.0005:.3f} incidents — "
                                   f"the totals the perturbation hides are given back")
        return
    if np.median(resid) > 0.5:
        report.info(source, f"z does not fit the published neighbourhood sums (median residual {np.median(resid):.2f})")
        return
    known = dict(counts)
    solved = 0
    progress = True
    while progress:
        progress = False
        for key, z in zs.items():
            nb = [(key[0] + dx, key[1] + dy) for dx, dy in offsets]
            unknown = [c for c in nb if c not in known]
            if len(unknown) != 1:
                continue
            value = a + b * z - sum(known[c] for c in nb if c in known)
            if abs(value - round(value)) > 0.25 or round(value) < 0:
                continue
            c = unknown[0]
            known[c] = float(round(value))
            progress = True
            if c in hidden or 1 <= round(value) <= 4:
                solved += 1
                if solved <= 20:
                    what = "hidden as <5" if c in hidden else "not published"
                    report.finding(source, f"Gi* cell E{c[0] * side:.0f}N{c[1] * side:.0f} ({what}) solved from z: {int(round(value))} incidents")
    if solved > 20:
        report.finding(source, f"  … {solved - 20} more small cell counts solved from z")
    if solved == 0:
        report.info(source, f"z fits the neighbourhood sums (S = {a:.2f} + {b:.3f} z) but no hidden count was isolated")


def attack_csv(report, raw, path, rng):
    with open(path, encoding="utf-8") as f:
        lines = [ln for ln in f.read().splitlines() if not ln.startswith("#")]
    rows = list(csv.reader(lines))
    if not rows:
        return
    header, body = rows[0], rows[1:]
    col = {h: i for i, h in enumerate(header)}
    source = os.path.relpath(path)
    if "centroid_lon" in col and "centroid_lat" in col:
        pts = []
        decimals = 6
        for r in body:
            lon, lat = number(r[col["centroid_lon"]]), number(r[col["centroid_lat"]])
            if lon is None or lat is None:
                continue
            decimals = min(decimals, len(r[col["centroid_lat"]].split(".")[-1]) if "." in r[col["centroid_lat"]] else 0)
            pts.append(wgs84_to_bng([lon], [lat]))
        if pts:
            precision = 111320 * 10 ** -decimals / 2
            proximity(report, raw, source, "centroid", np.array(pts).reshape(-1, 2), precision, rng)
    if "centre_easting" in col and "centre_northing" in col:
        pts = [(number(r[col["centre_easting"]]), number(r[col["centre_northing"]])) for r in body]
        pts = [p for p in pts if p[0] is not None and p[1] is not None]
        if pts:
            proximity(report, raw, source, "cell centre", np.array(pts), 0.5, rng)


# ---- the HTML report

def path_rings(d):
    """SVG path data (M/L/Z, absolute) -> list of rings of (x, y)."""
    rings, cur = [], []
    for cmd, args in re.findall(r"([MLZmlz])([^MLZmlz]*)", d):
        nums = [float(v) for v in re.findall(r"-?[0-9]*\.?[0-9]+(?:e-?\d+)?", args)]
        if cmd in "Mm":
            if cur:
                rings.append(cur)
            cur = [(nums[0], nums[1])]
            nums = nums[2:]
        for i in range(0, len(nums) - 1, 2):
            cur.append((nums[i], nums[i + 1]))
        if cmd in "Zz" and cur:
            rings.append(cur)
            cur = []
    if cur:
        rings.append(cur)
    return rings


def local(tag):
    return tag.split("}")[-1]


def georeference(district_rings_px, area):
    """Scale s and offsets (ox, oy) with px = ox + s·E, py = oy − s·N, fitted by iterated closest points."""
    px = np.array([p for rings in district_rings_px for r in rings for p in r], float)
    bng = np.array([p for d in area["districts"] for poly in d["polygons"] for ring in poly for p in ring], float)
    s = (px[:, 0].max() - px[:, 0].min()) / (bng[:, 0].max() - bng[:, 0].min())
    ox = px[:, 0].min() - s * bng[:, 0].min()
    oy = px[:, 1].min() + s * bng[:, 1].max()
    tree = cKDTree(bng)
    for _ in range(30):
        guess = np.column_stack([(px[:, 0] - ox) / s, (oy - px[:, 1]) / s])
        d, idx = tree.query(guess)
        keep = d <= np.percentile(d, 90) + 1e-9
        m = bng[idx[keep]]
        p = px[keep]
        # Least squares for (s, ox, oy): px = ox + s E ; py = oy − s N.
        A = np.zeros((2 * len(m), 3))
        A[0::2, 0], A[0::2, 1] = m[:, 0], 1
        A[1::2, 0], A[1::2, 2] = -m[:, 1], 1
        rhs = np.empty(2 * len(m))
        rhs[0::2], rhs[1::2] = p[:, 0], p[:, 1]
        (s2, ox2, oy2), *_ = np.linalg.lstsq(A, rhs, rcond=None)
        done = abs(s2 - s) / s < 1e-9 and abs(ox2 - ox) < 1e-6 and abs(oy2 - oy) < 1e-6
        s, ox, oy = s2, ox2, oy2
        if done:
            break
    guess = np.column_stack([(px[:, 0] - ox) / s, (oy - px[:, 1]) / s])
    d, _ = tree.query(guess)
    return s, ox, oy, float(np.median(d))


def attack_html(report, raw, path, k, rng, area):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    source = os.path.relpath(path)
    marking = re.search(r'<meta name="svd-marking" content="([^"]*)"', text)
    tier = tier_of(marking.group(1) if marking else None, None)
    title = re.search(r"<title>[^<]*?(\d{4}-\d{2}) to (\d{4}-\d{2})</title>", text)
    period = (month_of(title.group(1)), month_of(title.group(2))) if title else None
    reference = raw.reference(period, tier == "public")
    try:
        root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", text))
    except ET.ParseError as e:
        report.info(source, f"not XML ({e}); report not checked")
        return
    attack_html_emerging(report, raw, root, source, tier, period, k, rng, area)
    section = next((el for el in root.iter() if local(el.tag) == "section" and el.get("id") == "hotspots"), None)
    svg = next((el for el in section.iter() if local(el.tag) == "svg"), None) if section is not None else None
    if svg is None:
        report.info(source, "no hotspot map")
        return
    districts, outlines, dots = [], [], []
    for el in svg.iter():
        t = local(el.tag)
        if t == "path":
            fill = (el.get("fill") or "").lower()
            if fill in ("#eeeeee", "#f8f8f8"):
                districts.append(path_rings(el.get("d", "")))
            elif el.get("fill-opacity") is not None and fill not in ("none",):
                outlines.append(path_rings(el.get("d", "")))
        elif t == "circle" and el.get("r") == "3":
            dots.append((float(el.get("cx")), float(el.get("cy"))))
    if area is None or len(districts) != len(area["districts"]):
        report.info(source, "cannot georeference the hotspot map (area boundaries missing or districts differ)")
        return
    s, ox, oy, fit = georeference(districts, area)
    metres_per_px = 1 / s
    precision = 0.05 * metres_per_px + fit
    report.info(source, f"tier {tier}; map georeferenced at {metres_per_px:.1f} m per pixel (fit {fit:.2f} m); "
                        f"{len(outlines)} outlines, {len(dots)} centroid dots; {len(reference)} reference incidents")

    def to_bng(ring):
        r = np.asarray(ring, float)
        return np.column_stack([(r[:, 0] - ox) / s, (oy - r[:, 1]) / s])
    vertices = []
    for i, rings in enumerate(outlines):
        for ring in rings:
            b = to_bng(ring)
            vertices.append(b)
            check_outline(report, source, f"map outline {i + 1}", b, reference, k, precision)
    if vertices:
        proximity(report, raw, source, "outline vertex", np.vstack(vertices), precision, rng)
    if dots:
        proximity(report, raw, source, "centroid dot", to_bng(dots), precision, rng)
    # The profile table's areas: a hotspot of (almost) no area is a place.
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", text[text.find('id="hotspots"'):text.find("</section>", text.find('id="hotspots"'))], re.S):
        cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if len(cells) >= 3 and re.fullmatch(r"H\d+", cells[0].strip()):
            area_ha = number(cells[2])
            if area_ha is not None and area_ha < TINY_HA:
                report.finding(source, f"hotspot {cells[0].strip()} is published with an area of {cells[2].strip()} ha")


HISTORICAL_FILLS = {"#fee8c8", "#deebf7"}   # the report's colours of historical hot and cold spots


def attack_html_emerging(report, raw, root, source, tier, period, k, rng, area):
    """The report's emerging hot spot map: cells drawn as rectangles over the district boundaries."""
    section = next((el for el in root.iter() if local(el.tag) == "section" and el.get("id") == "emerging"), None)
    svg = next((el for el in section.iter() if local(el.tag) == "svg"), None) if section is not None else None
    if svg is None:
        return
    text = " ".join("".join(el.itertext()) for el in section.iter() if local(el.tag) == "p")
    districts, rects = [], []
    for el in svg.iter():
        t = local(el.tag)
        if t == "path" and (el.get("fill") or "").lower() in ("#eeeeee", "#f8f8f8"):
            districts.append(path_rings(el.get("d", "")))
        elif t == "rect" and el.get("fill") and el.get("x") is not None:
            rects.append((float(el.get("x")), float(el.get("y")), float(el.get("width")), float(el.get("height")), el.get("fill").lower()))
    if area is None or len(districts) != len(area["districts"]):
        report.info(source, "cannot georeference the emerging hot spot map")
        return
    s, ox, oy, fit = georeference(districts, area)
    side_m = re.search(r"of ([0-9.]+) m cells", text)
    if not side_m or not rects:
        report.info(source, "emerging map: no cells or no cell size")
        return
    side = float(side_m.group(1))
    cells = []
    for x, y, w, h, fill in rects:
        # The drawn square's top-left corner is the cell's north-west corner.
        west, north = (x - ox) / s, (oy - y) / s
        centre = np.array([west + side / 2, north - side / 2])
        cells.append((centre, side, {"pattern": "historical" if fill in HISTORICAL_FILLS else fill}))
    public = tier == "public"
    steps = re.search(r"over (\d+) (month|quarter)ly steps, (\d{4}-\d{2}) to (\d{4}-\d{2})", text)
    final_reference = None
    reference = raw.reference(period, public)
    if steps:
        step = 1 if steps.group(2) == "month" else 3
        last = month_of(steps.group(4))
        final_reference = raw.reference((last - step + 1, last), public)
        reference = raw.reference((month_of(steps.group(3)), last), public)
    precision = 0.05 / s + fit
    proximity(report, raw, source, "emerging cell centre", np.vstack([c[0] for c in cells]), precision, rng)
    # Corners are printed to a twentieth of a pixel and the frame fitted to about `fit`: allow for both.
    attack_emerging(report, source, cells, reference, final_reference, side, [text], k, margin=precision)


# ----------------------------------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("published", nargs="+", help="output folders, .geojson, .csv or .html files")
    ap.add_argument("--raw", required=True, help="the raw incident extract (native schema)")
    ap.add_argument("--k", type=int, default=5, help="distinct places a published place must rest on (default 5)")
    ap.add_argument("--area", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "geodata", "kent-medway", "area.json"),
                    help="area boundaries in BNG (svd's area.json) to georeference report maps")
    ap.add_argument("--seed", type=int, default=20261129)
    ap.add_argument("--quiet", action="store_true", help="print findings only")
    args = ap.parse_args(argv)
    if not os.path.exists(args.raw):
        print(f"attack_places: {args.raw}: no such file", file=sys.stderr)
        return 2
    raw = Raw(args.raw)
    area = None
    if os.path.exists(args.area):
        with open(args.area, encoding="utf-8") as f:
            area = json.load(f)
    report = Report(args.quiet)
    rng = np.random.default_rng(args.seed)
    files = []
    for p in args.published:
        if os.path.isdir(p):
            files += [(os.path.join(p, f), p) for f in sorted(os.listdir(p))]
        elif os.path.exists(p):
            files.append((p, os.path.dirname(p)))
        else:
            print(f"attack_places: {p}: no such file or folder", file=sys.stderr)
            return 2
    checked = 0
    for path, folder in files:
        if path.endswith(".geojson"):
            attack_geojson(report, raw, path, args.k, rng, period_of(folder), read_md_notes(folder))
        elif path.endswith(".csv"):
            attack_csv(report, raw, path, rng)
        elif path.endswith(".html"):
            attack_html(report, raw, path, args.k, rng, area)
        else:
            continue
        checked += 1
    print(f"attack_places: {checked} files, {len(raw.positions)} incident positions: "
          + (f"{len(report.findings)} findings" if report.findings else "no findings"))
    return 1 if report.findings else 0


if __name__ == "__main__":
    sys.exit(main())
