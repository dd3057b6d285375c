// SnapshotManager: a user's snapshot and a scheduled one take one path (the
// same quotas, the same workload lock); delete and cancel queue their jobs or
// refuse with the status named, and a refusal writes nothing.
#include "control/snapshot_manager.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "control_db_fixture.h"
#include "db/schedule_run_repository.h"

namespace cairn::control {
namespace {

using ::testing::HasSubstr;
namespace ss = db::snapshot_status;
namespace rs = db::schedule_run_status;

class SnapshotManagerTest : public testing::ControlDbTest {
 protected:
  SnapshotManager& manager() { return manager_.emplace(*db_, clock_); }
  static db::Snapshot Named(std::string name) {
    db::Snapshot s;
    s.name = std::move(name);
    s.user_id = "u1";
    return s;
  }
  // A run of `w` due at `due`, waiting for the scheduler.
  void AddWaitingRun(const db::Workload& w, TimePoint due) {
    ASSERT_TRUE(db::ScheduleRunRepository(*db_)
                    .Record({.workload_id = w.id, .due_at = due, .status = std::string(rs::kWaiting), .message = "due"})
                    .ok());
  }
  db::ScheduleRun LatestRun(const db::Workload& w) {
    auto run = db::ScheduleRunRepository(*db_).Latest(w.id);
    EXPECT_TRUE(run.ok() && run->has_value());
    return run.ok() && run->has_value() ? **run : db::ScheduleRun{};
  }

  std::optional<SnapshotManager> manager_;
};

TEST_F(SnapshotManagerTest, CreateLocksTheWorkloadAndQueuesAFullFirst) {
  db::Workload w = AddWorkload();
  Result<db::Snapshot> first = manager().Create(w, Named("one"), false, origin_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->snapshot_type, db::kSnapshotTypeFull);  // no available snapshot yet
  EXPECT_EQ(first->name, "one");
  EXPECT_EQ(WorkloadStatus(w.id), db::workload_status::kLocked);
  auto jobs = Jobs(db::job_kind::kSnapshotCreate);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].object_id, first->id);
  EXPECT_TRUE(db::HoldsWorkloadLock(jobs[0]));
  EXPECT_EQ(jobs[0].payload[std::string(db::kAuthTokenKey)], "tok-1");
  EXPECT_EQ(jobs[0].payload["full"], false);

  // Locked now: a second one is refused, naming the status.
  Result<db::Snapshot> second = manager().Create(w, Named("two"), false, origin_);
  ASSERT_EQ(second.status().code(), ErrorCode::kConflict);
  EXPECT_EQ(Jobs().size(), 1u);
}

TEST_F(SnapshotManagerTest, CreateIsIncrementalAfterAnAvailableSnapshotUnlessFull) {
  db::Workload w = AddWorkload();
  AddSnapshot(w);
  Result<db::Snapshot> next = manager().Create(w, Named("next"), false, origin_);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->snapshot_type, db::kSnapshotTypeIncremental);
  db::Workload other = AddWorkload("available", 1, "other");
  AddSnapshot(other);
  EXPECT_EQ(manager().Create(other, Named("full"), true, origin_)->snapshot_type, db::kSnapshotTypeFull);
}

TEST_F(SnapshotManagerTest, CreateRefusesAWorkloadBeingCreatedAndAFullQuota) {
  db::Workload creating = AddWorkload("creating", 1, "creating");
  Result<db::Snapshot> early = manager().Create(creating, Named("s"), false, origin_);
  ASSERT_EQ(early.status().code(), ErrorCode::kConflict);
  EXPECT_THAT(early.status().message(), HasSubstr("still being created"));

  db::Workload w = AddWorkload();
  AddSnapshot(w);
  SetQuota(db::kQuotaTypeSnapshotsId, 1);
  Result<db::Snapshot> over = manager().Create(w, Named("s"), false, origin_);
  ASSERT_EQ(over.status().code(), ErrorCode::kOutOfRange);
  EXPECT_THAT(over.status().message(), HasSubstr("Snapshots"));
  EXPECT_EQ(WorkloadStatus(w.id), db::workload_status::kAvailable);  // rolled back: not locked
  EXPECT_TRUE(Jobs().empty());
}

