#!/usr/bin/env bash
# Paired runs of `svd assess` against each Python peer on the same demo file, alternating svd and the peer.
#   bash scripts/bench-peers.sh [PAIRS] [ROWS]     (default 5 pairs, 1,000,000 rows; work files in ${BENCH_DIR:-/tmp/svd-bench-peers})
# Environment: SVD (a built svd binary; default .build/release/svd), PEER_PYTHON (default /tmp/peers-venv/bin/python,
# made from Benchmarks/peers/requirements.txt when missing), PEERS (space-separated subset of:
# polars pandas duckdb duckdb-shapely; default all).
# Prints every run (wall s, peak RSS KiB, user s, system s, 1-minute load average before it), then medians and
# peer / svd. CPU time (user + system) is less disturbed by other load than wall time; both are printed.
set -euo pipefail
cd "$(dirname "$0")/.."
pairs="${1:-5}"
rows="${2:-1000000}"
work="${BENCH_DIR:-/tmp/svd-bench-peers}"
svd="${SVD:-.build/release/svd}"
py="${PEER_PYTHON:-/tmp/peers-venv/bin/python}"
peers="${PEERS:-polars pandas duckdb duckdb-shapely}"
mkdir -p "$work"
[ -x "$svd" ] || { echo "no svd binary at $svd (build with swift build -c release, or set SVD)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "GNU time (/usr/bin/time) is needed: apt-get install time" >&2; exit 1; }
if [ ! -x "$py" ]; then
  python3 -m venv "$(dirname "$(dirname "$py")")"
  "$py" -m pip install -q -r Benchmarks/peers/requirements.txt
fi

input="$work/demo-$rows-seed2024.csv"
[ -s "$input" ] || "$svd" demo --rows "$rows" --seed 2024 --out "$input" >&2

peer_cmd() {
  case "$1" in
    polars) echo "$py Benchmarks/peers/pipeline_polars.py $input --out $work/polars_district_counts.csv" ;;
    pandas) echo "$py Benchmarks/peers/pipeline_peer.py $input --out $work/pandas_district_counts.csv" ;;
    duckdb) echo "$py Benchmarks/peers/pipeline_duckdb.py $input --out $work/duckdb_district_counts.csv" ;;
    duckdb-shapely) echo "$py Benchmarks/peers/pipeline_duckdb.py $input --locate shapely --out $work/duckdb_shapely_district_counts.csv" ;;
    *) echo "unknown peer $1" >&2; exit 1 ;;
  esac
}
load1() { cut -d' ' -f1 /proc/loadavg; }
# One timed run: appends "wall rss user sys load" to $work/$1.runs.
timed() {
  local name=$1; shift
  local load; load=$(load1)
  /usr/bin/time -f '%e %M %U %S' -o "$work/$name.time" "$@" > "$work/$name.log" 2>&1 || { cat "$work/$name.log" >&2; exit 1; }
  echo "$(cat "$work/$name.time") $load" >> "$work/$name.runs"
  echo "$name $(cat "$work/$name.time") load $load" >&2
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for p in $peers; do rm -f "$work/svd-vs-$p.runs" "$work/$p.runs"; done
for p in $peers; do
  cmd=$(peer_cmd "$p")
  for ((i = 1; i <= pairs; i++)); do
    rm -rf "$work/assess"
    timed "svd-vs-$p" "$svd" assess "$input" --tier partner --out "$work/assess"
    # shellcheck disable=SC2086
    timed "$p" $cmd
  done
done

echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $rows rows, $pairs pairs per peer; load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(medians: wall and CPU = user + system in seconds, peak RSS in MiB; load = range of the 1-minute load average before each run)"
printf '%-15s %9s %8s %9s %10s %9s %8s %9s %9s %7s %24s\n' peer "svd wall" "svd CPU" "svd MiB" "peer wall" "peer CPU" "peer MiB" "wall ×" "CPU ×" "RSS ×" "load"
for p in $peers; do
  sw=$(cut -d' ' -f1 "$work/svd-vs-$p.runs" | median); sm=$(cut -d' ' -f2 "$work/svd-vs-$p.runs" | median)
  pw=$(cut -d' ' -f1 "$work/$p.runs" | median); pm=$(cut -d' ' -f2 "$work/$p.runs" | median)
  sc=$(awk '{ print $3 + $4 }' "$work/svd-vs-$p.runs" | median); pc=$(awk '{ print $3 + $4 }' "$work/$p.runs" | median)
  ld=$(cat "$work/svd-vs-$p.runs" "$work/$p.runs" | cut -d' ' -f5 | sort -n | awk '{ v[NR] = $1 } END { print v[1] "–" v[NR] }')
  awk -v p="$p" -v sw="$sw" -v sm="$sm" -v sc="$sc" -v pw="$pw" -v pm="$pm" -v pc="$pc" -v ld="$ld" 'BEGIN {
    printf "%-15s %9.2f %8.2f %9.0f %10.2f %9.2f %8.0f %8.2fx %8.2fx %6.2fx %24s\n", p, sw, sc, sm / 1024, pw, pc, pm / 1024, pw / sw, pc / sc, pm / sm, ld }'
done
