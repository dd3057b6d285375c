// How a snapshot ends (snapshot_steps.h): published, or failed or cancelled
// with everything it wrote undone. Either way its workload is unlocked in
// the same transaction as its last status.
#include <algorithm>

#include "common/log.h"
#include "db/snapshot_repository.h"
#include "db/workload_repository.h"
#include "engine/snapshot_steps.h"
#include "control/target_metadata.h"
#include "engine/workflows.h"
#include "target/layout.h"

namespace cairn::engine {
namespace {

namespace ss = db::snapshot_status;

std::string JoinWarnings(const std::vector<std::string>& warnings) {
  std::string joined;
  for (const auto& w : warnings) joined += (joined.empty() ? "" : "; ") + w;
  return joined;
}

// The status, messages and times of a snapshot that ends without being published.
db::SnapshotUpdate FailedSnapshotUpdate(EngineContext& ctx, const db::Snapshot& s, const Status& why) {
  const bool cancelled = why.IsCancelled();
  db::SnapshotUpdate u;
  u.status = std::string(cancelled ? ss::kCancelled : ss::kError);
  u.error_msg = cancelled ? std::string() : why.message();
  u.progress_msg = cancelled ? "Cancelled" : "Failed";
  u.time_taken = std::chrono::duration_cast<std::chrono::seconds>(ctx.clock.Now() - s.created_at).count();
  u.finished_at = ctx.clock.Now();
  return u;
}

// Removes the checkpoints the VMs' backups took (each answer that came).
void RemoveNewCheckpoints(EngineContext& ctx, const db::Snapshot& s, const std::vector<VmSnapshot>& vms,
                          const std::string& job_id) {
  for (const auto& item : vms) {
    if (!item.answer || !item.answer->HasCheckpoint()) continue;
    if (Status st = RemoveCheckpointBitmaps(ctx, job_id, item.vm, item.answer->CheckpointXml()); !st.ok()) {
      GetLogger("engine")->warn("snapshot {}: checkpoint of VM {} not removed: {}", s.id, item.vm.vm_id,
                                st.ToString());
    }
  }
}

}  // namespace

Status PublishSnapshot(SnapshotRun& run, const RecordedSize& recorded, size_t vm_count,
                       std::chrono::steady_clock::time_point started, HeldWorkloadLock& lock) {
  // The job must still be this engine's; the values first, the target's
  // snapshot_db, and last the status, by compare-and-set from executing (a
  // cancel that came meanwhile wins). After that nothing fails the snapshot.
  if (run.jc.Lost() || run.Cancelled()) return Status::Cancelled("cancelled");
  EngineContext& ctx = run.ctx;
  db::Snapshot& s = run.snapshot;
  const int64_t seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started).count();
  CAIRN_ASSIGN_OR_RETURN(db::Snapshot done,
                         db::SnapshotRepository(ctx.db).Update(
                             s.id, {.progress_percent = 100,
                                    .progress_msg = "Snapshot of " + std::to_string(vm_count) + " VM(s) done",
                                    .warning_msg = JoinWarnings(run.warnings),
                                    .error_msg = std::string(),
                                    .size = recorded.size,
                                    .restore_size = recorded.restore_size,
                                    .uploaded_size = recorded.size,
                                    .time_taken = std::max<int64_t>(seconds, 1),
                                    .finished_at = ctx.clock.Now()}));
  done.status = std::string(ss::kAvailable);
  CAIRN_RETURN_IF_ERROR(control::WriteSnapshotDb(ctx.store, done));
  // The snapshot becomes available and its workload unlocked in one
  // transaction: a client that sees the snapshot available can take the
  // next one at once.
  Status published = lock.UnlockWith("publish snapshot", [&](db::Executor& tx) {
    return db::SnapshotRepository(tx).SetStatusIf(s.id, {std::string(ss::kExecuting)}, ss::kAvailable);
  });
  if (published.code() == ErrorCode::kConflict) return Status::Cancelled("cancelled");
  CAIRN_RETURN_IF_ERROR(published);
  s = done;
  if (auto usage = db::SnapshotRepository(ctx.db).Usage(std::nullopt, s.workload_id); usage.ok()) {
    (void)db::WorkloadRepository(ctx.db).Update(s.workload_id, {.storage_usage = usage->size});
  }
  return Status::OK();
}

void EndSnapshot(EngineContext& ctx, const db::Snapshot& s, const Status& why, const std::vector<VmSnapshot>& vms,
                 const std::string& job_id, HeldWorkloadLock& lock) {
  auto log = GetLogger("engine");
  // Disk tasks of this job that a datamover still runs (the job was taken
  // over from a dead engine) would write into the snapshot after it is
  // removed: stop them and wait for them first.
  StopDiskTasksOfJob(ctx, job_id);
  RemoveNewCheckpoints(ctx, s, vms, job_id);
  if (Status rm = ctx.store.RemoveAll(target::layout::SnapshotDir(s.workload_id, s.id)); !rm.ok()) {
    log->warn("snapshot {}: its files on the target were not removed: {}", s.id, rm.ToString());
  }
  db::SnapshotRepository snapshots(ctx.db);
  if (auto disks = snapshots.ListDisks(s.id); disks.ok()) {
    for (const auto& d : *disks) (void)snapshots.DeleteDisk(d.id);
  }
  const db::SnapshotUpdate u = FailedSnapshotUpdate(ctx, s, why);
  // The snapshot's end and its workload's unlock are seen together (when
  // this fails, the lock's guard still unlocks).
  Status ended = lock.UnlockWith("end snapshot", [&](db::Executor& tx) {
    return db::SnapshotRepository(tx).Update(s.id, u).status();
  });
  if (!ended.ok()) log->error("snapshot {}: {}", s.id, ended.ToString());
}

}  // namespace cairn::engine
