#include "engine/scheduler.h"

#include "common/log.h"
#include "db/audit_repository.h"
#include "db/schedule_run_repository.h"
#include "db/setting_repository.h"
#include "db/workload_repository.h"
#include "engine/job_schedule.h"
#include "engine/snapshot_queue.h"

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

}  // namespace

Result<SchedulerPass> Scheduler::RunOnce(TimePoint now) {
  SchedulerPass pass;
  CAIRN_ASSIGN_OR_RETURN(bool global, db::GlobalJobSchedulerEnabled(db_));
  if (!global) return pass;
  CAIRN_ASSIGN_OR_RETURN(std::vector<db::Workload> workloads, db::WorkloadRepository(db_).List());
  auto log = GetLogger("scheduler");
  db::ScheduleRunRepository runs(db_);
  for (const db::Workload& w : workloads) {
    if (w.status == ws::kDeleting || w.status == ws::kDeleted) continue;
    Result<JobSchedule> schedule = ParseJobSchedule(w.jobschedule, DefaultJobSchedule(now));
    if (!schedule.ok()) {
      log->warn("workload {}: schedule not used: {}", w.id, schedule.status().ToString());
      continue;
    }
    auto fail = [&](const Status& s) { log->warn("workload {}: scheduling failed: {}", w.id, s.ToString()); };
    Result<std::optional<db::ScheduleRun>> latest = runs.Latest(w.id);
    if (!latest.ok()) {
      fail(latest.status());
      continue;
    }
    auto mark = [&](std::string_view status, std::string message) {
      Status s = runs.Record(
          {.workload_id = w.id, .due_at = now, .status = std::string(status), .message = std::move(message)});
      if (!s.ok() && s.code() != ErrorCode::kConflict) fail(s);
    };
    if (!schedule->enabled) {
      // Paused: a run waiting for the window is dropped, and on resume the
      // count starts again (the runs of the pause are not caught up).
      if (latest->has_value() && (*latest)->status != run_status::kPaused) {
        if ((*latest)->status == run_status::kWaiting) {
          (void)runs.UpdateIf(w.id, (*latest)->due_at, run_status::kWaiting, run_status::kMissed, "",
                              "not started: the schedule was paused");
        }
        mark(run_status::kPaused, "the schedule was paused");
      }
      continue;
    }
    ++pass.workloads;
    if (!latest->has_value() || (*latest)->status == run_status::kPaused) {
      // First sight, or resumed: count from now, runs due before are not taken.
      mark(run_status::kBaseline,
           latest->has_value() ? "the schedule was resumed" : "the scheduler started counting here");
      continue;
    }
    std::optional<db::ScheduleRun> pending;
    if ((*latest)->status == run_status::kWaiting) pending = **latest;

    // A new run due? Runs that passed meanwhile fold into the latest.
    std::optional<TimePoint> due = NextRun(*schedule, (*latest)->due_at);
    if (due && *due <= now) {
      int passed = 0;
      for (auto next = NextRun(*schedule, *due); next && *next <= now; next = NextRun(*schedule, *due)) {
        due = next;
        ++passed;
      }
      std::string message = "due at " + When(*due);
      if (passed > 0) message += "; " + std::to_string(passed) + " earlier run(s) passed while no scheduler ran";
      if (!InBackupWindow(options_.window, now)) {
        message += "; outside the backup window " + BackupWindowText(options_.window) + ": starts when it opens";
      }
      Status s = runs.Record(
          {.workload_id = w.id, .due_at = *due, .status = std::string(run_status::kWaiting), .message = message});
      if (s.code() == ErrorCode::kConflict) continue;  // another scheduler has it
      if (!s.ok()) {
        fail(s);
        continue;
      }
      if (pending) {
        Result<bool> replaced =
            runs.UpdateIf(w.id, pending->due_at, run_status::kWaiting, run_status::kMissed, "",
                          "not started: the backup window " + BackupWindowText(options_.window) +
                              " did not open before the run due at " + When(*due) + " replaced it");
        if (replaced.ok() && *replaced) {
          ++pass.missed;
          log->warn("workload {}: the scheduled run due at {} was missed (outside the backup window)", w.id,
                    When(pending->due_at));
        }
      }
      pending = db::ScheduleRun{
          .workload_id = w.id, .due_at = *due, .status = std::string(run_status::kWaiting), .message = message};
    }
    if (!pending) continue;
    if (!InBackupWindow(options_.window, now)) {
      ++pass.waiting;
      continue;
    }

    // Queue the snapshot and mark the run queued, both or neither.
    db::Snapshot snapshot;
    snapshot.user_id = w.user_id;
    snapshot.name = "jobscheduler";
    snapshot.description = "Scheduled snapshot, due at " + When(pending->due_at);
    snapshot.is_scheduled = true;
    db::Job job;
    job.user_id = w.user_id;  // no token: the engine acts through the owner's trust
    job.payload = {{"scheduled", true}, {"due_at", When(pending->due_at)}};
    if (auto closes = BackupWindowCloses(options_.window, now)) {
      job.payload["window_closes_at"] = FormatIso8601(*closes, IsoFormat::kMicrosZ);
      job.payload["window"] = BackupWindowText(options_.window);
    }
    bool owned = true;
    std::string snapshot_id;
    Status queued = db_.Transaction("queue scheduled snapshot", [&](db::Executor& tx) -> Status {
      CAIRN_ASSIGN_OR_RETURN(bool mine,
                             db::ScheduleRunRepository(tx).UpdateIf(w.id, pending->due_at, run_status::kWaiting,
                                                                    run_status::kQueued, "", pending->message));
      if (!mine) {
        owned = false;
        return Status::Conflict("taken by another scheduler");
      }
      CAIRN_ASSIGN_OR_RETURN(db::Snapshot created, QueueSnapshot(tx, w, snapshot, false, job));
      snapshot_id = created.id;
      return db::ScheduleRunRepository(tx)
          .UpdateIf(w.id, pending->due_at, run_status::kQueued, run_status::kQueued, created.id, pending->message)
          .status();
    });
    if (!owned) continue;
    if (queued.ok()) {
      ++pass.queued;
      log->info("workload {}: scheduled snapshot {} queued (due at {})", w.id, snapshot_id, When(pending->due_at));
      continue;
    }
    if (queued.code() != ErrorCode::kConflict && queued.code() != ErrorCode::kOutOfRange) {
      fail(queued);  // the database: try again at the next pass
      continue;
    }
    const std::string why = "scheduled snapshot due at " + When(pending->due_at) + " skipped: " + queued.message();
    Result<bool> skipped = runs.UpdateIf(w.id, pending->due_at, run_status::kWaiting, run_status::kSkipped, "", why);
    if (skipped.ok() && *skipped) {
      ++pass.skipped;
      log->warn("workload {}: {}", w.id, why);
      AuditSkipped(db_, w, why);
    }
  }
  return pass;
}

}  // namespace cairn::engine
