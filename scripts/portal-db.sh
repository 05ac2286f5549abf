#!/usr/bin/env bash
# The portal's PostgreSQL 15 + PostGIS 3 cluster: installs the Debian packages when missing, creates the cluster
# once, starts it when stopped, and prints how to reach it. Idempotent: run it as often as you like (the portal
# tests run it before each test class).
#
#   eval "$(bash scripts/portal-db.sh)"      # sets SVD_DATABASE_URL for `svd serve`
#   bash scripts/portal-db.sh stop           # stops this checkout's cluster
#
# The cluster is this checkout's own (SVD_PORTAL_DB_DIR, default /tmp/svd-portal-db-<hash of the checkout path>:
# /tmp because the postgres user must be able to traverse to it, and a hash so worktrees never share one). It
# listens on a unix socket only, in a folder only root and postgres can enter, so nothing else on the machine
# reaches it; there is no TCP listener to collide with another cluster's port.
#
# Roles: svd_admin (superuser, made by initdb, used only here), svd (owns the portal's databases, may create new
# ones: each portal test class makes its own from svd_template, which already holds the postgis extension, since
# creating that extension needs a superuser).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
hash="$(printf '%s' "$root" | sha1sum | cut -c1-8)"
dir="${SVD_PORTAL_DB_DIR:-/tmp/svd-portal-db-$hash}"
port="${SVD_PORTAL_DB_PORT:-5432}"
pgbin=/usr/lib/postgresql/15/bin
say() { echo "portal-db: $*" >&2; }

if [ "${1:-}" = stop ]; then
  if [ -f "$dir/data/postmaster.pid" ]; then runuser -u postgres -- "$pgbin/pg_ctl" -D "$dir/data" -m fast stop >&2; fi
  exit 0
fi

# Debian's server and the PostGIS extension for it.
missing=()
[ -x "$pgbin/pg_ctl" ] || missing+=(postgresql)
[ -f /usr/share/postgresql/15/extension/postgis.control ] || missing+=(postgresql-15-postgis-3)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then say "run as root (apt-get and runuser need it)"; exit 1; fi
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi

mkdir -p "$dir"
chmod 755 "$dir"
# One run at a time: test classes and portal.sh may call this together.
exec 9>"$dir/lock"
flock 9

if [ ! -f "$dir/data/PG_VERSION" ]; then
  say "creating the cluster in $dir/data"
  rm -rf "$dir/data" "$dir/run"
  install -d -o postgres -g postgres -m 700 "$dir/data" "$dir/run"
  # Trust on the socket: the socket's folder (mode 700, postgres's) is the access control.
  runuser -u postgres -- "$pgbin/initdb" -D "$dir/data" -U svd_admin --auth-local=trust --auth-host=reject \
    --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$dir/run'
port = $port
# A development and test cluster on a shared 2-core machine: small, and no fsync waits in the tests.
shared_buffers = 128MB
max_connections = 60
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
fi

if ! runuser -u postgres -- "$pgbin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
  say "starting the cluster (log: $dir/server.log)"
  touch "$dir/server.log"; chown postgres "$dir/server.log"
  # 9>&-: the server must not inherit (and hold) the lock.
  runuser -u postgres -- "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null 9>&- \
    || { tail -20 "$dir/server.log" >&2; exit 1; }
fi

psql_admin() { "$pgbin/psql" -h "$dir/run" -p "$port" -U svd_admin -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = 'svd'")" != 1 ]; then
  psql_admin -c "CREATE ROLE svd LOGIN CREATEDB NOSUPERUSER" >&2
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = 'svd_template'")" != 1 ]; then
  psql_admin -c "CREATE DATABASE svd_template OWNER svd" >&2
  "$pgbin/psql" -h "$dir/run" -p "$port" -U svd_admin -d svd_template -v ON_ERROR_STOP=1 -qAt \
    -c "CREATE EXTENSION IF NOT EXISTS postgis" >&2
  psql_admin -c "ALTER DATABASE svd_template IS_TEMPLATE true" >&2
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = 'svd'")" != 1 ]; then
  psql_admin -c "CREATE DATABASE svd OWNER svd TEMPLATE svd_template" >&2
fi

# What `svd serve` and the tests read: a libpq-style URL whose host= is the socket's folder.
echo "export SVD_DATABASE_URL='postgresql://svd@localhost:$port/svd?host=$dir/run'"
