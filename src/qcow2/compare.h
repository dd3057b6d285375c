// Comparing the guest contents of two disks.
#pragma once

#include <cstdint>
#include <optional>

#include "common/status.h"
#include "qcow2/disk.h"

namespace cairn::qcow2 {

struct CompareResult {
  bool identical = true;
  uint64_t first_difference = 0;  // guest offset of the first differing byte, when not identical
  bool size_differs = false;      // the sizes differ (the larger tail was compared with zeros)
};

// Compares `a` and `b` byte by byte, as `qemu-img compare` does by default:
// where one disk is larger, its extra bytes must be zero. Ranges that both
// disks map as zero or unallocated are not read.
Result<CompareResult> CompareDisks(const Disk& a, const Disk& b);

}  // namespace cairn::qcow2
