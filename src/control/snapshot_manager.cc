#include "control/snapshot_manager.h"

#include "control/snapshot_queue.h"
#include "db/job_repository.h"
#include "db/schedule_run_repository.h"
#include "db/snapshot_repository.h"
#include "db/workload_repository.h"

namespace cairn::control {
namespace {

namespace ss = db::snapshot_status;
namespace run_status = db::schedule_run_status;

// Inside `tx`: drops the queued snapshot_create job of `s`, if there is one
// and it is still queued; then the snapshot is cancelled at once and its
// workload unlocked. False when no queued job could be dropped.
Result<bool> CancelBeforeStart(db::Executor& tx, const db::Snapshot& s, const std::vector<std::string>& running,
                               TimePoint now) {
  db::JobRepository jobs(tx);
  db::JobFilter filter;
  filter.object_id = s.id;
  filter.kind = std::string(db::job_kind::kSnapshotCreate);
  filter.statuses = {std::string(db::job_status::kQueued)};
  CAIRN_ASSIGN_OR_RETURN(auto queued, jobs.List(filter));
  if (queued.empty() || !jobs.CancelQueued(queued.front().id).ok()) return false;
  db::SnapshotRepository snapshots(tx);
  CAIRN_RETURN_IF_ERROR(snapshots.SetStatusIf(s.id, running, ss::kCancelled));
  db::SnapshotUpdate update;
  update.finished_at = now;
  update.progress_msg = "Cancelled before it started.";
  CAIRN_RETURN_IF_ERROR(snapshots.Update(s.id, update).status());
  Status unlock = db::WorkloadRepository(tx).SetStatusIf(s.workload_id, {std::string(db::workload_status::kLocked)},
                                                         db::workload_status::kAvailable);
  if (unlock.code() != ErrorCode::kConflict) CAIRN_RETURN_IF_ERROR(unlock);
  return true;
}

}  // namespace

Result<db::Snapshot> SnapshotManager::Create(const db::Workload& w, const db::Snapshot& snapshot, bool full,
                                             const JobOrigin& origin) {
  if (w.status == db::workload_status::kCreating) {
    return Status::Conflict("Workload " + w.id + " is still being created; snapshot it once it is available.");
  }
  db::Snapshot created;
  CAIRN_RETURN_IF_ERROR(db_.Transaction("snapshot workload", [&](db::Executor& tx) -> Status {
    db::Job job = NewJob(origin, db::job_kind::kSnapshotCreate, "", w.id, w.project_id);
    CAIRN_ASSIGN_OR_RETURN(created, QueueSnapshot(tx, w, snapshot, full, std::move(job)));
    return Status::OK();
  }));
  return created;
}

Result<ScheduledSnapshot> SnapshotManager::CreateScheduled(const db::Workload& w, TimePoint due_at,
                                                           const std::string& message, const db::Snapshot& snapshot,
                                                           const db::Job& job) {
  ScheduledSnapshot out;
  bool taken_by_another = false;
  Status queued = db_.Transaction("queue scheduled snapshot", [&](db::Executor& tx) -> Status {
    db::ScheduleRunRepository runs(tx);
    CAIRN_ASSIGN_OR_RETURN(bool mine, runs.UpdateIf(w.id, due_at, run_status::kWaiting, run_status::kQueued, "", message));
    if (!mine) {
      taken_by_another = true;
      return Status::Conflict("taken by another scheduler");  // rolls back
    }
    CAIRN_ASSIGN_OR_RETURN(out.snapshot, QueueSnapshot(tx, w, snapshot, false, job));
    return runs.UpdateIf(w.id, due_at, run_status::kQueued, run_status::kQueued, out.snapshot.id, message).status();
  });
  if (taken_by_another) return ScheduledSnapshot{};
  CAIRN_RETURN_IF_ERROR(queued);
  out.claimed = true;
  return out;
}

Status SnapshotManager::Delete(const db::Snapshot& s, const JobOrigin& origin) {
  return db_.Transaction("delete snapshot", [&](db::Executor& tx) -> Status {
    return QueueSnapshotDelete(tx, s, NewJob(origin, db::job_kind::kSnapshotDelete, s.id, s.workload_id, s.project_id));
  });
}

Status SnapshotManager::Cancel(const db::Snapshot& s, const JobOrigin& origin) {
  const std::vector<std::string> running = {std::string(ss::kCreating), std::string(ss::kExecuting),
                                            std::string(ss::kUploading)};
  return db_.Transaction("cancel snapshot", [&](db::Executor& tx) -> Status {
    CAIRN_ASSIGN_OR_RETURN(bool cancelled, CancelBeforeStart(tx, s, running, clock_.Now()));
    if (cancelled) return Status::OK();
    Status set = db::SnapshotRepository(tx).SetStatusIf(s.id, running, ss::kCancelling);
    if (set.code() == ErrorCode::kConflict) {
      return Status::Conflict("Snapshot " + s.id + " is " + s.status + ": only a running snapshot can be cancelled.");
    }
    CAIRN_RETURN_IF_ERROR(set);
    return db::JobRepository(tx)
        .Enqueue(NewJob(origin, db::job_kind::kSnapshotCancel, s.id, s.workload_id, s.project_id))
        .status();
  });
}

}  // namespace cairn::control
