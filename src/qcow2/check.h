// CheckImage: a structural check of one qcow2 file (not its backing chain),
// in the manner of `qemu-img check`: every table and data cluster lies inside
// the file and is aligned, the stored refcounts equal the references found,
// and the COPIED flags agree with them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/file.h"
#include "common/status.h"

namespace cairn::qcow2 {

struct CheckReport {
  uint64_t corruptions = 0;          // errors: wrong refcounts, bad offsets, flags
  uint64_t leaks = 0;                // clusters with a refcount but no reference
  uint64_t allocated_clusters = 0;   // guest clusters with data in this file
  uint64_t compressed_clusters = 0;
  uint64_t zero_clusters = 0;
  uint64_t total_clusters = 0;       // guest clusters of the virtual disk
  uint64_t image_end_offset = 0;     // end of the last cluster in use
  std::vector<std::string> messages; // the first problems found, one line each

  bool clean() const { return corruptions == 0 && leaks == 0; }
};

// Checks the qcow2 image at `path`. Returns a report (which may list
// problems) when the image could be examined; an error when it cannot be
// opened or is not a qcow2 image, and NotSupported for internal snapshots
// and persistent bitmaps, whose tables this check does not walk.
Result<CheckReport> CheckImage(const std::string& path);
// The same check of an image already open (for files opened through a store).
Result<CheckReport> CheckImage(const File& file);

}  // namespace cairn::qcow2
