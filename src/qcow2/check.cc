#include "qcow2/check.h"

#include <algorithm>

#include "common/file.h"
#include "qcow2/endian.h"
#include "qcow2/entry.h"
#include "qcow2/header.h"

namespace cairn::qcow2 {
namespace {

constexpr uint64_t kMaxCheckedClusters = 1ull << 26;  // bounds the refcount arrays
constexpr size_t kMaxMessages = 50;

class Checker {
 public:
  Checker(const File& file, const Header& h, uint64_t file_size)
      : file_(file), h_(h), cs_(h.cluster_size()), file_size_(file_size),
        file_clusters_((file_size + cs_ - 1) / cs_), refs_(file_clusters_, 0) {}

  Result<CheckReport> Run() {
    Reference(0, cs_, "header");
    Reference(h_.l1_table_offset, uint64_t{h_.l1_size} * 8, "L1 table");
    CAIRN_RETURN_IF_ERROR(WalkL1());
    CAIRN_RETURN_IF_ERROR(WalkRefcounts());
    CAIRN_RETURN_IF_ERROR(CompareRefcounts());
    CAIRN_RETURN_IF_ERROR(CheckCopiedFlags());
    report_.total_clusters = (h_.size + cs_ - 1) / cs_;
    return report_;
  }

 private:
  void Problem(bool corruption, const std::string& msg) {
    (corruption ? report_.corruptions : report_.leaks)++;
    if (report_.messages.size() < kMaxMessages) report_.messages.push_back((corruption ? "ERROR " : "Leaked ") + msg);
  }

  // Counts one reference to every cluster overlapping [offset, offset+length).
  void Reference(uint64_t offset, uint64_t length, const char* what) {
    if (length == 0) return;
    const uint64_t last = (offset + length - 1) / cs_;
    for (uint64_t c = offset / cs_; c <= last; ++c) {
      if (c >= file_clusters_) {
        Problem(true, std::string(what) + " at offset " + std::to_string(c * cs_) + " lies beyond the end of the file");
        return;
      }
      refs_[c]++;
      report_.image_end_offset = std::max(report_.image_end_offset, (c + 1) * cs_);
    }
  }

  Status WalkL1() {
    std::vector<std::byte> l1(uint64_t{h_.l1_size} * 8), l2(cs_);
    CAIRN_RETURN_IF_ERROR(file_.ReadAt(h_.l1_table_offset, l1));
    for (uint32_t i = 0; i < h_.l1_size; ++i) {
      const uint64_t entry = LoadBE64(l1.data() + i * 8);
      auto l2_offset = DecodeL1Entry(entry, h_, file_size_);
      if (!l2_offset.ok()) {
        Problem(true, "L1 entry " + std::to_string(i) + ": " + l2_offset.status().message());
        continue;
      }
      if (*l2_offset == 0) continue;
      Reference(*l2_offset, cs_, "L2 table");
      l2_tables_.push_back({*l2_offset, (entry & kEntryCopied) != 0, "L2 table of L1 entry " + std::to_string(i)});
      CAIRN_RETURN_IF_ERROR(file_.ReadAt(*l2_offset, l2));
      for (uint64_t k = 0; k < h_.l2_entries(); ++k) {
        const uint64_t e = LoadBE64(l2.data() + k * 8);
        if (e == 0) continue;
        const uint64_t guest = (uint64_t{i} * h_.l2_entries() + k) * cs_;
        auto m = DecodeL2Entry(e, h_, file_size_);
        if (!m.ok()) {
          Problem(true, "guest offset " + std::to_string(guest) + ": " + m.status().message());
          continue;
        }
        using Type = ClusterMapping::Type;
        switch (m->type) {
          case Type::kCompressed:
            if (e & kEntryCopied) Problem(true, "guest offset " + std::to_string(guest) + ": compressed cluster has the COPIED flag");
            Reference(m->host_offset, m->compressed_size, "compressed cluster");
            report_.compressed_clusters++;
            report_.allocated_clusters++;
            break;
          case Type::kNormal:
            Reference(m->host_offset, cs_, "data cluster");
            data_clusters_.push_back({m->host_offset, (e & kEntryCopied) != 0, "data cluster of guest offset " + std::to_string(guest)});
            report_.allocated_clusters++;
            break;
          case Type::kZero:
            report_.zero_clusters++;
            if (m->host_offset != 0) {
              Reference(m->host_offset, cs_, "preallocated zero cluster");
              data_clusters_.push_back({m->host_offset, (e & kEntryCopied) != 0, "zero cluster of guest offset " + std::to_string(guest)});
            }
            break;
          case Type::kUnallocated: break;
        }
      }
    }
    return Status::OK();
  }

