// workload_create, workload_delete, workload_reset, snapshot_delete and the
// cancel jobs (workflows.h).
#include <thread>

#include "common/log.h"
#include "datamover/merge.h"
#include "db/job_repository.h"
#include "db/restore_repository.h"
#include "db/snapshot_repository.h"
#include "db/workload_repository.h"
#include "control/target_metadata.h"
#include "engine/workflows.h"
#include "engine/workload_lock.h"
#include "rpc/task.h"
#include "target/identity.h"
#include "target/layout.h"

namespace cairn::engine {
namespace {

using nlohmann::json;
namespace ss = db::snapshot_status;
namespace ws = db::workload_status;
namespace rs = db::restore_status;

// True when another job for `object_id` of `kind` is queued or running
// (other than `self`).
bool OtherJobRuns(EngineContext& ctx, const std::string& object_id, std::string_view kind, const std::string& self) {
  db::JobFilter f;
  f.object_id = object_id;
  f.kind = std::string(kind);
  f.statuses = {std::string(db::job_status::kQueued), std::string(db::job_status::kRunning)};
  auto jobs = db::JobRepository(ctx.db).List(f);
  if (!jobs.ok()) return true;  // unsure: leave it to the running job
  for (const auto& j : *jobs) {
    if (j.id != self) return true;
  }
  return false;
}

// Drops one disk backup of a snapshot with the merge rules, and points the
// child's row at its new parent.
Status DropDiskBackup(EngineContext& ctx, const db::Snapshot& s, const db::SnapshotDisk& disk) {
  datamover::MergeRequest request;
  request.disk = {s.workload_id, s.id, disk.vm_id, disk.device};
  Result<datamover::MergeResult> merged = datamover::Merge(ctx.store, request);
  if (!merged.ok()) {
    if (merged.status().IsNotFound()) return Status::OK();  // dropped by an earlier attempt
    return merged.status().WithContext("disk " + disk.device + " of VM " + disk.vm_id);
  }
  if (!merged->child) return Status::OK();
  db::SnapshotRepository snapshots(ctx.db);
  CAIRN_ASSIGN_OR_RETURN(std::vector<db::SnapshotDisk> child_disks,
                         snapshots.ListDisks(merged->child->ref.snapshot, disk.vm_id));
  for (db::SnapshotDisk child : child_disks) {
    if (child.device != disk.device) continue;
    child.parent_disk_snapshot_id = disk.parent_disk_snapshot_id;
    child.size = static_cast<int64_t>(merged->new_image_size);
    CAIRN_RETURN_IF_ERROR(snapshots.PutDisk(child).status());
    // The child snapshot's size grows by what it took over.
    CAIRN_ASSIGN_OR_RETURN(std::vector<db::SnapshotDisk> all, snapshots.ListDisks(merged->child->ref.snapshot));
    int64_t total = 0;
    for (const auto& d : all) total += d.size;
    CAIRN_RETURN_IF_ERROR(snapshots.Update(merged->child->ref.snapshot, {.size = total}).status());
  }
  return Status::OK();
}

void RefreshStorageUsage(EngineContext& ctx, const std::string& workload_id) {
  if (auto usage = db::SnapshotRepository(ctx.db).Usage(std::nullopt, workload_id); usage.ok()) {
    (void)db::WorkloadRepository(ctx.db).Update(workload_id, {.storage_usage = usage->size});
  }
}

// How long a snapshot delete waits in the queue before it tries again to
// take a workload that another job has locked.
std::chrono::milliseconds BusyWorkloadRetry(const EngineContext& ctx) { return ctx.options.job_poll * 5; }

// Drops every disk backup of `s`, then its files and rows.
Status DeleteSnapshotData(EngineContext& ctx, const db::Snapshot& s) {
  db::SnapshotRepository snapshots(ctx.db);
  // On a target without its marker (an unmounted share) every file would
  // be "not found", i.e. already gone: refuse instead.
  CAIRN_RETURN_IF_ERROR(target::CheckTargetIdentity(ctx.store)
                            .WithContext("delete failed, nothing was removed (retry the delete once the target is "
                                         "back)"));
  CAIRN_ASSIGN_OR_RETURN(std::vector<db::SnapshotDisk> disks, snapshots.ListDisks(s.id));
  for (const auto& disk : disks) {
    CAIRN_RETURN_IF_ERROR(DropDiskBackup(ctx, s, disk)
                              .WithContext("delete failed on disk " + disk.device + " of VM " + disk.vm_id +
                                           " (every other snapshot stays restorable; retry the delete)"));
    CAIRN_RETURN_IF_ERROR(snapshots.DeleteDisk(disk.id));
  }
  CAIRN_RETURN_IF_ERROR(ctx.store.RemoveAll(target::layout::SnapshotDir(s.workload_id, s.id)));
  CAIRN_RETURN_IF_ERROR(snapshots.SoftDelete(s.id));
  RefreshStorageUsage(ctx, s.workload_id);
  GetLogger("engine")->info("snapshot {} deleted ({} disk backups dropped)", s.id, disks.size());
  return Status::OK();
}

}  // namespace

Status RunSnapshotDelete(EngineContext& ctx, const JobContext& jc) {
  db::SnapshotRepository snapshots(ctx.db);
  CAIRN_ASSIGN_OR_RETURN(db::Snapshot s, snapshots.Get(jc.job.object_id, /*include_deleted=*/true));
  // The workload stays locked while its chains are merged, so no snapshot or
  // restore reads them meanwhile. A delete the API queued holds the lock
  // from the start, also after a takeover; a retention delete takes it now,
  // or goes back to the queue while another job holds it (a worker never
  // waits for a workload).
  if (!db::HoldsWorkloadLock(jc.job) && !s.deleted) {
    Status taken = db::TakeWorkloadLock(ctx.db, s.workload_id, jc.job.id);
    if (taken.code() == ErrorCode::kConflict) {
      (void)snapshots.Update(s.id, {.progress_msg = "Waiting for the workload: " + taken.message()});
      jc.RequeueAfter(BusyWorkloadRetry(ctx));
      return Status::OK();
    }
    if (taken.IsNotFound()) return Status::OK();  // the workload went, and its snapshots with it
    CAIRN_RETURN_IF_ERROR(taken);
  }
  HeldWorkloadLock lock(ctx.db, jc, s.workload_id);
  if (s.deleted) return Status::OK();
  Status deleted = CatchExceptions("the snapshot delete", [&] { return DeleteSnapshotData(ctx, s); });
  if (!deleted.ok() && !jc.Lost()) {
    // Not left "deleting": the user sees why and may delete it again.
    (void)snapshots.Update(s.id, {.status = std::string(ss::kError), .error_msg = deleted.message()});
  }
  return deleted;
}

Status RunWorkloadCreate(EngineContext& ctx, const JobContext& jc) {
  db::WorkloadRepository workloads(ctx.db);
  CAIRN_ASSIGN_OR_RETURN(db::Workload w, workloads.Get(jc.job.object_id));
  if (w.status != ws::kCreating) return Status::OK();
  Status checked = [&]() -> Status {
    CAIRN_ASSIGN_OR_RETURN(openstack::Token user, ctx.cloud.UserToken(jc.job));
    for (const auto& vm : w.vms) {
      Result<openstack::Server> server = ctx.cloud.GetServer(user, vm.vm_id);
      if (!server.ok()) return server.status().WithContext("VM " + vm.vm_id);
    }
    CAIRN_RETURN_IF_ERROR(target::CheckTargetIdentity(ctx.store));
    return control::WriteWorkloadMetadata(ctx.store, w);
  }();
  if (!checked.ok()) {
    (void)workloads.Update(w.id, {.status = std::string(ws::kError), .error_msg = checked.message()});
    return checked;
  }
  CAIRN_RETURN_IF_ERROR(workloads.SetStatusIf(w.id, {std::string(ws::kCreating)}, ws::kAvailable));
  return Status::OK();
}

Status RunWorkloadDelete(EngineContext& ctx, const JobContext& jc) {
  db::WorkloadRepository workloads(ctx.db);
  CAIRN_ASSIGN_OR_RETURN(db::Workload w, workloads.Get(jc.job.object_id, /*include_deleted=*/true));
  if (w.deleted) return Status::OK();
  const bool database_only = jc.job.payload.value("database_only", false);
  // Its data is removed from the target: never from an unmounted share's
  // empty mount point (the rows would go, the backups stay unowned).
  if (Status target_ok = database_only ? Status::OK() : target::CheckTargetIdentity(ctx.store); !target_ok.ok()) {
    (void)workloads.Update(w.id, {.status = std::string(ws::kError),
                                  .error_msg = "delete failed, nothing was removed (retry the delete once the "
                                               "target is back): " + target_ok.message()});
    return target_ok;
  }
  db::SnapshotRepository snapshots(ctx.db);
  db::SnapshotFilter f;
  f.workload_id = w.id;
  CAIRN_ASSIGN_OR_RETURN(std::vector<db::Snapshot> list, snapshots.List(f));
  // The bitmaps of the newest checkpoints stay in the VMs' disks otherwise.
  if (!database_only) {
    for (const auto& s : list) {
      if (s.status != ss::kAvailable) continue;
      if (auto vms = snapshots.ListVms(s.id); vms.ok()) {
        for (const auto& vm : *vms) {
          const json cp = vm.metadata.value("checkpoint", json());
          if (!cp.is_object() || cp.value("xml", "").empty()) continue;
          rpc::DiskTask task{.job_id = jc.job.id,
                             .host = vm.metadata.value("host", ""),
                             .kind = std::string(rpc::task_kind::kRemoveCheckpoint),
                             .body = {{"domain", vm.metadata.value("instance_name", "")}, {"xml", cp.value("xml", "")}}};
          if (auto r = ctx.transport.Call(task, {}, nullptr); !r.ok()) {
            GetLogger("engine")->info("workload {}: checkpoint of VM {} not removed: {}", w.id, vm.vm_id,
                                      r.status().ToString());
          }
        }
      }
      break;  // only the newest available snapshot's checkpoints exist
    }
    CAIRN_RETURN_IF_ERROR(ctx.store.RemoveAll(target::layout::WorkloadDir(w.id)));
  }
  for (const auto& s : list) {
    if (Status d = snapshots.SoftDelete(s.id); !d.ok() && !d.IsNotFound()) return d;
  }
  CAIRN_RETURN_IF_ERROR(workloads.SoftDelete(w.id));
  GetLogger("engine")->info("workload {} deleted{}", w.id, database_only ? " (database only)" : "");
  return Status::OK();
}

Status RunWorkloadReset(EngineContext& ctx, const JobContext& jc) {
  db::WorkloadRepository workloads(ctx.db);
  CAIRN_ASSIGN_OR_RETURN(db::Workload w, workloads.Get(jc.job.object_id));
  // The API queues a reset only when no job of the workload runs (or an
  // admin ended those of stopped engines). A job queued since holds the
  // workload's lock rightfully: the reset leaves everything to it.
  CAIRN_ASSIGN_OR_RETURN(std::vector<db::Job> active, db::JobRepository(ctx.db).ActiveOfWorkload(w.id));
  for (const auto& other : active) {
    if (other.id == jc.job.id) continue;
    GetLogger("engine")->info("workload {}: reset skipped, job {} ({}) runs on it now", w.id, other.id, other.kind);
    return Status::OK();
  }
  db::SnapshotRepository snapshots(ctx.db);
  db::SnapshotFilter f;
  f.workload_id = w.id;
  f.statuses = {std::string(ss::kCreating), std::string(ss::kExecuting), std::string(ss::kUploading),
                std::string(ss::kCancelling), std::string(ss::kDeleting)};
  CAIRN_ASSIGN_OR_RETURN(std::vector<db::Snapshot> stuck, snapshots.List(f));
  for (const auto& s : stuck) {
    if (s.status == ss::kDeleting) {
      // An interrupted merge leaves every published backup readable: the
      // snapshot stays, for the user to delete again.
      CAIRN_RETURN_IF_ERROR(snapshots.Update(s.id, {.status = std::string(ss::kError),
                                                    .error_msg = "its delete was interrupted (ended by a workload "
                                                                 "reset): delete it again"})
                                .status());
      continue;
    }
    CAIRN_RETURN_IF_ERROR(ctx.store.RemoveAll(target::layout::SnapshotDir(s.workload_id, s.id)));
    CAIRN_RETURN_IF_ERROR(snapshots.Update(s.id, {.status = std::string(ss::kError),
                                                  .error_msg = "ended by a workload reset: no job was running it"})
                              .status());
  }
  db::RestoreRepository restores(ctx.db);
  db::RestoreFilter rf;
  rf.workload_id = w.id;
  rf.statuses = {std::string(rs::kCreated), std::string(rs::kExecuting), std::string(rs::kCancelling)};
  CAIRN_ASSIGN_OR_RETURN(std::vector<db::Restore> list, restores.List(rf));
  for (const auto& r : list) {
    CAIRN_RETURN_IF_ERROR(restores.Update(r.id, {.status = std::string(rs::kError),
                                                 .error_msg = "ended by a workload reset: no job was running it "
                                                              "(what it had created is listed in its instances)"})
                              .status());
  }
  CAIRN_RETURN_IF_ERROR(datamover::Cleanup(ctx.store, w.id).status());
  (void)workloads.SetStatusIf(w.id, {std::string(ws::kLocked), std::string(ws::kError)}, ws::kAvailable);
  return Status::OK();
}

Status RunSnapshotCancel(EngineContext& ctx, const JobContext& jc) {
  db::SnapshotRepository snapshots(ctx.db);
  CAIRN_ASSIGN_OR_RETURN(db::Snapshot s, snapshots.Get(jc.job.object_id));
  if (s.status != ss::kCancelling) return Status::OK();
  if (OtherJobRuns(ctx, s.id, db::job_kind::kSnapshotCreate, jc.job.id)) return Status::OK();  // it sees the cancel
  // Nobody runs it any more: finish the cancel here.
  CAIRN_RETURN_IF_ERROR(ctx.store.RemoveAll(target::layout::SnapshotDir(s.workload_id, s.id)));
  return ctx.db.Transaction("cancel snapshot", [&](db::Executor& tx) {
    CAIRN_RETURN_IF_ERROR(db::SnapshotRepository(tx)
                              .Update(s.id, {.status = std::string(ss::kCancelled), .progress_msg = "Cancelled"})
                              .status());
    (void)db::WorkloadRepository(tx).SetStatusIf(s.workload_id, {std::string(ws::kLocked)}, ws::kAvailable);
    return Status::OK();
  });
}

Status RunRestoreCancel(EngineContext& ctx, const JobContext& jc) {
  db::RestoreRepository restores(ctx.db);
  CAIRN_ASSIGN_OR_RETURN(db::Restore r, restores.Get(jc.job.object_id));
  if (r.status != rs::kCancelling) return Status::OK();
  if (OtherJobRuns(ctx, r.id, db::job_kind::kRestoreCreate, jc.job.id)) return Status::OK();
  return ctx.db.Transaction("cancel restore", [&](db::Executor& tx) {
    CAIRN_RETURN_IF_ERROR(db::RestoreRepository(tx)
                              .Update(r.id, {.status = std::string(rs::kCancelled), .progress_msg = "Cancelled"})
                              .status());
    (void)db::WorkloadRepository(tx).SetStatusIf(r.workload_id, {std::string(ws::kLocked)}, ws::kAvailable);
    return Status::OK();
  });
}

bool RestoreIsCancelling(EngineContext& ctx, const db::Job& job) {
  auto r = db::RestoreRepository(ctx.db).Get(job.object_id);
  return r.ok() && (r->status == rs::kCancelling || r->status == rs::kCancelled);
}

void RegisterWorkflows(JobRunner& runner, EngineContext& ctx) {
  EngineContext* c = &ctx;
  runner.Register(std::string(db::job_kind::kSnapshotCreate), [c](const JobContext& j) { return RunSnapshot(*c, j); },
                  [c](const db::Job& j) { return SnapshotIsCancelling(*c, j); });
  runner.Register(std::string(db::job_kind::kSnapshotDelete),
                  [c](const JobContext& j) { return RunSnapshotDelete(*c, j); });
  runner.Register(std::string(db::job_kind::kSnapshotCancel),
                  [c](const JobContext& j) { return RunSnapshotCancel(*c, j); });
  runner.Register(std::string(db::job_kind::kRestoreCreate), [c](const JobContext& j) { return RunRestore(*c, j); },
                  [c](const db::Job& j) { return RestoreIsCancelling(*c, j); });
  runner.Register(std::string(db::job_kind::kRestoreCancel),
                  [c](const JobContext& j) { return RunRestoreCancel(*c, j); });
  runner.Register(std::string(db::job_kind::kWorkloadCreate),
                  [c](const JobContext& j) { return RunWorkloadCreate(*c, j); });
  runner.Register(std::string(db::job_kind::kWorkloadDelete),
                  [c](const JobContext& j) { return RunWorkloadDelete(*c, j); });
  runner.Register(std::string(db::job_kind::kWorkloadReset),
                  [c](const JobContext& j) { return RunWorkloadReset(*c, j); });
}

}  // namespace cairn::engine
