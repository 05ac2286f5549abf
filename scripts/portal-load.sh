#!/usr/bin/env bash
# The portal's load benchmark (not a test): ROWS police incidents (default 1,000,000) uploaded and stored, every
# pack published, then CONNECTIONS concurrent connections (default 50) of one signed-in CSP fetching its pack page
# from loopback with wrk for SECONDS (default 30). Prints throughput, latency percentiles and the server's peak RSS.
#   bash scripts/portal-load.sh [ROWS] [CONNECTIONS] [SECONDS]
# Uses its own database (svd_load, made anew each run) in this checkout's cluster, and a release build of svd
# (SVD_SCRATCH_PATH, default .build). Each request also writes its audit row, as every pack view does.
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"; connections="${2:-50}"; seconds="${3:-30}"
port="${PORT:-18090}"
scratch="${SVD_SCRATCH_PATH:-.build}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
eval "$(bash scripts/portal-db.sh)"
swift build -c release --product svd --scratch-path "$scratch" >&2
svd="$scratch/release/svd"
admin_url="${SVD_DATABASE_URL/\/svd\?/\/postgres?}"
psql "$admin_url" -qc "DROP DATABASE IF EXISTS svd_load WITH (FORCE)" -c "CREATE DATABASE svd_load TEMPLATE svd_template"
export SVD_DATABASE_URL="${SVD_DATABASE_URL/\/svd\?/\/svd_load?}"
export SVD_DISCLOSURE_KEY_FILE="${SVD_DISCLOSURE_KEY_FILE:-scripts/demo-only.key}"
work="$(mktemp -d /tmp/svd-portal-load.XXXXXX)"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$svd" serve migrate >&2
password="load-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
SVD_NEW_PASSWORD="$password" "$svd" serve add-user load-analyst --role analyst >&2
SVD_NEW_PASSWORD="$password" "$svd" serve add-user load-police --role partner --partner "Kent Police (synthetic)" >&2
SVD_NEW_PASSWORD="$password" "$svd" serve add-user load-csp --role csp --district E07000112 >&2
"$svd" demo --rows "$rows" --seed 2024 --out "$work/police.csv" >&2
start=$(date +%s.%N)
"$svd" serve load --by load-police "$work/police.csv" >&2
loaded=$(date +%s.%N)
"$svd" serve publish --by load-analyst >&2
published=$(date +%s.%N)
stored=$(psql "$SVD_DATABASE_URL" -qAt -c "SELECT count(*) FROM incidents")

"$svd" serve --port "$port" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/login" && break; sleep 0.2; done
# Sign in as the CSP: the login form's token, then the session cookie.
curl -s -c "$work/jar" -b "$work/jar" -o "$work/login.html" "http://127.0.0.1:$port/login"
token=$(grep -o 'name="csrf" value="[^"]*"' "$work/login.html" | sed 's/.*value="//;s/"$//')
curl -s -c "$work/jar" -b "$work/jar" -o /dev/null "http://127.0.0.1:$port/login" \
  --data-urlencode "csrf=$token" --data-urlencode "username=load-csp" --data-urlencode "password=$password"
session=$(awk '$6 == "svd_session" { print $7 }' "$work/jar")
[ -n "$session" ] || { echo "portal-load: could not sign in" >&2; exit 1; }
bytes=$(curl -s -b "svd_session=$session" -o /dev/null -w '%{size_download}' "http://127.0.0.1:$port/packs/E07000112")

wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "Cookie: svd_session=$session" "http://127.0.0.1:$port/packs/E07000112" | tee "$work/wrk.txt"
peak=$(awk '/VmHWM/ { print $2 " " $3 }' "/proc/$server/status")
views=$(psql "$SVD_DATABASE_URL" -qAt -c "SELECT count(*) FROM audit_log WHERE action = 'view_pack'")
echo
awk -v n="$stored" -v s="$start" -v l="$loaded" -v p="$published" -v b="$bytes" \
  'BEGIN { printf "Stored %s incidents (upload and store %.0f s; publish 26 packs %.0f s). Pack page %s bytes.\n", n, l - s, p - l, b }'
echo "Requests/s: $(awk '/Requests\/sec/ { print $2 }' "$work/wrk.txt"); latency p50 $(awk '$1 == "50%" { print $2 }' "$work/wrk.txt"), p99 $(awk '$1 == "99%" { print $2 }' "$work/wrk.txt"); server peak RSS $peak; $views pack views audited."
