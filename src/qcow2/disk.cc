#include "qcow2/disk.h"

namespace cairn::qcow2 {

std::string_view ExtentKindName(ExtentKind kind) {
  switch (kind) {
    case ExtentKind::kData: return "data";
    case ExtentKind::kZero: return "zero";
    case ExtentKind::kUnallocated: return "unallocated";
  }
  return "?";
}

void AppendExtent(std::vector<Extent>& extents, const Extent& e) {
  if (e.length == 0) return;
  if (!extents.empty()) {
    Extent& last = extents.back();
    bool host_ok = last.kind != ExtentKind::kData || last.compressed ||
                   (last.host_offset == 0 && e.host_offset == 0) ||
                   (last.host_offset != 0 && last.host_offset + last.length == e.host_offset);
    if (last.end() == e.offset && last.kind == e.kind && last.depth == e.depth && last.compressed == e.compressed &&
        host_ok) {
      last.length += e.length;
      return;
    }
  }
  extents.push_back(e);
}

}  // namespace cairn::qcow2
