// Qcow2Image: read access to one qcow2 image (version 2 or 3), delegating
// unallocated clusters to its backing disk.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/file.h"
#include "qcow2/disk.h"
#include "qcow2/entry.h"
#include "qcow2/format.h"
#include "qcow2/l2_cache.h"

namespace cairn::qcow2 {

class Qcow2Image final : public Disk {
 public:
  // Opens the image in `file` whose header was read by ReadHeader(), with its
  // already opened backing disk (nullptr when it has none). Loads the L1
  // table. Reads are safe from several threads.
  static Result<std::unique_ptr<Qcow2Image>> Open(std::unique_ptr<File> file, Header header,
                                                  std::unique_ptr<Disk> backing);

  uint64_t virtual_size() const override { return header_.size; }
  Status Read(uint64_t offset, std::span<std::byte> out) const override;
  Result<std::vector<Extent>> Map(uint64_t offset, uint64_t length) const override;
  std::string_view format() const override { return "qcow2"; }
  const std::string& name() const override { return file_->name(); }
  const Disk* backing() const override { return backing_.get(); }

  const Header& header() const { return header_; }
  uint64_t file_size() const { return file_size_; }
  // How the guest cluster `index` is stored in this image (not its backing).
  Result<ClusterMapping> Lookup(uint64_t index) const;

 private:
  Qcow2Image(std::unique_ptr<File> file, Header header, std::unique_ptr<Disk> backing, uint64_t file_size);

  Result<std::shared_ptr<const L2Table>> LoadL2(uint64_t l2_offset) const;
  // Reads guest bytes that this image does not hold: from the backing disk,
  // zeros beyond its end or when there is none.
  Status ReadFromBacking(uint64_t offset, std::span<std::byte> out) const;
  Status ReadCompressed(const ClusterMapping& m, uint64_t in_cluster, std::span<std::byte> out) const;
  Status ReadHost(uint64_t host, std::span<std::byte> out) const;

  std::unique_ptr<File> file_;
  Header header_;
  std::unique_ptr<Disk> backing_;
  uint64_t file_size_;
  std::vector<uint64_t> l1_;
  mutable L2Cache l2_cache_;
};

}  // namespace cairn::qcow2
