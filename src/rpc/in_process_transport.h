// InProcessTransport: the all-in-one's transport. Tasks run in the handler
// registered for their host, on a thread of their own while the caller
// waits (so that a task whose progress stalls can be given up).
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "rpc/task.h"

namespace cairn::rpc {

class InProcessTransport : public Transport {
 public:
  // `stall_after`: a task whose progress has not moved for this long fails
  // (StallWatch); zero: never. `stop_grace`: how long a stalled task is then
  // given to stop before the caller stops waiting for it (its thread is left
  // to end on its own, writing nothing more to the caller).
  explicit InProcessTransport(std::chrono::milliseconds stall_after = std::chrono::milliseconds(0),
                              std::chrono::milliseconds stop_grace = std::chrono::seconds(10))
      : stall_after_(stall_after), stop_grace_(stop_grace) {}

  // Serves `host` with `handler` (which must outlive this, and every task
  // it was given). Host "*" serves every host that has no handler of its own.
  void Register(const std::string& host, TaskHandler& handler);

  Result<nlohmann::json> Call(DiskTask task, const ProgressFn& progress, const std::atomic<bool>* cancel) override;

 private:
  const std::chrono::milliseconds stall_after_;
  const std::chrono::milliseconds stop_grace_;
  std::mutex mu_;
  std::map<std::string, TaskHandler*> handlers_;  // guarded by mu_
};

}  // namespace cairn::rpc
