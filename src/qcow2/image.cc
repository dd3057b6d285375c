#include "qcow2/image.h"

#include <algorithm>
#include <cstring>

#include "qcow2/compression.h"
#include "qcow2/endian.h"

namespace cairn::qcow2 {
namespace {

// Enough L2 tables to cover 32 GiB of guest space at 64 KiB clusters (8 MiB).
constexpr uint64_t kL2CacheBytes = 8ull * 1024 * 1024;

}  // namespace

Qcow2Image::Qcow2Image(std::unique_ptr<File> file, Header header, std::unique_ptr<Disk> backing, uint64_t file_size)
    : file_(std::move(file)),
      header_(std::move(header)),
      backing_(std::move(backing)),
      file_size_(file_size),
      l2_cache_(std::max<uint64_t>(4, kL2CacheBytes / header_.cluster_size())) {}

Result<std::unique_ptr<Qcow2Image>> Qcow2Image::Open(std::unique_ptr<File> file, Header header,
                                                     std::unique_ptr<Disk> backing) {
  CAIRN_ASSIGN_OR_RETURN(uint64_t file_size, file->Size());
  std::unique_ptr<Qcow2Image> image(new Qcow2Image(std::move(file), std::move(header), std::move(backing), file_size));
  // ReadHeader() checked that the L1 table lies inside the file, so this
  // allocation is bounded by the file's size.
  std::vector<std::byte> raw(uint64_t{image->header_.l1_size} * 8);
  CAIRN_RETURN_IF_ERROR(image->file_->ReadAt(image->header_.l1_table_offset, raw));
  image->l1_.resize(image->header_.l1_size);
  for (size_t i = 0; i < image->l1_.size(); ++i) image->l1_[i] = LoadBE64(raw.data() + i * 8);
  return image;
}

Result<std::shared_ptr<const L2Table>> Qcow2Image::LoadL2(uint64_t l2_offset) const {
  if (auto hit = l2_cache_.Get(l2_offset)) return hit;
  const uint64_t cs = header_.cluster_size();
  std::vector<std::byte> raw(cs);
  CAIRN_RETURN_IF_ERROR(file_->ReadAt(l2_offset, raw));
  auto table = std::make_shared<L2Table>(cs / 8);
  for (size_t i = 0; i < table->size(); ++i) (*table)[i] = LoadBE64(raw.data() + i * 8);
  l2_cache_.Put(l2_offset, table);
  return std::shared_ptr<const L2Table>(std::move(table));
}

Result<ClusterMapping> Qcow2Image::Lookup(uint64_t index) const {
  const uint64_t l1_index = index / header_.l2_entries();
  if (l1_index >= l1_.size()) return ClusterMapping{};
  auto l2_offset = DecodeL1Entry(l1_[l1_index], header_, file_size_);
  if (!l2_offset.ok()) return l2_offset.status().WithContext(name());
  if (*l2_offset == 0) return ClusterMapping{};
  CAIRN_ASSIGN_OR_RETURN(auto table, LoadL2(*l2_offset));
  auto m = DecodeL2Entry((*table)[index % header_.l2_entries()], header_, file_size_);
  if (!m.ok()) return m.status().WithContext(name() + ": guest cluster " + std::to_string(index));
  return m;
}

Status Qcow2Image::ReadHost(uint64_t host, std::span<std::byte> out) const {
  // Like QEMU's file driver, bytes past the end of the file read as zeros
  // (the last cluster of an image may be short).
  uint64_t avail = host >= file_size_ ? 0 : std::min<uint64_t>(out.size(), file_size_ - host);
  if (avail > 0) CAIRN_RETURN_IF_ERROR(file_->ReadAt(host, out.first(avail)));
  if (avail < out.size()) std::memset(out.data() + avail, 0, out.size() - avail);
  return Status::OK();
}

Status Qcow2Image::ReadFromBacking(uint64_t offset, std::span<std::byte> out) const {
  uint64_t from_backing = 0;
  if (backing_ && offset < backing_->virtual_size())
    from_backing = std::min<uint64_t>(out.size(), backing_->virtual_size() - offset);
  if (from_backing > 0) CAIRN_RETURN_IF_ERROR(backing_->Read(offset, out.first(from_backing)));
  if (from_backing < out.size()) std::memset(out.data() + from_backing, 0, out.size() - from_backing);
  return Status::OK();
}

Status Qcow2Image::ReadCompressed(const ClusterMapping& m, uint64_t in_cluster, std::span<std::byte> out) const {
  const uint64_t cs = header_.cluster_size();
  // A compressed cluster never needs more than its sector count; the encoding
  // limits that to 2 clusters, which bounds this buffer.
  uint64_t csize = std::min<uint64_t>(m.compressed_size, file_size_ - m.host_offset);
  thread_local std::vector<std::byte> packed, plain;
  packed.resize(csize);
  plain.resize(cs);
  CAIRN_RETURN_IF_ERROR(file_->ReadAt(m.host_offset, packed));
  Status s = DecompressCluster(header_.compression_type, packed, plain);
  if (!s.ok()) return s.WithContext(name() + ": compressed cluster at host offset " + std::to_string(m.host_offset));
  std::memcpy(out.data(), plain.data() + in_cluster, out.size());
  return Status::OK();
}

Status Qcow2Image::Read(uint64_t offset, std::span<std::byte> out) const {
  if (offset > header_.size || out.size() > header_.size - offset)
    return Status::OutOfRange(name() + ": read of " + std::to_string(out.size()) + " bytes at offset " +
                              std::to_string(offset) + " beyond the virtual size " + std::to_string(header_.size));
  const uint64_t cs = header_.cluster_size();
  // Consecutive pieces of the same kind (and, for data, contiguous on the
  // host) are served with one call: one pread for a run of data clusters.
  using Type = ClusterMapping::Type;
  Type run_type = Type::kUnallocated;
  uint64_t run_guest = offset, run_host = 0, run_len = 0;
  auto flush = [&]() -> Status {
    if (run_len == 0) return Status::OK();
    auto dst = out.subspan(run_guest - offset, run_len);
    switch (run_type) {
      case Type::kNormal: return ReadHost(run_host, dst);
      case Type::kZero: std::memset(dst.data(), 0, dst.size()); return Status::OK();
      case Type::kUnallocated: return ReadFromBacking(run_guest, dst);
      case Type::kCompressed: break;
    }
    return Status::Internal("compressed run");
  };

  uint64_t pos = offset;
  const uint64_t end = offset + out.size();
  while (pos < end) {
    const uint64_t index = pos / cs, in_cluster = pos % cs;
    const uint64_t n = std::min(cs - in_cluster, end - pos);
    CAIRN_ASSIGN_OR_RETURN(ClusterMapping m, Lookup(index));
    if (m.type == Type::kCompressed) {
      CAIRN_RETURN_IF_ERROR(flush());
      run_len = 0;
      CAIRN_RETURN_IF_ERROR(ReadCompressed(m, in_cluster, out.subspan(pos - offset, n)));
    } else {
      const uint64_t host = m.host_offset + in_cluster;
      bool extends = run_len > 0 && m.type == run_type && (m.type != Type::kNormal || run_host + run_len == host);
      if (!extends) {
        CAIRN_RETURN_IF_ERROR(flush());
        run_type = m.type;
        run_guest = pos;
        run_host = host;
        run_len = 0;
      }
      run_len += n;
    }
    pos += n;
  }
  return flush();
}

Result<std::vector<Extent>> Qcow2Image::Map(uint64_t offset, uint64_t length) const {
  std::vector<Extent> extents;
  if (offset >= header_.size) return extents;
  const uint64_t end = offset + std::min(length, header_.size - offset);
  const uint64_t cs = header_.cluster_size();
  uint64_t gap_start = 0, gap_len = 0;  // a run of clusters this image does not hold
  auto flush_gap = [&]() -> Status {
    if (gap_len == 0) return Status::OK();
    uint64_t covered = 0;
    if (backing_ && gap_start < backing_->virtual_size()) {
      covered = std::min(gap_len, backing_->virtual_size() - gap_start);
      CAIRN_ASSIGN_OR_RETURN(auto below, backing_->Map(gap_start, covered));
      for (Extent e : below) {
        e.depth += 1;
        AppendExtent(extents, e);
      }
    }
    if (covered < gap_len)
      AppendExtent(extents, Extent{gap_start + covered, gap_len - covered, ExtentKind::kUnallocated,
                                   0, false, 0});
    gap_len = 0;
    return Status::OK();
  };
  for (uint64_t pos = offset; pos < end;) {
    const uint64_t index = pos / cs, in_cluster = pos % cs;
    uint64_t n = std::min(cs - in_cluster, end - pos);
    // An unallocated L1 entry leaves its whole L2 range unallocated: take it
    // in one step, so a huge sparse disk maps in time proportional to its L1.
    const uint64_t l1_index = index / header_.l2_entries();
    if (l1_index >= l1_.size() || (l1_[l1_index] & kEntryOffsetMask) == 0) {
      const uint64_t l1_range = header_.l2_entries() * cs;
      n = std::min((l1_index + 1) * l1_range, end) - pos;
      if (gap_len == 0) gap_start = pos;
      gap_len += n;
      pos += n;
      continue;
    }
    CAIRN_ASSIGN_OR_RETURN(ClusterMapping m, Lookup(index));
    if (m.type == ClusterMapping::Type::kUnallocated) {
      if (gap_len == 0) gap_start = pos;
      gap_len += n;
    } else {
      CAIRN_RETURN_IF_ERROR(flush_gap());
      Extent e{pos, n, ExtentKind::kData, 0, false, 0};
      if (m.type == ClusterMapping::Type::kZero) e.kind = ExtentKind::kZero;
      if (m.type == ClusterMapping::Type::kCompressed) e.compressed = true;
      if (m.type == ClusterMapping::Type::kNormal) e.host_offset = m.host_offset + in_cluster;
      AppendExtent(extents, e);
    }
    pos += n;
  }
  CAIRN_RETURN_IF_ERROR(flush_gap());
  return extents;
}

}  // namespace cairn::qcow2
