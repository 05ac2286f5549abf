#!/usr/bin/env python3
"""Checks an svd workbook (--format xlsx) against the CSV and Markdown tables of the same run, with openpyxl.

    check_workbook.py WORKBOOK FOLDER --marking OFFICIAL|OFFICIAL-SENSITIVE [--libreoffice] [--unlisted]

FOLDER is the run's output folder: its *.csv give the published cells, its *.md the tables' titles and notes,
its manifest.json the period, tier and files. Independent of svd's code: it reads only the files.

Checks: a Notes sheet first, then one sheet per CSV table (Excel-valid names); the CSV's '#' marking lines in the
first rows of every sheet; the header row (the CSV's columns, bold) frozen, with nothing but the marking and the
title above it; every cell equal to the CSV's ("<5", "[c]" as text; numbers numeric at the CSV's precision, with a
number format of that many decimals); nothing more in the sheet; every used column's width set; the Notes sheet's
definitions, period, area, tier and marking, and every table's notes under its sheet name and title; the workbook
listed in the manifest and no temporary file left. With --libreoffice, LibreOffice (headless) must open it. With
--unlisted the workbook is another command's (`svd report --xlsx`) and is not looked for in FOLDER's manifest.
Prints one JSON object; exits 1 listing the failures.
"""
import argparse, csv, glob, io, json, os, re, shutil, subprocess, sys, tempfile

import openpyxl
from openpyxl.utils import get_column_letter

NUMBER = re.compile(r"^-?\d+(\.(\d+))?$")
FORBIDDEN = set('[]:*?/\\')
failures = []


def fail(where, message):
    failures.append(f"{where}: {message}")


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    lines = text.split("\n")
    marking = []
    while lines and lines[0].startswith("# "):
        marking.append(lines.pop(0)[2:])
    rows = list(csv.reader(io.StringIO("\n".join(lines))))
    return marking, rows[0], rows[1:]


def read_md(path):
    """Title ('## …') and notes ('- …' after the table) of a Markdown table."""
    title, notes, after_table = None, [], False
    with open(path, encoding="utf-8") as f:
        for line in f.read().split("\n"):
            if title is None and line.startswith("## "):
                title = line[3:]
            elif line.startswith("|"):
                after_table = True
            elif after_table and line.startswith("- "):
                notes.append(line[2:])
    return title, notes


def decimals_of(number_format):
    """Decimals a number format shows, and whether all its sections agree."""
    counts = []
    for section in number_format.split(";"):
        m = re.search(r"0(\.(0+))?(?![0-9])", section)
        counts.append(len(m.group(2) or "") if m else None)
    return counts[0] if len(set(counts)) == 1 else None


def valid_sheet_name(name):
    return 0 < len(name.encode("utf-16-le")) // 2 <= 31 and not (set(name) & FORBIDDEN) \
        and not name.startswith("'") and not name.endswith("'")


def check_marking(ws, marking, where):
    for i, line in enumerate(marking):
        value = ws.cell(row=i + 1, column=1).value
        if value != line:
            fail(where, f"row {i + 1} is {value!r}, not the marking line {line!r}")


