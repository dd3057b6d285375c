#!/usr/bin/env bash
# Benchmark: cairn-datamover backups and restores against qemu-img, measured
# in one run on the same disks, with the goals of the data plane:
#
#   bench/datamover_bench.sh [BUILD_DIR]
#
#   full     backup --mode full of a raw disk vs qemu-img convert -O qcow2     goal >= 1.2x faster
#   zstd     backup --mode full --compress zstd vs qemu-img convert -c
#            -o compression_type=zstd -W -m 16                                 goal >= 2x faster
#   overlay  incremental --mode overlay of a 1 % change, vs the full backup
#            of its base                                                       goal <= 3 % of the time
#   scan     incremental --mode scan of a 1 % change of a raw disk, vs
#            reading that disk with cat                                        goal >= 0.8x the rate
#   restore  restore of a chain of 8 (full + 7 scan incrementals) to raw vs
#            qemu-img convert -O raw of the newest image                       goal >= 1.2x faster
#   sparse   peak RSS of a full backup of a 64 GiB sparse raw disk             goal <= 256 MiB
#
# Sources, built once into $CAIRN_BENCH_DIR (default /var/tmp/cairn-bench) and
# reused by later runs:
#   datamover-4g.raw   4 GiB, 50 % data: in every GiB, 256 MiB of binaries from
#                      /usr (compressible), a 256 MiB hole, 256 MiB of random
#                      data, a 256 MiB hole;
#   datamover-64g.raw  64 GiB, sparse, with 8 MiB of random data in 64 KiB pieces.
# The 1 % change is 655 writes of 64 KiB (each a constant byte) at random
# cluster-aligned offsets, the same ones for the overlay (qemu-io) and for the
# scan (dd conv=notrunc on a copy of the raw disk). The chain for the restore
# is that scan incremental's chain, with 6 more scan incrementals of 0.1 %.
#
# The page cache is not dropped (not permitted here): the sources are read
# once beforehand and everything stays in the page cache, so this measures
# CPU and memory bandwidth more than disks. `sync` runs before each timed
# command so that earlier writeback does not land on it. In each pair qemu-img
# runs first. When the page cache fills the RAM, a big writer pays for the
# reclaim (system time): the noise of the wall times comes mostly from there
# and from other work on the machine; REPEAT=3 steadies them. cairn-datamover
# fsyncs its image and manifest before publishing a backup (and a restore's
# output); qemu-img convert does not fsync. The goals compare with plain
# qemu-img all the same; the reference rows "qemu-img + sync" (convert, then
# sync of the output file) and "cairn-img --no-sync" show what the fsync costs.
#
# Each timed command runs REPEAT times (default 1); the best wall time and the
# highest peak RSS (/usr/bin/time) are reported, with the CPU seconds (user +
# system) beside: on a busy machine they vary less than the wall time. Every image written must pass
# qemu-img check, the backups must read back as their sources (qemu-img
# compare), and the restored raw disk must equal both qemu-img convert -O raw
# of the newest image and the disk it was backed up from (cmp); the script
# fails otherwise. Outputs go to a fresh $CAIRN_BENCH_DIR/run.XXXXXX, removed
# at the end (KEEP=1 keeps it).
set -euo pipefail

BUILD=${1:-build}
DM="$BUILD/apps/cairn-datamover/cairn-datamover"
IMG="$BUILD/apps/cairn-img/cairn-img"
WORK=${CAIRN_BENCH_DIR:-/var/tmp/cairn-bench}
REPEAT=${REPEAT:-1}
KEEP=${KEEP:-0}

die() { echo "datamover_bench: FAILED: $*" >&2; exit 1; }
[ -x "$DM" ] || die "$DM not built (run make build)"
[ -x "$IMG" ] || die "$IMG not built (run make build)"
for tool in qemu-img qemu-io /usr/bin/time; do
  command -v "$tool" >/dev/null || die "$tool missing (scripts/install-deps.sh)"
done
mkdir -p "$WORK"
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
SRC="$WORK/datamover-4g.raw"
SPARSE="$WORK/datamover-64g.raw"
MiB=$((1024 * 1024))
GiB=$((1024 * MiB))
DISK_SIZE=$((4 * GiB))
CHUNK=$((64 * 1024))          # one write of a change, one cluster
CLUSTERS=$((DISK_SIZE / CHUNK))

