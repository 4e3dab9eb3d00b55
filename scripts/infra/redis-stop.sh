#!/usr/bin/env bash
# Stop the redis-server started by redis-start.sh and delete its dir. Needs REDIS_DIR. Never fails.
set -u
[ -n "${REDIS_DIR:-}" ] || { echo "redis-stop: REDIS_DIR is not set; nothing to stop" >&2; exit 0; }
# Only a pid whose working dir is ours: a stale pid file must never kill a reused pid.
ours() { [ -n "$1" ] && [ "$(readlink "/proc/$1/cwd" 2>/dev/null)" = "$(readlink -f "$REDIS_DIR")" ]; }
pid=$(cat "$REDIS_DIR/redis.pid" 2>/dev/null || true)
if ours "$pid"; then
  kill "$pid" 2>/dev/null
  for _ in $(seq 1 50); do ours "$pid" || break; sleep 0.1; done
  ours "$pid" && kill -9 "$pid" 2>/dev/null
fi
# Only delete what looks like our own dir, never an arbitrary one someone passed in.
if [ -f "$REDIS_DIR/redis.log" ] || [ -f "$REDIS_DIR/redis.pid" ]; then rm -rf "$REDIS_DIR"; fi
exit 0
