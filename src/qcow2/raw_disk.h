// RawDisk: a raw image file or block device read as a Disk; holes (found with
// SEEK_DATA/SEEK_HOLE) are reported as zero extents.
#pragma once

#include <memory>

#include "common/file.h"
#include "qcow2/disk.h"

namespace cairn::qcow2 {

class RawDisk final : public Disk {
 public:
  // Takes the opened file; its current size is the virtual size.
  static Result<std::unique_ptr<RawDisk>> Open(std::unique_ptr<File> file);

  uint64_t virtual_size() const override { return size_; }
  Status Read(uint64_t offset, std::span<std::byte> out) const override;
  Result<std::vector<Extent>> Map(uint64_t offset, uint64_t length) const override;
  std::string_view format() const override { return "raw"; }
  const std::string& name() const override { return file_->name(); }

 private:
  RawDisk(std::unique_ptr<File> file, uint64_t size) : file_(std::move(file)), size_(size) {}
  std::unique_ptr<File> file_;
  uint64_t size_;
};

}  // namespace cairn::qcow2
