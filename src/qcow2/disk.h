// Disk: a readable virtual disk — a qcow2 image with its backing chain, or a
// raw file — and the extent map that says where its data lives.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"

namespace cairn::qcow2 {

enum class ExtentKind {
  kData,         // stored data (possibly all zero bytes)
  kZero,         // explicitly recorded as zeros (qcow2 zero flag, raw hole)
  kUnallocated,  // not allocated anywhere in the chain: reads as zeros
};

// A run of guest bytes [offset, offset + length) of one kind, held by the layer
// `depth` of the chain (0 = the image itself, 1 = its backing file, ...).
// For unallocated extents depth is the deepest layer that covers the range
// (past the end of a shorter backing file: the layer above it), as qemu-img map.
struct Extent {
  uint64_t offset = 0;
  uint64_t length = 0;
  ExtentKind kind = ExtentKind::kData;
  int depth = 0;
  bool compressed = false;      // data stored in compressed clusters
  uint64_t host_offset = 0;     // file offset of uncompressed data (0 if none)

  uint64_t end() const { return offset + length; }
  bool operator==(const Extent&) const = default;
};

std::string_view ExtentKindName(ExtentKind kind);

class Disk {
 public:
  virtual ~Disk() = default;

  // Size of the disk in bytes as the guest sees it.
  virtual uint64_t virtual_size() const = 0;
  // Reads out.size() bytes at guest offset; the range must lie within
  // virtual_size() (OutOfRange otherwise). Safe to call from several threads.
  virtual Status Read(uint64_t offset, std::span<std::byte> out) const = 0;
  // Describes [offset, offset + length) (clipped to virtual_size()) as extents
  // in ascending order that exactly cover it; neighbours of the same kind,
  // depth and compression (and contiguous host offsets) are merged. Safe to
  // call from several threads.
  virtual Result<std::vector<Extent>> Map(uint64_t offset, uint64_t length) const = 0;
  // "qcow2" or "raw".
  virtual std::string_view format() const = 0;
  // The file name this disk was opened from.
  virtual const std::string& name() const = 0;
  // The backing disk, or nullptr.
  virtual const Disk* backing() const { return nullptr; }
};

// Appends `e` to `extents`, merging it into the last extent when they touch
// and agree in kind, depth, compression and host contiguity.
void AppendExtent(std::vector<Extent>& extents, const Extent& e);

}  // namespace cairn::qcow2
