#!/usr/bin/env bash
# tests/devcloud/smoke.sh - end-to-end smoke test of the devcloud, through the real APIs
# (Debian's openstack CLI, as the demo user) and the host's files. Prints timings.
#
#  1. boot a VM on the tenant network; its guest writes 1 MiB of seeded data to its root
#     disk (seed = its instance id, size from the image's kernel command line); check the
#     console's checksum, the expected data and the instance's qcow2 file on the host
#     agree, and that the guest got its address by DHCP; hard-reboot it and check the
#     second generation of data (1 MiB at offset 1 MiB) the same way;
#  2. boot a VM with no network and a Cinder volume (type nfs) attached at boot, told by
#     server metadata on a config drive to write 2 MiB with a given seed; hot-attach a
#     second volume (type nfs-b); check both volumes' files on the host; detach both;
#  3. delete everything and check it is gone.
# Needs a running, seeded devcloud (the ctest fixture runs devcloud/up and devcloud/seed).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
_T0=$(date +%s.%N)
. "$ROOT/devcloud/lib/common.sh"
eval "$("$ROOT/devcloud/env" demo)"
FILL_TOOL=$DC/guest/cairn-fill
OS="openstack"
RUN=smoke-$$
fail() { echo "SMOKE FAILED: $*" >&2; exit 1; }

