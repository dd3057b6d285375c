// The workload lock held by a running job: the one mutual exclusion between
// the jobs that read or rewrite a workload's backup chains (snapshot,
// restore, snapshot delete). The lock is the workload's status "locked"; the
// job holding it says so in its payload (db::HoldsWorkloadLock).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "db/database.h"
#include "engine/job_runner.h"

namespace cairn::engine {

// Unlocks the workload of a job that holds its lock however the workflow
// ends (returns, fails, throws), unless the job was lost to another engine
// (the new owner holds the lock now) or UnlockWith already unlocked it.
//   HeldWorkloadLock lock(ctx.db, jc, workload_id);
//   ... steps ...
//   return lock.UnlockWith("publish snapshot", [&](db::Executor& tx) { ...; });
class HeldWorkloadLock {
 public:
  // `db` and `job` must outlive the guard.
  HeldWorkloadLock(db::Database& db, const JobContext& job, std::string workload_id)
      : db_(db), job_(job), workload_id_(std::move(workload_id)) {}
  ~HeldWorkloadLock();
  HeldWorkloadLock(const HeldWorkloadLock&) = delete;
  HeldWorkloadLock& operator=(const HeldWorkloadLock&) = delete;

  // Runs `step` (the job's last change: its object available, failed,
  // cancelled) and the unlock in one transaction `what`, so both are seen
  // together. On success the guard has nothing left to do; on failure the
  // destructor still unlocks. A lost job runs `step` without the unlock.
  Status UnlockWith(std::string_view what, const std::function<Status(db::Executor&)>& step);

 private:
  db::Database& db_;
  const JobContext& job_;
  const std::string workload_id_;
  bool unlocked_ = false;
};

// Runs `body`, turning an exception it throws into an Internal error naming
// `what`, so that a workflow's own failure path (undo, the object's error
// status, the unlock) runs for it like for any other error.
Status CatchExceptions(std::string_view what, const std::function<Status()>& body);

}  // namespace cairn::engine
