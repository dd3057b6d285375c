// ImageWriter: writes a new qcow2 (version 3) image cluster by cluster.
//
// Data clusters are appended to the file as they come (runs of clusters in
// one write, compressed clusters packed into large buffers); L2 tables, the L1
// table and the refcount structures are kept in memory and written in a few
// large writes by Finish(), followed by the header. Until Finish() returns,
// the file's first cluster is zeros, so a half-written image is never taken
// for a valid qcow2. The result passes `qemu-img check` without errors or
// leaks.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/file.h"
#include "common/status.h"
#include "qcow2/format.h"

namespace cairn::qcow2 {

struct WriterOptions {
  uint64_t virtual_size = 0;  // rounded up to a multiple of 512, as QEMU does
  uint32_t cluster_size = kDefaultClusterSize;  // a power of two, 512 B .. 2 MiB
  std::string backing_file;                     // stored as given (use a name relative to the image)
  std::string backing_format;                   // "qcow2", "raw" or empty
  // When set, WriteCluster() compresses clusters with this algorithm; zstd
  // also sets the header's compression type.
  std::optional<CompressionType> compression;
  int compression_level = 0;  // 0: the algorithm's default
  bool sync = false;          // fsync the file in Finish()
};

// What Finish() wrote.
struct WriterStats {
  uint64_t data_clusters = 0;        // stored uncompressed
  uint64_t compressed_clusters = 0;  // stored compressed
  uint64_t zero_clusters = 0;        // recorded with the zero flag
  uint64_t file_size = 0;
};

class ImageWriter {
 public:
  // Starts an image in `file`, which must be empty (it is not truncated here:
  // on ext4 a truncate-then-rewrite forces writeback at close). Validates the options:
  // cluster size, backing name length (it must fit in the first cluster).
  static Result<std::unique_ptr<ImageWriter>> Create(std::unique_ptr<File> file, const WriterOptions& options);

  uint64_t cluster_size() const { return cluster_size_; }
  uint64_t virtual_size() const { return header_.size; }
  // Number of guest clusters (the last one may be partial).
  uint64_t cluster_count() const { return cluster_count_; }
  const std::string& name() const { return file_->name(); }

  // Stores guest clusters [first, first + n) uncompressed, from `data` of n
  // whole clusters; a run that ends with the disk's last cluster may end
  // short (the rest is zero). Thread-safe; a later write of a cluster
  // replaces an earlier one.
  Status WriteClusters(uint64_t first, std::span<const std::byte> data);
  // Stores one guest cluster (data as for WriteClusters), compressed when a
  // compression type is set and that makes it smaller. Thread-safe.
  Status WriteCluster(uint64_t index, std::span<const std::byte> data);
  // Stores already compressed bytes (smaller than a cluster) for one guest
  // cluster. Thread-safe.
  Status WriteCompressedCluster(uint64_t index, std::span<const std::byte> compressed);
  // Records guest clusters [first, first + n) as zeros (hiding backing data).
  Status WriteZeroClusters(uint64_t first, uint64_t n);

  // Writes the L2 and L1 tables, the refcount structures and the header, and
  // fsyncs when asked. Call once, after every write has returned; no writes
  // may follow.
  Result<WriterStats> Finish();

 private:
  ImageWriter(std::unique_ptr<File> file, Header header, const WriterOptions& options);

  Status CheckRange(uint64_t first, uint64_t n) const;
  // Sets the L2 entry of a guest cluster; caller holds mu_.
  void SetEntryLocked(uint64_t index, uint64_t entry);
  // Takes the pack buffer for writing (caller holds mu_); empty when none.
  std::pair<uint64_t, std::vector<std::byte>> TakePackLocked();
  Status WritePack(std::pair<uint64_t, std::vector<std::byte>> pack);

  std::unique_ptr<File> file_;
  Header header_;
  WriterOptions options_;
  uint64_t cluster_size_;
  uint64_t cluster_count_;
  bool finished_ = false;

  std::mutex mu_;
  uint64_t next_free_;                              // next free host byte
  std::vector<std::unique_ptr<uint64_t[]>> l2_;     // per L1 index, host-order entries
  std::vector<std::byte> pack_;                     // compressed clusters not yet written
  uint64_t pack_base_ = 0;                          // host offset of pack_[0]
  std::vector<std::vector<std::byte>> spare_packs_; // buffers to reuse
  uint64_t pack_cluster_ = 0;                       // host cluster the pack's tail is in
  uint32_t pack_cluster_entries_ = 0;               // compressed clusters touching it
};

}  // namespace cairn::qcow2
