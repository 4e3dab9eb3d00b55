#!/usr/bin/env bash
# Start the real test infrastructure, PostgreSQL, Ceph's RADOS Gateway and Redis, in parallel (~4 s; the
# gateway dominates) and write the variables tests read to $INFRA_ENV (default .data/test-infra.env,
# git-ignored): TEST_DATABASE_URL, TEST_S3_ENDPOINT, TEST_S3_REGION, TEST_S3_ACCESS_KEY, TEST_S3_SECRET_KEY,
#   TEST_S3_ACCESS_KEY_2, TEST_S3_SECRET_KEY_2, TEST_REDIS_URL, and for scripts/infra/down.sh: PGTMP, PGBIN,
#   CEPH_DIR, REDIS_DIR.
# Use it:  scripts/infra/up.sh && set -a && . .data/test-infra.env && set +a ; stop: scripts/infra/down.sh
# Reuse:   scripts/infra/up.sh --keep   reuses the infrastructure named in $INFRA_ENV when all three services
#          still answer (a developer keeps it up between runs; KEEP_INFRA=1 npm test does this; an env file
#          from before Redis was added counts as stale: it is stopped and everything is started afresh).
#          With TEST_DATABASE_URL and TEST_S3_ENDPOINT already in the environment it starts nothing.
# Ports:   PGPORT (54329), RGW_PORT (7480), CEPH_MON_PORT (3300), CEPH_MON_V1_PORT (6789), REDIS_PORT (56379).
set -euo pipefail
cd "$(dirname "$0")/../.."
INFRA_ENV=${INFRA_ENV:-.data/test-infra.env}
keep=0; [ "${1:-}" = --keep ] && keep=1

if [ -n "${TEST_DATABASE_URL:-}" ] && [ -n "${TEST_S3_ENDPOINT:-}" ]; then
  echo "up: TEST_DATABASE_URL and TEST_S3_ENDPOINT are set; using them and starting nothing" >&2
  exit 0
fi

# All answer: PostgreSQL to a query, the gateway with any HTTP response, Redis to a PING. Runs in a subshell so the env file's variables do not leak into this script.
answers() (
  # shellcheck disable=SC1090
  . "$1"
  curl -s -o /dev/null --max-time 3 "$TEST_S3_ENDPOINT/" &&
    "${PGBIN:-/usr/bin}/psql" "$TEST_DATABASE_URL" -qtAc 'select 1' >/dev/null 2>&1 &&
    [ -n "${TEST_REDIS_URL:-}" ] && [ "$(redis-cli -u "$TEST_REDIS_URL" ping 2>/dev/null)" = PONG ]
)
if [ -f "$INFRA_ENV" ]; then
  if answers "$INFRA_ENV"; then
    [ $keep = 1 ] && { echo "up: reusing the running test infrastructure in $INFRA_ENV" >&2; exit 0; }
    # Never stop it here: it may serve another test run right now.
    echo "up: test infrastructure from $INFRA_ENV is still running; reuse it with --keep (KEEP_INFRA=1 npm test)" \
      "or stop it with scripts/infra/down.sh" >&2
    exit 1
  fi
  echo "up: $INFRA_ENV is stale (a service gone, or from before Redis); cleaning up after it" >&2
  INFRA_ENV=$INFRA_ENV bash scripts/infra/down.sh
fi

# Fail fast and clearly on busy ports (another clone's run, a forgotten --keep) before creating anything.
for p in "${PGPORT:-54329}" "${RGW_PORT:-7480}" "${CEPH_MON_PORT:-3300}" "${CEPH_MON_V1_PORT:-6789}" "${REDIS_PORT:-56379}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "up: port $p on 127.0.0.1 is already in use; stop whatever holds it, or pick other ports" \
      "(PGPORT, RGW_PORT, CEPH_MON_PORT, CEPH_MON_V1_PORT, REDIS_PORT)" >&2
    exit 1
  fi
done

# Choose the data dirs here and record them first, so down.sh can clean up even after a failed or
# interrupted start. Under /tmp, not the clone: user postgres must be able to traverse the parents.
mkdir -p "$(dirname "$INFRA_ENV")"
export PGTMP CEPH_DIR REDIS_DIR
PGTMP=$(mktemp -d /tmp/pgci.XXXXXX)
CEPH_DIR=$(mktemp -d /tmp/ceph-rgw.XXXXXX)
REDIS_DIR=$(mktemp -d /tmp/redis-ci.XXXXXX)
echo "export PGTMP='$PGTMP' CEPH_DIR='$CEPH_DIR' REDIS_DIR='$REDIS_DIR'" >"$INFRA_ENV"

# On a fresh machine the three start scripts install packages: one apt-get update for all of them.
# shellcheck source=scripts/infra/apt.sh
. scripts/infra/apt.sh
share_apt_update

# In parallel: PostgreSQL needs ~1 s, Redis ~0.1 s, the gateway ~3.5 s. On a fresh machine PostgreSQL and
# Redis install first, one after the other, because two concurrent apt-get runs would fight over the dpkg lock.
out=$(mktemp -d)
t0=$SECONDS
status=0
if compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  bash scripts/infra/postgres-start.sh >"$out/pg" & pg=$!
else
  pg=; bash scripts/infra/postgres-start.sh >"$out/pg" || status=1
fi
if command -v redis-server >/dev/null && command -v redis-cli >/dev/null; then
  bash scripts/infra/redis-start.sh >"$out/redis" & redis=$!
else
  redis=; bash scripts/infra/redis-start.sh >"$out/redis" || status=1
fi
bash scripts/infra/ceph-rgw-start.sh >"$out/ceph" & ceph=$!
if [ -n "$pg" ]; then wait "$pg" || status=1; fi
if [ -n "$redis" ]; then wait "$redis" || status=1; fi
wait "$ceph" || status=1
# The start scripts print one export line each; PGTMP/CEPH_DIR/REDIS_DIR repeat the first line (harmless).
{ echo "# written by scripts/infra/up.sh at $(date -u +%FT%TZ); stop with scripts/infra/down.sh"
  echo "export PGTMP='$PGTMP' CEPH_DIR='$CEPH_DIR' REDIS_DIR='$REDIS_DIR'"
  cat "$out/pg" "$out/ceph" "$out/redis"; } >"$INFRA_ENV.tmp"
mv "$INFRA_ENV.tmp" "$INFRA_ENV"
rm -rf "$out"
if [ $status != 0 ] || ! grep -q TEST_DATABASE_URL "$INFRA_ENV" || ! grep -q TEST_S3_ENDPOINT "$INFRA_ENV" ||
  ! grep -q TEST_REDIS_URL "$INFRA_ENV"; then
  # Keep the daemons' logs (down.sh deletes the data dirs) for a developer or a CI artifact.
  logs=$(dirname "$INFRA_ENV")/infra-failure-logs
  rm -rf "$logs"; mkdir -p "$logs"
  cp -r "$CEPH_DIR/log" "$logs/ceph" 2>/dev/null; cp "$PGTMP"/*.log "$REDIS_DIR"/*.log "$logs/" 2>/dev/null
  echo "up: starting the test infrastructure failed (logs in $logs); stopping what did start" >&2
  INFRA_ENV=$INFRA_ENV bash scripts/infra/down.sh
  exit 1
fi
echo "up: test infrastructure up in $((SECONDS - t0)) s; variables in $INFRA_ENV" >&2
