#include "qcow2/compare.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "qcow2/zero.h"

namespace cairn::qcow2 {
namespace {

constexpr uint64_t kChunk = 4 * 1024 * 1024;

// True when [offset, offset + length) holds data somewhere in `disk`'s map.
Result<bool> HasData(const Disk& disk, uint64_t offset, uint64_t length) {
  if (offset >= disk.virtual_size()) return false;
  CAIRN_ASSIGN_OR_RETURN(auto extents, disk.Map(offset, length));
  return std::any_of(extents.begin(), extents.end(), [](const Extent& e) { return e.kind == ExtentKind::kData; });
}

// Reads [offset, offset + out.size()) of `disk`, zeros beyond its end.
Status ReadPadded(const Disk& disk, uint64_t offset, std::span<std::byte> out) {
  uint64_t n = offset >= disk.virtual_size() ? 0 : std::min<uint64_t>(out.size(), disk.virtual_size() - offset);
  if (n > 0) CAIRN_RETURN_IF_ERROR(disk.Read(offset, out.first(n)));
  std::memset(out.data() + n, 0, out.size() - n);
  return Status::OK();
}

}  // namespace

Result<CompareResult> CompareDisks(const Disk& a, const Disk& b) {
  CompareResult result;
  result.size_differs = a.virtual_size() != b.virtual_size();
  const uint64_t size = std::max(a.virtual_size(), b.virtual_size());
  std::vector<std::byte> buf_a(kChunk), buf_b(kChunk);
  for (uint64_t off = 0; off < size; off += kChunk) {
    const uint64_t n = std::min(kChunk, size - off);
    CAIRN_ASSIGN_OR_RETURN(bool data_a, HasData(a, off, n));
    CAIRN_ASSIGN_OR_RETURN(bool data_b, HasData(b, off, n));
    if (!data_a && !data_b) continue;
    auto sa = std::span(buf_a).first(n), sb = std::span(buf_b).first(n);
    if (data_a) CAIRN_RETURN_IF_ERROR(ReadPadded(a, off, sa));
    if (data_b) CAIRN_RETURN_IF_ERROR(ReadPadded(b, off, sb));
    if (data_a && data_b) {
      if (std::memcmp(sa.data(), sb.data(), n) == 0) continue;
    } else if (IsAllZero(data_a ? sa : sb)) {
      continue;
    }
    for (uint64_t i = 0; i < n; ++i) {
      std::byte x = data_a ? sa[i] : std::byte{0}, y = data_b ? sb[i] : std::byte{0};
      if (x != y) {
        result.identical = false;
        result.first_difference = off + i;
        return result;
      }
    }
  }
  return result;
}

}  // namespace cairn::qcow2
