#include "datamover/backup.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <mutex>

#include "common/fault.h"
#include "common/time.h"
#include "common/uuid.h"
#include "datamover/parallel.h"
#include "qcow2/image.h"
#include "qcow2/open.h"
#include "qcow2/writer.h"
#include "target/layout.h"

namespace cairn::datamover {
namespace {

namespace layout = target::layout;

// What must happen to one cluster, decided from the source's extent map.
enum class Need : uint8_t {
  kKeep,  // unchanged: the previous manifest's checksum holds
  kZero,  // reads as zeros without being read
  kRead,  // read, hash, compare, store when changed
};

nlohmann::json DescribeSource(const std::string& path, const qcow2::Disk& disk, bool is_file) {
  nlohmann::json j;
  j["path"] = path.empty() ? disk.name() : path;
  j["format"] = disk.format();
  struct stat st {};
  if (is_file && ::stat(path.c_str(), &st) == 0) {
    j["device"] = static_cast<uint64_t>(st.st_dev);
    j["inode"] = static_cast<uint64_t>(st.st_ino);
    j["mtime"] = static_cast<int64_t>(st.st_mtim.tv_sec);
  }
  if (disk.backing()) j["backing"] = disk.backing()->name();
  return j;
}

class BackupRun {
 public:
  BackupRun(target::Store& store, const BackupRequest& req) : store_(store), req_(req) {}

  Result<BackupResult> Run() {
    Stopwatch watch;
    CAIRN_RETURN_IF_ERROR(req_.disk.Validate());
    if (!req_.resource.empty()) CAIRN_RETURN_IF_ERROR(layout::ValidateId("resource id", req_.resource));
    if (req_.previous_snapshot) CAIRN_RETURN_IF_ERROR(layout::ValidateId("previous snapshot id", *req_.previous_snapshot));
    CAIRN_ASSIGN_OR_RETURN(auto lock, store_.LockWorkload(req_.disk.workload, req_.lock_timeout));

    qcow2::OpenOptions open;
    open.format = req_.source_format;
    if (req_.source_disk != nullptr) {
      if (req_.mode == ChangeMode::kOverlay)
        return Status::InvalidArgument("overlay mode reads a qcow2 overlay by path, not an opened disk");
      source_ = req_.source_disk;
    } else {
      auto source = qcow2::OpenDisk(req_.source, open);
      if (!source.ok()) return source.status().WithContext("backup source");
      owned_source_ = std::move(*source);
      source_ = owned_source_.get();
    }
    result_.virtual_size = source_->virtual_size();
    CAIRN_RETURN_IF_ERROR(PrepareChanged());

    CAIRN_RETURN_IF_ERROR(ClearLeftovers());
    CAIRN_RETURN_IF_ERROR(ChoosePrevious());
    if (result_.mode == ChangeMode::kOverlay) {
      // The overlay's own clusters are all that change detection needs:
      // mapping its top layer alone keeps the cost proportional to the change.
      open.follow_backing = false;
      auto top = qcow2::OpenDisk(req_.source, open);
      if (!top.ok()) return top.status().WithContext("backup source");
      overlay_top_ = std::move(*top);
    }
    FaultPoint("backup", 1);

    const std::string resource = req_.resource.empty() ? Uuid::Random().ToString() : req_.resource;
    result_.backup.ref = req_.disk;
    result_.backup.resource = resource;
    result_.backup.dir = layout::DiskDir(req_.disk.workload, req_.disk.snapshot, req_.disk.vm, resource, req_.disk.device);
    result_.backup.image_id = Uuid::Random().ToString();

    qcow2::WriterOptions wo;
    wo.virtual_size = result_.virtual_size;
    wo.cluster_size = cluster_size_;
    wo.compression = req_.compression;
    wo.sync = true;
    if (previous_) {
      wo.backing_file = layout::RelativePath(result_.backup.image_path(), previous_->image_path());
      wo.backing_format = "qcow2";
    }
    Status s = WriteImage(wo, watch);
    if (!s.ok()) {
      // Failed or cancelled: remove what was half written (a crash leaves it
      // for cleanup instead; it is unpublished either way).
      writer_.reset();
      (void)store_.RemoveAll(result_.backup.dir);
      return s;
    }
    FaultPoint("backup", 5);
    return result_;
  }

