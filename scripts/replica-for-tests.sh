#!/usr/bin/env bash
# Make a real PostgreSQL primary and its streaming replica available to the tests,
# idempotently and quickly: a Debian cluster `replicated` (port 5434) with a replication role,
# copied by pg_basebackup into a second cluster `replica` (port 5433) written as a standby
# (standby.signal, primary_conninfo) and started as the `postgres` user.
#
# A pair of its own, not a standby of the main test server: a standby on the same host replays
# CREATE TABLESPACE into the very directory the primary uses (it empties it first), and the
# fault tests make a tablespace on the main server.
#
# `replica-for-tests.sh` prints the replica's server URL, `replica-for-tests.sh primary` its
# primary's; a test's database has the same name on both.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
PRIMARY_PORT=${HABEAS_PG_REPLICATED_PORT:-5434}
REPLICA_PORT=${HABEAS_PG_REPLICA_PORT:-5433}
ROLE=habeas_test
PASSWORD=habeas_test
REPLICATOR=habeas_replicator
REPLICATOR_PASSWORD=habeas_replicator

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sudo -n -u postgres sh -c "$*"; fi; }
cluster_exists() { pg_lsclusters -h | awk -v v="$version" -v c="$1" '$1 == v && $2 == c' | grep -q .; }
cluster_online() { pg_lsclusters -h | awk -v v="$version" -v c="$1" '$1 == v && $2 == c {print $4}' | grep -q online; }
wait_ready() {
  for _ in $(seq 1 30); do
    as_postgres "pg_isready -q -p $1" && return 0
    sleep 1
  done
}

"$here/postgres-for-tests.sh" >/dev/null # installs PostgreSQL if missing
version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)

# the primary of the pair
if ! cluster_exists replicated; then
  as_root pg_createcluster "$version" replicated -p "$PRIMARY_PORT" >&2
fi
if ! cluster_online replicated; then
  as_root pg_ctlcluster "$version" replicated start >&2
fi
wait_ready "$PRIMARY_PORT"
psql_primary() { as_postgres "psql -p $PRIMARY_PORT -d ${2:-postgres} -v ON_ERROR_STOP=1 -tAc \"$1\""; }
if [ "$(psql_primary "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != "1" ]; then
  psql_primary "CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD'" >&2
fi
# the replication role (Debian's pg_hba.conf lets `replication` connect from 127.0.0.1 with a
# password), and the test role's right to pause the replica's replay (the tests show a lag),
# in template1 too: a function's rights are kept per database, and the tests make theirs from it
if [ "$(psql_primary "SELECT 1 FROM pg_roles WHERE rolname = '$REPLICATOR'")" != "1" ]; then
  psql_primary "CREATE ROLE $REPLICATOR LOGIN REPLICATION PASSWORD '$REPLICATOR_PASSWORD'" >&2
fi
for database in postgres template1; do
  psql_primary "GRANT EXECUTE ON FUNCTION pg_wal_replay_pause(), pg_wal_replay_resume() TO $ROLE" $database >/dev/null
done

# the replica: a standby of that primary (rebuilt if it follows another server)
data=/var/lib/postgresql/$version/replica
if ! cluster_exists replica; then
  as_root pg_createcluster "$version" replica -p "$REPLICA_PORT" >&2
fi
if [ ! -f "$data/standby.signal" ] || ! grep -q "port=$PRIMARY_PORT" "$data/postgresql.auto.conf" 2>/dev/null; then
  as_root pg_ctlcluster "$version" replica stop >/dev/null 2>&1 || true
  as_postgres "rm -rf '$data' && PGPASSWORD=$REPLICATOR_PASSWORD pg_basebackup -h 127.0.0.1 -p $PRIMARY_PORT -U $REPLICATOR -D '$data' -X stream -R -c fast" >&2
fi
if ! cluster_online replica; then
  as_root pg_ctlcluster "$version" replica start >&2
fi
wait_ready "$REPLICA_PORT"
port=$REPLICA_PORT
if [ "${1:-}" = primary ]; then port=$PRIMARY_PORT; fi
echo "postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$port/postgres"
