// EngineApp: the cairn-engine process assembled from its configuration:
// the database, the backup target, the service user's Keystone session, the
// OpenStack clients' interface, the disk task transport (in process: the
// datamover runs inside the engine; database: cairn-datamover services take
// the tasks of their host), and `workers` job runners.
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "common/config.h"
#include "common/config_schema.h"
#include "db/database.h"
#include "engine/context.h"
#include "engine/job_runner.h"
#include "rpc/task.h"

namespace cairn::engine {

// Registers every option cairn-engine reads: logging, [database],
// [keystone_authtoken], [clients], [target], [engine], [scheduler] and, for
// the in-process datamover, [datamover].
Status RegisterEngineAppOptions(OptionRegistry& registry);

class EngineApp {
 public:
  // Builds everything from `config`. The database must be at the current
  // schema version; the target directory must exist. Keystone is not
  // contacted until the first job.
  static Result<std::unique_ptr<EngineApp>> Create(const Config& config);
  ~EngineApp();

  // Starts the job runners, the scheduler ([scheduler] enabled) and the
  // in-process datamover's registration.
  Status Start();
  // Stops taking jobs and waits for the running ones; idempotent.
  void Stop();

  // Runs one job on the calling thread (for tests): false when none waited.
  Result<bool> RunOne();

  db::Database& database() { return *db_; }
  EngineContext& context() { return *context_; }

 private:
  EngineApp() = default;
  struct Parts;
  std::unique_ptr<Parts> parts_;
  std::unique_ptr<db::Database> db_;
  std::unique_ptr<EngineContext> context_;
  std::vector<std::unique_ptr<JobRunner>> runners_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

}  // namespace cairn::engine
