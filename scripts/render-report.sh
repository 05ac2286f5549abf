#!/usr/bin/env bash
# Builds svd, makes the demo incidents, writes the needs-assessment report (and one local pack), and renders the
# report to docs/report.png with headless Chromium (installed from Debian if missing).
#   bash scripts/render-report.sh [ROWS] [DISTRICT]   (default 200,000 incidents; pack for Thanet)
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-200000}"
district="${2:-Thanet}"
out=out/report
mkdir -p "$out" docs
scratch="${SVD_SCRATCH:-.build}"   # another build directory, e.g. to keep out of a shared one's lock
swift build -c release --scratch-path "$scratch" --product svd >&2
svd="$scratch/release/svd"
"$svd" demo --rows "$rows" --seed 2024 --out "$out/demo-incidents.csv"
"$svd" report "$out/demo-incidents.csv" --quiet --out "$out/report.html"
"$svd" report "$out/demo-incidents.csv" --quiet --district "$district" --out "$out/report-$(echo "$district" | tr ' A-Z' '-a-z').html"
chromium_bin="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$chromium_bin" ]; then
  echo "Installing chromium (Debian package) for the screenshot…" >&2
  if [ "$(id -u)" -eq 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; fi
  chromium_bin="$(command -v chromium)"
fi
# The page fetches nothing, so the screenshot is the page as any reader sees it offline.
"$chromium_bin" --headless --disable-gpu --no-sandbox --hide-scrollbars --force-device-scale-factor=1 \
  --screenshot="$PWD/docs/report.png" --window-size=1240,3500 "file://$PWD/$out/report.html" 2>/dev/null
echo "Report: $out/report.html   Local pack: $out/report-*.html   Picture: docs/report.png" >&2