cleanup() {
  local ids
  ids=$($OS server list --name "^$RUN-" -f value -c ID 2>/dev/null || true)
  [ -n "$ids" ] && $OS server delete --wait $ids >/dev/null 2>&1
  ids=$($OS volume list --name "$RUN-vol-a" -f value -c ID 2>/dev/null; $OS volume list --name "$RUN-vol-b" -f value -c ID 2>/dev/null) || true
  for v in $ids; do $OS volume delete --force "$v" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT

# wait_for SECONDS DESCRIPTION COMMAND... : until COMMAND succeeds
wait_for() {
  local secs=$1 what=$2; shift 2
  local end=$((SECONDS + secs))
  while [ $SECONDS -lt $end ]; do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  fail "timed out after ${secs}s waiting for $what"
}
console() { $OS console log show "$1" 2>/dev/null | tr -d '\r'; }
console_has() { console "$1" | grep -aq -- "$2"; }
vol_status() { [ "$($OS volume show "$1" -f value -c status)" = "$2" ]; }
# console_sum SERVER ID : the sha256 the guest printed for the disk with that id
console_sum() { console "$1" | grep -a "^CAIRN-DISK .* id=$2 " | tail -1 | sed 's/.*sha256=//'; }
# qcow2_sum FILE OFFSET_MIB : sha256 of 1 MiB at that offset of a (running VM's) qcow2 disk
qcow2_sum() {
  local tmp sum
  tmp=$(mktemp -d)
  qemu-img convert -U -f qcow2 -O raw "$1" "$tmp/disk.raw"
  sum=$(dd if="$tmp/disk.raw" bs=1M skip="$2" count=1 2>/dev/null | sha256sum | cut -d' ' -f1)
  rm -rf "$tmp"
  echo "$sum"
}
expected_sum() { "$FILL_TOOL" gen "$1" "$2" | sha256sum | cut -d' ' -f1; }

# --- 1. a VM on the tenant network, data on its root disk ----------------------------------
ts "boot $RUN-net on demo-net"
S1=$($OS server create --flavor m1.tiny --image cairn-guest --network demo-net --wait \
      "$RUN-net" -f value -c id | tail -1)
ts "server $S1 ACTIVE"
wait_for 180 "guest of $S1 to write vda" console_has "$S1" "^CAIRN-DISK dev=vda"
ts "guest wrote its root disk"
want=$(expected_sum "$S1/vda" 1M)
got_console=$(console_sum "$S1" vda)
disk=$DC/data/nova/instances/$S1/disk
[ -f "$disk" ] || fail "no instance disk at $disk"
got_host=$(qcow2_sum "$disk" 0)
echo "  vda expected $want"
echo "      console  $got_console"
echo "      host     $got_host  ($disk)"
[ "$want" = "$got_console" ] && [ "$want" = "$got_host" ] || fail "root disk data differs"
wait_for 60 "DHCP in $S1" console_has "$S1" "^CAIRN-DHCP-OK"
ip_guest=$(console "$S1" | grep -a '^CAIRN-DHCP-OK' | tail -1 | sed 's/.*ip=//')
ip_neutron=$($OS port list --server "$S1" -f value -c 'Fixed IP Addresses' | grep -o "10\.99\.[0-9.]*" || true)
echo "  DHCP: guest has $ip_guest, Neutron assigned $ip_neutron"
[ -n "$ip_guest" ] && [ "$ip_guest" = "$ip_neutron" ] || fail "guest address differs from Neutron's"
ts "root disk data and DHCP address verified"
$OS server reboot --hard --wait "$S1" >/dev/null
ts "server hard-rebooted"
wait_for 180 "guest of $S1 to write generation 2" console_has "$S1" "^CAIRN-DISK dev=vda id=vda gen=2 "
want=$(expected_sum "$S1/vda/2" 1M)
got_console=$(console_sum "$S1" vda)
got_host=$(qcow2_sum "$disk" 1)
echo "  vda gen 2 expected $want"
echo "            console  $got_console"
echo "            host     $got_host"
[ "$want" = "$got_console" ] && [ "$want" = "$got_host" ] || fail "root disk generation 2 differs"
[ "$(qcow2_sum "$disk" 0)" = "$(expected_sum "$S1/vda" 1M)" ] || fail "generation 1 was overwritten"
ts "second generation verified, first one intact"

# --- 2. a VM with volumes: one at boot, one hot-plugged ---------------------------------------
VA=$($OS volume create --size 1 --type nfs "$RUN-vol-a" -f value -c id)
VB=$($OS volume create --size 1 --type nfs-b "$RUN-vol-b" -f value -c id)
wait_for 60 "volumes available" bash -c "[ \"\$($OS volume show $VA -f value -c status)\" = available ] &&
                                          [ \"\$($OS volume show $VB -f value -c status)\" = available ]"
ts "volumes $VA (nfs), $VB (nfs-b) available"
SEED=smoke-$$-$RANDOM
S2=$($OS --os-compute-api-version 2.37 server create --flavor m1.tiny --image cairn-guest \
      --nic none --config-drive true --property cairn_fill=2M --property cairn_seed="$SEED" \
      --block-device-mapping "vdb=$VA:volume::false" --wait "$RUN-vol" -f value -c id | tail -1)
ts "server $S2 ACTIVE with $VA attached at boot"
wait_for 60 "volume a in-use" vol_status "$VA" in-use
wait_for 180 "guest of $S2 to write the volume" console_has "$S2" "^CAIRN-DISK .* id=${VA:0:20} "
console_has "$S2" "^CAIRN-CONFIG-DRIVE found" || fail "guest did not find its config drive"
ts "guest wrote volume a (parameters from the config drive)"
$OS server add volume "$S2" "$VB" >/dev/null
wait_for 90 "volume b in-use" vol_status "$VB" in-use
ts "volume b attached"
wait_for 120 "guest of $S2 to write volume b" console_has "$S2" "^CAIRN-DISK .* id=${VB:0:20} "
ts "guest wrote volume b"
for v in "$VA" "$VB"; do
  f=$(ls "$DC"/data/cinder/mnt/*/volume-"$v" 2>/dev/null | head -1)
  [ -n "$f" ] || fail "no host file for volume $v"
  want=$(expected_sum "$SEED/${v:0:20}" 2M)
  got_console=$(console_sum "$S2" "${v:0:20}")
  got_host=$(head -c 2097152 "$f" | sha256sum | cut -d' ' -f1)
  echo "  volume $v expected $want"
  echo "         console  $got_console"
  echo "         host     $got_host  ($f)"
  [ "$want" = "$got_console" ] && [ "$want" = "$got_host" ] || fail "volume $v data differs"
done
ts "volume data verified on the host files"
$OS server remove volume "$S2" "$VB"
wait_for 120 "volume b detached" vol_status "$VB" available
ts "volume b detached (guest hot-unplug)"
$OS server remove volume "$S2" "$VA"
wait_for 120 "volume a detached" vol_status "$VA" available
ts "volume a detached"

# --- 3. delete ---------------------------------------------------------------------------------
$OS server delete --wait "$S1" "$S2"
ts "servers deleted"
$OS volume delete "$VA" "$VB"
wait_for 60 "volumes deleted" bash -c "! $OS volume show $VA >/dev/null 2>&1 && ! $OS volume show $VB >/dev/null 2>&1"
[ -z "$(ls "$DC"/data/cinder/mnt/*/volume-"$VA" 2>/dev/null)" ] || fail "volume file left behind"
ts "volumes deleted"
[ -d "$DC/data/nova/instances/$S1" ] && fail "instance directory left behind"
trap - EXIT
ts "smoke test passed"
