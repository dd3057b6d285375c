// Restore and verify of disk backups.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "datamover/catalog.h"
#include "qcow2/convert.h"
#include "target/store.h"

namespace cairn::datamover {

struct RestoreRequest {
  DiskRef disk;
  std::string to;                                    // output path (file or block device)
  qcow2::OutputFormat format = qcow2::OutputFormat::kRaw;
  bool in_place = false;  // `to` is an existing raw disk: write only clusters that differ
  int threads = 0;
  std::function<void(uint64_t done, uint64_t total)> progress;
  const std::atomic<bool>* cancel = nullptr;
};

struct RestoreResult {
  DiskBackup backup;
  uint64_t virtual_size = 0;
  uint64_t bytes_read = 0;         // read from the backup chain
  uint64_t bytes_written = 0;      // written to the output
  uint64_t clusters_compared = 0;  // in place: clusters of the disk hashed
  uint64_t clusters_written = 0;   // in place: clusters that differed and were rewritten
  double seconds = 0;
};

// Restores a published backup (following its chain). To a new raw or qcow2
// file (sparse; written under a temporary name and renamed when complete) or
// a block device; or, with in_place, onto an existing raw disk of at least the
// backup's size, rewriting only the clusters whose checksum differs from the
// manifest. The target's data is only read.
Result<RestoreResult> Restore(target::Store& store, const RestoreRequest& request);

struct VerifyRequest {
  DiskRef disk;
  int threads = 0;
  bool check_structure = true;  // also run the structural check on every layer
  std::function<void(uint64_t done, uint64_t total)> progress;
  const std::atomic<bool>* cancel = nullptr;
};

struct VerifyResult {
  DiskBackup backup;
  bool ok = true;
  uint64_t clusters_checked = 0;
  uint64_t clusters_bad = 0;
  std::vector<uint64_t> first_bad_clusters;  // at most 16, ascending
  std::vector<std::string> structure_problems;  // "<layer>: <problem>"
  std::vector<std::string> chain;               // image paths, newest first
  double seconds = 0;
};

// Re-reads the backup's whole chain, recomputes every cluster's checksum and
// compares it with the manifest; with check_structure, checks each layer as
// `cairn-img check` does. A damaged backup is a result with ok == false, not
// an error; errors are for backups that cannot be read at all.
Result<VerifyResult> Verify(target::Store& store, const VerifyRequest& request);

}  // namespace cairn::datamover
