#!/usr/bin/env bash
# Make sure a throwaway PostgreSQL cluster runs for the registry's tests; print its SQLAlchemy URL.
#
#   url=$(bash scripts/postgres.sh)        # postgresql+psycopg://aigov@127.0.0.1:PORT/aigov
#   bash scripts/postgres.sh stop          # stop it (its files stay, and the next run starts it again)
#   bash scripts/postgres.sh status        # exit 0 when it runs
#
# The cluster lives in $AIGOV_PG_DIR (default /tmp/aigov-postgres-<uid>: the postgres OS user must reach it,
# which a repository under /root may not allow), listens on 127.0.0.1 only, on a port free when it was made,
# and trusts local connections: it holds nothing but test data. Running it again reuses the running cluster.
set -euo pipefail

ROOT_DIR="${AIGOV_PG_DIR:-/tmp/aigov-postgres-$(id -u)}"
DATA="$ROOT_DIR/data"
ROLE=aigov
DATABASE=aigov

say() { echo "postgres.sh: $*" >&2; }

find_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$dir" ] && command -v pg_ctl >/dev/null; then
    dir=$(dirname "$(command -v pg_ctl)")
  fi
  echo "$dir"
}

BIN=$(find_bin)
if [ -z "$BIN" ] && [ -n "${1:-}" ]; then  # nothing installed: nothing runs, nothing to stop
  [ "$1" = stop ]
  exit
fi
if [ -z "$BIN" ]; then
  if [ "$(id -u)" = 0 ]; then
    say "installing Debian's postgresql"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    BIN=$(find_bin)
  fi
  if [ -z "$BIN" ]; then
    say "PostgreSQL is not installed, and installing it needs root. Install it with"
    say "  sudo apt-get install -y --no-install-recommends postgresql"
    say "(or put initdb and pg_ctl on PATH), then run this again."
    exit 1
  fi
fi

# PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres OS user.
if [ "$(id -u)" = 0 ]; then
  OWNER=postgres
  as_owner() { runuser -u postgres -- "$@"; }
else
  OWNER=$(id -un)
  as_owner() { "$@"; }
fi

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

running() { as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

if [ "${1:-}" = status ]; then
  [ -d "$DATA" ] && running
  exit
fi
if [ "${1:-}" = stop ]; then
  if [ -d "$DATA" ] && running; then
    as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
  fi
  exit 0
fi

mkdir -p "$ROOT_DIR"
chown "$OWNER" "$ROOT_DIR"
chmod 700 "$ROOT_DIR"
if [ ! -s "$DATA/PG_VERSION" ]; then
  rm -rf "$DATA"
  as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$ROOT_DIR/initdb.log" 2>&1 ||
    { cat "$ROOT_DIR/initdb.log" >&2; say "initdb failed (above)"; exit 1; }
fi

if ! running; then
  port=$(cat "$ROOT_DIR/port" 2>/dev/null || free_port)
  for attempt in 1 2; do
    # Sockets in the cluster's own folder: /var/run/postgresql may not exist or belong to another cluster.
    if as_owner "$BIN/pg_ctl" -D "$DATA" -l "$ROOT_DIR/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $ROOT_DIR -c max_connections=200" start >/dev/null; then
      break
    fi
    [ "$attempt" = 2 ] && { tail -n 20 "$ROOT_DIR/server.log" >&2; say "the cluster did not start (log above)"; exit 1; }
    port=$(free_port)  # the remembered port was taken by something else meanwhile
  done
  echo "$port" >"$ROOT_DIR/port"
fi
port=$(cat "$ROOT_DIR/port")

psql() { as_owner "$BIN/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }
if [ "$(psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != 1 ]; then
  psql -c "CREATE ROLE $ROLE LOGIN CREATEDB"
fi
if [ "$(psql -tAc "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" != 1 ]; then
  psql -c "CREATE DATABASE $DATABASE OWNER $ROLE"
fi
echo "postgresql+psycopg://$ROLE@127.0.0.1:$port/$DATABASE"
