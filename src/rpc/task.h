// Disk tasks: the work the engine hands to the datamover of a host, and the
// two sides of their transport. The engine calls Transport::Call and waits;
// a datamover implements TaskHandler. Which transport carries the task (in
// process for the all-in-one, the database or AMQP between processes) is
// the deployment's choice; neither side knows it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace cairn::rpc {

// Task kinds (the body of each is described where it is handled:
// datamover_service/task_handler.h).
namespace task_kind {
inline constexpr std::string_view kVmBackup = "vm_backup";
inline constexpr std::string_view kRestoreDisk = "restore_disk";
inline constexpr std::string_view kRemoveCheckpoint = "remove_checkpoint";
}  // namespace task_kind

struct DiskTask {
  std::string id{};      // set by the transport when empty
  std::string job_id{};  // the engine job it serves (for logs)
  std::string host{};    // the datamover host that must run it
  std::string kind{};
  nlohmann::json body = nlohmann::json::object();
};

// Progress of a running task, in bytes.
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

// What a task works on, for messages, from its body: "disk vda of VM <id>",
// "the disks of VM <id> (domain instance-1)", else its kind.
std::string DescribeTask(const DiskTask& task);

// The stall deadline of a task: it fails when its progress (done, total)
// has not moved for `stall_after` while it runs, whether or not its
// datamover still heartbeats (a read blocked on a hung NFS server never
// returns). Zero: no deadline. Not thread safe: one per waiting caller.
class StallWatch {
 public:
  explicit StallWatch(std::chrono::milliseconds stall_after);
  // Records the progress seen now; the deadline restarts when it moved
  // (and at the first call).
  void Observe(uint64_t done, uint64_t total);
  // True once the deadline passed since the progress last moved.
  bool Stalled() const;
  // Unavailable naming the host, the task's disk and where it stopped.
  Status StalledError(const DiskTask& task) const;

 private:
  std::chrono::milliseconds stall_after_;
  bool seen_ = false;
  uint64_t done_ = 0;
  uint64_t total_ = 0;
  std::chrono::steady_clock::time_point moved_at_{};
};

// The datamover side: runs one task. `cancel` becomes true when the caller
// cancels; the handler then stops promptly, cleans what it wrote and
// returns kCancelled. Must be safe to call from several threads.
class TaskHandler {
 public:
  virtual ~TaskHandler() = default;
  virtual Result<nlohmann::json> Run(const DiskTask& task, const ProgressFn& progress,
                                     const std::atomic<bool>& cancel) = 0;
};

// The engine side: delivers a task to the datamover of task.host, waits for
// its outcome and returns the handler's result or error (with its code).
// `progress` (may be empty) is called as the datamover reports. When
// `cancel` (may be null) becomes true the datamover is told to stop; Call
// still waits for it to finish. kUnavailable when no datamover serves the
// host, it stopped answering, or the task's progress stalled (StallWatch:
// the datamover is told to stop, and Call returns without waiting for a
// task that does not).
class Transport {
 public:
  virtual ~Transport() = default;
  virtual Result<nlohmann::json> Call(DiskTask task, const ProgressFn& progress, const std::atomic<bool>* cancel) = 0;
};

}  // namespace cairn::rpc
