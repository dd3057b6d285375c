// DbTransport and DbTaskWorker: disk tasks through the disk_tasks table, for
// engines and datamovers in separate processes that share the database.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "db/database.h"
#include "rpc/task.h"

namespace cairn::rpc {

struct DbTransportOptions {
  std::chrono::milliseconds poll_interval{500};
  // A running task whose datamover has not reported for this long is failed
  // (the datamover died or hangs).
  std::chrono::seconds stale_after{60};
  // A task nobody claimed for this long fails: no datamover serves its host.
  std::chrono::seconds unclaimed_after{120};
  // A running task whose progress has not moved for this long fails though
  // its datamover heartbeats (StallWatch); zero: never.
  std::chrono::milliseconds stall_after{0};
};

// The engine side: posts the task and polls it until it ends.
class DbTransport : public Transport {
 public:
  // `db` must outlive this.
  DbTransport(db::Executor& db, DbTransportOptions options = {}) : db_(db), options_(options) {}

  Result<nlohmann::json> Call(DiskTask task, const ProgressFn& progress, const std::atomic<bool>* cancel) override;

 private:
  db::Executor& db_;
  const DbTransportOptions options_;
};

struct DbTaskWorkerOptions {
  std::string host;    // the host whose tasks this worker takes
  std::string worker;  // a unique id of this worker (host + pid + thread)
  std::chrono::milliseconds poll_interval{500};
  std::chrono::milliseconds report_interval{1000};  // heartbeat and progress
};

// The datamover side: takes its host's tasks one at a time and runs them in
// `handler`, reporting progress (and heartbeat) while they run and passing on
// cancel requests. Run several workers for parallel tasks.
class DbTaskWorker {
 public:
  DbTaskWorker(db::Executor& db, TaskHandler& handler, DbTaskWorkerOptions options)
      : db_(db), handler_(handler), options_(std::move(options)) {}

  // Claims and runs one task; false when there was none.
  Result<bool> RunOne();
  // Runs tasks until `stop` becomes true (checked between polls and tasks).
  void RunUntil(const std::atomic<bool>& stop);

 private:
  db::Executor& db_;
  TaskHandler& handler_;
  const DbTaskWorkerOptions options_;
};

}  // namespace cairn::rpc
