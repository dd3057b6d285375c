// qcow2 on-disk constants and the parsed header. The authority is QEMU's
// docs/interop/qcow2.txt; docs/qcow2.md says which parts Cairn reads and writes.
#pragma once

#include <cstdint>
#include <string>

namespace cairn::qcow2 {

inline constexpr uint32_t kMagic = 0x514649fb;  // "QFI\xfb"
inline constexpr uint32_t kMinClusterBits = 9;  // 512 bytes
inline constexpr uint32_t kMaxClusterBits = 21; // 2 MiB
inline constexpr uint32_t kDefaultClusterSize = 64 * 1024;
inline constexpr uint32_t kV2HeaderLength = 72;
inline constexpr uint32_t kV3MinHeaderLength = 104;
inline constexpr uint32_t kV3HeaderLength = 112;  // with compression_type + padding
inline constexpr uint32_t kMaxBackingFileName = 1023;
inline constexpr uint64_t kMaxL1Bytes = 32ull * 1024 * 1024;             // as QEMU
inline constexpr uint64_t kMaxRefcountTableBytes = 8ull * 1024 * 1024;  // as QEMU

// Incompatible feature bits.
inline constexpr uint64_t kIncompatDirty = 1ull << 0;
inline constexpr uint64_t kIncompatCorrupt = 1ull << 1;
inline constexpr uint64_t kIncompatExternalData = 1ull << 2;
inline constexpr uint64_t kIncompatCompressionType = 1ull << 3;
inline constexpr uint64_t kIncompatExtendedL2 = 1ull << 4;
inline constexpr uint64_t kIncompatKnown = (1ull << 5) - 1;

// Header extension types.
inline constexpr uint32_t kExtEnd = 0;
inline constexpr uint32_t kExtBackingFormat = 0xe2792aca;
inline constexpr uint32_t kExtFeatureNames = 0x6803f857;
inline constexpr uint32_t kExtBitmaps = 0x23852875;
inline constexpr uint32_t kExtEncryption = 0x0537be77;
inline constexpr uint32_t kExtExternalDataFile = 0x44415441;

// L1 / L2 entry fields.
inline constexpr uint64_t kEntryCopied = 1ull << 63;
inline constexpr uint64_t kEntryCompressed = 1ull << 62;
inline constexpr uint64_t kEntryOffsetMask = 0x00fffffffffffe00ull;  // bits 9..55
inline constexpr uint64_t kL2ZeroFlag = 1ull;                          // bit 0 (v3)

enum class CompressionType : uint8_t { kZlib = 0, kZstd = 1 };

// The fields of a qcow2 header that Cairn uses, in host byte order.
struct Header {
  uint32_t version = 3;
  uint64_t backing_file_offset = 0;
  uint32_t backing_file_size = 0;
  uint32_t cluster_bits = 16;
  uint64_t size = 0;  // virtual size in bytes
  uint32_t crypt_method = 0;
  uint32_t l1_size = 0;
  uint64_t l1_table_offset = 0;
  uint64_t refcount_table_offset = 0;
  uint32_t refcount_table_clusters = 0;
  uint32_t nb_snapshots = 0;
  uint64_t snapshots_offset = 0;
  uint64_t incompatible_features = 0;
  uint64_t compatible_features = 0;
  uint64_t autoclear_features = 0;
  uint32_t refcount_order = 4;
  uint32_t header_length = kV3HeaderLength;
  CompressionType compression_type = CompressionType::kZlib;
  // From the header extensions and the backing file name area.
  std::string backing_file;
  std::string backing_format;
  bool has_bitmaps = false;

  uint64_t cluster_size() const { return 1ull << cluster_bits; }
  uint64_t l2_entries() const { return cluster_size() / 8; }
  uint32_t refcount_bits() const { return 1u << refcount_order; }
};

}  // namespace cairn::qcow2
