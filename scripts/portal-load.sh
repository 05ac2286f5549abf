#!/usr/bin/env bash
# The portal's load benchmark (not a test): ROWS police incidents (default 1,000,000) uploaded and stored, every
# pack published, then USERS distinct CSP accounts (default 50, spread over the 13 districts, each signed in with
# its own session) fetching their own district's pack page from loopback with wrk for SECONDS (default 30): one
# connection per account, each request a different account's cookie and pack (scripts/portal-load.lua). Prints
# throughput, latency percentiles, the server's peak RSS and the audit rows written.
#   bash scripts/portal-load.sh [ROWS] [USERS] [SECONDS]
# Uses its own database (svd_load, made anew each run) in this checkout's cluster, and a release build of svd
# (SVD_SCRATCH_PATH, default .build). Each request also writes its audit row, as every pack view does.
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"; users="${2:-50}"; seconds="${3:-30}"
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
SVD_NEW_PASSWORD="$password" "$svd" serve add-user load-ae --role partner --partner "Emergency department (synthetic)" >&2
# The CSP accounts, round-robin over the districts (50 over 13: four or three each).
mapfile -t districts < <(psql "$SVD_DATABASE_URL" -qAt -c "SELECT code FROM districts ORDER BY code")
for i in $(seq "$users"); do
  SVD_NEW_PASSWORD="$password" "$svd" serve add-user "load-csp-$i" --role csp --district "${districts[$(( (i - 1) % ${#districts[@]} ))]}" >/dev/null
done
# --partners also writes the A&E extract the same assaults would give (the police file's bytes do not change).
"$svd" demo --rows "$rows" --seed 2024 --partners --out "$work/police.csv" >&2
start=$(date +%s.%N)
"$svd" serve load --by load-police "$work/police.csv" >&2
loaded=$(date +%s.%N)
"$svd" serve publish --by load-analyst >&2
published=$(date +%s.%N)
stored=$(psql "$SVD_DATABASE_URL" -qAt -c "SELECT count(*) FROM incidents")

# Incremental refresh: one new month from one partner (the A&E extract's 2026-10 attendances) is uploaded and the
# packs published again (the police upload's kept part is merged, only the new upload binned); then the same
# publication with no kept part, the full rebuild.
awk -F, 'NR == 1 || $2 ~ /\/10\/2026$/' "$work/police-ae-istv.csv" >"$work/ae-2026-10.csv"
"$svd" serve load --by load-ae "$work/ae-2026-10.csv:ae-istv" >&2
t0=$(date +%s.%N)
"$svd" serve publish --by load-analyst >&2
t1=$(date +%s.%N)
psql "$SVD_DATABASE_URL" -qc "DELETE FROM upload_parts"
"$svd" serve publish --by load-analyst >&2
t2=$(date +%s.%N)
ae_rows=$(( $(wc -l <"$work/ae-2026-10.csv") - 1 ))

"$svd" serve --port "$port" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/login" && break; sleep 0.2; done
# Sign in every CSP (the login form's token, then its own session cookie): one "session path" line each.
: >"$work/users.txt"
for i in $(seq "$users"); do
  jar="$work/jar-$i"
  curl -s -c "$jar" -b "$jar" -o "$work/login.html" "http://127.0.0.1:$port/login"
  token=$(grep -o 'name="csrf" value="[^"]*"' "$work/login.html" | sed 's/.*value="//;s/"$//')
  curl -s -c "$jar" -b "$jar" -o /dev/null "http://127.0.0.1:$port/login" \
    --data-urlencode "csrf=$token" --data-urlencode "username=load-csp-$i" --data-urlencode "password=$password"
  session=$(awk '$6 == "svd_session" { print $7 }' "$jar")
  [ -n "$session" ] || { echo "portal-load: load-csp-$i could not sign in" >&2; exit 1; }
  district="${districts[$(( (i - 1) % ${#districts[@]} ))]}"
  # Its own pack, and (checked once) another district's refused: the sessions are the CSPs' own.
  [ "$(curl -s -b "svd_session=$session" -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/packs/$district")" = 200 ] \
    || { echo "portal-load: load-csp-$i cannot read its pack" >&2; exit 1; }
  echo "$session /packs/$district" >>"$work/users.txt"
done
other="${districts[1]}"
[ "$(curl -s -b "svd_session=$(head -1 "$work/users.txt" | cut -d' ' -f1)" -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/packs/$other")" = 403 ] \
  || { echo "portal-load: a CSP could read another district's pack" >&2; exit 1; }
bytes=$(curl -s -b "svd_session=$(head -1 "$work/users.txt" | cut -d' ' -f1)" -o /dev/null -w '%{size_download}' "http://127.0.0.1:$port$(head -1 "$work/users.txt" | cut -d' ' -f2)")
views_before=$(psql "$SVD_DATABASE_URL" -qAt -c "SELECT count(*) FROM audit_log WHERE action = 'view_pack'")

SVD_LOAD_USERS="$work/users.txt" wrk -t2 -c"$users" -d"${seconds}s" --latency -s scripts/portal-load.lua "http://127.0.0.1:$port/" | tee "$work/wrk.txt"
peak=$(awk '/VmHWM/ { print $2 " " $3 }' "/proc/$server/status")
views=$(psql "$SVD_DATABASE_URL" -qAt -c "SELECT count(*) - $views_before FROM audit_log WHERE action = 'view_pack'")
accounts=$(psql "$SVD_DATABASE_URL" -qAt -c "SELECT count(DISTINCT username) FROM audit_log WHERE action = 'view_pack'")
requests=$(awk '/requests in/ { print $1 }' "$work/wrk.txt")
echo
awk -v n="$stored" -v s="$start" -v l="$loaded" -v p="$published" -v b="$bytes" \
  'BEGIN { printf "Stored %s incidents (upload and store %.0f s; publish 26 packs %.0f s). Pack page %s bytes.\n", n, l - s, p - l, b }'
awk -v r="$ae_rows" -v a="$t0" -v b="$t1" -v c="$t2" \
  'BEGIN { printf "One new month from one partner (%s A&E rows): publish %.1f s from kept parts, %.1f s as a full rebuild.\n", r, b - a, c - b }'
echo "$users CSP accounts: requests/s $(awk '/Requests\/sec/ { print $2 }' "$work/wrk.txt"); latency p50 $(awk '$1 == "50%" { print $2 }' "$work/wrk.txt"), p99 $(awk '$1 == "99%" { print $2 }' "$work/wrk.txt"); server peak RSS $peak; $requests requests, $views pack views audited, by $accounts accounts."
! grep -q "Non-2xx" "$work/wrk.txt" || { echo "portal-load: some requests were refused" >&2; exit 1; }
