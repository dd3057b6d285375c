#include "rpc/task.h"

#include "common/strings.h"

namespace cairn::rpc {
namespace {

std::string BodyText(const DiskTask& task, const char* name) {
  auto it = task.body.find(name);
  return it != task.body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string DescribeTask(const DiskTask& task) {
  const std::string vm = BodyText(task, "vm");
  const std::string device = BodyText(task, "device");
  const std::string domain = BodyText(task, "domain");
  if (!device.empty()) return "disk " + device + (vm.empty() ? std::string() : " of VM " + vm);
  if (!vm.empty()) return "the disks of VM " + vm + (domain.empty() ? std::string() : " (domain " + domain + ")");
  if (!domain.empty()) return "domain " + domain;
  return "its " + task.kind + " task";
}

StallWatch::StallWatch(std::chrono::milliseconds stall_after) : stall_after_(stall_after) {}

void StallWatch::Observe(uint64_t done, uint64_t total) {
  if (seen_ && done == done_ && total == total_) return;
  seen_ = true;
  done_ = done;
  total_ = total;
  moved_at_ = std::chrono::steady_clock::now();
}

bool StallWatch::Stalled() const {
  return stall_after_.count() > 0 && seen_ && std::chrono::steady_clock::now() - moved_at_ >= stall_after_;
}

Status StallWatch::StalledError(const DiskTask& task) const {
  const auto ms = stall_after_.count();
  const std::string how_long = ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
  std::string where = total_ > 0 ? " at " + HumanBytes(done_) + " of " + HumanBytes(total_) : std::string(" before any data");
  return Status::Unavailable("the datamover on host " + task.host + " made no progress on " + DescribeTask(task) +
                             " for " + how_long + where +
                             " (a read or write hangs: an unresponsive NFS server or backup target, or a stuck "
                             "disk); the task was told to stop");
}

}  // namespace cairn::rpc