def check_table(ws, stem, marking, columns, rows, title):
    where = f"sheet {ws.title} ({stem}.csv)"
    check_marking(ws, marking, where)
    freeze = ws.freeze_panes
    m = re.fullmatch(r"A(\d+)", freeze or "")
    if not m:
        fail(where, f"no frozen header row (freeze_panes {freeze!r})")
        return 0
    header_row = int(m.group(1)) - 1
    # Between the marking and the header: the title only.
    between = [ws.cell(row=r, column=1).value for r in range(len(marking) + 1, header_row)]
    if between != [title]:
        fail(where, f"rows between the marking and the header are {between!r}, not the title {title!r}")
    header = [ws.cell(row=header_row, column=c + 1) for c in range(len(columns))]
    if [c.value for c in header] != columns:
        fail(where, f"header row {header_row} is {[c.value for c in header]!r}, not the CSV's columns {columns!r}")
    if not all(c.font is not None and c.font.b for c in header):
        fail(where, "header row is not bold")
    if ws.max_row > header_row + len(rows):
        fail(where, f"{ws.max_row - header_row - len(rows)} rows more than the CSV's {len(rows)}")
    if ws.max_column > len(columns):
        fail(where, f"{ws.max_column} columns, the CSV has {len(columns)}")
    numeric = 0
    for i, row in enumerate(rows):
        r = header_row + 1 + i
        for j, text in enumerate(row):
            c = ws.cell(row=r, column=j + 1)
            at = f"{where} {c.coordinate} ({columns[j]})"
            v = c.value
            if text == "":
                if v not in (None, ""):
                    fail(at, f"{v!r} where the CSV is empty")
            elif text.startswith("<") or text == "[c]":
                if v != text or c.data_type != "s":
                    fail(at, f"{v!r} ({c.data_type}) where the CSV has the text {text!r}")
            elif NUMBER.match(text):
                numeric += 1
                d = len(NUMBER.match(text).group(2) or "")
                if c.data_type != "n" or isinstance(v, bool) or not isinstance(v, (int, float)):
                    fail(at, f"{v!r} ({c.data_type}, {type(v).__name__}) is not a number; the CSV has {text}")
                    continue
                # Equal at the CSV's precision (a zero may differ in sign), and shown with as many decimals.
                rounded = f"{v:.{d}f}"
                if rounded != text and not (float(rounded) == 0 and float(text) == 0):
                    fail(at, f"{v!r} is not the CSV's {text}")
                shown = decimals_of(c.number_format)
                if shown != d:
                    fail(at, f"number format {c.number_format!r} shows {shown} decimals; the CSV has {d}")
            else:
                if v != text or c.data_type != "s":
                    fail(at, f"{v!r} ({c.data_type}) where the CSV has {text!r}")
    # Column widths: set for every column, wide enough for the header or 50 characters.
    for j, name in enumerate(columns):
        letter = get_column_letter(j + 1)
        dim = ws.column_dimensions.get(letter)
        if dim is None or not dim.customWidth or dim.width is None:
            fail(where, f"column {letter} ({name}) has no width set")
        elif dim.width < min(len(name), 50):
            fail(where, f"column {letter} ({name}) is {dim.width} wide, narrower than its header")
    return numeric


def check_notes(ws, marking, manifest, tables):
    where = "sheet Notes"
    check_marking(ws, marking, where)
    if ws.freeze_panes != f"A{len(marking) + 1}":
        fail(where, f"the marking rows are not frozen (freeze_panes {ws.freeze_panes!r})")
    rows = [[c.value for c in row[:2]] for row in ws.iter_rows(min_row=len(marking) + 1)]
    facts = {}
    for a, b in rows:
        if a is not None and b is not None:
            facts.setdefault(a, b)
    period = manifest["period"]
    disclosure = manifest["disclosure"]
    expect = {"Period": f"{period['from']} to {period['to']}", "Disclosure tier": disclosure["tier"],
              "Marking": disclosure["marking"]}
    for label, value in expect.items():
        if facts.get(label) != value:
            fail(where, f"{label} is {facts.get(label)!r}, not {value!r}")
    for label in ("Definitions", "Area"):
        if not facts.get(label):
            fail(where, f"no {label}")
    if not any(a and not b for a, b in rows):
        fail(where, "no title")
    # Each table: its sheet name (a link to the sheet) and title, then its notes one a row, in column B.
    for sheet, title, notes in tables:
        starts = [i for i, (a, b) in enumerate(rows) if a == sheet and b == title]
        if len(starts) != 1:
            fail(where, f"table {sheet} ({title!r}) is listed {len(starts)} times")
            continue
        i = starts[0]
        listed = [b for a, b in rows[i + 1:i + 1 + len(notes)] if a is None]
        if listed != notes:
            fail(where, f"notes of {sheet} are {listed!r}, not the Markdown's {notes!r}")
        link = ws.cell(row=len(marking) + 1 + i, column=1).hyperlink
        if link is None or sheet not in (link.location or ""):
            fail(where, f"{sheet} does not link to its sheet")


