#include "datamover/checked_disk.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace cairn::datamover {

ManifestCheckedDisk::ManifestCheckedDisk(const qcow2::Disk& image, const Manifest& manifest, std::string label)
    : image_(image), manifest_(manifest), label_(std::move(label)) {}

Status ManifestCheckedDisk::Mismatch(uint64_t cluster) const {
  return Status::Corruption(label_ + ": the data at guest offset " + std::to_string(cluster * manifest_.cluster_size) +
                            " (cluster " + std::to_string(cluster) +
                            ") does not match its manifest checksum; the backup is damaged, restore stopped");
}

Status ManifestCheckedDisk::CheckClusters(uint64_t start, std::span<const std::byte> data) const {
  const uint64_t cs = manifest_.cluster_size;
  for (uint64_t off = 0; off < data.size(); off += cs) {
    const uint64_t index = (start + off) / cs;
    const auto cluster = data.subspan(off, std::min<uint64_t>(cs, data.size() - off));
    if (HashCluster(cluster) != manifest_.hashes[index]) return Mismatch(index);
  }
  return Status::OK();
}

Status ManifestCheckedDisk::Read(uint64_t offset, std::span<std::byte> out) const {
  if (offset > manifest_.virtual_size || out.size() > manifest_.virtual_size - offset)
    return Status::OutOfRange(label_ + ": read past the end of the disk");
  if (out.empty()) return Status::OK();
  const uint64_t cs = manifest_.cluster_size;
  const uint64_t start = offset / cs * cs;
  const uint64_t end = std::min(manifest_.virtual_size, (offset + out.size() + cs - 1) / cs * cs);
  if (start == offset && end == offset + out.size()) {
    CAIRN_RETURN_IF_ERROR(image_.Read(offset, out));
    return CheckClusters(start, out);
  }
  std::vector<std::byte> whole(end - start);
  CAIRN_RETURN_IF_ERROR(image_.Read(start, whole));
  CAIRN_RETURN_IF_ERROR(CheckClusters(start, whole));
  std::memcpy(out.data(), whole.data() + (offset - start), out.size());
  return Status::OK();
}

Result<std::vector<qcow2::Extent>> ManifestCheckedDisk::Map(uint64_t offset, uint64_t length) const {
  if (offset >= manifest_.virtual_size) return std::vector<qcow2::Extent>();
  length = std::min(length, manifest_.virtual_size - offset);
  CAIRN_ASSIGN_OR_RETURN(std::vector<qcow2::Extent> extents, image_.Map(offset, length));
  const uint64_t cs = manifest_.cluster_size;
  for (const qcow2::Extent& e : extents) {
    if (e.kind == qcow2::ExtentKind::kData) continue;
    // Only the clusters wholly inside the range: a partly covered cluster is
    // read (and so checked) for its data part.
    const uint64_t first = (e.offset + cs - 1) / cs;
    const uint64_t last = std::min(e.end(), manifest_.virtual_size) / cs;  // exclusive
    for (uint64_t i = first; i < last; ++i)
      if (manifest_.hashes[i] != ZeroHash(cs)) return Mismatch(i);
    // The short last cluster of the disk.
    if (e.end() >= manifest_.virtual_size && manifest_.virtual_size % cs != 0 && first <= last &&
        last < manifest_.cluster_count() && e.offset <= last * cs &&
        manifest_.hashes[last] != ZeroHash(manifest_.ClusterLength(last)))
      return Mismatch(last);
  }
  return extents;
}

}  // namespace cairn::datamover
