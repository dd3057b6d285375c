// Decoding of L1 and L2 table entries (docs/interop/qcow2.txt, "Cluster
// mapping"), with the checks that keep a hostile image from steering reads
// outside the file.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "qcow2/format.h"

namespace cairn::qcow2 {

struct ClusterMapping {
  enum class Type { kUnallocated, kZero, kNormal, kCompressed };
  Type type = Type::kUnallocated;
  uint64_t host_offset = 0;      // normal: cluster start; compressed: byte offset
  uint64_t compressed_size = 0;  // compressed: bytes from host_offset to the end of its last sector
};

// Decodes an L2 entry of an image with header `h` whose file is `file_size`
// bytes. Returns Corruption for unaligned or out-of-file offsets.
Result<ClusterMapping> DecodeL2Entry(uint64_t entry, const Header& h, uint64_t file_size);

// Returns the L2 table offset of an L1 entry (0 = unallocated), or Corruption.
Result<uint64_t> DecodeL1Entry(uint64_t entry, const Header& h, uint64_t file_size);

// Encodes a compressed-cluster L2 entry for data of `size` bytes at byte
// offset `host_offset` (QEMU's layout: offset bits, then extra sector count).
uint64_t EncodeCompressedEntry(uint64_t host_offset, uint64_t size, uint32_t cluster_bits);

}  // namespace cairn::qcow2
