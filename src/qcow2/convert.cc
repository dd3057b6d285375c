#include "qcow2/convert.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <thread>
#include <vector>

#include "common/file.h"
#include "qcow2/writer.h"
#include "qcow2/zero.h"

namespace cairn::qcow2 {
namespace {

constexpr uint64_t kChunkBytes = 4 * 1024 * 1024;  // the unit a worker takes
constexpr uint64_t kRawBlock = 4096;               // sparse granularity of raw output

uint64_t AlignDown(uint64_t a, uint64_t b) { return a / b * b; }
uint64_t AlignUp(uint64_t a, uint64_t b) { return (a + b - 1) / b * b; }

Status SyncDirectoryOf(const std::string& path) {
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "open directory " + dir);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return Status::FromErrno(err, "fsync directory " + dir);
  return Status::OK();
}

// The conversion's shared state; each worker thread runs Work().
class Converter {
 public:
  Converter(const Disk& source, const ConvertOptions& options, File* raw_out, ImageWriter* qcow2_out,
            bool zero_gaps)
      : source_(source), options_(options), raw_out_(raw_out), qcow2_out_(qcow2_out), zero_gaps_(zero_gaps),
        block_(qcow2_out ? qcow2_out->cluster_size() : kRawBlock),
        chunk_(std::max<uint64_t>(block_, kChunkBytes)) {}

  void Work() {
    std::vector<std::byte> buf(chunk_);
    while (!failed_.load(std::memory_order_relaxed)) {
      if (options_.cancel && options_.cancel->load()) {
        Fail(Status::Cancelled("conversion cancelled"));
        return;
      }
      const uint64_t start = next_.fetch_add(chunk_);
      if (start >= source_.virtual_size()) return;
      const uint64_t end = std::min(start + chunk_, source_.virtual_size());
      Status s = DoChunk(start, end, buf);
      if (!s.ok()) {
        Fail(std::move(s));
        return;
      }
      const uint64_t done = done_.fetch_add(end - start) + (end - start);
      if (options_.progress) options_.progress(done, source_.virtual_size());
    }
  }

  Status status() {
    std::lock_guard lock(mu_);
    return first_error_;
  }
  ConvertStats stats() const {
    ConvertStats s;
    s.virtual_size = source_.virtual_size();
    s.bytes_read = bytes_read_;
    s.bytes_stored = bytes_stored_;
    s.zero_bytes_skipped = zero_skipped_;
    return s;
  }

 private:
  void Fail(Status s) {
    std::lock_guard lock(mu_);
    if (first_error_.ok()) first_error_ = std::move(s);
    failed_ = true;
  }

  Status DoChunk(uint64_t start, uint64_t end, std::vector<std::byte>& buf) {
    zeroed_to_ = start;
    CAIRN_RETURN_IF_ERROR(CopyChunk(start, end, buf));
    return ZeroGapTo(end);
  }

  // In-place output: makes [zeroed_to_, offset) read as zeros (everything in a
  // chunk before the next stored range). Stores come in ascending order.
  Status ZeroGapTo(uint64_t offset) {
    if (!zero_gaps_ || offset <= zeroed_to_) return Status::OK();
    CAIRN_RETURN_IF_ERROR(raw_out_->ZeroRange(zeroed_to_, offset - zeroed_to_));
    zeroed_to_ = offset;
    return Status::OK();
  }

  Status CopyChunk(uint64_t start, uint64_t end, std::vector<std::byte>& buf) {
    CAIRN_ASSIGN_OR_RETURN(auto extents, source_.Map(start, end - start));
    // The data extents, widened to whole output blocks, merged.
    uint64_t run_start = 0, run_end = 0;
    for (const Extent& e : extents) {
      if (e.kind != ExtentKind::kData) continue;
      const uint64_t s = AlignDown(e.offset, block_), t = std::min(AlignUp(e.end(), block_), end);
      if (run_end > run_start && s <= run_end) {
        run_end = std::max(run_end, t);
        continue;
      }
      CAIRN_RETURN_IF_ERROR(CopyRange(run_start, run_end, start, buf));
      run_start = s;
      run_end = t;
    }
    return CopyRange(run_start, run_end, start, buf);
  }

  // Reads [from, to) and stores its non-zero blocks.
  Status CopyRange(uint64_t from, uint64_t to, uint64_t chunk_start, std::vector<std::byte>& buf) {
    if (to <= from) return Status::OK();
    std::span<std::byte> data = std::span(buf).subspan(from - chunk_start, to - from);
    CAIRN_RETURN_IF_ERROR(source_.Read(from, data));
    bytes_read_ += data.size();
    uint64_t nonzero_start = 0;
    bool in_run = false;
    for (uint64_t off = 0;; off = std::min<uint64_t>(off + block_, data.size())) {
      const bool at_end = off >= data.size();
      const uint64_t n = at_end ? 0 : std::min<uint64_t>(block_, data.size() - off);
      const bool zero = at_end || IsAllZero(data.subspan(off, n));
      if (!at_end && zero) zero_skipped_ += n;
      if (!zero && !in_run) {
        nonzero_start = off;
        in_run = true;
      } else if (zero && in_run) {
        CAIRN_RETURN_IF_ERROR(Store(from + nonzero_start, data.subspan(nonzero_start, off - nonzero_start)));
        in_run = false;
      }
      if (at_end) break;
    }
    return Status::OK();
  }