if [ ! -f "$SRC" ]; then
  echo "building the 4 GiB source disk $SRC ..."
  rm -f "$SRC.tmp"
  truncate -s 4G "$SRC.tmp"
  # 1 GiB of binaries, 256 MiB at a time.
  binaries $((1 * GiB)) |
    for i in 0 1 2 3; do
      dd of="$SRC.tmp" bs=1M seek=$((i * 1024)) count=256 iflag=fullblock conv=notrunc status=none
    done
  for i in 0 1 2 3; do
    dd if=/dev/urandom of="$SRC.tmp" bs=1M seek=$((i * 1024 + 512)) count=256 iflag=fullblock conv=notrunc status=none
  done
  allocated=$(du -B1 "$SRC.tmp" | cut -f1)
  [ "$allocated" -ge $((2 * GiB)) ] || die "$SRC.tmp holds $allocated bytes of data, not 2 GiB"
  mv "$SRC.tmp" "$SRC"
fi
if [ ! -f "$SPARSE" ]; then
  echo "building the 64 GiB sparse disk $SPARSE ..."
  rm -f "$SPARSE.tmp"
  truncate -s 64G "$SPARSE.tmp"
  awk -v n=128 -v max=$((64 * GiB / CHUNK)) 'BEGIN { srand(64); while (k < n) { c = int(rand() * max); if (!(c in s)) { s[c] = 1; k++; print c } } }' |
    while read -r c; do
      dd if=/dev/urandom of="$SPARSE.tmp" bs=64k seek="$c" count=1 iflag=fullblock conv=notrunc status=none
    done
  mv "$SPARSE.tmp" "$SPARSE"
fi

RUN=$(mktemp -d "$WORK/run.XXXXXX")
TGT="$RUN/target"
mkdir -p "$TGT"
finish() {
  local rc=$?
  if [ "$KEEP" = 1 ]; then
    echo "datamover_bench: outputs kept in $RUN" >&2
  else
    rm -rf "$RUN"
  fi
  [ $rc -eq 0 ] || echo "datamover_bench: failed (KEEP=1 keeps the outputs for a look)" >&2
}
trap finish EXIT

# measure NAME CLEAN CMD...: runs CMD REPEAT times, removing CLEAN (a file or a
# directory, may be empty) and syncing before each run. Keeps the best wall
# seconds, the highest peak RSS (KiB), and the last run's stdout in RUN/NAME.out.
# The CPU seconds (user + system, lowest of the runs) are reported beside: on a
# busy machine they say more than the wall time.
declare -A SECS RSS CPU SIZE
measure() {
  local name=$1 clean=$2; shift 2
  local best="" peak=0 cpu="" secs kib user sys
  for _ in $(seq "$REPEAT"); do
    if [ -n "$clean" ]; then rm -rf "$clean"; fi
    sync
    /usr/bin/time -f "%e %M %U %S" -o "$RUN/time.txt" "$@" > "$RUN/$name.out" || die "$name: $* exited with an error"
    read -r secs kib user sys < "$RUN/time.txt"
    if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then best=$secs; fi
    if [ "$kib" -gt "$peak" ]; then peak=$kib; fi
    user=$(awk "BEGIN{printf \"%.2f\", $user + $sys}")
    if [ -z "$cpu" ] || awk "BEGIN{exit !($user < $cpu)}"; then cpu=$user; fi
  done
  SECS[$name]=$best; RSS[$name]=$peak; CPU[$name]=$cpu
}

