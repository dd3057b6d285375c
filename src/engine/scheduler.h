// The scheduler: takes the scheduled snapshots of every workload whose job
// schedule is enabled, while the global job scheduler is on.
//
// Each pass (RunOnce) looks at every live workload with an enabled schedule:
// - the first time it sees one, it records where it starts counting (runs
//   due before are not taken);
// - when a run is due (control/job_schedule.h NextRun after the last one it
//   handled), it records the run; runs that passed while no scheduler ran
//   are folded into the latest one (and said so in its message);
// - inside the backup window ([scheduler] backup_window) it queues the
//   snapshot, as the workload's owner (the engine acts through the owner's
//   trust) with is_scheduled set; outside, the run waits for the window to
//   open and a run due meanwhile replaces it (the older one is "missed");
// - a run that cannot be queued (the workload busy or in error, a quota
//   full) is "skipped" with the reason, written to the audit log.
// A queued scheduled snapshot carries the time its window closes: one that
// has not started moving data by then ends in error ("missed its backup
// window"), so a late night never runs into the working day.
//
// Runs are rows of schedule_runs whose key (workload, due time) lets several
// engines run the scheduler at once: each run is handled by exactly one.
#pragma once

#include <string>

#include "common/status.h"
#include "common/time.h"
#include "db/database.h"
#include "engine/backup_window.h"

namespace cairn::engine {

struct SchedulerOptions {
  BackupWindow window;  // scheduled snapshots start only inside it
};

// What one pass did.
struct SchedulerPass {
  int workloads = 0;  // live workloads with an enabled schedule
  int queued = 0;     // snapshots queued
  int waiting = 0;    // runs due outside the backup window, still waiting
  int skipped = 0;    // runs that could not be queued
  int missed = 0;     // waiting runs replaced by a later one
};

class Scheduler {
 public:
  // `db` must outlive this.
  Scheduler(db::Database& db, SchedulerOptions options) : db_(db), options_(std::move(options)) {}

  // One pass at `now` (see above). Nothing happens while the global job
  // scheduler is off. A workload whose pass fails is logged and left for
  // the next pass; only a failure to read the workloads is returned.
  Result<SchedulerPass> RunOnce(TimePoint now);

 private:
  db::Database& db_;
  const SchedulerOptions options_;
};

}  // namespace cairn::engine
