#!/usr/bin/env bash
# svd against the pandas + shapely peer on the same demo file: ingest → locate → bin.
#   bash scripts/bench-pipeline.sh [ROWS]        (default 1,000,000; work files in ${BENCH_DIR:-/tmp/svd-bench-pipeline})
# Environment: PEER_PYTHON (default /tmp/peervenv/bin/python; the venv is made from Benchmarks/peers/requirements.txt
# when missing), SCRATCH (svd build folder, default .build), SVD (a prebuilt svd: skips the build),
# CHECK=0 to skip the cell-by-cell agreement check.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
rows="${1:-1000000}"
work="${BENCH_DIR:-/tmp/svd-bench-pipeline}"
scratch="${SCRATCH:-.build}"
peer_python="${PEER_PYTHON:-/tmp/peervenv/bin/python}"
mkdir -p "$work"

if [ ! -x /usr/bin/time ]; then
  echo "Installing GNU time (peak RSS)…" >&2
  if [ "$(id -u)" -eq 0 ]; then apt-get update -qq && apt-get install -y -qq time
  else sudo apt-get update -qq && sudo apt-get install -y -qq time; fi
fi
if [ ! -x "$peer_python" ]; then
  echo "Making the peer venv at $(dirname "$(dirname "$peer_python")")…" >&2
  python3 -m venv "$(dirname "$(dirname "$peer_python")")"
  "$peer_python" -m pip install -q -r Benchmarks/peers/requirements.txt
fi

if [ -n "${SVD:-}" ]; then
  svd="$SVD"
else
  echo "Building svd (release)…" >&2
  swift build -c release --scratch-path "$scratch" --product svd >&2
  svd="$scratch/release/svd"
fi

input="$work/demo-$rows-seed2024.csv"
if [ ! -s "$input" ]; then
  echo "Generating $rows demo rows (seed 2024)…" >&2
  "$svd" demo --rows "$rows" --seed 2024 --out "$input"
fi

# /usr/bin/time -v prints "Elapsed (wall clock) time (h:mm:ss or m:ss): M:SS.ss" and "Maximum resident set size (kbytes): N".
wall_seconds() { awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$1"; }
calc() { awk "BEGIN { print $1 }"; }
max_rss_kib() { awk -F': ' '/Maximum resident set size/ { print $2 }' "$1"; }

echo "Timing svd assess…" >&2
rm -rf "$work/assess"
# Partner tier: true counts, so the district table can be checked against the peer cell for cell (the public
# tier perturbs them); the work is the same.
/usr/bin/time -v -o "$work/svd.time" "$svd" assess "$input" --out "$work/assess" --tier partner > "$work/svd.log" 2>&1 \
  || { cat "$work/svd.log" >&2; exit 1; }
svd_s=$(wall_seconds "$work/svd.time"); svd_kib=$(max_rss_kib "$work/svd.time")

echo "Timing the pandas + shapely peer…" >&2
/usr/bin/time -v -o "$work/peer.time" "$peer_python" Benchmarks/peers/pipeline_peer.py "$input" \
  --out "$work/peer_district_counts.csv" > "$work/peer.log" 2>&1 || { cat "$work/peer.log" >&2; exit 1; }
peer_s=$(wall_seconds "$work/peer.time"); peer_kib=$(max_rss_kib "$work/peer.time")
peer_stages=$(awk '/TOTAL_SECONDS/ { print $2 }' "$work/peer.log")

if [ "${CHECK:-1}" != 0 ]; then
  # The same counts from the Swift stages, cell by cell (district × victim age band × hour × weekday × month).
  echo "Checking agreement cell by cell…" >&2
  (cd Benchmarks && swift build -c release --scratch-path "$root/.build-bench" --product DistrictCounts >&2)
  "$root/.build-bench/release/DistrictCounts" "$input" --out "$work/swift_district_counts.csv" \
    --cube-out "$work/swift_cube.csv" > /dev/null
  "$peer_python" Benchmarks/peers/pipeline_peer.py "$input" --out "$work/peer_district_counts.csv" \
    --cube-out "$work/peer_cube.csv" > /dev/null 2>&1
  if diff -q "$work/swift_district_counts.csv" "$work/peer_district_counts.csv" > /dev/null \
     && diff -q <(sort "$work/swift_cube.csv") <(sort "$work/peer_cube.csv") > /dev/null; then
    agreement="agree on every district and cell ($(($(wc -l < "$work/peer_cube.csv") - 1)) cells)"
  else
    agreement="DISAGREE: compare $work/swift_district_counts.csv with $work/peer_district_counts.csv"
  fi
fi

# svd assess's own district table against the peer: its "incidents" column is serious violence per district.
summary_check=$(awk -F, 'NR == FNR { if (FNR > 1) { sv[tolower($1)] = $4; if ($1 != "outside") inside += $4 }; next }
  /^#/ { next }  # the tier marking above the header (partner tier: OFFICIAL-SENSITIVE)
  !header++ { for (i = 1; i <= NF; i++) { if ($i == "district_code") c = i; if ($i == "incidents") n = i }; next }
  { code = tolower($c); want = (code == "total") ? inside : sv[code]; rows++
    if (want == $n) ok++; else bad = bad " " $c "(svd " $n ", peer " want ")" }
  END { if (!c || !n) print "no district_code/incidents columns"; else if (ok == rows) print "all " rows " rows agree"; else print "DIFFER:" bad }' \
  "$work/peer_district_counts.csv" "$work/assess/district_summary.csv" 2>/dev/null || echo "no district_summary.csv")

echo
echo "Peer stages (seconds):"
grep -E '^  ' "$work/peer.log"
echo
printf '%-34s %10s %14s\n' "job ($rows rows)" "wall (s)" "peak RSS (MiB)"
printf '%-34s %10.2f %14.0f\n' "svd assess (full assessment)" "$svd_s" "$(calc "$svd_kib / 1024")"
printf '%-34s %10.2f %14.0f\n' "pandas+shapely (ingest→locate→bin)" "$peer_s" "$(calc "$peer_kib / 1024")"
printf '%-34s %10.2f\n' "  of which timed stages" "$peer_stages"
printf '%-34s %10.1fx %13.1fx\n' "peer / svd" "$(calc "$peer_s / $svd_s")" "$(calc "$peer_kib / $svd_kib")"
[ -n "${agreement:-}" ] && echo "Counts, DistrictCounts vs peer: $agreement"
echo "Counts, svd assess district_summary.csv vs peer: $summary_check"
echo "(peer wall time includes Python start-up and imports; svd assess also measures and publishes)"
