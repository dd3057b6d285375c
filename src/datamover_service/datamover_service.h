// DatamoverService: cairn-datamover in service mode. Registers the host in
// the services table (version, capacity), heartbeats, fails the tasks a
// previous run of it left running, and runs `task_workers` workers that take
// the host's disk tasks from the database.
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "common/status.h"
#include "datamover_service/options.h"
#include "datamover_service/task_handler.h"
#include "db/database.h"
#include "target/store.h"

namespace cairn::datamover_service {

inline constexpr std::string_view kDatamoverBinary = "cairn-datamover";

// The services-table row of a datamover: host, binary, version and its
// capacity (cores, workers, the target's free space).
Status RegisterDatamover(db::Executor& db, target::Store& store, const DatamoverOptions& options);

class DatamoverService {
 public:
  // `db` and `store` must outlive the service.
  DatamoverService(db::Database& db, target::Store& store, DatamoverOptions options);
  ~DatamoverService();

  // Registers and starts the workers and the heartbeat.
  Status Start();
  // Stops taking tasks and waits for the running ones to end.
  void Stop();


 private:
  db::Database& db_;
  target::Store& store_;
  const DatamoverOptions options_;
  std::unique_ptr<DatamoverTaskHandler> handler_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

}  // namespace cairn::datamover_service
