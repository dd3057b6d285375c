#include "engine/job_runner.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "db/job_repository.h"
#include "db/schema.h"
#include "support/assert_ok.h"
#include "support/command.h"

namespace cairn::engine {
namespace {

class JobRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db::DatabaseOptions options;
    options.connection = "sqlite:///" + (dir_.path() / "cairn.db").string();
    auto db = db::Database::Open(options);
    ASSERT_CAIRN_OK(db);
    db_ = std::move(*db);
    ASSERT_CAIRN_OK(db::Sync(*db_));
  }
  JobRunnerOptions Fast(const std::string& id) {
    return {.engine_id = id, .lease = std::chrono::seconds(60), .heartbeat = std::chrono::milliseconds(20),
            .poll = std::chrono::milliseconds(10)};
  }
  db::Job Enqueue(const std::string& kind, nlohmann::json payload = nlohmann::json::object()) {
    auto job = db::JobRepository(*db_).Enqueue({.kind = kind, .object_id = "o1", .payload = std::move(payload)});
    EXPECT_TRUE(job.ok());
    return *job;
  }
  std::string StatusOf(const std::string& id) { return db::JobRepository(*db_).Get(id)->status; }

  cairn::testing::TempDir dir_;
  std::unique_ptr<db::Database> db_;
};

TEST_F(JobRunnerTest, RunsTheWorkflowOfTheKindAndRecordsTheOutcome) {
  JobRunner runner(*db_, Fast("e1"));
  std::string seen;
  runner.Register("ok", [&](const JobContext& c) {
    seen = c.job.object_id;
    EXPECT_FALSE(c.taken_over);
    return Status::OK();
  });
  runner.Register("bad", [](const JobContext&) { return Status::NotFound("VM x no longer exists"); });
  runner.Register("stop", [](const JobContext&) { return Status::Cancelled("cancelled"); });
  const db::Job ok = Enqueue("ok");
  const db::Job bad = Enqueue("bad");
  const db::Job stop = Enqueue("stop");
  const db::Job unknown = Enqueue("mystery");
  for (int i = 0; i < 4; ++i) {
    auto ran = runner.RunOne();
    ASSERT_CAIRN_OK(ran);
    EXPECT_TRUE(*ran);
  }
  auto idle = runner.RunOne();
  ASSERT_CAIRN_OK(idle);
  EXPECT_FALSE(*idle);
  EXPECT_EQ(seen, "o1");
  EXPECT_EQ(StatusOf(ok.id), "done");
  EXPECT_EQ(StatusOf(bad.id), "error");
  EXPECT_EQ(db::JobRepository(*db_).Get(bad.id)->error, "VM x no longer exists");
  EXPECT_EQ(StatusOf(stop.id), "cancelled");
  EXPECT_EQ(StatusOf(unknown.id), "error");
}

TEST_F(JobRunnerTest, TheCancelProbeRaisesTheFlagWhileTheJobRuns) {
  JobRunner runner(*db_, Fast("e1"));
  std::atomic<bool> cancel_now{false};
  runner.Register(
      "long",
      [&](const JobContext& c) {
        cancel_now = true;
        for (int i = 0; i < 500 && !c.cancel.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        return c.cancel.load() ? Status::Cancelled("cancelled") : Status::Internal("never saw the cancel");
      },
      [&](const db::Job&) { return cancel_now.load(); });
  const db::Job job = Enqueue("long");
  ASSERT_CAIRN_OK(runner.RunOne());
  EXPECT_EQ(StatusOf(job.id), "cancelled");
}

TEST_F(JobRunnerTest, AJobWhoseEngineDiedIsTakenOverWithTheFlagSet) {
  // Engine "dead" claims and never heartbeats again.
  const db::Job job = Enqueue("snap");
  const TimePoint long_ago = UtcNow() - std::chrono::minutes(10);
  auto claimed = db::JobRepository(*db_).ClaimNext("dead", 60, long_ago);
  ASSERT_CAIRN_OK(claimed);
  ASSERT_TRUE(claimed->has_value());
  JobRunner runner(*db_, Fast("alive"));
  bool taken_over = false;
  runner.Register("snap", [&](const JobContext& c) {
    taken_over = c.taken_over;
    return Status::Unavailable("the engine running this snapshot stopped");
  });
  auto ran = runner.RunOne();
  ASSERT_CAIRN_OK(ran);
  EXPECT_TRUE(*ran);
  EXPECT_TRUE(taken_over);
  EXPECT_EQ(StatusOf(job.id), "error");
}

TEST_F(JobRunnerTest, ManyRunnersRunEachJobOnce) {
  std::atomic<int> runs{0};
  std::vector<std::unique_ptr<JobRunner>> runners;
  for (int i = 0; i < 3; ++i) {
    runners.push_back(std::make_unique<JobRunner>(*db_, Fast("e" + std::to_string(i))));
    runners.back()->Register("k", [&](const JobContext&) {
      ++runs;
      return Status::OK();
    });
  }
  for (int i = 0; i < 12; ++i) Enqueue("k");
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (auto& r : runners) threads.emplace_back([&, p = r.get()] { p->RunUntil(stop); });
  for (int i = 0; i < 500 && runs.load() < 12; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(runs.load(), 12);
}

}  // namespace
}  // namespace cairn::engine
