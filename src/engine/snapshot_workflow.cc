// snapshot_create (workflows.h): the steps of snapshot_steps.h in order,
// and the end of the snapshot however they end.
#include <set>
#include <thread>

#include "common/log.h"
#include "common/strings.h"
#include "db/disk_task_repository.h"
#include "db/snapshot_repository.h"
#include "db/workload_repository.h"
#include "engine/backup_window.h"
#include "engine/retention.h"
#include "engine/snapshot_slots.h"
#include "engine/snapshot_steps.h"
#include "engine/workflows.h"
#include "engine/workload_lock.h"
#include "target/identity.h"

namespace cairn::engine {
namespace {

namespace ss = db::snapshot_status;

// A scheduled snapshot's backup window: an error once it has closed.
Status CheckBackupWindow(const SnapshotRun& run) { return CheckWindowOfJob(run.jc.job.payload, run.ctx.clock.Now()); }

// The snapshot's type is chosen: it executes, capturing `vm_count` VMs.
Status MarkExecuting(SnapshotRun& run, bool full, size_t vm_count) {
  const std::string type(full ? db::kSnapshotTypeFull : db::kSnapshotTypeIncremental);
  CAIRN_RETURN_IF_ERROR(db::SnapshotRepository(run.ctx.db)
                            .Update(run.snapshot.id,
                                    {.snapshot_type = type,
                                     .status = std::string(ss::kExecuting),
                                     .progress_percent = 2,
                                     .progress_msg = "Capturing the definitions of " + std::to_string(vm_count) +
                                                     " VM(s)",
                                     .host = run.ctx.options.host})
                            .status());
  run.snapshot.snapshot_type = type;
  return Status::OK();
}

// The caps on snapshots moving data at once: waits for a slot of the cloud
// and of each host the VMs run on.
Status TakeSlots(SnapshotRun& run, const std::vector<VmSnapshot>& vms, HeldSlots& slots) {
  std::set<std::string> hosts;
  for (const auto& item : vms) hosts.insert(item.vm.host);
  const EngineOptions& options = run.ctx.options;
  CAIRN_RETURN_IF_ERROR(slots.Take(run.ctx, run.snapshot.id,
                                   SlotsNeeded(options.max_snapshots_per_host, options.max_snapshots_total, hosts)));
  return CheckBackupWindow(run);
}

// The steps, in order; `captured` keeps what the capture and dispatch
// steps got (for EndSnapshot when a later step fails).
Status SnapshotSteps(SnapshotRun& run, CapturedWorkload& captured, HeldWorkloadLock& lock) {
  EngineContext& ctx = run.ctx;
  // Nothing is written to a target without its marker (an unmounted share).
  CAIRN_ASSIGN_OR_RETURN(target::TargetIdentity target_identity, target::ReadTargetIdentity(ctx.store));
  CAIRN_RETURN_IF_ERROR(CheckBackupWindow(run));
  CAIRN_ASSIGN_OR_RETURN(db::Workload w, db::WorkloadRepository(ctx.db).Get(run.snapshot.workload_id));
  CAIRN_ASSIGN_OR_RETURN(openstack::Token user, ctx.cloud.UserToken(run.jc.job));
  const auto started = std::chrono::steady_clock::now();

  CAIRN_ASSIGN_OR_RETURN(SnapshotBase base, ChooseSnapshotBase(ctx.db, run.snapshot, w, run.jc.job));
  CAIRN_RETURN_IF_ERROR(MarkExecuting(run, base.full, w.vms.size()));
  CAIRN_ASSIGN_OR_RETURN(captured, CaptureWorkloadVms(run, w, user));
  PlanVmBackups(run, base, captured.vms);
  HeldSlots slots(ctx.db, run.jc);  // until the snapshot ends
  CAIRN_RETURN_IF_ERROR(TakeSlots(run, captured.vms, slots));
  CAIRN_RETURN_IF_ERROR(DispatchVmBackups(run, captured.vms, VmsAtOnce(w, ctx.options), target_identity.id));
  CAIRN_ASSIGN_OR_RETURN(RecordedSize recorded, RecordSnapshot(run, captured));
  DropObsoleteCheckpoints(run, captured.vms);
  return PublishSnapshot(run, recorded, captured.vms.size(), started, lock);
}

// After a published snapshot, retention: the snapshots the workload's
// policy no longer keeps are deleted by their own jobs. Failing here costs
// space, not this snapshot.
void ApplyRetentionAfter(EngineContext& ctx, const JobContext& jc, const db::Snapshot& s) {
  auto log = GetLogger("engine");
  log->info("snapshot {} available: {} bytes in {} s", s.id, s.size, s.time_taken);
  auto expired = ApplyRetention(ctx.db, s.workload_id, jc.job.user_id, ctx.clock.Now());
  if (!expired.ok()) {
    log->warn("snapshot {}: retention not applied: {}", s.id, expired.status().ToString());
  } else if (!expired->empty()) {
    log->info("workload {}: retention deletes {} snapshot(s): {}", s.workload_id, expired->size(),
              Join(*expired, ", "));
  }
}

// Why a job that did not publish its snapshot ended, as the snapshot will
// say it: a failure seen after a cancel is the cancel.
Status FailureAfter(const JobContext& jc, Status outcome) {
  if (jc.cancel.load() && !outcome.IsCancelled()) outcome = Status::Cancelled(outcome.message());
  return outcome;
}

}  // namespace

void StopDiskTasksOfJob(EngineContext& ctx, const std::string& job_id) {
  db::DiskTaskRepository tasks(ctx.db);
  const auto deadline = std::chrono::steady_clock::now() + ctx.options.datamover_timeout + std::chrono::seconds(5);
  bool asked = false;
  while (std::chrono::steady_clock::now() < deadline) {
    auto left = tasks.ListUnfinished(job_id);
    if (!left.ok() || left->empty()) return;
    for (const auto& t : *left) {
      if (!asked) (void)tasks.RequestCancel(t.id);
      // A datamover that stopped reporting will not end it: fail it.
      (void)tasks.MarkStale(t.id, UtcNow() - ctx.options.datamover_timeout,
                            "the datamover on host " + t.host + " stopped reporting");
    }
    asked = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  GetLogger("engine")->warn("job {}: disk tasks still running after the cancel", job_id);
}

Status RunSnapshot(EngineContext& ctx, const JobContext& jc) {
  CAIRN_ASSIGN_OR_RETURN(db::Snapshot s, db::SnapshotRepository(ctx.db).Get(jc.job.object_id));
  if (s.status == ss::kAvailable || s.status == ss::kError || s.status == ss::kCancelled) {
    return Status::OK();  // already ended (cancelled while queued, or finished by an earlier engine)
  }
  // The workload's lock is this job's (queued with it): released however
  // the job ends, unless another engine took the job over.
  HeldWorkloadLock lock(ctx.db, jc, s.workload_id);
  SnapshotRun run{.ctx = ctx, .jc = jc, .snapshot = s, .warnings = {}};
  CapturedWorkload captured;
  Status outcome;
  if (jc.taken_over) {
    outcome = Status::Unavailable("the engine running this snapshot stopped (job attempt " +
                                  std::to_string(jc.job.attempts) + "); take a new snapshot");
  } else if (s.status == ss::kCancelling || jc.cancel.load()) {
    outcome = Status::Cancelled("cancelled");
  } else {
    outcome = CatchExceptions("the snapshot workflow", [&] { return SnapshotSteps(run, captured, lock); });
  }
  if (outcome.ok()) {
    ApplyRetentionAfter(ctx, jc, s);
    return Status::OK();
  }
  auto log = GetLogger("engine");
  if (jc.Lost()) {
    // Another engine owns the job now: it ends the snapshot and cleans up.
    log->warn("snapshot {}: job lost to another engine; leaving it to that one", s.id);
    return outcome;
  }
  outcome = FailureAfter(jc, std::move(outcome));
  log->warn("snapshot {} {}: {}", s.id, outcome.IsCancelled() ? "cancelled" : "failed", outcome.ToString());
  const Status ended = CatchExceptions("the end of the snapshot", [&] {
    EndSnapshot(ctx, s, outcome, captured.vms, jc.job.id, lock);
    return Status::OK();
  });
  if (!ended.ok()) log->error("snapshot {}: {}", s.id, ended.ToString());
  return outcome;
}

bool SnapshotIsCancelling(EngineContext& ctx, const db::Job& job) {
  auto s = db::SnapshotRepository(ctx.db).Get(job.object_id);
  return s.ok() && (s->status == ss::kCancelling || s->status == ss::kCancelled);
}

}  // namespace cairn::engine
