#!/usr/bin/env bash
# Benchmark: cairn-img convert against qemu-img convert and cp, measured in
# the same run on the same source, in the page cache.
#
#   bench/convert_bench.sh [BUILD_DIR]
#
# The source is a 2 GiB raw disk: 512 MiB of binaries from /usr (compressible),
# 512 MiB of random data, and a 1 GiB hole. Each command runs REPEAT times
# (default 3) after the previous output is removed and synced; the best wall
# time and the peak memory (max RSS) are reported,
# with ratios against qemu-img (a ratio > 1 means cairn-img is faster).
# Work files live in $CAIRN_BENCH_DIR (default /var/tmp/cairn-bench).
set -euo pipefail

BUILD=${1:-build}
IMG="$BUILD/apps/cairn-img/cairn-img"
WORK=${CAIRN_BENCH_DIR:-/var/tmp/cairn-bench}
REPEAT=${REPEAT:-3}
[ -x "$IMG" ] || { echo "convert_bench: $IMG not built (run make build)" >&2; exit 1; }
command -v qemu-img >/dev/null || { echo "convert_bench: qemu-img missing (scripts/install-deps.sh)" >&2; exit 1; }
mkdir -p "$WORK"
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
SRC="$WORK/source-2g.raw"
MiB=$((1024 * 1024))

if [ ! -f "$SRC" ]; then
  echo "building the 2 GiB source image in $SRC ..."
  rm -f "$SRC.tmp"
  truncate -s 2G "$SRC.tmp"
  binaries $((512 * MiB)) | dd of="$SRC.tmp" bs=1M iflag=fullblock conv=notrunc status=none
  head -c $((512 * MiB)) /dev/urandom | dd of="$SRC.tmp" bs=1M seek=512 iflag=fullblock conv=notrunc status=none
  mv "$SRC.tmp" "$SRC"
fi
cat "$SRC" > /dev/null  # into the page cache

# measure NAME OUTPUT CMD...: best wall seconds and peak RSS (KiB) over REPEAT runs.
declare -A SECS RSS SIZE
measure() {
  local name=$1 out=$2; shift 2
  local best="" peak=0
  for _ in $(seq "$REPEAT"); do
    rm -f "$out"; sync
    /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$@" >/dev/null
    read -r secs kib < "$WORK/time.txt"
    if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then best=$secs; fi
    [ "$kib" -gt "$peak" ] && peak=$kib
  done
  SECS[$name]=$best; RSS[$name]=$peak; SIZE[$name]=$(stat -c %s "$out")
}

measure cp           "$WORK/cp.raw"            cp --sparse=always "$SRC" "$WORK/cp.raw"
measure qemu_plain   "$WORK/qemu.qcow2"        qemu-img convert -f raw -O qcow2 "$SRC" "$WORK/qemu.qcow2"
# qemu-img convert does not fsync its output: cairn-img runs with --no-sync to
# compare like with like; cairn_sync shows the cost of cairn-img's default fsync.
measure cairn_plain  "$WORK/cairn.qcow2"       "$IMG" convert --no-sync -f raw "$SRC" "$WORK/cairn.qcow2"
measure cairn_sync   "$WORK/cairn-sync.qcow2"  "$IMG" convert -f raw "$SRC" "$WORK/cairn-sync.qcow2"
measure qemu_zstd    "$WORK/qemu-zstd.qcow2"   qemu-img convert -f raw -O qcow2 -c -o compression_type=zstd -W -m 16 "$SRC" "$WORK/qemu-zstd.qcow2"
measure cairn_zstd   "$WORK/cairn-zstd.qcow2"  "$IMG" convert --no-sync -f raw -c "$SRC" "$WORK/cairn-zstd.qcow2"

# The outputs must be right: clean for qemu-img check, identical to the source.
for f in cairn.qcow2 cairn-zstd.qcow2; do
  qemu-img check -q "$WORK/$f" || { echo "convert_bench: qemu-img check failed on $f" >&2; exit 1; }
  qemu-img compare -q "$SRC" "$WORK/$f" || { echo "convert_bench: $f differs from the source" >&2; exit 1; }
done

ratio() { awk "BEGIN{printf \"%.2f\", $1 / $2}"; }
printf '\n%-12s %9s %12s %14s   %s\n' "command" "seconds" "peak RSS" "output bytes" "ratio"
row() { printf '%-12s %9s %9s MiB %14s   %s\n' "$1" "${SECS[$1]}" "$((${RSS[$1]} / 1024))" "${SIZE[$1]}" "$2"; }
row cp "cp is $(ratio "${SECS[qemu_plain]}" "${SECS[cp]}")x qemu-img (plain)"
row qemu_plain ""
row cairn_plain "speed vs qemu-img: $(ratio "${SECS[qemu_plain]}" "${SECS[cairn_plain]}")x, vs cp: $(ratio "${SECS[cp]}" "${SECS[cairn_plain]}")x"
row cairn_sync "with fsync: $(ratio "${SECS[qemu_plain]}" "${SECS[cairn_sync]}")x qemu-img"
row qemu_zstd ""
row cairn_zstd "speed vs qemu-img: $(ratio "${SECS[qemu_zstd]}" "${SECS[cairn_zstd]}")x, size vs qemu-img: $(ratio "${SIZE[cairn_zstd]}" "${SIZE[qemu_zstd]}")"
rm -f "$WORK"/*.qcow2 "$WORK/cp.raw" "$WORK/time.txt"
