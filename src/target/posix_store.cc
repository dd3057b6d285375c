// The Store over a local or NFS-mounted directory. See docs/target-layout.md.
//
// Every operation opens the root by name and walks down to the parent of its
// path one component at a time with openat(O_NOFOLLOW | O_DIRECTORY), then
// acts relative to that directory's fd (openat, mkdirat, renameat, unlinkat).
// So no symbolic link below the root is ever followed, and a path string can
// never name anything outside the root. Opening the root per operation (and
// not once) follows a remount of the target instead of holding a stale
// handle to whatever was mounted when the store was opened.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>
#include <thread>

#include "target/layout.h"
#include "common/file.h"
#include "target/store.h"
#include "target/store_path.h"
#include "target/unique_fd.h"

namespace cairn::target {
namespace {

using Parts = std::vector<std::string>;

// Lock files live in <root>/.locks/workload_<id>.lock, outside the workload
// directories, so that deleting a workload's tree while holding its lock
// works (on NFS an open file that is unlinked becomes a ".nfsXXXX" file, and
// its directory cannot be removed until the file is closed) and taking a
// lock does not create a workload directory.
constexpr char kLockDir[] = ".locks";
constexpr mode_t kFileMode = 0640;  // backups are private to Cairn's user and group
constexpr mode_t kDirMode = 0750;
constexpr auto kLockPollMin = std::chrono::milliseconds(10);
constexpr auto kLockPollMax = std::chrono::milliseconds(200);
// A temporary of WriteAtomic this much older than the file it was for is
// a crashed writer's leftover.
constexpr std::chrono::seconds kStaleTemp(3600);
constexpr int kMaxRemoveDepth = 64;

struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};
using UniqueDir = std::unique_ptr<DIR, DirCloser>;

template <typename F>
auto RetryEintr(F f) {
  decltype(f()) rc;
  do {
    rc = f();
  } while (rc < 0 && errno == EINTR);
  return rc;
}

bool IsSymlinkAt(int dir, const std::string& name) {
  struct stat st {};
  return ::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
}

// The error of a failed openat/fstatat of `name` in `dir`: a symbolic link
// is refused as InvalidArgument, anything else is errno's Status.
Status OpenError(int err, int dir, const std::string& name, const std::string& what) {
  if ((err == ELOOP || err == ENOTDIR) && IsSymlinkAt(dir, name)) {
    return Status::InvalidArgument(what + ": a symbolic link, and the store does not follow links below its root");
  }
  return Status::FromErrno(err, what);
}

Status WriteAll(int fd, std::span<const std::byte> data, const std::string& what) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, "write " + what);
    }
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

Status SyncFd(int fd, const std::string& what) {
  if (RetryEintr([&] { return ::fsync(fd); }) != 0) return Status::FromErrno(errno, "fsync " + what);
  return Status::OK();
}

// The names in an open directory, without "." and "..", unsorted.
Result<Parts> ReadNames(DIR* dir, const std::string& what) {
  Parts names;
  while (true) {
    errno = 0;
    const dirent* entry = ::readdir(dir);
    if (entry == nullptr) {
      if (errno != 0) return Status::FromErrno(errno, "list " + what);
      break;
    }
    const std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    names.emplace_back(name);
  }
  return names;
}

