#include "qcow2/entry.h"

#include <string>

namespace cairn::qcow2 {

Result<ClusterMapping> DecodeL2Entry(uint64_t entry, const Header& h, uint64_t file_size) {
  ClusterMapping m;
  if (entry & kEntryCompressed) {
    const uint32_t x = 62 - (h.cluster_bits - 8);
    m.type = ClusterMapping::Type::kCompressed;
    m.host_offset = entry & ((1ull << x) - 1);
    const uint64_t sectors = ((entry >> x) & ((1ull << (h.cluster_bits - 8)) - 1)) + 1;
    m.compressed_size = sectors * 512 - (m.host_offset & 511);
    if (m.host_offset < h.cluster_size() || m.host_offset >= file_size)
      return Status::Corruption("compressed cluster at host offset " + std::to_string(m.host_offset) +
                                " lies outside the file");
    return m;
  }
  const uint64_t host = entry & kEntryOffsetMask;
  const bool zero = h.version >= 3 && (entry & kL2ZeroFlag);
  if (zero) {
    m.type = ClusterMapping::Type::kZero;
  } else if (host == 0) {
    m.type = ClusterMapping::Type::kUnallocated;
    return m;
  } else {
    m.type = ClusterMapping::Type::kNormal;
  }
  if (host != 0) {
    if (host % h.cluster_size() != 0)
      return Status::Corruption("data cluster offset " + std::to_string(host) + " is not cluster aligned");
    if (host >= file_size)
      return Status::Corruption("data cluster at host offset " + std::to_string(host) + " lies beyond the end of the file");
  }
  m.host_offset = host;
  return m;
}

Result<uint64_t> DecodeL1Entry(uint64_t entry, const Header& h, uint64_t file_size) {
  const uint64_t off = entry & kEntryOffsetMask;
  if (off == 0) return uint64_t{0};
  if (off % h.cluster_size() != 0)
    return Status::Corruption("L2 table offset " + std::to_string(off) + " is not cluster aligned");
  if (off > file_size || h.cluster_size() > file_size - off)
    return Status::Corruption("L2 table at offset " + std::to_string(off) + " lies beyond the end of the file");
  return off;
}

uint64_t EncodeCompressedEntry(uint64_t host_offset, uint64_t size, uint32_t cluster_bits) {
  const uint32_t x = 62 - (cluster_bits - 8);
  const uint64_t extra_sectors = ((host_offset + size + 511) >> 9) - (host_offset >> 9) - 1;
  return kEntryCompressed | (extra_sectors << x) | host_offset;
}

}  // namespace cairn::qcow2
