#!/usr/bin/env bash
# Make PgBouncer in transaction mode available in front of the test server, idempotently:
# install Debian's package if missing, write its configuration under a run directory, start
# it as the `postgres` user on 127.0.0.1. Prints the URL the tests should use; its
# `pgbouncer=transaction` tells habeas what is in front (docs/architecture.md, Deployment).
# Port 6439, not 6432: the Debian package may start its own service there.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
PORT=${HABEAS_PG_PORT:-5432}
BOUNCER_PORT=${HABEAS_PGBOUNCER_PORT:-6439}
ROLE=habeas_test
PASSWORD=habeas_test
RUN=${HABEAS_PGBOUNCER_DIR:-/tmp/habeas-pgbouncer}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sudo -n -u postgres sh -c "$*"; fi; }

"$here/postgres-for-tests.sh" >/dev/null
if ! command -v pgbouncer >/dev/null 2>&1 && [ ! -x /usr/sbin/pgbouncer ]; then
  echo "installing PgBouncer (Debian package)..." >&2
  as_root apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq pgbouncer >&2
fi
bouncer=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)

if ! as_postgres "pg_isready -q -h 127.0.0.1 -p $BOUNCER_PORT"; then
  as_root mkdir -p "$RUN"
  as_root chown postgres "$RUN"
  as_postgres "cat > '$RUN/userlist.txt'" <<USERS
"$ROLE" "$PASSWORD"
USERS
  # every database of the server (the tests make one each), transaction pooling; the API's
  # pool may hold 50 client connections per process, the server's share is the pool size
  as_postgres "cat > '$RUN/pgbouncer.ini'" <<INI
[databases]
* = host=127.0.0.1 port=$PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER_PORT
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $RUN/userlist.txt
pool_mode = transaction
default_pool_size = 20
max_client_conn = 1000
server_reset_query =
logfile = $RUN/pgbouncer.log
pidfile = $RUN/pgbouncer.pid
INI
  as_postgres "'$bouncer' -d -q '$RUN/pgbouncer.ini'" >&2
  for _ in $(seq 1 30); do
    as_postgres "pg_isready -q -h 127.0.0.1 -p $BOUNCER_PORT" && break
    sleep 0.2
  done
fi
echo "postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$BOUNCER_PORT/postgres?pgbouncer=transaction"
