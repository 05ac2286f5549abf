#!/usr/bin/env bash
# One command for a new user: install GEOS, build svd, generate the demo incidents for the embedded
# Kent & Medway area, and run the needs assessment and hotspot analysis on them.
#   bash scripts/demo.sh [ROWS]      (default 100,000 incidents over 36 months; outputs in out/)
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-100000}"
# The build links GEOS (geometry), libxlsxwriter (--format xlsx workbooks) and zlib (svd audit unzips them).
missing=()
for p in libgeos-dev libxlsxwriter-dev zlib1g-dev; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]} (GEOS geometry engine, libxlsxwriter for Excel workbooks, zlib)…" >&2
  if [ "$(id -u)" -eq 0 ]; then apt-get update -qq && apt-get install -y -qq "${missing[@]}"
  else sudo apt-get update -qq && sudo apt-get install -y -qq "${missing[@]}"; fi
fi
swift build -c release --product svd >&2
svd=.build/release/svd
# Synthetic data only: a fixed, public key so the demo's perturbed figures are the same on every machine.
# Real runs use the partnership's secret key file (see README, "Disclosure control").
export SVD_DISCLOSURE_KEY_FILE="${SVD_DISCLOSURE_KEY_FILE:-scripts/demo-only.key}"
mkdir -p out
"$svd" demo --rows "$rows" --seed 2024 --out out/demo-incidents.csv
"$svd" assess out/demo-incidents.csv --out out/assess --format csv,md,json,xlsx --hotspots 3
"$svd" hotspots out/demo-incidents.csv --out out/hotspots >&2
"$svd" report out/demo-incidents.csv --out out/report.html >&2
echo
cat out/assess/district_summary.md
echo
[ -f out/assess/cohort_headline.md ] && cat out/assess/cohort_headline.md
# Several agencies: the same police file with an A&E ISTV and an ambulance extract that partly describe the same
# assaults, read with their own mappings, by source, with the overlap estimated against the demo's known truth.
mkdir -p out/agencies
"$svd" demo --rows "$rows" --seed 2024 --partners --out out/agencies/demo.csv >&2
"$svd" assess --sources out/agencies/demo-sources.yaml --out out/agencies/assess >&2
"$svd" report --sources out/agencies/demo-sources.yaml --out out/agencies/report.html >&2
echo
grep -E '^(##|\|)' out/agencies/assess/source_summary.md
echo
grep -E '^##|^\|---|^\| source |^\| [^|]+ \| all \|' out/agencies/assess/source_overlap.md
echo
echo "All tables: out/assess/ (one workbook: out/assess/assessment.xlsx)   Rejected rows (restricted, never publish): out/assess.restricted/rejects.csv   Hotspots: out/hotspots/   Report: out/report.html   Several agencies: out/agencies/" >&2
