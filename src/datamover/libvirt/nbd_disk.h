// NbdDisk: a disk read from an NBD export over a unix socket with libnbd —
// the point-in-time view that a libvirt pull-mode backup (or qemu-nbd)
// serves. Reads go over a small pool of connections, so workers read in
// parallel; the map comes from the `base:allocation` meta context, and the
// ranges changed since a checkpoint from a `qemu:dirty-bitmap:<name>` one.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "datamover/backup.h"
#include "qcow2/disk.h"

struct nbd_handle;

namespace cairn::datamover::libvirt {

struct NbdDiskOptions {
  std::string socket;       // the unix socket of the NBD server
  std::string export_name;  // "vda"
  std::string dirty_bitmap; // "backup-vda": negotiate qemu:dirty-bitmap:<this>; "": none
  int connections = 4;      // reads in parallel (at least 1)
};

class NbdDisk final : public qcow2::Disk {
 public:
  // Connects `options.connections` times. Unavailable when the server cannot
  // be reached or refuses the export; NotFound when the export does not offer
  // the dirty bitmap's meta context; NotSupported without base:allocation.
  static Result<std::unique_ptr<NbdDisk>> Open(const NbdDiskOptions& options);
  ~NbdDisk() override;
  NbdDisk(const NbdDisk&) = delete;
  NbdDisk& operator=(const NbdDisk&) = delete;

  uint64_t virtual_size() const override { return size_; }
  // Thread safe: each call takes a free connection of the pool (waiting for one).
  Status Read(uint64_t offset, std::span<std::byte> out) const override;
  // From base:allocation: holes are kUnallocated, zero-reading data kZero,
  // the rest kData (depth 0, host_offset 0). Thread safe.
  Result<std::vector<qcow2::Extent>> Map(uint64_t offset, uint64_t length) const override;
  std::string_view format() const override { return "raw"; }
  // "nbd+unix:///<export>?socket=<socket>"
  const std::string& name() const override { return name_; }

  // The ranges marked dirty in the negotiated dirty bitmap, ascending and
  // merged. NotFound when no dirty bitmap was asked for in the options.
  Result<std::vector<ChangedRange>> DirtyExtents() const;

 private:
  struct HandleDeleter {
    void operator()(nbd_handle* h) const;
  };
  using Handle = std::unique_ptr<nbd_handle, HandleDeleter>;
  class Lease;

  NbdDisk() = default;
  // Calls nbd_block_status over [offset, offset+length) for `context`, and
  // hands each (offset, length, flags) to `each` in order.
  Status BlockStatus(const std::string& context, uint64_t offset, uint64_t length,
                     const std::function<void(uint64_t, uint64_t, uint32_t)>& each) const;

  std::string name_;
  std::string bitmap_context_;
  uint64_t size_ = 0;
  std::vector<Handle> handles_;
  mutable std::mutex mu_;
  mutable std::condition_variable freed_;
  mutable std::vector<nbd_handle*> free_;
};

}  // namespace cairn::datamover::libvirt
