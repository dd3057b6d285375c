#include "datamover/libvirt/nbd_disk.h"

#include <libnbd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace cairn::datamover::libvirt {
namespace {

constexpr const char* kAllocationContext = "base:allocation";
constexpr uint64_t kMaxRead = 32 << 20;          // below libnbd's 64 MiB request limit
constexpr uint64_t kMaxStatus = 1ull << 30;     // block status request length (must fit 32 bits)

Status NbdError(std::string_view what) {
  const char* msg = nbd_get_error();
  return Status::IOError(std::string(what) + ": " + (msg != nullptr ? msg : "unknown libnbd error"));
}

// What a block status callback collects: the requested context's extents.
struct StatusWalk {
  const std::string* context;
  uint64_t pos;  // where the next extent starts
  uint64_t end;  // the request's end
  const std::function<void(uint64_t, uint64_t, uint32_t)>* each;
};

int OnExtents(void* user_data, const char* metacontext, uint64_t offset, uint32_t* entries, size_t nr_entries,
              int* /*error*/) {
  auto* walk = static_cast<StatusWalk*>(user_data);
  if (std::strcmp(metacontext, walk->context->c_str()) != 0) return 0;
  uint64_t pos = offset;
  for (size_t i = 0; i + 1 < nr_entries; i += 2) {
    const uint64_t len = entries[i];
    const uint64_t a = std::max(pos, walk->pos), b = std::min(pos + len, walk->end);
    if (b > a) {
      (*walk->each)(a, b - a, entries[i + 1]);
      walk->pos = b;
    }
    pos += len;
  }
  return 0;
}

}  // namespace

void NbdDisk::HandleDeleter::operator()(nbd_handle* h) const {
  if (h == nullptr) return;
  (void)nbd_shutdown(h, 0);
  nbd_close(h);
}

