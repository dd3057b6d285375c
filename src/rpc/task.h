// Disk tasks: the work the engine hands to the datamover of a host, and the
// two sides of their transport. The engine calls Transport::Call and waits;
// a datamover implements TaskHandler. Which transport carries the task (in
// process for the all-in-one, the database or AMQP between processes) is
// the deployment's choice; neither side knows it.
#pragma once

#include <atomic>
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
// host or it stopped answering.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual Result<nlohmann::json> Call(DiskTask task, const ProgressFn& progress, const std::atomic<bool>* cancel) = 0;
};

}  // namespace cairn::rpc
