#!/usr/bin/env bash
# The performance guard (README, "Performance guard"): builds svd-perf-guard with -c release and counts the
# instructions of DBSCAN (100k and 1M points), Gi* and ingest → bin under callgrind, against
# Benchmarks/guard/thresholds.json. `swift test` runs it (Tests/PerfGuardTests).
#
#   bash scripts/perf-guard.sh                check: exits 1, with one line per workload over threshold + margin
#   bash scripts/perf-guard.sh --rebaseline   measure and rewrite the thresholds (then commit the file)
#
# Needs valgrind (Debian: apt-get install -y valgrind; .ci/run installs it), taskset and objcopy.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=.build-perf-guard   # its own build folder: `swift test` holds .build while this runs
start=$SECONDS
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! swift build -c release --product svd-perf-guard --scratch-path "$scratch" >"$log" 2>&1; then
  tail -n 60 "$log" >&2
  echo "perf guard: release build failed" >&2
  exit 2
fi
echo "perf guard: release build took $((SECONDS - start)) s"
"$scratch/release/svd-perf-guard" check --thresholds Benchmarks/guard/thresholds.json "$@"
