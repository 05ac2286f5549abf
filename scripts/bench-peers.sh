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
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh
bench_setup

peer_cmd() {
  case "$1" in
    polars) echo "$py Benchmarks/peers/pipeline_polars.py $input --out $work/polars_district_counts.csv" ;;
    pandas) echo "$py Benchmarks/peers/pipeline_peer.py $input --out $work/pandas_district_counts.csv" ;;
    duckdb) echo "$py Benchmarks/peers/pipeline_duckdb.py $input --out $work/duckdb_district_counts.csv" ;;
    duckdb-shapely) echo "$py Benchmarks/peers/pipeline_duckdb.py $input --locate shapely --out $work/duckdb_shapely_district_counts.csv" ;;
    *) echo "unknown peer $1" >&2; exit 1 ;;
  esac
}

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
summary_header
for p in $peers; do summary_row "$p" "svd-vs-$p" "$p"; done
