#!/usr/bin/env bash
# A real S3 engine on loopback for tests: single-node Ceph 16 (Debian bookworm) with 1 mon, 1 OSD
# (memstore by default, OBJECTSTORE=bluestore for a file-backed one), optionally 1 mgr, and the RADOS
# Gateway (beast) on 127.0.0.1:$RGW_PORT. No systemd: everything lives in $CEPH_DIR.
# Adapted from the shared test-bed recipe; ~3.5 s start (13 s there: see paxos below), ~110 MB RSS
# without mgr, apt install ~20 s.
# Usage: eval "$(bash scripts/infra/ceph-rgw-start.sh)"
#          -> exports CEPH_DIR, TEST_S3_ENDPOINT, TEST_S3_REGION, TEST_S3_ACCESS_KEY, TEST_S3_SECRET_KEY,
#             TEST_S3_ACCESS_KEY_2, TEST_S3_SECRET_KEY_2 (two independent S3 users: uid test, uid test2)
#        stop with scripts/infra/ceph-rgw-stop.sh (reads CEPH_DIR).
# Env:   CEPH_DIR (default: a new dir under /tmp; it is wiped), RGW_PORT (7480), CEPH_MON_PORT (3300, msgr2),
#        CEPH_MON_V1_PORT (6789), NO_MGR (1: ceph-mgr costs ~300 MB and S3 does not need it),
#        RGW_TIMEOUT (120 s for the gateway to answer), AK/SK and AK2/SK2 (the two users' keys).
# What RGW checks (AWS SDK v3): SigV4 on requests and presigned URLs (expiry, tampering, signed
# Content-Type/Length), bucket policies, CORS, If-None-Match:*. It does NOT verify x-amz-checksum-sha256
# against the body, and ignores x-amz-copy-source-if-match (Ceph 16 reads only x-amz-copy-if-match). HeadBucket/HeadObject on a missing one -> 404 NotFound. Use path-style addressing.
# stdout carries only the export line; progress and errors go to stderr.
set -euo pipefail
NO_MGR=${NO_MGR:-1}
RGW_PORT=${RGW_PORT:-7480}
MON_PORT=${CEPH_MON_PORT:-3300}
MON_V1_PORT=${CEPH_MON_V1_PORT:-6789}
RGW_TIMEOUT=${RGW_TIMEOUT:-120}
OBJECTSTORE=${OBJECTSTORE:-memstore}
AK=${AK:-CEPHTESTACCESSKEY}
SK=${SK:-CEPHTESTSECRETKEY0123456789}
AK2=${AK2:-CEPHTESTACCESSKEY2}
SK2=${SK2:-CEPHTESTSECRETKEY2ABCDEFGHIJ}
HERE=$(cd "$(dirname "$0")" && pwd)

# Check the binaries, not the packages: CI may run on a fresh Debian machine.
need=(ceph-mon ceph-osd radosgw radosgw-admin ceph ceph-authtool monmaptool bc curl)
pkgs=(ceph-mon ceph-osd radosgw ceph-common bc curl)
[ "$NO_MGR" = 1 ] || { need+=(ceph-mgr); pkgs+=(ceph-mgr); }
for b in "${need[@]}"; do
  command -v "$b" >/dev/null && continue
  echo "ceph: $b is missing; installing ${pkgs[*]} with apt-get ..." >&2
  # shellcheck source=scripts/infra/apt.sh
  . "$HERE/apt.sh"
  apt_install "${pkgs[@]}" >&2
  break
done

# A busy port would otherwise surface as a daemon that silently never comes up.
for p in "$RGW_PORT" "$MON_PORT" "$MON_V1_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "ceph: port $p is already in use (another test run, or infra kept with up.sh --keep?)" >&2
    exit 1
  fi
done

t0=$(date +%s.%N)
el() { echo "ceph: $(echo "$(date +%s.%N) - $t0" | bc | xargs printf '%.1f')s $*" >&2; }
fail() { echo "ceph: $*" >&2; exit 1; }

