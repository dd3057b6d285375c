#include "engine/retention.h"

#include <gtest/gtest.h>

#include "db/job_repository.h"
#include "db/snapshot_repository.h"
#include "engine_db_fixture.h"

namespace cairn::engine {
namespace {

using control::JobSchedule;
using control::RetentionType;

using std::chrono::hours;

db::Snapshot Snap(const std::string& id, TimePoint created, bool pinned = false) {
  db::Snapshot s;
  s.id = id;
  s.created_at = created;
  s.pinned = pinned;
  s.status = "available";
  return s;
}

JobSchedule Keep(RetentionType type, int64_t value) {
  JobSchedule js;
  js.retention_type = type;
  js.retention_value = value;
  return js;
}

TEST(RetentionTest, CountKeepsTheNewestAndSkipsPinned) {
  const TimePoint t0 = UtcNow();
  // Given out of order: s1 oldest ... s5 newest; s2 pinned.
  std::vector<db::Snapshot> all = {Snap("s4", t0 + hours(4)), Snap("s1", t0 + hours(1)), Snap("s5", t0 + hours(5)),
                                   Snap("s2", t0 + hours(2), true), Snap("s3", t0 + hours(3))};
  EXPECT_EQ(ExpiredSnapshots(all, Keep(RetentionType::kSnapshotCount, 2), t0 + hours(6)),
            (std::vector<std::string>{"s1", "s3"}));
  EXPECT_EQ(ExpiredSnapshots(all, Keep(RetentionType::kSnapshotCount, 4), t0), std::vector<std::string>{});
  EXPECT_EQ(ExpiredSnapshots(all, Keep(RetentionType::kSnapshotCount, 1), t0),
            (std::vector<std::string>{"s1", "s3", "s4"}));
  EXPECT_TRUE(ExpiredSnapshots({}, Keep(RetentionType::kSnapshotCount, 1), t0).empty());
}

TEST(RetentionTest, DaysKeepTheRecentAndAlwaysTheNewest) {
  const TimePoint now = UtcNow();
  std::vector<db::Snapshot> all = {Snap("old", now - hours(24 * 10)), Snap("pinned-old", now - hours(24 * 20), true),
                                   Snap("edge", now - hours(24 * 3)), Snap("recent", now - hours(5))};
  EXPECT_EQ(ExpiredSnapshots(all, Keep(RetentionType::kDays, 3), now), (std::vector<std::string>{"old"}));
  EXPECT_EQ(ExpiredSnapshots(all, Keep(RetentionType::kDays, 1), now), (std::vector<std::string>{"old", "edge"}));
  // Only old snapshots: the newest of them stays as the last restore point.
  std::vector<db::Snapshot> stale = {Snap("a", now - hours(24 * 40)), Snap("b", now - hours(24 * 30))};
  EXPECT_EQ(ExpiredSnapshots(stale, Keep(RetentionType::kDays, 7), now), (std::vector<std::string>{"a"}));
}

class ApplyRetentionTest : public testing::EngineDbTest {};

TEST_F(ApplyRetentionTest, QueuesDeletesOfWhatThePolicyNoLongerKeeps) {
  const std::string wid =
      AddWorkload({{"retention_policy_type", "Number of Snapshots to Keep"}, {"retention_policy_value", "2"}});
  const std::string s1 = AddSnapshot(wid);
  const std::string pinned = AddSnapshot(wid, "available", true);
  const std::string failed = AddSnapshot(wid, "error");
  const std::string s2 = AddSnapshot(wid);
  const std::string s3 = AddSnapshot(wid);
  auto queued = ApplyRetention(*db_, wid, "u-sched", UtcNow());
  ASSERT_TRUE(queued.ok()) << queued.status().ToString();
  EXPECT_EQ(*queued, std::vector<std::string>{s1});
  db::SnapshotRepository snapshots(*db_);
  EXPECT_EQ(snapshots.Get(s1)->status, "deleting");
  EXPECT_EQ(snapshots.Get(pinned)->status, "available");
  EXPECT_EQ(snapshots.Get(failed)->status, "error");
  EXPECT_EQ(snapshots.Get(s2)->status, "available");
  auto jobs = db::JobRepository(*db_).List({.object_id = s1});
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ(jobs->front().kind, "snapshot_delete");
  EXPECT_EQ(jobs->front().user_id, "u-sched");
  EXPECT_EQ(jobs->front().workload_id, wid);
  // Applied again: nothing more to do (s1 is already being deleted).
  auto again = ApplyRetention(*db_, wid, "u-sched", UtcNow());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
}

TEST_F(ApplyRetentionTest, SnapshotsWithoutAChildAreDeletedFirst) {
  // a full <- b incremental; c full <- d incremental (kept, the newest).
  const std::string wid =
      AddWorkload({{"retention_policy_type", "Number of Snapshots to Keep"}, {"retention_policy_value", "1"}});
  db::SnapshotRepository snapshots(*db_);
  auto add = [&](const std::string& disk_id, std::optional<std::string> parent) {
    const std::string sid = AddSnapshot(wid);
    db::SnapshotDisk d{.id = disk_id, .snapshot_id = sid, .vm_id = "vm1", .device = "vda"};
    d.parent_disk_snapshot_id = std::move(parent);
    EXPECT_TRUE(snapshots.PutDisk(d).ok());
    return sid;
  };
  const std::string a = add("disk-a", std::nullopt);
  const std::string b = add("disk-b", "disk-a");
  const std::string c = add("disk-c", std::nullopt);
  add("disk-d", "disk-c");
  auto queued = ApplyRetention(*db_, wid, "u", UtcNow());
  ASSERT_TRUE(queued.ok()) << queued.status().ToString();
  // b has no child: removed whole, it frees space for the merges of a and c.
  EXPECT_EQ(*queued, (std::vector<std::string>{b, a, c}));
}

TEST_F(ApplyRetentionTest, DefaultKeepsThirtyAndABadScheduleKeepsAll) {
  const std::string wid = AddWorkload(nlohmann::json::object());
  for (int i = 0; i < 3; ++i) AddSnapshot(wid);
  auto queued = ApplyRetention(*db_, wid, "u", UtcNow());
  ASSERT_TRUE(queued.ok());
  EXPECT_TRUE(queued->empty());
  const std::string bad = AddWorkload({{"retention_policy_value", "many"}});
  AddSnapshot(bad);
  AddSnapshot(bad);
  EXPECT_EQ(ApplyRetention(*db_, bad, "u", UtcNow()).status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace cairn::engine
