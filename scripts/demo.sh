#!/usr/bin/env bash
# scripts/demo.sh BUILD_DIR (make demo): Cairn's main job, end to end, on this machine.
#
#  1. brings up the devcloud (a real single-node OpenStack on loopback, docs/devcloud.md)
#     unless it already runs, and starts cairn-aio on the embedded defaults (SQLite, a
#     local directory as the target, the in-process datamover), registered in Keystone;
#  2. as the demo tenant, boots two VMs whose guest writes known data (seeded, checked
#     by sha256 on the console): "web" (root disk) and "db" (root disk and a Cinder
#     volume); protects both in one workload with the `cairn` CLI;
#  3. takes a full snapshot, lets the guests write a second generation of data, takes an
#     incremental one (progress shown), and checks every image with qemu-img;
#  4. disaster: Cairn's database is lost; a fresh database imports the workload and its
#     snapshots back from the target (workload-importworkloads);
#  5. deletes both VMs and the volume, restores them with one click from the imported
#     incremental snapshot, and checks that the restored disks hold the guests' data;
#  6. prints a summary (sizes, times, rates, what was verified) and how to use the CLI.
# The stack stays up; `make down` stops cairn-aio and the devcloud. Needs root.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-build}" && pwd)
_T0=$(date +%s.%N)
. "$ROOT/devcloud/lib/common.sh"
need_root

STATE=${CAIRN_DEMO_DIR:-/var/tmp/cairn-demo}
CAIRN=$BUILD/apps/cairn/cairn
AIO=$BUILD/apps/cairn-aio/cairn-aio
MANAGE=$BUILD/apps/cairn-manage/cairn-manage
FILL=${CAIRN_DEMO_FILL:-8M}  # data the guest writes per disk and generation
PORT=8780
RUN=demo-$$

step() { printf '\n'; ts "== $*"; }
fail() { echo "DEMO FAILED: $*" >&2; echo "(cairn-aio log: $STATE/cairn-aio.log)" >&2; exit 1; }
as() { local who=$1; shift; (eval "$("$ROOT/devcloud/env" "$who")"; "$@"); }
os() { as demo openstack "$@"; }
cairn() { as demo "$CAIRN" "$@"; }
cairn_admin() { as admin "$CAIRN" "$@"; }
wait_for() { # SECONDS DESCRIPTION COMMAND...: until COMMAND succeeds
  local secs=$1 what=$2; shift 2
  local end=$((SECONDS + secs))
  while [ $SECONDS -lt $end ]; do "$@" >/dev/null 2>&1 && return 0; sleep 2; done
  fail "timed out after ${secs}s waiting for $what"
}
console_has() { os console log show "$1" 2>/dev/null | tr -d '\r' | grep -aq -- "$2"; }
volume_is() { [ "$(os volume show "$1" -f value -c status)" = "$2" ]; }
workload_is() { [ "$(cairn workload-show "$1" -f value -c status)" = "$2" ]; }
gone() { ! kill -0 "$1" 2>/dev/null; }
# The pid of the cairn-aio this demo started, when it still runs (not a reused pid).
aio_pid() {
  local pid
  pid=$(cat "$STATE/cairn-aio.pid" 2>/dev/null) || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q "cairn-aio --config-file $STATE/cairn.conf" || return 1
  echo "$pid"
}
json_field() { python3 -c "import json,sys; d=json.load(sys.stdin); print(d$1)"; }
to_bytes() { numfmt --from=iec "$1"; }
FILL_BYTES=$(to_bytes "$FILL")
# sha256 of LENGTH bytes at OFFSET of a disk image (qcow2 or raw), read while the VM runs
image_sum() {
  local tmp sum
  tmp=$(mktemp -d)
  qemu-img convert -U -O raw "$1" "$tmp/disk.raw"
  sum=$(dd if="$tmp/disk.raw" bs=1M iflag=skip_bytes,count_bytes skip="$2" count="$FILL_BYTES" status=none |
        sha256sum | cut -d' ' -f1)
  rm -rf "$tmp"
  echo "$sum"
}
expected_sum() { "$DC/guest/cairn-fill" gen "$1" "$FILL_BYTES" | sha256sum | cut -d' ' -f1; }
VERIFIED=()
verify() { # WHAT IMAGE OFFSET KEY
  local got want
  got=$(image_sum "$2" "$3"); want=$(expected_sum "$4")
  [ "$got" = "$want" ] || fail "$1: sha256 $got, the guest wrote $want"
  VERIFIED+=("$1: sha256 ${got:0:16}... as the guest wrote it")
  echo "  ok  $1"
}

