#include "datamover/libvirt/qemu_img.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

extern char** environ;

namespace cairn::datamover::libvirt {
namespace {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs a program found in PATH without a shell, collecting its output.
Result<CommandResult> RunProgram(std::vector<std::string> argv) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return Status::FromErrno(errno, "pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  const int err = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (err != 0) {
    ::close(pipe_fds[0]);
    return Status::FromErrno(err, "running " + argv[0]);
  }
  CommandResult r;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(pipe_fds[0], buf, sizeof buf);
    if (n > 0) {
      r.output.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Status::FromErrno(errno, "waiting for " + argv[0]);
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

}  // namespace

Status RemoveQcow2Bitmap(const std::string& image, const std::string& bitmap) {
  CAIRN_ASSIGN_OR_RETURN(CommandResult r, RunProgram({"qemu-img", "bitmap", "--remove", image, bitmap}));
  if (r.exit_code == 0) return Status::OK();
  if (r.output.find("' not found") != std::string::npos) return Status::OK();
  if (r.output.find("lock") != std::string::npos)
    return Status::Conflict("qemu-img bitmap --remove " + image + ": the image is in use: " + r.output);
  return Status::IOError("qemu-img bitmap --remove " + image + " " + bitmap + ": " + r.output);
}

}  // namespace cairn::datamover::libvirt
