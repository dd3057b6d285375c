#include "engine/scheduler.h"

#include "common/log.h"
#include "db/audit_repository.h"
#include "db/schedule_run_repository.h"
#include "db/setting_repository.h"
#include "db/workload_repository.h"
#include "control/job_schedule.h"
#include "control/snapshot_manager.h"

namespace cairn::engine {
namespace {

namespace run_status = db::schedule_run_status;
namespace ws = db::workload_status;

std::string When(TimePoint t) { return FormatIso8601(t, IsoFormat::kSecondsZ); }

void AuditSkipped(db::Database& db, const db::Workload& w, const std::string& message) {
  db::AuditEntry entry;
  entry.user_id = w.user_id;
  entry.project_id = w.project_id;
  entry.action = "scheduled_snapshot_skipped";
  entry.object_type = "workload";
  entry.object_id = w.id;
  entry.details = message;
  (void)db::AuditRepository(db).Append(entry);
}

// Queues the snapshot of `w`'s due run `pending` inside the backup window,
// as the workload's owner, through the path a user's snapshot takes
// (control::SnapshotManager); a run that cannot be queued (the workload busy,
// a quota full) is skipped with the reason, audited. Counts it in `pass`.
void QueueDueRun(db::Database& db, const BackupWindow& window, const db::Workload& w, const db::ScheduleRun& pending,
                 TimePoint now, SchedulerPass& pass) {
  auto log = GetLogger("scheduler");
  db::Snapshot snapshot;
  snapshot.user_id = w.user_id;
  snapshot.name = "jobscheduler";
  snapshot.description = "Scheduled snapshot, due at " + When(pending.due_at);
  snapshot.is_scheduled = true;
  db::Job job;
  job.user_id = w.user_id;  // no token: the engine acts through the owner's trust
  job.payload = {{"scheduled", true}, {"due_at", When(pending.due_at)}};
  if (auto closes = BackupWindowCloses(window, now)) {
    job.payload["window_closes_at"] = FormatIso8601(*closes, IsoFormat::kMicrosZ);
    job.payload["window"] = BackupWindowText(window);
  }
  // Claims the run and queues the snapshot, both or neither.
  Result<control::ScheduledSnapshot> queued =
      control::SnapshotManager(db, SystemClock::Get()).CreateScheduled(w, pending.due_at, pending.message, snapshot, job);
  if (queued.ok() && !queued->claimed) return;  // another scheduler has it
  if (queued.ok()) {
    ++pass.queued;
    log->info("workload {}: scheduled snapshot {} queued (due at {})", w.id, queued->snapshot.id, When(pending.due_at));
    return;
  }
  if (queued.status().code() != ErrorCode::kConflict && queued.status().code() != ErrorCode::kOutOfRange) {
    log->warn("workload {}: scheduling failed: {}", w.id, queued.status().ToString());  // the database: next pass
    return;
  }
  const std::string why = "scheduled snapshot due at " + When(pending.due_at) + " skipped: " + queued.status().message();
  Result<bool> skipped =
      db::ScheduleRunRepository(db).UpdateIf(w.id, pending.due_at, run_status::kWaiting, run_status::kSkipped, "", why);
  if (skipped.ok() && *skipped) {
    ++pass.skipped;
    log->warn("workload {}: {}", w.id, why);
    AuditSkipped(db, w, why);
  }
}

}  // namespace

Result<SchedulerPass> Scheduler::RunOnce(TimePoint now) {
  SchedulerPass pass;
  CAIRN_ASSIGN_OR_RETURN(bool global, db::GlobalJobSchedulerEnabled(db_));
  if (!global) return pass;
  CAIRN_ASSIGN_OR_RETURN(std::vector<db::Workload> workloads, db::WorkloadRepository(db_).List());
  for (const db::Workload& w : workloads) {
    if (w.status == ws::kDeleting || w.status == ws::kDeleted) continue;
    Result<control::JobSchedule> schedule = control::ParseJobSchedule(w.jobschedule, control::DefaultJobSchedule(now));
    if (!schedule.ok()) {
      GetLogger("scheduler")->warn("workload {}: schedule not used: {}", w.id, schedule.status().ToString());
      continue;
    }
    if (Status s = PassWorkload(w, *schedule, now, pass); !s.ok()) {
      GetLogger("scheduler")->warn("workload {}: scheduling failed: {}", w.id, s.ToString());
    }
  }
  return pass;
}

Status Scheduler::RecordRun(const db::Workload& w, TimePoint due_at, std::string_view status, std::string message) {
  Status s = db::ScheduleRunRepository(db_).Record(
      {.workload_id = w.id, .due_at = due_at, .status = std::string(status), .message = std::move(message)});
  return s.code() == ErrorCode::kConflict ? Status::OK() : s;
}

Status Scheduler::PassWorkload(const db::Workload& w, const control::JobSchedule& schedule, TimePoint now,
                               SchedulerPass& pass) {
  db::ScheduleRunRepository runs(db_);
  CAIRN_ASSIGN_OR_RETURN(std::optional<db::ScheduleRun> latest, runs.Latest(w.id));
  if (!schedule.enabled) {
    // Paused: a run waiting for the window is dropped, and on resume the
    // count starts again (the runs of the pause are not caught up).
    if (!latest || latest->status == run_status::kPaused) return Status::OK();
    if (latest->status == run_status::kWaiting) {
      (void)runs.UpdateIf(w.id, latest->due_at, run_status::kWaiting, run_status::kMissed, "", "not started: the schedule was paused");
    }
    return RecordRun(w, now, run_status::kPaused, "the schedule was paused");
  }
  ++pass.workloads;
  if (!latest || latest->status == run_status::kPaused) {
    // First sight, or resumed: count from now, runs due before are not taken.
    return RecordRun(w, now, run_status::kBaseline,
                     latest ? "the schedule was resumed" : "the scheduler started counting here");
  }
  std::optional<db::ScheduleRun> pending;
  if (latest->status == run_status::kWaiting) pending = *latest;
  std::optional<TimePoint> due = control::NextRun(schedule, latest->due_at);
  if (due && *due <= now) {
    CAIRN_ASSIGN_OR_RETURN(bool recorded, RecordDueRun(w, schedule, *due, now, pending, pass));
    if (!recorded) return Status::OK();  // another scheduler has it
  }
  if (!pending) return Status::OK();
  if (!InBackupWindow(options_.window, now)) {
    ++pass.waiting;
    return Status::OK();
  }
  QueueDueRun(db_, options_.window, w, *pending, now, pass);
  return Status::OK();
}

Result<bool> Scheduler::RecordDueRun(const db::Workload& w, const control::JobSchedule& schedule, TimePoint due,
                                     TimePoint now, std::optional<db::ScheduleRun>& pending, SchedulerPass& pass) {
  // Runs that passed meanwhile fold into the latest.
  int passed = 0;
  for (auto next = control::NextRun(schedule, due); next && *next <= now; next = control::NextRun(schedule, due)) {
    due = *next;
    ++passed;
  }
  std::string message = "due at " + When(due);
  if (passed > 0) message += "; " + std::to_string(passed) + " earlier run(s) passed while no scheduler ran";
  if (!InBackupWindow(options_.window, now)) {
    message += "; outside the backup window " + BackupWindowText(options_.window) + ": starts when it opens";
  }
  db::ScheduleRunRepository runs(db_);
  Status s = runs.Record({.workload_id = w.id, .due_at = due, .status = std::string(run_status::kWaiting), .message = message});
  if (s.code() == ErrorCode::kConflict) return false;
  CAIRN_RETURN_IF_ERROR(s);
  if (pending) {
    Result<bool> replaced = runs.UpdateIf(w.id, pending->due_at, run_status::kWaiting, run_status::kMissed, "",
                                          "not started: the backup window " + BackupWindowText(options_.window) +
                                              " did not open before the run due at " + When(due) + " replaced it");
    if (replaced.ok() && *replaced) {
      ++pass.missed;
      GetLogger("scheduler")->warn("workload {}: the scheduled run due at {} was missed (outside the backup window)",
                                   w.id, When(pending->due_at));
    }
  }
  pending = db::ScheduleRun{.workload_id = w.id, .due_at = due, .status = std::string(run_status::kWaiting), .message = message};
  return true;
}

}  // namespace cairn::engine
