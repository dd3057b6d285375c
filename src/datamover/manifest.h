// Manifest: what Cairn knows about one backed-up disk image — the XXH3-128
// checksum of every cluster of the full logical disk as of this snapshot,
// plus sizes, source identity and counters. Written beside the image, last
// and atomically: an image without its manifest is not a backup.
// The byte format is specified in docs/manifest.md.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace cairn::datamover {

// An XXH3-128 digest, high 64 bits first.
struct Hash128 {
  uint64_t high = 0;
  uint64_t low = 0;
  bool operator==(const Hash128&) const = default;
};

// The digest of `data` (one cluster, or the short last cluster).
Hash128 HashCluster(std::span<const std::byte> data);
// The digest of `length` zero bytes (cached per length; thread-safe).
Hash128 ZeroHash(uint64_t length);
// "0123...cdef": 32 hex digits.
std::string HashToHex(const Hash128& h);

struct Manifest {
  uint64_t virtual_size = 0;
  uint32_t cluster_size = 0;
  // Free-form facts: image id, mode, source identity, counters, times.
  nlohmann::json info = nlohmann::json::object();
  // One digest per cluster of the logical disk: ceil(virtual_size / cluster_size).
  std::vector<Hash128> hashes;

  uint64_t cluster_count() const { return (virtual_size + cluster_size - 1) / cluster_size; }
  // Bytes of cluster `index` inside the virtual size (the last may be short).
  uint64_t ClusterLength(uint64_t index) const;
};

// Serializes a manifest (format version 1). InvalidArgument when the hash
// count does not match the sizes.
Result<std::vector<std::byte>> EncodeManifest(const Manifest& manifest);
// Parses and validates a manifest: magic, version, sizes, hash count and the
// trailing checksum of the whole file. Corruption on any mismatch.
Result<Manifest> DecodeManifest(std::span<const std::byte> bytes);

}  // namespace cairn::datamover
