// Helpers for the hostile-input tests of the qcow2 reader: editing an image's
// bytes in memory, locating its tables, and driving a Disk over its whole
// range while checking the Map() contract.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "qcow2/disk.h"
#include "qcow2/endian.h"
#include "qcow2/format.h"
#include "qcow2/open.h"

// The sanitizer runtimes (ASan) let a program watch every heap allocation;
// declared weak so that builds without them link and simply do not watch.
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*, size_t),
                                                          void (*free_hook)(const volatile void*))
    __attribute__((weak));

namespace cairn::qcow2::testing {

// The largest single heap allocation (malloc, new, zstd's internal buffers
// alike) since Reset(), seen through the sanitizer's allocation hooks; nullopt
// in builds without them. Hostile input must never cause a large one.
class LargestAllocation {
 public:
  static void Reset() {
    Install();
    largest().store(0);
  }
  static std::optional<size_t> Get() {
    if (!Install()) return std::nullopt;
    return largest().load();
  }

 private:
  static std::atomic<size_t>& largest() {
    static std::atomic<size_t> value{0};
    return value;
  }
  static void OnMalloc(const volatile void*, size_t size) {
    size_t seen = largest().load(std::memory_order_relaxed);
    while (size > seen && !largest().compare_exchange_weak(seen, size, std::memory_order_relaxed)) {
    }
  }
  static void OnFree(const volatile void*) {}
  static bool Install() {
    static const bool installed = __sanitizer_install_malloc_and_free_hooks != nullptr &&
                                  __sanitizer_install_malloc_and_free_hooks(&OnMalloc, &OnFree) != 0;
    return installed;
  }
};

// The most a hostile image may make the reader allocate at once: the largest
// legitimate buffers are a 2 MiB cluster (two for a compressed one), an L1
// table bounded by the file's size, and the caller's read buffer.
inline constexpr size_t kAllocationLimit = 16u << 20;

using Bytes = std::vector<std::byte>;

// Big-endian fields of an image held in memory. Reads past the end give 0;
// writes past the end grow the buffer.
inline uint64_t Get64(const Bytes& b, uint64_t off) {
  return off + 8 <= b.size() ? LoadBE64(b.data() + off) : 0;
}
inline uint32_t Get32(const Bytes& b, uint64_t off) {
  return off + 4 <= b.size() ? LoadBE32(b.data() + off) : 0;
}
inline void Put64(Bytes& b, uint64_t off, uint64_t v) {
  if (b.size() < off + 8) b.resize(off + 8);
  StoreBE64(b.data() + off, v);
}
inline void Put32(Bytes& b, uint64_t off, uint32_t v) {
  if (b.size() < off + 4) b.resize(off + 4);
  StoreBE32(b.data() + off, v);
}
inline void PutBytes(Bytes& b, uint64_t off, std::string_view s) {
  if (b.size() < off + s.size()) b.resize(off + s.size());
  for (size_t i = 0; i < s.size(); ++i) b[off + i] = std::byte(static_cast<uint8_t>(s[i]));
}

// Header field offsets (docs/interop/qcow2.txt).
inline constexpr uint64_t kOffVersion = 4, kOffBackingOffset = 8, kOffBackingSize = 16, kOffClusterBits = 20,
                          kOffSize = 24, kOffCryptMethod = 32, kOffL1Size = 36, kOffL1Offset = 40,
                          kOffRefcountOffset = 48, kOffRefcountClusters = 56, kOffNbSnapshots = 60,
                          kOffSnapshotsOffset = 64, kOffIncompatible = 72, kOffRefcountOrder = 96,
                          kOffHeaderLength = 100, kOffCompressionType = 104;

// Where the structures of a valid image are, found by walking its tables.
struct Layout {
  uint32_t cluster_bits = 0;
  uint64_t cluster_size = 0;
  uint64_t size = 0;
  uint64_t l1_offset = 0;
  uint32_t l1_size = 0;
  uint64_t refcount_offset = 0;
  uint64_t header_length = 0;
  std::optional<uint64_t> l1_entry_pos;        // file offset of the first allocated L1 entry
  std::optional<uint64_t> l2_offset;           // the L2 table it points to
  std::optional<uint64_t> normal_entry_pos;    // file offset of the first L2 entry of a data cluster
  std::optional<uint64_t> data_offset;         // that data cluster's host offset
  std::optional<uint64_t> compressed_entry_pos;  // file offset of the first compressed L2 entry
  std::optional<uint64_t> compressed_offset;   // that compressed cluster's host byte offset
};

// Reads the layout of a valid image (first L2 table only).
inline Layout Inspect(const Bytes& b) {
  Layout l;
  l.cluster_bits = Get32(b, kOffClusterBits);
  l.cluster_size = 1ull << l.cluster_bits;
  l.size = Get64(b, kOffSize);
  l.l1_offset = Get64(b, kOffL1Offset);
  l.l1_size = Get32(b, kOffL1Size);
  l.refcount_offset = Get64(b, kOffRefcountOffset);
  l.header_length = Get32(b, kOffVersion) >= 3 ? Get32(b, kOffHeaderLength) : kV2HeaderLength;
  for (uint32_t i = 0; i < l.l1_size && !l.l1_entry_pos; ++i) {
    uint64_t e = Get64(b, l.l1_offset + 8ull * i) & kEntryOffsetMask;
    if (e == 0) continue;
    l.l1_entry_pos = l.l1_offset + 8ull * i;
    l.l2_offset = e;
  }
  if (!l.l2_offset) return l;
  const uint32_t x = 62 - (l.cluster_bits - 8);
  for (uint64_t j = 0; j < l.cluster_size / 8; ++j) {
    const uint64_t pos = *l.l2_offset + 8 * j, e = Get64(b, pos);
    if ((e & kEntryCompressed) && !l.compressed_entry_pos) {
      l.compressed_entry_pos = pos;
      l.compressed_offset = e & ((1ull << x) - 1);
    } else if (!(e & kEntryCompressed) && (e & kEntryOffsetMask) && !(e & kL2ZeroFlag) && !l.normal_entry_pos) {
      l.normal_entry_pos = pos;
      l.data_offset = e & kEntryOffsetMask;
    }
  }
  return l;
}

// The codes a hostile image may produce: anything else (Internal, an
// unexpected IOError) is a finding.
inline bool IsHostileInputError(const Status& s) {
  switch (s.code()) {
    case ErrorCode::kCorruption:
    case ErrorCode::kNotSupported:
    case ErrorCode::kOutOfRange:
    case ErrorCode::kNotFound:
      return true;
    default:
      return false;
  }
}

inline bool AllZero(std::span<const std::byte> b) {
  return std::all_of(b.begin(), b.end(), [](std::byte x) { return x == std::byte{0}; });
}

// Reads and maps the disk in odd-sized chunks over [0, min(size, limit)) and
// over its last chunk, and checks what the Disk contract promises: a read
// across the end is OutOfRange; a successful Map covers its range exactly, in
// order; without a backing file, zero and unallocated extents read as zeros.
// Keeps going after errors (to exercise as much as possible) and returns the
// first one; a broken promise is returned as Internal.
inline Status Exercise(const Disk& disk, uint64_t limit = 64ull << 20) {
  const uint64_t size = disk.virtual_size();
  const uint64_t chunk = 3 * 65536 + 4096 + 512 + 7;
  Status first;
  auto note = [&](const Status& s) {
    if (first.ok() && !s.ok()) first = s;
  };
  Bytes buf;
  auto visit = [&](uint64_t off, uint64_t n) {
    auto map = disk.Map(off, n);
    note(map.status());
    if (map.ok()) {
      uint64_t next = off;
      for (const Extent& e : *map) {
        if (e.offset != next || e.length == 0)
          return note(Status::Internal("Map(" + std::to_string(off) + ", " + std::to_string(n) +
                                       ") extents are not contiguous at " + std::to_string(e.offset)));
        next = e.end();
      }
      if (next != off + n)
        return note(Status::Internal("Map(" + std::to_string(off) + ", " + std::to_string(n) + ") ends at " +
                                     std::to_string(next)));
    }
    buf.assign(n, std::byte{0x5a});
    Status r = disk.Read(off, buf);
    note(r);
    if (r.ok() && map.ok() && disk.backing() == nullptr) {
      for (const Extent& e : *map) {
        if (e.kind != ExtentKind::kData && !AllZero(std::span(buf).subspan(e.offset - off, e.length)))
          return note(Status::Internal(std::string(ExtentKindName(e.kind)) + " extent at " + std::to_string(e.offset) +
                                       " does not read as zeros"));
      }
    }
  };
  const uint64_t stop = std::min(size, limit);
  for (uint64_t off = 0; off < stop; off += chunk) visit(off, std::min(chunk, stop - off));
  if (size > stop) visit(size - std::min(size - stop, chunk), std::min(size - stop, chunk));
  // Reads crossing the end are refused, not clipped.
  std::byte two[2];
  Status past = disk.Read(size == 0 ? 0 : size - 1, two);
  if (past.code() != ErrorCode::kOutOfRange)
    note(Status::Internal("read across the end returned " + past.ToString()));
  // Map of a range past the end is empty.
  auto beyond = disk.Map(size, 4096);
  if (!beyond.ok() || !beyond->empty()) note(Status::Internal("Map past the end is not empty"));
  return first;
}

// What happened to one image.
struct Outcome {
  Status open;  // OpenDisk's status
  Status use;   // Exercise's status when it opened (OK otherwise)
  std::optional<size_t> largest_allocation;  // see LargestAllocation
  bool opened() const { return open.ok(); }
  std::string ToString() const { return "open: " + open.ToString() + "; use: " + use.ToString(); }
};

// Opens `path` and, when that works, exercises it with a read buffer of at
// most `limit` bytes; records the largest allocation made meanwhile.
inline Outcome OpenAndExercise(const std::string& path, const OpenOptions& options = {}, uint64_t limit = 64ull << 20) {
  Outcome o;
  LargestAllocation::Reset();
  auto disk = OpenDisk(path, options);
  if (!disk.ok()) {
    o.open = disk.status();
  } else {
    o.use = Exercise(**disk, limit);
  }
  o.largest_allocation = LargestAllocation::Get();
  return o;
}

}  // namespace cairn::qcow2::testing
