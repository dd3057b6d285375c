#include "control/restore_manager.h"

#include <string>
#include <vector>

#include "db/job_repository.h"
#include "db/restore_repository.h"
#include "db/snapshot_repository.h"
#include "db/workload_repository.h"

namespace cairn::control {
namespace {

namespace rs = db::restore_status;

// Inside `tx`: drops the queued restore_create job of `r`, if there is one
// and it is still queued; then the restore is cancelled at once and its
// workload unlocked. False when no queued job could be dropped.
Result<bool> CancelBeforeStart(db::Executor& tx, const db::Restore& r, const std::vector<std::string>& running,
                               TimePoint now) {
  db::JobRepository jobs(tx);
  db::JobFilter filter;
  filter.object_id = r.id;
  filter.kind = std::string(db::job_kind::kRestoreCreate);
  filter.statuses = {std::string(db::job_status::kQueued)};
  CAIRN_ASSIGN_OR_RETURN(auto queued, jobs.List(filter));
  if (queued.empty() || !jobs.CancelQueued(queued.front().id).ok()) return false;
  db::RestoreRepository restores(tx);
  CAIRN_RETURN_IF_ERROR(restores.SetStatusIf(r.id, running, rs::kCancelled));
  db::RestoreUpdate update;
  update.finished_at = now;
  update.progress_msg = "Cancelled before it started.";
  CAIRN_RETURN_IF_ERROR(restores.Update(r.id, update).status());
  Status unlock = db::WorkloadRepository(tx).SetStatusIf(r.workload_id, {std::string(db::workload_status::kLocked)},
                                                         db::workload_status::kAvailable);
  if (unlock.code() != ErrorCode::kConflict) CAIRN_RETURN_IF_ERROR(unlock);
  return true;
}

}  // namespace

Result<db::Restore> RestoreManager::Create(const db::Snapshot& s, db::Restore restore, const JobOrigin& origin) {
  db::Restore created;
  CAIRN_RETURN_IF_ERROR(db_.Transaction("create restore", [&](db::Executor& tx) -> Status {
    CAIRN_ASSIGN_OR_RETURN(db::Snapshot current, db::SnapshotRepository(tx).Get(s.id));
    if (current.status != db::snapshot_status::kAvailable) {
      return Status::Conflict("Snapshot " + s.id + " is " + current.status +
                              ": only an available snapshot can be restored.");
    }
    db::Job job =
        NewJob(origin, db::job_kind::kRestoreCreate, "", s.workload_id, s.project_id, {{"snapshot_id", s.id}});
    CAIRN_RETURN_IF_ERROR(db::LockWorkloadForJob(tx, s.workload_id, job));
    restore.snapshot_id = s.id;
    restore.workload_id = s.workload_id;
    restore.project_id = s.project_id;
    restore.size = s.restore_size;
    CAIRN_ASSIGN_OR_RETURN(created, db::RestoreRepository(tx).Create(restore));
    job.object_id = created.id;
    return db::JobRepository(tx).Enqueue(job).status();
  }));
  return created;
}

Status RestoreManager::Cancel(const db::Restore& r, const JobOrigin& origin) {
  const std::vector<std::string> running = {std::string(rs::kCreated), std::string(rs::kExecuting)};
  return db_.Transaction("cancel restore", [&](db::Executor& tx) -> Status {
    CAIRN_ASSIGN_OR_RETURN(bool cancelled, CancelBeforeStart(tx, r, running, clock_.Now()));
    if (cancelled) return Status::OK();
    Status set = db::RestoreRepository(tx).SetStatusIf(r.id, running, rs::kCancelling);
    if (set.code() == ErrorCode::kConflict) {
      return Status::Conflict("Restore " + r.id + " is " + r.status + ": only a running restore can be cancelled.");
    }
    CAIRN_RETURN_IF_ERROR(set);
    return db::JobRepository(tx)
        .Enqueue(NewJob(origin, db::job_kind::kRestoreCancel, r.id, r.workload_id, r.project_id))
        .status();
  });
}

Status RestoreManager::Delete(const db::Restore& r) {
  if (r.status != rs::kAvailable && r.status != rs::kError && r.status != rs::kCancelled) {
    return Status::Conflict("Restore " + r.id + " is " + r.status + ": only a finished restore can be deleted.");
  }
  return db::RestoreRepository(db_).SoftDelete(r.id);
}

}  // namespace cairn::control
