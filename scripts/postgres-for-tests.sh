#!/usr/bin/env bash
# Make a real PostgreSQL server available to the tests, idempotently and quickly:
# install Debian's package if missing, start the cluster (the server runs as the
# `postgres` user), create the test role. Prints the URL the tests should use.
set -euo pipefail

ROLE=habeas_test
PASSWORD=habeas_test
PORT=${HABEAS_PG_PORT:-5432}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sudo -n -u postgres sh -c "$*"; fi; }

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  echo "installing PostgreSQL (Debian package)..." >&2
  as_root apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >&2
fi

version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
if ! pg_lsclusters -h 2>/dev/null | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
  as_root pg_createcluster "$version" main >&2
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $4}' | grep -q online; then
  as_root pg_ctlcluster "$version" main start >&2
fi
for _ in $(seq 1 30); do
  as_postgres "pg_isready -q -p $PORT" && break
  sleep 1
done

exists=$(as_postgres "psql -p $PORT -tAc \"SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'\"")
if [ "$exists" != "1" ]; then
  as_postgres "psql -p $PORT -qc \"CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD'\"" >&2
fi
echo "postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$PORT/postgres"
