#!/usr/bin/env bash
# Paired runs of `svd hotspots --method emerging` and `--method cells` against their Python peers
# (Benchmarks/peers/emerging_peer.py: polars + shapely + esda + pymannkendall; cells_peer.py: polars) on the same
# demo file, alternating svd and the peer.
#   bash scripts/bench-hotspot-peers.sh [PAIRS] [ROWS]   (default 5 pairs, 1,000,000 rows; work files in ${BENCH_DIR:-/tmp/svd-bench-hotspot-peers})
# Environment: SVD (a built svd binary; default .build/release/svd), PEER_PYTHON (default /tmp/peers-venv/bin/python,
# made from Benchmarks/peers/requirements.txt when missing), PEERS (subset of: emerging cells; default both),
# EMERGING_PAIRS (pairs for the emerging peer, default PAIRS: it takes minutes a run), TIER (emerging: public, svd's
# default, or partner; the cells list is partner tier only).
# Prints every run and the medians with peer / svd, as scripts/bench-peers.sh (scripts/bench-lib.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
pairs="${1:-5}"
rows="${2:-1000000}"
work="${BENCH_DIR:-/tmp/svd-bench-hotspot-peers}"
svd="${SVD:-.build/release/svd}"
py="${PEER_PYTHON:-/tmp/peers-venv/bin/python}"
peers="${PEERS:-emerging cells}"
tier="${TIER:-public}"
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh
bench_setup

svd_cmd() {
  case "$1" in
    emerging) echo "$svd hotspots $input --method emerging --cell 150 --tier $tier --quiet --out $work/svd-emerging" ;;
    cells) echo "$svd hotspots $input --method cells --cell 150 --tier partner --quiet --out $work/svd-cells" ;;
    *) echo "unknown peer $1" >&2; exit 1 ;;
  esac
}
peer_cmd() {
  case "$1" in
    emerging) echo "$py Benchmarks/peers/emerging_peer.py $input --cell 150 --tier $tier --out $work/emerging_peer.csv" ;;
    cells) echo "$py Benchmarks/peers/cells_peer.py $input --cell 150 --out $work/cells_peer" ;;
  esac
}

for p in $peers; do rm -f "$work/svd-vs-$p.runs" "$work/$p.runs"; done
for p in $peers; do
  n=$pairs
  [ "$p" = emerging ] && n="${EMERGING_PAIRS:-$pairs}"
  for ((i = 1; i <= n; i++)); do
    # shellcheck disable=SC2046
    timed "svd-vs-$p" $(svd_cmd "$p")
    # shellcheck disable=SC2046
    timed "$p" $(peer_cmd "$p")
  done
done

echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $rows rows, $pairs pairs per peer (emerging: ${EMERGING_PAIRS:-$pairs}, $tier tier); load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
summary_header
for p in $peers; do summary_row "$p" "svd-vs-$p" "$p"; done