  Status WalkRefcounts() {
    const uint64_t table_bytes = uint64_t{h_.refcount_table_clusters} * cs_;
    Reference(h_.refcount_table_offset, table_bytes, "refcount table");
    std::vector<std::byte> table(table_bytes);
    CAIRN_RETURN_IF_ERROR(file_.ReadAt(h_.refcount_table_offset, table));
    const uint64_t per_block = cs_ * 8 / h_.refcount_bits();
    stored_.assign(file_clusters_, 0);
    std::vector<std::byte> block(cs_);
    for (uint64_t i = 0; i < table_bytes / 8; ++i) {
      const uint64_t off = LoadBE64(table.data() + i * 8) & kEntryOffsetMask;
      if (off == 0) continue;
      if (off % cs_ != 0 || off >= file_size_) {
        Problem(true, "refcount block " + std::to_string(i) + " at invalid offset " + std::to_string(off));
        continue;
      }
      Reference(off, cs_, "refcount block");
      CAIRN_RETURN_IF_ERROR(file_.ReadAt(off, block));
      for (uint64_t k = 0; k < per_block; ++k) {
        const uint64_t cluster = i * per_block + k;
        const uint64_t rc = RefcountAt(block, k);
        if (cluster < file_clusters_) {
          stored_[cluster] = rc;
        } else if (rc != 0) {
          // A refcount for a cluster past the end of the file: QEMU calls
          // this a leak when nothing references it.
          Problem(false, "cluster " + std::to_string(cluster) + " beyond the end of the file has refcount " + std::to_string(rc));
        }
      }
    }
    return Status::OK();
  }

  uint64_t RefcountAt(const std::vector<std::byte>& block, uint64_t index) const {
    const std::byte* p = block.data();
    switch (h_.refcount_order) {
      case 0: return (std::to_integer<uint64_t>(p[index / 8]) >> (index % 8)) & 1;
      case 1: return (std::to_integer<uint64_t>(p[index / 4]) >> (2 * (index % 4))) & 3;
      case 2: return (std::to_integer<uint64_t>(p[index / 2]) >> (4 * (index % 2))) & 15;
      case 3: return std::to_integer<uint64_t>(p[index]);
      case 4: return LoadBE16(p + index * 2);
      case 5: return LoadBE32(p + index * 4);
      default: return LoadBE64(p + index * 8);
    }
  }

  Status CompareRefcounts() {
    for (uint64_t c = 0; c < file_clusters_; ++c) {
      if (refs_[c] == stored_[c]) continue;
      const std::string what = "cluster " + std::to_string(c) + " refcount=" + std::to_string(stored_[c]) +
                               " reference=" + std::to_string(refs_[c]);
      if (stored_[c] < refs_[c]) {
        Problem(true, what);
      } else {
        Problem(false, what);
      }
    }
    return Status::OK();
  }

  Status CheckCopiedFlags() {
    auto check = [&](const std::vector<Flagged>& items) {
      for (const auto& item : items) {
        const uint64_t rc = stored_[item.offset / cs_];
        if (item.copied != (rc == 1))
          Problem(true, item.what + ": COPIED flag " + (item.copied ? "set" : "clear") + " but refcount is " + std::to_string(rc));
      }
    };
    check(l2_tables_);
    check(data_clusters_);
    return Status::OK();
  }

  struct Flagged {
    uint64_t offset;
    bool copied;
    std::string what;
  };

  const File& file_;
  const Header& h_;
  const uint64_t cs_;
  const uint64_t file_size_;
  const uint64_t file_clusters_;
  std::vector<uint32_t> refs_;
  std::vector<uint64_t> stored_;
  std::vector<Flagged> l2_tables_, data_clusters_;
  CheckReport report_;
};

}  // namespace

Result<CheckReport> CheckImage(const std::string& path) {
  CAIRN_ASSIGN_OR_RETURN(auto file, OpenPosixFile(path, OpenMode::kReadOnly));
  return CheckImage(*file);
}

Result<CheckReport> CheckImage(const File& file) {
  const std::string& path = file.name();
  CAIRN_ASSIGN_OR_RETURN(Header h, ReadHeader(file));
  if (h.nb_snapshots != 0)
    return Status::NotSupported(path + ": images with internal snapshots cannot be checked by cairn-img; use qemu-img check");
  if (h.has_bitmaps)
    return Status::NotSupported(path + ": images with persistent bitmaps cannot be checked by cairn-img; use qemu-img check");
  CAIRN_ASSIGN_OR_RETURN(uint64_t file_size, file.Size());
  if ((file_size + h.cluster_size() - 1) / h.cluster_size() > kMaxCheckedClusters)
    return Status::NotSupported(path + ": too many clusters to check");
  return Checker(file, h, file_size).Run();
}

}  // namespace cairn::qcow2