// Removes `name` in `parent` and, when it is a directory, everything below
// it. Symbolic links are removed, never followed. OK when it is gone already.
// `depth` bounds the recursion (and the directories held open) on a hostile
// tree; Cairn's own trees are a few levels deep.
Status RemoveTree(int parent, const std::string& name, const std::string& full, int depth = 0) {
  struct stat st {};
  if (::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return Status::OK();
    return Status::FromErrno(errno, "stat " + full);
  }
  if (!S_ISDIR(st.st_mode)) {
    if (::unlinkat(parent, name.c_str(), 0) != 0 && errno != ENOENT) return Status::FromErrno(errno, "remove " + full);
    return Status::OK();
  }
  const int fd = RetryEintr([&] { return ::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC); });
  if (fd < 0) {
    if (errno == ENOENT) return Status::OK();
    // Replaced by a link or a file since the fstatat: remove that instead.
    if (errno == ENOTDIR || errno == ELOOP) {
      if (::unlinkat(parent, name.c_str(), 0) != 0 && errno != ENOENT) return Status::FromErrno(errno, "remove " + full);
      return Status::OK();
    }
    return Status::FromErrno(errno, "open directory " + full);
  }
  UniqueDir dir(::fdopendir(fd));
  if (!dir) {
    const int err = errno;
    ::close(fd);
    return Status::FromErrno(err, "open directory " + full);
  }
  CAIRN_ASSIGN_OR_RETURN(Parts children, ReadNames(dir.get(), full));
  if (!children.empty() && depth >= kMaxRemoveDepth) {
    return Status::NotSupported("remove " + full + ": deeper than " + std::to_string(kMaxRemoveDepth) + " levels");
  }
  for (const std::string& child : children) {
    CAIRN_RETURN_IF_ERROR(RemoveTree(::dirfd(dir.get()), child, full + "/" + child, depth + 1));
  }
  dir.reset();
  if (::unlinkat(parent, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
    return Status::FromErrno(errno, "remove directory " + full);
  }
  return Status::OK();
}

std::string HolderInfo() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return "host=" + std::string(host) + " pid=" + std::to_string(::getpid()) + "\n";
}

class PosixWorkloadLock final : public WorkloadLock {
 public:
  explicit PosixWorkloadLock(UniqueFd fd) : fd_(std::move(fd)) {}
  ~PosixWorkloadLock() override {
    // Unlock explicitly (not only by closing) so that a copy of the fd
    // inherited by a forked child cannot keep the lock alive.
    struct flock fl {};
    fl.l_type = F_UNLCK;
    fl.l_whence = SEEK_SET;
    ::fcntl(fd_.get(), F_OFD_SETLK, &fl);
  }

 private:
  UniqueFd fd_;
};

class PosixStore final : public Store {
 public:
  explicit PosixStore(std::string root) : root_(std::move(root)) {}

  std::string Describe() const override { return "posix:" + root_; }

  Result<std::unique_ptr<File>> OpenForRead(const std::string& path) override {
    CAIRN_ASSIGN_OR_RETURN(Parts parts, SplitStorePath(path, false));
    CAIRN_ASSIGN_OR_RETURN(UniqueFd fd, OpenRegularFile(parts));
    return AdoptPosixFd(fd.Release(), Full(parts));
  }

  Result<std::unique_ptr<File>> Create(const std::string& path) override {
    CAIRN_ASSIGN_OR_RETURN(Parts parts, SplitStorePath(path, false));
    CAIRN_ASSIGN_OR_RETURN(UniqueFd dir, OpenDir(parts, parts.size() - 1, /*create=*/true));
    const std::string full = Full(parts);
    const int fd = RetryEintr([&] {
      return ::openat(dir.get(), parts.back().c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, kFileMode);
    });
    if (fd < 0) return Status::FromErrno(errno, "create " + full);
    return AdoptPosixFd(fd, full);
  }

  Status WriteAtomic(const std::string& path, std::span<const std::byte> data) override {
    CAIRN_ASSIGN_OR_RETURN(Parts parts, SplitStorePath(path, false));
    CAIRN_ASSIGN_OR_RETURN(UniqueFd dir, OpenDir(parts, parts.size() - 1, /*create=*/true));
    const std::string full = Full(parts);
    const std::string& name = parts.back();

    // A name no other writer uses: pid and counter, and O_EXCL against
    // another host with the same pid on a shared target.
    std::string temp;
    UniqueFd file;
    for (int attempt = 0; attempt < 100 && !file.valid(); ++attempt) {
      temp = TempName(name);
      const int fd = RetryEintr([&] {
        return ::openat(dir.get(), temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, kFileMode);
      });
      if (fd >= 0) {
        file = UniqueFd(fd);
      } else if (errno != EEXIST) {
        return Status::FromErrno(errno, "create temporary file for " + full);
      }
    }
    if (!file.valid()) return Status::AlreadyExists("no free temporary name for " + full);

    auto fail = [&](Status status) {
      file.Reset();
      ::unlinkat(dir.get(), temp.c_str(), 0);
      return status;
    };
    const std::string what = full + " (temporary " + temp + ")";
    if (Status s = WriteAll(file.get(), data, what); !s.ok()) return fail(s);
    if (Status s = SyncFd(file.get(), what); !s.ok()) return fail(s);
    // close() reports write-back errors on NFS.
    if (const int err = file.Close(); err != 0) return fail(Status::FromErrno(err, "close " + what));
    if (::renameat(dir.get(), temp.c_str(), dir.get(), name.c_str()) != 0) {
      return fail(Status::FromErrno(errno, "replace " + full));
    }
    CAIRN_RETURN_IF_ERROR(SyncFd(dir.get(), "directory of " + full));
    RemoveStaleTemps(dir.get(), name);
    return Status::OK();
  }

