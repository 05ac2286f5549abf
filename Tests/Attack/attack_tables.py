#!/usr/bin/env python3
"""An independent disclosure attacker for svd's published outputs.

Reads ONLY published files -- `svd assess` output folders (CSV, else JSON, else Markdown tables) and `svd report`
HTML reports and district packs -- and tries to recover hidden counts exactly, the way an outsider with an LP/MILP
solver would.  Nothing of svd's code is imported or reused: every relation between published cells is re-derived
from the documented table semantics (README "Output tables" and the assessment sources) and written down here.

Model.  Unknown TRUE counts are non-negative integer atoms; every published count is a sum of atoms, bounded by
what its published value allows (exact, "<t", "*", "[c]", or an interval of +-B when the manifest says the counts
are perturbed).  Atom families (each per definitions layer L and per period segment, see below):

  Y[L,d,m,c]        all serious violence in district d, month m, victim-age class c (classes cut at the cohort ages)
  DT[L,s,d]         = sum of Y over the months of segment s               (district count in a segment)
  T[L,s,g]          = sum of DT over the districts of district-scope g    (g = a district with a pack, or REST)
  HW[L,s,g,h,w]     hour x weekday, sums to T                             LOC[L,s,g,t]  location type, sums to T
  VS[L,s,d,a,x]     victim age band x sex;  VB[L,s,d,a] = sum_x VS;  sum of VB over a class = sum of Y
  SS[L,s,d,b,x]     suspect age band x sex; SB = sum_x SS; sum_b SB = DT
  ST[L,k,m,g]       strand k by month (<= Y),  STD[L,k,s,d] strand by district (<= DT), linked through sums
  OFF[s,o]          every accepted incident in the area by offence category; the serious-violence categories
                    of layer L sum to the layer's DT total
  OUT[L,s]          serious violence outside every district; OUTALL[s] >= sum OUT (all scopes outside)
  ACC               accepted rows (data quality): ACC - outside-period = sum OFF + OUTALL over the period
  SRCM[L,q,m]       source q (police, A&E...; runs that read several sources) in the area in month m: sum over q =
                    the area's month count;  SRCD[L,q,s,d] by district and segment: sum over q = DT, sum over d =
                    sum of SRCM over the segment;  SH[L,q,s,h] by hour: sum over h = the source's count, sum over q =
                    the hour's count in HW  (--source-cube: one atom per source, district and month instead)
  CX[k,d,j]         partner context measure k in district d over a piece j of the published 12-month windows

Segments: the months covered by the periods of all inputs are cut at every period boundary, so two runs whose
periods differ by a month share all atoms but the extra month's.  Layers: runs whose definitions differ by some
offence categories (nested sets) share layer 0 and add layers for the extra categories.  District scopes: each
district with a pack gets its own hour x weekday / location / strand-by-month atoms, the rest share REST, so
"report minus packs" is in the model.

Solving: bound propagation with integer rounding (interval reasoning), then the model splits into connected
components; for each hidden cell the LP (HiGHS) min and max of its value are computed, and a MILP tightens the
interval when the LP one is narrow.  A cell is RECOVERED when min == max.  Random-objective LP/MILP solutions are
kept as witnesses: a cell seen at two integer values in feasible solutions cannot be recovered and is skipped.

Routes: each recovered cell is attributed to the smallest stage of published information that already pins it
(its own table; + the change tables that print the totals; + monthly trend; + age tables; + data quality; + the
other count tables; + printed percentages; + rank order; + the other inputs), see ROUTES.  The bracket after it
lists the tables of the proof the solver found (LP duals and the propagation reasons of the bounds they use).

Usage: attack_tables.py DIR_OR_HTML [...] [--truth DIR_OR_HTML ...] [--json out.json]
Exit code 1 if any hidden cell is recovered, 0 otherwise, 2 on bad input.  With --truth, a wrong claim or an
identity the unprotected tables contradict is printed as ATTACKER BUG (and counted in the JSON).
"""
from __future__ import annotations

import argparse
import csv
import html as htmlmod
import json
import math
import os
import re
import sys
import time
from collections import defaultdict
from html.parser import HTMLParser

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse.csgraph import connected_components

INF = float("inf")
TABLE_IDS = ["district_summary", "cohort_summary", "district_change", "strand_by_district",
             "victim_age_sex_by_district", "suspect_age_sex_by_district", "hour_by_weekday", "location_type",
             "monthly_trend", "strand_summary", "offence_mix", "data_quality",
             # people and places (README "Output tables"): single years of age, peak age and 10-25s, the
             # sexual-violence strand by age band and sex, location type by district and by strand
             "single_year_of_age", "age_profile", "sexual_violence_age_sex", "location_type_by_district",
             "location_type_by_strand",
             # measures, quarters, financial years and groupings (issue 10)
             # (kpi_summary and kpi_by_district are modelled by MS below but not read by default: one unknown per
             # measure, district and month made the multi-run cases take minutes; see README "Assumptions and limits")
             "quarterly_trend", "financial_year_by_district", "financial_year_by_strand", "grouping_summary"]
MEASURE_TABLE_IDS = ["kpi_summary", "kpi_by_district"]
READ_MEASURES = False   # --measures
# The by-source panel (runs that read several sources: police, A&E, ambulance...): each source's own counts, which
# add up over the sources to the all-sources tables above (per district, month and hour).  Read by default;
# --no-sources leaves them out (to measure what they add).
SOURCE_TABLE_IDS = ["source_summary", "source_by_district", "source_by_month", "source_by_hour"]
READ_SOURCES = True     # --no-sources
SOURCE_CUBE = False     # --source-cube
# Partner context figures (--context): each measure x district x month a count of its own, not tied to incidents.
CONTEXT_TABLE_IDS = ["context_by_district"]
READ_CONTEXT = True     # --no-context
PEOPLE_ROLES = ("victim", "suspect")
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
SEXES = ["female", "male", "sex_unknown"]
HIDDEN_MARKS = {"*", "[c]", "[x]", "[z]", "..", "x", ":"}


class InputError(Exception):
    pass


# ----------------------------------------------------------------------------------------------------------------
# Values

def norm(s) -> str:
    """Published text in a canonical plain form: no thousands separators, ASCII minus, no % sign."""
    if s is None:
        return ""
    s = htmlmod.unescape(str(s)).replace("\u2212", "-").replace("\u00a0", " ").replace("\u2013", "-").strip()
    t = s.replace(",", "")
    if re.fullmatch(r"[+-]?\d+(\.\d+)?%?", t):
        t = t.rstrip("%")
        return t[1:] if t.startswith("+") else t
    return s


def month_index(s: str) -> int:
    y, m = s.strip().split("-")[:2]
    return int(y) * 12 + int(m) - 1


def month_text(i: int) -> str:
    return f"{i // 12:04d}-{i % 12 + 1:02d}"


class Disclosure:
    """What a published value means: threshold t, perturbation bound B (0 = exact), and whether these are the
    unprotected (truth) outputs."""

    def __init__(self, t=5, B=0, truth=False, source="assumed (no manifest)", legacy=True):
        self.t, self.B, self.truth, self.source = t, B, truth, source
        # Legacy outputs (no manifest) keep hidden districts in rate order; the manifest format ranks published
        # values only and lists hidden districts after the ranked ones in code order.
        self.legacy = legacy

    def describe(self):
        return f"threshold {self.t}, perturbation +-{self.B}{' (TRUTH: not suppressed)' if self.truth else ''} [{self.source}]"


def count_interval(raw, d: Disclosure):
    """(lo, hi, hidden) for a published count, or None when the cell says nothing."""
    s = norm(raw)
    if s == "" or s.lower() in ("n/a", "-", "none"):
        return None
    if s in HIDDEN_MARKS or re.fullmatch(r"\[[a-z]+\]", s):
        return (0, INF, True)
    m = re.fullmatch(r"<\s*(\d+)", s)
    if m:
        t = int(m.group(1))
        return (1, t - 1 + d.B, True)
    if re.fullmatch(r"-?\d+", s):
        v = int(s)
        if d.B == 0:
            return (v, v, False)
        if v >= 1:
            return (max(1, v - d.B), v + d.B, False)
        if v == 0:
            return (0, d.B, False)
    return None


def difference_interval(raw, d: Disclosure):
    s = norm(raw)
    if re.fullmatch(r"-?\d+", s):
        v = int(s)
        return (v - 2 * d.B, v + 2 * d.B)
    return None


def percent_value(raw):
    """(value, half-width of its rounding) for a printed percentage, or None."""
    s = norm(raw)
    if not re.fullmatch(r"-?\d+(\.\d+)?", s):
        return None
    dec = len(s.split(".")[1]) if "." in s else 0
    return float(s), 0.5 * 10 ** (-dec)


# ----------------------------------------------------------------------------------------------------------------
# Reading published files

class Table:
    def __init__(self, tid, columns, rows, source, notes=None, title=None):
        self.id, self.columns, self.rows, self.source = tid, list(columns), rows, source
        self.notes, self.title = notes or [], title
        self.index = {c: i for i, c in enumerate(self.columns)}

    def get(self, row, col, default=""):
        i = self.index.get(col)
        return row[i] if i is not None and i < len(row) else default


def read_csv_table(path, tid):
    with open(path, encoding="utf-8-sig", newline="") as f:
        lines = f.read().splitlines()
    header = [l[1:].strip() for l in lines if l.startswith("#")]
    body = [l for l in lines if not l.startswith("#")]
    rows = list(csv.reader(body))
    if not rows:
        return None, header
    return Table(tid, rows[0], [[norm(v) for v in r] for r in rows[1:] if r], path), header


def json_cell(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        # JSON keeps no trailing zeros: the shortest form never claims more decimals than were printed, so a
        # percentage read from it gets a rounding interval at least as wide as the true one.
        t = f"{round(v, 6):.6f}".rstrip("0").rstrip(".")
        return t if t not in ("-0", "") else "0"
    return norm(v)


def read_json_table(path, tid):
    with open(path, encoding="utf-8") as f:
        obj = json.load(f)
    cols = obj.get("columns") or (list(obj["rows"][0].keys()) if obj.get("rows") else [])
    rows = [[json_cell(r.get(c)) for c in cols] for r in obj.get("rows", [])]
    return Table(tid, cols, rows, path, notes=obj.get("notes"), title=obj.get("title")), list(obj.get("header") or [])


def read_md_table(path, tid):
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    title, header, notes, cols, rows = None, [], [], None, []
    for l in lines:
        if l.startswith("## "):
            title = l[3:].strip()
        elif l.startswith(">"):
            header.append(l.lstrip("> ").strip("* "))
        elif l.startswith("|"):
            cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", l.strip())[1:-1]]
            if cols is None:
                cols = cells
            elif all(re.fullmatch(r"-+", c) for c in cells):
                continue
            else:
                rows.append([norm(c) for c in cells])
        elif l.startswith("- "):
            notes.append(l[2:])
    if cols is None:
        return None, header
    return Table(tid, cols, rows, path, notes=notes, title=title), header


def disclosure_from_manifest(obj, source):
    """The "disclosure" object of a manifest (or the object itself, as a report's svd-disclosure meta holds it)."""
    if not isinstance(obj, dict):
        return None
    d = obj.get("disclosure")
    if d is None and any(k in obj for k in ("perturbation", "threshold", "tier")):
        d = obj
    if not isinstance(d, dict):
        return None
    t = int(d.get("threshold") or 5)
    p = d.get("perturbation")
    B = 0
    if isinstance(p, dict):
        B = p.get("max_abs_noise")
        if B is None:   # perturbed, bound not stated: nothing can be pinned, so make the intervals useless
            B = 10 ** 6
        B = int(B)
    elif p not in (None, False, "none", "off"):
        B = 10 ** 6
    disc = Disclosure(t=t, B=B, source=source, legacy=False)
    # The partner tier publishes true counts: such an output is a truth, never a target.
    disc.truth = d.get("tier") == "partner" and B == 0
    return disc


class Pub:
    """One published input: an assess folder, an area report, or a district pack."""

    def __init__(self, path):
        self.path = path.rstrip("/")
        self.name = os.path.basename(self.path)
        self.kind = None            # tables | report | pack
        self.scope = None           # district name of a pack
        self.period = None          # (first month, last month)
        self.disc = None
        self.defs_name = None
        self.sv_full = None         # full serious-violence category list (report methods section)
        self.tables = {}
        self.cards = []
        self.dataset = None         # file accounting line(s): inputs with different data are not linked
        self.sources = []           # sources listed by the by-source tables
        self.context_end = None     # last month of context_by_district's latest 12 months
        self.warnings = []

    def file_of(self, tid):
        t = self.tables.get(tid)
        return t.source if t is not None else self.path


def load_folder(path):
    p = Pub(path)
    p.kind = "tables"
    headers = []
    for tid in TABLE_IDS + (MEASURE_TABLE_IDS if READ_MEASURES else []) + (SOURCE_TABLE_IDS if READ_SOURCES else []) + \
            (CONTEXT_TABLE_IDS if READ_CONTEXT else []):
        for ext, reader in (("csv", read_csv_table), ("json", read_json_table), ("md", read_md_table)):
            f = os.path.join(path, f"{tid}.{ext}")
            if os.path.exists(f):
                t, h = reader(f, tid)
                headers += h
                if t is not None:
                    p.tables[tid] = t
                break
    if not p.tables:
        raise InputError(f"{path}: no svd tables found")
    # Notes (definitions name, period) come from JSON or Markdown when the tables were read from CSV.
    for ext, reader in (("json", read_json_table), ("md", read_md_table)):
        f = os.path.join(path, f"district_summary.{ext}")
        if os.path.exists(f):
            t, _ = reader(f, "district_summary")
            for n in (t.notes if t else []):
                m = re.search(r"as defined in '(.*)'\.?$", n)
                if m:
                    p.defs_name = m.group(1)
            if t is not None and t.title and p.period is None:
                m = re.search(r"(\d{4}-\d{2}) to (\d{4}-\d{2})", t.title)
                if m:
                    p.period = (month_index(m.group(1)), month_index(m.group(2)))
            break
    mt = p.tables.get("monthly_trend")
    if mt is not None and mt.rows:
        months = [month_index(r[0]) for r in mt.rows if re.fullmatch(r"\d{4}-\d{2}", r[0])]
        if months:
            p.period = (min(months), max(months))
    if p.period is None:
        raise InputError(f"{path}: cannot tell the analysis period (no monthly_trend table or title)")
    if "context_by_district" in p.tables:
        # "..., 12 months to YYYY-MM" (JSON/Markdown title); a CSV has none: the period's last month, as for the
        # other 12-month columns.
        p.context_end = p.period[1]
        for ext, reader in (("json", read_json_table), ("md", read_md_table)):
            f = os.path.join(path, f"context_by_district.{ext}")
            if os.path.exists(f):
                t, _ = reader(f, "context_by_district")
                m = re.search(r"12 months to (\d{4}-\d{2})", (t.title or "") if t else "")
                if m:
                    p.context_end = month_index(m.group(1))
                break
    truth = any("NOT SUPPRESSED" in h for h in headers)
    man = os.path.join(path, "manifest.json")
    d = None
    if os.path.exists(man):
        with open(man, encoding="utf-8") as f:
            mobj = json.load(f)
        d = disclosure_from_manifest(mobj, man)
        if isinstance(mobj, dict) and isinstance(mobj.get("definitions"), str) and p.defs_name is None:
            p.defs_name = mobj["definitions"]
    if d is None:
        d = Disclosure(t=guess_threshold(p.tables.values()))
    d.truth = truth or d.truth
    if d.truth:
        d.B = 0
    p.disc = d
    dq = p.tables.get("data_quality")
    if dq is not None:
        p.dataset = tuple(sorted(r[0] + "=" + r[1] for r in dq.rows if r and (r[0].startswith("file ") or r[0] == "rows read")))
    return p


def guess_threshold(tables):
    for t in tables:
        for r in t.rows:
            for v in r:
                m = re.fullmatch(r"<\s*(\d+)", v)
                if m:
                    return int(m.group(1))
    return 5


class Node:
    __slots__ = ("tag", "attrs", "children")

    def __init__(self, tag, attrs):
        self.tag, self.attrs, self.children = tag, dict(attrs), []

    def text(self):
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self, tag=None):
        for c in self.children:
            if isinstance(c, Node):
                if tag is None or c.tag == tag:
                    yield c
                yield from c.iter(tag)

    def has_class(self, cls):
        return cls in (self.attrs.get("class") or "").split()


