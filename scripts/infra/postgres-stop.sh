#!/usr/bin/env bash
# Stop and delete the cluster started by postgres-start.sh. Needs PGTMP (PGBIN optional). Never fails.
set -u
[ -n "${PGTMP:-}" ] || { echo "postgres-stop: PGTMP is not set; nothing to stop" >&2; exit 0; }
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
if [ -f "$PGTMP/data/postmaster.pid" ]; then
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGTMP/data" -m fast -w -t 20 stop >/dev/null 2>&1 || {
    # pg_ctl could not stop it (missing binaries, hung): kill the postmaster by its own pid file.
    pid=$(head -1 "$PGTMP/data/postmaster.pid" 2>/dev/null)
    [ -n "$pid" ] && grep -qF "$PGTMP" "/proc/$pid/cmdline" 2>/dev/null && kill -9 "$pid"
  }
fi
# Only delete what looks like our own temp cluster, never an arbitrary directory someone passed in.
if [ -f "$PGTMP/initdb.log" ] || [ -d "$PGTMP/data" ]; then rm -rf "$PGTMP"; fi
exit 0
