#!/usr/bin/env bash
# Start (or stop) a throwaway PostgreSQL cluster on loopback for the store contract tests.
#   scripts/pg-test-server.sh start   -> prints the admin URL the tests use (role with CREATEDB)
#   scripts/pg-test-server.sh stop
# The test cluster runs with fsync=off (nothing in it needs to survive a crash). Benchmarks of
# durable commits set HIKESHI_PG_DURABLE=1 (fsync on, as in production), and usually their own
# HIKESHI_PG_PORT / HIKESHI_PG_DIR so the test cluster is left alone:
#   HIKESHI_PG_DURABLE=1 HIKESHI_PG_PORT=55433 HIKESHI_PG_DIR=/var/tmp/hikeshi-pg-bench scripts/pg-test-server.sh start
# Installs Debian's postgresql package when no server binaries are found (needs root).
set -euo pipefail
PORT=${HIKESHI_PG_PORT:-55432}
DIR=${HIKESHI_PG_DIR:-/tmp/hikeshi-pg-$PORT}
URL="postgres://hikeshi:hikeshi@127.0.0.1:$PORT/postgres"
FSYNC="-c fsync=off"
[ "${HIKESHI_PG_DURABLE:-0}" = 1 ] && FSYNC=""

find_bin() {
  local b
  for b in /usr/lib/postgresql/*/bin; do
    [ -x "$b/initdb" ] && { echo "$b"; return 0; }
  done
  return 1
}

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-start}" in
start)
  if ! BIN=$(find_bin); then
    if [ "$(id -u)" != 0 ]; then
      echo "PostgreSQL server binaries not found and not root: install the 'postgresql' package" >&2
      exit 1
    fi
    echo "installing PostgreSQL from Debian packages…" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) >&2
    BIN=$(find_bin) || { echo "PostgreSQL install failed" >&2; exit 1; }
  fi
  if [ -f "$DIR/postmaster.pid" ] && as_pg "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
    echo "$URL"; exit 0
  fi
  rm -rf "$DIR"; mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres: "$DIR"
  as_pg "$BIN/initdb" -D "$DIR" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  as_pg "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR $FSYNC -c max_connections=200" start >/dev/null
  as_pg "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -qAt -c \
    "CREATE ROLE hikeshi LOGIN CREATEDB PASSWORD 'hikeshi'" >/dev/null
  echo "$URL"
  ;;
stop)
  BIN=$(find_bin) || exit 0
  [ -d "$DIR" ] && as_pg "$BIN/pg_ctl" -D "$DIR" -m fast stop >/dev/null 2>&1 || true
  ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
