// MemoryFile: a read-only cairn::File over bytes held by the caller, so the
// fuzzer can hand an input to the qcow2 reader without touching the disk.
#pragma once

#include <cstring>
#include <span>
#include <string>

#include "common/file.h"

namespace cairn::fuzz {

class MemoryFile final : public File {
 public:
  // `data` must outlive the file; it is not copied (so ASan sees reads past
  // its end).
  MemoryFile(std::string name, std::span<const std::byte> data) : name_(std::move(name)), data_(data) {}

  Status ReadAt(uint64_t offset, std::span<std::byte> out) const override {
    if (offset > data_.size() || out.size() > data_.size() - offset)
      return Status::OutOfRange("read of " + std::to_string(out.size()) + " bytes at offset " + std::to_string(offset) +
                                " crosses the end of " + name_);
    if (!out.empty()) std::memcpy(out.data(), data_.data() + offset, out.size());
    return Status::OK();
  }
  Status WriteAt(uint64_t, std::span<const std::byte>) override { return ReadOnly(); }
  Status Sync() override { return ReadOnly(); }
  Status Truncate(uint64_t) override { return ReadOnly(); }
  Result<uint64_t> Size() const override { return static_cast<uint64_t>(data_.size()); }
  const std::string& name() const override { return name_; }

 private:
  Status ReadOnly() const { return Status::NotSupported(name_ + " is read-only"); }

  std::string name_;
  std::span<const std::byte> data_;
};

}  // namespace cairn::fuzz