 private:
  // Writes the image and then its manifest, which publishes the backup.
  Status WriteImage(const qcow2::WriterOptions& wo, const Stopwatch& watch) {
    CAIRN_ASSIGN_OR_RETURN(auto file, store_.Create(result_.backup.image_path()));
    CAIRN_ASSIGN_OR_RETURN(writer_, qcow2::ImageWriter::Create(std::move(file), wo));

    hashes_.assign(ClusterCount(), Hash128{});
    zero_cluster_hash_ = ZeroHash(cluster_size_);
    const uint64_t units = (result_.virtual_size + kUnitBytes - 1) / kUnitBytes;
    CAIRN_RETURN_IF_ERROR(ParallelFor(units, req_.threads, req_.cancel,
                                      [&](uint64_t unit, int) { return DoUnit(unit); }));
    FaultPoint("backup", 3);
    CAIRN_ASSIGN_OR_RETURN(qcow2::WriterStats ws, writer_->Finish());
    result_.image_file_size = ws.file_size;
    FaultPoint("backup", 4);

    result_.seconds = watch.ElapsedSeconds();
    return WriteManifest();
  }

  // ZeroHash() of a cluster's length, without its lock for whole clusters.
  Hash128 ZeroHashOf(uint64_t len) const { return len == cluster_size_ ? zero_cluster_hash_ : ZeroHash(len); }
  uint64_t ClusterCount() const { return (result_.virtual_size + cluster_size_ - 1) / cluster_size_; }
  uint64_t ClusterLength(uint64_t i) const {
    return std::min<uint64_t>(cluster_size_, result_.virtual_size - i * cluster_size_);
  }

  // A disk directory of this device in this snapshot without a manifest is
  // what an interrupted backup left: remove it. A published one is final.
  Status ClearLeftovers() {
    CAIRN_ASSIGN_OR_RETURN(auto dir, FindDiskDir(store_, req_.disk));
    if (!dir) return Status::OK();
    auto existing = FindDiskBackup(store_, req_.disk);
    if (existing.ok())
      return Status::AlreadyExists(req_.disk.ToString() + " is already backed up in " + existing->image_path());
    if (!existing.status().IsNotFound()) return existing.status();
    CAIRN_RETURN_IF_ERROR(store_.RemoveAll(*dir));
    return store_.SyncDirectory(layout::VmDir(req_.disk.workload, req_.disk.snapshot, req_.disk.vm));
  }

  // kBitmap: the changed ranges sorted and merged, checked against the size.
  Status PrepareChanged() {
    if (req_.mode != ChangeMode::kBitmap) return Status::OK();
    changed_ = req_.changed;
    std::sort(changed_.begin(), changed_.end(),
              [](const ChangedRange& a, const ChangedRange& b) { return a.offset < b.offset; });
    std::vector<ChangedRange> merged;
    for (const ChangedRange& r : changed_) {
      if (r.offset > result_.virtual_size || r.length > result_.virtual_size - r.offset)
        return Status::InvalidArgument("changed range at " + std::to_string(r.offset) + " (+" +
                                       std::to_string(r.length) + ") lies beyond the disk's end");
      if (r.length == 0) continue;
      if (!merged.empty() && r.offset <= merged.back().offset + merged.back().length) {
        merged.back().length = std::max(merged.back().offset + merged.back().length, r.offset + r.length) -
                               merged.back().offset;
      } else {
        merged.push_back(r);
      }
    }
    changed_ = std::move(merged);
    return Status::OK();
  }

