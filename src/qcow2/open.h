// Opening a disk image by path: format detection and backing chains.
#pragma once

#include <memory>
#include <string>

#include "qcow2/disk.h"

namespace cairn::qcow2 {

struct OpenOptions {
  // "auto" (probe the qcow2 magic), "qcow2" or "raw".
  std::string format = "auto";
  // Open the backing chain; when false, a qcow2 image reads unallocated
  // clusters as zeros and reports them unallocated.
  bool follow_backing = true;
  // Longest chain accepted (a guard against absurd chains; loops are found
  // by identity, not by this limit).
  int max_chain_length = 1000;
};

// Opens `path` read-only with its backing chain. Relative backing names are
// resolved against the directory of the image naming them; a chain that
// comes back to an image already in it is Corruption ("backing chain loop").
Result<std::unique_ptr<Disk>> OpenDisk(const std::string& path, const OpenOptions& options = {});

// Resolves a backing file name as QEMU does: absolute names as they are,
// relative names against the directory of `image_path`.
std::string ResolveBackingPath(const std::string& image_path, const std::string& backing_name);

}  // namespace cairn::qcow2
