#!/usr/bin/env bash
# A throwaway Ceph radosgw on 127.0.0.1 for the store tests: one monitor, one in-memory OSD, radosgw
# with the user AKIDTEST / SECRETTEST.
#   radosgw.sh start DIR   starts it (state in DIR, wiped first), writes DIR/env (SLUICE_TEST_S3_*)
#   radosgw.sh stop DIR    stops every daemon started from DIR by its PID
#   radosgw.sh gc DIR      frees the space of deleted objects now (rgw collects it lazily otherwise)
# SLUICE_RGW_MEMSTORE_GIB sets the in-memory OSD's size (default 6; it holds every object written).
# Where radosgw is not installed, `start` writes SLUICE_TEST_S3_UNAVAILABLE into DIR/env and exits 0:
# the tests then skip and say why. The monitor binds the fixed ports 3300 and 6789, so one instance
# at a time (CTest runs the tests that need it under one fixture, serially).
set -euo pipefail
cmd=${1:?start|stop}
D=${2:?state folder}

stop() {
  local n f p
  for n in client.rgw osd.0 mon.a; do
    f=$D/run/$n.pid
    [ -f "$f" ] || continue
    p=$(cat "$f")
    kill "$p" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$p" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$p" 2>/dev/null || true
    rm -f "$f"
  done
}

if [ "$cmd" = gc ]; then
  radosgw-admin -c "$D/ceph.conf" gc process --include-all >/dev/null 2>&1 || true
  exit 0
fi
if [ "$cmd" = stop ]; then
  stop
  exit 0
fi

mkdir -p "$D"
if ! command -v radosgw >/dev/null || ! command -v ceph-mon >/dev/null || ! command -v ceph-osd >/dev/null; then
  echo "SLUICE_TEST_S3_UNAVAILABLE=radosgw, ceph-mon or ceph-osd is not installed (scripts/setup.sh installs them)" > "$D/env"
  echo "radosgw.sh: not installed; store tests will skip"
  exit 0
fi
stop  # leftovers of an earlier run in the same folder
# Another instance (the fixed monitor ports) would make this one fail: say so plainly.
if (exec 3<>/dev/tcp/127.0.0.1/6789) 2>/dev/null; then
  echo "radosgw.sh: port 6789 is taken (another Ceph monitor is running); cannot start" >&2
  exit 1
fi
rm -rf "$D"
mkdir -p "$D/mon" "$D/osd0" "$D/rgw" "$D/log" "$D/run"
# Throughput (nothing an S3 client can observe changes): this Debian build of Ceph uses glibc's
# malloc, whose buffers of more than 128 KiB are mmapped and unmapped each time, so radosgw faulted in
# fresh pages for every 4 MiB it read from the OSD; and the messenger between radosgw and the OSD
# checksummed every data byte (ms_crc_data) on loopback. On two cores these made the server, not the
# client, the bound of a transfer (bench/compare/README.md, "Object stores").
malloc_tunables=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456
port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
FSID=$(cat /proc/sys/kernel/random/uuid)
cat > "$D/ceph.conf" <<CONF
[global]
fsid = $FSID
mon_host = v2:127.0.0.1:3300,v1:127.0.0.1:6789
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
ms_mon_client_mode = crc
ms_mon_service_mode = crc
ms_mon_cluster_mode = crc
ms_client_mode = crc
ms_service_mode = crc
ms_cluster_mode = crc
mon_data_avail_warn = 1
mon_data_avail_crit = 0
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
mon_max_pg_per_osd = 1000
osd_crush_chooseleaf_type = 0
ms_crc_data = false
log_file = $D/log/\$name.log
pid_file = $D/run/\$name.pid
admin_socket = $D/run/\$name.asok
run_dir = $D/run
keyring = $D/keyring
[mon]
mon_data = $D/mon
[osd]
osd_data = $D/osd0
osd_objectstore = memstore
memstore_device_bytes = $(( ${SLUICE_RGW_MEMSTORE_GIB:-6} << 30 ))
osd_max_object_size = 134217728
[client.rgw]
rgw_frontends = beast endpoint=127.0.0.1:$port
rgw_data = $D/rgw
rgw_dns_name = s3.localhost
CONF
export CEPH_CONF=$D/ceph.conf
ceph-authtool --create-keyring "$D/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
monmaptool --create --addv a '[v2:127.0.0.1:3300,v1:127.0.0.1:6789]' --fsid "$FSID" "$D/monmap" >/dev/null
ceph-mon --mkfs -i a --monmap "$D/monmap" --keyring "$D/keyring" -c "$D/ceph.conf"
ceph-mon -i a -c "$D/ceph.conf"
OSDUUID=$(cat /proc/sys/kernel/random/uuid)
ID=$(timeout 60 ceph -c "$D/ceph.conf" osd new "$OSDUUID")
ceph-osd -i "$ID" --mkfs --osd-uuid "$OSDUUID" -c "$D/ceph.conf" >/dev/null 2>&1
GLIBC_TUNABLES=$malloc_tunables ceph-osd -i "$ID" -c "$D/ceph.conf"
for _ in $(seq 1 120); do ceph -c "$D/ceph.conf" osd stat 2>/dev/null | grep -q "1 up" && break; sleep 0.5; done
GLIBC_TUNABLES=$malloc_tunables radosgw -n client.rgw -c "$D/ceph.conf"
up=0
for _ in $(seq 1 240); do
  if curl -s -o /dev/null "http://127.0.0.1:$port/"; then up=1; break; fi
  sleep 0.25
done
if [ $up != 1 ]; then
  echo "radosgw.sh: radosgw did not answer on port $port; its log:" >&2
  tail -20 "$D/log/client.rgw.log" >&2 || true
  stop
  exit 1
fi
radosgw-admin -c "$D/ceph.conf" user create --uid=tester --display-name=tester \
  --access-key=AKIDTEST --secret-key=SECRETTEST >/dev/null
cat > "$D/env" <<ENV
SLUICE_TEST_S3_ENDPOINT=http://127.0.0.1:$port
SLUICE_TEST_S3_KEY=AKIDTEST
SLUICE_TEST_S3_SECRET=SECRETTEST
ENV
echo "radosgw.sh: up on 127.0.0.1:$port"