  // Marks the clusters in [first, last) that a changed range touches.
  std::vector<bool> DirtyClusters(uint64_t first, uint64_t last) const {
    std::vector<bool> dirty(last - first, false);
    const uint64_t start = first * cluster_size_, end = last * cluster_size_;
    auto it = std::upper_bound(changed_.begin(), changed_.end(), start,
                               [](uint64_t off, const ChangedRange& r) { return off < r.offset + r.length; });
    for (; it != changed_.end() && it->offset < end; ++it) {
      const uint64_t a = std::max(it->offset, start), b = std::min(it->offset + it->length, end);
      for (uint64_t c = a / cluster_size_; c <= (b - 1) / cluster_size_; ++c) dirty[c - first] = true;
    }
    return dirty;
  }

  // Picks the previous backup and the mode actually used.
  Status ChoosePrevious() {
    cluster_size_ = req_.cluster_size;
    result_.mode = req_.mode;
    if (req_.mode == ChangeMode::kFull) return Status::OK();
    auto fall_back = [&](const std::string& why) {
      result_.warning = "full backup instead of " + std::string(ChangeModeName(req_.mode)) + ": " + why;
      result_.mode = ChangeMode::kFull;
      previous_.reset();
      return Status::OK();
    };
    if (!req_.previous_snapshot) return fall_back("no previous snapshot was given");
    DiskRef prev_ref = req_.disk;
    prev_ref.snapshot = *req_.previous_snapshot;
    auto prev = FindDiskBackup(store_, prev_ref);
    if (!prev.ok()) return fall_back(prev.status().message());
    auto manifest = LoadManifest(store_, *prev);
    if (!manifest.ok()) return fall_back(manifest.status().message());
    if (req_.mode == ChangeMode::kOverlay && (source_->format() != "qcow2" || source_->backing() == nullptr))
      return fall_back("the source " + req_.source + " is not a qcow2 overlay with a backing file");
    if (req_.mode == ChangeMode::kBitmap) {
      // The changed ranges are relative to a checkpoint: they describe the
      // change since the previous backup only if it was taken at that checkpoint.
      const auto it = manifest->info.find("checkpoint");
      const std::string taken_at = it != manifest->info.end() && it->is_string() ? it->get<std::string>() : "";
      if (req_.changes_since.empty()) return fall_back("no checkpoint was named for the changed ranges");
      if (taken_at != req_.changes_since)
        return fall_back("the previous backup was taken at checkpoint '" + taken_at + "', not at '" +
                         req_.changes_since + "'");
    }
    previous_ = std::move(*prev);
    prev_manifest_ = std::move(*manifest);
    cluster_size_ = prev_manifest_.cluster_size;
    result_.incremental = true;
    return Status::OK();
  }

  // The hash a cluster had in the previous backup, or that of zeros where the
  // previous disk did not reach (or its last cluster was shorter).
  std::optional<Hash128> PreviousHash(uint64_t i) const {
    if (!previous_ || i >= prev_manifest_.cluster_count()) return std::nullopt;
    if (prev_manifest_.ClusterLength(i) != ClusterLength(i)) return std::nullopt;
    return prev_manifest_.hashes[i];
  }

