// File: a file read and written at explicit offsets, and its POSIX implementation.
//
// The image code and (later) the backup target reach storage only through this
// interface, so tests can substitute an in-memory or fault-injecting file, as
// LevelDB's Env allows. Implementations must allow concurrent ReadAt/WriteAt
// calls from several threads on distinct byte ranges.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "common/status.h"

namespace cairn {

class File {
 public:
  virtual ~File() = default;

  // Reads exactly out.size() bytes at offset. A read that would cross the end
  // of the file fails with OutOfRange and names the file.
  virtual Status ReadAt(uint64_t offset, std::span<std::byte> out) const = 0;
  // Writes all of data at offset, extending the file when needed.
  virtual Status WriteAt(uint64_t offset, std::span<const std::byte> data) = 0;
  // Flushes written data and metadata to stable storage.
  virtual Status Sync() = 0;
  // A hint that [offset, offset + length) is written and will be synced:
  // start writing it back now, without waiting, so that the later Sync()
  // overlaps with the work in between. The default does nothing.
  virtual void StartWriteback(uint64_t offset, uint64_t length) {
    (void)offset;
    (void)length;
  }
  // Sets the file's size (extending with a hole, or cutting).
  virtual Status Truncate(uint64_t size) = 0;
  // Makes [offset, offset + length) read as zeros (on a block device too),
  // without growing the file past its size. The default writes zero buffers.
  virtual Status ZeroRange(uint64_t offset, uint64_t length);
  // The current size in bytes.
  virtual Result<uint64_t> Size() const = 0;
  // Finds the first byte at or after `from` that may hold data: returns the
  // range [start, end) of that data, or {size, size} when only holes remain.
  // Files that cannot tell holes report everything as data.
  virtual Result<std::pair<uint64_t, uint64_t>> NextData(uint64_t from) const;
  // The name used in messages (a path for files on disk).
  virtual const std::string& name() const = 0;
};

enum class OpenMode {
  kReadOnly,        // existing file, read only
  kReadWrite,       // existing file, read and write
  kCreate,          // create; fail if it exists
  kCreateTruncate,  // create or truncate to empty
};

// Opens a file on the local (or NFS-mounted) file system.
Result<std::unique_ptr<File>> OpenPosixFile(const std::string& path, OpenMode mode);
// Wraps an open file descriptor (which the File then owns and closes);
// `name` is used in messages.
std::unique_ptr<File> AdoptPosixFd(int fd, std::string name);

}  // namespace cairn
