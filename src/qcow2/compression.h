// Compression of single qcow2 clusters: zlib (raw deflate, window bits -12, as
// QEMU writes) and zstd (one zstd frame per cluster).
#pragma once

#include <cstddef>
#include <span>

#include "common/status.h"
#include "qcow2/format.h"

namespace cairn::qcow2 {

// Compresses `in` into `out` (which should be in.size() bytes). Returns the
// compressed length, or 0 when the data does not get smaller than `out`
// allows (the caller then stores the cluster uncompressed). `level` 0 means
// Cairn's default: zstd level 1, zlib's own default (6). Thread-safe.
Result<size_t> CompressCluster(CompressionType type, int level, std::span<const std::byte> in,
                               std::span<std::byte> out);

// Decompresses one cluster: `in` may hold trailing bytes beyond the stream
// (the sector padding of a compressed cluster). Fills all of `out` exactly, or
// returns Corruption. Thread-safe.
Status DecompressCluster(CompressionType type, std::span<const std::byte> in, std::span<std::byte> out);

}  // namespace cairn::qcow2
