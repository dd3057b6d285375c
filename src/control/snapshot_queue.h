// Queueing a snapshot: what a user's snapshot request (the API) and a due
// schedule (the scheduler) both do, in one transaction of the caller's.
#pragma once

#include "common/status.h"
#include "db/database.h"
#include "db/models.h"

namespace cairn::control {

// Inside the caller's transaction `tx`: checks the project's Snapshots and
// Storage quotas, locks `workload` (it must be available), creates
// `snapshot` (its name, description, is_scheduled and user_id as given; the
// rest set here: full when `full` or when the workload has no available
// snapshot yet, else incremental, which the engine may still turn into a
// full) and queues `job` (its user_id and payload as given, plus "full")
// as the snapshot_create job of it. Returns the snapshot row.
// Errors: OutOfRange naming the quota; Conflict when the workload is not
// available (its status named: a snapshot, restore or delete running, still
// being created, ...). The job holds the workload's lock (db::LockWorkloadForJob).
Result<db::Snapshot> QueueSnapshot(db::Executor& tx, const db::Workload& workload, db::Snapshot snapshot, bool full,
                                   db::Job job);

// Inside the caller's transaction `tx`: locks the snapshot's workload for
// the delete (it must be available), sets `snapshot` deleting (it must be
// available, error or cancelled) and queues `job` (its user_id and payload
// as given) as its snapshot_delete job, holding the lock. Conflict naming
// the workload's or the snapshot's status otherwise.
Status QueueSnapshotDelete(db::Executor& tx, const db::Snapshot& snapshot, db::Job job);

}  // namespace cairn::control
