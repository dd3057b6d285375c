// Checks of a POSIX target directory from the node that will use it, for
// `cairn-manage preflight`: that it is a directory, that a file written
// there reads back the same after fsync, and how much space is free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/status.h"

namespace cairn::target {

// OK when `path` exists and is a directory (symbolic links followed).
// NotFound when it does not exist, InvalidArgument when it is something else,
// IOError for other stat failures; each message names the path.
Status CheckIsDirectory(const std::string& path);

// Writes `size` random bytes to a new hidden file in `path`
// (".cairn-probe-<random>"), fsyncs it, reads it back through a second
// descriptor, compares, and removes it (also when a step failed). OK when
// every step succeeded and the bytes matched; otherwise the error of the step
// that failed (Status::FromErrno: NotFound for ENOENT, IOError for most
// others), its message naming the step ("create", "write", "fsync", "read",
// "remove") and the file, or Corruption when the bytes read differ.
Status ProbeWritable(const std::string& path, size_t size = 64 * 1024);

// The file system's space as statvfs reports it.
struct SpaceInfo {
  uint64_t total_bytes = 0;
  uint64_t available_bytes = 0;  // free to unprivileged users (f_bavail)
};

// statvfs(path). Status::FromErrno naming the path on failure.
Result<SpaceInfo> GetSpaceInfo(const std::string& path);

// True when the directory `path` is a mount point: another file system than
// its parent's (or the root). Symbolic links in `path` are followed.
// Status::FromErrno naming the path when it cannot be examined.
Result<bool> IsMountPoint(const std::string& path);

// OK when the file system holding `path` has at least `needed` bytes free to
// Cairn; otherwise OutOfRange saying what needs the room, how much and how
// much is free (`what`: "staging the boot disk of VM x").
Status CheckFreeSpace(const std::string& path, uint64_t needed, const std::string& what);

}  // namespace cairn::target
