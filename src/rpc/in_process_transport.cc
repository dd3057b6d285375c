#include "rpc/in_process_transport.h"

#include <future>
#include <memory>
#include <thread>

#include "common/log.h"
#include "common/uuid.h"

namespace cairn::rpc {
namespace {

constexpr auto kPoll = std::chrono::milliseconds(20);

// What the task's thread and the waiting caller share. The caller may stop
// waiting (a stalled task); the thread then keeps this alive and stops
// forwarding progress to the caller, whose callback is gone.
struct TaskRun {
  DiskTask task;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> done{0};
  std::atomic<uint64_t> total{0};
  std::mutex mu;
  const ProgressFn* forward = nullptr;  // guarded by mu; null once the caller left
  std::promise<Result<nlohmann::json>> outcome;
};

}  // namespace

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
  auto run = std::make_shared<TaskRun>();
  run->task = std::move(task);
  run->forward = progress ? &progress : nullptr;
  std::future<Result<nlohmann::json>> finished = run->outcome.get_future();
  std::thread worker([run, handler] {
    ProgressFn report = [&run = *run](uint64_t done, uint64_t total) {
      run.done = done;
      run.total = total;
      std::lock_guard lock(run.mu);
      if (run.forward != nullptr) (*run.forward)(done, total);
    };
    try {
      run->outcome.set_value(handler->Run(run->task, report, run->stop));
    } catch (const std::exception& e) {
      run->outcome.set_value(Status::Internal("disk task " + run->task.id + ": " + e.what()));
    } catch (...) {
      run->outcome.set_value(Status::Internal("disk task " + run->task.id + ": an unknown exception"));
    }
  });

  StallWatch stall(stall_after_);
  while (finished.wait_for(kPoll) != std::future_status::ready) {
    if (cancel != nullptr && cancel->load()) run->stop = true;
    stall.Observe(run->done.load(), run->total.load());
    if (!stall.Stalled()) continue;
    const Status stalled = stall.StalledError(run->task);
    run->stop = true;
    if (finished.wait_for(stop_grace_) != std::future_status::ready) {
      // Stuck where no cancel reaches it (a read of a hung NFS server): the
      // thread is left to end when the read returns.
      GetLogger("datamover")->error("{}; it did not stop within {} ms and is left behind", stalled.message(),
                                    stop_grace_.count());
      {
        std::lock_guard lock(run->mu);
        run->forward = nullptr;
      }
      worker.detach();
      return stalled;
    }
    worker.join();
    return stalled;
  }
  worker.join();
  return finished.get();
}

}  // namespace cairn::rpc