# The datamover writes pretty JSON (--json); field NAME KEY prints a value.
field() { sed -n "s/^  \"$2\": \"\{0,1\}\([^\"]*\)\"\{0,1\},\{0,1\}\$/\1/p" "$RUN/$1.out"; }
# backup NAME WORKLOAD SNAPSHOT MODE SOURCE [OPTIONS...]: a timed backup that
# must come out with the mode asked for; its image joins IMAGES.
declare -A IMAGE
IMAGES=()
backup() {
  local name=$1 workload=$2 snapshot=$3 mode=$4 source=$5; shift 5
  measure "$name" "$TGT/workload_$workload/snapshot_$snapshot" \
    "$DM" backup --target "$TGT" --workload "$workload" --snapshot "$snapshot" --vm vm1 --resource disk1 \
    --source "$source" --mode "$mode" --json --no-progress "$@"
  [ "$(field "$name" mode)" = "$mode" ] || die "$name: mode $(field "$name" mode), not $mode: $(field "$name" warning)"
  IMAGE[$name]="$TGT/$(field "$name" image)"
  [ -f "${IMAGE[$name]}" ] || die "$name: no image at ${IMAGE[$name]}"
  IMAGES+=("${IMAGE[$name]}")
  SIZE[$name]=$(stat -c %s "${IMAGE[$name]}")
}