def libreoffice_opens(path):
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        profile = "file://" + os.path.join(tmp, "profile")
        r = subprocess.run([office, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "csv",
                            "--outdir", tmp, path], capture_output=True, text=True, timeout=300)
        out = os.path.join(tmp, os.path.splitext(os.path.basename(path))[0] + ".csv")
        if r.returncode != 0 or not os.path.exists(out):
            fail("libreoffice", f"could not open the workbook: {r.returncode} {r.stderr.strip()[:300]}")
            return False
        with open(out, encoding="utf-8", errors="replace") as f:
            first = f.readline()
        # The first sheet is Notes: its first line is the marking.
        if not first.lstrip('"').startswith(("OFFICIAL", "NOT SAFE")):
            fail("libreoffice", f"first line of the converted Notes sheet is {first[:80]!r}")
        return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("workbook")
    ap.add_argument("folder")
    ap.add_argument("--marking", required=True)
    ap.add_argument("--libreoffice", action="store_true")
    ap.add_argument("--unlisted", action="store_true")
    a = ap.parse_args()

    manifest = json.load(open(os.path.join(a.folder, "manifest.json"), encoding="utf-8"))
    name = os.path.basename(a.workbook)
    if not a.unlisted and name not in manifest["files"]:
        fail("manifest.json", f"{name} is not listed")
    leftovers = [f for f in os.listdir(a.folder) if f.startswith(".") or "partial" in f or f.endswith(".tmp")]
    if leftovers:
        fail("folder", f"temporary files left: {leftovers}")
    if manifest["disclosure"]["marking"] != a.marking:
        fail("manifest.json", f"marking {manifest['disclosure']['marking']!r}, expected {a.marking!r}")

    wb = openpyxl.load_workbook(a.workbook)
    names = wb.sheetnames
    if not names or names[0] != "Notes":
        fail("workbook", f"first sheet is {names[:1]}, not Notes")
    for n in names:
        if not valid_sheet_name(n):
            fail("workbook", f"sheet name {n!r} is not valid in Excel")
    if len({n.lower() for n in names}) != len(names):
        fail("workbook", "sheet names repeat (ignoring case)")

    csvs = sorted(glob.glob(os.path.join(a.folder, "*.csv")))
    stems = [os.path.splitext(os.path.basename(p))[0] for p in csvs]
    table_sheets = [n for n in names if n != "Notes"]
    if len(table_sheets) != len(csvs):
        fail("workbook", f"{len(table_sheets)} table sheets for {len(csvs)} CSV tables")

    def sheet_for(stem):
        if stem in table_sheets:
            return stem
        fits = [n for n in table_sheets if stem.startswith(re.sub(r"~\d+$", "", n))]
        return fits[0] if len(fits) == 1 else None

    markings, listed, numeric, cells = set(), [], 0, 0
    first_marking = None
    for path, stem in zip(csvs, stems):
        marking, columns, rows = read_csv(path)
        if not marking or not marking[0].startswith(a.marking + " "):
            fail(f"{stem}.csv", f"first line {marking[:1]!r} does not carry the marking {a.marking}")
        markings.add(tuple(marking))
        first_marking = first_marking or marking
        md = os.path.join(a.folder, stem + ".md")
        if not os.path.exists(md):
            fail(stem, "no Markdown beside the CSV (run with --format csv,md,xlsx)")
            continue
        title, notes = read_md(md)
        sheet = sheet_for(stem)
        if sheet is None:
            fail("workbook", f"no sheet for {stem}")
            continue
        numeric += check_table(wb[sheet], stem, marking, columns, rows, title)
        cells += sum(len(r) for r in rows)
        listed.append((sheet, title, notes))
    if len(markings) != 1:
        fail("folder", f"the CSVs carry {len(markings)} different markings")
    if "Notes" in names and first_marking:
        check_notes(wb["Notes"], first_marking, manifest, listed)
    if numeric == 0:
        fail("workbook", "no numeric cell checked")

    opened = libreoffice_opens(a.workbook) if a.libreoffice else None
    print(json.dumps({"sheets": names, "tables": len(listed), "cells": cells, "numeric": numeric,
                      "libreoffice": opened, "failures": failures[:50], "failure_count": len(failures)}))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
