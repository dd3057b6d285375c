// InProcessTransport: the all-in-one's transport. Tasks run on the calling
// thread in the handler registered for their host.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "rpc/task.h"

namespace cairn::rpc {

class InProcessTransport : public Transport {
 public:
  // Serves `host` with `handler` (which must outlive this). Host "*" serves
  // every host that has no handler of its own.
  void Register(const std::string& host, TaskHandler& handler);

  Result<nlohmann::json> Call(DiskTask task, const ProgressFn& progress, const std::atomic<bool>* cancel) override;

 private:
  std::mutex mu_;
  std::map<std::string, TaskHandler*> handlers_;  // guarded by mu_
};

}  // namespace cairn::rpc