# changes SEED COUNT: COUNT distinct clusters of the disk, "cluster pattern" a line.
changes() {
  awk -v seed="$1" -v n="$2" -v max=$CLUSTERS \
    'BEGIN { srand(seed); while (k < n) { c = int(rand() * max); if (!(c in s)) { s[c] = 1; k++; print c, k % 16 + 1 } } }'
}
for p in $(seq 16); do head -c $CHUNK /dev/zero | tr '\0' "\\$(printf '%03o' "$p")" > "$RUN/pattern.$p"; done
# apply_raw FILE CHANGES / apply_qcow2 FILE CHANGES: write the changes.
apply_raw() {
  local c p
  while read -r c p; do
    dd if="$RUN/pattern.$p" of="$1" bs=$CHUNK seek="$c" count=1 conv=notrunc status=none
  done < "$2"
}
apply_qcow2() {
  local c p args=()
  while read -r c p; do
    args+=(-c "write -q -P $p $((c * CHUNK)) 64k")
    if [ ${#args[@]} -ge 512 ]; then qemu-io -f qcow2 "$1" "${args[@]}" >/dev/null; args=(); fi
  done < "$2"
  if [ ${#args[@]} -gt 0 ]; then qemu-io -f qcow2 "$1" "${args[@]}" >/dev/null; fi
}
CHANGE_COUNT=$((DISK_SIZE / 100 / CHUNK))  # 1 %
changes 1 $CHANGE_COUNT > "$RUN/change-1pct"

echo "datamover_bench: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), REPEAT=$REPEAT, outputs in $RUN"

# --- Full backups of the raw disk, plain and zstd.
cat "$SRC" > /dev/null  # into the page cache
measure qemu_plain "$RUN/base.qcow2" qemu-img convert -f raw -O qcow2 "$SRC" "$RUN/base.qcow2"
SIZE[qemu_plain]=$(stat -c %s "$RUN/base.qcow2")
measure qemu_sync "$RUN/qemu-sync.qcow2" \
  sh -c 'qemu-img convert -f raw -O qcow2 "$1" "$2" && sync "$2"' sh "$SRC" "$RUN/qemu-sync.qcow2"
SIZE[qemu_sync]=$(stat -c %s "$RUN/qemu-sync.qcow2")
rm -f "$RUN/qemu-sync.qcow2"
measure cairn_img "$RUN/cairn-img.qcow2" "$IMG" convert --no-sync -f raw "$SRC" "$RUN/cairn-img.qcow2"
SIZE[cairn_img]=$(stat -c %s "$RUN/cairn-img.qcow2")
qemu-img check -q "$RUN/cairn-img.qcow2" || die "qemu-img check failed on the cairn-img output"
rm -f "$RUN/cairn-img.qcow2"
backup dm_full raw full full "$SRC"
measure qemu_zstd "$RUN/qemu-zstd.qcow2" \
  qemu-img convert -f raw -O qcow2 -c -o compression_type=zstd -W -m 16 "$SRC" "$RUN/qemu-zstd.qcow2"
SIZE[qemu_zstd]=$(stat -c %s "$RUN/qemu-zstd.qcow2")
rm -f "$RUN/qemu-zstd.qcow2"
backup dm_zstd zstd full full "$SRC" --compress zstd
qemu-img compare -q -f raw -F qcow2 "$SRC" "${IMAGE[dm_zstd]}" || die "the zstd full backup differs from the source"

# --- Overlay incremental: the full of a qcow2 base, then 1 % written into an overlay.
backup dm_base overlay base full "$RUN/base.qcow2"
qemu-img create -q -f qcow2 -b "$RUN/base.qcow2" -F qcow2 "$RUN/overlay.qcow2"
apply_qcow2 "$RUN/overlay.qcow2" "$RUN/change-1pct"
backup dm_overlay overlay inc1 overlay "$RUN/overlay.qcow2" --previous base
qemu-img compare -q -f qcow2 -F qcow2 "$RUN/overlay.qcow2" "${IMAGE[dm_overlay]}" \
  || die "the overlay incremental differs from the overlay"
rm -f "$RUN/overlay.qcow2" "$RUN/base.qcow2"

# --- Scan incremental of the same 1 % change on a copy of the raw disk, then 6 more.
cp --sparse=always "$SRC" "$RUN/scan.raw"
apply_raw "$RUN/scan.raw" "$RUN/change-1pct"
cat "$RUN/scan.raw" > /dev/null
measure cat "" sh -c 'cat "$1" > /dev/null' sh "$RUN/scan.raw"
backup dm_scan raw inc1 scan "$RUN/scan.raw" --previous full
SECS[chain]=0 CPU[chain]=0 RSS[chain]=0
for i in 2 3 4 5 6 7; do
  changes "$i" $((CHANGE_COUNT / 10)) > "$RUN/change-$i"
  apply_raw "$RUN/scan.raw" "$RUN/change-$i"
  backup "dm_scan$i" raw "inc$i" scan "$RUN/scan.raw" --previous "inc$((i - 1))"
  SECS[chain]=$(awk "BEGIN{printf \"%.2f\", ${SECS[chain]} + ${SECS[dm_scan$i]}}")
  CPU[chain]=$(awk "BEGIN{printf \"%.2f\", ${CPU[chain]} + ${CPU[dm_scan$i]}}")
  if [ "${RSS[dm_scan$i]}" -gt "${RSS[chain]}" ]; then RSS[chain]=${RSS[dm_scan$i]}; fi
done

# --- Restore of the chain of 8 (full, inc1..inc7) vs qemu-img convert of its newest image.
measure qemu_raw "$RUN/qemu.raw" qemu-img convert -f qcow2 -O raw "${IMAGE[dm_scan7]}" "$RUN/qemu.raw"
measure dm_restore "$RUN/restore.raw" \
  "$DM" restore --target "$TGT" --workload raw --snapshot inc7 --vm vm1 --to "$RUN/restore.raw" --json --no-progress
cmp "$RUN/restore.raw" "$RUN/qemu.raw" || die "the restored disk differs from qemu-img convert -O raw of the newest image"
cmp "$RUN/restore.raw" "$RUN/scan.raw" || die "the restored disk differs from the disk that was backed up"
SIZE[dm_restore]="$(du -B1 "$RUN/restore.raw" | cut -f1) allocated"
SIZE[qemu_raw]="$(du -B1 "$RUN/qemu.raw" | cut -f1) allocated"
rm -f "$RUN/restore.raw" "$RUN/qemu.raw" "$RUN/scan.raw"

# --- Peak memory of a full backup of a 64 GiB sparse disk.
backup dm_sparse sparse full full "$SPARSE"
qemu-img compare -q -f raw -F qcow2 "$SPARSE" "${IMAGE[dm_sparse]}" || die "the 64 GiB backup differs from its source"

# --- Every image written must be clean.
for image in "${IMAGES[@]}"; do
  qemu-img check -q "$image" || die "qemu-img check failed on $image"
done


# --- Report.
ratio() { awk "BEGIN{a = $1; b = $2; if (b < 0.01) b = 0.01; printf \"%.2f\", a / b}"; }
rate() { awk "BEGIN{s = $2; if (s < 0.01) s = 0.01; printf \"%.0f MiB/s\", $1 / s / $MiB}"; }
printf '\n%-11s %-58s %8s %8s %9s  %s\n' "row" "command" "seconds" "cpu s" "peak RSS" "output bytes"
row() { printf '%-11s %-58s %8s %8s %5s MiB  %s\n' "$1" "$2" "${SECS[$1]}" "${CPU[$1]}" "$((${RSS[$1]} / 1024))" "${3:-${SIZE[$1]:-}}"; }
row qemu_plain "qemu-img convert -O qcow2 (no fsync)"
row qemu_sync  "qemu-img convert -O qcow2, then sync of the output"
row cairn_img  "cairn-img convert --no-sync"
row dm_full    "cairn-datamover backup --mode full (fsync)"
row qemu_zstd  "qemu-img convert -c zstd -W -m 16 (no fsync)"
row dm_zstd    "cairn-datamover backup --mode full --compress zstd"
row dm_base    "backup --mode full of a qcow2 of the disk"
row dm_overlay "backup --mode overlay of an overlay on it, 1 % written"
row cat        "cat of the raw disk, 1 % changed, > /dev/null" "$(rate $DISK_SIZE "${SECS[cat]}")"
row dm_scan    "backup --mode scan of that raw disk" "${SIZE[dm_scan]}, $(rate $DISK_SIZE "${SECS[dm_scan]}")"
row chain      "6 more scan incrementals of 0.1 % each (sum)" " "
row qemu_raw   "qemu-img convert -O raw of the newest image (no fsync)"
row dm_restore "cairn-datamover restore of the chain of 8 to raw (fsync)"
row dm_sparse  "backup --mode full of a 64 GiB sparse disk (8 MiB data)"

# goal TEXT GOAL MEASURED OP: "goal X, measured Y, met/not met" (OP: ge or le).
goal() {
  local met="not met"
  if awk "BEGIN{exit !((\"$4\" == \"ge\") ? ($3 >= $2) : ($3 <= $2))}"; then met="met"; fi
  local sign=">="; [ "$4" = le ] && sign="<="
  printf '%-62s goal %s %s%s, measured %s%s, %s\n' "$1" "$sign" "$2" "$5" "$3" "$5" "$met"
}
echo
echo "goals (x: times faster; qemu-img does not fsync, cairn-datamover does):"
goal "full backup vs qemu-img convert -O qcow2" 1.2 "$(ratio "${SECS[qemu_plain]}" "${SECS[dm_full]}")" ge x
goal "zstd full backup vs qemu-img convert -c zstd -W -m 16" 2 "$(ratio "${SECS[qemu_zstd]}" "${SECS[dm_zstd]}")" ge x
goal "overlay incremental of 1 %, time as % of the full's" 3 \
  "$(awk "BEGIN{b = ${SECS[dm_base]}; if (b < 0.01) b = 0.01; printf \"%.1f\", 100 * ${SECS[dm_overlay]} / b}")" le " %"
goal "scan incremental of 1 %, rate vs cat of the disk" 0.8 "$(ratio "${SECS[cat]}" "${SECS[dm_scan]}")" ge x
goal "restore of a chain of 8 vs qemu-img convert -O raw" 1.2 "$(ratio "${SECS[qemu_raw]}" "${SECS[dm_restore]}")" ge x
goal "peak RSS of a full backup of 64 GiB sparse" 256 "$((${RSS[dm_sparse]} / 1024))" le " MiB"
echo
echo "for reference:"
echo "  full backup vs qemu-img convert + sync:       $(ratio "${SECS[qemu_sync]}" "${SECS[dm_full]}")x"
echo "  full backup vs cairn-img convert --no-sync:   $(ratio "${SECS[cairn_img]}" "${SECS[dm_full]}")x"
echo "  cpu seconds, qemu-img / cairn-datamover:     full $(ratio "${CPU[qemu_plain]}" "${CPU[dm_full]}")x," \
  "zstd $(ratio "${CPU[qemu_zstd]}" "${CPU[dm_zstd]}")x, restore $(ratio "${CPU[qemu_raw]}" "${CPU[dm_restore]}")x"
echo "  zstd size, cairn-datamover / qemu-img:        $(ratio "${SIZE[dm_zstd]}" "${SIZE[qemu_zstd]}")"
echo "  zstd size, cairn-datamover / uncompressed:    $(ratio "${SIZE[dm_zstd]}" "${SIZE[dm_full]}")"
echo "  overlay / scan incremental image bytes:       ${SIZE[dm_overlay]} / ${SIZE[dm_scan]}"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (on $(nproc) cores: above that, the times are noisy)"
echo "all images passed qemu-img check; backups match their sources; the restored disk matches."
