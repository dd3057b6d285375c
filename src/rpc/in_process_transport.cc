#include "rpc/in_process_transport.h"

#include <thread>

#include "common/uuid.h"

namespace cairn::rpc {

void InProcessTransport::Register(const std::string& host, TaskHandler& handler) {
  std::lock_guard lock(mu_);
  handlers_[host] = &handler;
}

Result<nlohmann::json> InProcessTransport::Call(DiskTask task, const ProgressFn& progress,
                                                const std::atomic<bool>* cancel) {
  TaskHandler* handler = nullptr;
  {
    std::lock_guard lock(mu_);
    auto it = handlers_.find(task.host);
    if (it == handlers_.end()) it = handlers_.find("*");
    if (it != handlers_.end()) handler = it->second;
  }
  if (handler == nullptr) return Status::Unavailable("no datamover serves host " + task.host);
  if (task.id.empty()) task.id = Uuid::Random().ToString();
  // The handler watches a flag of its own, raised when the caller's is.
  std::atomic<bool> stop{false};
  std::atomic<bool> done{false};
  std::thread watcher;
  if (cancel != nullptr) {
    watcher = std::thread([&] {
      while (!done.load()) {
        if (cancel->load()) {
          stop = true;
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    });
  }
  auto result = handler->Run(task, progress ? progress : ProgressFn([](uint64_t, uint64_t) {}), stop);
  done = true;
  if (watcher.joinable()) watcher.join();
  return result;
}

}  // namespace cairn::rpc