  Status DoUnit(uint64_t unit) {
    const uint64_t start = unit * kUnitBytes;
    const uint64_t end = std::min(start + kUnitBytes, result_.virtual_size);
    const uint64_t first = start / cluster_size_, last = (end + cluster_size_ - 1) / cluster_size_;
    // Decide per cluster from the source's map.
    const bool bitmap = result_.mode == ChangeMode::kBitmap;
    std::vector<Need> need(last - first, result_.mode == ChangeMode::kOverlay ? Need::kKeep : Need::kZero);
    const qcow2::Disk& mapped = overlay_top_ ? *overlay_top_ : *source_;
    CAIRN_ASSIGN_OR_RETURN(auto extents, mapped.Map(start, end - start));
    for (const qcow2::Extent& e : extents) {
      Need n;
      if (result_.mode == ChangeMode::kOverlay) {
        if (e.depth != 0 || e.kind == qcow2::ExtentKind::kUnallocated) continue;  // unchanged since the previous backup
        n = e.kind == qcow2::ExtentKind::kData ? Need::kRead : Need::kZero;
      } else {
        if (e.kind != qcow2::ExtentKind::kData) continue;
        n = Need::kRead;
      }
      for (uint64_t c = e.offset / cluster_size_; c <= (e.end() - 1) / cluster_size_; ++c)
        need[c - first] = std::max(need[c - first], n);
    }
    if (bitmap) {
      // Clusters no changed range touches keep the previous backup's data;
      // the others are read (or known zero) as in a scan.
      const std::vector<bool> dirty = DirtyClusters(first, last);
      for (uint64_t c = first; c < last; ++c)
        if (!dirty[c - first] && PreviousHash(c)) need[c - first] = Need::kKeep;
    }
    if (result_.mode == ChangeMode::kOverlay) {
      // Clusters the previous backup did not cover are read as in a scan.
      for (uint64_t c = first; c < last; ++c)
        if (!PreviousHash(c) && need[c - first] == Need::kKeep) need[c - first] = Need::kRead;
    }

    thread_local std::vector<std::byte> buf;
    buf.resize(kUnitBytes);
    uint64_t read = 0, written = 0, changed = 0;
    // Runs of clusters to store uncompressed in one write.
    uint64_t run_first = 0, run_count = 0;
    auto flush_run = [&]() -> Status {
      if (run_count == 0) return Status::OK();
      const uint64_t off = run_first * cluster_size_ - start;
      const uint64_t len = std::min<uint64_t>(run_count * cluster_size_, end - run_first * cluster_size_);
      run_count = 0;
      return writer_->WriteClusters(run_first, std::span(buf).subspan(off, len));
    };

    for (uint64_t c = first; c < last;) {
      if (need[c - first] != Need::kRead) {
        CAIRN_RETURN_IF_ERROR(flush_run());
        const uint64_t len = ClusterLength(c);
        if (need[c - first] == Need::kKeep) {
          hashes_[c] = *PreviousHash(c);
        } else {
          hashes_[c] = ZeroHashOf(len);
          auto prev = PreviousHash(c);
          if (previous_ && (!prev || *prev != hashes_[c])) {
            // Became zeros since the previous backup: hide the old data.
            CAIRN_RETURN_IF_ERROR(writer_->WriteZeroClusters(c, 1));
            ++changed;
          }
        }
        ++c;
        continue;
      }
      // Read the run of clusters that need reading in one call.
      uint64_t r_end = c;
      while (r_end < last && need[r_end - first] == Need::kRead) ++r_end;
      const uint64_t r_off = c * cluster_size_, r_len = std::min(r_end * cluster_size_, end) - r_off;
      CAIRN_RETURN_IF_ERROR(source_->Read(r_off, std::span(buf).subspan(r_off - start, r_len)));
      read += r_len;
      for (; c < r_end; ++c) {
        const uint64_t len = ClusterLength(c);
        auto data = std::span(buf).subspan(c * cluster_size_ - start, len);
        const Hash128 h = HashCluster(data);
        hashes_[c] = h;
        const bool zero = h == ZeroHashOf(len);
        auto prev = PreviousHash(c);
        const bool unchanged = previous_ ? (prev && *prev == h) : zero;
        if (unchanged) {
          CAIRN_RETURN_IF_ERROR(flush_run());
          continue;
        }
        ++changed;
        if (zero) {
          CAIRN_RETURN_IF_ERROR(flush_run());
          CAIRN_RETURN_IF_ERROR(writer_->WriteZeroClusters(c, 1));
          continue;
        }
        written += len;
        if (req_.compression) {
          CAIRN_RETURN_IF_ERROR(writer_->WriteCluster(c, data));
        } else if (run_count > 0 && run_first + run_count == c) {
          ++run_count;
        } else {
          CAIRN_RETURN_IF_ERROR(flush_run());
          run_first = c;
          run_count = 1;
        }
      }
      FaultPoint("backup", 2);
    }
    CAIRN_RETURN_IF_ERROR(flush_run());

    std::lock_guard lock(mu_);
    result_.bytes_read += read;
    result_.bytes_written += written;
    result_.bytes_skipped += (end - start) - read;
    result_.clusters_changed += changed;
    done_ += end - start;
    if (req_.progress) req_.progress(done_, result_.virtual_size);
    return Status::OK();
  }

