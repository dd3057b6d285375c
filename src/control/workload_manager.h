// The write operations on workloads that the API starts: each checks the
// project's quotas, writes its rows and queues its job in one transaction,
// so a route only validates the request, calls one method and renders.
//
// Errors are the codes the API maps to its answers: OutOfRange (413, a
// quota, named), Conflict (409, the workload's status or a running job
// named), NotFound (404), InvalidArgument (400); others are the database's.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "control/job_origin.h"
#include "db/database.h"
#include "db/models.h"
#include "db/workload_repository.h"

namespace cairn::control {

class WorkloadManager {
 public:
  // `db` and `clock` must outlive the manager.
  WorkloadManager(db::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // Records `workload` (its VMs listed) in its project and queues its
  // workload_create job. OutOfRange when the project's Workloads or VMs quota
  // would be exceeded.
  Result<db::Workload> Create(const db::Workload& workload, const JobOrigin& origin);

  // Applies `update` to workload `workload_id`. When it sets the VMs, the
  // project's VMs quota is checked against the new set in the same
  // transaction (two concurrent updates cannot both pass it): OutOfRange.
  Result<db::Workload> Modify(const std::string& workload_id, const db::WorkloadUpdate& update);

  // Sets `workload` deleting and queues its workload_delete job (with
  // "database_only": only its rows go, not its data on the target).
  // Conflict while it is not available, failed or still being created.
  Status Delete(const db::Workload& workload, bool database_only, const JobOrigin& origin);

  // Moves `workload` (locked, available or failed) to available. Conflict
  // while one of its jobs is queued or running (the lock is that job's), or
  // when its status is another.
  Status Unlock(const db::Workload& workload);

  // Queues a workload_reset job for `workload`. Conflict while it is being
  // deleted, or while one of its jobs is queued or running; except that when
  // `end_abandoned_jobs` (an admin's reset) and every such job's engine has
  // stopped (db::EngineGone), those jobs are ended here and the reset cleans
  // up after them. Returns the ids of the jobs it ended.
  Result<std::vector<std::string>> Reset(const db::Workload& workload, bool end_abandoned_jobs,
                                         const JobOrigin& origin);

 private:
  db::Database& db_;
  const Clock& clock_;
};

}  // namespace cairn::control
