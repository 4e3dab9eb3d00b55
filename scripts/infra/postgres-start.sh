#!/usr/bin/env bash
# A throwaway PostgreSQL for tests (Debian's server, installed with apt when missing), run as root.
# Adapted from the shared test-bed recipe: ~0.5 s when installed, ~12 s on a fresh machine.
# Usage: eval "$(bash scripts/infra/postgres-start.sh)"   -> exports PGTMP, PGBIN, TEST_DATABASE_URL
#        stop with scripts/infra/postgres-stop.sh (reads PGTMP, PGBIN).
# Env:   PGPORT (default 54329); PGTMP (default: a new dir under /tmp; user postgres must be able to
#        traverse its parents, which is why it does not live inside the clone).
# stdout carries only the export line; progress and errors go to stderr.
set -euo pipefail
PGPORT=${PGPORT:-54329}

# Check the binary, not the package: CI may run on a fresh Debian machine.
if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  echo "postgres: installing postgresql with apt-get ..." >&2
  # Binaries only: the package must not create and start a default cluster on 5432.
  mkdir -p /etc/postgresql-common/createcluster.d
  echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.d/no-main.conf
  # shellcheck source=scripts/infra/apt.sh
  . "$(dirname "$0")/apt.sh"
  apt_install postgresql >&2
fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
id -u postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres

# A busy port would otherwise surface as a confusing pg_ctl timeout.
if (exec 3<>"/dev/tcp/127.0.0.1/$PGPORT") 2>/dev/null; then
  echo "postgres: port $PGPORT is already in use (another test run, or infra kept with up.sh --keep?)" >&2
  exit 1
fi

PGTMP=${PGTMP:-$(mktemp -d /tmp/pgci.XXXXXX)}
mkdir -p "$PGTMP"
chown postgres:postgres "$PGTMP"   # initdb/postgres refuse to run as root
as_pg() { runuser -u postgres -- "$@"; }
if ! as_pg "$PGBIN/initdb" -D "$PGTMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$PGTMP/initdb.log" 2>&1; then
  echo "postgres: initdb failed:" >&2; tail -20 "$PGTMP/initdb.log" >&2; exit 1
fi
# Throwaway tuning (no durability), unix socket in the temp dir (no /var/run/postgresql), loopback only.
# max_connections is generous because every test file opens its own pools.
if ! as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/postgres.log" -w -t 60 start -o \
  "-p $PGPORT -k $PGTMP -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" >/dev/null; then
  echo "postgres: did not start within 60 s:" >&2; tail -20 "$PGTMP/postgres.log" >&2; exit 1
fi
echo "postgres: up on 127.0.0.1:$PGPORT (data in $PGTMP)" >&2
echo "export PGTMP='$PGTMP' PGBIN='$PGBIN' TEST_DATABASE_URL='postgres://postgres@127.0.0.1:$PGPORT/postgres'"
