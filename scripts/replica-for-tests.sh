#!/usr/bin/env bash
# Make a real PostgreSQL streaming replica of the test server available, idempotently and
# quickly: start the primary (scripts/postgres-for-tests.sh), give it a replication role, copy
# it with pg_basebackup into a second Debian cluster (`replica`, its own port) written as a
# standby (standby.signal, primary_conninfo) and start it as the `postgres` user. Prints the
# replica's server URL: a test's database has the same name on both servers.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
PORT=${HABEAS_PG_PORT:-5432}
REPLICA_PORT=${HABEAS_PG_REPLICA_PORT:-5433}
ROLE=habeas_test
PASSWORD=habeas_test
REPLICATOR=habeas_replicator
REPLICATOR_PASSWORD=habeas_replicator

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sudo -n -u postgres sh -c "$*"; fi; }

"$here/postgres-for-tests.sh" >/dev/null
version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
psql_primary() { as_postgres "psql -p $PORT -d ${2:-postgres} -v ON_ERROR_STOP=1 -tAc \"$1\""; }

# the replication role (Debian's pg_hba.conf already lets `replication` connect from 127.0.0.1
# with a password), and the test role's right to pause the replica's replay (the tests show a lag)
if [ "$(psql_primary "SELECT 1 FROM pg_roles WHERE rolname = '$REPLICATOR'")" != "1" ]; then
  psql_primary "CREATE ROLE $REPLICATOR LOGIN REPLICATION PASSWORD '$REPLICATOR_PASSWORD'" >&2
fi
# (in template1 too: a function's rights are kept per database, and the tests make theirs from it)
for database in postgres template1; do
  psql_primary "GRANT EXECUTE ON FUNCTION pg_wal_replay_pause(), pg_wal_replay_resume() TO $ROLE" $database >/dev/null
done

data=/var/lib/postgresql/$version/replica
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "replica"' | grep -q .; then
  as_root pg_createcluster "$version" replica -p "$REPLICA_PORT" >&2
fi
if [ ! -f "$data/standby.signal" ]; then
  as_root pg_ctlcluster "$version" replica stop >/dev/null 2>&1 || true
  as_postgres "rm -rf '$data' && PGPASSWORD=$REPLICATOR_PASSWORD pg_basebackup -h 127.0.0.1 -p $PORT -U $REPLICATOR -D '$data' -X stream -R -c fast" >&2
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "replica" {print $4}' | grep -q online; then
  as_root pg_ctlcluster "$version" replica start >&2
fi
for _ in $(seq 1 30); do
  as_postgres "pg_isready -q -p $REPLICA_PORT" && break
  sleep 1
done
echo "postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$REPLICA_PORT/postgres"
