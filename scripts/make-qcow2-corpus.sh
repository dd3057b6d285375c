#!/usr/bin/env bash
# Writes the seed corpus of tiny qcow2 images (valid and hostile) used by the
# qcow2 reader's fuzzer (fuzz/qcow2_reader_fuzz.cc) and checked by
# tests/qcow2/hostile_test.cc (HostileCorpus). Deterministic: the same
# qemu-img gives the same bytes. Names say what the reader must do:
#   ok-*   opens, reads and maps without error
#   bad-*  fails with a clear error, when opened or when read
#   any-*  either (e.g. a bad magic is a raw disk when probing)
#
# Usage: scripts/make-qcow2-corpus.sh [OUTPUT_DIR]   (default tests/qcow2/data/corpus)
set -euo pipefail

cd "$(dirname "$0")/.."
out=${1:-tests/qcow2/data/corpus}
command -v qemu-img >/dev/null || { echo "make-qcow2-corpus: qemu-img not found (apt-get install qemu-utils)" >&2; exit 1; }

mkdir -p "$out"
cd "$out"
rm -f -- *.qcow2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- byte helpers ------------------------------------------------------------
# putN FILE OFFSET VALUE: store VALUE big-endian at OFFSET (bash arithmetic is
# 64-bit, so any u64 works when written in hex).
put_bytes() {  # FILE OFFSET HEXSTRING
  local esc
  esc=$(printf '%s' "$3" | sed 's/../\\x&/g')
  # shellcheck disable=SC2059
  printf "$esc" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
put64() { put_bytes "$1" "$2" "$(printf '%016x' "$3")"; }
put32() { put_bytes "$1" "$2" "$(printf '%08x' "$(( $3 & 0xffffffff ))")"; }
put8() { put_bytes "$1" "$2" "$(printf '%02x' "$3")"; }
put_text() {  # FILE OFFSET TEXT (no NUL bytes)
  printf '%s' "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
get64() { echo $(( 0x$(od -An -tx1 -j "$2" -N8 "$1" | tr -d ' \n') )); }
get32() { echo $(( 0x$(od -An -tx1 -j "$2" -N4 "$1" | tr -d ' \n') )); }
# derive NEW FROM: copy an image to mutate it.
derive() { cp "$2" "$1"; }

# Pseudo-random bytes from a seed (sha256 chain), as a file of N*32 bytes.
random_file() {  # FILE SEED BLOCKS
  local h=$2 i
  : >"$1"
  for ((i = 0; i < $3; i++)); do
    h=$(printf '%s' "$h" | sha256sum | cut -c1-64)
    # shellcheck disable=SC2059
    printf "$(printf '%s' "$h" | sed 's/../\\x&/g')" >>"$1"
  done
}

io() { qemu-io -f qcow2 "$@" >/dev/null; }

# --- valid images ------------------------------------------------------------
qemu-img create -q -f qcow2 -o cluster_size=512 ok-v3-empty.qcow2 64K

# 512-byte clusters: data at 0..4K, a zero range, a compressed cluster at 16K,
# data at 60K. L1 at 0x600, the L2 table right after the refcount block.
qemu-img create -q -f qcow2 -o cluster_size=512 ok-v3-data.qcow2 64K
io -c 'write -P 0xab 0 4k' -c 'write -z 8k 1k' -c 'write -c -P 0x11 16k 512' -c 'write -P 0x22 60k 512' ok-v3-data.qcow2

qemu-img create -q -f qcow2 -o cluster_size=512,compression_type=zstd ok-v3-zstd.qcow2 32K
io -c 'write -c -P 0x61 0 512' -c 'write -c -P 0x62 4k 512' -c 'write -P 0x63 8k 1k' ok-v3-zstd.qcow2

qemu-img create -q -f qcow2 -o compat=0.10,cluster_size=512 ok-v2-data.qcow2 32K
io -c 'write -P 0x33 0 2k' -c 'write -c -P 0x44 8k 512' ok-v2-data.qcow2

# 4 KiB clusters from a raw disk: random (stored) and patterned (compressed).
random_file "$work/rand" cairn 256   # 8 KiB
qemu-img create -q -f raw "$work/src.raw" 32K
dd if="$work/rand" of="$work/src.raw" conv=notrunc status=none
qemu-io -f raw -c 'write -P 0x5a 12k 8k' -c 'write -P 0x3c 28k 4k' "$work/src.raw" >/dev/null
qemu-img convert -f raw -O qcow2 -c -o cluster_size=4096 "$work/src.raw" ok-conv-4k-zlib.qcow2
qemu-img convert -f raw -O qcow2 -c -o cluster_size=4096,compression_type=zstd "$work/src.raw" ok-conv-4k-zstd.qcow2

# An overlay (larger than its backing file), named relative to it.
qemu-img create -q -f qcow2 -o cluster_size=512 -b ok-v3-data.qcow2 -F qcow2 ok-overlay.qcow2 96K
io -c 'write -P 0x55 2k 1k' -c 'write -z 16k 512' -c 'write -P 0x66 80k 4k' ok-overlay.qcow2

derive ok-dirty-bit.qcow2 ok-v3-data.qcow2
put64 ok-dirty-bit.qcow2 72 0x1

# --- backing chains ------------------------------------------------------------
derive bad-loop-self.qcow2 ok-v3-empty.qcow2
qemu-img rebase -q -u -f qcow2 -b bad-loop-self.qcow2 -F qcow2 bad-loop-self.qcow2
qemu-img create -q -f qcow2 -o cluster_size=512 bad-loop-a.qcow2 64K
qemu-img create -q -f qcow2 -o cluster_size=512 -b bad-loop-a.qcow2 -F qcow2 bad-loop-b.qcow2
qemu-img rebase -q -u -f qcow2 -b bad-loop-b.qcow2 -F qcow2 bad-loop-a.qcow2
qemu-img create -q -u -f qcow2 -o cluster_size=512 -b no-such-base.qcow2 -F qcow2 bad-backing-missing.qcow2 64K

# --- header fields (of ok-v3-data) --------------------------------------------
base=ok-v3-data.qcow2
hdr() {  # NAME PUT-FUNCTION OFFSET VALUE
  derive "$1" "$base"
  "$2" "$1" "$3" "$4"
}
hdr any-bad-magic.qcow2 put32 0 0x514649fa
hdr bad-version-1.qcow2 put32 4 1
hdr bad-version-4.qcow2 put32 4 4
hdr bad-cluster-bits-0.qcow2 put32 20 0
hdr bad-cluster-bits-8.qcow2 put32 20 8
hdr bad-cluster-bits-22.qcow2 put32 20 22
hdr bad-cluster-bits-63.qcow2 put32 20 63
hdr bad-size-2e62.qcow2 put64 24 0x4000000000000000
hdr bad-size-max.qcow2 put64 24 0xffffffffffffffff
hdr bad-crypt-aes.qcow2 put32 32 1
hdr bad-crypt-luks.qcow2 put32 32 2
hdr bad-l1-size-zero.qcow2 put32 36 0
hdr bad-l1-size-small.qcow2 put32 36 1
hdr bad-l1-size-huge.qcow2 put32 36 0xffffffff
hdr bad-l1-size-past-eof.qcow2 put32 36 100000
hdr bad-l1-offset-zero.qcow2 put64 40 0
hdr bad-l1-offset-unaligned.qcow2 put64 40 0x608
hdr bad-l1-offset-eof.qcow2 put64 40 0x100000
hdr bad-l1-offset-wrap.qcow2 put64 40 0xfffffffffffffe00
hdr bad-refcount-offset-eof.qcow2 put64 48 0x100000
hdr bad-refcount-clusters-huge.qcow2 put32 56 0xffffffff
hdr bad-incompat-unknown.qcow2 put64 72 0x20
hdr bad-incompat-bit63.qcow2 put64 72 0x8000000000000000
hdr bad-external-data.qcow2 put64 72 0x4
hdr bad-extended-l2.qcow2 put64 72 0x10
hdr bad-refcount-order.qcow2 put32 96 7
hdr bad-header-length.qcow2 put32 100 0xffffffff
hdr bad-compression-type-2.qcow2 put64 72 0x8
put8 bad-compression-type-2.qcow2 104 2
hdr bad-compression-type-no-bit.qcow2 put8 104 1

# Backing file name and header extensions.
hdr bad-backing-offset-out.qcow2 put64 8 0x1000
put32 bad-backing-offset-out.qcow2 16 4
hdr bad-backing-size-big.qcow2 put64 8 256
put32 bad-backing-size-big.qcow2 16 2000
hdr bad-backing-crosses-cluster.qcow2 put64 8 508
put32 bad-backing-crosses-cluster.qcow2 16 8
hdr bad-backing-nul.qcow2 put64 8 256
put32 bad-backing-nul.qcow2 16 11
put_bytes bad-backing-nul.qcow2 256 "$(printf 'base' | od -An -tx1 | tr -d ' \n')00$(printf '.qcow2' | od -An -tx1 | tr -d ' \n')"
hdr bad-ext-len-overflow.qcow2 put32 112 0x12345678
put32 bad-ext-len-overflow.qcow2 116 0xffffffff
hdr bad-ext-no-end.qcow2 put32 112 0x12345678
for ((p = 112; p + 8 <= 512; p += 8)); do put32 bad-ext-no-end.qcow2 "$p" 0x12345678; done
hdr bad-ext-encryption.qcow2 put32 112 0x0537be77
put32 bad-ext-encryption.qcow2 116 8
hdr bad-ext-backing-format-long.qcow2 put32 112 0xe2792aca
put32 bad-ext-backing-format-long.qcow2 116 65

# --- tables ----------------------------------------------------------------
l1=$(get64 $base 40)
l2=$(( $(get64 $base "$l1") & 0x00fffffffffffe00 ))
size=$(stat -c %s $base)
# Guest cluster 0 is data; guest cluster 32 (16K) is compressed.
hdr bad-l1-entry-eof.qcow2 put64 "$l1" 0x8000000000100000
hdr bad-l1-entry-max.qcow2 put64 "$l1" 0x00fffffffffffe00
hdr any-l1-entry-at-l1.qcow2 put64 "$l1" "$l1"
hdr bad-l2-entry-eof.qcow2 put64 "$l2" 0x8000000000100000
hdr bad-l2-entry-zero-eof.qcow2 put64 "$l2" 0x0000000000100001
centry=$(get64 $base $(( l2 + 32 * 8 )))
coff=$(( centry & ((1 << 61) - 1) ))
hdr bad-compressed-eof.qcow2 put64 $(( l2 + 32 * 8 )) 0x4000000000100000
hdr bad-compressed-in-header.qcow2 put64 $(( l2 + 32 * 8 )) 0x4000000000000040
hdr bad-compressed-last-byte.qcow2 put64 $(( l2 + 32 * 8 )) $(( 0x4000000000000000 | (size - 1) ))
hdr any-compressed-max-sectors.qcow2 put64 $(( l2 + 32 * 8 )) $(( centry | (1 << 61) ))
hdr bad-compressed-garbage.qcow2 put64 "$coff" 0xffffffffffffffff
put64 bad-compressed-garbage.qcow2 $(( coff + 8 )) 0xffffffffffffffff

zbase=ok-conv-4k-zstd.qcow2
zl1=$(get64 $zbase 40)
zl2=$(( $(get64 $zbase "$zl1") & 0x00fffffffffffe00 ))
# Guest cluster 0 is stored, guest cluster 3 (12K) compressed (x = 62 - 4 = 58).
derive bad-l1-entry-unaligned-4k.qcow2 $zbase
put64 bad-l1-entry-unaligned-4k.qcow2 "$zl1" $(( zl2 + 512 ))
derive bad-l2-entry-unaligned-4k.qcow2 $zbase
put64 bad-l2-entry-unaligned-4k.qcow2 "$zl2" $(( ($(get64 $zbase "$zl2") & 0x00fffffffffffe00) + 512 ))
zcoff=$(( $(get64 $zbase $(( zl2 + 3 * 8 ))) & ((1 << 58) - 1) ))
derive bad-zstd-garbage.qcow2 $zbase
put64 bad-zstd-garbage.qcow2 "$zcoff" 0x0123456789abcdef

# --- truncation ----------------------------------------------------------------
trunc() {  # NAME LENGTH
  derive "$1" $base
  truncate -s "$2" "$1"
}
trunc bad-trunc-50.qcow2 50
trunc bad-trunc-in-header.qcow2 100
trunc bad-trunc-mid-l1.qcow2 $(( l1 + 8 ))
trunc any-trunc-mid-l2.qcow2 $(( l2 + 100 ))
trunc any-trunc-mid-data.qcow2 $(( size - 256 ))

count=$(find . -type f | wc -l)
bytes=$(du -sb . | cut -f1)
echo "make-qcow2-corpus: $count images, $bytes bytes in $out"
