#include "qcow2/writer.h"

#include <algorithm>
#include <cstring>

#include "qcow2/compression.h"
#include "qcow2/endian.h"
#include "qcow2/entry.h"
#include "qcow2/header.h"

namespace cairn::qcow2 {
namespace {

constexpr size_t kPackBytes = 4 * 1024 * 1024;     // compressed data per write
constexpr size_t kMetadataWriteBytes = 8 * 1024 * 1024;
// 16-bit refcounts: keep the number of compressed clusters sharing one host
// cluster well below 65535.
constexpr uint32_t kMaxCompressedPerHostCluster = 60000;

uint64_t DivRoundUp(uint64_t a, uint64_t b) { return a / b + (a % b != 0); }
uint64_t AlignUp(uint64_t a, uint64_t b) { return DivRoundUp(a, b) * b; }

// Writes `entries` big-endian to consecutive offsets starting at `offset`, in
// writes of at most kMetadataWriteBytes.
Status WriteTable(File& file, uint64_t offset, const std::vector<uint64_t>& entries) {
  std::vector<std::byte> buf;
  size_t i = 0;
  while (i < entries.size()) {
    size_t n = std::min(entries.size() - i, kMetadataWriteBytes / 8);
    buf.resize(n * 8);
    for (size_t k = 0; k < n; ++k) StoreBE64(buf.data() + k * 8, entries[i + k]);
    CAIRN_RETURN_IF_ERROR(file.WriteAt(offset + i * 8, buf));
    i += n;
  }
  return Status::OK();
}

}  // namespace

ImageWriter::ImageWriter(std::unique_ptr<File> file, Header header, const WriterOptions& options)
    : file_(std::move(file)),
      header_(std::move(header)),
      options_(options),
      cluster_size_(header_.cluster_size()),
      cluster_count_(DivRoundUp(header_.size, header_.cluster_size())),
      next_free_(header_.cluster_size()),
      l2_(header_.l1_size) {}

Result<std::unique_ptr<ImageWriter>> ImageWriter::Create(std::unique_ptr<File> file, const WriterOptions& options) {
  const uint32_t cs = options.cluster_size;
  if (cs < 512 || cs > (1u << kMaxClusterBits) || (cs & (cs - 1)) != 0)
    return Status::InvalidArgument("cluster size " + std::to_string(cs) +
                                   " is not a power of two between 512 and 2097152");
  Header h;
  h.cluster_bits = static_cast<uint32_t>(__builtin_ctz(cs));
  // QEMU counts disks in 512-byte sectors and ignores a partial last sector,
  // so the size is rounded up the way `qemu-img create` does.
  h.size = AlignUp(options.virtual_size, 512);
  const uint64_t clusters = DivRoundUp(h.size, cs);
  const uint64_t l1_size = DivRoundUp(clusters, cs / 8);
  if (l1_size * 8 > kMaxL1Bytes)
    return Status::InvalidArgument("virtual size " + std::to_string(h.size) + " is too large for cluster size " +
                                   std::to_string(cs));
  h.l1_size = static_cast<uint32_t>(l1_size);
  h.backing_file = options.backing_file;
  h.backing_format = options.backing_file.empty() ? "" : options.backing_format;
  if (options.compression == CompressionType::kZstd) {
    h.compression_type = CompressionType::kZstd;
    h.incompatible_features |= kIncompatCompressionType;
  }
  // Validate that the header fits now rather than at Finish().
  CAIRN_RETURN_IF_ERROR(EncodeHeader(h).status());
  return std::unique_ptr<ImageWriter>(new ImageWriter(std::move(file), std::move(h), options));
}

Status ImageWriter::CheckRange(uint64_t first, uint64_t n) const {
  if (finished_) return Status::InvalidArgument(name() + ": write after Finish()");
  if (first > cluster_count_ || n > cluster_count_ - first)
    return Status::OutOfRange(name() + ": clusters " + std::to_string(first) + "+" + std::to_string(n) +
                              " beyond the image's " + std::to_string(cluster_count_) + " clusters");
  return Status::OK();
}

void ImageWriter::SetEntryLocked(uint64_t index, uint64_t entry) {
  const uint64_t per_table = cluster_size_ / 8;
  auto& table = l2_[index / per_table];
  if (!table) table = std::make_unique<uint64_t[]>(per_table);
  table[index % per_table] = entry;
}

Status ImageWriter::WriteClusters(uint64_t first, std::span<const std::byte> data) {
  const uint64_t n = DivRoundUp(data.size(), cluster_size_);
  CAIRN_RETURN_IF_ERROR(CheckRange(first, n));
  if (data.size() % cluster_size_ != 0 && first + n != cluster_count_)
    return Status::InvalidArgument(name() + ": a run of clusters must be whole clusters except at the end of the disk");
  if (n == 0) return Status::OK();
  uint64_t host;
  std::pair<uint64_t, std::vector<std::byte>> pack;
  {
    std::lock_guard lock(mu_);
    pack = TakePackLocked();
    host = AlignUp(next_free_, cluster_size_);
    next_free_ = host + n * cluster_size_;
    for (uint64_t i = 0; i < n; ++i) SetEntryLocked(first + i, host + i * cluster_size_);
  }
  CAIRN_RETURN_IF_ERROR(WritePack(std::move(pack)));
  CAIRN_RETURN_IF_ERROR(file_->WriteAt(host, data));
  if (options_.sync) file_->StartWriteback(host, data.size());
  if (data.size() % cluster_size_ != 0) {
    // Complete the last cluster so the file holds whole clusters.
    std::vector<std::byte> zeros(cluster_size_ - data.size() % cluster_size_);
    CAIRN_RETURN_IF_ERROR(file_->WriteAt(host + data.size(), zeros));
  }
  return Status::OK();
}

Status ImageWriter::WriteCluster(uint64_t index, std::span<const std::byte> data) {
  if (data.size() > cluster_size_) return Status::InvalidArgument(name() + ": more than one cluster of data");
  if (!options_.compression) return WriteClusters(index, data);
  thread_local std::vector<std::byte> plain, packed;
  std::span<const std::byte> in = data;
  if (data.size() < cluster_size_) {  // the short last cluster compresses as a whole, zero-padded one
    plain.assign(data.begin(), data.end());
    plain.resize(cluster_size_);
    in = plain;
  }
  // Worth storing compressed only if it saves at least a 512-byte sector.
  packed.resize(cluster_size_ - 512);
  CAIRN_ASSIGN_OR_RETURN(size_t n, CompressCluster(*options_.compression, options_.compression_level, in, packed));
  if (n == 0) return WriteClusters(index, data);
  return WriteCompressedCluster(index, std::span(packed).first(n));
}

std::pair<uint64_t, std::vector<std::byte>> ImageWriter::TakePackLocked() {
  std::pair<uint64_t, std::vector<std::byte>> out{pack_base_, {}};
  if (pack_.empty()) return out;
  out.second.swap(pack_);
  if (!spare_packs_.empty()) {
    pack_.swap(spare_packs_.back());
    spare_packs_.pop_back();
  }
  pack_.clear();
  return out;
}

Status ImageWriter::WritePack(std::pair<uint64_t, std::vector<std::byte>> pack) {
  if (pack.second.empty()) return Status::OK();
  Status s = file_->WriteAt(pack.first, pack.second);
  if (s.ok() && options_.sync) file_->StartWriteback(pack.first, pack.second.size());
  std::lock_guard lock(mu_);
  if (spare_packs_.size() < 4) spare_packs_.push_back(std::move(pack.second));
  return s;
}

Status ImageWriter::WriteCompressedCluster(uint64_t index, std::span<const std::byte> compressed) {
  CAIRN_RETURN_IF_ERROR(CheckRange(index, 1));
  if (compressed.empty() || compressed.size() >= cluster_size_)
    return Status::InvalidArgument(name() + ": compressed cluster must be smaller than a cluster");
  std::pair<uint64_t, std::vector<std::byte>> earlier, full;
  {
    std::lock_guard lock(mu_);
    // The pack must continue exactly at the next free byte; an uncompressed
    // allocation since the last append means starting a new pack.
    if (!pack_.empty() && pack_base_ + pack_.size() != next_free_) earlier = TakePackLocked();
    uint64_t host = next_free_;
    if (host / cluster_size_ != pack_cluster_) {
      pack_cluster_ = host / cluster_size_;
      pack_cluster_entries_ = 0;
    }
    if (++pack_cluster_entries_ > kMaxCompressedPerHostCluster) {
      host = AlignUp(host + 1, cluster_size_);
      if (!pack_.empty()) earlier = TakePackLocked();  // (at most one pack was taken above)
      pack_cluster_ = host / cluster_size_;
      pack_cluster_entries_ = 1;
    }
    if (pack_.empty()) {
      pack_base_ = host;
      if (pack_.capacity() < kPackBytes) pack_.reserve(kPackBytes);
    }
    pack_.insert(pack_.end(), compressed.begin(), compressed.end());
    next_free_ = host + compressed.size();
    // Data touching later host clusters counts there too.
    const uint64_t last_cluster = (AlignUp(next_free_, 512) - 1) / cluster_size_;
    if (last_cluster != pack_cluster_) {
      pack_cluster_ = last_cluster;
      pack_cluster_entries_ = 1;
    }
    SetEntryLocked(index, EncodeCompressedEntry(host, compressed.size(), header_.cluster_bits));
    if (pack_.size() >= kPackBytes) full = TakePackLocked();
  }
  CAIRN_RETURN_IF_ERROR(WritePack(std::move(earlier)));
  return WritePack(std::move(full));
}

Status ImageWriter::WriteZeroClusters(uint64_t first, uint64_t n) {
  CAIRN_RETURN_IF_ERROR(CheckRange(first, n));
  std::lock_guard lock(mu_);
  for (uint64_t i = 0; i < n; ++i) SetEntryLocked(first + i, kL2ZeroFlag);
  return Status::OK();
}

Result<WriterStats> ImageWriter::Finish() {
  if (finished_) return Status::InvalidArgument(name() + ": Finish() called twice");
  finished_ = true;
  std::lock_guard lock(mu_);
  {
    auto pack = TakePackLocked();
    if (!pack.second.empty()) CAIRN_RETURN_IF_ERROR(file_->WriteAt(pack.first, pack.second));
  }
  const uint64_t cs = cluster_size_;
  const uint64_t per_table = cs / 8;
  WriterStats stats;

  // Layout after the data: L2 tables, the L1 table, the refcount table, the
  // refcount blocks.
  const uint64_t data_end = AlignUp(next_free_, cs);
  std::vector<uint64_t> l1(header_.l1_size, 0);
  std::vector<uint64_t> l2_entries;  // all L2 tables back to back
  uint64_t pos = data_end;
  for (size_t i = 0; i < l2_.size(); ++i) {
    if (!l2_[i]) continue;
    const uint64_t* t = l2_[i].get();
    if (std::all_of(t, t + per_table, [](uint64_t e) { return e == 0; })) continue;
    l1[i] = pos | kEntryCopied;
    l2_entries.insert(l2_entries.end(), t, t + per_table);
    pos += cs;
  }
  const uint64_t l2_offset = data_end;
  const uint64_t l1_offset = header_.l1_size > 0 ? pos : 0;
  pos += AlignUp(uint64_t{header_.l1_size} * 8, cs);

  // Refcount blocks must count themselves and the table: find the fixpoint.
  const uint64_t refcounts_per_block = cs * 8 / 16;
  const uint64_t used_clusters = pos / cs;
  uint64_t blocks = 0, table_clusters = 0;
  while (true) {
    const uint64_t total = used_clusters + table_clusters + blocks;
    const uint64_t need_blocks = DivRoundUp(total, refcounts_per_block);
    const uint64_t need_table = DivRoundUp(need_blocks * 8, cs);
    if (need_blocks == blocks && need_table == table_clusters) break;
    blocks = need_blocks;
    table_clusters = need_table;
  }
  if (table_clusters * cs > kMaxRefcountTableBytes) return Status::OutOfRange(name() + ": image too large");
  const uint64_t table_offset = pos;
  const uint64_t blocks_offset = table_offset + table_clusters * cs;
  const uint64_t total_clusters = used_clusters + table_clusters + blocks;

  // Refcounts of every cluster, computed from the final tables exactly as
  // `qemu-img check` does.
  std::vector<uint16_t> refcounts(total_clusters, 0);
  auto ref_range = [&](uint64_t offset, uint64_t length) {
    if (length == 0) return;
    for (uint64_t c = offset / cs; c <= (offset + length - 1) / cs; ++c) ++refcounts[c];
  };
  ref_range(0, cs);  // header
  for (uint64_t& e : l2_entries) {
    if (e == 0) continue;
    if (e & kEntryCompressed) {
      const uint32_t x = 62 - (header_.cluster_bits - 8);
      const uint64_t off = e & ((1ull << x) - 1);
      const uint64_t sectors = ((e >> x) & ((1ull << (header_.cluster_bits - 8)) - 1)) + 1;
      ref_range(off, sectors * 512 - (off & 511));
      ++stats.compressed_clusters;
    } else if (e & kEntryOffsetMask) {
      ref_range(e & kEntryOffsetMask, cs);
      e |= kEntryCopied;  // refcount is exactly 1: set the COPIED flag
      ++stats.data_clusters;
    } else if (e & kL2ZeroFlag) {
      ++stats.zero_clusters;
    }
  }
  ref_range(l2_offset, l2_entries.size() * 8);
  ref_range(l1_offset, uint64_t{header_.l1_size} * 8);
  ref_range(table_offset, table_clusters * cs);
  ref_range(blocks_offset, blocks * cs);

  CAIRN_RETURN_IF_ERROR(WriteTable(*file_, l2_offset, l2_entries));
  CAIRN_RETURN_IF_ERROR(WriteTable(*file_, l1_offset, l1));
  std::vector<uint64_t> table(table_clusters * per_table, 0);
  for (uint64_t b = 0; b < blocks; ++b) table[b] = blocks_offset + b * cs;
  CAIRN_RETURN_IF_ERROR(WriteTable(*file_, table_offset, table));
  {
    std::vector<std::byte> buf;
    for (uint64_t b = 0; b < blocks;) {
      const uint64_t batch = std::min<uint64_t>(blocks - b, std::max<uint64_t>(1, kMetadataWriteBytes / cs));
      buf.assign(batch * cs, std::byte{0});
      for (uint64_t k = 0; k < batch * refcounts_per_block; ++k) {
        const uint64_t c = (b * refcounts_per_block) + k;
        if (c >= total_clusters) break;
        StoreBE16(buf.data() + k * 2, refcounts[c]);
      }
      CAIRN_RETURN_IF_ERROR(file_->WriteAt(blocks_offset + b * cs, buf));
      b += batch;
    }
  }
  stats.file_size = total_clusters * cs;
  CAIRN_RETURN_IF_ERROR(file_->Truncate(stats.file_size));

  header_.l1_table_offset = l1_offset;
  header_.refcount_table_offset = table_offset;
  header_.refcount_table_clusters = static_cast<uint32_t>(table_clusters);
  CAIRN_ASSIGN_OR_RETURN(auto header_bytes, EncodeHeader(header_));
  if (options_.sync) CAIRN_RETURN_IF_ERROR(file_->Sync());  // everything the header points to is durable first
  CAIRN_RETURN_IF_ERROR(file_->WriteAt(0, header_bytes));
  if (options_.sync) CAIRN_RETURN_IF_ERROR(file_->Sync());
  return stats;
}

}  // namespace cairn::qcow2