TEST_F(SnapshotManagerTest, ScheduledSnapshotClaimsTheRunAndRecordsItsSnapshot) {
  db::Workload w = AddWorkload();
  const TimePoint due = clock_.Now();
  AddWaitingRun(w, due);
  db::Snapshot s = Named("jobscheduler");
  s.is_scheduled = true;
  db::Job job{.user_id = "u1", .payload = {{"scheduled", true}}};
  Result<ScheduledSnapshot> queued = manager().CreateScheduled(w, due, "due", s, job);
  ASSERT_TRUE(queued.ok()) << queued.status().ToString();
  ASSERT_TRUE(queued->claimed);
  EXPECT_TRUE(queued->snapshot.is_scheduled);
  const db::ScheduleRun run = LatestRun(w);
  EXPECT_EQ(run.status, rs::kQueued);
  EXPECT_EQ(run.snapshot_id, queued->snapshot.id);
  auto jobs = Jobs(db::job_kind::kSnapshotCreate);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].payload["scheduled"], true);
  EXPECT_FALSE(jobs[0].payload.contains(db::kAuthTokenKey));  // the owner's trust, not a token
  EXPECT_TRUE(db::HoldsWorkloadLock(jobs[0]));

  // The run is no longer waiting: another scheduler gets nothing, writes nothing.
  Result<ScheduledSnapshot> again = manager().CreateScheduled(w, due, "due", s, job);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->claimed);
  EXPECT_EQ(Jobs().size(), 1u);
}

TEST_F(SnapshotManagerTest, ScheduledSnapshotThatCannotBeQueuedLeavesTheRunWaiting) {
  db::Workload w = AddWorkload("locked");
  const TimePoint due = clock_.Now();
  AddWaitingRun(w, due);
  Result<ScheduledSnapshot> busy = manager().CreateScheduled(w, due, "due", Named("jobscheduler"), db::Job{});
  ASSERT_EQ(busy.status().code(), ErrorCode::kConflict);
  EXPECT_EQ(LatestRun(w).status, rs::kWaiting);  // the claim rolled back with it
  EXPECT_TRUE(Jobs().empty());
}

TEST_F(SnapshotManagerTest, DeleteHoldsTheWorkloadLockAndRefusesARunningSnapshot) {
  db::Workload w = AddWorkload();
  db::Snapshot running = AddSnapshot(w, ss::kExecuting);
  Status refused = manager().Delete(running, origin_);
  ASSERT_EQ(refused.code(), ErrorCode::kConflict);
  EXPECT_THAT(refused.message(), HasSubstr("Snapshot " + running.id + " is executing"));
  EXPECT_EQ(WorkloadStatus(w.id), db::workload_status::kAvailable);  // rolled back

  db::Snapshot done = AddSnapshot(w, ss::kError);
  ASSERT_TRUE(manager().Delete(done, origin_).ok());
  EXPECT_EQ(SnapshotStatus(done.id), ss::kDeleting);
  EXPECT_EQ(WorkloadStatus(w.id), db::workload_status::kLocked);
  auto jobs = Jobs(db::job_kind::kSnapshotDelete);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_TRUE(db::HoldsWorkloadLock(jobs[0]));
  EXPECT_EQ(jobs[0].payload["request_id"], "req-1");
}

TEST_F(SnapshotManagerTest, CancelBeforeTheEngineTookItEndsAtOnceAndUnlocks) {
  db::Workload w = AddWorkload();
  Result<db::Snapshot> s = manager().Create(w, Named("s"), false, origin_);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(manager().Cancel(*s, origin_).ok());
  EXPECT_EQ(SnapshotStatus(s->id), ss::kCancelled);
  EXPECT_EQ(db::SnapshotRepository(*db_).Get(s->id)->progress_msg, "Cancelled before it started.");
  EXPECT_EQ(WorkloadStatus(w.id), db::workload_status::kAvailable);
  EXPECT_EQ(Jobs(db::job_kind::kSnapshotCreate)[0].status, db::job_status::kCancelled);
  EXPECT_TRUE(Jobs(db::job_kind::kSnapshotCancel).empty());
}

TEST_F(SnapshotManagerTest, CancelOfARunningSnapshotQueuesTheCancelJob) {
  db::Workload w = AddWorkload();
  Result<db::Snapshot> s = manager().Create(w, Named("s"), false, origin_);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(db::JobRepository(*db_).ClaimNext("e1", 60, clock_.Now()).ok());  // an engine runs it
  ASSERT_TRUE(manager().Cancel(*s, origin_).ok());
  EXPECT_EQ(SnapshotStatus(s->id), ss::kCancelling);
  EXPECT_EQ(Jobs(db::job_kind::kSnapshotCancel).size(), 1u);

  db::Snapshot finished = AddSnapshot(w, ss::kAvailable);
  Status refused = manager().Cancel(finished, origin_);
  ASSERT_EQ(refused.code(), ErrorCode::kConflict);
  EXPECT_THAT(refused.message(), HasSubstr("only a running snapshot can be cancelled"));
}

}  // namespace
}  // namespace cairn::control
