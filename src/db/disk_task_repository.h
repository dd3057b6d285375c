// The disk task table: engines post tasks for a datamover host and wait for
// their outcome; the datamover of that host claims, heartbeats, reports
// progress and finishes them. A task whose worker stopped heartbeating is not
// taken over (disk work is not idempotent mid-way): the waiting engine fails
// it (MarkStale) and its workflow decides.
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

class DiskTaskRepository {
 public:
  explicit DiskTaskRepository(Executor& db) : db_(db) {}

  // Queues a task (id generated when empty; status forced to queued).
  Result<DiskTask> Post(DiskTask task);
  // Atomically takes the oldest queued task of `host` for `worker` (exactly
  // one caller gets each task). nullopt when there is none.
  Result<std::optional<DiskTask>> ClaimNext(std::string_view host, std::string_view worker, TimePoint now = UtcNow());
  // Records progress and a heartbeat of a running task held by `worker`;
  // returns whether a cancel was requested. Conflict when the task is no
  // longer running for `worker`.
  Result<bool> Report(std::string_view id, std::string_view worker, int64_t done, int64_t total,
                      TimePoint now = UtcNow());
  // Ends a running task held by `worker`: done with `result`, or error with
  // the failure. Conflict when the worker no longer holds it.
  Status Finish(std::string_view id, std::string_view worker, const Status& outcome, const Json& result = Json::object());
  // Asks the worker to stop (it sees the flag at its next Report). A task
  // still queued ends at once as error "cancelled". OK when already finished.
  Status RequestCancel(std::string_view id);
  // Ends a task that is queued, or running with a heartbeat older than
  // `stale_before`, as error with `reason`. True when it did.
  Result<bool> MarkStale(std::string_view id, TimePoint stale_before, std::string_view reason);
  // Ends a task that is queued or running, whatever its heartbeat, as error
  // (Unavailable) with `reason`: its progress stalled. True when it did.
  Result<bool> FailUnfinished(std::string_view id, std::string_view reason);
  // NotFound when missing.
  Result<DiskTask> Get(std::string_view id);
  // The tasks of a job that are still queued or running, oldest first.
  Result<std::vector<DiskTask>> ListUnfinished(std::string_view job_id);
  // Ends every task running on `host` as error with `reason`: called by a
  // datamover when it starts (one per host: what ran there before is gone).
  // Returns how many.
  Result<int64_t> FailRunningOnHost(std::string_view host, std::string_view reason);
  // Removes finished tasks last updated before `older_than`.
  Result<int64_t> Purge(TimePoint older_than);

 private:
  Executor& db_;
};

}  // namespace cairn::db
