#!/usr/bin/env bash
# A throwaway Redis for tests (Debian's redis-server, installed with apt when missing), run as a plain
# process on loopback: no systemd, no persistence, everything in a temp dir. ~0.1 s when installed.
# Usage: eval "$(bash scripts/infra/redis-start.sh)"   -> exports REDIS_DIR, TEST_REDIS_URL
#        stop with scripts/infra/redis-stop.sh (reads REDIS_DIR).
# Env:   REDIS_PORT (default 56379); REDIS_DIR (default: a new dir under /tmp).
# stdout carries only the export line; progress and errors go to stderr.
set -euo pipefail
REDIS_PORT=${REDIS_PORT:-56379}

# Check the binary, not the package: CI may run on a fresh Debian machine.
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  echo "redis: installing redis-server with apt-get ..." >&2
  # shellcheck source=scripts/infra/apt.sh
  . "$(dirname "$0")/apt.sh"
  apt_install redis-server >&2
fi

# A busy port would otherwise surface as a confusing "did not answer".
if (exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT") 2>/dev/null; then
  echo "redis: port $REDIS_PORT is already in use (another test run, or infra kept with up.sh --keep?); set REDIS_PORT" >&2
  exit 1
fi

REDIS_DIR=${REDIS_DIR:-$(mktemp -d /tmp/redis-ci.XXXXXX)}
mkdir -p "$REDIS_DIR"
# No snapshots, no append-only file: test counters are throwaway. The working dir is $REDIS_DIR, which
# is how redis-stop.sh recognises its own process.
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_DIR" --save '' --appendonly no \
  --daemonize yes --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" >&2
for _ in $(seq 1 100); do
  [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && break
  sleep 0.1
done
if [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" != PONG ]; then
  echo "redis: did not answer on 127.0.0.1:$REDIS_PORT within 10 s:" >&2; tail -20 "$REDIS_DIR/redis.log" >&2; exit 1
fi
echo "redis: up on 127.0.0.1:$REDIS_PORT (dir $REDIS_DIR)" >&2
echo "export REDIS_DIR='$REDIS_DIR' TEST_REDIS_URL='redis://127.0.0.1:$REDIS_PORT'"