// A connection taken from the pool for one call; returned on destruction.
class NbdDisk::Lease {
 public:
  explicit Lease(const NbdDisk& disk) : disk_(disk) {
    std::unique_lock lock(disk_.mu_);
    disk_.freed_.wait(lock, [&] { return !disk_.free_.empty(); });
    h_ = disk_.free_.back();
    disk_.free_.pop_back();
  }
  ~Lease() {
    {
      std::lock_guard lock(disk_.mu_);
      disk_.free_.push_back(h_);
    }
    disk_.freed_.notify_one();
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  nbd_handle* get() const { return h_; }

 private:
  const NbdDisk& disk_;
  nbd_handle* h_ = nullptr;
};

Result<std::unique_ptr<NbdDisk>> NbdDisk::Open(const NbdDiskOptions& options) {
  if (options.socket.empty()) return Status::InvalidArgument("NBD disk: no socket given");
  std::unique_ptr<NbdDisk> disk(new NbdDisk());
  disk->name_ = "nbd+unix:///" + options.export_name + "?socket=" + options.socket;
  if (!options.dirty_bitmap.empty()) disk->bitmap_context_ = "qemu:dirty-bitmap:" + options.dirty_bitmap;
  const int connections = std::max(1, options.connections);
  for (int i = 0; i < connections; ++i) {
    Handle h(nbd_create());
    if (!h) return NbdError("nbd_create");
    if (nbd_set_export_name(h.get(), options.export_name.c_str()) == -1) return NbdError("nbd_set_export_name");
    if (nbd_add_meta_context(h.get(), kAllocationContext) == -1) return NbdError("nbd_add_meta_context");
    if (!disk->bitmap_context_.empty() && nbd_add_meta_context(h.get(), disk->bitmap_context_.c_str()) == -1)
      return NbdError("nbd_add_meta_context");
    if (nbd_connect_unix(h.get(), options.socket.c_str()) == -1) {
      const char* msg = nbd_get_error();
      return Status::Unavailable("cannot open " + disk->name_ + ": " + (msg != nullptr ? msg : "?"));
    }
    if (i == 0) {
      const int64_t size = nbd_get_size(h.get());
      if (size < 0) return NbdError("nbd_get_size");
      disk->size_ = static_cast<uint64_t>(size);
      if (!disk->bitmap_context_.empty() && nbd_can_meta_context(h.get(), disk->bitmap_context_.c_str()) != 1)
        return Status::NotFound(disk->name_ + " does not offer the meta context " + disk->bitmap_context_);
      if (nbd_can_meta_context(h.get(), kAllocationContext) != 1)
        return Status::NotSupported(disk->name_ + " does not offer " + kAllocationContext);
    }
    disk->free_.push_back(h.get());
    disk->handles_.push_back(std::move(h));
  }
  return disk;
}

NbdDisk::~NbdDisk() = default;

Status NbdDisk::Read(uint64_t offset, std::span<std::byte> out) const {
  if (offset > size_ || out.size() > size_ - offset)
    return Status::OutOfRange(name_ + ": read beyond the end of the disk");
  Lease lease(*this);
  for (uint64_t done = 0; done < out.size();) {
    const uint64_t len = std::min<uint64_t>(kMaxRead, out.size() - done);
    if (nbd_pread(lease.get(), out.data() + done, len, offset + done, 0) == -1)
      return NbdError(name_ + ": read at " + std::to_string(offset + done));
    done += len;
  }
  return Status::OK();
}

Status NbdDisk::BlockStatus(const std::string& context, uint64_t offset, uint64_t length,
                            const std::function<void(uint64_t, uint64_t, uint32_t)>& each) const {
  const uint64_t end = offset + std::min(length, size_ - std::min(offset, size_));
  Lease lease(*this);
  StatusWalk walk{&context, offset, end, &each};
  while (walk.pos < end) {
    const uint64_t before = walk.pos;
    const uint64_t count = std::min(kMaxStatus, end - walk.pos);
    if (nbd_block_status(lease.get(), count, walk.pos, nbd_extent_callback{OnExtents, &walk, nullptr}, 0) == -1)
      return NbdError(name_ + ": block status of " + context + " at " + std::to_string(walk.pos));
    if (walk.pos == before)
      return Status::Corruption(name_ + ": the server described no extent of " + context + " at " +
                                std::to_string(before));
  }
  return Status::OK();
}

Result<std::vector<qcow2::Extent>> NbdDisk::Map(uint64_t offset, uint64_t length) const {
  std::vector<qcow2::Extent> extents;
  if (offset >= size_) return extents;
  Status s = BlockStatus(kAllocationContext, offset, length, [&](uint64_t off, uint64_t len, uint32_t flags) {
    // A hole that does not promise zeros must still be read.
    qcow2::ExtentKind kind = qcow2::ExtentKind::kData;
    if (flags & LIBNBD_STATE_ZERO)
      kind = (flags & LIBNBD_STATE_HOLE) ? qcow2::ExtentKind::kUnallocated : qcow2::ExtentKind::kZero;
    qcow2::AppendExtent(extents, qcow2::Extent{off, len, kind, 0, false, 0});
  });
  if (!s.ok()) return s;
  return extents;
}

Result<std::vector<ChangedRange>> NbdDisk::DirtyExtents() const {
  if (bitmap_context_.empty()) return Status::NotFound(name_ + ": opened without a dirty bitmap");
  std::vector<ChangedRange> ranges;
  Status s = BlockStatus(bitmap_context_, 0, size_, [&](uint64_t off, uint64_t len, uint32_t flags) {
    if ((flags & 1) == 0) return;  // bit 0: dirty
    if (!ranges.empty() && ranges.back().offset + ranges.back().length == off) {
      ranges.back().length += len;
    } else {
      ranges.push_back(ChangedRange{off, len});
    }
  });
  if (!s.ok()) return s;
  return ranges;
}

}  // namespace cairn::datamover::libvirt
