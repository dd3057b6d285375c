#include "control/workload_manager.h"

#include "db/job_repository.h"
#include "db/quota_repository.h"

namespace cairn::control {
namespace {

namespace ws = db::workload_status;

// The 409 of an unlock or reset while `job` of workload `w` is queued or
// running: the lock is the job's, and moving the workload to available under
// it would let a second snapshot, restore or merge run beside it.
Status BusyWithJob(const db::Workload& w, const db::Job& job, std::string_view what) {
  return Status::Conflict("Workload " + w.id + " cannot be " + std::string(what) + " while its job " + job.id + " (" +
                          job.kind + " of " + job.object_id + ") is " + job.status +
                          ": cancel it or wait for it to end (an admin may reset the workload once the engine "
                          "running the job has stopped).");
}

int64_t Count(size_t n) { return static_cast<int64_t>(n); }

}  // namespace

Result<db::Workload> WorkloadManager::Create(const db::Workload& workload, const JobOrigin& origin) {
  const std::string& project = workload.project_id;
  db::Workload created;
  CAIRN_RETURN_IF_ERROR(db_.Transaction("create workload", [&](db::Executor& tx) -> Status {
    CAIRN_ASSIGN_OR_RETURN(auto counts, db::WorkloadRepository(tx).CountByProject(project));
    CAIRN_RETURN_IF_ERROR(db::EnforceQuota(tx, project, db::kQuotaTypeWorkloadsId, "Workloads", counts.workloads + 1));
    CAIRN_RETURN_IF_ERROR(
        db::EnforceQuota(tx, project, db::kQuotaTypeVmsId, "VMs", counts.vms + Count(workload.vms.size())));
    CAIRN_ASSIGN_OR_RETURN(created, db::WorkloadRepository(tx).Create(workload));
    return db::JobRepository(tx)
        .Enqueue(NewJob(origin, db::job_kind::kWorkloadCreate, created.id, created.id, project))
        .status();
  }));
  return created;
}

Result<db::Workload> WorkloadManager::Modify(const std::string& workload_id, const db::WorkloadUpdate& update) {
  db::Workload updated;
  CAIRN_RETURN_IF_ERROR(db_.Transaction("update workload", [&](db::Executor& tx) -> Status {
    db::WorkloadRepository workloads(tx);
    if (update.vms) {
      CAIRN_ASSIGN_OR_RETURN(db::Workload current, workloads.Get(workload_id));
      CAIRN_ASSIGN_OR_RETURN(auto counts, workloads.CountByProject(current.project_id));
      CAIRN_RETURN_IF_ERROR(db::EnforceQuota(tx, current.project_id, db::kQuotaTypeVmsId, "VMs",
                                             counts.vms - Count(current.vms.size()) + Count(update.vms->size())));
    }
    CAIRN_ASSIGN_OR_RETURN(updated, workloads.Update(workload_id, update));
    return Status::OK();
  }));
  return updated;
}

Status WorkloadManager::Delete(const db::Workload& w, bool database_only, const JobOrigin& origin) {
  return db_.Transaction("delete workload", [&](db::Executor& tx) -> Status {
    Status set = db::WorkloadRepository(tx).SetStatusIf(
        w.id, {std::string(ws::kAvailable), std::string(ws::kError), std::string(ws::kCreating)}, ws::kDeleting);
    if (set.code() == ErrorCode::kConflict) {
      return Status::Conflict("Workload " + w.id + " cannot be deleted while a snapshot or restore runs (status " +
                              w.status + ").");
    }
    CAIRN_RETURN_IF_ERROR(set);
    return db::JobRepository(tx)
        .Enqueue(NewJob(origin, db::job_kind::kWorkloadDelete, w.id, w.id, w.project_id,
                        {{"database_only", database_only}}))
        .status();
  });
}

Status WorkloadManager::Unlock(const db::Workload& w) {
  return db_.Transaction("unlock workload", [&](db::Executor& tx) -> Status {
    CAIRN_ASSIGN_OR_RETURN(std::vector<db::Job> active, db::JobRepository(tx).ActiveOfWorkload(w.id));
    if (!active.empty()) return BusyWithJob(w, active.front(), "unlocked");
    Status set = db::WorkloadRepository(tx).SetStatusIf(
        w.id, {std::string(ws::kLocked), std::string(ws::kAvailable), std::string(ws::kError)}, ws::kAvailable);
    if (set.code() == ErrorCode::kConflict) {
      return Status::Conflict("Workload " + w.id + " is " + w.status + ": it cannot be unlocked.");
    }
    return set;
  });
}

Result<std::vector<std::string>> WorkloadManager::Reset(const db::Workload& w, bool end_abandoned_jobs,
                                                        const JobOrigin& origin) {
  if (w.status == ws::kDeleting) return Status::Conflict("Workload " + w.id + " is being deleted.");
  const TimePoint now = clock_.Now();
  std::vector<std::string> ended;
  CAIRN_RETURN_IF_ERROR(db_.Transaction("reset workload", [&](db::Executor& tx) -> Status {
    db::JobRepository jobs(tx);
    CAIRN_ASSIGN_OR_RETURN(std::vector<db::Job> active, jobs.ActiveOfWorkload(w.id));
    for (const db::Job& job : active) {
      if (!end_abandoned_jobs || !db::EngineGone(job, now)) return BusyWithJob(w, job, "reset");
    }
    for (const db::Job& job : active) {
      Status end = jobs.EndAbandoned(
          job.id, "ended by a reset of workload " + w.id + ": engine " + job.claimed_by + " stopped running it", now);
      if (end.code() == ErrorCode::kConflict) return BusyWithJob(w, job, "reset");
      CAIRN_RETURN_IF_ERROR(end);
      ended.push_back(job.id);
    }
    return jobs.Enqueue(NewJob(origin, db::job_kind::kWorkloadReset, w.id, w.id, w.project_id)).status();
  }));
  return ended;
}

}  // namespace cairn::control
