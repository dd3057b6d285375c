// The write operations on snapshots: a user's snapshot (the API), a due
// schedule's (the scheduler: the same path, control/snapshot_queue.h, so
// both see the same quotas and the same workload lock), delete and cancel.
// Each is one transaction with its job.
//
// Errors: OutOfRange (413) naming the quota, Conflict (409) naming the
// workload's or the snapshot's status; others are the database's.
#pragma once

#include <string>

#include "common/status.h"
#include "common/time.h"
#include "control/job_origin.h"
#include "db/database.h"
#include "db/models.h"

namespace cairn::control {

// What queueing a due scheduled run did.
struct ScheduledSnapshot {
  // False when another scheduler had already taken the run (nothing written).
  bool claimed = false;
  db::Snapshot snapshot{};  // the queued snapshot, when claimed
};

class SnapshotManager {
 public:
  // `db` and `clock` must outlive the manager.
  SnapshotManager(db::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // A user's snapshot of `workload`: `snapshot` carries its name,
  // description, is_scheduled and user_id; full when `full` (or when the
  // workload has no available snapshot yet). Checks the Snapshots and
  // Storage quotas, locks the workload and queues the snapshot_create job.
  // Conflict when the workload is still being created or is not available.
  Result<db::Snapshot> Create(const db::Workload& workload, const db::Snapshot& snapshot, bool full,
                              const JobOrigin& origin);

  // A due schedule's snapshot: in one transaction, claims the schedule run
  // (`workload`'s run due at `due_at`, waiting -> queued), queues `snapshot`
  // with `job` (payload and user as given) as Create does, and records the
  // snapshot's id on the run. Errors as Create; nothing is written then.
  Result<ScheduledSnapshot> CreateScheduled(const db::Workload& workload, TimePoint due_at, const std::string& message,
                                            const db::Snapshot& snapshot, const db::Job& job);

  // Sets `snapshot` deleting and queues its snapshot_delete job, which holds
  // the workload's lock. Conflict when the workload is not available, or the
  // snapshot is not available, failed or cancelled.
  Status Delete(const db::Snapshot& snapshot, const JobOrigin& origin);

  // Cancels a running `snapshot`. While its snapshot_create job is still
  // queued no engine has touched it: the job is dropped, the snapshot
  // cancelled at once and its workload unlocked. Else the snapshot goes to
  // cancelling and a snapshot_cancel job is queued for the engine running
  // it. Conflict when the snapshot is not running.
  Status Cancel(const db::Snapshot& snapshot, const JobOrigin& origin);

 private:
  db::Database& db_;
  const Clock& clock_;
};

}  // namespace cairn::control
