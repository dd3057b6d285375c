#include "target/directory_probe.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <random>
#include <vector>

#include "common/strings.h"
#include "target/unique_fd.h"

namespace cairn::target {
namespace {

std::string RandomHex() {
  std::random_device rd;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%08x%08x", static_cast<unsigned>(rd()), static_cast<unsigned>(rd()));
  return buf;
}

Status WriteAll(int fd, const std::vector<unsigned char>& data, const std::string& file) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, "write " + file);
    }
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

Status ReadAndCompare(const std::string& file, const std::vector<unsigned char>& expected) {
  UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return Status::FromErrno(errno, "read " + file + ": open");
  std::vector<unsigned char> got(expected.size() + 1);
  size_t done = 0;
  while (done < got.size()) {
    const ssize_t n = ::pread(fd.get(), got.data() + done, got.size() - done, static_cast<off_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, "read " + file);
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  if (done != expected.size()) {
    return Status::Corruption("read " + file + ": " + std::to_string(done) + " bytes read back, " +
                              std::to_string(expected.size()) + " written");
  }
  got.resize(done);
  if (got != expected) return Status::Corruption("read " + file + ": the bytes read back differ from those written");
  return Status::OK();
}

}  // namespace

Status CheckIsDirectory(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT) return Status::NotFound(path + " does not exist");
    if (err == ENOTDIR) return Status::NotFound(path + " does not exist (a component of it is not a directory)");
    return Status::FromErrno(err, "stat " + path);
  }
  if (!S_ISDIR(st.st_mode)) return Status::InvalidArgument(path + " is not a directory");
  return Status::OK();
}

Status ProbeWritable(const std::string& path, size_t size) {
  const std::string file = path + "/.cairn-probe-" + RandomHex();
  std::vector<unsigned char> data(size);
  std::mt19937_64 rng(std::random_device{}());
  for (auto& b : data) b = static_cast<unsigned char>(rng());

  Status status;
  {
    UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (fd.get() < 0) return Status::FromErrno(errno, "create " + file);
    status = WriteAll(fd.get(), data, file);
    if (status.ok() && ::fsync(fd.get()) != 0) status = Status::FromErrno(errno, "fsync " + file);
  }
  if (status.ok()) status = ReadAndCompare(file, data);
  if (::unlink(file.c_str()) != 0 && status.ok()) status = Status::FromErrno(errno, "remove " + file);
  return status;
}

Result<SpaceInfo> GetSpaceInfo(const std::string& path) {
  struct statvfs vfs {};
  if (::statvfs(path.c_str(), &vfs) != 0) return Status::FromErrno(errno, "statvfs " + path);
  SpaceInfo info;
  info.total_bytes = static_cast<uint64_t>(vfs.f_blocks) * vfs.f_frsize;
  info.available_bytes = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
  return info;
}

Result<bool> IsMountPoint(const std::string& path) {
  struct stat self {};
  struct stat parent {};
  if (::stat(path.c_str(), &self) != 0) return Status::FromErrno(errno, "stat " + path);
  const std::string up = path + "/..";
  if (::stat(up.c_str(), &parent) != 0) return Status::FromErrno(errno, "stat " + up);
  return self.st_dev != parent.st_dev || self.st_ino == parent.st_ino;
}

Status CheckFreeSpace(const std::string& path, uint64_t needed, const std::string& what) {
  CAIRN_ASSIGN_OR_RETURN(SpaceInfo space, GetSpaceInfo(path));
  if (space.available_bytes >= needed) return Status::OK();
  return Status::OutOfRange(what + " needs " + HumanBytes(needed) + " free in " + path + ", only " +
                            HumanBytes(space.available_bytes) + " are: free space there, or make it larger");
}

}  // namespace cairn::target
