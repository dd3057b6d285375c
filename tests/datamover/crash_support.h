// Helpers for the crash-safety tests: running cairn-datamover as a child
// process with a fault armed (and telling a crash from an exit), and finding
// what an interrupted job left on the target or beside a restore output.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

extern char** environ;

namespace cairn::datamover::testing {

struct ProcessResult {
  bool started = false;
  bool exited = false;  // exited normally with exit_code
  int exit_code = -1;
  int signal = 0;       // the signal that killed it, when it did not exit
  std::string out;      // stdout
  std::string err;      // stderr

  bool Aborted() const { return !exited && signal == SIGABRT; }
  std::string Describe() const {
    std::string s = !started ? "did not start" : exited ? "exited with " + std::to_string(exit_code)
                                                         : "killed by signal " + std::to_string(signal);
    return s + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
  }
};

// Runs argv[0] (a path) with `argv`, the test's environment without
// CAIRN_FAULT, plus CAIRN_FAULT=`fault` when not empty. Core dumps are off
// in the child (an injected fault is an abort). stdout and stderr are
// captured separately.
inline ProcessResult RunProcess(const std::vector<std::string>& argv, const std::string& fault = "") {
  ProcessResult r;
  // Everything the child needs is built before fork(): after it, the child
  // only calls async-signal-safe functions.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e)
    if (std::strncmp(*e, "CAIRN_FAULT=", 12) != 0) env_strings.emplace_back(*e);
  if (!fault.empty()) env_strings.push_back("CAIRN_FAULT=" + fault);
  std::vector<char*> envp, args;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& s : argv_copy) args.push_back(s.data());
  args.push_back(nullptr);

  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return r;
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return r;
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(err_pipe[1], STDERR_FILENO);
    struct rlimit no_core = {0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (pid < 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    return r;
  }
  r.started = true;
  // Drain both pipes until both are closed (a full pipe would block the child).
  struct pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&r.out, &r.err};
  int open_fds = 2;
  char buf[8192];
  while (open_fds > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) {
    r.exited = true;
    r.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    r.signal = WTERMSIG(status);
  }
  return r;
}

// What interrupted jobs can leave, found under `root` (paths relative to it,
// sorted):
//   - a disk directory (vm_res_id_*) without a manifest: reported as the
//     directory, its contents are not listed;
//   - a `*.merging` image;
//   - a `*.part` restore output;
//   - any name starting with '.' (temporary files of atomic writes), except
//     the store's lock files: .locks/ and .locks/workload_<id>.lock at the
//     root (src/target/posix_store.cc), or workload_<id>/.lock;
//   - in a published disk directory, any file that is neither an image with
//     its manifest nor the manifest.
inline std::vector<std::string> FindLeftovers(const std::filesystem::path& root) {
  namespace fs = std::filesystem;
  std::vector<std::string> found;
  std::error_code ec;
  if (!fs::exists(root, ec)) return found;
  auto is_lock = [](const fs::path& rel) {
    const std::string name = rel.filename().string();
    auto parts = std::vector<std::string>(rel.begin(), rel.end());
    if (parts.size() == 1 && name == ".locks") return true;
    if (parts.size() == 2 && parts[0] == ".locks" && name.rfind("workload_", 0) == 0 && name.size() > 5 &&
        name.compare(name.size() - 5, 5, ".lock") == 0)
      return true;
    return parts.size() == 2 && parts[0].rfind("workload_", 0) == 0 && name == ".lock";
  };
  auto ends_with = [](const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  for (auto it = fs::recursive_directory_iterator(root, ec); it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (ec) {
      ADD_FAILURE() << "listing " << root << ": " << ec.message();
      break;
    }
    const fs::path rel = fs::relative(it->path(), root);
    const std::string name = it->path().filename().string();
    if (name.front() == '.') {
      if (!is_lock(rel)) found.push_back(rel.string());
      continue;
    }
    if (ends_with(name, ".merging") || ends_with(name, ".part")) {
      found.push_back(rel.string());
      continue;
    }
    if (!it->is_directory() || name.rfind("vm_res_id_", 0) != 0) continue;
    std::vector<std::string> files;
    for (const auto& f : fs::directory_iterator(it->path())) files.push_back(f.path().filename().string());
    std::vector<std::string> manifests;
    for (const auto& f : files)
      if (ends_with(f, ".manifest")) manifests.push_back(f.substr(0, f.size() - 9));
    if (manifests.empty()) {
      found.push_back(rel.string());
      it.disable_recursion_pending();
      continue;
    }
    for (const auto& f : files) {
      if (f.front() == '.' || ends_with(f, ".merging")) continue;  // reported when the iterator gets there
      const bool image = std::find(manifests.begin(), manifests.end(), f) != manifests.end();
      const bool manifest = ends_with(f, ".manifest") &&
                            std::find(files.begin(), files.end(), f.substr(0, f.size() - 9)) != files.end();
      if (!image && !manifest) found.push_back((rel / f).string());
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace cairn::datamover::testing
