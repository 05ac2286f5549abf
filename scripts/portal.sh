#!/usr/bin/env bash
# The data-sharing portal in one command: the database (installed, created and started by portal-db.sh), svd
# built, the migrations and the Kent & Medway districts, the demo extracts of three agencies uploaded through the
# portal's own ingest, demo accounts (passwords printed once), every district's pack published, and `svd serve`
# on 127.0.0.1.
#   bash scripts/portal.sh [ROWS]     (default 100,000 police incidents, with A&E and ambulance extracts)
# Environment: PORT (default 8080); SVD_BUILD=debug|release (default release) and SVD_SCRATCH_PATH (default .build).
# Running it again keeps the accounts and uploads it made (their passwords were printed the first time).
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-100000}"
port="${PORT:-8080}"
build="${SVD_BUILD:-release}"
scratch="${SVD_SCRATCH_PATH:-.build}"

eval "$(bash scripts/portal-db.sh)"
export SVD_DATABASE_URL

# The build links GEOS, libxlsxwriter and zlib (as scripts/demo.sh).
missing=()
for p in libgeos-dev libxlsxwriter-dev zlib1g-dev; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then apt-get update -qq && apt-get install -y -qq "${missing[@]}"; fi
swift build -c "$build" --product svd --scratch-path "$scratch" >&2
svd="$scratch/$build/svd"

# Synthetic data only: the demo's fixed, public key. A real portal uses the partnership's secret key file.
export SVD_DISCLOSURE_KEY_FILE="${SVD_DISCLOSURE_KEY_FILE:-scripts/demo-only.key}"
"$svd" serve migrate

# Demo accounts: the VRU analyst, one partner account per agency, and two CSPs (public tier by default).
accounts=out/portal/accounts.txt
mkdir -p out/portal
add_user() {
  local out
  if out=$("$svd" serve add-user "$@" 2>&1); then echo "$out" | tee -a "$accounts"
  elif echo "$out" | grep -q "exists already"; then echo "$1: exists already (its password was printed when it was made)"
  else echo "$out" >&2; return 1; fi
}
echo "Demo accounts (passwords shown once; only bcrypt hashes are stored):"
add_user analyst --role analyst
add_user kent-police --role partner --partner "Kent Police (synthetic)"
add_user emergency-dept --role partner --partner "Emergency departments (synthetic ISTV)"
add_user ambulance-trust --role partner --partner "Ambulance trust (synthetic)"
add_user csp-folkestone --role csp --district E07000112
add_user csp-maidstone --role csp --district E07000110

# The three agencies' extracts, each uploaded by its own partner account, once.
uploads=$(psql "$SVD_DATABASE_URL" -qAt -c "SELECT count(*) FROM uploads")
if [ "$uploads" = 0 ]; then
  "$svd" demo --rows "$rows" --seed 2024 --partners --out out/portal/demo.csv >&2
  "$svd" serve load --by kent-police out/portal/demo.csv
  "$svd" serve load --by emergency-dept out/portal/demo-ae-istv.csv:ae-istv
  "$svd" serve load --by ambulance-trust out/portal/demo-ambulance.csv:ambulance
  "$svd" serve publish --by analyst
fi

echo "Sign in at http://127.0.0.1:$port/ (accounts above; also in $accounts, OFFICIAL-SENSITIVE: delete it once noted)."
exec "$svd" serve --port "$port"
