// The runs of workload job schedules that the scheduler handled
// (engine/scheduler.h). Their key, workload + due time, is how several
// engines' schedulers agree: the one whose Record inserts a run owns it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "db/database.h"
#include "db/models.h"

namespace cairn::db {

class ScheduleRunRepository {
 public:
  explicit ScheduleRunRepository(Executor& db) : db_(db) {}

  // Inserts the run (times set here). Conflict when the workload already has
  // a run due at that time: another scheduler recorded it first.
  Status Record(ScheduleRun run);
  // The workload's run with the latest due time, if any.
  Result<std::optional<ScheduleRun>> Latest(std::string_view workload_id);
  // Compare-and-set: sets the status, snapshot id and message of the run
  // only while its status is `expected`. False when it is not (another
  // scheduler moved it on) or there is no such run.
  Result<bool> UpdateIf(std::string_view workload_id, TimePoint due_at, std::string_view expected,
                        std::string_view status, std::string_view snapshot_id, std::string_view message);
  // The workload's runs, latest due first, at most `limit` (0: all).
  Result<std::vector<ScheduleRun>> List(std::string_view workload_id, int limit = 0);
  // Removes the runs due before `older_than`, except each workload's latest
  // (the scheduler counts from it). Returns how many went.
  Result<int64_t> Purge(TimePoint older_than);

 private:
  Executor& db_;
};

}  // namespace cairn::db