  Result<std::string> ReadSmall(const std::string& path, uint64_t max_bytes) override {
    CAIRN_ASSIGN_OR_RETURN(Parts parts, SplitStorePath(path, false));
    CAIRN_ASSIGN_OR_RETURN(UniqueFd fd, OpenRegularFile(parts));
    const std::string full = Full(parts);
    auto too_large = [&](uint64_t size) {
      return Status::OutOfRange(full + " is " + std::to_string(size) + " bytes or more, over the limit of " +
                                std::to_string(max_bytes) + " bytes");
    };
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return Status::FromErrno(errno, "stat " + full);
    if (static_cast<uint64_t>(st.st_size) > max_bytes) return too_large(static_cast<uint64_t>(st.st_size));
    // Read to the end, not to st_size: the file may have changed since.
    std::string out;
    out.reserve(static_cast<size_t>(st.st_size));
    char buf[64 * 1024];
    while (true) {
      const ssize_t n = ::read(fd.get(), buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno(errno, "read " + full);
      }
      if (n == 0) break;
      if (out.size() + static_cast<size_t>(n) > max_bytes) return too_large(out.size() + static_cast<size_t>(n));
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

  Status Rename(const std::string& from, const std::string& to) override {
    CAIRN_ASSIGN_OR_RETURN(Parts from_parts, SplitStorePath(from, false));
    CAIRN_ASSIGN_OR_RETURN(Parts to_parts, SplitStorePath(to, false));
    const std::string from_full = Full(from_parts);
    const std::string to_full = Full(to_parts);
    CAIRN_ASSIGN_OR_RETURN(UniqueFd from_dir, OpenDir(from_parts, from_parts.size() - 1, /*create=*/false));
    struct stat st {};
    if (::fstatat(from_dir.get(), from_parts.back().c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      return Status::FromErrno(errno, "rename " + from_full);
    }
    CAIRN_ASSIGN_OR_RETURN(UniqueFd to_dir, OpenDir(to_parts, to_parts.size() - 1, /*create=*/true));
    if (::renameat(from_dir.get(), from_parts.back().c_str(), to_dir.get(), to_parts.back().c_str()) != 0) {
      return Status::FromErrno(errno, "rename " + from_full + " to " + to_full);
    }
    CAIRN_RETURN_IF_ERROR(SyncFd(to_dir.get(), "directory of " + to_full));
    struct stat a {}, b {};
    if (::fstat(from_dir.get(), &a) != 0 || ::fstat(to_dir.get(), &b) != 0 || a.st_dev != b.st_dev ||
        a.st_ino != b.st_ino) {
      CAIRN_RETURN_IF_ERROR(SyncFd(from_dir.get(), "directory of " + from_full));
    }
    return Status::OK();
  }

  Result<bool> Exists(const std::string& path) override {
    CAIRN_ASSIGN_OR_RETURN(Parts parts, SplitStorePath(path, true));
    if (parts.empty()) {
      CAIRN_ASSIGN_OR_RETURN(UniqueFd root, OpenRoot());
      return true;
    }
    Result<UniqueFd> dir = OpenDir(parts, parts.size() - 1, /*create=*/false);
    if (!dir.ok()) {
      if (dir.status().IsNotFound()) return false;
      return dir.status();
    }
    struct stat st {};
    if (::fstatat(dir->get(), parts.back().c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) return true;
    if (errno == ENOENT || errno == ENOTDIR) return false;
    return Status::FromErrno(errno, "stat " + Full(parts));
  }

  Result<std::vector<std::string>> List(const std::string& dir_path) override {
    CAIRN_ASSIGN_OR_RETURN(Parts parts, SplitStorePath(dir_path, true));
    CAIRN_ASSIGN_OR_RETURN(UniqueFd fd, OpenDir(parts, parts.size(), /*create=*/false));
    const std::string full = Full(parts);
    UniqueDir dir(::fdopendir(fd.get()));
    if (!dir) return Status::FromErrno(errno, "open directory " + full);
    fd.Release();  // now owned by dir
    CAIRN_ASSIGN_OR_RETURN(Parts names, ReadNames(dir.get(), full));
    // Names starting with '.' are the store's own (temporaries of
    // WriteAtomic, locks) or the file system's (".snapshot", ".nfsXXXX").
    std::erase_if(names, [](const std::string& name) { return name.front() == '.'; });
    std::sort(names.begin(), names.end());
    return names;
  }

  Status Remove(const std::string& path) override {
    CAIRN_ASSIGN_OR_RETURN(Parts parts, SplitStorePath(path, false));
    Result<UniqueFd> dir = OpenDir(parts, parts.size() - 1, /*create=*/false);
    if (!dir.ok()) return dir.status().IsNotFound() ? Status::OK() : dir.status();
    if (::unlinkat(dir->get(), parts.back().c_str(), 0) != 0 && errno != ENOENT) {
      return Status::FromErrno(errno, "remove " + Full(parts));
    }
    return Status::OK();
  }

  Status RemoveAll(const std::string& dir_path) override {
    // The root itself is refused (the empty path is invalid here).
    CAIRN_ASSIGN_OR_RETURN(Parts parts, SplitStorePath(dir_path, false));
    Result<UniqueFd> parent = OpenDir(parts, parts.size() - 1, /*create=*/false);
    if (!parent.ok()) return parent.status().IsNotFound() ? Status::OK() : parent.status();
    const std::string full = Full(parts);
    CAIRN_RETURN_IF_ERROR(RemoveTree(parent->get(), parts.back(), full));
    return SyncFd(parent->get(), "directory of " + full);
  }

  Result<uint64_t> FreeSpace() override {
    CAIRN_ASSIGN_OR_RETURN(UniqueFd root, OpenRoot());
    struct statvfs vfs {};
    if (::fstatvfs(root.get(), &vfs) != 0) return Status::FromErrno(errno, "statvfs " + root_);
    return static_cast<uint64_t>(vfs.f_bavail) * static_cast<uint64_t>(vfs.f_frsize);
  }

  Status SyncDirectory(const std::string& dir_path) override {
    CAIRN_ASSIGN_OR_RETURN(Parts parts, SplitStorePath(dir_path, true));
    CAIRN_ASSIGN_OR_RETURN(UniqueFd fd, OpenDir(parts, parts.size(), /*create=*/false));
    return SyncFd(fd.get(), "directory " + Full(parts));
  }

  Result<std::unique_ptr<WorkloadLock>> LockWorkload(const std::string& workload_id,
                                                     std::chrono::milliseconds timeout) override {
    CAIRN_RETURN_IF_ERROR(layout::ValidateId("workload id", workload_id));
    const Parts parts = {kLockDir, layout::WorkloadDir(workload_id) + ".lock"};
    const std::string& name = parts.back();
    const std::string full = Full(parts);
    const auto deadline = std::chrono::steady_clock::now() + std::max(timeout, std::chrono::milliseconds(0));
    auto poll = kLockPollMin;

    while (true) {
      CAIRN_ASSIGN_OR_RETURN(UniqueFd dir, OpenDir(parts, 1, /*create=*/true));
      const int raw = RetryEintr(
          [&] { return ::openat(dir.get(), name.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, kFileMode); });
      if (raw < 0) return OpenError(errno, dir.get(), name, "open lock file " + full);
      UniqueFd fd(raw);

      while (true) {
        struct flock fl {};
        fl.l_type = F_WRLCK;
        fl.l_whence = SEEK_SET;  // l_start = l_len = 0: the whole file
        if (::fcntl(fd.get(), F_OFD_SETLK, &fl) == 0) break;
        const int err = errno;
        if (err == EINTR) continue;
        if (err == EINVAL) return Status::NotSupported("open file description locks (F_OFD_SETLK) on " + full);
        if (err != EAGAIN && err != EACCES) return Status::FromErrno(err, "lock " + full);
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) {
          std::string msg = "workload " + workload_id + " is locked by another job";
          char buf[256] = {};
          const ssize_t n = ::pread(fd.get(), buf, sizeof buf - 1, 0);
          std::string holder = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
          while (!holder.empty() && (holder.back() == '\n' || holder.back() == '\0')) holder.pop_back();
          if (!holder.empty()) msg += " (" + holder + ")";
          return Status::Conflict(msg);
        }
        std::this_thread::sleep_for(
            std::min<std::chrono::steady_clock::duration>(poll, deadline - now));
        poll = std::min(poll * 2, kLockPollMax);
      }

      // The lock file may have been unlinked or replaced between our open
      // and our lock; a lock on a file no longer at that name excludes
      // nobody, so start again with the current file.
      struct stat held {}, named {};
      if (::fstat(fd.get(), &held) != 0) return Status::FromErrno(errno, "stat " + full);
      if (::fstatat(dir.get(), name.c_str(), &named, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) continue;
        return Status::FromErrno(errno, "stat " + full);
      }
      if (held.st_dev != named.st_dev || held.st_ino != named.st_ino) continue;
      // Who holds it, for the message of a job that finds it taken
      // (best effort; synced so other NFS clients see it).
      const std::string info = HolderInfo();
      if (::ftruncate(fd.get(), 0) == 0 && ::pwrite(fd.get(), info.data(), info.size(), 0) > 0) {
        ::fdatasync(fd.get());
      }
      return std::unique_ptr<WorkloadLock>(std::make_unique<PosixWorkloadLock>(std::move(fd)));
    }
  }

  Result<std::string> LocalPath(const std::string& path) const override {
    CAIRN_ASSIGN_OR_RETURN(Parts parts, SplitStorePath(path, true));
    return Full(parts);
  }

 private:
  // root_ + "/" + the first n parts (all by default).
  std::string Full(const Parts& parts, size_t n = SIZE_MAX) const {
    std::string out = root_;
    for (size_t i = 0; i < parts.size() && i < n; ++i) {
      if (out.empty() || out.back() != '/') out += '/';
      out += parts[i];
    }
    return out;
  }

  Result<UniqueFd> OpenRoot() const {
    const int fd = RetryEintr([&] { return ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); });
    if (fd < 0) return Status::FromErrno(errno, "open store root " + root_);
    return UniqueFd(fd);
  }

  // Opens the directory made of the first n parts, following no link; with
  // `create`, makes the missing ones (mkdir -p), each made durable in its
  // parent. A component that is a file gives NotFound, or IOError when
  // creating.
  Result<UniqueFd> OpenDir(const Parts& parts, size_t n, bool create) const {
    CAIRN_ASSIGN_OR_RETURN(UniqueFd dir, OpenRoot());
    for (size_t i = 0; i < n; ++i) {
      const char* name = parts[i].c_str();
      auto open_next = [&] {
        return RetryEintr([&] { return ::openat(dir.get(), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC); });
      };
      int fd = open_next();
      if (fd < 0 && errno == ENOENT && create) {
        if (::mkdirat(dir.get(), name, kDirMode) == 0) {
          CAIRN_RETURN_IF_ERROR(SyncFd(dir.get(), "directory " + Full(parts, i)));
        } else if (errno != EEXIST) {
          return Status::FromErrno(errno, "create directory " + Full(parts, i + 1));
        }
        fd = open_next();
      }
      if (fd < 0) {
        const int err = errno;
        const std::string what = "open directory " + Full(parts, i + 1);
        if (err == ENOTDIR && !create && !IsSymlinkAt(dir.get(), name)) {
          return Status::NotFound(what + ": not a directory");
        }
        return OpenError(err, dir.get(), name, what);
      }
      dir = UniqueFd(fd);
    }
    return dir;
  }

  // Opens an existing regular file for reading, following no link.
  Result<UniqueFd> OpenRegularFile(const Parts& parts) const {
    CAIRN_ASSIGN_OR_RETURN(UniqueFd dir, OpenDir(parts, parts.size() - 1, /*create=*/false));
    const std::string full = Full(parts);
    // O_NONBLOCK: a FIFO planted in the tree must not block the open.
    const int raw = RetryEintr(
        [&] { return ::openat(dir.get(), parts.back().c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC); });
    if (raw < 0) return OpenError(errno, dir.get(), parts.back(), "open " + full);
    UniqueFd fd(raw);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return Status::FromErrno(errno, "stat " + full);
    if (!S_ISREG(st.st_mode)) return Status::InvalidArgument(full + " is not a regular file");
    const int flags = ::fcntl(fd.get(), F_GETFL);
    if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0) {
      return Status::FromErrno(errno, "fcntl " + full);
    }
    return fd;
  }

  // ".<name>.tmp.<pid>.<counter>", the name cut to stay within NAME_MAX.
  static std::string TempPrefix(const std::string& name) { return "." + name.substr(0, 200) + ".tmp."; }
  std::string TempName(const std::string& name) {
    return TempPrefix(name) + std::to_string(::getpid()) + "." +
           std::to_string(temp_counter_.fetch_add(1, std::memory_order_relaxed));
  }

  // Best effort: removes temporaries of `name` that a crashed writer left,
  // those older than kStaleTemp compared with the file just renamed into
  // place (both times come from the file server's clock, so client clock
  // skew does not matter). A live writer's temporary is seconds old.
  static void RemoveStaleTemps(int dir, const std::string& name) {
    struct stat current {};
    if (::fstatat(dir, name.c_str(), &current, AT_SYMLINK_NOFOLLOW) != 0) return;
    const int fd = ::openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    UniqueDir listing(::fdopendir(fd));
    if (!listing) {
      ::close(fd);
      return;
    }
    auto names = ReadNames(listing.get(), name);
    if (!names.ok()) return;
    const std::string prefix = TempPrefix(name);
    for (const std::string& entry : *names) {
      if (!entry.starts_with(prefix)) continue;
      struct stat st {};
      if (::fstatat(dir, entry.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) continue;
      if (st.st_mtime + kStaleTemp.count() < current.st_mtime) ::unlinkat(dir, entry.c_str(), 0);
    }
  }

  const std::string root_;
  std::atomic<uint64_t> temp_counter_{0};
};

}  // namespace

Result<std::unique_ptr<Store>> OpenPosixStore(const std::string& root) {
  if (root.empty()) return Status::InvalidArgument("the store root must not be empty");
  if (root.find('\0') != std::string::npos) return Status::InvalidArgument("store root " + QuotePath(root) + " contains a NUL byte");
  std::string abs = root;
  if (abs.front() != '/') {
    char cwd[4096];
    if (::getcwd(cwd, sizeof cwd) == nullptr) return Status::FromErrno(errno, "current directory for store root " + root);
    abs = std::string(cwd) + "/" + abs;
  }
  while (abs.size() > 1 && abs.back() == '/') abs.pop_back();
  struct stat st {};
  if (::stat(abs.c_str(), &st) != 0) return Status::FromErrno(errno, "store root " + abs);
  if (!S_ISDIR(st.st_mode)) return Status::InvalidArgument("store root " + abs + " is not a directory");
  return std::unique_ptr<Store>(std::make_unique<PosixStore>(std::move(abs)));
}

}  // namespace cairn::target
