// Store: the backup target as Cairn's data plane sees it — a tree of files
// addressed by relative paths ("workload_<id>/snapshot_<id>/...").
//
// The contract is deliberately narrow so that an object store (S3) can
// implement it later: files are created, written at offsets, read at
// offsets, listed, removed and renamed; small files are replaced atomically.
// No memory mapping, no hard links, no partial-file appends by name.
// Paths are relative, '/'-separated, without "." or ".." components; a path
// that escapes the root is rejected with InvalidArgument. Names starting with
// '.' are reserved for the store itself (temporary files, locks) and refused.
// The empty path means the root where a directory is expected (Exists, List,
// SyncDirectory, LocalPath). Implementations do not follow symbolic links
// inside the tree. All methods are safe to call from several threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/file.h"
#include "common/status.h"

namespace cairn::target {

// Held while a job writes a workload's chains; released on destruction.
class WorkloadLock {
 public:
  virtual ~WorkloadLock() = default;
};

class Store {
 public:
  virtual ~Store() = default;

  // A description for messages and logs, e.g. "posix:/mnt/backup".
  virtual std::string Describe() const = 0;

  // Opens an existing file for reading. NotFound when it does not exist.
  virtual Result<std::unique_ptr<File>> OpenForRead(const std::string& path) = 0;
  // Creates a new empty file for writing, with its parent directories.
  // AlreadyExists when the path exists.
  virtual Result<std::unique_ptr<File>> Create(const std::string& path) = 0;
  // Replaces (or creates) a small file atomically: readers see the old or the
  // new contents, never a mix, also after a crash (write temp, fsync, rename,
  // fsync directory).
  virtual Status WriteAtomic(const std::string& path, std::span<const std::byte> data) = 0;
  // Reads a whole small file; OutOfRange when it is larger than max_bytes.
  virtual Result<std::string> ReadSmall(const std::string& path, uint64_t max_bytes = 64 << 20) = 0;
  // Renames `from` to `to` atomically, replacing `to`, and makes it durable.
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // True when a file or directory exists at path.
  virtual Result<bool> Exists(const std::string& path) = 0;
  // The names (not paths) of the entries of a directory, sorted. NotFound
  // when the directory does not exist.
  virtual Result<std::vector<std::string>> List(const std::string& dir) = 0;
  // Removes a file; OK when it does not exist.
  virtual Status Remove(const std::string& path) = 0;
  // Removes a directory and everything below it; OK when it does not exist.
  virtual Status RemoveAll(const std::string& dir) = 0;
  // Bytes available to Cairn on the target.
  virtual Result<uint64_t> FreeSpace() = 0;
  // Makes the creation/removal of entries in `dir` durable.
  virtual Status SyncDirectory(const std::string& dir) = 0;
  // Takes the exclusive lock of a workload, waiting up to `timeout`;
  // Conflict when another job holds it after that. The lock works across
  // processes and, on NFS, across hosts.
  virtual Result<std::unique_ptr<WorkloadLock>> LockWorkload(const std::string& workload_id,
                                                             std::chrono::milliseconds timeout) = 0;
  // The local file system path of `path` when the store is a mounted
  // directory (qcow2 chains are opened through it), or NotSupported.
  virtual Result<std::string> LocalPath(const std::string& path) const = 0;
};

// Opens a store over a local or NFS-mounted directory (which must exist).
Result<std::unique_ptr<Store>> OpenPosixStore(const std::string& root);

}  // namespace cairn::target