CEPH_DIR=${CEPH_DIR:-$(mktemp -d /tmp/ceph-rgw.XXXXXX)}
# Refuse to wipe a directory whose daemons still run (that would orphan them).
for f in "$CEPH_DIR"/run/*.pid; do
  [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && { echo "ceph: daemons still running in $CEPH_DIR; stop them first" >&2; exit 1; }
done
# From here on, any failure stops the daemons already started and shows why: nothing is left running.
ok=0
on_exit() {
  [ $ok = 1 ] && return
  echo "ceph: start failed; last log lines:" >&2
  for f in "$CEPH_DIR"/log/*.log; do [ -s "$f" ] && { echo "  $f:"; tail -n 6 "$f" | sed 's/^/    /'; }; done >&2
  CEPH_DIR=$CEPH_DIR KEEP_CEPH_DIR=1 bash "$HERE/ceph-rgw-stop.sh"
  echo "ceph: full logs in $CEPH_DIR/log" >&2
}
trap on_exit EXIT
rm -rf "$CEPH_DIR"; mkdir -p "$CEPH_DIR"/{run,log,mon/ceph-a,mgr/ceph-x,osd/ceph-0,rgw/ceph-rgw.a}
FSID=$(cat /proc/sys/kernel/random/uuid)
CONF=$CEPH_DIR/ceph.conf
MON_ADDR="[v2:127.0.0.1:$MON_PORT,v1:127.0.0.1:$MON_V1_PORT]"
cat >"$CONF" <<CONF
[global]
fsid = $FSID
mon host = $MON_ADDR
public network = 127.0.0.0/8
auth cluster required = none
auth service required = none
auth client required = none
keyring = $CEPH_DIR/keyring
run dir = $CEPH_DIR/run
admin socket = $CEPH_DIR/run/\$cluster-\$name.asok
pid file = $CEPH_DIR/run/\$cluster-\$name.pid
log file = $CEPH_DIR/log/\$cluster-\$name.log
ms bind ipv6 = false
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
mon max pg per osd = 1000
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
[mon]
mon data = $CEPH_DIR/mon/\$cluster-\$id
# A single mon needs no batching of map updates: the default 1 s per proposal made radosgw's first
# start (it creates ~6 pools, 2 map epochs each) take ~9 s.
paxos propose interval = 0.05
paxos min wait = 0.01
[mgr]
mgr data = $CEPH_DIR/mgr/\$cluster-\$id
mgr initial modules =
[osd]
osd data = $CEPH_DIR/osd/\$cluster-\$id
osd objectstore = $OBJECTSTORE
memstore device bytes = 4294967296
bluestore block path = $CEPH_DIR/osd/\$cluster-\$id/block.file
bluestore block create = true
bluestore block size = 8589934592
bluestore fsck on mount = false
osd memory target = 1073741824
bluestore cache autotune = false
bluestore cache size = 268435456
osd max object name len = 256
osd max object namespace len = 64
[client]
# radosgw otherwise offers no usable msgr2 mode with auth=none -> 'failed to fetch mon config' after 300 s
ms mon client mode = crc
[client.rgw.a]
rgw data = $CEPH_DIR/rgw/\$cluster-\$id
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw dns name = localhost
rgw thread pool size = 64
CONF
export CEPH_CONF=$CONF
# Fail within 30 s instead of the CLI's default 300 s when the monitor is not answering.
cephc() { ceph -c "$CONF" --connect-timeout 30 "$@"; }
ceph-authtool --create-keyring "$CEPH_DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
monmaptool --create --fsid "$FSID" --addv a "$MON_ADDR" "$CEPH_DIR/monmap" >/dev/null
ceph-mon -c "$CONF" --mkfs -i a --monmap "$CEPH_DIR/monmap" --keyring "$CEPH_DIR/keyring" >&2
# Daemons get their stdio pointed at logs: inheriting ours could leak into the export line or keep
# a caller's $(...) pipe open.
ceph-mon -c "$CONF" -i a >"$CEPH_DIR/log/mon-start.log" 2>&1
el "mon started"
cephc mon enable-msgr2 >/dev/null 2>&1 || true
if [ "$NO_MGR" != 1 ]; then ceph-mgr -c "$CONF" -i x >"$CEPH_DIR/log/mgr-start.log" 2>&1; el "mgr started"; fi
OSD_UUID=$(cat /proc/sys/kernel/random/uuid)
OSD_ID=$(cephc osd new "$OSD_UUID")
ceph-osd -c "$CONF" -i "$OSD_ID" --mkfs --osd-uuid "$OSD_UUID" >"$CEPH_DIR/log/osd-start.log" 2>&1
ceph-osd -c "$CONF" -i "$OSD_ID" >>"$CEPH_DIR/log/osd-start.log" 2>&1
el "osd.$OSD_ID started ($OBJECTSTORE)"
up=0
for _ in $(seq 1 120); do cephc osd stat 2>/dev/null | grep -q '1 up' && { up=1; break; }; sleep 0.5; done
[ $up = 1 ] || fail "osd.$OSD_ID did not come up within 60 s"
el "osd up"
radosgw -c "$CONF" -n client.rgw.a >"$CEPH_DIR/log/rgw-start.log" 2>&1
# Any HTTP answer (even 403) means the gateway serves; give up after RGW_TIMEOUT seconds.
deadline=$((SECONDS + RGW_TIMEOUT)); up=0
while [ $SECONDS -lt $deadline ]; do
  curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$RGW_PORT/" && { up=1; break; }
  sleep 0.5
done
[ $up = 1 ] || fail "radosgw did not answer on 127.0.0.1:$RGW_PORT within $RGW_TIMEOUT s"
el "radosgw answering on $RGW_PORT"
radosgw-admin -c "$CONF" user create --uid=test --display-name=test --access-key="$AK" --secret-key="$SK" >/dev/null
# A second, independent user: later tests need two gateway accounts (cross-account access, wrong keys).
radosgw-admin -c "$CONF" user create --uid=test2 --display-name=test2 --access-key="$AK2" --secret-key="$SK2" >/dev/null
el "S3 users test ($AK) and test2 ($AK2) created"
ok=1
echo "export CEPH_DIR='$CEPH_DIR' TEST_S3_ENDPOINT='http://127.0.0.1:$RGW_PORT' TEST_S3_REGION='us-east-1'" \
  "TEST_S3_ACCESS_KEY='$AK' TEST_S3_SECRET_KEY='$SK' TEST_S3_ACCESS_KEY_2='$AK2' TEST_S3_SECRET_KEY_2='$SK2'"
