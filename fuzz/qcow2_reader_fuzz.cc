// libFuzzer target for the qcow2 reader. Each input is an image held in
// memory: its header is read with ReadHeader(), it is opened with
// Qcow2Image::Open() and then read and mapped in chunks over its first
// kMaxGuestBytes and its last chunk. When the header names a backing file,
// the same bytes are opened again as their own backing image, so reads also
// fall through a chain.
//
// Besides crashes, sanitizer reports, timeouts and huge allocations (see
// scripts/fuzz-qcow2.sh for the limits), the target aborts when the reader
// breaks a promise: an error code a hostile image should not produce, a Map()
// that does not cover its range exactly, zero or unallocated extents that do
// not read as zeros, or a read across the end that is not OutOfRange.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <span>
#include <vector>

#include "memory_file.h"
#include "qcow2/header.h"
#include "qcow2/image.h"

namespace cairn::fuzz {
namespace {

using qcow2::Disk;
using qcow2::Extent;
using qcow2::ExtentKind;

// Guest bytes read and mapped from the start (plus the last chunk): enough to
// cross many L2 tables at small cluster sizes, small enough to keep the
// fuzzer fast.
constexpr uint64_t kMaxGuestBytes = 4ull << 20;
constexpr uint64_t kChunk = 256 * 1024 + 4096 + 512 + 3;  // odd, to cross cluster boundaries

[[noreturn]] void Broken(const std::string& what) {
  std::fprintf(stderr, "qcow2_reader_fuzz: broken promise: %s\n", what.c_str());
  std::abort();
}

// The errors a hostile in-memory image may produce.
void CheckError(const Status& s) {
  if (s.ok()) return;
  switch (s.code()) {
    case ErrorCode::kCorruption:
    case ErrorCode::kNotSupported:
    case ErrorCode::kOutOfRange:
      return;
    default:
      Broken("unexpected error " + s.ToString());
  }
}

void Visit(const Disk& disk, uint64_t off, uint64_t n, std::vector<std::byte>& buf) {
  auto map = disk.Map(off, n);
  CheckError(map.status());
  if (map.ok()) {
    uint64_t next = off;
    for (const Extent& e : *map) {
      if (e.offset != next || e.length == 0) Broken("Map extents not contiguous at " + std::to_string(e.offset));
      next = e.end();
    }
    if (next != off + n) Broken("Map(" + std::to_string(off) + ", " + std::to_string(n) + ") ends at " + std::to_string(next));
  }
  buf.resize(n);
  Status r = disk.Read(off, buf);
  CheckError(r);
  if (r.ok() && map.ok() && disk.backing() == nullptr) {
    for (const Extent& e : *map) {
      if (e.kind == ExtentKind::kData) continue;
      for (uint64_t i = e.offset - off; i < e.end() - off; ++i)
        if (buf[i] != std::byte{0}) Broken("a " + std::string(qcow2::ExtentKindName(e.kind)) + " extent reads non-zero");
    }
  }
}

void Exercise(const Disk& disk) {
  const uint64_t size = disk.virtual_size();
  std::vector<std::byte> buf;
  const uint64_t stop = std::min(size, kMaxGuestBytes);
  for (uint64_t off = 0; off < stop; off += kChunk) Visit(disk, off, std::min(kChunk, stop - off), buf);
  if (size > stop) {
    const uint64_t n = std::min(size - stop, kChunk);
    Visit(disk, size - n, n, buf);
  }
  std::byte two[2];
  Status past = disk.Read(size == 0 ? 0 : size - 1, two);
  if (past.code() != ErrorCode::kOutOfRange) Broken("read across the end returned " + past.ToString());
}

Result<std::unique_ptr<qcow2::Qcow2Image>> OpenLayer(std::span<const std::byte> bytes, std::unique_ptr<Disk> backing) {
  auto file = std::make_unique<MemoryFile>("fuzz.qcow2", bytes);
  CAIRN_ASSIGN_OR_RETURN(qcow2::Header header, qcow2::ReadHeader(*file));
  return qcow2::Qcow2Image::Open(std::move(file), std::move(header), std::move(backing));
}

}  // namespace
}  // namespace cairn::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cairn::fuzz;
  std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  auto image = OpenLayer(bytes, nullptr);
  CheckError(image.status());
  if (!image.ok()) return 0;
  Exercise(**image);
  if (!(*image)->header().backing_file.empty()) {
    auto backing = OpenLayer(bytes, nullptr);
    if (!backing.ok()) Broken("the same bytes opened once and then failed: " + backing.status().ToString());
    auto top = OpenLayer(bytes, std::move(*backing));
    if (!top.ok()) Broken("the same bytes opened once and then failed: " + top.status().ToString());
    Exercise(**top);
  }
  return 0;
}
