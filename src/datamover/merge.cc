#include "datamover/merge.h"

#include <algorithm>
#include <mutex>

#include "common/fault.h"
#include "common/strings.h"
#include "common/time.h"
#include "datamover/parallel.h"
#include "qcow2/image.h"
#include "qcow2/writer.h"
#include "target/layout.h"

namespace cairn::datamover {
namespace {

namespace layout = target::layout;
constexpr std::string_view kMergingSuffix = ".merging";

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Removes a backup: the manifest first (which unpublishes it), then its directory.
Status RemoveBackup(target::Store& store, const DiskBackup& backup) {
  CAIRN_RETURN_IF_ERROR(store.Remove(backup.manifest_path()));
  CAIRN_RETURN_IF_ERROR(store.SyncDirectory(backup.dir));
  FaultPoint("merge", 6);
  CAIRN_RETURN_IF_ERROR(store.RemoveAll(backup.dir));
  return store.SyncDirectory(layout::VmDir(backup.ref.workload, backup.ref.snapshot, backup.ref.vm));
}

// Builds `out_path`: the child's own clusters over the dropped image's own
// clusters, backed by `new_backing` (relative name, empty for standalone).
// Every cluster written is checked against the child's manifest.
Result<MergeResult> BuildMergedImage(target::Store& store, const MergeRequest& req, const DiskBackup& dropped,
                                     const DiskBackup& child, const Manifest& child_manifest,
                                     const std::string& out_path, const std::string& new_backing,
                                     MergeResult result) {
  CAIRN_ASSIGN_OR_RETURN(auto child_layer, OpenBackupImage(store, child, /*follow_backing=*/false));
  CAIRN_ASSIGN_OR_RETURN(auto dropped_layer, OpenBackupImage(store, dropped, /*follow_backing=*/false));
  const auto* child_q = dynamic_cast<const qcow2::Qcow2Image*>(child_layer.get());
  const auto* dropped_q = dynamic_cast<const qcow2::Qcow2Image*>(dropped_layer.get());
  if (child_q == nullptr || dropped_q == nullptr) return Status::Corruption("backup images must be qcow2");
  const uint64_t cs = child_q->header().cluster_size();
  if (dropped_q->header().cluster_size() != cs || child_manifest.cluster_size != cs)
    return Status::NotSupported("cannot merge images of different cluster sizes");

  qcow2::WriterOptions wo;
  wo.virtual_size = child_layer->virtual_size();
  wo.cluster_size = static_cast<uint32_t>(cs);
  wo.backing_file = new_backing;
  wo.backing_format = new_backing.empty() ? "" : "qcow2";
  const std::string compression = child_manifest.info.value("compression", "none");
  if (compression == "zstd") wo.compression = qcow2::CompressionType::kZstd;
  if (compression == "zlib") wo.compression = qcow2::CompressionType::kZlib;
  wo.sync = true;
  CAIRN_ASSIGN_OR_RETURN(auto file, store.Create(out_path));
  CAIRN_ASSIGN_OR_RETURN(auto writer, qcow2::ImageWriter::Create(std::move(file), wo));

  const uint64_t size = child_layer->virtual_size();
  const uint64_t units = (size + kUnitBytes - 1) / kUnitBytes;
  std::mutex mu;
  uint64_t done = 0;
  // Checks one cluster about to be written against the child's manifest:
  // `data` holds its bytes, or is empty for a zero cluster. Clusters past the
  // manifest's disk (the rounding of the image size) are not checked.
  auto check = [&](uint64_t index, std::span<const std::byte> data) -> Status {
    if (index >= child_manifest.cluster_count()) return Status::OK();
    const uint64_t len = child_manifest.ClusterLength(index);
    const Hash128 got = data.empty() ? ZeroHash(len) : HashCluster(data.first(len));
    if (got != child_manifest.hashes[index])
      return Status::Corruption("merged cluster " + std::to_string(index) + " of " + child.image_path() +
                                " does not match the manifest; nothing was changed");
    return Status::OK();
  };
  Status s = ParallelFor(units, req.threads, req.cancel, [&](uint64_t unit, int) -> Status {
    thread_local std::vector<std::byte> buf;
    const uint64_t start = unit * kUnitBytes, end = std::min(start + kUnitBytes, size);
    uint64_t copied = 0, bytes = 0;
    // Which layer supplies each cluster: the child's own, else the dropped one's.
    struct Piece {
      uint64_t offset, length;
      qcow2::ExtentKind kind;
      const qcow2::Disk* from;
    };
    std::vector<Piece> pieces;
    CAIRN_ASSIGN_OR_RETURN(auto child_map, child_layer->Map(start, end - start));
    for (const auto& e : child_map) {
      if (e.kind != qcow2::ExtentKind::kUnallocated) {
        pieces.push_back({e.offset, e.length, e.kind, child_layer.get()});
        continue;
      }
      const uint64_t below_end = std::min(e.end(), dropped_layer->virtual_size());
      if (e.offset >= below_end) continue;
      CAIRN_ASSIGN_OR_RETURN(auto dropped_map, dropped_layer->Map(e.offset, below_end - e.offset));
      for (const auto& d : dropped_map)
        if (d.kind != qcow2::ExtentKind::kUnallocated) pieces.push_back({d.offset, d.length, d.kind, dropped_layer.get()});
    }
    for (const Piece& p : pieces) {
      // Both images were written by Cairn with this cluster size, so pieces
      // are whole clusters (the last may end at the disk's end).
      if (p.offset % cs != 0 || (p.length % cs != 0 && p.offset + p.length != size))
        return Status::Corruption("unaligned extent in a backup image");
      const uint64_t first = p.offset / cs, count = (p.length + cs - 1) / cs;
      if (p.kind == qcow2::ExtentKind::kZero) {
        for (uint64_t i = 0; i < count; ++i) CAIRN_RETURN_IF_ERROR(check(first + i, {}));
        CAIRN_RETURN_IF_ERROR(writer->WriteZeroClusters(first, count));
        copied += count;
        continue;
      }
      buf.resize(p.length);
      CAIRN_RETURN_IF_ERROR(p.from->Read(p.offset, buf));
      for (uint64_t i = 0; i < count; ++i) {
        CAIRN_RETURN_IF_ERROR(check(first + i, std::span<const std::byte>(buf).subspan(i * cs)));
        if (wo.compression) {
          CAIRN_RETURN_IF_ERROR(writer->WriteCluster(first + i, std::span(buf).subspan(i * cs, std::min(cs, p.length - i * cs))));
        }
      }
      if (!wo.compression) CAIRN_RETURN_IF_ERROR(writer->WriteClusters(first, buf));
      copied += count;
      bytes += p.length;
      FaultPoint("merge", 2);
    }
    std::lock_guard lock(mu);
    result.clusters_copied += copied;
    result.bytes_copied += bytes;
    done += end - start;
    if (req.progress) req.progress(done, size);
    return Status::OK();
  });
  CAIRN_RETURN_IF_ERROR(s);
  CAIRN_ASSIGN_OR_RETURN(qcow2::WriterStats ws, writer->Finish());
  result.new_image_size = ws.file_size;
  return result;
}

// The merged image holds at most the child's clusters and the dropped
// image's together; until it replaces the child, both stay on the target.
Status CheckMergeSpace(target::Store& store, const DiskBackup& dropped, const DiskBackup& child) {
  uint64_t need = 0;
  for (const DiskBackup* b : {&dropped, &child}) {
    CAIRN_ASSIGN_OR_RETURN(auto file, store.OpenForRead(b->image_path()));
    CAIRN_ASSIGN_OR_RETURN(uint64_t size, file->Size());
    need += size;
  }
  CAIRN_ASSIGN_OR_RETURN(uint64_t free_bytes, store.FreeSpace());
  if (free_bytes >= need) return Status::OK();
  return Status::OutOfRange("merging " + dropped.image_path() + " into " + child.image_path() + " needs up to " +
                            HumanBytes(need) + " free on the target " + store.Describe() + ", only " +
                            HumanBytes(free_bytes) + " are; nothing was changed: free space (delete snapshots "
                            "that have no later incremental, they need no merge) or make the target larger");
}

}  // namespace

Result<MergeResult> Merge(target::Store& store, const MergeRequest& req) {
  Stopwatch watch;
  CAIRN_RETURN_IF_ERROR(req.disk.Validate());
  CAIRN_ASSIGN_OR_RETURN(auto lock, store.LockWorkload(req.disk.workload, req.lock_timeout));
  MergeResult result;
  CAIRN_ASSIGN_OR_RETURN(result.dropped, FindDiskBackup(store, req.disk));
  const DiskBackup dropped = result.dropped;  // a copy: `result` is moved below

  // The child: the backup whose image names the dropped image as backing file.
  CAIRN_ASSIGN_OR_RETURN(auto all, ListDiskBackups(store, req.disk.workload, req.disk.vm, req.disk.device));
  for (const DiskBackup& b : all) {
    if (b.image_path() == dropped.image_path()) continue;
    CAIRN_ASSIGN_OR_RETURN(auto backing, BackingImagePath(store, b.image_path()));
    if (backing && *backing == dropped.image_path()) {
      if (result.child)
        return Status::Conflict("two backups are incremental on " + dropped.image_path() + " (" +
                                result.child->ref.snapshot + " and " + b.ref.snapshot +
                                "): a merge was interrupted after its rename; run the merge that dropped one of "
                                "them again, then this one");
      result.child = b;
    }
  }
  FaultPoint("merge", 1);
  if (!result.child) {
    CAIRN_RETURN_IF_ERROR(RemoveBackup(store, dropped));
    result.seconds = watch.ElapsedSeconds();
    return result;
  }
  const DiskBackup child = *result.child;
  CAIRN_RETURN_IF_ERROR(CheckMergeSpace(store, dropped, child));
  CAIRN_ASSIGN_OR_RETURN(Manifest child_manifest, LoadManifest(store, child));
  CAIRN_ASSIGN_OR_RETURN(auto grandparent, BackingImagePath(store, dropped.image_path()));
  const std::string new_backing = grandparent ? layout::RelativePath(child.image_path(), *grandparent) : "";

  // 1. Build the merged image beside the child's, under a temporary name.
  const std::string merging = child.image_path() + std::string(kMergingSuffix);
  CAIRN_RETURN_IF_ERROR(store.Remove(merging));  // from an earlier, interrupted merge
  auto built = BuildMergedImage(store, req, dropped, child, child_manifest, merging, new_backing, std::move(result));
  if (!built.ok()) {
    (void)store.Remove(merging);
    return built.status();
  }
  result = std::move(*built);
  FaultPoint("merge", 3);
  // 2. Publish it in the child's place: one atomic rename.
  CAIRN_RETURN_IF_ERROR(store.Rename(merging, child.image_path()));
  FaultPoint("merge", 4);
  // 3. Nothing depends on the dropped backup any more: remove it.
  CAIRN_RETURN_IF_ERROR(RemoveBackup(store, dropped));
  FaultPoint("merge", 5);
  result.seconds = watch.ElapsedSeconds();
  return result;
}

Result<CleanupResult> Cleanup(target::Store& store, const std::string& workload, std::chrono::milliseconds lock_timeout) {
  CAIRN_RETURN_IF_ERROR(layout::ValidateId("workload id", workload));
  CAIRN_ASSIGN_OR_RETURN(auto lock, store.LockWorkload(workload, lock_timeout));
  CleanupResult result;
  auto list = [&](const std::string& dir) -> Result<std::vector<std::string>> {
    auto r = store.List(dir);
    if (!r.ok() && r.status().IsNotFound()) return std::vector<std::string>{};
    return r;
  };
  CAIRN_ASSIGN_OR_RETURN(auto snapshots, list(layout::WorkloadDir(workload)));
  for (const auto& snap : snapshots) {
    if (snap.rfind("snapshot_", 0) != 0) continue;
    const std::string snap_dir = layout::WorkloadDir(workload) + "/" + snap;
    CAIRN_ASSIGN_OR_RETURN(auto vms, list(snap_dir));
    for (const auto& vm : vms) {
      if (vm.rfind("vm_id_", 0) != 0) continue;
      const std::string vm_dir = snap_dir + "/" + vm;
      CAIRN_ASSIGN_OR_RETURN(auto disks, list(vm_dir));
      for (const auto& disk : disks) {
        std::string resource, dev;
        if (!layout::ParseDiskDirName(disk, resource, dev)) continue;
        const std::string disk_dir = vm_dir + "/" + disk;
        CAIRN_ASSIGN_OR_RETURN(auto files, list(disk_dir));
        const bool published = std::any_of(files.begin(), files.end(), [](const std::string& f) {
          return EndsWith(f, ".manifest");
        });
        if (!published) {
          CAIRN_RETURN_IF_ERROR(store.RemoveAll(disk_dir));
          result.removed.push_back(disk_dir);
          continue;
        }
        for (const auto& f : files) {
          if (!EndsWith(f, kMergingSuffix)) continue;
          CAIRN_RETURN_IF_ERROR(store.Remove(disk_dir + "/" + f));
          result.removed.push_back(disk_dir + "/" + f);
        }
      }
    }
  }
  return result;
}

}  // namespace cairn::datamover
