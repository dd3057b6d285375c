#include "qcow2/raw_disk.h"

#include <algorithm>

namespace cairn::qcow2 {

Result<std::unique_ptr<RawDisk>> RawDisk::Open(std::unique_ptr<File> file) {
  CAIRN_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  return std::unique_ptr<RawDisk>(new RawDisk(std::move(file), size));
}

Status RawDisk::Read(uint64_t offset, std::span<std::byte> out) const {
  if (offset > size_ || out.size() > size_ - offset)
    return Status::OutOfRange(name() + ": read beyond the end of the disk");
  return file_->ReadAt(offset, out);
}

Result<std::vector<Extent>> RawDisk::Map(uint64_t offset, uint64_t length) const {
  std::vector<Extent> extents;
  if (offset >= size_) return extents;
  const uint64_t end = offset + std::min(length, size_ - offset);
  uint64_t pos = offset;
  while (pos < end) {
    CAIRN_ASSIGN_OR_RETURN(auto data, file_->NextData(pos));
    uint64_t data_start = std::min(data.first, end), data_end = std::min(data.second, end);
    if (data_start > pos) AppendExtent(extents, Extent{pos, data_start - pos, ExtentKind::kZero, 0, false, 0});
    if (data_end > data_start)
      AppendExtent(extents, Extent{data_start, data_end - data_start, ExtentKind::kData, 0, false, data_start});
    if (data_end <= pos) break;  // defensive: no progress
    pos = std::max(data_end, data_start);
  }
  if (pos < end) AppendExtent(extents, Extent{pos, end - pos, ExtentKind::kZero, 0, false, 0});
  return extents;
}

}  // namespace cairn::qcow2
