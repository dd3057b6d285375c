// Retention merge: dropping one snapshot's backup of a disk without breaking
// the backups that are incremental on it. The crash-safe protocol is
// specified in docs/merge-protocol.md.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "datamover/catalog.h"
#include "target/store.h"

namespace cairn::datamover {

struct MergeRequest {
  DiskRef disk;  // the snapshot whose backup of this disk is dropped
  int threads = 0;
  std::chrono::milliseconds lock_timeout{60000};
  std::function<void(uint64_t done, uint64_t total)> progress;
  const std::atomic<bool>* cancel = nullptr;
};

struct MergeResult {
  DiskBackup dropped;
  std::optional<DiskBackup> child;  // the backup that took over the dropped one's data
  uint64_t clusters_copied = 0;     // clusters moved into the child's new image
  uint64_t bytes_copied = 0;
  uint64_t new_image_size = 0;
  double seconds = 0;
};

// Drops the backup of `disk`. When a later backup is incremental on it (its
// child), the child's image is rebuilt as the union of the child's clusters
// and the dropped image's own clusters, backed by the dropped image's backing
// file (or standalone), every copied cluster checked against the child's
// manifest; it replaces the child's image by atomic rename, and only then is
// the dropped backup unpublished and removed. A crash at any step leaves
// every published backup readable; running the merge again finishes it
// (after its last step, when only an unpublished directory is left, Cleanup
// removes that and a second merge reports NotFound). Before building, the
// target must have room for the merged image (at most the child's and the
// dropped image's files together): OutOfRange naming the need otherwise,
// with nothing changed. A backup without a child is removed whole.
Result<MergeResult> Merge(target::Store& store, const MergeRequest& request);

struct CleanupResult {
  std::vector<std::string> removed;  // store paths removed
};

// Removes what interrupted jobs left in a workload: disk directories without
// a manifest (unfinished backups) and unfinished merge images (*.merging).
// Takes the workload's lock.
Result<CleanupResult> Cleanup(target::Store& store, const std::string& workload,
                              std::chrono::milliseconds lock_timeout = std::chrono::milliseconds(60000));

}  // namespace cairn::datamover