VOID = {"meta", "link", "br", "img", "input", "hr", "col", "area", "base", "source", "wbr"}


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("root", [])
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs)
        self.stack[-1].children.append(n)
        if tag not in VOID:
            self.stack.append(n)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, attrs))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def load_html(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    tb = TreeBuilder()
    tb.feed(text)
    root = tb.root
    p = Pub(path)
    h1 = next(root.iter("h1"), None)
    title = norm(h1.text()) if h1 else ""
    m = re.match(r"Serious violence local pack: (.*) \((.*)\), (\d{4}-\d{2}) to (\d{4}-\d{2})$", title)
    if m:
        p.kind, p.scope = "pack", m.group(1)
        p.period = (month_index(m.group(3)), month_index(m.group(4)))
    else:
        m = re.search(r"(\d{4}-\d{2}) to (\d{4}-\d{2})$", title)
        if not m:
            raise InputError(f"{path}: not an svd report (title {title!r})")
        p.kind = "report"
        p.period = (month_index(m.group(1)), month_index(m.group(2)))
    truth = any(n.has_class("warning") and "NOT SUPPRESSED" in n.text() for n in root.iter("p"))
    t = 5
    for n in root.iter("p"):
        if n.has_class("meta"):
            mm = re.search(r"Definitions: (.*?)\. Period:", norm(n.text()))
            if mm:
                p.defs_name = mm.group(1)
            mm = re.search(r"Counts below (\d+) are hidden", n.text())
            if mm:
                t = int(mm.group(1))
    d = None
    for n in root.iter("meta"):
        if n.attrs.get("name") == "svd-disclosure":
            try:
                d = disclosure_from_manifest(json.loads(n.attrs.get("content") or ""), f"{path} (svd-disclosure meta)")
            except ValueError:
                d = None
    for n in ([] if d else root.iter("script")):
        try:
            obj = json.loads(n.text())
        except ValueError:
            continue
        d = disclosure_from_manifest(obj, f"{path} (embedded manifest)") or (
            disclosure_from_manifest(obj.get("manifest", {}), f"{path} (embedded manifest)") if isinstance(obj, dict) else None)
        if d:
            break
    if d is None:
        stem = os.path.splitext(path)[0]
        for cand in (path + ".manifest.json", stem + ".manifest.json", stem + ".json",
                     os.path.join(os.path.dirname(path) or ".", "manifest.json")):
            if os.path.exists(cand):
                try:
                    with open(cand, encoding="utf-8") as f:
                        d = disclosure_from_manifest(json.load(f), cand)
                except ValueError:
                    d = None
                if d:
                    break
    if d is None:
        d = Disclosure(t=t)
        if re.search(r"perturb|cell-key|noise", text, re.I):
            d.B, d.source = 10 ** 6, "report mentions perturbation but no manifest gives its bound"
    d.truth = truth or d.truth
    if d.truth:
        d.B = 0
    p.disc = d
    # Tables by caption.
    for tn in root.iter("table"):
        cap = next(tn.iter("caption"), None)
        caption = norm(cap.text()) if cap else ""
        head = [norm(th.text()) for th in tn.iter("th")]
        rows = []
        for tr in tn.iter("tr"):
            tds = [norm(td.text()) for td in tr.children if isinstance(td, Node) and td.tag == "td"]
            if tds:
                rows.append(tds)
        src = f"{path}#{caption}"
        if caption.startswith("Rate by district"):
            p.tables["html_district_rates"] = Table("html_district_rates", head, rows, src)
        elif caption.startswith("Hour of day by weekday"):
            cols = [{"Hour": "hour", "Day unknown": "weekday_unknown", "All": "all"}.get(h, h) for h in head]
            p.tables["hour_by_weekday"] = Table("hour_by_weekday", cols, rows, src)
        elif caption.startswith("Monthly trend"):
            cols = [{"Month": "month", "All serious violence": "all_serious_violence",
                     "Rolling 12 months": "all_rolling_12_months"}.get(h, h) for h in head]
            p.tables["monthly_trend"] = Table("monthly_trend", cols, rows, src)
        elif caption.startswith("Victim age band rates"):
            p.tables["html_victim_age"] = Table("html_victim_age", head, rows, src)
        elif caption.startswith("Strand mix"):
            p.tables["html_strand_mix"] = Table("html_strand_mix", head, rows, src)
        elif caption.startswith("Data quality"):
            cols = [{"Measure": "measure", "Value": "value", "Per cent": "percent"}.get(h, h) for h in head]
            p.tables["data_quality"] = Table("data_quality", cols, rows, src)
    for n in root.iter("div"):
        if not n.has_class("card"):
            continue
        label = big = prev = area_chg = None
        subs = []
        for c in n.children:
            if not isinstance(c, Node):
                continue
            if c.tag == "div" and c.has_class("label"):
                label = norm(c.text())
            elif c.tag == "span" and c.has_class("big"):
                big = norm(c.text())
            elif c.tag == "div" and c.has_class("sub"):
                subs.append(c)
        for s in subs:
            nn = next((x for x in s.iter("span") if x.has_class("n")), None)
            if nn is not None:
                prev = norm(nn.text())
            elif "chg" in " ".join(x.attrs.get("class", "") for x in s.iter("span")):
                ch = next(x for x in s.iter("span") if x.has_class("chg"))
                al = ch.attrs.get("aria-label") or ""
                mm = re.search(r"([+\-\u2212]?\d+)%", al)
                area_chg = norm(mm.group(1)) if mm else None
        p.cards.append((label, big, prev, area_chg))
    for n in root.iter("dd"):
        mm = re.match(r"Serious violence as defined in \u201c(.*)\u201d: (.*)\.$", n.text().strip())
        if mm:
            p.defs_name = p.defs_name or htmlmod.unescape(mm.group(1))
            p.sv_full = {c.strip() for c in htmlmod.unescape(mm.group(2)).split(",")}
    dq = p.tables.get("data_quality")
    if dq is not None:
        p.dataset = tuple(sorted(r[0] + "=" + r[1] for r in dq.rows if r and (r[0].startswith("file ") or r[0] == "rows read")))
    return p


def load_pub(path):
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file or folder")
    if os.path.isdir(path):
        return load_folder(path)
    if path.lower().endswith((".html", ".htm")):
        return load_html(path)
    raise InputError(f"{path}: neither an output folder nor an HTML report")


# ----------------------------------------------------------------------------------------------------------------
# Vocabulary shared by the inputs: districts, bands, cohorts, strands, categories

def band_lower(label):
    m = re.match(r"(\d+)", label)
    return int(m.group(1)) if m else None


def cohort_under(cid_or_label):
    if cid_or_label is None:
        return None
    s = cid_or_label.lower()
    if s.startswith("all"):
        return None
    m = re.search(r"(\d+)", s)
    return int(m.group(1)) if m else "?"


class Vocab:
    def __init__(self, pubs):
        self.districts = []          # names
        self.codes = {}              # code -> name
        self.population = {}         # name -> population
        self.bands = []              # labels
        self.unders = set()          # cohort ages
        self.nstrands = 0
        self.loc_types = []
        self.ages = []               # single-year labels: "0" ... "89", "90+", "unknown"
        self.sources = []            # source names of the by-source tables (police, A&E...), in table order
        for p in pubs:
            p.sources = []
            for tid in SOURCE_TABLE_IDS:
                st = p.tables.get(tid)
                if st is not None and "source" in st.index:
                    for r in st.rows:
                        q = st.get(r, "source")
                        if q and q not in p.sources:
                            p.sources.append(q)
            for q in p.sources:
                if q not in self.sources:
                    self.sources.append(q)
            ds = p.tables.get("district_summary")
            if ds is not None:
                for r in ds.rows:
                    code, name = ds.get(r, "district_code"), ds.get(r, "district")
                    if code in ("TOTAL", "OUTSIDE") or not code:
                        continue
                    self.codes[code] = name
                    self.add_district(name)
                    pop = ds.get(r, "population")
                    if re.fullmatch(r"\d+", pop):
                        self.population[name] = int(pop)
            hr = p.tables.get("html_district_rates")
            if hr is not None:
                for r in hr.rows[:-1]:
                    self.add_district(r[0])
            va = p.tables.get("html_victim_age")
            if va is not None and p.kind == "pack":
                for r in va.rows:
                    if r[0] == "all ages" and re.fullmatch(r"\d+", r[2]) and p.scope:
                        self.population.setdefault(p.scope, int(r[2]))
            for tid in ("victim_age_sex_by_district", "suspect_age_sex_by_district"):
                t = p.tables.get(tid)
                if t is not None:
                    bc = t.columns[2]
                    for r in t.rows:
                        self.add_band(t.get(r, bc))
            if va is not None:
                for r in va.rows:
                    if r[0] != "all ages":
                        self.add_band(r[0])
            cs = p.tables.get("cohort_summary")
            if cs is not None:
                for r in cs.rows:
                    u = cohort_under(r[0])
                    if isinstance(u, int):
                        self.unders.add(u)
            for lab, *_ in p.cards:
                u = cohort_under(lab) if lab and (lab.lower().startswith("under") or lab.lower().startswith("all serious")) else None
                if isinstance(u, int):
                    self.unders.add(u)
            self.nstrands = max(self.nstrands, len(strand_keys(p)))
            sy = p.tables.get("single_year_of_age")
            if sy is not None:
                for r in sy.rows:
                    if r[0] != "all known ages" and r[0] not in self.ages:
                        self.ages.append(r[0])
            lt = p.tables.get("location_type")
            if lt is not None:
                for r in lt.rows:
                    if r[0] != "all" and r[0] not in self.loc_types:
                        self.loc_types.append(r[0])
        if "unknown" not in self.loc_types:
            self.loc_types.append("unknown")
        if not any(p.tables.get("location_type") for p in pubs):
            # Only the unknown type is published (data quality): the other types are one free slack.
            self.loc_types.append("(other types)")
        if not self.districts:
            raise InputError("no district list in the inputs (need a district_summary table or a report)")
        for p in pubs:
            if p.kind == "pack" and p.scope not in self.districts:
                raise InputError(f"{p.path}: pack district {p.scope!r} is not in the district list")
        if not self.ages and any(p.tables.get("age_profile") or p.tables.get("sexual_violence_age_sex") for p in pubs):
            self.ages = [str(a) for a in range(90)] + ["90+", "unknown"]
        lowers = {band_lower(b) for b in self.bands if band_lower(b) is not None}
        self.boundaries = sorted(u for u in self.unders if u in lowers and u > 0)
        self.nclasses = len(self.boundaries) + 1

    def add_district(self, name):
        if name and name not in self.districts:
            self.districts.append(name)

    def add_band(self, label):
        if label and label not in self.bands:
            self.bands.append(label)

    def band_class(self, label):
        lo = band_lower(label)
        if lo is None:
            return self.nclasses - 1
        return sum(1 for b in self.boundaries if b <= lo)

    def cohort_classes(self, under):
        """Classes of a cohort 'under u', or None when u is not a class boundary."""
        if under is None:
            return list(range(self.nclasses))
        if under not in self.boundaries:
            return None
        return list(range(self.boundaries.index(under) + 1))

    def district_name(self, code_or_name):
        return self.codes.get(code_or_name, code_or_name)

    def age_band(self, age_label):
        """The age band a single-year label belongs to ("90+" counts as 90, "unknown" to the unknown band)."""
        lo = band_lower(age_label)
        known = sorted((band_lower(b), b) for b in self.bands if band_lower(b) is not None)
        if lo is None:
            unk = [b for b in self.bands if band_lower(b) is None]
            return unk[0] if unk else None
        fit = [b for l, b in known if l <= lo]
        return fit[-1] if fit else None

    def age_value(self, age_label):
        return None if age_label == "unknown" else band_lower(age_label)


def strand_keys(p):
    """Strand ids/labels of an input, in definitions order (the position is the strand's identity)."""
    ss = p.tables.get("strand_summary")
    if ss is not None:
        return [(r[0], r[1]) for r in ss.rows if r[0] != "all_serious_violence"]
    mt = p.tables.get("monthly_trend")
    if mt is not None:
        cols = [c for c in mt.columns if c not in ("month", "all_serious_violence", "all_rolling_12_months")]
        return [(c, c) for c in cols]
    return []


def strand_index(p):
    idx = {}
    for k, (sid, lab) in enumerate(strand_keys(p)):
        idx[sid] = k
        idx[lab] = k
    return idx


# ----------------------------------------------------------------------------------------------------------------
# The model

class Target:
    __slots__ = ("pub", "tid", "rowkey", "col", "raw", "expr", "lo", "hi", "file", "result")

    def __init__(self, pub, tid, rowkey, col, raw, expr, lo, hi):
        self.pub, self.tid, self.rowkey, self.col, self.raw, self.expr = pub, tid, rowkey, col, raw, expr
        self.lo, self.hi = lo, hi
        self.file = pub.file_of(tid)
        self.result = None


class Model:
    def __init__(self, pubs, vocab, link_packs=True):
        self.pubs, self.vocab = pubs, vocab
        self.keys = {}
        self.vkeys = []
        self.r_cols, self.r_vals, self.r_lo, self.r_hi, self.r_tag = [], [], [], [], []
        self.targets = []
        self.notes = []
        self.exact = all(p.disc.B == 0 for p in pubs)
        self.measure_cells = set()
        self.with_measures = any(tid in p.tables for p in pubs for tid in MEASURE_TABLE_IDS)
        self.with_sources = any(p.sources for p in pubs)
        self.context_cells = set()
        self.setup()

    # -- variables and rows
    def v(self, *key):
        i = self.keys.get(key)
        if i is None:
            i = self.keys[key] = len(self.vkeys)
            self.vkeys.append(key)
        return i

    def row(self, expr, lo, hi, tag):
        if not expr:
            return None
        cols = list(expr.keys())
        vals = [expr[c] for c in cols]
        self.r_cols.append(cols)
        self.r_vals.append(vals)
        self.r_lo.append(lo)
        self.r_hi.append(hi)
        self.r_tag.append(tag)
        return len(self.r_tag) - 1

    @staticmethod
    def ex(*parts, coef=1.0):
        e = defaultdict(float)
        for part in parts:
            for k, c in part.items():
                e[k] += c * coef
        return e

    @staticmethod
    def sub(a, b):
        e = defaultdict(float, a)
        for k, c in b.items():
            e[k] -= c
        return {k: c for k, c in e.items() if c != 0}

    # -- structure shared by all inputs
    def setup(self):
        V = self.vocab
        pubs = self.pubs
        # Months: the period of each input and the 35 months before its end (12-month change, rolling totals,
        # financial years all look back at most that far).
        months = set()
        for p in pubs:
            a, b = p.period
            months.update(range(min(a, b - 35), b + 1))
        self.months = sorted(months)
        self.monthset = months
        # Segments of the periods.
        cuts = sorted({p.period[0] for p in pubs} | {p.period[1] + 1 for p in pubs})
        self.segs = []
        for a, b in zip(cuts, cuts[1:]):
            if any(p.period[0] <= a and b - 1 <= p.period[1] for p in pubs):
                self.segs.append((a, b - 1))
        for p in pubs:
            p.segs = [i for i, (a, b) in enumerate(self.segs) if p.period[0] <= a and b <= p.period[1]]
        # District scopes: each district with a pack, and the rest.
        self.packd = sorted({p.scope for p in pubs if p.kind == "pack"}, key=V.districts.index)
        self.scope_of = {d: (d if d in self.packd else "REST") for d in V.districts}
        self.scopes = self.packd + (["REST"] if any(s == "REST" for s in self.scope_of.values()) else [])
        self.setup_layers()
        self.bands = V.bands
        self.ncls = V.nclasses
        L_all = range(self.nlayers)
        D = V.districts
        # Identities.
        for L in L_all:
            for s, (a, b) in enumerate(self.segs):
                for d in D:
                    e = {self.v("DT", L, s, d): 1.0}
                    for m in range(a, b + 1):
                        for c in range(self.ncls):
                            e[self.v("Y", L, d, m, c)] = -1.0
                    self.row(e, 0, 0, ("identity", "DT"))
                for g in self.scopes:
                    e = {self.v("T", L, s, g): 1.0}
                    for d in D:
                        if self.scope_of[d] == g:
                            e[self.v("DT", L, s, d)] = -1.0
                    self.row(e, 0, 0, ("identity", "T"))
                    e = {self.v("T", L, s, g): -1.0}
                    for h in range(25):
                        for w in range(8):
                            e[self.v("HW", L, s, g, h, w)] = 1.0
                    self.row(e, 0, 0, ("identity", "HW"))
                    e = {self.v("T", L, s, g): -1.0}
                    for t in V.loc_types:
                        e[self.v("LOC", L, s, g, t)] = 1.0
                    self.row(e, 0, 0, ("identity", "LOC"))
                for d in D:
                    if self.bands:
                        for a_ in self.bands:
                            e = {self.v("VB", L, s, d, a_): -1.0}
                            for x in SEXES:
                                e[self.v("VS", L, s, d, a_, x)] = 1.0
                            self.row(e, 0, 0, ("identity", "VS"))
                            e = {self.v("SB", L, s, d, a_): -1.0}
                            for x in SEXES:
                                e[self.v("SS", L, s, d, a_, x)] = 1.0
                            self.row(e, 0, 0, ("identity", "SS"))
                        for c in range(self.ncls):
                            e = {}
                            for a_ in self.bands:
                                if V.band_class(a_) == c:
                                    e[self.v("VB", L, s, d, a_)] = 1.0
                            for m in range(a, b + 1):
                                e[self.v("Y", L, d, m, c)] = -1.0
                            self.row(e, 0, 0, ("identity", "VB-Y"))
                        e = {self.v("DT", L, s, d): -1.0}
                        for a_ in self.bands:
                            e[self.v("SB", L, s, d, a_)] = 1.0
                        self.row(e, 0, 0, ("identity", "SB"))
                # strands
                for k in range(V.nstrands):
                    for g in self.scopes:
                        e = {}
                        for d in D:
                            if self.scope_of[d] == g:
                                e[self.v("STD", L, k, s, d)] = 1.0
                        for m in range(a, b + 1):
                            e[self.v("ST", L, k, m, g)] = -1.0
                        self.row(e, 0, 0, ("identity", "ST"))
                    for d in D:
                        self.row({self.v("STD", L, k, s, d): 1.0, self.v("DT", L, s, d): -1.0}, -INF, 0, ("identity", "STD<=DT"))
                self.people_identities(L, s)
            # Month aggregates (fewer non-zeros for the LP): YM = area by class, YG = scope, STM = area strand.
            for m in self.months:
                for c in range(self.ncls):
                    e = {self.v("YM", L, m, c): -1.0}
                    for d in D:
                        e[self.v("Y", L, d, m, c)] = 1.0
                    self.row(e, 0, 0, ("identity", "YM"))
                for g in self.scopes:
                    e = {self.v("YG", L, m, g): -1.0}
                    for d in D:
                        if self.scope_of[d] == g:
                            for c in range(self.ncls):
                                e[self.v("Y", L, d, m, c)] = 1.0
                    self.row(e, 0, 0, ("identity", "YG"))
                for k in range(V.nstrands):
                    for g in self.scopes:
                        self.row({self.v("ST", L, k, m, g): 1.0, self.v("YG", L, m, g): -1.0}, -INF, 0, ("identity", "ST<=Y"))
                    if len(self.scopes) > 1:
                        e = {self.v("STM", L, k, m): -1.0}
                        for g in self.scopes:
                            e[self.v("ST", L, k, m, g)] = 1.0
                        self.row(e, 0, 0, ("identity", "STM"))
        # Outside and offence categories.
        for s in range(len(self.segs)):
            e = {self.v("OUTALL", s): 1.0}
            for L in L_all:
                e[self.v("OUT", L, s)] = -1.0
            self.row(e, 0, INF, ("identity", "OUTALL"))
            self.offence_identities(s)
        self.source_identities()
        self.context_setup()

    def source_identities(self):
        """The by-source panel.  Each source's figures are the same assessment run on that source's incidents only,
        so for the true counts the sources add up to all sources, district by district, month by month and hour by
        hour.  Atoms per definitions layer L and source q:
          SRCM[L,q,m]    source q in the area in month m: sum over q = sum over c of YM[L,m,c]
                         (source_by_month incidents and rolling 12 months; source_summary's 12-month columns)
          SRCD[L,q,s,d]  source q in district d over period segment s: sum over q = DT[L,s,d]
                         (source_by_district, its TOTAL and source_summary incidents); sum over d = sum of SRCM over s
          SH[L,q,s,h]    source q by hour h (0-23, 24 = unknown) in segment s: sum over h = sum over d of SRCD;
                         sum over q = the hour's total over the weekdays and district scopes of HW (source_by_hour)
        A source's district x month cell is never published, so by default only its two margins are modelled: a
        relaxation of the true model (every true table satisfies it, so no claim can be wrong), much cheaper in the
        LP.  With --source-cube each source gets SRC[L,q,d,m] (sum over q = sum over c of Y[L,d,m,c]) and its margins
        are sums of those: the exact model, which also requires a source's district x month counts to fit inside
        the all-sources ones.  On the demo cases both recover the same cells."""
        if not self.with_sources:
            return
        lists = {tuple(sorted(p.sources)) for p in self.pubs if p.sources}
        if len(lists) > 1:
            raise InputError("the inputs' by-source tables list different sources (" +
                             " / ".join(", ".join(x) for x in sorted(lists)) + "): attack them separately")
        self.sources = list(next(p.sources for p in self.pubs if p.sources))
        used = {tid for p in self.pubs for tid in p.tables}
        D = self.vocab.districts
        Q = self.sources
        for L in range(self.nlayers):
            if SOURCE_CUBE:
                for d in D:
                    for m in self.months:
                        e = {self.v("SRC", L, q, d, m): 1.0 for q in Q}
                        for c in range(self.ncls):
                            e[self.v("Y", L, d, m, c)] = -1.0
                        self.row(e, 0, 0, ("identity", "SRC-Y"))
            else:
                for m in self.months:
                    e = {self.v("SRCM", L, q, m): 1.0 for q in Q}
                    for c in range(self.ncls):
                        e[self.v("YM", L, m, c)] = -1.0
                    self.row(e, 0, 0, ("identity", "SRCM-Y"))
                for s in range(len(self.segs)):
                    for d in D:
                        e = {self.v("SRCD", L, q, s, d): 1.0 for q in Q}
                        e[self.v("DT", L, s, d)] = -1.0
                        self.row(e, 0, 0, ("identity", "SRCD-DT"))
            for q in Q:
                if SOURCE_CUBE:
                    for m in self.months:
                        e = {self.v("SRCM", L, q, m): -1.0}
                        for d in D:
                            e[self.v("SRC", L, q, d, m)] = 1.0
                        self.row(e, 0, 0, ("identity", "SRCM"))
                for s, (a, b) in enumerate(self.segs):
                    if SOURCE_CUBE:
                        for d in D:
                            e = {self.v("SRCD", L, q, s, d): -1.0}
                            for m in range(a, b + 1):
                                e[self.v("SRC", L, q, d, m)] = 1.0
                            self.row(e, 0, 0, ("identity", "SRCD"))
                    else:
                        e = {self.v("SRCD", L, q, s, d): 1.0 for d in D}
                        for m in range(a, b + 1):
                            e[self.v("SRCM", L, q, m)] = -1.0
                        self.row(e, 0, 0, ("identity", "SRCD-SRCM"))
                    if "source_by_hour" in used:
                        e = {self.v("SH", L, q, s, h): 1.0 for h in range(25)}
                        for d in D:
                            e[self.v("SRCD", L, q, s, d)] = -1.0
                        self.row(e, 0, 0, ("identity", "SH"))
            if "source_by_hour" in used:
                for s in range(len(self.segs)):
                    for h in range(25):
                        e = {self.v("SH", L, q, s, h): 1.0 for q in Q}
                        for g in self.scopes:
                            for w in range(8):
                                e[self.v("HW", L, s, g, h, w)] = -1.0
                        self.row(e, 0, 0, ("identity", "SH-HW"))

    def context_setup(self):
        """Partner context figures: one unknown per measure, district and run of months (CX[k,d,j]).  Only sums over
        each run's latest 12 months and the 12 before are published, so the months are cut at every such window's
        boundaries and each piece is one atom (exact: nothing else tells the months of a piece apart).  They are tied
        to nothing else: partners' counts, not incidents."""
        ends = sorted({p.context_end for p in self.pubs if getattr(p, "context_end", None) is not None})
        cuts = sorted({x for e in ends for x in (e - 23, e - 11, e + 1)})
        self.cx_pieces = [(a, b - 1) for a, b in zip(cuts, cuts[1:]) if any(e - 23 <= a and b - 1 <= e for e in ends)]

    def CX(self, k, dists, months):
        lo, hi = months[0], months[-1]
        e = {}
        for j, (a, b) in enumerate(self.cx_pieces):
            if lo <= a and b <= hi:
                for d in dists:
                    e[self.v("CX", k, d, j)] = 1.0
        return e

    def people_identities(self, L, s):
        """People and places, for period segment s of layer L:
          SA[L,s,g,r,a]      serious violence in scope g by the age a (single year, "90+", "unknown") of role r;
                             the single years of an age band sum to that band's VB / SB over the scope's districts
          SAK[L,s,g,k,r,a]   the same for strand k: sum over a = the strand's count; SAK <= SA
          SVX[L,s,g,r,b,x]   the sexual-violence strand by role, age band and sex: sum = its count; <= VS / SS;
                             sum over x = sum of SAK over the band's ages
          LOCD[L,s,d,t]      location type by district: sum over t = DT; sum over the scope's districts = LOC
          LOCS[L,s,g,k,t]    location type of strand k: sum over t = the strand's count; <= LOC"""
        V = self.vocab
        D = V.districts
        used = {tid for p in self.pubs for tid in p.tables}
        ages = V.ages
        sexual = self.sexual_strand()
        for g in self.scopes:
            dg = [d for d in D if self.scope_of[d] == g]

            def strand_total(k):
                return {self.v("STD", L, k, s, d): 1.0 for d in dg}
            if ages and self.bands and used & {"single_year_of_age", "age_profile", "sexual_violence_age_sex"}:
                for r, (fam, tot) in zip(PEOPLE_ROLES, (("VS", "VB"), ("SS", "SB"))):
                    for b in self.bands:
                        e = {self.v(tot, L, s, d, b): -1.0 for d in dg}
                        for a in ages:
                            if V.age_band(a) == b:
                                e[self.v("SA", L, s, g, r, a)] = 1.0
                        self.row(e, 0, 0, ("identity", "SA-band"))
                    for k in range(V.nstrands):
                        e = self.ex(strand_total(k), coef=-1.0)
                        for a in ages:
                            e[self.v("SAK", L, s, g, k, r, a)] = 1.0
                            self.row({self.v("SAK", L, s, g, k, r, a): 1.0, self.v("SA", L, s, g, r, a): -1.0}, -INF, 0,
                                     ("identity", "SAK<=SA"))
                        self.row(e, 0, 0, ("identity", "SAK"))
                    if sexual is not None and "sexual_violence_age_sex" in used:
                        k = sexual
                        e = self.ex(strand_total(k), coef=-1.0)
                        for b in self.bands:
                            for x in SEXES:
                                e[self.v("SVX", L, s, g, r, b, x)] = 1.0
                                self.row({self.v("SVX", L, s, g, r, b, x): 1.0, **{self.v(fam, L, s, d, b, x): -1.0 for d in dg}},
                                         -INF, 0, ("identity", "SVX<=VS"))
                            eb = {self.v("SVX", L, s, g, r, b, x): 1.0 for x in SEXES}
                            for a in ages:
                                if V.age_band(a) == b:
                                    eb[self.v("SAK", L, s, g, k, r, a)] = -1.0
                            self.row(eb, 0, 0, ("identity", "SVX-SAK"))
                        self.row(e, 0, 0, ("identity", "SVX"))
            if "location_type_by_district" in used:
                for t in V.loc_types:
                    e = {self.v("LOC", L, s, g, t): -1.0}
                    for d in dg:
                        e[self.v("LOCD", L, s, d, t)] = 1.0
                    self.row(e, 0, 0, ("identity", "LOCD-LOC"))
            if "location_type_by_strand" in used:
                for k in range(V.nstrands):
                    e = self.ex(strand_total(k), coef=-1.0)
                    for t in V.loc_types:
                        e[self.v("LOCS", L, s, g, k, t)] = 1.0
                        self.row({self.v("LOCS", L, s, g, k, t): 1.0, self.v("LOC", L, s, g, t): -1.0}, -INF, 0, ("identity", "LOCS<=LOC"))
                    self.row(e, 0, 0, ("identity", "LOCS"))
        if "location_type_by_district" in used:
            for d in D:
                e = {self.v("DT", L, s, d): -1.0}
                for t in V.loc_types:
                    e[self.v("LOCD", L, s, d, t)] = 1.0
                self.row(e, 0, 0, ("identity", "LOCD"))

    def sexual_strand(self):
        """The strand whose id contains 'sexual' (README: the sexual-violence profile's strand), by position."""
        for p in self.pubs:
            for k, (sid, _) in enumerate(strand_keys(p)):
                if "sexual" in sid.lower():
                    return k
        return None

    def setup_layers(self):
        """Definitions groups (inputs with the same serious-violence categories) as nested layers."""
        pubs = self.pubs
        status = []      # per input: category -> True (serious violence) / False
        for p in pubs:
            st = {}
            om = p.tables.get("offence_mix")
            if om is not None:
                for r in om.rows:
                    cat, scope = r[0], r[1]
                    if cat.startswith("all "):
                        continue
                    st[cat] = scope == "serious violence"
            if p.sv_full is not None:
                for c in p.sv_full:
                    st.setdefault(c, True)
            status.append(st)
        # Group: same definitions name (when known) and no conflicting category.
        group = list(range(len(pubs)))

        def find(i):
            while group[i] != i:
                i = group[i]
            return i
        for i in range(len(pubs)):
            for j in range(i):
                ni, nj = pubs[i].defs_name, pubs[j].defs_name
                if ni is not None and nj is not None and ni != nj:
                    continue
                if any(status[j].get(c, v) != v for c, v in status[i].items()):
                    continue
                gi, gj = find(i), find(j)
                if gi != gj:
                    group[gi] = gj
        roots = sorted({find(i) for i in range(len(pubs))})
        gstat = {}
        for r in roots:
            st = {}
            for i in range(len(pubs)):
                if find(i) == r:
                    st.update(status[i])
            gstat[r] = st
        # Order groups by their number of serious-violence categories; they must be nested.
        order = sorted(roots, key=lambda r: sum(gstat[r].values()))
        for a, b in zip(order, order[1:]):
            bad = [c for c, v in gstat[a].items() if v and gstat[b].get(c) is False]
            if bad:
                raise InputError("inputs use definitions that are not nested (" + ", ".join(bad) +
                                 "): attack them separately")
        self.nlayers = len(order)
        gindex = {r: i for i, r in enumerate(order)}
        for i, p in enumerate(pubs):
            p.group = gindex[find(i)]
            p.layers = list(range(p.group + 1))
        # Each category's possible layers: the first group in which it is serious violence.
        cats = set()
        for st in status:
            cats.update(st)
        self.categories = sorted(cats)
        self.cat_layers = {}
        for c in self.categories:
            known_sv = [gindex[r] for r in order if gstat[r].get(c) is True]
            known_not = [gindex[r] for r in order if gstat[r].get(c) is False]
            if not known_sv:
                self.cat_layers[c] = []   # never serious violence in these inputs' definitions
                continue
            hi = min(known_sv)
            lo = max(known_not) + 1 if known_not else 0
            self.cat_layers[c] = list(range(lo, hi + 1))
        if self.nlayers > 1:
            self.notes.append(f"{self.nlayers} definitions layers: " + "; ".join(
                f"layer {L}: " + ", ".join(c for c in self.categories if self.cat_layers[c] == [L]) for L in range(self.nlayers)))

    def offence_identities(self, s):
        """Serious-violence categories of layer L sum to the layer's district total (exact listings only: when
        counts are perturbed a category may be missing from the lists, so only inequalities hold)."""
        D = self.vocab.districts
        amb = [c for c in self.categories if len(self.cat_layers[c]) > 1]
        for L in range(self.nlayers):
            known = [c for c in self.categories if self.cat_layers[c] == [L]]
            maybe = [c for c in amb if L in self.cat_layers[c]]
            e = {self.v("DT", L, s, d): -1.0 for d in D}
            for c in known:
                e[self.v("OFF", s, c)] = 1.0
            if not self.exact:
                self.row(e, -INF, 0, ("identity", "OFF<=SV"))
                continue
            self.row(e, -INF, 0, ("identity", "OFF-SV"))
            for c in maybe:
                e[self.v("OFF", s, c)] = 1.0
            self.row(e, 0, INF, ("identity", "OFF-SV"))
        if self.exact:
            e = {self.v("DT", L, s, d): -1.0 for L in range(self.nlayers) for d in D}
            for c in self.categories:
                if self.cat_layers[c]:
                    e[self.v("OFF", s, c)] = 1.0
            self.row(e, 0, 0, ("identity", "OFF-SV"))

    # -- sums used by the published cells
    def Y(self, p, dists, months, classes):
        if any(m not in self.monthset for m in months):
            return None
        e = {}
        area = len(dists) == len(self.vocab.districts)
        for L in p.layers:
            for m in months:
                for c in classes:
                    if area:
                        e[self.v("YM", L, m, c)] = 1.0
                    else:
                        for d in dists:
                            e[self.v("Y", L, d, m, c)] = 1.0
        return e

    def ST(self, p, k, months, area):
        """Strand k over months: for the area (all scopes) or for the input's own scope."""
        if area and len(self.scopes) > 1:
            return {self.v("STM", L, k, m): 1.0 for L in p.layers for m in months}
        gs = self.scopes if area else self.scopes_for(p)
        return {self.v("ST", L, k, m, g): 1.0 for L in p.layers for m in months for g in gs}

    def DT(self, p, dists):
        return {self.v("DT", L, s, d): 1.0 for L in p.layers for s in p.segs for d in dists}

    def strand_total(self, p, label, all_label, sidx, dists):
        """A strand's (or all serious violence's) total over `dists`, as strand_summary and the report's strand mix
        publish it; None for a row that is neither."""
        if label == all_label:
            return self.DT(p, dists)
        if label in sidx:
            k = sidx[label]
            return {self.v("STD", L, k, s, d): 1.0 for L in p.layers for s in p.segs for d in dists}
        return None

    def scopes_for(self, p):
        return [p.scope] if p.kind == "pack" else self.scopes

    def dists_for(self, p):
        return [p.scope] if p.kind == "pack" else self.vocab.districts

    def cell(self, p, tid, rowkey, col, raw, expr, route_tag=None):
        if expr is None:
            return
        iv = count_interval(raw, p.disc)
        if iv is None:
            return
        lo, hi, hidden = iv
        self.row(expr, lo, hi, (p.idx, route_tag or tid))
        if p.disc.truth:
            return
        if hidden or (p.disc.B > 0 and lo <= p.disc.t - 1):
            self.targets.append(Target(p, tid, rowkey, col, raw, expr, lo, hi))

    def ratio(self, p, tid, num, den, raw, offset=0.0):
        """A printed percentage r = 100*num/den - offset, rounded: |100*num - (r + offset)*den| <= half*den.
        Only for exact outputs (perturbed outputs compute percentages from the published counts)."""
        if not self.exact or num is None or den is None:
            return
        pv = percent_value(raw)
        if pv is None:
            return
        r, half = pv
        half = half * (1 + 1e-9) + 1e-9
        # 100*num - (r + offset + half)*den <= 0 <= 100*num - (r + offset - half)*den
        e1 = self.ex(self.ex(num, coef=100.0), self.ex(den, coef=-(r + offset + half)))
        e2 = self.ex(self.ex(num, coef=100.0), self.ex(den, coef=-(r + offset - half)))
        self.row(e1, -INF, 0, (p.idx, tid + " %"))
        self.row(e2, 0, INF, (p.idx, tid + " %"))

    def change_ratio(self, p, tid, cur, prev, raw):
        """change % = 100*(cur - prev)/prev: the same as ratio(cur/prev) - 100."""
        self.ratio(p, tid, cur, prev, raw, offset=100.0)

    def rank(self, p, tid, names, counts):
        """Rows listed by rate (count / population), highest first: consecutive rows give
        count_i * pop_j >= count_j * pop_i (scaled)."""
        pop = self.vocab.population
        if not p.disc.legacy:
            return   # ranks over published values only: the order adds nothing to the published counts
        prev = None
        for name, e in zip(names, counts):
            if e is None or pop.get(name, 0) <= 0:
                prev = None
                continue
            if prev is not None:
                pn, pe = prev
                a, b = pop[pn], pop[name]
                scale = 1.0 / max(a, b)
                # pe/a >= e/b  <=>  b*pe - a*e >= 0
                expr = self.ex(self.ex(pe, coef=b * scale), self.ex(e, coef=-a * scale))
                B = p.disc.B
                self.row(expr, -B * (a + b) * scale if B else 0.0, INF, (p.idx, "rank order"))
            prev = (name, e)

    # -- windows
    @staticmethod
    def last12(p):
        e = p.period[1]
        return list(range(e - 11, e + 1)), list(range(e - 23, e - 11))

    @staticmethod
    def fy_months(label):
        m = re.match(r"(\d{4})/\d{2} vs (\d{4})/\d{2}", label)
        if not m:
            return None
        a, b = int(m.group(1)), int(m.group(2))
        cur = list(range(a * 12 + 3, a * 12 + 15))
        prev = list(range(b * 12 + 3, b * 12 + 15))
        return cur, prev

    # -- published tables
    def add_pub(self, p):
        V = self.vocab
        sidx = strand_index(p)
        t = p.tables
        dists = self.dists_for(p)
        cur12, prev12 = self.last12(p)
        cohorts = {}
        cs = t.get("cohort_summary")
        if cs is not None:
            for r in cs.rows:
                cohorts[r[0]] = cohort_under(r[0])
        # district_summary
        ds = t.get("district_summary")
        if ds is not None:
            names, counts = [], []
            for r in ds.rows:
                code = ds.get(r, "district_code")
                if code == "OUTSIDE":
                    e = {self.v("OUT", L, s): 1.0 for L in p.layers for s in p.segs}
                    self.cell(p, "district_summary", "OUTSIDE", "incidents", ds.get(r, "incidents"), e)
                    continue
                dd = dists if code == "TOTAL" else [V.district_name(code)]
                e = self.DT(p, dd)
                self.cell(p, "district_summary", code, "incidents", ds.get(r, "incidents"), e)
                if code != "TOTAL":
                    names.append(dd[0])
                    counts.append(e)
                self.change_cells(p, "district_summary", code, ds, r, dd, None, "last_12_months",
                                  "previous_12_months", "difference", "change_percent")
            self.rank(p, "district_summary", names, counts)
        hr = t.get("html_district_rates")
        if hr is not None:
            names, counts = [], []
            ci = hr.index.get("Incidents")
            chg = hr.index.get("12-month change")
            for r in hr.rows:
                name = r[0]
                dd = V.districts if name not in V.districts else [name]
                e = {self.v("DT", L, s, d): 1.0 for L in p.layers for s in p.segs for d in dd}
                key = name if name in V.districts else "TOTAL"
                if ci is not None:
                    self.cell(p, "html_district_rates", key, "Incidents", r[ci], e)
                if name in V.districts:
                    names.append(name)
                    counts.append(e)
                if chg is not None:
                    self.change_ratio(p, "html_district_rates", self.Y(p, dd, cur12, range(self.ncls)),
                                      self.Y(p, dd, prev12, range(self.ncls)), r[chg])
            self.rank(p, "html_district_rates", names, counts)
        # cohort_summary (area)
        if cs is not None:
            for r in cs.rows:
                cl = V.cohort_classes(cohort_under(r[0])) if cohort_under(r[0]) != "?" else None
                if cl is None:
                    continue
                self.change_cells(p, "cohort_summary", r[0], cs, r, dists, cl, "last_12_months",
                                  "previous_12_months", "difference", "change_percent")
                fy = self.fy_months(cs.get(r, "financial_year"))
                if fy:
                    a = self.Y(p, dists, fy[0], cl)
                    b = self.Y(p, dists, fy[1], cl)
                    self.cell(p, "cohort_summary", r[0], "fy_count", cs.get(r, "fy_count"), a)
                    self.cell(p, "cohort_summary", r[0], "previous_fy_count", cs.get(r, "previous_fy_count"), b)
        # district_change
        dc = t.get("district_change")
        if dc is not None:
            cids = [c[: -len("_last_12")] for c in dc.columns if c.endswith("_last_12")]
            for r in dc.rows:
                code = r[0]
                dd = dists if code == "TOTAL" else [V.district_name(code)]
                for cid in cids:
                    u = cohorts.get(cid, cohort_under(cid))
                    cl = V.cohort_classes(u) if u != "?" else None
                    if cl is None:
                        continue
                    self.change_cells(p, "district_change", code, dc, r, dd, cl, f"{cid}_last_12",
                                      f"{cid}_previous_12", f"{cid}_difference", f"{cid}_change_percent", colprefix=True)
        # strand_by_district
        sd = t.get("strand_by_district")
        if sd is not None:
            for r in sd.rows:
                code = r[0]
                dd = dists if code == "TOTAL" else [V.district_name(code)]
                for col in sd.columns[2:]:
                    if col.endswith("_rate_per_1000_per_year") or col not in sidx:
                        continue
                    k = sidx[col]
                    e = {self.v("STD", L, k, s, d): 1.0 for L in p.layers for s in p.segs for d in dd}
                    self.cell(p, "strand_by_district", code, col, sd.get(r, col), e)
        # age x sex
        for tid, fam, tot in (("victim_age_sex_by_district", "VS", "VB"), ("suspect_age_sex_by_district", "SS", "SB")):
            ag = t.get(tid)
            if ag is None:
                continue
            bc = ag.columns[2]
            for r in ag.rows:
                d = V.district_name(r[0])
                a_ = ag.get(r, bc)
                for x in SEXES:
                    e = {self.v(fam, L, s, d, a_, x): 1.0 for L in p.layers for s in p.segs}
                    self.cell(p, tid, f"{r[0]}/{a_}", x, ag.get(r, x), e)
                e = {self.v(tot, L, s, d, a_): 1.0 for L in p.layers for s in p.segs}
                self.cell(p, tid, f"{r[0]}/{a_}", "all", ag.get(r, "all"), e)
        # hour x weekday
        hw = t.get("hour_by_weekday")
        if hw is not None:
            gs = self.scopes_for(p)
            for r in hw.rows:
                lab = r[0]
                h = 24 if lab.startswith("unknown") else int(lab.split(":")[0])
                for w, col in enumerate(WEEKDAYS + ["weekday_unknown"]):
                    if col in hw.index:
                        e = {self.v("HW", L, s, g, h, w): 1.0 for L in p.layers for s in p.segs for g in gs}
                        self.cell(p, "hour_by_weekday", lab, col, hw.get(r, col), e)
                e = {self.v("HW", L, s, g, h, w): 1.0 for L in p.layers for s in p.segs for g in gs for w in range(8)}
                self.cell(p, "hour_by_weekday", lab, "all", hw.get(r, "all"), e)
        # location type
        lt = t.get("location_type")
        if lt is not None:
            for r in lt.rows:
                types = V.loc_types if r[0] == "all" else [r[0]]
                e = {self.v("LOC", L, s, g, ty): 1.0 for L in p.layers for s in p.segs for g in self.scopes_for(p) for ty in types}
                self.cell(p, "location_type", r[0], "incidents", lt.get(r, "incidents"), e)
        self.add_people(p, sidx)
        self.add_trends(p, sidx)
        self.add_sources(p)
        self.add_context(p)
        # monthly trend
        mt = t.get("monthly_trend")
        if mt is not None:
            gs = self.scopes_for(p)
            for r in mt.rows:
                m = month_index(r[0])
                self.cell(p, "monthly_trend", r[0], "all_serious_violence", mt.get(r, "all_serious_violence"),
                          self.Y(p, dists, [m], range(self.ncls)))
                self.cell(p, "monthly_trend", r[0], "all_rolling_12_months", mt.get(r, "all_rolling_12_months"),
                          self.Y(p, dists, list(range(m - 11, m + 1)), range(self.ncls)))
                for col in mt.columns[1:]:
                    if col in ("all_serious_violence", "all_rolling_12_months") or col not in sidx:
                        continue
                    k = sidx[col]
                    if m not in self.monthset:
                        continue
                    e = self.ST(p, k, [m], p.kind != "pack")
                    self.cell(p, "monthly_trend", r[0], col, mt.get(r, col), e)
        # strand summary
        ss = t.get("strand_summary")
        if ss is not None:
            for r in ss.rows:
                e = self.strand_total(p, r[0], "all_serious_violence", sidx, dists)
                if e is not None:
                    self.cell(p, "strand_summary", r[0], "incidents", ss.get(r, "incidents"), e)
        # offence mix
        om = t.get("offence_mix")
        if om is not None:
            listed = set()
            for r in om.rows:
                cat, scope = r[0], r[1]
                if cat.startswith("all "):
                    cats = [rr[0] for rr in om.rows if rr[1] == scope and not rr[0].startswith("all ")]
                    if not self.exact:   # a perturbed list may leave categories out of the rows above
                        cats.append("(unlisted)")
                else:
                    cats = [cat]
                    listed.add(cat)
                e = {self.v("OFF", s, c): 1.0 for s in p.segs for c in cats}
                self.cell(p, "offence_mix", cat, "incidents", om.get(r, "incidents"), e)
            if self.exact:
                for c in self.categories + ["(unlisted)"]:
                    if c not in listed:   # only categories seen in the period are listed
                        e = {self.v("OFF", s, c): 1.0 for s in p.segs}
                        self.row(e, 0, 0, (p.idx, "offence_mix"))
        # report / pack tables
        va = t.get("html_victim_age")
        if va is not None:
            for r in va.rows:
                bands = self.bands if r[0] == "all ages" else [r[0]]
                e = {self.v("VB", L, s, d, a_): 1.0 for L in p.layers for s in p.segs for d in dists for a_ in bands}
                self.cell(p, "html_victim_age", r[0], "Incidents", r[1], e)
        sm = t.get("html_strand_mix")
        if sm is not None:
            for r in sm.rows:
                e = self.strand_total(p, r[0], "All serious violence", sidx, dists)
                if e is not None:
                    self.cell(p, "html_strand_mix", r[0], "Incidents", r[1], e)
        for lab, big, prev, area_chg in p.cards:
            if lab is None:
                continue
            u = cohort_under(lab) if (lab.lower().startswith("under") or lab.lower().startswith("all serious")) else "strand"
            if u == "strand":
                if lab not in sidx:
                    continue
                k = sidx[lab]
                if any(m not in self.monthset for m in prev12):
                    continue
                ec, ep = self.ST(p, k, cur12, p.kind != "pack"), self.ST(p, k, prev12, p.kind != "pack")
                ac, ap = self.ST(p, k, cur12, True), self.ST(p, k, prev12, True)
            else:
                cl = V.cohort_classes(u) if u != "?" else None
                if cl is None:
                    continue
                ec, ep = self.Y(p, dists, cur12, cl), self.Y(p, dists, prev12, cl)
                ac, ap = self.Y(p, V.districts, cur12, cl), self.Y(p, V.districts, prev12, cl)
            self.cell(p, "html_headline", lab, "last_12_months", big, ec)
            self.cell(p, "html_headline", lab, "previous_12_months", prev, ep)
            if p.kind == "pack" and area_chg is not None:
                self.change_ratio(p, "html_headline", ac, ap, area_chg)
        # data quality
        dq = t.get("data_quality")
        if dq is not None:
            in_area = self.DT(p, dists)
            everywhere = self.ex(in_area, {} if p.kind == "pack" else {self.v("OUT", L, s): 1.0 for L in p.layers for s in p.segs})
            for r in dq.rows:
                meas, val, pct = r[0], dq.get(r, "value"), dq.get(r, "percent")
                e = None
                if meas == "rows accepted":
                    e = {self.v("ACC"): 1.0}
                elif meas.startswith("accepted") and "outside the analysis period" in meas:
                    e = {self.v("ACC"): 1.0}
                    for s in p.segs:
                        e[self.v("OUTALL", s)] = -1.0
                        for c in self.categories + ["(unlisted)"]:
                            e[self.v("OFF", s, c)] = -1.0
                elif meas == "serious violence with unknown victim age":
                    unk = [a_ for a_ in self.bands if band_lower(a_) is None]
                    if unk:
                        e = {self.v("VB", L, s, d, unk[0]): 1.0 for L in p.layers for s in p.segs for d in dists}
                elif meas == "serious violence with unknown hour":
                    e = {self.v("HW", L, s, g, 24, w): 1.0 for L in p.layers for s in p.segs for g in self.scopes_for(p) for w in range(8)}
                elif meas == "serious violence with unknown location type":
                    e = {self.v("LOC", L, s, g, "unknown"): 1.0 for L in p.layers for s in p.segs for g in self.scopes_for(p)}
                elif meas == "serious violence located outside every district":
                    if p.kind == "pack":
                        continue   # a pack counts its own district only: this row is not the outside count
                    e = {self.v("OUT", L, s): 1.0 for L in p.layers for s in p.segs}
                else:
                    continue
                self.cell(p, "data_quality", meas, "value", val, e)
                if meas.startswith("serious violence"):
                    # Legacy outputs give every share of all serious violence, outside included; the manifest
                    # format gives the unknowns as shares of the area's incidents and "outside" of all of them.
                    legacy_or_outside = p.disc.legacy or "outside every district" in meas
                    self.ratio(p, "data_quality", e, everywhere if legacy_or_outside else in_area, pct)

    def add_people(self, p, sidx):
        """Cells of the people-and-places tables (their scope is the input's: the area for an assess folder)."""
        V = self.vocab
        t = p.tables
        gs = self.scopes_for(p)
        dists = self.dists_for(p)
        known = [a for a in V.ages if a != "unknown"]

        def sa(r, ages, k=None):
            if k is None:
                return {self.v("SA", L, s, g, r, a): 1.0 for L in p.layers for s in p.segs for g in gs for a in ages}
            return {self.v("SAK", L, s, g, k, r, a): 1.0 for L in p.layers for s in p.segs for g in gs for a in ages}

        def strand_total(k):
            return {self.v("STD", L, k, s, d): 1.0 for L in p.layers for s in p.segs for d in dists}
        sy = t.get("single_year_of_age")
        if sy is not None and V.ages and self.bands:
            for r in sy.rows:
                ages = known if r[0] == "all known ages" else [r[0]]
                for role, col in zip(PEOPLE_ROLES, ("victims", "suspects")):
                    self.cell(p, "single_year_of_age", r[0], col, sy.get(r, col), sa(role, ages))
        ap = t.get("age_profile")
        if ap is not None and V.ages and self.bands:
            young = [a for a in known if V.age_value(a) is not None and 10 <= V.age_value(a) <= 25 and "+" not in a]
            for r in ap.rows:
                sid, role = r[0], ap.get(r, "role")
                k = None if sid == "all_serious_violence" else sidx.get(sid)
                if sid != "all_serious_violence" and k is None:
                    continue
                key = f"{sid}/{role}"
                self.cell(p, "age_profile", key, "incidents", ap.get(r, "incidents"), self.DT(p, dists) if k is None else strand_total(k))
                self.cell(p, "age_profile", key, "known_age", ap.get(r, "known_age"), sa(role, known, k))
                young_col = [c for c in ap.columns if c.startswith("aged_")]
                if young_col:
                    self.cell(p, "age_profile", key, young_col[0], ap.get(r, young_col[0]), sa(role, young, k))
                peaks = [a.strip() for a in ap.get(r, "peak_age").split(";") if re.fullmatch(r"\s*\d+\s*", a)]
                for a in peaks:
                    if a in V.ages:
                        self.cell(p, "age_profile", key, "peak_count", ap.get(r, "peak_count"), sa(role, [a], k))
                # Every other single year was published at most the peak: true <= peak + B.
                pc = norm(ap.get(r, "peak_count"))
                if peaks and re.fullmatch(r"\d+", pc):
                    for a in known:
                        if "+" not in a and a not in peaks:
                            self.row(sa(role, [a], k), -INF, int(pc) + p.disc.B, (p.idx, "age_profile"))
        sv = t.get("sexual_violence_age_sex")
        k = self.sexual_strand()
        if sv is not None and k is not None and self.bands:
            for r in sv.rows:
                role, b = r[0], r[1]
                if role == "all":
                    self.cell(p, "sexual_violence_age_sex", "all/all", "all", sv.get(r, "all"), strand_total(k))
                    continue
                if b not in self.bands:
                    continue
                for x in SEXES:
                    e = {self.v("SVX", L, s, g, role, b, x): 1.0 for L in p.layers for s in p.segs for g in gs}
                    self.cell(p, "sexual_violence_age_sex", f"{role}/{b}", x, sv.get(r, x), e)
                e = {self.v("SVX", L, s, g, role, b, x): 1.0 for L in p.layers for s in p.segs for g in gs for x in SEXES}
                self.cell(p, "sexual_violence_age_sex", f"{role}/{b}", "all", sv.get(r, "all"), e)
        ld = t.get("location_type_by_district")
        if ld is not None:
            for r in ld.rows:
                d = V.district_name(r[0])
                ty = ld.get(r, "location_type")
                types = V.loc_types if ty == "all" else [ty]
                e = {self.v("LOCD", L, s, d, x): 1.0 for L in p.layers for s in p.segs for x in types}
                self.cell(p, "location_type_by_district", f"{r[0]}/{ty}", "incidents", ld.get(r, "incidents"), e)
        ls = t.get("location_type_by_strand")
        if ls is not None:
            for r in ls.rows:
                k = sidx.get(r[0])
                if k is None:
                    continue
                ty = ls.get(r, "location_type")
                types = V.loc_types if ty == "all" else [ty]
                e = {self.v("LOCS", L, s, g, k, x): 1.0 for L in p.layers for s in p.segs for g in gs for x in types}
                self.cell(p, "location_type_by_strand", f"{r[0]}/{ty}", "incidents", ls.get(r, "incidents"), e)

    def MS(self, p, k, dists, months):
        """Measure k (a KPI or other measure of the definitions) over districts and months. Each cell is a new
        unknown, tied to the tables above only by 0 <= measure <= all serious violence of that district and month."""
        if any(m not in self.monthset for m in months):
            return None
        e = {}
        for L in p.layers:
            for d in dists:
                for m in months:
                    key = ("MS", L, k, d, m)
                    if key not in self.measure_cells:
                        self.measure_cells.add(key)
                        y = {self.v("Y", L, d, m, c): 1.0 for c in range(self.ncls)}
                        self.row(self.sub(y, {self.v(*key): 1.0}), 0, INF, (p.idx, "measure within serious violence"))
                    e[self.v(*key)] = 1.0
        return e

    @staticmethod
    def quarter_months(label):
        m = re.match(r"(\d{4}) Q([1-4])", label)
        if not m:
            return None
        start = int(m.group(1)) * 12 + (int(m.group(2)) - 1) * 3
        return list(range(start, start + 3))

    def add_trends(self, p, sidx):
        """Cells of the KPI, quarterly, financial-year and grouping tables (issue 10): the same unknowns as the
        monthly and district tables, plus one per measure, district and month."""
        V = self.vocab
        t = p.tables
        dists = self.dists_for(p)
        area = p.kind != "pack"
        cur12, prev12 = self.last12(p)
        allc = range(self.ncls)
        qt = t.get("quarterly_trend")
        if qt is not None:
            for r in qt.rows:
                months = self.quarter_months(r[0])
                if not months:
                    continue
                for col in qt.columns[1:]:
                    if col == "all_serious_violence":
                        e = self.Y(p, dists, months, allc)
                    elif col in sidx:
                        e = self.ST(p, sidx[col], months, area) if all(m in self.monthset for m in months) else None
                    elif self.with_measures:
                        e = self.MS(p, col, dists, months)
                    else:
                        continue
                    self.cell(p, "quarterly_trend", r[0], col, qt.get(r, col), e)
        for tid in ("financial_year_by_district", "financial_year_by_strand"):
            ft = t.get(tid)
            if ft is None:
                continue
            for r in ft.rows:
                fy = self.fy_months(ft.get(r, "financial_year"))
                if not fy:
                    continue
                key = r[0]
                exprs = []
                for months in fy:
                    if tid == "financial_year_by_district":
                        dd = dists if key == "TOTAL" else [V.district_name(key)]
                        exprs.append(self.Y(p, dd, months, allc))
                    elif key == "all_serious_violence":
                        exprs.append(self.Y(p, dists, months, allc))
                    elif key in sidx and all(m in self.monthset for m in months):
                        exprs.append(self.ST(p, sidx[key], months, area))
                    else:
                        exprs.append(None)
                self.cell(p, tid, key, "fy_count", ft.get(r, "fy_count"), exprs[0])
                self.cell(p, tid, key, "previous_fy_count", ft.get(r, "previous_fy_count"), exprs[1])
                di = difference_interval(ft.get(r, "difference"), p.disc)
                if di is not None and exprs[0] is not None and exprs[1] is not None:
                    self.row(self.sub(exprs[0], exprs[1]), di[0], di[1], (p.idx, tid))
        gt = t.get("grouping_summary")
        if gt is not None:
            for r in gt.rows:
                names = dists if r[0] == "TOTAL" else [V.district_name(n.strip()) for n in gt.get(r, "districts").split(";")]
                self.cell(p, "grouping_summary", r[0], "incidents", gt.get(r, "incidents"), self.DT(p, names))
                self.change_cells(p, "grouping_summary", r[0], gt, r, names, None, "last_12_months",
                                  "previous_12_months", "difference", "change_percent")
        ks = t.get("kpi_summary")
        if ks is not None:
            for r in ks.rows:
                k = r[0]
                periods = [("last_12_months", cur12), ("previous_12_months", prev12)]
                q = ks.get(r, "quarter")
                qm = re.match(r"(\d{4} Q[1-4]).* vs (\d{4} Q[1-4])", q or "")
                if qm:
                    periods += [("quarter_count", self.quarter_months(qm.group(1))), ("same_quarter_last_year", self.quarter_months(qm.group(2)))]
                fy = self.fy_months(ks.get(r, "financial_year"))
                if fy:
                    periods += [("fy_count", fy[0]), ("previous_fy_count", fy[1])]
                for col, months in periods:
                    self.cell(p, "kpi_summary", k, col, ks.get(r, col), self.MS(p, k, dists, months))
                lo, hi = p.period
                self.cell(p, "kpi_summary", k, "incidents_in_period", ks.get(r, "incidents_in_period"),
                          self.MS(p, k, dists, list(range(lo, hi + 1))))
        kd = t.get("kpi_by_district")
        if kd is not None:
            ids = [c[: -len("_last_12")] for c in kd.columns if c.endswith("_last_12")]
            for r in kd.rows:
                dd = [V.district_name(r[0])]
                for k in ids:
                    self.cell(p, "kpi_by_district", r[0], f"{k}_last_12", kd.get(r, f"{k}_last_12"), self.MS(p, k, dd, cur12))
                    self.cell(p, "kpi_by_district", r[0], f"{k}_previous_12", kd.get(r, f"{k}_previous_12"), self.MS(p, k, dd, prev12))

    def add_sources(self, p):
        """Cells of the by-source panel (assess folders of runs that read several sources).  Percentages there are
        computed from the published counts (the notes say so), so they are not used."""
        t = p.tables
        if not p.sources:
            return
        V = self.vocab
        dists = self.dists_for(p)
        cur12, prev12 = self.last12(p)

        def months_of(q, months):
            if any(m not in self.monthset for m in months):
                return None
            return {self.v("SRCM", L, q, m): 1.0 for L in p.layers for m in months}

        def dists_of(q, dd):
            return {self.v("SRCD", L, q, s, d): 1.0 for L in p.layers for s in p.segs for d in dd}
        ss = t.get("source_summary")
        if ss is not None:
            for r in ss.rows:
                q = ss.get(r, "source")
                self.cell(p, "source_summary", q, "incidents", ss.get(r, "incidents"), dists_of(q, dists))
                self.change_pair(p, "source_summary", q, ss, r, months_of(q, cur12), months_of(q, prev12),
                                 "last_12_months", "previous_12_months", "difference", "change_percent")
        sd = t.get("source_by_district")
        if sd is not None:
            for r in sd.rows:
                q, code = sd.get(r, "source"), sd.get(r, "district_code")
                dd = dists if code == "TOTAL" else [V.district_name(code)]
                self.cell(p, "source_by_district", f"{q}/{code}", "incidents", sd.get(r, "incidents"), dists_of(q, dd))
        sm = t.get("source_by_month")
        if sm is not None:
            for r in sm.rows:
                q, mt = sm.get(r, "source"), sm.get(r, "month")
                if not re.fullmatch(r"\d{4}-\d{2}", mt):
                    continue
                m = month_index(mt)
                self.cell(p, "source_by_month", f"{mt}/{q}", "incidents", sm.get(r, "incidents"), months_of(q, [m]))
                self.cell(p, "source_by_month", f"{mt}/{q}", "rolling_12_months", sm.get(r, "rolling_12_months"),
                          months_of(q, list(range(m - 11, m + 1))))
        sh = t.get("source_by_hour")
        if sh is not None:
            for r in sh.rows:
                q, lab = sh.get(r, "source"), sh.get(r, "hour")
                if lab.startswith("unknown"):
                    h = 24
                elif re.fullmatch(r"\d{1,2}:\d{2}", lab):
                    h = int(lab.split(":")[0])
                else:
                    continue
                e = {self.v("SH", L, q, s, h): 1.0 for L in p.layers for s in p.segs}
                self.cell(p, "source_by_hour", f"{q}/{lab}", "incidents", sh.get(r, "incidents"), e)

    def add_context(self, p):
        """context_by_district: each measure's latest 12 months and the 12 before, by district and TOTAL (the sum
        of the districts).  The rate per 1,000 is computed from the published count: not used."""
        ct = p.tables.get("context_by_district")
        if ct is None or getattr(p, "context_end", None) is None:
            return
        V = self.vocab
        e = p.context_end
        cur, prev = list(range(e - 11, e + 1)), list(range(e - 23, e - 11))
        for r in ct.rows:
            k, code = ct.get(r, "measure"), ct.get(r, "district_code")
            dd = V.districts if code == "TOTAL" else [V.district_name(code)]
            self.change_pair(p, "context_by_district", f"{k}/{code}", ct, r, self.CX(k, dd, cur), self.CX(k, dd, prev),
                             "last_12_months", "previous_12_months", "difference", "change_percent")

    def change_cells(self, p, tid, key, tab, r, dists, classes, ccur, cprev, cdiff, cpct, colprefix=False):
        if classes is None:
            classes = list(range(self.ncls))
        cur12, prev12 = self.last12(p)
        a = self.Y(p, dists, cur12, classes)
        b = self.Y(p, dists, prev12, classes)
        self.change_pair(p, tid, key, tab, r, a, b, ccur, cprev, cdiff, cpct)

    def change_pair(self, p, tid, key, tab, r, a, b, ccur, cprev, cdiff, cpct):
        """A 12-month change: the two counts, their difference (exact, or +-2B) and, where a count is not printed
        exactly, the change percentage."""
        va, vb = tab.get(r, ccur), tab.get(r, cprev)
        self.cell(p, tid, key, ccur, va, a)
        self.cell(p, tid, key, cprev, vb, b)
        if a is None or b is None:
            return
        di = difference_interval(tab.get(r, cdiff), p.disc)
        if di is not None:
            self.row(self.sub(a, b), di[0], di[1], (p.idx, tid))
        ia, ib = count_interval(va, p.disc), count_interval(vb, p.disc)
        if not (ia and ib and ia[0] == ia[1] and ib[0] == ib[1]):
            self.change_ratio(p, tid, a, b, tab.get(r, cpct))

    def build(self):
        for i, p in enumerate(self.pubs):
            p.idx = i
        for p in self.pubs:
            self.add_pub(p)


# ----------------------------------------------------------------------------------------------------------------
# Solving

class LPResult:
    __slots__ = ("ok", "status", "fun", "x", "row_dual", "col_dual")

    def __init__(self, ok, status, fun=None, x=None, row_dual=None, col_dual=None):
        self.ok, self.status, self.fun, self.x, self.row_dual, self.col_dual = ok, status, fun, x, row_dual, col_dual


class MILPResult:
    def __init__(self, x):
        self.x = x


class HighsEngine:
    """One component's LP kept loaded in HiGHS (the copy scipy ships), so that successive objectives start
    from the previous optimal basis.  Falls back to scipy.optimize.linprog when that module is missing."""
    try:
        from scipy.optimize._highspy import _core as hc
        available = True
    except Exception:   # pragma: no cover - older or newer scipy
        hc = None
        available = False

    def __init__(self, A, rlo, rhi, lo, hi):
        hc = self.hc
        self.n = A.shape[1]
        h = hc._Highs()
        h.setOptionValue("output_flag", False)
        # Primal simplex: after a change of objective the previous optimal basis stays primal feasible, so each
        # new optimum is a few pivots away (dual simplex would start again from scratch).
        h.setOptionValue("simplex_strategy", 4)
        lp = hc.HighsLp()
        lp.num_col_, lp.num_row_ = self.n, A.shape[0]
        inf = hc.kHighsInf
        lp.col_cost_ = np.zeros(self.n)
        lp.col_lower_ = np.where(np.isfinite(lo), lo, -inf)
        lp.col_upper_ = np.where(np.isfinite(hi), hi, inf)
        lp.row_lower_ = np.where(np.isfinite(rlo), rlo, -inf)
        lp.row_upper_ = np.where(np.isfinite(rhi), rhi, inf)
        Ac = A.tocsc()
        lp.a_matrix_.format_ = hc.MatrixFormat.kColwise
        lp.a_matrix_.start_ = Ac.indptr
        lp.a_matrix_.index_ = Ac.indices
        lp.a_matrix_.value_ = Ac.data
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = self.n, A.shape[0]
        h.passModel(lp)
        self.h = h
        self.idx = np.arange(self.n, dtype=np.int32)
        self.hm = None
        self.start = None
        self.timed_out = False

    def milp(self, c, time_limit):
        """Integer optimum of c.x on a second copy of the model with every column integer.  The objective is
        integer-valued, so an absolute gap below 1 proves optimality.  Returns (x or None, dual bound or None)."""
        hc = self.hc
        if self.hm is None:
            hm = hc._Highs()
            hm.setOptionValue("output_flag", False)
            hm.setOptionValue("mip_abs_gap", 0.999)
            hm.setOptionValue("mip_rel_gap", 0.0)
            hm.passModel(self.h.getLp())
            hm.changeColsIntegrality(self.n, self.idx, np.array([hc.HighsVarType.kInteger] * self.n))
            self.hm = hm
        hm = self.hm
        hm.setOptionValue("time_limit", float(time_limit))
        hm.changeColsCost(self.n, self.idx, np.asarray(c, float))
        if self.start is not None:   # any integer point found so far: an incumbent to prune with
            sol = hc.HighsSolution()
            sol.col_value = self.start
            sol.value_valid = True
            hm.setSolution(sol)
        hm.run()
        info = hm.getInfo()
        st = hm.getModelStatus()
        x = None
        if info.primal_solution_status == 2:   # feasible
            x = np.array(hm.getSolution().col_value)
            self.start = x
        self.timed_out = st == hc.HighsModelStatus.kTimeLimit
        bound = info.mip_dual_bound if st in (hc.HighsModelStatus.kOptimal, hc.HighsModelStatus.kTimeLimit) else None
        if bound is not None and not np.isfinite(bound):
            bound = None
        return x, bound

    def solve(self, c):
        hc, h = self.hc, self.h
        h.changeColsCost(self.n, self.idx, np.asarray(c, float))
        h.run()
        st = h.getModelStatus()
        if st == hc.HighsModelStatus.kOptimal:
            sol = h.getSolution()
            return LPResult(True, "optimal", h.getInfo().objective_function_value, np.array(sol.col_value),
                            np.array(sol.row_dual), np.array(sol.col_dual))
        if st in (hc.HighsModelStatus.kUnbounded, hc.HighsModelStatus.kUnboundedOrInfeasible):
            return LPResult(False, "unbounded")
        return LPResult(False, h.modelStatusToString(st).lower().replace(" ", "-"))


def linprog_solve(C, c):
    A, rlo, rhi = C["A"], C["rlo"], C["rhi"]
    eq = np.abs(rhi - rlo) < 1e-12
    up = ~eq & np.isfinite(rhi)
    dn = ~eq & np.isfinite(rlo)
    parts, b = [], []
    if up.any():
        parts.append(A[up])
        b.append(rhi[up])
    if dn.any():
        parts.append(-A[dn])
        b.append(-rlo[dn])
    res = linprog(c, A_ub=sp.vstack(parts).tocsr() if parts else None, b_ub=np.concatenate(b) if b else None,
                  A_eq=A[eq] if eq.any() else None, b_eq=rlo[eq] if eq.any() else None,
                  bounds=np.column_stack([C["lo"], C["hi"]]), method="highs")
    if res.status == 3:
        return LPResult(False, "unbounded")
    if res.status != 0:
        return LPResult(False, "failed")
    rd = np.zeros(A.shape[0])
    if eq.any():
        rd[eq] = res.eqlin.marginals
    if parts:
        m = res.ineqlin.marginals
        nu = int(up.sum())
        rd[up] += m[:nu]
        rd[dn] += m[nu:]
    return LPResult(True, "optimal", res.fun, res.x, rd, res.lower.marginals + res.upper.marginals)


class Solver:
    @classmethod
    def subset(cls, parent, rowmask):
        """A solver over some of the parent's rows (same variables): for route attribution."""
        s = cls.__new__(cls)
        s.m, s.opts, s.n = parent.m, parent.opts, parent.n
        idx = np.flatnonzero(rowmask)
        s.A = parent.A[idx].tocsr()
        s.rlo, s.rhi = parent.rlo[idx], parent.rhi[idx]
        s.nr = len(idx)
        s.lo = np.zeros(s.n)
        s.hi = np.full(s.n, INF)
        s.hist_lo, s.hist_hi = defaultdict(list), defaultdict(list)
        s.stats = defaultdict(float)
        return s

    def pins(self, tg, cache):
        """Does this solver's LP pin the target's value?"""
        const = 0.0
        comps = defaultdict(dict)
        for j, cf in tg.expr.items():
            if self.fixed[j]:
                const += cf * self.lo[j]
            else:
                fp = self.freepos[j]
                comps[int(self.comp_of_var[fp])][fp] = cf
        for comp, e in comps.items():
            C = cache.get(comp)
            if C is None:
                C = cache[comp] = self.comp_lp(comp)
                C["local"] = {int(v): i for i, v in enumerate(C["vars"])}
            w = np.zeros(len(C["vars"]))
            for fp, cf in e.items():
                w[C["local"][fp]] = cf
            r1 = self.lp(C, w)
            if not r1.ok:
                return False
            r2 = self.lp(C, -w)
            if not r2.ok or math.ceil(r1.fun - 1e-5) != math.floor(-r2.fun + 1e-5):
                return False
        return True

    def __init__(self, model, opts):
        self.m, self.opts = model, opts
        n = len(model.vkeys)
        self.n = n
        rows, cols, vals = [], [], []
        for i, (cs, vs) in enumerate(zip(model.r_cols, model.r_vals)):
            rows += [i] * len(cs)
            cols += cs
            vals += vs
        self.nr = len(model.r_tag)
        A = sp.csr_matrix((np.array(vals, float), (np.array(rows, int), np.array(cols, int))), shape=(self.nr, n))
        A.sum_duplicates()
        rlo = np.array(model.r_lo, float)
        rhi = np.array(model.r_hi, float)
        # Scale each row to max |coefficient| 1 (numerics of propagation and LP).
        scale = np.asarray(abs(A).max(axis=1).todense()).ravel()
        scale[scale == 0] = 1.0
        Dinv = sp.diags(1.0 / scale)
        self.A = (Dinv @ A).tocsr()
        self.rlo = rlo / scale
        self.rhi = rhi / scale
        self.lo = np.zeros(n)
        self.hi = np.full(n, INF)
        self.hist_lo = defaultdict(list)
        self.hist_hi = defaultdict(list)
        self.stats = defaultdict(float)

    # -- bound propagation with integer rounding
    def propagate(self, max_pass=400):
        A = self.A.tocoo()
        r, c, a = A.row, A.col, A.data
        rlo, rhi = self.rlo, self.rhi
        lo, hi = self.lo, self.hi
        nr = self.nr
        pos = a > 0
        for it in range(max_pass):
            lo_c, hi_c = lo[c], hi[c]
            cmin = np.where(pos, a * lo_c, a * hi_c)
            cmax = np.where(pos, a * hi_c, a * lo_c)
            fmin, fmax = np.isfinite(cmin), np.isfinite(cmax)
            smin = np.bincount(r, weights=np.where(fmin, cmin, 0.0), minlength=nr)
            nmin = np.bincount(r, weights=(~fmin).astype(float), minlength=nr)
            smax = np.bincount(r, weights=np.where(fmax, cmax, 0.0), minlength=nr)
            nmax = np.bincount(r, weights=(~fmax).astype(float), minlength=nr)
            # Activity of the other terms of the row.
            omin_ok = (nmin[r] - (~fmin)) == 0
            omax_ok = (nmax[r] - (~fmax)) == 0
            omin = smin[r] - np.where(fmin, cmin, 0.0)
            omax = smax[r] - np.where(fmax, cmax, 0.0)
            ub_ax = np.where(omin_ok & np.isfinite(rhi[r]), rhi[r] - omin, INF)    # a*x <= ub_ax
            lb_ax = np.where(omax_ok & np.isfinite(rlo[r]), rlo[r] - omax, -INF)   # a*x >= lb_ax
            with np.errstate(invalid="ignore", divide="ignore"):
                hi_cand = np.where(pos, ub_ax / a, lb_ax / a)
                lo_cand = np.where(pos, lb_ax / a, ub_ax / a)
            hi_cand = np.where(np.isnan(hi_cand), INF, hi_cand)
            lo_cand = np.where(np.isnan(lo_cand), -INF, lo_cand)
            tol_h = 1e-6 + 1e-9 * np.abs(np.where(np.isfinite(hi_cand), hi_cand, 0))
            tol_l = 1e-6 + 1e-9 * np.abs(np.where(np.isfinite(lo_cand), lo_cand, 0))
            hi_cand = np.floor(hi_cand + tol_h)
            lo_cand = np.ceil(lo_cand - tol_l)
            new_hi = hi.copy()
            np.minimum.at(new_hi, c, hi_cand)
            new_lo = lo.copy()
            np.maximum.at(new_lo, c, lo_cand)
            ch_hi = new_hi < hi - 0.5
            ch_lo = new_lo > lo + 0.5
            if not ch_hi.any() and not ch_lo.any():
                break
            # Reasons: the row that set each new bound, and when (for explanations in derivation order).
            for mask, hist in ((ch_hi[c] & (hi_cand == new_hi[c]), self.hist_hi), (ch_lo[c] & (lo_cand == new_lo[c]), self.hist_lo)):
                idx = np.flatnonzero(mask)
                js, first = np.unique(c[idx], return_index=True)
                for j, rr in zip(js.tolist(), r[idx][first].tolist()):
                    hist[j].append((it, rr))
            lo[:] = np.maximum(lo, new_lo)
            hi[:] = np.minimum(hi, new_hi)
            bad = lo > hi + 0.5
            if bad.any():
                j = int(np.flatnonzero(bad)[0])
                raise InputError(f"the published tables are inconsistent with the model at {self.m.vkeys[j]} "
                                 f"(bounds {lo[j]}..{hi[j]}): attacker model bug, or inputs from different data")
        self.stats["propagation passes"] = it + 1

    def explain_bound(self, j, side, acc, seen, before=INF):
        """Rows behind a propagated bound: the row that set it and, recursively, the earlier bounds that row used."""
        hist = (self.hist_lo if side == "lo" else self.hist_hi).get(j)
        if not hist:
            return
        entry = None
        for e in hist:
            if e[0] < before:
                entry = e
        if entry is None:
            return
        key = (j, side, entry[0])
        if key in seen:
            return
        seen.add(key)
        when, ri = entry
        acc.add(int(ri))
        st, en = self.A.indptr[ri], self.A.indptr[ri + 1]
        aj = None
        for k in range(st, en):
            if self.A.indices[k] == j:
                aj = self.A.data[k]
        if aj is None:
            return
        # hi of x with a>0 came from the row's upper bound and the others' minimum; lo from the lower bound and their maximum.
        use_min = (side == "hi") == (aj > 0)
        for k in range(st, en):
            i = self.A.indices[k]
            if i == j:
                continue
            ai = self.A.data[k]
            other = ("lo" if ai > 0 else "hi") if use_min else ("hi" if ai > 0 else "lo")
            self.explain_bound(int(i), other, acc, seen, when)

    # -- reduce to free variables and split into components
    def reduce(self):
        lo, hi = self.lo, self.hi
        fixed = lo == hi
        self.fixed = fixed
        free = np.flatnonzero(~fixed)
        self.free = free
        fval = np.where(fixed, lo, 0.0)
        A = self.A
        const = A @ fval
        Af = A[:, free].tocsr()
        nnz = np.diff(Af.indptr)
        rlo = self.rlo - const
        rhi = self.rhi - const
        # Rows with no free variable must hold.
        dead = nnz == 0
        viol = dead & ((rlo > 1e-6) | (rhi < -1e-6))
        if viol.any():
            i = int(np.flatnonzero(viol)[0])
            raise InputError(f"inconsistent published tables at row {self.m.r_tag[i]} (attacker model bug, or inputs from different data)")
        # Drop rows implied by the bounds.
        flo, fhi = lo[free], hi[free]
        Ap = Af.maximum(0)
        An = Af.minimum(0)
        with np.errstate(invalid="ignore"):
            amin = Ap @ np.where(np.isfinite(flo), flo, 0) + An @ np.where(np.isfinite(fhi), fhi, 0)
            amax_fin = (Ap @ np.where(np.isfinite(fhi), fhi, 0)) + (An @ np.where(np.isfinite(flo), flo, 0))
        inf_hi = (Ap @ (~np.isfinite(fhi)).astype(float)) + (abs(An) @ (~np.isfinite(flo)).astype(float)) > 0
        amax = np.where(inf_hi, INF, amax_fin)
        redundant = (amin >= rlo - 1e-9) & (amax <= rhi + 1e-9)
        keep = np.flatnonzero(~dead & ~redundant)
        self.keep = keep
        self.Af = Af[keep].tocsr()
        self.Rlo = rlo[keep]
        self.Rhi = rhi[keep]
        self.Flo, self.Fhi = flo, fhi
        nf = len(free)
        # Components over free variables (bipartite rows/variables graph).
        B = self.Af.copy()
        B.data[:] = 1
        G = sp.bmat([[None, B.T], [B, None]], format="csr") if B.shape[0] and nf else None
        if G is not None:
            ncomp, lab = connected_components(G, directed=False)
            self.comp_of_var = lab[:nf]
            self.comp_of_row = lab[nf:]
        else:
            self.comp_of_var = np.arange(nf)
            self.comp_of_row = np.zeros(0, int)
        self.freepos = -np.ones(self.n, int)
        self.freepos[free] = np.arange(nf)
        self.stats["variables"] = self.n
        self.stats["rows"] = self.nr
        self.stats["free variables"] = nf
        self.stats["rows kept"] = len(keep)

    # -- one component's LP
    def comp_lp(self, comp):
        vars_ = np.flatnonzero(self.comp_of_var == comp)
        rows = np.flatnonzero(self.comp_of_row == comp)
        A = self.Af[rows][:, vars_].tocsr()
        C = dict(vars=vars_, rows=rows, A=A, rlo=self.Rlo[rows], rhi=self.Rhi[rows],
                 lo=self.Flo[vars_], hi=self.Fhi[vars_], engine=None)
        if HighsEngine.available:
            C["engine"] = HighsEngine(A, C["rlo"], C["rhi"], C["lo"], C["hi"])
        return C

    def lp(self, C, c):
        t0 = time.time()
        if C["engine"] is not None:
            res = C["engine"].solve(c)
        else:
            res = linprog_solve(C, c)
        self.stats["LP solves"] += 1
        self.stats["LP seconds"] += time.time() - t0
        return res

    def milp_bound(self, C, c, time_limit):
        t0 = time.time()
        if C["engine"] is not None:
            x, bound = C["engine"].milp(c, time_limit)
            self.stats["MILP solves"] += 1
            self.stats["MILP seconds"] += time.time() - t0
            return MILPResult(x), bound
        cons = LinearConstraint(C["A"], C["rlo"], C["rhi"]) if C["A"].shape[0] else ()
        res = milp(c, integrality=np.ones(len(c)), bounds=Bounds(C["lo"], C["hi"]), constraints=cons,
                   options={"time_limit": time_limit, "mip_rel_gap": 0.0, "disp": False})
        self.stats["MILP solves"] += 1
        self.stats["MILP seconds"] += time.time() - t0
        # A valid bound even when the time limit stops the search: HiGHS's dual bound.
        bound = getattr(res, "mip_dual_bound", None)
        if bound is None or not np.isfinite(bound):
            bound = res.fun if res.status == 0 else None
        return res, bound

    def lp_route_rows(self, C, res, acc):
        """Rows behind an LP optimum: non-zero duals, and the propagation reasons of the active bounds."""
        for i in np.flatnonzero(np.abs(res.row_dual) > 1e-9):
            acc.add(int(self.keep[C["rows"][i]]))
        seen = set()
        for i in np.flatnonzero(np.abs(res.col_dual) > 1e-9):
            side = "lo" if res.col_dual[i] > 0 else "hi"
            self.explain_bound(int(self.free[C["vars"][i]]), side, acc, seen)

    # -- the attack
    def run(self, targets):
        t0 = time.time()
        self.propagate()
        self.stats["propagation seconds"] = time.time() - t0
        self.reduce()
        rng = np.random.default_rng(12345)
        # Split each target into a constant and per-component parts.
        parts_by_comp = defaultdict(list)
        for ti, tg in enumerate(targets):
            const = 0.0
            comps = defaultdict(dict)
            for j, cf in tg.expr.items():
                if self.fixed[j]:
                    const += cf * self.lo[j]
                else:
                    fp = self.freepos[j]
                    comps[int(self.comp_of_var[fp])][fp] = cf
            tg.result = dict(const=const, parts={}, status=None)
            for comp, e in comps.items():
                parts_by_comp[comp].append((ti, e))
                tg.result["parts"][comp] = None
        # Each component.
        comp_sizes = []
        for comp, plist in parts_by_comp.items():
            C = self.comp_lp(comp)
            comp_sizes.append(len(C["vars"]))
            local = {int(v): i for i, v in enumerate(C["vars"])}
            wr, wc, wv = [], [], []
            for i, (ti, e) in enumerate(plist):
                for fp, cf in e.items():
                    wr.append(i)
                    wc.append(local[fp])
                    wv.append(cf)
            W = sp.csr_matrix((wv, (wr, wc)), shape=(len(plist), len(C["vars"])))
            smin = np.full(len(plist), INF)       # values seen in LP-feasible points
            smax = np.full(len(plist), -INF)
            first = np.full(len(plist), np.nan)   # first value seen in an integral feasible point
            multi = np.zeros(len(plist), bool)    # two different values seen in integral feasible points
            width = self.opts.milp_width + 1.01

            def record(x):
                if x is None:
                    return
                f = W @ x
                np.minimum(smin, f, out=smin)
                np.maximum(smax, f, out=smax)
                integral = bool(np.all(np.abs(x - np.round(x)) < 1e-6))
                if integral and C["engine"] is not None:
                    C["engine"].start = np.round(x)
                self.stats["witness integral"] += integral
                self.stats["witness points"] += 1
                if integral:
                    fi = np.round(f)
                    new = np.isnan(first)
                    multi[~new & (fi != first)] = True
                    first[new] = fi[new]

            def settled_mask():
                return multi | (smax - smin > width)

            def settled():
                return int(settled_mask().sum())
            # Witnesses: random objectives over the hidden cells; stop when two in a row settle (almost) nothing new.
            nw = self.opts.witnesses if len(plist) > 1 else 0
            stall, done = 0, settled()
            for k in range(nw):
                w = rng.choice([-1.0, 1.0], size=len(plist)) * rng.uniform(0.5, 1.5, size=len(plist))
                res = self.lp(C, W.T @ w)
                if res.ok:
                    record(res.x)
                now = settled()
                stall = stall + 1 if now - done < max(1, 0.01 * (len(plist) - done)) else 0
                done = now
                if stall >= 2 or done == len(plist):
                    break
            milp_cands = []
            for i, (ti, e) in enumerate(plist):
                out = dict(lo=None, hi=None, method=None, rows=set())
                targets[ti].result["parts"][comp] = out
                wi = W[i].toarray().ravel()
                if multi[i] or smax[i] - smin[i] > width:
                    out.update(lo=smin[i], hi=smax[i], method="witness")
                    continue
                # First towards the side with more room left by the published interval: when the cell is far
                # from pinned, one LP shows it.
                tg = targets[ti]
                up_first = False
                if len(tg.result["parts"]) == 1:
                    room_up = (tg.hi - tg.result["const"]) - smax[i]
                    room_down = smin[i] - (tg.lo - tg.result["const"])
                    up_first = room_up > room_down
                res, stop = {}, False
                for kind in (("max", "min") if up_first else ("min", "max")):
                    r = self.lp(C, wi if kind == "min" else -wi)
                    if not r.ok:
                        out.update(method="lp-" + r.status)
                        stop = True
                        break
                    record(r.x)
                    res[kind] = r
                    if multi[i] or smax[i] - smin[i] > width:
                        out.update(lo=smin[i], hi=smax[i], method="witness")
                        stop = True
                        break
                if stop:
                    continue
                rmin, rmax = res["min"], res["max"]
                lo, hi = rmin.fun, -rmax.fun
                ilo, ihi = math.ceil(lo - 1e-5), math.floor(hi + 1e-5)
                out.update(lo=lo, hi=hi, method="LP")
                if ilo == ihi:
                    self.lp_route_rows(C, rmin, out["rows"])
                    self.lp_route_rows(C, rmax, out["rows"])
                    out.update(value=ilo)
                    continue
                if ihi - ilo <= self.opts.milp_width - 1 and self.opts.milp_time > 0 and not multi[i]:
                    milp_cands.append((i, wi, rmin, rmax, out))
            # MILP pass: the cells whose LP interval is narrow but not a point.  A few random-objective MILPs
            # first (every integer solution is a witness for all cells), then min and max for each cell left.
            if milp_cands:
                cw = W[[c[0] for c in milp_cands]]
                for k in range(min(4, 1 + len(milp_cands) // 8)):
                    if self.stats["MILP seconds"] >= self.opts.milp_budget or all(multi[c[0]] for c in milp_cands):
                        break
                    w = rng.choice([-1.0, 1.0], size=len(milp_cands))
                    r0, _ = self.milp_bound(C, cw.T @ w, self.opts.milp_time)
                    if r0.x is not None:
                        record(r0.x)
            timeouts = 0
            for i, wi, rmin, rmax, out in milp_cands:
                if multi[i]:
                    out.update(method="witness")
                    continue
                if self.stats["MILP seconds"] >= self.opts.milp_budget:
                    self.stats["MILP skipped (budget)"] += 1
                    continue
                if timeouts >= 3:   # this component's MILPs are too hard for the time limit
                    self.stats["MILP skipped (hard component)"] += 1
                    continue
                r1, b1 = self.milp_bound(C, wi, self.opts.milp_time)
                timeouts += bool(C["engine"] is not None and C["engine"].timed_out)
                if r1.x is not None:
                    record(r1.x)
                if multi[i] or b1 is None:
                    continue
                r2, b2 = self.milp_bound(C, -wi, self.opts.milp_time)
                timeouts += bool(C["engine"] is not None and C["engine"].timed_out)
                if r2.x is not None:
                    record(r2.x)
                if b2 is None or multi[i]:
                    continue
                mlo, mhi = math.ceil(b1 - 1e-6), math.floor(-b2 + 1e-6)
                out.update(lo=mlo, hi=mhi, method="MILP")
                if mlo == mhi:
                    self.lp_route_rows(C, rmin, out["rows"])
                    self.lp_route_rows(C, rmax, out["rows"])
                    out.update(value=mlo)
        for tg in targets:
            for o in tg.result["parts"].values():
                if o: self.stats["part " + str(o.get("method"))] += 1
        self.stats["components attacked"] = len(parts_by_comp)
        self.stats["largest component"] = max(comp_sizes) if comp_sizes else 0
        # Combine parts.
        for tg in targets:
            r = tg.result
            const = r["const"]
            rows = set()
            if not r["parts"]:
                v = int(round(const))
                acc = set()
                seen = set()
                for j in tg.expr:
                    self.explain_bound(j, "lo", acc, seen)
                    self.explain_bound(j, "hi", acc, seen)
                r.update(status="recovered", value=v, method="propagation", rows=acc)
                continue
            vals, methods, ok = 0, set(), True
            for comp, out in r["parts"].items():
                if out is None or "value" not in out:
                    ok = False
                    break
                vals += out["value"]
                methods.add(out["method"])
                rows |= out["rows"]
            if ok:
                for j in tg.expr:
                    if self.fixed[j]:
                        seen = set()
                        self.explain_bound(j, "lo", rows, seen)
                        self.explain_bound(j, "hi", rows, seen)
                r.update(status="recovered", value=int(round(const + vals)), method="+".join(sorted(methods)), rows=rows)
            else:
                los = [o.get("lo") for o in r["parts"].values() if o]
                his = [o.get("hi") for o in r["parts"].values() if o]
                lo = const + sum(x for x in los if x is not None) if all(x is not None for x in los) else None
                hi = const + sum(x for x in his if x is not None) if all(x is not None for x in his) else None
                r.update(status="hidden", lo=lo, hi=hi)
        self.stats["seconds"] = time.time() - t0


# ----------------------------------------------------------------------------------------------------------------
# Routes

def route_of(model, tg, rows):
    tags = set()
    for ri in rows:
        tag = model.r_tag[ri]
        if tag[0] == "identity":
            continue
        tags.add(tag)
    tags.add((tg.pub.idx, tg.tid))
    pubs = sorted({t[0] for t in tags})
    tables = sorted({t[1] for t in tags})
    desc = "; ".join(f"{model.pubs[i].name}:" + ",".join(sorted({t[1] for t in tags if t[0] == i})) for i in pubs)
    return classify(model, tg, pubs, tables), desc


ROUTES = {
    1: "(1) period/12-month/cohort change columns",
    2: "(2) monthly trend vs 12-month/FY/period totals",
    3: "(3) interval reasoning in one table (with its total printed elsewhere)",
    4: "(4) age x sex vs district totals",
    5: "(5) data quality / row accounting",
    6: "(6) rank order",
    7: "(7) packs vs report/other packs",
    8: "(8) period differencing (runs with other periods)",
    9: "(9) definitions difference",
    10: "(10) printed percentages (change %, data-quality shares)",
    11: "(11) other linked tables or inputs",
}


def classify(model, tg, pubs, tables):
    P = [model.pubs[i] for i in pubs]
    if len(P) > 1:
        if any(p.kind == "pack" for p in P):
            return ROUTES[7]
        if len({p.group for p in P}) > 1:
            return ROUTES[9]
        if len({p.period for p in P}) > 1:
            return ROUTES[8]
        return ROUTES[11]
    T = set(tables)
    if "rank order" in T:
        return ROUTES[6]
    if "data_quality" in T or T >= {"offence_mix", "district_summary"}:
        return ROUTES[5]
    if any(t.endswith(" %") for t in T):
        return ROUTES[10]
    if T & {"victim_age_sex_by_district", "suspect_age_sex_by_district", "html_victim_age"} and len(T) > 1:
        return ROUTES[4]
    if "monthly_trend" in T and len(T) > 1:
        return ROUTES[2]
    change_cols = ("last_12", "previous_12", "incidents", "fy_count")
    if T <= {"district_summary", "district_change", "cohort_summary", "html_headline", "html_district_rates"} and \
            (len(T) > 1 or any(k in tg.col for k in change_cols) and tg.tid in ("district_summary", "cohort_summary")):
        return ROUTES[1]
    if len(T) == 1:
        return ROUTES[3]
    return ROUTES[11]


FAMILY = {"district_summary": 1, "district_change": 1, "cohort_summary": 1, "html_headline": 1, "html_district_rates": 1,
          "monthly_trend": 2,
          "victim_age_sex_by_district": 3, "suspect_age_sex_by_district": 3, "html_victim_age": 3,
          "single_year_of_age": 3, "age_profile": 3, "sexual_violence_age_sex": 3,
          "data_quality": 4, "offence_mix": 4,
          "hour_by_weekday": 5, "location_type": 5, "strand_by_district": 5, "strand_summary": 5, "html_strand_mix": 5}


def stage_route(f, k):
    """Route of a cell of family f first recovered at stage k (k = the family added last)."""
    if k == 1:   # its own table with the change tables, which print the totals
        return {1: 1, 2: 2, 3: 4, 4: 5, 5: 3}[f]
    if k == 6:
        return 10
    if k == 7:
        return 6
    fams = {f, k}
    return 5 if 4 in fams else 2 if 2 in fams else 4 if 3 in fams else 11


def cross_label(model):
    P = model.pubs
    if any(p.kind == "pack" for p in P):
        return ROUTES[7]
    if len({p.group for p in P}) > 1:
        return ROUTES[9]
    if len({p.period for p in P}) > 1:
        return ROUTES[8]
    return ROUTES[11]


def attribute_routes(model, solver, recovered, opts):
    """The smallest stage of published information that already pins each recovered cell: its own table; then
    its input's change tables, monthly trend, age tables, data quality, other count tables, printed percentages,
    rank order (cumulatively); else the other inputs.  Returns {target index: route label}."""
    tags = model.r_tag
    ident = np.array([t[0] == "identity" for t in tags])
    pub_of = np.array([t[0] if t[0] != "identity" else -1 for t in tags])
    tab = [t[1] for t in tags]
    fam = np.array([FAMILY.get(t, 6 if t.endswith(" %") else 7 if t == "rank order" else 5) for t in tab])
    solvers, caches = {}, {}
    labels = {}

    def get(key, mask):
        if key not in solvers:
            sv = Solver.subset(solver, mask)
            try:
                sv.propagate()
                sv.reduce()
            except InputError:
                sv = None
            solvers[key], caches[key] = sv, {}
        return solvers[key], caches[key]
    multi = len(model.pubs) > 1
    for ti, tg in recovered:
        p = tg.pub.idx
        f = FAMILY.get(tg.tid, 5)
        mine = pub_of == p
        found = None
        if multi:
            # Needs the other inputs unless the target's own input alone recovers it.
            sv, cache = get(("all own", p), ident | mine)
            if sv is None or not sv.pins(tg, cache):
                labels[ti] = cross_label(model)
                tg.result["alone"] = [cross_label(model).split(")")[0] + ")"]
                continue
        # stage 0: the target's own table
        mask = ident | (mine & np.array([t == tg.tid for t in tab]))
        sv, cache = get(("own", p, tg.tid), mask)
        stage0 = None
        if sv is not None and sv.pins(tg, cache):
            change_cols = ("last_12", "previous_12", "incidents", "fy_count")
            found = stage0 = ROUTES[1] if tg.tid in ("district_summary", "cohort_summary") and any(c in tg.col for c in change_cols) else ROUTES[3]
        if found is None:
            last = None
            for k in range(1, 8):
                fams = set(range(1, min(k, 5) + 1)) | {f}
                if k >= 6:
                    fams.add(6)
                if k >= 7:
                    fams.add(7)
                if fams == last:
                    continue
                last = fams
                mask = ident | (mine & np.isin(fam, list(fams)))
                sv, cache = get(("stage", p, tuple(sorted(fams))), mask)
                if sv is not None and sv.pins(tg, cache):
                    # Named after the information added last: at stage 1 the own table with the change tables
                    # (which print the totals), later the family just added.
                    found = ROUTES[stage_route(f, k)]
                    break
        if found is not None:
            labels[ti] = found
        if opts.route_matrix:
            # Which single extra family suffices: base = the own table with the tables printing its totals (and
            # its own family); then base + one other family at a time.
            def pins_with(fams):
                mask = ident | (mine & (np.isin(fam, list(fams)) | np.array([t == tg.tid for t in tab])))
                sv, cache = get(("alone", p, tuple(sorted(fams)), tg.tid), mask)
                return sv is not None and sv.pins(tg, cache)
            alone = []
            if stage0:
                alone.append(stage0)
            elif pins_with({1, f}):
                alone.append(ROUTES[stage_route(f, 1)])
            else:
                for k in (2, 3, 4, 5, 6, 7):
                    if k != f and pins_with({1, f, k}):
                        alone.append(ROUTES[stage_route(f, k)])
            tg.result["alone"] = sorted({a.split(")")[0] + ")" for a in alone})
        stats = solver.stats
        stats["attribution stages"] = len(solvers)
    return labels


# ----------------------------------------------------------------------------------------------------------------
# Truth

def truth_value(tp, tg):
    """The true value of a target cell, read from the unprotected outputs of the same run."""
    t = tp.tables.get(tg.tid)
    if tg.tid == "html_headline":
        for lab, big, prev, _ in tp.cards:
            if lab == tg.rowkey:
                return big if tg.col == "last_12_months" else prev
        return None
    if t is None:
        return None
    key = tg.rowkey
    for r in t.rows:
        if row_key(t, r) == key:
            if tg.tid in ("html_victim_age",):
                return r[1]
            if tg.tid == "html_strand_mix":
                return r[1]
            if tg.tid == "html_district_rates":
                return r[t.index["Incidents"]]
            return t.get(r, tg.col)
    return None


def row_key(t, r):
    tid = t.id
    if tid in ("victim_age_sex_by_district", "suspect_age_sex_by_district", "age_profile", "location_type_by_district",
               "location_type_by_strand"):
        return f"{r[0]}/{r[2]}"
    if tid in ("sexual_violence_age_sex", "source_by_district", "source_by_month", "source_by_hour"):
        return f"{r[0]}/{r[1]}"
    if tid == "context_by_district":
        return f"{r[0]}/{t.get(r, 'district_code')}"
    if tid == "district_summary":
        return t.get(r, "district_code")
    if tid == "html_district_rates":
        return r[0] if r is not t.rows[-1] else "TOTAL"
    return r[0]


def model_check(truth_pubs, vocab, opts):
    """The model built from the unprotected outputs must be feasible, or an identity is wrong."""
    m = Model(truth_pubs, vocab)
    m.build()
    s = Solver(m, opts)
    s.propagate()
    s.reduce()
    comps = np.unique(s.comp_of_var)
    bad = 0
    for comp in comps:
        C = s.comp_lp(comp)
        if C["A"].shape[0] == 0:
            continue
        res = s.lp(C, np.zeros(len(C["vars"])))
        if not res.ok:
            bad += 1
    return bad == 0


# ----------------------------------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("inputs", nargs="+", help="svd assess output folders and/or svd report HTML files (attacked together)")
    ap.add_argument("--truth", nargs="+", default=[], help="unprotected (--no-suppress) outputs of the same runs, in the same order")
    ap.add_argument("--json", help="write every finding to this JSON file")
    ap.add_argument("--witnesses", type=int, default=40, help="at most this many random-objective LPs per component (default 40)")
    ap.add_argument("--milp-width", type=int, default=2, help="run the MILP when the LP leaves at most this many integers (default 2)")
    ap.add_argument("--milp-time", type=float, default=1.0, help="time limit per MILP in seconds (default 1; 0 = no MILP)")
    ap.add_argument("--milp-budget", type=float, default=30.0, help="total MILP seconds per run (default 30); cells left undecided are counted in the summary")
    ap.add_argument("--quiet", action="store_true", help="summary only")
    ap.add_argument("--measures", action="store_true", help="also read kpi_summary and kpi_by_district (one unknown per measure, district and month: slow on many runs)")
    ap.add_argument("--no-sources", action="store_true",
                    help="leave out the by-source tables (source_summary, source_by_district/_month/_hour)")
    ap.add_argument("--source-cube", action="store_true",
                    help="model each source by district AND month (one unknown per source, district and month, summing "
                         "to the all-sources district x month count) instead of its district and month margins: exact "
                         "rather than a relaxation, slower; found nothing more on the demo cases")
    ap.add_argument("--no-context", action="store_true", help="leave out context_by_district")
    ap.add_argument("--route-matrix", action="store_true",
                    help="also test, for each recovered cell, which single route recovers it on its own "
                         "(own table + printed totals + one family of tables)")
    ap.add_argument("--fast-routes", action="store_true",
                    help="label each recovered cell by the tables of the proof the solver found, instead of searching "
                         "for the smallest stage of published information that already recovers it")
    opts = ap.parse_args(argv)
    global READ_MEASURES, READ_SOURCES, READ_CONTEXT, SOURCE_CUBE
    SOURCE_CUBE = opts.source_cube
    READ_MEASURES = opts.measures
    READ_SOURCES = not opts.no_sources
    READ_CONTEXT = not opts.no_context
    t0 = time.time()
    try:
        pubs = [load_pub(p) for p in opts.inputs]
        truths = [load_pub(p) for p in opts.truth]
        if truths and len(truths) != len(pubs):
            raise InputError(f"--truth needs one output per input ({len(pubs)}), got {len(truths)}")
        datasets = {p.dataset for p in pubs if p.dataset is not None}
        if len(datasets) > 1:
            raise InputError("the inputs come from different data (their row accounting differs): attack them separately")
        vocab = Vocab(pubs + truths)
        model = Model(pubs, vocab)
        model.build()
        solver = Solver(model, opts)
        solver.run(model.targets)
    except (InputError, OSError, ValueError) as e:
        print(f"attack_tables: {e}", file=sys.stderr)
        return 2
    elapsed = time.time() - t0
    for p in pubs:
        print(f"# input {p.idx}: {p.path} ({p.kind}{' ' + p.scope if p.scope else ''}, "
              f"{month_text(p.period[0])} to {month_text(p.period[1])}; {p.disc.describe()})")
    for n in model.notes:
        print(f"# {n}")
    recovered = [t for t in model.targets if t.result["status"] == "recovered"]
    findings = []
    by_route = defaultdict(int)
    by_table = defaultdict(int)
    by_alone = defaultdict(int)
    small = 0
    correct = wrong = unknown = 0
    t_att = time.time()
    labels = {} if opts.fast_routes else attribute_routes(model, solver, list(enumerate(recovered)), opts)
    t_att = time.time() - t_att
    for ti, tg in enumerate(recovered):
        route, desc = route_of(model, tg, tg.result["rows"])
        route = labels.get(ti, route)
        v = tg.result["value"]
        tv = None
        verdict = ""
        if truths:
            raw = truth_value(truths[tg.pub.idx], tg)
            tv = int(raw) if raw is not None and re.fullmatch(r"-?\d+", norm(raw)) else None
            if tv is None:
                unknown += 1
                verdict = " [truth: n/a]"
            elif tv == v:
                correct += 1
                verdict = " [correct]"
            else:
                wrong += 1
                verdict = f" [WRONG: true value {tv} -- ATTACKER BUG]"
        if 1 <= v <= tg.pub.disc.t - 1:
            small += 1
        by_route[route] += 1
        for a in tg.result.get("alone", []) if opts.route_matrix else []:
            by_alone[a] += 1
        if opts.route_matrix and not tg.result.get("alone"):
            by_alone["only combined"] += 1
        by_table[tg.tid] += 1
        findings.append(dict(file=tg.file, input=tg.pub.path, table=tg.tid, row=tg.rowkey, column=tg.col,
                             published=tg.raw, value=v, method=tg.result["method"], route=route, proof=desc,
                             routes_alone=tg.result.get("alone"),
                             truth=tv))
        if not opts.quiet:
            print(f"{tg.file}, {tg.rowkey}, {tg.col}, {v}, {route} [{tg.result['method']}: {desc}]{verdict}")
    nt = len(model.targets)
    elapsed = time.time() - t0
    print(f"SUMMARY: {len(recovered)} of {nt} {'hidden' if model.exact else 'hidden or possibly small (perturbed)'} cells recovered exactly ({small} with a value 1-"
          f"{max(p.disc.t for p in pubs) - 1}) in {elapsed:.1f} s (route attribution {t_att:.1f} s)")
    for r, c in sorted(by_route.items(), key=lambda x: -x[1]):
        print(f"  route {r}: {c}")
    if opts.route_matrix:
        print("  recoverable by one route on its own: " + ", ".join(
            f"{r}={c}" for r, c in sorted(by_alone.items(), key=lambda x: int(x[0][1:-1]) if x[0][1:-1].isdigit() else 99)))
    for r, c in sorted(by_table.items(), key=lambda x: -x[1]):
        print(f"  table {r}: {c}")
    st = solver.stats
    print("  solver: " + ", ".join(f"{k} {v:.2f}" if isinstance(v, float) and not float(v).is_integer() else f"{k} {int(v)}"
                                    for k, v in st.items()))
    check = None
    if truths:
        check = model_check(truths, vocab, opts)
        print(f"TRUTH: {correct} correct, {wrong} wrong, {unknown} without a true value; "
              f"model {'consistent' if check else 'INCONSISTENT'} with the unprotected tables")
        if wrong or not check:
            print("ATTACKER BUG: a claim or an identity disagrees with the truth", file=sys.stderr)
    if opts.json:
        with open(opts.json, "w", encoding="utf-8") as f:
            attacked = defaultdict(int)
            for tg in model.targets:
                attacked[tg.tid] += 1
            json.dump(dict(inputs=[p.path for p in pubs], hidden_cells=nt, attacked_by_table=attacked,
                           recovered=len(recovered), recovered_small=small,
                           by_route=by_route, by_table=by_table, by_route_alone=by_alone if opts.route_matrix else None,
                           seconds=elapsed,
                           truth=dict(correct=correct, wrong=wrong, unknown=unknown, model_consistent=check) if truths else None,
                           findings=findings, solver=dict(st)), f, indent=1, default=str)
    return 1 if recovered else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:   # output piped into head & co.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
