#include "engine/snapshot_queue.h"

#include "db/job_repository.h"
#include "db/quota_repository.h"
#include "db/snapshot_repository.h"
#include "db/workload_repository.h"

namespace cairn::engine {

namespace ws = db::workload_status;

Result<db::Snapshot> QueueSnapshot(db::Executor& tx, const db::Workload& workload, db::Snapshot snapshot, bool full,
                                   db::Job job) {
  db::SnapshotRepository snapshots(tx);
  CAIRN_ASSIGN_OR_RETURN(auto usage, snapshots.Usage(workload.project_id));
  CAIRN_RETURN_IF_ERROR(
      db::EnforceQuota(tx, workload.project_id, db::kQuotaTypeSnapshotsId, "Snapshots", usage.snapshots + 1));
  // Storage: a new snapshot needs room beyond what the project's snapshots use.
  CAIRN_RETURN_IF_ERROR(db::EnforceQuota(tx, workload.project_id, db::kQuotaTypeStorageId, "Storage", usage.size + 1));
  Status set = db::WorkloadRepository(tx).SetStatusIf(workload.id, {std::string(ws::kAvailable)}, ws::kLocked);
  if (set.code() == ErrorCode::kConflict) {
    CAIRN_ASSIGN_OR_RETURN(db::Workload now_w, db::WorkloadRepository(tx).Get(workload.id));
    return Status::Conflict("Workload " + workload.id + " is " + now_w.status +
                            (now_w.status == ws::kLocked ? ": a snapshot or restore is already running."
                                                         : ": it must be available to take a snapshot."));
  }
  CAIRN_RETURN_IF_ERROR(set);
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

}  // namespace cairn::engine
