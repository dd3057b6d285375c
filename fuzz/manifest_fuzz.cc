// libFuzzer target for the manifest decoder (datamover/manifest.h), the file
// beside every disk image on the backup target, which anyone who can write
// the target can replace. Each input is decoded twice: as it is, and with its
// trailing XXH3 checksum recomputed (a checksum is no protection against a
// writer who means it, and without the fix-up the fuzzer would rarely get
// past it).
//
// Besides crashes and sanitizer reports, the target aborts when a decoded
// manifest breaks a promise the readers rely on: a cluster size that is not
// a power of two in [512, 2 MiB], a checksum table that does not cover the
// virtual size exactly (ceil(virtual_size / cluster_size) entries, computed
// without overflow), a ClusterLength out of (0, cluster_size], or a manifest
// that does not encode and decode again to the same sizes and checksums.
#include <xxhash.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "datamover/manifest.h"

namespace cairn::fuzz {
namespace {

using datamover::Manifest;

[[noreturn]] void Broken(const std::string& what) {
  std::fprintf(stderr, "manifest_fuzz: broken promise: %s\n", what.c_str());
  std::abort();
}

void CheckError(const Status& s) {
  if (s.ok() || s.code() == ErrorCode::kCorruption || s.code() == ErrorCode::kNotSupported) return;
  Broken("unexpected error " + s.ToString());
}

void CheckManifest(const Manifest& m) {
  const uint64_t cs = m.cluster_size;
  if (cs < 512 || cs > (2u << 20) || (cs & (cs - 1)) != 0) Broken("cluster size " + std::to_string(cs));
  const uint64_t clusters = m.virtual_size / cs + (m.virtual_size % cs != 0 ? 1 : 0);
  if (m.hashes.size() != clusters) {
    Broken(std::to_string(m.hashes.size()) + " checksums for a virtual size of " + std::to_string(m.virtual_size));
  }
  if (m.cluster_count() != clusters) Broken("cluster_count() " + std::to_string(m.cluster_count()));
  if (clusters > 0) {
    for (uint64_t i : {uint64_t{0}, clusters - 1}) {
      const uint64_t n = m.ClusterLength(i);
      if (n == 0 || n > cs) Broken("ClusterLength(" + std::to_string(i) + ") = " + std::to_string(n));
    }
  }
  Result<std::vector<std::byte>> encoded = datamover::EncodeManifest(m);
  if (!encoded.ok()) {
    // Only metadata that grows past the limit when written again may fail.
    if (encoded.status().code() != ErrorCode::kInvalidArgument) Broken("encode: " + encoded.status().ToString());
    return;
  }
  Result<Manifest> again = datamover::DecodeManifest(*encoded);
  if (!again.ok()) Broken("an encoded manifest does not decode: " + again.status().ToString());
  if (again->virtual_size != m.virtual_size || again->cluster_size != m.cluster_size || again->hashes != m.hashes) {
    Broken("a manifest changed through encode and decode");
  }
}

void Decode(std::span<const std::byte> bytes) {
  Result<Manifest> m = datamover::DecodeManifest(bytes);
  CheckError(m.status());
  if (m.ok()) CheckManifest(*m);
}

}  // namespace
}  // namespace cairn::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cairn::fuzz;
  std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  Decode(bytes);
  if (size >= 16) {
    std::vector<std::byte> fixed(bytes.begin(), bytes.end());
    const uint64_t sum = XXH3_64bits(fixed.data(), size - 8);
    for (int i = 0; i < 8; ++i) fixed[size - 8 + i] = std::byte(sum >> (8 * (7 - i)));
    Decode(fixed);
  }
  return 0;
}
