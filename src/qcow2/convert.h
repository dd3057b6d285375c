// Converting a Disk (a qcow2 chain or a raw file) into a new raw or qcow2
// image: sparse, multi-threaded, optionally compressed.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "common/status.h"
#include "qcow2/disk.h"
#include "qcow2/format.h"

namespace cairn::qcow2 {

enum class OutputFormat { kRaw, kQcow2 };

struct ConvertOptions {
  OutputFormat format = OutputFormat::kQcow2;
  uint32_t cluster_size = kDefaultClusterSize;  // qcow2 output
  std::optional<CompressionType> compression;   // qcow2 output: compress clusters
  int compression_level = 0;                    // 0: the algorithm's default
  int threads = 0;                              // 0: one per core
  bool sync = true;                             // fsync before publishing the output
  // Raw output only: write into the existing output in place instead of a
  // new file, zeroing every range that reads as zeros (implied for block
  // devices, whose old contents must not show through).
  bool write_in_place = false;
  // Called from worker threads with (bytes of the disk done, total).
  std::function<void(uint64_t, uint64_t)> progress;
  // When set and becoming true, the conversion stops with Cancelled.
  const std::atomic<bool>* cancel = nullptr;
};

struct ConvertStats {
  uint64_t virtual_size = 0;
  uint64_t bytes_read = 0;      // read from the source (allocated data only)
  uint64_t bytes_stored = 0;    // guest bytes stored in the output (non-zero clusters)
  uint64_t zero_bytes_skipped = 0;  // read but all zero, not stored
  uint64_t output_file_size = 0;
};

// Writes the contents of `source` to `output_path`. Unallocated and zero
// ranges of the source are not read; clusters that read as all zeros are not
// stored. A regular output file is written under a temporary name and
// renamed into place when complete, so a failed or cancelled conversion
// never leaves a partial file at `output_path`; an existing block device (or
// any output with write_in_place) is written in place, raw only, with the
// ranges that read as zeros zeroed.
Result<ConvertStats> ConvertDisk(const Disk& source, const std::string& output_path, const ConvertOptions& options);

}  // namespace cairn::qcow2
