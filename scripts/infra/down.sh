#!/usr/bin/env bash
# Stop what scripts/infra/up.sh started, as recorded in $INFRA_ENV (default .data/test-infra.env), delete
# its data dirs and the env file. Never fails: it runs from traps and after failed starts.
cd "$(dirname "$0")/../.." || exit 0
INFRA_ENV=${INFRA_ENV:-.data/test-infra.env}
[ -f "$INFRA_ENV" ] || exit 0
# Take the stop scripts' variables from the file alone: values inherited from the caller must not
# redirect the stop to another run's services.
unset PGTMP PGBIN CEPH_DIR REDIS_DIR
# shellcheck disable=SC1090
. "$INFRA_ENV" >/dev/null 2>&1
# All in parallel; each stop script checks that the pids it kills belong to its own data dir.
[ -z "${PGTMP:-}" ] || PGTMP=$PGTMP PGBIN=${PGBIN:-} bash scripts/infra/postgres-stop.sh &
[ -z "${CEPH_DIR:-}" ] || CEPH_DIR=$CEPH_DIR bash scripts/infra/ceph-rgw-stop.sh &
[ -z "${REDIS_DIR:-}" ] || REDIS_DIR=$REDIS_DIR bash scripts/infra/redis-stop.sh &
wait
rm -f "$INFRA_ENV"
echo "down: stopped the test infrastructure of $INFRA_ENV" >&2
exit 0
