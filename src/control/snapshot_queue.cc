#include "control/snapshot_queue.h"

#include "db/job_repository.h"
#include "db/quota_repository.h"
#include "db/snapshot_repository.h"
#include "db/workload_repository.h"

namespace cairn::control {

Result<db::Snapshot> QueueSnapshot(db::Executor& tx, const db::Workload& workload, db::Snapshot snapshot, bool full,
                                   db::Job job) {
  db::SnapshotRepository snapshots(tx);
  CAIRN_ASSIGN_OR_RETURN(auto usage, snapshots.Usage(workload.project_id));
  CAIRN_RETURN_IF_ERROR(
      db::EnforceQuota(tx, workload.project_id, db::kQuotaTypeSnapshotsId, "Snapshots", usage.snapshots + 1));
  // Storage: a new snapshot needs room beyond what the project's snapshots use.
  CAIRN_RETURN_IF_ERROR(db::EnforceQuota(tx, workload.project_id, db::kQuotaTypeStorageId, "Storage", usage.size + 1));
  CAIRN_RETURN_IF_ERROR(db::LockWorkloadForJob(tx, workload.id, job));
  db::SnapshotFilter earlier;
  earlier.workload_id = workload.id;
  earlier.statuses = {std::string(db::snapshot_status::kAvailable)};
  CAIRN_ASSIGN_OR_RETURN(auto previous, snapshots.List(earlier, db::Page{.limit = 1, .marker = std::nullopt}));
  snapshot.workload_id = workload.id;
  snapshot.project_id = workload.project_id;
  snapshot.snapshot_type =
      std::string(full || previous.empty() ? db::kSnapshotTypeFull : db::kSnapshotTypeIncremental);
  CAIRN_ASSIGN_OR_RETURN(db::Snapshot created, snapshots.Create(snapshot));
  job.kind = std::string(db::job_kind::kSnapshotCreate);
  job.object_id = created.id;
  job.workload_id = workload.id;
  job.project_id = workload.project_id;
  job.payload["full"] = full;
  CAIRN_RETURN_IF_ERROR(db::JobRepository(tx).Enqueue(job).status());
  return created;
}

Status QueueSnapshotDelete(db::Executor& tx, const db::Snapshot& snapshot, db::Job job) {
  // The merge rewrites the chains a snapshot or restore reads: the delete
  // holds the workload's lock from now until its job ends.
  CAIRN_RETURN_IF_ERROR(db::LockWorkloadForJob(tx, snapshot.workload_id, job));
  Status set = db::SnapshotRepository(tx).SetStatusIf(
      snapshot.id,
      {std::string(db::snapshot_status::kAvailable), std::string(db::snapshot_status::kError),
       std::string(db::snapshot_status::kCancelled)},
      db::snapshot_status::kDeleting);
  if (set.code() == ErrorCode::kConflict) {
    CAIRN_ASSIGN_OR_RETURN(db::Snapshot now_s, db::SnapshotRepository(tx).Get(snapshot.id));
    return Status::Conflict("Snapshot " + snapshot.id + " is " + now_s.status +
                            ": only an available, failed or cancelled snapshot can be deleted.");
  }
  CAIRN_RETURN_IF_ERROR(set);
  job.kind = std::string(db::job_kind::kSnapshotDelete);
  job.object_id = snapshot.id;
  job.workload_id = snapshot.workload_id;
  job.project_id = snapshot.project_id;
  return db::JobRepository(tx).Enqueue(job).status();
}

}  // namespace cairn::control
