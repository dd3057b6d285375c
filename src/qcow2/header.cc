#include "qcow2/header.h"

#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "qcow2/endian.h"

namespace cairn::qcow2 {
namespace {

Status Bad(const File& file, const std::string& what) {
  return Status::Corruption(file.name() + ": invalid qcow2 header: " + what);
}

uint64_t DivRoundUp(uint64_t a, uint64_t b) { return a / b + (a % b != 0); }

// Checks that [offset, offset+length) lies in the file and is cluster aligned.
Status CheckTable(const File& file, const Header& h, uint64_t file_size, uint64_t offset,
                  uint64_t length, const char* what) {
  if (offset % h.cluster_size() != 0)
    return Bad(file, std::string(what) + " offset " + std::to_string(offset) + " is not cluster aligned");
  if (offset == 0 && length > 0) return Bad(file, std::string(what) + " at offset 0 overlaps the header");
  if (offset > file_size || length > file_size - offset)
    return Bad(file, std::string(what) + " at offset " + std::to_string(offset) + " (" + std::to_string(length) +
                         " bytes) lies beyond the end of the file (" + std::to_string(file_size) + " bytes)");
  return Status::OK();
}

Status ParseExtensions(const File& file, std::span<const std::byte> cluster, Header& h) {
  uint64_t pos = h.header_length;
  const uint64_t end = h.backing_file_offset != 0 ? std::min<uint64_t>(h.backing_file_offset, cluster.size())
                                                   : cluster.size();
  while (true) {
    if (pos + 8 > end) {
      // v2 images may have no extension area at all; v3 images end it with type 0.
      if (h.version == 2) return Status::OK();
      return Bad(file, "header extensions run past the first cluster");
    }
    uint32_t type = LoadBE32(cluster.data() + pos);
    uint32_t len = LoadBE32(cluster.data() + pos + 4);
    pos += 8;
    if (type == kExtEnd) return Status::OK();
    if (len > end - pos) return Bad(file, "header extension " + std::to_string(type) + " is longer than its space");
    const std::byte* data = cluster.data() + pos;
    switch (type) {
      case kExtBackingFormat:
        if (len > 64) return Bad(file, "backing format name too long");
        h.backing_format.assign(reinterpret_cast<const char*>(data), len);
        break;
      case kExtBitmaps: h.has_bitmaps = true; break;
      case kExtEncryption: return Status::NotSupported(file.name() + ": encrypted qcow2 images are not supported");
      case kExtExternalDataFile:
        return Status::NotSupported(file.name() + ": qcow2 images with an external data file are not supported");
      default: break;  // feature names and unknown extensions are ignored, as the spec allows
    }
    pos += (static_cast<uint64_t>(len) + 7) & ~7ull;
  }
}

}  // namespace

Result<Header> ReadHeader(const File& file) {
  CAIRN_ASSIGN_OR_RETURN(uint64_t file_size, file.Size());
  if (file_size < kV2HeaderLength)
    return Status::Corruption(file.name() + ": too small for a qcow2 image (" + std::to_string(file_size) + " bytes)");
  std::byte fixed[kV3HeaderLength] = {};
  CAIRN_RETURN_IF_ERROR(file.ReadAt(0, std::span(fixed, std::min<uint64_t>(file_size, sizeof fixed))));
  if (LoadBE32(fixed) != kMagic) return Status::Corruption(file.name() + ": not a qcow2 image (bad magic)");

  Header h;
  h.version = LoadBE32(fixed + 4);
  if (h.version != 2 && h.version != 3)
    return Status::NotSupported(file.name() + ": qcow2 version " + std::to_string(h.version) + " is not supported");
  h.backing_file_offset = LoadBE64(fixed + 8);
  h.backing_file_size = LoadBE32(fixed + 16);
  h.cluster_bits = LoadBE32(fixed + 20);
  h.size = LoadBE64(fixed + 24);
  h.crypt_method = LoadBE32(fixed + 32);
  h.l1_size = LoadBE32(fixed + 36);
  h.l1_table_offset = LoadBE64(fixed + 40);
  h.refcount_table_offset = LoadBE64(fixed + 48);
  h.refcount_table_clusters = LoadBE32(fixed + 56);
  h.nb_snapshots = LoadBE32(fixed + 60);
  h.snapshots_offset = LoadBE64(fixed + 64);
  if (h.version == 3) {
    if (file_size < kV3MinHeaderLength) return Bad(file, "file too small for a version 3 header");
    h.incompatible_features = LoadBE64(fixed + 72);
    h.compatible_features = LoadBE64(fixed + 80);
    h.autoclear_features = LoadBE64(fixed + 88);
    h.refcount_order = LoadBE32(fixed + 96);
    h.header_length = LoadBE32(fixed + 100);
  } else {
    h.refcount_order = 4;
    h.header_length = kV2HeaderLength;
  }

  if (h.cluster_bits < kMinClusterBits || h.cluster_bits > kMaxClusterBits)
    return Bad(file, "cluster_bits " + std::to_string(h.cluster_bits) + " outside 9..21");
  const uint64_t cs = h.cluster_size();
  if (h.version == 3 && (h.header_length < kV3MinHeaderLength || h.header_length > cs || h.header_length % 8 != 0))
    return Bad(file, "header_length " + std::to_string(h.header_length) + " is invalid");
  if (h.crypt_method != 0)
    return Status::NotSupported(file.name() + ": encrypted qcow2 images (crypt_method " +
                                std::to_string(h.crypt_method) + ") are not supported");
  if (uint64_t unknown = h.incompatible_features & ~kIncompatKnown; unknown != 0)
    return Status::NotSupported(file.name() + ": unknown incompatible qcow2 features " + fmt::format("{:#x}", unknown));
  if (h.incompatible_features & kIncompatExternalData)
    return Status::NotSupported(file.name() + ": qcow2 images with an external data file are not supported");
  if (h.incompatible_features & kIncompatExtendedL2)
    return Status::NotSupported(file.name() + ": qcow2 images with extended L2 entries (subclusters) are not supported");
  if (h.incompatible_features & kIncompatCompressionType) {
    if (h.header_length < 105) return Bad(file, "compression type bit set but header has no compression_type field");
    std::byte type{};
    CAIRN_RETURN_IF_ERROR(file.ReadAt(104, std::span(&type, 1)));
    if (std::to_integer<uint8_t>(type) > 1)
      return Status::NotSupported(file.name() + ": unknown compression type " +
                                  std::to_string(std::to_integer<uint8_t>(type)));
    h.compression_type = static_cast<CompressionType>(std::to_integer<uint8_t>(type));
  } else if (h.header_length >= 105) {
    std::byte type{};
    CAIRN_RETURN_IF_ERROR(file.ReadAt(104, std::span(&type, 1)));
    if (std::to_integer<uint8_t>(type) != 0)
      return Bad(file, "compression_type is set but the compression type feature bit is not");
  }
  if (h.refcount_order > 6) return Bad(file, "refcount_order " + std::to_string(h.refcount_order) + " exceeds 6");

  // Virtual size and L1 table.
  if (h.size > (1ull << 62)) return Bad(file, "virtual size " + std::to_string(h.size) + " is absurd");
  const uint64_t clusters = DivRoundUp(h.size, cs);
  const uint64_t l1_needed = DivRoundUp(clusters, h.l2_entries());
  if (static_cast<uint64_t>(h.l1_size) * 8 > kMaxL1Bytes)
    return Bad(file, "l1_size " + std::to_string(h.l1_size) + " exceeds QEMU's limit");
  if (h.l1_size < l1_needed)
    return Bad(file, "l1_size " + std::to_string(h.l1_size) + " is too small for the virtual size (needs " +
                         std::to_string(l1_needed) + ")");
  CAIRN_RETURN_IF_ERROR(CheckTable(file, h, file_size, h.l1_table_offset, uint64_t{h.l1_size} * 8, "L1 table"));
  if (uint64_t{h.refcount_table_clusters} * cs > kMaxRefcountTableBytes)
    return Bad(file, "refcount table of " + std::to_string(h.refcount_table_clusters) + " clusters exceeds the limit");
  CAIRN_RETURN_IF_ERROR(CheckTable(file, h, file_size, h.refcount_table_offset,
                                   uint64_t{h.refcount_table_clusters} * cs, "refcount table"));

  // The first cluster holds the extensions and the backing file name.
  std::vector<std::byte> cluster(std::min<uint64_t>(cs, file_size));
  CAIRN_RETURN_IF_ERROR(file.ReadAt(0, cluster));
  if (h.header_length > cluster.size()) return Bad(file, "header_length runs past the end of the file");
  CAIRN_RETURN_IF_ERROR(ParseExtensions(file, cluster, h));
  if (h.backing_file_offset != 0) {
    if (h.backing_file_size == 0 || h.backing_file_size > kMaxBackingFileName)
      return Bad(file, "backing file name length " + std::to_string(h.backing_file_size) + " outside 1..1023");
    if (h.backing_file_offset > cluster.size() || h.backing_file_size > cluster.size() - h.backing_file_offset)
      return Bad(file, "backing file name lies outside the first cluster");
    h.backing_file.assign(reinterpret_cast<const char*>(cluster.data() + h.backing_file_offset), h.backing_file_size);
    if (h.backing_file.find('\0') != std::string::npos) return Bad(file, "backing file name contains a NUL byte");
  }
  return h;
}

Result<std::vector<std::byte>> EncodeHeader(const Header& h) {
  const uint64_t cs = h.cluster_size();
  std::vector<std::byte> out(cs);
  std::byte* p = out.data();
  StoreBE32(p + 0, kMagic);
  StoreBE32(p + 4, 3);
  StoreBE32(p + 20, h.cluster_bits);
  StoreBE64(p + 24, h.size);
  StoreBE32(p + 32, 0);
  StoreBE32(p + 36, h.l1_size);
  StoreBE64(p + 40, h.l1_table_offset);
  StoreBE64(p + 48, h.refcount_table_offset);
  StoreBE32(p + 56, h.refcount_table_clusters);
  StoreBE32(p + 60, 0);
  StoreBE64(p + 64, 0);
  StoreBE64(p + 72, h.incompatible_features);
  StoreBE64(p + 80, h.compatible_features);
  StoreBE64(p + 88, h.autoclear_features);
  StoreBE32(p + 96, h.refcount_order);
  StoreBE32(p + 100, kV3HeaderLength);
  p[104] = std::byte{static_cast<uint8_t>(h.compression_type)};

  uint64_t pos = kV3HeaderLength;
  auto need = [&](uint64_t n) { return pos + n <= cs; };
  if (!h.backing_format.empty()) {
    const uint64_t padded = (h.backing_format.size() + 7) & ~7ull;
    if (!need(8 + padded)) return Status::InvalidArgument("backing format does not fit in the first cluster");
    StoreBE32(p + pos, kExtBackingFormat);
    StoreBE32(p + pos + 4, static_cast<uint32_t>(h.backing_format.size()));
    std::memcpy(p + pos + 8, h.backing_format.data(), h.backing_format.size());
    pos += 8 + padded;
  }
  if (!need(8)) return Status::InvalidArgument("header extensions do not fit in the first cluster");
  pos += 8;  // end-of-extensions marker: type 0, length 0 (already zero)
  if (!h.backing_file.empty()) {
    if (h.backing_file.size() > kMaxBackingFileName)
      return Status::InvalidArgument("backing file name longer than 1023 bytes");
    if (!need(h.backing_file.size()))
      return Status::InvalidArgument("backing file name does not fit in the first cluster (" + std::to_string(cs) +
                                     " bytes); use a larger cluster size");
    StoreBE64(p + 8, pos);
    StoreBE32(p + 16, static_cast<uint32_t>(h.backing_file.size()));
    std::memcpy(p + pos, h.backing_file.data(), h.backing_file.size());
  }
  return out;
}

}  // namespace cairn::qcow2
