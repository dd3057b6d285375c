// Backup: read a disk (raw file, block device, qcow2 chain, or any Disk the
// caller opened, such as an NBD export) and write it to the target as a full
// or incremental qcow2 image with its manifest.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "datamover/catalog.h"
#include "qcow2/format.h"
#include "target/store.h"

namespace cairn::datamover {

// How the changed clusters of an incremental are found.
enum class ChangeMode {
  kFull,     // no previous backup is used: every allocated cluster is stored
  kScan,     // read the disk, compare each cluster's XXH3-128 with the previous manifest
  kOverlay,  // the source is a qcow2 overlay holding exactly the writes since the
             // previous backup: only its own (depth 0) clusters are read
  kBitmap,   // the caller lists the ranges changed since the previous backup (a
             // dirty bitmap): only clusters they touch are read and stored
};
std::string_view ChangeModeName(ChangeMode mode);
Result<ChangeMode> ParseChangeMode(std::string_view name);

// A range of guest bytes [offset, offset + length).
struct ChangedRange {
  uint64_t offset = 0;
  uint64_t length = 0;
  bool operator==(const ChangedRange&) const = default;
};

struct BackupRequest {
  std::string source;                 // path of the disk to read; with source_disk, only its description
  std::string source_format = "auto"; // auto, raw or qcow2
  // When set, the disk is read from here (owned by the caller, alive for the
  // call) instead of opening `source`; kOverlay needs a path and refuses it.
  const qcow2::Disk* source_disk = nullptr;
  DiskRef disk;                       // where the backup goes
  std::string resource;               // vm_res_id; empty: a new UUID
  std::optional<std::string> previous_snapshot;  // snapshot holding the previous backup of this disk
  ChangeMode mode = ChangeMode::kScan;
  // kBitmap: the ranges written since the checkpoint `changes_since` (any
  // order, may overlap). They are trusted only when the previous backup's
  // manifest records that same checkpoint; otherwise the backup is a full.
  std::vector<ChangedRange> changed;
  std::string changes_since;
  // The checkpoint taken at the instant this backup reads, recorded in the
  // manifest ("checkpoint") for the next kBitmap backup; empty: none.
  std::string checkpoint;
  std::optional<qcow2::CompressionType> compression;
  uint32_t cluster_size = qcow2::kDefaultClusterSize;  // for a full; incrementals use the previous one's
  int threads = 0;                                     // 0: one per core
  std::chrono::milliseconds lock_timeout{60000};
  std::function<void(uint64_t done, uint64_t total)> progress;
  const std::atomic<bool>* cancel = nullptr;
};

struct BackupResult {
  DiskBackup backup;
  bool incremental = false;
  ChangeMode mode = ChangeMode::kFull;  // the mode actually used
  std::string warning;                  // why an incremental became a full, if it did
  uint64_t virtual_size = 0;
  uint64_t bytes_read = 0;       // read from the source
  uint64_t bytes_written = 0;    // guest bytes stored in the image
  uint64_t bytes_skipped = 0;    // neither read nor stored (holes, unchanged)
  uint64_t clusters_changed = 0; // stored as data or as zero clusters
  uint64_t image_file_size = 0;
  double seconds = 0;
};

// Backs up one disk. Takes the workload's lock for the whole run. Leftovers
// of an interrupted backup of the same disk in the same snapshot are removed
// first; a published backup there is AlreadyExists. When the previous backup
// is missing or unreadable (or, for kBitmap, was not taken at the checkpoint
// `changes_since`), the backup is a full one with `warning` saying why. The image is finished and synced before the
// manifest is written (atomically): until then nothing is published. A
// failed or cancelled backup removes what it wrote.
Result<BackupResult> Backup(target::Store& store, const BackupRequest& request);

}  // namespace cairn::datamover
