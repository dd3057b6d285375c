#include "datamover/libvirt/schema_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>

namespace cairn::datamover::libvirt {
namespace {

std::mutex& ProcessMutex() {
  static std::mutex mu;
  return mu;
}

}  // namespace

const char* SchemaLock::LockFilePath() { return "/run/lock/cairn-libvirt-schema.lock"; }

SchemaLock::SchemaLock() {
  ProcessMutex().lock();
  fd_ = ::open(LockFilePath(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd_ < 0) return;  // no shared lock directory: the process mutex alone
  int r;
  do {
    r = ::flock(fd_, LOCK_EX);
  } while (r != 0 && errno == EINTR);
  if (r != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

SchemaLock::~SchemaLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the flock
  ProcessMutex().unlock();
}

}  // namespace cairn::datamover::libvirt
