#include "engine/retention.h"

#include <algorithm>
#include <set>

#include "db/job_repository.h"
#include "db/snapshot_repository.h"
#include "db/workload_repository.h"

namespace cairn::engine {
namespace {

namespace ss = db::snapshot_status;

// The ids of `expired` (oldest first) reordered so that those no later
// backup is incremental on come first, oldest first, then the others. The
// first are removed whole and free their space at once; the others need a
// merge, which needs free space about the size of the images it merges: on
// a full target, deleting the first makes room for the others.
Result<std::vector<std::string>> WholeDeletesFirst(db::Executor& db, const std::string& workload_id,
                                                   const std::vector<std::string>& expired) {
  db::SnapshotRepository snapshots(db);
  db::SnapshotFilter filter;
  filter.workload_id = workload_id;
  CAIRN_ASSIGN_OR_RETURN(std::vector<db::Snapshot> all, snapshots.List(filter));
  std::set<std::string> parents;  // disk backups some other backup is incremental on
  for (const auto& s : all) {
    CAIRN_ASSIGN_OR_RETURN(std::vector<db::SnapshotDisk> disks, snapshots.ListDisks(s.id));
    for (const auto& d : disks) {
      if (d.parent_disk_snapshot_id) parents.insert(*d.parent_disk_snapshot_id);
    }
  }
  std::vector<std::string> whole;
  std::vector<std::string> merged;
  for (const std::string& id : expired) {
    CAIRN_ASSIGN_OR_RETURN(std::vector<db::SnapshotDisk> disks, snapshots.ListDisks(id));
    const bool has_child =
        std::any_of(disks.begin(), disks.end(), [&](const db::SnapshotDisk& d) { return parents.count(d.id) > 0; });
    (has_child ? merged : whole).push_back(id);
  }
  whole.insert(whole.end(), merged.begin(), merged.end());
  return whole;
}

}  // namespace

std::vector<std::string> ExpiredSnapshots(const std::vector<db::Snapshot>& available, const control::JobSchedule& schedule,
                                          TimePoint now) {
  std::vector<const db::Snapshot*> sorted;
  for (const auto& s : available) sorted.push_back(&s);
  // Newest first; ties by id so the choice does not depend on the order given.
  std::sort(sorted.begin(), sorted.end(), [](const db::Snapshot* a, const db::Snapshot* b) {
    return a->created_at != b->created_at ? a->created_at > b->created_at : a->id > b->id;
  });
  std::vector<std::string> expired;
  const TimePoint cutoff = now - std::chrono::hours(24) * schedule.retention_value;
  int64_t kept = 0;
  for (size_t i = 0; i < sorted.size(); ++i) {
    const db::Snapshot& s = *sorted[i];
    if (s.pinned) continue;
    if (i == 0) {  // the newest restore point stays, whatever the policy says
      ++kept;
      continue;
    }
    const bool keep = schedule.retention_type == control::RetentionType::kSnapshotCount ? kept < schedule.retention_value
                                                                                : s.created_at >= cutoff;
    if (keep) {
      ++kept;
    } else {
      expired.push_back(s.id);
    }
  }
  std::reverse(expired.begin(), expired.end());
  return expired;
}

Result<std::vector<std::string>> ApplyRetention(db::Database& db, const std::string& workload_id,
                                                const std::string& user_id, TimePoint now) {
  CAIRN_ASSIGN_OR_RETURN(db::Workload w, db::WorkloadRepository(db).Get(workload_id));
  auto schedule = control::ParseJobSchedule(w.jobschedule, control::DefaultJobSchedule(now));
  if (!schedule.ok()) return schedule.status().WithContext("retention of workload " + workload_id);
  db::SnapshotFilter filter;
  filter.workload_id = workload_id;
  filter.statuses = {std::string(ss::kAvailable)};
  CAIRN_ASSIGN_OR_RETURN(std::vector<db::Snapshot> available, db::SnapshotRepository(db).List(filter));
  std::vector<std::string> queued;
  CAIRN_ASSIGN_OR_RETURN(std::vector<std::string> expired,
                         WholeDeletesFirst(db, workload_id, ExpiredSnapshots(available, *schedule, now)));
  for (const std::string& id : expired) {
    Status s = db.Transaction("retention delete", [&](db::Executor& tx) -> Status {
      db::SnapshotRepository snapshots(tx);
      CAIRN_ASSIGN_OR_RETURN(db::Snapshot snap, snapshots.Get(id));
      if (snap.pinned) return Status::OK();  // pinned since the list was read
      CAIRN_RETURN_IF_ERROR(snapshots.SetStatusIf(id, {std::string(ss::kAvailable)}, ss::kDeleting));
      db::Job job;
      job.kind = std::string(db::job_kind::kSnapshotDelete);
      job.object_id = id;
      job.workload_id = workload_id;
      job.project_id = w.project_id;
      job.user_id = user_id;
      job.payload = {{"reason", "retention"}};
      return db::JobRepository(tx).Enqueue(job).status();
    });
    if (s.ok()) queued.push_back(id);
    // A snapshot that changed meanwhile (deleted by its user) is skipped.
    if (!s.ok() && s.code() != ErrorCode::kConflict && s.code() != ErrorCode::kNotFound) return s;
  }
  return queued;
}

}  // namespace cairn::engine