  Status WriteManifest() {
    Manifest m;
    m.virtual_size = result_.virtual_size;
    m.cluster_size = cluster_size_;
    m.hashes = std::move(hashes_);
    nlohmann::json& info = m.info;
    info["format"] = "cairn-manifest";
    info["image"] = result_.backup.image_id;
    info["workload"] = req_.disk.workload;
    info["snapshot"] = req_.disk.snapshot;
    info["vm"] = req_.disk.vm;
    info["device"] = req_.disk.device;
    info["resource"] = result_.backup.resource;
    info["type"] = result_.incremental ? "incremental" : "full";
    info["mode"] = ChangeModeName(result_.mode);
    if (previous_) info["previous_snapshot"] = previous_->ref.snapshot;
    if (!req_.checkpoint.empty()) info["checkpoint"] = req_.checkpoint;
    if (!result_.warning.empty()) info["warning"] = result_.warning;
    info["compression"] = req_.compression ? (*req_.compression == qcow2::CompressionType::kZstd ? "zstd" : "zlib") : "none";
    info["source"] = DescribeSource(req_.source, *source_, owned_source_ != nullptr);
    info["created_at"] = FormatIso8601(UtcNow(), IsoFormat::kMicrosZ);
    info["stats"] = {{"bytes_read", result_.bytes_read},
                     {"bytes_written", result_.bytes_written},
                     {"bytes_skipped", result_.bytes_skipped},
                     {"clusters_changed", result_.clusters_changed},
                     {"image_file_size", result_.image_file_size},
                     {"seconds", result_.seconds}};
    CAIRN_ASSIGN_OR_RETURN(auto bytes, EncodeManifest(m));
    return store_.WriteAtomic(result_.backup.manifest_path(), bytes);
  }

  target::Store& store_;
  const BackupRequest& req_;
  std::unique_ptr<qcow2::Disk> owned_source_;  // opened from req_.source, unless the caller gave a disk
  const qcow2::Disk* source_ = nullptr;        // what is read
  std::vector<ChangedRange> changed_;          // kBitmap: sorted, merged
  std::unique_ptr<qcow2::Disk> overlay_top_;  // overlay mode: the source's top layer alone
  std::optional<DiskBackup> previous_;
  Manifest prev_manifest_;
  uint32_t cluster_size_ = qcow2::kDefaultClusterSize;
  std::unique_ptr<qcow2::ImageWriter> writer_;
  std::vector<Hash128> hashes_;
  Hash128 zero_cluster_hash_;
  std::mutex mu_;
  uint64_t done_ = 0;
  BackupResult result_;
};

}  // namespace

std::string_view ChangeModeName(ChangeMode mode) {
  switch (mode) {
    case ChangeMode::kFull: return "full";
    case ChangeMode::kScan: return "scan";
    case ChangeMode::kOverlay: return "overlay";
    case ChangeMode::kBitmap: return "bitmap";
  }
  return "?";
}

Result<ChangeMode> ParseChangeMode(std::string_view name) {
  if (name == "full") return ChangeMode::kFull;
  if (name == "scan") return ChangeMode::kScan;
  if (name == "overlay") return ChangeMode::kOverlay;
  if (name == "bitmap") return ChangeMode::kBitmap;
  return Status::InvalidArgument("mode '" + std::string(name) + "' is not one of full, scan, overlay, bitmap");
}

Result<BackupResult> Backup(target::Store& store, const BackupRequest& request) {
  return BackupRun(store, request).Run();
}

}  // namespace cairn::datamover
