#include "common/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>
#include <linux/falloc.h>
#include <string>

namespace cairn {

Result<std::pair<uint64_t, uint64_t>> File::NextData(uint64_t from) const {
  CAIRN_ASSIGN_OR_RETURN(uint64_t size, Size());
  if (from >= size) return std::pair<uint64_t, uint64_t>{size, size};
  return std::pair<uint64_t, uint64_t>{from, size};
}

Status File::ZeroRange(uint64_t offset, uint64_t length) {
  std::vector<std::byte> zeros(std::min<uint64_t>(length, 1 << 20));
  for (uint64_t done = 0; done < length;) {
    const uint64_t n = std::min<uint64_t>(zeros.size(), length - done);
    CAIRN_RETURN_IF_ERROR(WriteAt(offset + done, std::span(zeros).first(n)));
    done += n;
  }
  return Status::OK();
}

namespace {

class PosixFile final : public File {
 public:
  PosixFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixFile() override { ::close(fd_); }
  PosixFile(const PosixFile&) = delete;
  PosixFile& operator=(const PosixFile&) = delete;

  Status ReadAt(uint64_t offset, std::span<std::byte> out) const override {
    size_t done = 0;
    while (done < out.size()) {
      ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno(errno, "read " + path_ + " at offset " + std::to_string(offset + done));
      }
      if (n == 0) {
        return Status::OutOfRange("read of " + std::to_string(out.size()) + " bytes at offset " +
                                  std::to_string(offset) + " crosses the end of " + path_);
      }
      done += static_cast<size_t>(n);
    }
    return Status::OK();
  }

  Status WriteAt(uint64_t offset, std::span<const std::byte> data) override {
    size_t done = 0;
    while (done < data.size()) {
      ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno(errno, "write " + path_ + " at offset " + std::to_string(offset + done));
      }
      done += static_cast<size_t>(n);
    }
    return Status::OK();
  }

  Status Sync() override {
    if (::fsync(fd_) != 0) return Status::FromErrno(errno, "fsync " + path_);
    return Status::OK();
  }

  void StartWriteback(uint64_t offset, uint64_t length) override {
    // Errors do not matter here: Sync() reports them.
    (void)::sync_file_range(fd_, static_cast<off_t>(offset), static_cast<off_t>(length), SYNC_FILE_RANGE_WRITE);
  }

  Status Truncate(uint64_t size) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return Status::FromErrno(errno, "truncate " + path_);
    return Status::OK();
  }

  Result<uint64_t> Size() const override {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return Status::FromErrno(errno, "stat " + path_);
    if (S_ISBLK(st.st_mode)) {
      off_t end = ::lseek(fd_, 0, SEEK_END);
      if (end < 0) return Status::FromErrno(errno, "size of block device " + path_);
      return static_cast<uint64_t>(end);
    }
    return static_cast<uint64_t>(st.st_size);
  }

  Result<std::pair<uint64_t, uint64_t>> NextData(uint64_t from) const override {
    CAIRN_ASSIGN_OR_RETURN(uint64_t size, Size());
    if (from >= size) return std::pair<uint64_t, uint64_t>{size, size};
    off_t data = ::lseek(fd_, static_cast<off_t>(from), SEEK_DATA);
    if (data < 0) {
      if (errno == ENXIO) return std::pair<uint64_t, uint64_t>{size, size};
      if (errno == EINVAL || errno == ENOTSUP) return File::NextData(from);  // no hole support
      return Status::FromErrno(errno, "seek data in " + path_);
    }
    off_t hole = ::lseek(fd_, data, SEEK_HOLE);
    if (hole < 0) return Status::FromErrno(errno, "seek hole in " + path_);
    return std::pair<uint64_t, uint64_t>{static_cast<uint64_t>(data), std::min<uint64_t>(size, hole)};
  }

  Status ZeroRange(uint64_t offset, uint64_t length) override {
    if (length == 0) return Status::OK();
    // Block devices and most file systems zero in place (write-zeroes or
    // unwritten extents); fall back to writing zeros where they cannot.
    if (::fallocate(fd_, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                    static_cast<off_t>(length)) == 0)
      return Status::OK();
    if (errno != EOPNOTSUPP && errno != ENOSYS && errno != EINVAL)
      return Status::FromErrno(errno, "zero range of " + path_);
    return File::ZeroRange(offset, length);
  }

  const std::string& name() const override { return path_; }

 private:
  int fd_;
  std::string path_;
};

}  // namespace

std::unique_ptr<File> AdoptPosixFd(int fd, std::string name) { return std::make_unique<PosixFile>(fd, std::move(name)); }

Result<std::unique_ptr<File>> OpenPosixFile(const std::string& path, OpenMode mode) {
  int flags = O_CLOEXEC;
  switch (mode) {
    case OpenMode::kReadOnly: flags |= O_RDONLY; break;
    case OpenMode::kReadWrite: flags |= O_RDWR; break;
    case OpenMode::kCreate: flags |= O_RDWR | O_CREAT | O_EXCL; break;
    case OpenMode::kCreateTruncate: flags |= O_RDWR | O_CREAT | O_TRUNC; break;
  }
  int fd;
  do {
    fd = ::open(path.c_str(), flags, 0644);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return Status::FromErrno(errno, "open " + path);
  return std::unique_ptr<File>(std::make_unique<PosixFile>(fd, path));
}

}  // namespace cairn