# On failure, what this run made in the cloud goes (the stack itself stays up).
cleanup() {
  local ids
  ids=$(os server list --name "^$RUN-" -f value -c ID 2>/dev/null || true)
  if [ -n "$ids" ]; then os server delete --wait $ids >/dev/null 2>&1 || true; fi
  for v in $(os volume list --name "$RUN-db-data" -f value -c ID 2>/dev/null || true); do
    os volume delete "$v" >/dev/null 2>&1 || true
  done
}
trap 'cleanup' EXIT

# --- 1. the cloud and Cairn ---------------------------------------------------------------------
step "the devcloud: a single-node OpenStack on loopback (docs/devcloud.md)"
if "$ROOT/devcloud/status" >/dev/null 2>&1; then
  echo "  already running"
else
  "$ROOT/devcloud/up"
  "$ROOT/devcloud/seed"
fi

step "cairn-aio: API, engine, scheduler and datamover in one process, on the embedded defaults"
if pid=$(aio_pid); then
  kill "$pid"
  wait_for 120 "the previous cairn-aio to stop" gone "$pid"
fi
# Only a directory this demo made (or an empty one) is wiped.
if [ -e "$STATE" ] && [ ! -f "$STATE/cairn.conf" ] && [ -n "$(ls -A "$STATE" 2>/dev/null)" ]; then
  fail "$STATE exists and is not the demo's: set CAIRN_DEMO_DIR to another directory"
fi
rm -rf "$STATE"
mkdir -p "$STATE"
eval "$("$ROOT/devcloud/env" admin)"
cat > "$STATE/cairn.conf" <<EOF
# The demo's configuration: only what differs from the embedded defaults.
[DEFAULT]
log_file = $STATE/cairn-aio.log
[database]
connection = sqlite:///$STATE/cairn.db
[target]
path = $STATE/target
[api]
bind_host = 127.0.0.1
bind_port = $PORT
[keystone_authtoken]
auth_url = $OS_AUTH_URL
username = cairn-demo
password = cairn-demo-secret
project_name = service
region_name = RegionOne
[clients]
endpoint_type = internal
[engine]
staging_dir = $STATE/staging
[datamover]
host = devcloud
nfs_mount_point_base = $DC/data/cinder/mnt
[keystone_registration]
service_name = cairn
public_endpoint = http://127.0.0.1:$PORT/v1/\$(project_id)s
internal_endpoint = http://127.0.0.1:$PORT/v1/\$(project_id)s
admin_endpoint = http://127.0.0.1:$PORT/v1/\$(project_id)s
EOF
"$MANAGE" --config-file "$STATE/cairn.conf" register | sed 's/^/  /'
start_aio() {
  nohup "$AIO" --config-file "$STATE/cairn.conf" > "$STATE/cairn-aio.out" 2>&1 < /dev/null &
  echo $! > "$STATE/cairn-aio.pid"
  wait_for 60 "cairn-aio to answer" aio_answers
}
aio_answers() { aio_pid >/dev/null && curl -sf "http://127.0.0.1:$PORT/"; }
stop_aio() {
  local pid; pid=$(aio_pid) || fail "cairn-aio is not running"
  kill "$pid"
  wait_for 120 "cairn-aio to stop" gone "$pid"
}
start_aio
ts "cairn-aio (pid $(cat "$STATE/cairn-aio.pid")) serves http://127.0.0.1:$PORT, found by the CLI in the Keystone catalog"
cairn workload-type-list -c Name -f value | sed 's/^/  workload types: /'

