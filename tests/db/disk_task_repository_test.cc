#include "db/disk_task_repository.h"

#include <atomic>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "db_test_support.h"

namespace cairn::db {
namespace {

using testing::DbTest;

class DiskTaskRepositoryTest : public DbTest {};

TEST_P(DiskTaskRepositoryTest, PostClaimReportFinish) {
  DiskTaskRepository tasks(*db_);
  auto posted = tasks.Post({.job_id = "j1", .host = "compute-1", .kind = "vm_backup", .body = {{"domain", "d"}}});
  CAIRN_ASSERT_OK(posted);
  EXPECT_EQ(posted->status, "queued");

  auto other_host = tasks.ClaimNext("compute-2", "dm-2");
  CAIRN_ASSERT_OK(other_host);
  EXPECT_FALSE(other_host->has_value());  // tasks go to their host only

  auto claimed = tasks.ClaimNext("compute-1", "dm-1");
  CAIRN_ASSERT_OK(claimed);
  ASSERT_TRUE(claimed->has_value());
  EXPECT_EQ((*claimed)->status, "running");
  EXPECT_EQ((*claimed)->body["domain"], "d");
  auto again = tasks.ClaimNext("compute-1", "dm-1b");
  CAIRN_ASSERT_OK(again);
  EXPECT_FALSE(again->has_value());

  auto cancel = tasks.Report(posted->id, "dm-1", 10, 100);
  CAIRN_ASSERT_OK(cancel);
  EXPECT_FALSE(*cancel);
  EXPECT_EQ(tasks.Report(posted->id, "dm-x", 10, 100).status().code(), ErrorCode::kConflict);
  CAIRN_ASSERT_OK(tasks.RequestCancel(posted->id));
  cancel = tasks.Report(posted->id, "dm-1", 20, 100);
  CAIRN_ASSERT_OK(cancel);
  EXPECT_TRUE(*cancel);

  CAIRN_ASSERT_OK(tasks.Finish(posted->id, "dm-1", Status::OK(), {{"bytes", 5}}));
  auto got = tasks.Get(posted->id);
  CAIRN_ASSERT_OK(got);
  EXPECT_EQ(got->status, "done");
  EXPECT_EQ(got->result["bytes"], 5);
  EXPECT_EQ(got->progress_done, 20);
  EXPECT_EQ(tasks.Finish(posted->id, "dm-1", Status::OK()).code(), ErrorCode::kConflict);
}

TEST_P(DiskTaskRepositoryTest, ErrorsKeepTheirCode) {
  DiskTaskRepository tasks(*db_);
  auto posted = tasks.Post({.host = "h", .kind = "k"});
  CAIRN_ASSERT_OK(posted);
  auto claimed = tasks.ClaimNext("h", "w");
  CAIRN_ASSERT_OK(claimed);
  CAIRN_ASSERT_OK(tasks.Finish(posted->id, "w", Status::NotFound("domain instance-1 not found")));
  auto got = tasks.Get(posted->id);
  CAIRN_ASSERT_OK(got);
  EXPECT_EQ(got->status, "error");
  EXPECT_EQ(ErrorCodeFromName(got->error_code), ErrorCode::kNotFound);
  EXPECT_EQ(got->error, "domain instance-1 not found");
}

TEST_P(DiskTaskRepositoryTest, CancelOfAQueuedTaskEndsIt) {
  DiskTaskRepository tasks(*db_);
  auto posted = tasks.Post({.host = "h", .kind = "k"});
  CAIRN_ASSERT_OK(posted);
  CAIRN_ASSERT_OK(tasks.RequestCancel(posted->id));
  auto got = tasks.Get(posted->id);
  CAIRN_ASSERT_OK(got);
  EXPECT_EQ(got->status, "error");
  EXPECT_EQ(ErrorCodeFromName(got->error_code), ErrorCode::kCancelled);
  auto claimed = tasks.ClaimNext("h", "w");
  CAIRN_ASSERT_OK(claimed);
  EXPECT_FALSE(claimed->has_value());
  EXPECT_EQ(tasks.RequestCancel("missing").code(), ErrorCode::kNotFound);
}

TEST_P(DiskTaskRepositoryTest, StaleAndAbandonedTasksFail) {
  DiskTaskRepository tasks(*db_);
  auto a = tasks.Post({.host = "h", .kind = "k"});
  auto b = tasks.Post({.host = "h", .kind = "k"});
  CAIRN_ASSERT_OK(a);
  CAIRN_ASSERT_OK(b);
  const TimePoint t0 = UtcNow();
  CAIRN_ASSERT_OK(tasks.ClaimNext("h", "w", t0));
  auto fresh = tasks.MarkStale(a->id, t0 - std::chrono::seconds(30), "no heartbeat");
  CAIRN_ASSERT_OK(fresh);
  EXPECT_FALSE(*fresh);  // its heartbeat is recent
  auto stale = tasks.MarkStale(a->id, t0 + std::chrono::seconds(1), "no heartbeat");
  CAIRN_ASSERT_OK(stale);
  EXPECT_TRUE(*stale);
  EXPECT_EQ(tasks.Get(a->id)->error, "no heartbeat");

  CAIRN_ASSERT_OK(tasks.ClaimNext("h", "w", t0));
  auto failed = tasks.FailRunningOnHost("h", "the datamover restarted");
  CAIRN_ASSERT_OK(failed);
  EXPECT_EQ(*failed, 1);
  EXPECT_EQ(tasks.Get(b->id)->status, "error");
  auto purged = tasks.Purge(UtcNow() + std::chrono::seconds(1));
  CAIRN_ASSERT_OK(purged);
  EXPECT_EQ(*purged, 2);
}

TEST_P(DiskTaskRepositoryTest, UnfinishedTasksOfAJob) {
  DiskTaskRepository tasks(*db_);
  auto a = tasks.Post({.job_id = "j", .host = "h", .kind = "k"});
  auto b = tasks.Post({.job_id = "j", .host = "h", .kind = "k"});
  auto other = tasks.Post({.job_id = "other", .host = "h", .kind = "k"});
  CAIRN_ASSERT_OK(a);
  CAIRN_ASSERT_OK(b);
  CAIRN_ASSERT_OK(other);
  CAIRN_ASSERT_OK(tasks.ClaimNext("h", "w"));  // a runs
  CAIRN_ASSERT_OK(tasks.Finish(a->id, "w", Status::OK()));
  auto left = tasks.ListUnfinished("j");
  CAIRN_ASSERT_OK(left);
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].id, b->id);
}

TEST_P(DiskTaskRepositoryTest, ConcurrentClaimersGetEachTaskOnce) {
  DiskTaskRepository tasks(*db_);
  constexpr int kTasks = 20;
  for (int i = 0; i < kTasks; ++i) CAIRN_ASSERT_OK(tasks.Post({.host = "h", .kind = "k"}));
  std::mutex mu;
  std::multiset<std::string> seen;
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&, w] {
      DiskTaskRepository mine(*db_);
      for (;;) {
        auto claimed = mine.ClaimNext("h", "w" + std::to_string(w));
        if (!claimed.ok() || !claimed->has_value()) break;
        std::lock_guard lock(mu);
        seen.insert((*claimed)->id);
      }
    });
  }
  for (auto& t : workers) t.join();
  EXPECT_EQ(seen.size(), static_cast<size_t>(kTasks));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), static_cast<size_t>(kTasks));
}

CAIRN_DB_TEST_SUITE(DiskTaskRepositoryTest);

}  // namespace
}  // namespace cairn::db
