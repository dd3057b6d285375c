// The job queue: the API enqueues, engines claim, heartbeat and finish.
//
// A claim is a lease: an engine that stops heartbeating for longer than the
// lease loses the job to the next ClaimNext.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "db/database.h"
#include "db/models.h"

namespace cairn::db {

// Which jobs List returns, oldest first.
struct JobFilter {
  std::vector<std::string> statuses{};
  std::optional<std::string> object_id{};
  std::optional<std::string> workload_id{};
  std::optional<std::string> kind{};
  int limit = 0;  // 0: all
};

// The payload member holding the requesting user's token, which the engine
// uses to act as that user (only jobs that act as the user carry it). Every
// change that ends a job (Finish, CancelQueued, EndAbandoned) removes it.
inline constexpr std::string_view kAuthTokenKey = "auth_token";

// True for the kinds of job whose workflow calls OpenStack as the requesting
// user (snapshot_create, restore_create, workload_create): only they carry
// the user's token. The others work on the database and the target alone.
bool JobActsAsUser(std::string_view kind);

// The payload member (true) of a job that holds its workload's lock (the
// workload's status "locked"): set in the transaction that locked it
// (LockWorkloadForJob, TakeWorkloadLock). A job taken over from a dead engine
// still holds it; the lock goes when the job's workflow unlocks.
inline constexpr std::string_view kHoldsWorkloadLockKey = "holds_workload_lock";

class JobRepository {
 public:
  explicit JobRepository(Executor& db) : db_(db) {}

  // Queues a job (id generated when empty; status forced to queued). Returns it.
  Result<Job> Enqueue(Job job);
  // Atomically takes the oldest job that is queued, or running with a
  // heartbeat older than now - lease_seconds (its engine is presumed dead),
  // and marks it running for `engine_id` (attempts + 1). When several engines
  // call at once each job goes to exactly one. nullopt when nothing is there.
  Result<std::optional<Job>> ClaimNext(std::string_view engine_id, int lease_seconds,
                                       TimePoint now = UtcNow());
  // Renews the lease. Conflict when the job is no longer running for
  // `engine_id` (taken over or finished); NotFound when missing.
  Status Heartbeat(std::string_view job_id, std::string_view engine_id, TimePoint now = UtcNow());
  // Ends a job running for `engine_id` with status done, error or cancelled,
  // and drops the user's token from its payload.
  // Conflict when the engine no longer holds it; InvalidArgument for another status.
  Status Finish(std::string_view job_id, std::string_view engine_id, std::string_view status,
                std::string_view error = "");
  // Hands a job running for `engine_id` back to the queue (it could not run
  // yet: its workload is busy): queued again, not claimed before
  // `not_before`, its attempt not counted. Conflict when the engine no longer
  // holds it.
  Status Requeue(std::string_view job_id, std::string_view engine_id, TimePoint not_before);
  // Cancels a job that is still queued (Conflict when it is not).
  Status CancelQueued(std::string_view job_id);
  // Ends as error, with `error`, a running job whose engine is gone
  // (EngineGone at `now`). Conflict when it is not such a job, or another
  // engine took it over meanwhile.
  Status EndAbandoned(std::string_view job_id, std::string_view error, TimePoint now = UtcNow());
  // The queued and running jobs of a workload, oldest first.
  Result<std::vector<Job>> ActiveOfWorkload(std::string_view workload_id);
  // NotFound when missing.
  Result<Job> Get(std::string_view job_id);
  Result<std::vector<Job>> List(const JobFilter& filter = {});
  // Removes finished (done, error, cancelled) jobs last updated before `older_than`.
  Result<int64_t> Purge(TimePoint older_than);

 private:
  Executor& db_;
};

// True when `job` runs on an engine that stopped: running, not heartbeated
// for longer than the lease it was claimed with. (Another engine may still
// take it over.)
bool EngineGone(const Job& job, TimePoint now);

// True when `job`'s payload says it holds its workload's lock.
bool HoldsWorkloadLock(const Job& job);

// Inside the caller's transaction `tx`, for `job` about to be queued: moves
// workload `workload_id` from available to locked and marks the job as the
// lock's holder (kHoldsWorkloadLockKey in its payload). Conflict naming the
// workload's status when it is not available; NotFound when it is missing.
Status LockWorkloadForJob(Executor& tx, std::string_view workload_id, Job& job);

// For a running job that was queued without the lock: takes the lock of
// workload `workload_id` and marks job `job_id` as its holder, in one
// transaction. Errors as LockWorkloadForJob.
Status TakeWorkloadLock(Database& db, std::string_view workload_id, std::string_view job_id);

}  // namespace cairn::db