# --- 2. two VMs that write known data, one workload --------------------------------------------
step "two VMs of the demo tenant; their guest writes $FILL of seeded data per disk at boot"
boot() { # NAME SEED
  os server create --flavor m1.tiny --image cairn-guest --network demo-net --config-drive true \
     --property cairn_seed="$2" --property cairn_fill="$FILL" --wait -f value -c id "$RUN-$1" | tail -1
}
SEED_WEB=$RUN-web SEED_DB=$RUN-db
WEB=$(boot web "$SEED_WEB")
DB=$(boot db "$SEED_DB")
VOL=$(os volume create --size 1 --type nfs -f value -c id "$RUN-db-data" | tail -1)
wait_for 120 "the volume" volume_is "$VOL" available
wait_for 300 "the web guest to write its root disk" console_has "$WEB" "CAIRN-DISK dev=vda id=vda gen=1"
wait_for 300 "the db guest to boot" console_has "$DB" "CAIRN-DISK dev=vda id=vda gen=1"
os server add volume "$DB" "$VOL" >/dev/null
VKEY=${VOL:0:20}
wait_for 300 "the db guest to write its volume" console_has "$DB" "id=$VKEY gen=1"
echo "  web $WEB: root disk"
echo "  db  $DB: root disk and volume $VOL"

step "protect both in one workload (cairn workload-create)"
WID=$(cairn workload-create --display-name "$RUN" --instance instance-id="$WEB" --instance instance-id="$DB" \
      -f value -c id)
wait_for 300 "the workload" workload_is "$WID" available
cairn workload-show "$WID" -c id -c name -c status
# --- 3. full and incremental ---------------------------------------------------------------------
step "full snapshot (cairn workload-snapshot --full --wait)"
SID1=$(cairn workload-snapshot "$WID" --full --display-name full --wait -f value -c id)
step "the guests write a second generation of data (hard reboot)"
os server reboot --hard --wait "$WEB" >/dev/null
os server reboot --hard --wait "$DB" >/dev/null
wait_for 300 "web generation 2" console_has "$WEB" "id=vda gen=2"
wait_for 300 "db generation 2" console_has "$DB" "id=vda gen=2"
wait_for 300 "db volume generation 2" console_has "$DB" "id=$VKEY gen=2"
step "incremental snapshot (cairn workload-snapshot --wait)"
SID2=$(cairn workload-snapshot "$WID" --display-name incremental --wait -f value -c id)
cairn snapshot-list --workload_id "$WID"

step "every image on the target passes qemu-img check"
IMAGES=0
while IFS= read -r image; do
  qemu-img check -q "$image" || fail "qemu-img check $image"
  IMAGES=$((IMAGES + 1))
done < <(find "$STATE/target" -path '*/vm_res_id_*' -type f ! -name '*.manifest' ! -name disk_db ! -name '*.merging')
echo "  $IMAGES images, all clean"
VERIFIED+=("qemu-img check: all $IMAGES images on the target clean")
snap_json() { cairn snapshot-show "$1" -f json; }
SNAP1=$(snap_json "$SID1"); SNAP2=$(snap_json "$SID2")

# --- 4. disaster recovery of the database --------------------------------------------------------
step "disaster: Cairn's database is lost; a fresh one imports the workloads from the target"
stop_aio
mkdir "$STATE/lost"
for f in cairn.db cairn.db-wal cairn.db-shm; do [ ! -e "$STATE/$f" ] || mv "$STATE/$f" "$STATE/lost/"; done
start_aio
cairn_admin workload-get-importworkloads-list
T_IMPORT=$(date +%s.%N)
cairn_admin workload-importworkloads
T_IMPORT=$(awk -v a="$(date +%s.%N)" -v b="$T_IMPORT" 'BEGIN{printf "%.1f", a-b}')
[ "$(cairn snapshot-list --workload_id "$WID" -f value -c ID | sort | tr '\n' ' ')" = \
  "$(printf '%s\n' "$SID1" "$SID2" | sort | tr '\n' ' ')" ] || fail "the imported snapshots are not the two taken"
