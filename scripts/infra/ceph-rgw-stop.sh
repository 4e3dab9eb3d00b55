#!/usr/bin/env bash
# Stop the daemons started by ceph-rgw-start.sh (by the pid files in $CEPH_DIR/run) and delete
# $CEPH_DIR (memstore data dies with the OSD anyway). KEEP_CEPH_DIR=1 keeps it for its logs. Never fails.
set -u
[ -n "${CEPH_DIR:-}" ] || { echo "ceph-rgw-stop: CEPH_DIR is not set; nothing to stop" >&2; exit 0; }
# Only pids whose command line names our ceph.conf: a stale pid file must never kill a reused pid.
ours() { [ -n "$1" ] && grep -qF "$CEPH_DIR/ceph.conf" "/proc/$1/cmdline" 2>/dev/null; }
pids=()
for f in "$CEPH_DIR"/run/*.pid; do
  [ -f "$f" ] || continue
  pid=$(cat "$f"); ours "$pid" && pids+=("$pid")
done
# The data is throwaway, and on SIGTERM radosgw alone takes ~6 s to exit: SIGKILL at once, unless the
# directory is kept for its logs (KEEP_CEPH_DIR=1), where a clean exit flushes them (up to 10 s).
sig=KILL; [ "${KEEP_CEPH_DIR:-0}" = 1 ] && sig=TERM
[ ${#pids[@]} -eq 0 ] || kill -s $sig "${pids[@]}" 2>/dev/null
alive=("${pids[@]}")
for _ in $(seq 1 50); do
  still=(); for pid in "${alive[@]}"; do ours "$pid" && still+=("$pid"); done
  alive=("${still[@]}")
  [ ${#alive[@]} -eq 0 ] && break
  sleep 0.2
done
for pid in "${alive[@]}"; do kill -9 "$pid" 2>/dev/null; done
# Only delete what looks like our own cluster directory, never an arbitrary one someone passed in.
if [ "${KEEP_CEPH_DIR:-0}" != 1 ] && [ -f "$CEPH_DIR/ceph.conf" ]; then rm -rf "$CEPH_DIR"; fi
exit 0
