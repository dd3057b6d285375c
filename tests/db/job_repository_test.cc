#include "db/job_repository.h"

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "db_test_support.h"

namespace cairn::db {
namespace {

using testing::DbTest;

class JobRepositoryTest : public DbTest {};

TEST_P(JobRepositoryTest, EnqueueClaimHeartbeatFinish) {
  JobRepository jobs(*db_);
  auto first = jobs.Enqueue({.kind = "snapshot_create", .object_id = "s1", .workload_id = "w1",
                             .payload = {{"full", true}}});
  auto second = jobs.Enqueue({.kind = "restore_create", .object_id = "r1"});
  CAIRN_ASSERT_OK(first);
  CAIRN_ASSERT_OK(second);
  EXPECT_EQ(first->status, "queued");

  TimePoint now = UtcNow();
  auto claimed = jobs.ClaimNext("engine-a", 60, now);
  CAIRN_ASSERT_OK(claimed);
  ASSERT_TRUE(claimed->has_value());
  EXPECT_EQ((*claimed)->id, first->id);  // oldest first
  EXPECT_EQ((*claimed)->status, "running");
  EXPECT_EQ((*claimed)->claimed_by, "engine-a");
  EXPECT_EQ((*claimed)->attempts, 1);
  EXPECT_EQ((*claimed)->payload["full"], true);

  CAIRN_ASSERT_OK(jobs.Heartbeat(first->id, "engine-a", now + std::chrono::seconds(10)));
  EXPECT_EQ(jobs.Heartbeat(first->id, "engine-b").code(), ErrorCode::kConflict);
  EXPECT_EQ(jobs.Heartbeat("nope", "engine-a").code(), ErrorCode::kNotFound);
  EXPECT_EQ(jobs.Finish(first->id, "engine-a", "queued").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(jobs.Finish(first->id, "engine-b", "done").code(), ErrorCode::kConflict);
  CAIRN_ASSERT_OK(jobs.Finish(first->id, "engine-a", "error", "disk full"));
  auto got = jobs.Get(first->id);
  CAIRN_ASSERT_OK(got);
  EXPECT_EQ(got->status, "error");
  EXPECT_EQ(got->error, "disk full");
  EXPECT_EQ(jobs.Finish(first->id, "engine-a", "done").code(), ErrorCode::kConflict);  // finished already

  auto by_object = jobs.List({.object_id = "r1"});
  CAIRN_ASSERT_OK(by_object);
  ASSERT_EQ(by_object->size(), 1u);
  auto queued = jobs.List({.statuses = {"queued"}});
  CAIRN_ASSERT_OK(queued);
  ASSERT_EQ(queued->size(), 1u);
  EXPECT_EQ((*queued)[0].id, second->id);

  CAIRN_ASSERT_OK(jobs.CancelQueued(second->id));
  EXPECT_EQ(jobs.CancelQueued(second->id).code(), ErrorCode::kConflict);
  auto nothing = jobs.ClaimNext("engine-a", 60);
  CAIRN_ASSERT_OK(nothing);
  EXPECT_FALSE(nothing->has_value());

  auto purged = jobs.Purge(UtcNow() + std::chrono::hours(1));
  CAIRN_ASSERT_OK(purged);
  EXPECT_EQ(*purged, 2);
}

TEST_P(JobRepositoryTest, LeaseTakeover) {
  JobRepository jobs(*db_);
  auto job = jobs.Enqueue({.kind = "snapshot_create", .object_id = "s1"});
  CAIRN_ASSERT_OK(job);
  TimePoint t0 = UtcNow();
  auto a = jobs.ClaimNext("engine-a", 30, t0);
  CAIRN_ASSERT_OK(a);
  ASSERT_TRUE(a->has_value());
  // Within the lease nobody else gets it.
  auto early = jobs.ClaimNext("engine-b", 30, t0 + std::chrono::seconds(29));
  CAIRN_ASSERT_OK(early);
  EXPECT_FALSE(early->has_value());
  // After it, engine-b takes over; engine-a has lost it.
  auto late = jobs.ClaimNext("engine-b", 30, t0 + std::chrono::seconds(31));
  CAIRN_ASSERT_OK(late);
  ASSERT_TRUE(late->has_value());
  EXPECT_EQ((*late)->id, job->id);
  EXPECT_EQ((*late)->claimed_by, "engine-b");
  EXPECT_EQ((*late)->attempts, 2);
  EXPECT_EQ(jobs.Heartbeat(job->id, "engine-a").code(), ErrorCode::kConflict);
  EXPECT_EQ(jobs.Finish(job->id, "engine-a", "done").code(), ErrorCode::kConflict);
  CAIRN_ASSERT_OK(jobs.Finish(job->id, "engine-b", "done"));
}

TEST_P(JobRepositoryTest, ConcurrentClaimersGetEachJobExactlyOnce) {
  constexpr int kJobs = 12;
  constexpr int kThreads = 4;
  {
    JobRepository jobs(*db_);
    for (int i = 0; i < kJobs; ++i) CAIRN_ASSERT_OK(jobs.Enqueue({.kind = "k", .object_id = std::to_string(i)}));
  }
  // Each thread is its own "engine" with its own Database (own connections).
  std::vector<std::unique_ptr<Database>> dbs;
  for (int i = 0; i < kThreads; ++i) {
    dbs.push_back(OpenAnother(1));
    ASSERT_TRUE(dbs.back());
  }
  std::mutex mu;
  std::vector<std::string> claimed;
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      JobRepository jobs(*dbs[t]);
      for (;;) {
        auto job = jobs.ClaimNext("engine-" + std::to_string(t), 300);
        std::lock_guard lock(mu);
        if (!job.ok()) {
          errors.push_back(job.status().ToString());
          return;
        }
        if (!job->has_value()) return;
        claimed.push_back((*job)->id);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(claimed.size(), static_cast<size_t>(kJobs));
  std::set<std::string> unique(claimed.begin(), claimed.end());
  EXPECT_EQ(unique.size(), claimed.size()) << "a job was claimed twice";
  auto running = JobRepository(*db_).List({.statuses = {"running"}});
  CAIRN_ASSERT_OK(running);
  EXPECT_EQ(running->size(), static_cast<size_t>(kJobs));
  for (const Job& j : *running) EXPECT_EQ(j.attempts, 1);
}

TEST_P(JobRepositoryTest, FinishDropsTheUserToken) {
  JobRepository jobs(*db_);
  auto job = jobs.Enqueue({.kind = "snapshot_create", .payload = {{"auth_token", "gAAAA-secret"}, {"full", true}}});
  CAIRN_ASSERT_OK(job);
  auto claimed = jobs.ClaimNext("engine-a", 60);
  CAIRN_ASSERT_OK(claimed);
  EXPECT_EQ((*claimed)->payload["auth_token"], "gAAAA-secret");  // the engine gets it
  CAIRN_ASSERT_OK(jobs.Finish(job->id, "engine-a", "done"));
  auto done = jobs.Get(job->id);
  CAIRN_ASSERT_OK(done);
  EXPECT_FALSE(done->payload.contains("auth_token"));
  EXPECT_EQ(done->payload["full"], true);
}

// The token goes however the job ends: cancelled while queued, or ended
// because its engine stopped.
TEST_P(JobRepositoryTest, EveryEndDropsTheUserToken) {
  JobRepository jobs(*db_);
  auto queued = jobs.Enqueue({.kind = "snapshot_create", .payload = {{"auth_token", "gAAAA-1"}}});
  CAIRN_ASSERT_OK(queued);
  CAIRN_ASSERT_OK(jobs.CancelQueued(queued->id));
  EXPECT_FALSE(jobs.Get(queued->id)->payload.contains("auth_token"));

  auto running = jobs.Enqueue({.kind = "restore_create", .payload = {{"auth_token", "gAAAA-2"}}});
  CAIRN_ASSERT_OK(running);
  const TimePoint claimed_at = UtcNow() - std::chrono::minutes(10);
  CAIRN_ASSERT_OK(jobs.ClaimNext("engine-a", 60, claimed_at));
  // Alive (heartbeat within its lease): not abandoned.
  EXPECT_EQ(jobs.EndAbandoned(running->id, "x", claimed_at + std::chrono::seconds(30)).code(), ErrorCode::kConflict);
  auto job = jobs.Get(running->id);
  EXPECT_EQ(job->lease_seconds, 60);
  EXPECT_FALSE(EngineGone(*job, claimed_at + std::chrono::seconds(30)));
  EXPECT_TRUE(EngineGone(*job, UtcNow()));
  CAIRN_ASSERT_OK(jobs.EndAbandoned(running->id, "ended by a reset"));
  job = jobs.Get(running->id);
  EXPECT_EQ(job->status, "error");
  EXPECT_EQ(job->error, "ended by a reset");
  EXPECT_FALSE(job->payload.contains("auth_token"));
  EXPECT_EQ(jobs.Heartbeat(running->id, "engine-a").code(), ErrorCode::kConflict);
}

// A job handed back to the queue is not claimed before its not_before, and
// its attempt does not count (it is not a takeover when claimed again).
TEST_P(JobRepositoryTest, RequeueWaitsUntilNotBefore) {
  JobRepository jobs(*db_);
  auto job = jobs.Enqueue({.kind = "snapshot_delete", .payload = {{"holds_workload_lock", false}}});
  CAIRN_ASSERT_OK(job);
  const TimePoint now = UtcNow();
  CAIRN_ASSERT_OK(jobs.ClaimNext("engine-a", 60, now));
  EXPECT_EQ(jobs.Requeue(job->id, "engine-b", now).code(), ErrorCode::kConflict);
  CAIRN_ASSERT_OK(jobs.Requeue(job->id, "engine-a", now + std::chrono::seconds(30)));
  auto back = jobs.Get(job->id);
  EXPECT_EQ(back->status, "queued");
  EXPECT_EQ(back->attempts, 0);
  EXPECT_EQ(back->claimed_by, "");
  auto early = jobs.ClaimNext("engine-b", 60, now + std::chrono::seconds(10));
  CAIRN_ASSERT_OK(early);
  EXPECT_FALSE(early->has_value());
  auto later = jobs.ClaimNext("engine-b", 60, now + std::chrono::seconds(31));
  CAIRN_ASSERT_OK(later);
  ASSERT_TRUE(later->has_value());
  EXPECT_EQ((*later)->attempts, 1);
}

CAIRN_DB_TEST_SUITE(JobRepositoryTest);

}  // namespace
}  // namespace cairn::db