VERIFIED+=("import: the workload and both snapshots back from the target in ${T_IMPORT}s, database wiped")

# --- 5. lose the VMs, restore in one click -------------------------------------------------------
step "the VMs and the volume are deleted"
os server remove volume "$DB" "$VOL"
wait_for 120 "the volume to detach" volume_is "$VOL" available
os server delete --wait "$WEB" "$DB"
os volume delete "$VOL"
step "one-click restore of the incremental snapshot (cairn snapshot-oneclick-restore --wait)"
T_RESTORE=$(date +%s.%N)
RID=$(cairn snapshot-oneclick-restore "$SID2" --display-name "$RUN-restore" --wait -f value -c id)
T_RESTORE=$(awk -v a="$(date +%s.%N)" -v b="$T_RESTORE" 'BEGIN{printf "%.1f", a-b}')
RESTORE=$(cairn restore-show "$RID" -f json)
mapfile -t NEW < <(echo "$RESTORE" | python3 -c "
import json, sys
for i in json.load(sys.stdin)['instances']:
    print(i['name'], i['id'], ' '.join(i.get('volumes', [])))")
[ "${#NEW[@]}" = 2 ] || fail "the restore made ${#NEW[@]} VMs: $RESTORE"

step "the restored VMs hold the guests' data of the incremental snapshot"
for line in "${NEW[@]}"; do
  read -r name id vols <<<"$line"
  seed=$SEED_WEB; [ "$name" = "$RUN-db" ] && seed=$SEED_DB
  wait_for 300 "$name to boot (the guest finds generations 1 and 2, adds 3)" console_has "$id" "id=vda gen=3"
  disk=$DC/data/nova/instances/$id/disk
  verify "$name root disk, generation 1" "$disk" 0 "$seed/vda"
  verify "$name root disk, generation 2" "$disk" "$FILL_BYTES" "$seed/vda/2"
  if [ "$name" = "$RUN-db" ]; then
    [ -n "$vols" ] || fail "$name came back without its volume"
    vfile=$(ls "$DC"/data/cinder/mnt/*/volume-"$vols" 2>/dev/null | head -1 || true)
    [ -n "$vfile" ] || fail "no file of the restored volume $vols"
    # The new volume has a new serial: its guest starts generation 1 of a new key at
    # offset 0, so the snapshot's generation 2 (at $FILL) is what is checked here.
    verify "$name volume, generation 2" "$vfile" "$FILL_BYTES" "$SEED_DB/$VKEY/2"
  fi
done

# --- 6. summary -----------------------------------------------------------------------------------
step "summary"
python3 - "$SNAP1" "$SNAP2" "$T_RESTORE" "$T_IMPORT" "$FILL" <<'EOF'
import json, sys
def human(n):
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{n} B"
        n /= 1024
for text in sys.argv[1:3]:
    s = json.loads(text)
    size, secs = s.get("size", 0), max(s.get("time_taken", 0), 1)
    print(f"  {s['name']:<12} {s['snapshot_type']:<12} {human(size):>10} written in {s.get('time_taken', 0):>3} s"
          f"  ({human(size / secs)}/s; the VMs' disks: {human(s.get('restore_size', 0))})")
print(f"  (each boot, the guests write {sys.argv[5]} to each of the 3 disks: the incremental holds only that)")
print(f"  one-click restore of 2 VMs and a volume: {sys.argv[3]} s;  database import: {sys.argv[4]} s")
EOF
echo "  verified:"
for v in "${VERIFIED[@]}"; do echo "    - $v"; done
cat <<EOF

The stack stays up. To use it:
  eval "\$(devcloud/env demo)"             # the demo tenant (devcloud/env admin: the admin)
  $CAIRN workload-list
  $CAIRN snapshot-list --workload_id $WID
  $CAIRN restore-list
Cairn's configuration, database, target and log: $STATE
'make down' stops cairn-aio and the devcloud.
EOF
trap - EXIT
ts "demo done"
