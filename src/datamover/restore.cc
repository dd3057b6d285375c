#include "datamover/restore.h"

#include <algorithm>
#include <mutex>

#include "common/fault.h"
#include "common/file.h"
#include "common/time.h"
#include "datamover/checked_disk.h"
#include "datamover/parallel.h"
#include "qcow2/check.h"

namespace cairn::datamover {
namespace {

Result<RestoreResult> RestoreInPlace(const qcow2::Disk& image, const Manifest& manifest, const RestoreRequest& req,
                                     RestoreResult result) {
  CAIRN_ASSIGN_OR_RETURN(auto out, OpenPosixFile(req.to, OpenMode::kReadWrite));
  CAIRN_ASSIGN_OR_RETURN(uint64_t size, out->Size());
  if (size < manifest.virtual_size)
    return Status::InvalidArgument(req.to + " (" + std::to_string(size) + " bytes) is smaller than the backed-up disk (" +
                                   std::to_string(manifest.virtual_size) + " bytes)");
  const uint64_t cs = manifest.cluster_size;
  const uint64_t units = (manifest.virtual_size + kUnitBytes - 1) / kUnitBytes;
  std::mutex mu;
  uint64_t done = 0;
  Status s = ParallelFor(units, req.threads, req.cancel, [&](uint64_t unit, int) -> Status {
    thread_local std::vector<std::byte> have, want;
    const uint64_t start = unit * kUnitBytes, end = std::min(start + kUnitBytes, manifest.virtual_size);
    have.resize(end - start);
    CAIRN_RETURN_IF_ERROR(out->ReadAt(start, have));
    uint64_t compared = 0, rewritten = 0, read = 0, written = 0;
    for (uint64_t off = start; off < end; off += cs) {
      const uint64_t index = off / cs, len = std::min(cs, end - off);
      auto current = std::span(have).subspan(off - start, len);
      ++compared;
      if (HashCluster(current) == manifest.hashes[index]) continue;
      want.resize(len);
      CAIRN_RETURN_IF_ERROR(image.Read(off, want));
      read += len;
      if (HashCluster(want) != manifest.hashes[index])
        return Status::Corruption("backup cluster " + std::to_string(index) + " does not match its manifest checksum");
      CAIRN_RETURN_IF_ERROR(out->WriteAt(off, want));
      ++rewritten;
      written += len;
      FaultPoint("restore", 2);
    }
    std::lock_guard lock(mu);
    result.clusters_compared += compared;
    result.clusters_written += rewritten;
    result.bytes_read += read;
    result.bytes_written += written;
    done += end - start;
    if (req.progress) req.progress(done, manifest.virtual_size);
    return Status::OK();
  });
  CAIRN_RETURN_IF_ERROR(s);
  CAIRN_RETURN_IF_ERROR(out->Sync());
  return result;
}

}  // namespace

Result<RestoreResult> Restore(target::Store& store, const RestoreRequest& req) {
  Stopwatch watch;
  CAIRN_ASSIGN_OR_RETURN(DiskBackup backup, FindDiskBackup(store, req.disk));
  CAIRN_ASSIGN_OR_RETURN(Manifest manifest, LoadManifest(store, backup));
  CAIRN_ASSIGN_OR_RETURN(auto image, OpenBackupImage(store, backup));
  if (image->virtual_size() < manifest.virtual_size)
    return Status::Corruption(backup.image_path() + " is smaller than its manifest says");
  RestoreResult result;
  result.backup = backup;
  result.virtual_size = manifest.virtual_size;
  FaultPoint("restore", 1);
  if (req.in_place) {
    if (req.format != qcow2::OutputFormat::kRaw)
      return Status::InvalidArgument("in-place restore writes onto a raw disk; --format must be raw");
    auto r = RestoreInPlace(*image, manifest, req, std::move(result));
    if (r.ok()) r->seconds = watch.ElapsedSeconds();
    return r;
  }
  qcow2::ConvertOptions opts;
  opts.format = req.format;
  opts.cluster_size = manifest.cluster_size;
  opts.threads = req.threads;
  opts.cancel = req.cancel;
  opts.progress = [&](uint64_t done, uint64_t total) {
    FaultPoint("restore", 2);
    if (req.progress) req.progress(done, total);
  };
  // Every cluster read is checked against the manifest (in place does it
  // cluster by cluster above).
  const ManifestCheckedDisk checked(*image, manifest, backup.image_path());
  CAIRN_ASSIGN_OR_RETURN(qcow2::ConvertStats stats, qcow2::ConvertDisk(checked, req.to, opts));
  result.bytes_read = stats.bytes_read;
  result.bytes_written = stats.bytes_stored;
  result.seconds = watch.ElapsedSeconds();
  return result;
}

Result<VerifyResult> Verify(target::Store& store, const VerifyRequest& req) {
  Stopwatch watch;
  VerifyResult result;
  CAIRN_ASSIGN_OR_RETURN(result.backup, FindDiskBackup(store, req.disk));
  CAIRN_ASSIGN_OR_RETURN(Manifest manifest, LoadManifest(store, result.backup));
  CAIRN_ASSIGN_OR_RETURN(BackupChain chain, OpenBackupChain(store, result.backup));
  const std::unique_ptr<qcow2::Disk>& image = chain.disk;
  for (const qcow2::Disk* d = image.get(); d != nullptr; d = d->backing()) result.chain.push_back(d->name());
  if (req.check_structure) {
    for (const std::string& layer : chain.layers) {
      auto file = store.OpenForRead(layer);
      auto report = file.ok() ? qcow2::CheckImage(**file) : Result<qcow2::CheckReport>(file.status());
      if (!report.ok()) {
        result.structure_problems.push_back(layer + ": " + report.status().message());
      } else if (!report->clean()) {
        for (const auto& m : report->messages) result.structure_problems.push_back(layer + ": " + m);
      }
    }
  }
  if (image->virtual_size() < manifest.virtual_size) {
    result.structure_problems.push_back(result.backup.image_path() + ": image smaller than the manifest's disk");
    result.ok = false;
    return result;
  }
  const uint64_t cs = manifest.cluster_size;
  const uint64_t units = (manifest.virtual_size + kUnitBytes - 1) / kUnitBytes;
  std::mutex mu;
  uint64_t done = 0;
  std::vector<uint64_t> bad;
  CAIRN_RETURN_IF_ERROR(ParallelFor(units, req.threads, req.cancel, [&](uint64_t unit, int) -> Status {
    thread_local std::vector<std::byte> buf;
    const uint64_t start = unit * kUnitBytes, end = std::min(start + kUnitBytes, manifest.virtual_size);
    buf.resize(end - start);
    CAIRN_RETURN_IF_ERROR(image->Read(start, buf));
    std::vector<uint64_t> local_bad;
    uint64_t checked = 0;
    for (uint64_t off = start; off < end; off += cs) {
      ++checked;
      if (HashCluster(std::span(buf).subspan(off - start, std::min(cs, end - off))) != manifest.hashes[off / cs])
        local_bad.push_back(off / cs);
    }
    std::lock_guard lock(mu);
    result.clusters_checked += checked;
    result.clusters_bad += local_bad.size();
    bad.insert(bad.end(), local_bad.begin(), local_bad.end());
    done += end - start;
    if (req.progress) req.progress(done, manifest.virtual_size);
    return Status::OK();
  }));
  std::sort(bad.begin(), bad.end());
  bad.resize(std::min<size_t>(bad.size(), 16));
  result.first_bad_clusters = std::move(bad);
  result.ok = result.clusters_bad == 0 && result.structure_problems.empty();
  result.seconds = watch.ElapsedSeconds();
  return result;
}

}  // namespace cairn::datamover
