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
// uses to act as that user. Finish removes it.
inline constexpr std::string_view kAuthTokenKey = "auth_token";

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
  // Cancels a job that is still queued (Conflict when it is not).
  Status CancelQueued(std::string_view job_id);
  // NotFound when missing.
  Result<Job> Get(std::string_view job_id);
  Result<std::vector<Job>> List(const JobFilter& filter = {});
  // Removes finished (done, error, cancelled) jobs last updated before `older_than`.
  Result<int64_t> Purge(TimePoint older_than);

 private:
  Executor& db_;
};

}  // namespace cairn::db
