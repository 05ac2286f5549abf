# Shared by scripts/bench-peers.sh and scripts/bench-hotspot-peers.sh (source it; needs $work set):
# the setup both need, one timed run under GNU time, the median, and the table of paired medians with peer / svd ratios.

# bench_setup: checks $svd and GNU time, makes the peers' venv at $py when missing, and the demo file
# ($work/demo-$rows-seed2024.csv, set as $input).
bench_setup() {
  mkdir -p "$work"
  [ -x "$svd" ] || { echo "no svd binary at $svd (build with swift build -c release, or set SVD)" >&2; exit 1; }
  [ -x /usr/bin/time ] || { echo "GNU time (/usr/bin/time) is needed: apt-get install time" >&2; exit 1; }
  if [ ! -x "$py" ]; then
    python3 -m venv "$(dirname "$(dirname "$py")")"
    "$py" -m pip install -q -r Benchmarks/peers/requirements.txt
  fi
  input="$work/demo-$rows-seed2024.csv"
  [ -s "$input" ] || "$svd" demo --rows "$rows" --seed 2024 --out "$input" >&2
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

summary_header() {
  echo "(medians: wall and CPU = user + system in seconds, peak RSS in MiB; load = range of the 1-minute load average before each run)"
  printf '%-15s %9s %8s %9s %10s %9s %8s %9s %9s %7s %24s\n' peer "svd wall" "svd CPU" "svd MiB" "peer wall" "peer CPU" "peer MiB" "wall ×" "CPU ×" "RSS ×" "load"
}
# summary_row LABEL SVD_RUNS_NAME PEER_RUNS_NAME: one line of paired medians from $work/NAME.runs.
summary_row() {
  local p=$1 s=$work/$2.runs q=$work/$3.runs sw sm pw pm sc pc ld
  sw=$(cut -d' ' -f1 "$s" | median); sm=$(cut -d' ' -f2 "$s" | median)
  pw=$(cut -d' ' -f1 "$q" | median); pm=$(cut -d' ' -f2 "$q" | median)
  sc=$(awk '{ print $3 + $4 }' "$s" | median); pc=$(awk '{ print $3 + $4 }' "$q" | median)
  ld=$(cat "$s" "$q" | cut -d' ' -f5 | sort -n | awk '{ v[NR] = $1 } END { print v[1] "–" v[NR] }')
  awk -v p="$p" -v sw="$sw" -v sm="$sm" -v sc="$sc" -v pw="$pw" -v pm="$pm" -v pc="$pc" -v ld="$ld" 'BEGIN {
    printf "%-15s %9.2f %8.2f %9.0f %10.2f %9.2f %8.0f %8.2fx %8.2fx %6.2fx %24s\n", p, sw, sc, sm / 1024, pw, pc, pm / 1024, pw / sw, pc / sc, pm / sm, ld }'
}
