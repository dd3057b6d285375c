// The scheduler's tables: schedule_runs and snapshot_slots.
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "db/job_repository.h"
#include "db/schedule_run_repository.h"
#include "db/snapshot_slot_repository.h"
#include "db_test_support.h"

namespace cairn::db {
namespace {

using testing::DbTest;

TimePoint At(const std::string& iso) { return ParseIso8601(iso).value(); }

class ScheduleRunRepositoryTest : public DbTest {};

TEST_P(ScheduleRunRepositoryTest, RecordIsOncePerDueTimeAndUpdateIsCompareAndSet) {
  ScheduleRunRepository runs(*db_);
  auto none = runs.Latest("w1");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  CAIRN_ASSERT_OK(runs.Record({.workload_id = "w1", .due_at = At("2026-03-02T12:30:00.123456Z"), .status = "baseline"}));
  CAIRN_ASSERT_OK(runs.Record({.workload_id = "w1", .due_at = At("2026-03-02T13:00:00Z"), .status = "waiting",
                               .message = "due"}));
  CAIRN_ASSERT_OK(runs.Record({.workload_id = "w2", .due_at = At("2026-03-02T13:00:00Z"), .status = "waiting"}));
  // A second scheduler recording the same run is refused.
  EXPECT_EQ(runs.Record({.workload_id = "w1", .due_at = At("2026-03-02T13:00:00Z"), .status = "waiting"}).code(),
            ErrorCode::kConflict);
  auto latest = runs.Latest("w1");
  ASSERT_TRUE(latest.ok());
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ((*latest)->due_at, At("2026-03-02T13:00:00Z"));
  EXPECT_EQ((*latest)->message, "due");

  auto moved = runs.UpdateIf("w1", At("2026-03-02T13:00:00Z"), "waiting", "queued", "s1", "queued it");
  ASSERT_TRUE(moved.ok());
  EXPECT_TRUE(*moved);
  auto again = runs.UpdateIf("w1", At("2026-03-02T13:00:00Z"), "waiting", "skipped", "", "late");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);  // no longer waiting
  auto list = runs.List("w1");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].status, "queued");
  EXPECT_EQ((*list)[0].snapshot_id, "s1");
  EXPECT_EQ((*list)[1].due_at, At("2026-03-02T12:30:00.123456Z"));  // stored to the microsecond
}

TEST_P(ScheduleRunRepositoryTest, PurgeKeepsEachWorkloadsLatestRun) {
  ScheduleRunRepository runs(*db_);
  for (const char* t : {"2026-01-01T10:00:00Z", "2026-01-02T10:00:00Z", "2026-01-03T10:00:00Z"}) {
    CAIRN_ASSERT_OK(runs.Record({.workload_id = "w1", .due_at = At(t), .status = "queued"}));
  }
  CAIRN_ASSERT_OK(runs.Record({.workload_id = "w2", .due_at = At("2026-01-01T10:00:00Z"), .status = "queued"}));
  auto purged = runs.Purge(At("2026-02-01T00:00:00Z"));
  ASSERT_TRUE(purged.ok()) << purged.status().ToString();
  EXPECT_EQ(*purged, 2);
  EXPECT_EQ(runs.List("w1")->size(), 1u);
  EXPECT_EQ(runs.List("w1")->front().due_at, At("2026-01-03T10:00:00Z"));
  EXPECT_EQ(runs.List("w2")->size(), 1u);
}

CAIRN_DB_TEST_SUITE(ScheduleRunRepositoryTest);

class SnapshotSlotRepositoryTest : public DbTest {
 protected:
  // A job in the running state, as the engine's claim leaves it.
  std::string RunningJob() {
    JobRepository jobs(*db_);
    auto queued = jobs.Enqueue({.kind = "snapshot_create", .object_id = "s"});
    EXPECT_TRUE(queued.ok());
    auto claimed = jobs.ClaimNext("engine-1", 60);
    EXPECT_TRUE(claimed.ok() && claimed->has_value());
    return queued.ok() ? queued->id : "";
  }
};

TEST_P(SnapshotSlotRepositoryTest, ACapOfTwoGivesTwoSlotsAndAHolderKeepsItsOwn) {
  SnapshotSlotRepository slots(*db_);
  EXPECT_EQ(*slots.TryAcquire("host:a", 2, "j1"), true);
  EXPECT_EQ(*slots.TryAcquire("host:a", 2, "j1"), true);  // held already: still one slot
  EXPECT_EQ(*slots.Held("host:a"), 1);
  EXPECT_EQ(*slots.TryAcquire("host:a", 2, "j2"), true);
  EXPECT_EQ(*slots.TryAcquire("host:a", 2, "j3"), false);
  EXPECT_EQ(*slots.TryAcquire("host:b", 2, "j3"), true);  // other scopes are apart
  CAIRN_ASSERT_OK(slots.Release("j1"));
  EXPECT_EQ(*slots.TryAcquire("host:a", 2, "j3"), true);
  EXPECT_EQ(*slots.Held("host:a"), 2);
  EXPECT_EQ(*slots.Held("host:b"), 1);
}

TEST_P(SnapshotSlotRepositoryTest, SlotsOfJobsThatNoLongerRunAreFreed) {
  SnapshotSlotRepository slots(*db_);
  const std::string running = RunningJob();
  EXPECT_EQ(*slots.TryAcquire("cloud", 2, running), true);
  EXPECT_EQ(*slots.TryAcquire("cloud", 2, "a-job-that-is-gone"), true);
  EXPECT_EQ(*slots.TryAcquire("cloud", 2, "another"), false);
  auto freed = slots.ReleaseOrphans();
  ASSERT_TRUE(freed.ok()) << freed.status().ToString();
  EXPECT_EQ(*freed, 1);
  EXPECT_EQ(*slots.TryAcquire("cloud", 2, "another"), true);
  EXPECT_EQ(*slots.TryAcquire("cloud", 2, "a-third"), false);
}

TEST_P(SnapshotSlotRepositoryTest, ManyTakersNeverExceedTheCap) {
  constexpr int kTakers = 12;
  constexpr int kCap = 3;
  std::atomic<int> taken{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kTakers; ++i) {
    threads.emplace_back([&, i] {
      auto db = OpenAnother();
      auto got = SnapshotSlotRepository(*db).TryAcquire("host:x", kCap, "job-" + std::to_string(i));
      EXPECT_TRUE(got.ok()) << got.status().ToString();
      if (got.ok() && *got) ++taken;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(taken.load(), kCap);
  EXPECT_EQ(*SnapshotSlotRepository(*db_).Held("host:x"), kCap);
}

CAIRN_DB_TEST_SUITE(SnapshotSlotRepositoryTest);

}  // namespace
}  // namespace cairn::db
