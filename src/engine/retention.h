// Retention: after each snapshot of a workload, the snapshots its policy no
// longer keeps are deleted, with the same crash-safe merge as a user's
// snapshot-delete (so every kept snapshot stays restorable).
//
// The policy is the workload's jobschedule: retention_policy_type "Number of
// Snapshots to Keep" (the newest N) or "Number of days to retain Snapshots"
// (those taken in the last N days). Pinned snapshots are never removed and do
// not count toward N; the newest available snapshot is always kept.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "db/database.h"
#include "db/models.h"
#include "control/job_schedule.h"

namespace cairn::engine {

// The ids of `available` (a workload's available snapshots, any order) that
// `schedule`'s retention removes at `now`, oldest first.
std::vector<std::string> ExpiredSnapshots(const std::vector<db::Snapshot>& available, const control::JobSchedule& schedule,
                                          TimePoint now);

// Applies the retention of workload `workload_id`: each expired snapshot is
// set to deleting and its snapshot_delete job queued (for `user_id` of
// `project_id`), one transaction per snapshot, so a snapshot a user deletes
// or pins meanwhile is left alone. Those that no later backup is incremental
// on are queued first (they are removed whole, needing no free space; the
// others need a merge, which does). Returns the ids queued, in that order. A workload whose
// jobschedule does not parse keeps everything (InvalidArgument).
Result<std::vector<std::string>> ApplyRetention(db::Database& db, const std::string& workload_id,
                                                const std::string& user_id, TimePoint now);

}  // namespace cairn::engine