  Status Store(uint64_t offset, std::span<const std::byte> data) {
    bytes_stored_ += data.size();
    if (raw_out_) {
      CAIRN_RETURN_IF_ERROR(ZeroGapTo(offset));
      zeroed_to_ = offset + data.size();
      CAIRN_RETURN_IF_ERROR(raw_out_->WriteAt(offset, data));
      if (options_.sync) raw_out_->StartWriteback(offset, data.size());
      return Status::OK();
    }
    const uint64_t first = offset / block_;
    if (!options_.compression) return qcow2_out_->WriteClusters(first, data);
    for (uint64_t i = 0; i * block_ < data.size(); ++i) {
      auto cluster = data.subspan(i * block_, std::min<uint64_t>(block_, data.size() - i * block_));
      CAIRN_RETURN_IF_ERROR(qcow2_out_->WriteCluster(first + i, cluster));
    }
    return Status::OK();
  }

  const Disk& source_;
  const ConvertOptions& options_;
  File* raw_out_;
  ImageWriter* qcow2_out_;
  const bool zero_gaps_;
  static thread_local uint64_t zeroed_to_;  // per worker: the chunk is zeroed/written up to here
  const uint64_t block_;
  const uint64_t chunk_;
  std::atomic<uint64_t> next_{0};
  std::atomic<uint64_t> done_{0};
  std::atomic<uint64_t> bytes_read_{0}, bytes_stored_{0}, zero_skipped_{0};
  std::atomic<bool> failed_{false};
  std::mutex mu_;
  Status first_error_;
};

thread_local uint64_t Converter::zeroed_to_ = 0;

}  // namespace

Result<ConvertStats> ConvertDisk(const Disk& source, const std::string& output_path, const ConvertOptions& options) {
  struct stat st {};
  const bool block_device = ::stat(output_path.c_str(), &st) == 0 && S_ISBLK(st.st_mode);
  const bool in_place = block_device || options.write_in_place;
  if (in_place && options.format != OutputFormat::kRaw)
    return Status::InvalidArgument(output_path + ": only raw output can be written in place or to a block device");
  const std::string write_path = in_place ? output_path : output_path + ".part";

  auto run = [&]() -> Result<ConvertStats> {
    // A stale temporary file from a crashed run is removed rather than
    // truncated (ext4 forces writeback at close of a truncated-and-rewritten file).
    if (!in_place) ::unlink(write_path.c_str());
    CAIRN_ASSIGN_OR_RETURN(auto file, OpenPosixFile(write_path, in_place ? OpenMode::kReadWrite : OpenMode::kCreate));
    std::unique_ptr<ImageWriter> writer;
    if (options.format == OutputFormat::kQcow2) {
      WriterOptions wo;
      wo.virtual_size = source.virtual_size();
      wo.cluster_size = options.cluster_size;
      wo.compression = options.compression;
      wo.compression_level = options.compression_level;
      wo.sync = options.sync;
      CAIRN_ASSIGN_OR_RETURN(writer, ImageWriter::Create(std::move(file), wo));
    } else if (!block_device) {
      CAIRN_ASSIGN_OR_RETURN(uint64_t size, file->Size());
      if (!in_place || size < source.virtual_size()) CAIRN_RETURN_IF_ERROR(file->Truncate(source.virtual_size()));
    } else {
      CAIRN_ASSIGN_OR_RETURN(uint64_t dev_size, file->Size());
      if (dev_size < source.virtual_size())
        return Status::InvalidArgument(output_path + ": block device is smaller than the disk");
    }

    Converter converter(source, options, writer ? nullptr : file.get(), writer.get(), in_place);
    int threads = options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
    threads = std::max(1, threads);
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back([&] { converter.Work(); });
    converter.Work();
    for (auto& t : pool) t.join();
    CAIRN_RETURN_IF_ERROR(converter.status());

    ConvertStats stats = converter.stats();
    if (writer) {
      CAIRN_ASSIGN_OR_RETURN(WriterStats ws, writer->Finish());
      stats.output_file_size = ws.file_size;
    } else {
      if (options.sync) CAIRN_RETURN_IF_ERROR(file->Sync());
      stats.output_file_size = source.virtual_size();
    }
    return stats;
  };

  auto result = run();
  if (in_place) return result;
  if (!result.ok()) {
    ::unlink(write_path.c_str());
    return result;
  }
  if (::rename(write_path.c_str(), output_path.c_str()) != 0) {
    Status s = Status::FromErrno(errno, "rename " + write_path + " to " + output_path);
    ::unlink(write_path.c_str());
    return s;
  }
  if (options.sync) CAIRN_RETURN_IF_ERROR(SyncDirectoryOf(output_path));
  return result;
}

}  // namespace cairn::qcow2
