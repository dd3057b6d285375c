// RestoreManager: a restore is recorded under an available snapshot with its
// job holding the workload's lock; cancel and delete refuse with the status
// named, and a refusal writes nothing.
#include "control/restore_manager.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "control_db_fixture.h"
#include "db/restore_repository.h"

namespace cairn::control {
namespace {

using ::testing::HasSubstr;
namespace rs = db::restore_status;

class RestoreManagerTest : public testing::ControlDbTest {
 protected:
  RestoreManager& manager() { return manager_.emplace(*db_, clock_); }
  static db::Restore Asked(std::string name) {
    db::Restore r;
    r.name = std::move(name);
    r.user_id = "u1";
    r.restore_type = "selective";
    r.options = {{"type", "openstack"}};
    return r;
  }
  std::string RestoreStatus(const std::string& id) {
    auto r = db::RestoreRepository(*db_).Get(id);
    return r.ok() ? r->status : r.status().ToString();
  }

  std::optional<RestoreManager> manager_;
};

TEST_F(RestoreManagerTest, CreateRecordsTheRestoreAndItsJobHoldingTheLock) {
  db::Workload w = AddWorkload();
  db::Snapshot s = AddSnapshot(w);
  Result<db::Restore> created = manager().Create(s, Asked("r"), origin_);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->snapshot_id, s.id);
  EXPECT_EQ(created->workload_id, w.id);
  EXPECT_EQ(created->project_id, "p1");
  EXPECT_EQ(created->size, s.restore_size);
  EXPECT_EQ(created->restore_type, "selective");
  EXPECT_EQ(created->options, nlohmann::json({{"type", "openstack"}}));
  EXPECT_EQ(WorkloadStatus(w.id), db::workload_status::kLocked);
  auto jobs = Jobs(db::job_kind::kRestoreCreate);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].object_id, created->id);
  EXPECT_EQ(jobs[0].payload["snapshot_id"], s.id);
  EXPECT_EQ(jobs[0].payload[std::string(db::kAuthTokenKey)], "tok-1");
  EXPECT_TRUE(db::HoldsWorkloadLock(jobs[0]));
}

TEST_F(RestoreManagerTest, CreateReadsTheSnapshotInItsTransactionAndNeedsAnIdleWorkload) {
  db::Workload w = AddWorkload();
  db::Snapshot s = AddSnapshot(w);
  // Deleted since the route loaded it: the row the manager reads says so.
  ASSERT_TRUE(db::SnapshotRepository(*db_).SetStatusIf(s.id, {"available"}, "deleting").ok());
  Result<db::Restore> gone = manager().Create(s, Asked("r"), origin_);
  ASSERT_EQ(gone.status().code(), ErrorCode::kConflict);
  EXPECT_THAT(gone.status().message(), HasSubstr("is deleting: only an available snapshot can be restored"));

  db::Workload busy = AddWorkload("locked", 1, "busy");
  Result<db::Restore> locked = manager().Create(AddSnapshot(busy), Asked("r"), origin_);
  ASSERT_EQ(locked.status().code(), ErrorCode::kConflict);
  EXPECT_TRUE(Jobs().empty());
  EXPECT_TRUE(db::RestoreRepository(*db_).List()->empty());
}

TEST_F(RestoreManagerTest, CancelBeforeTheEngineTookItEndsAtOnceAndUnlocks) {
  db::Workload w = AddWorkload();
  Result<db::Restore> r = manager().Create(AddSnapshot(w), Asked("r"), origin_);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(manager().Cancel(*r, origin_).ok());
  EXPECT_EQ(RestoreStatus(r->id), rs::kCancelled);
  EXPECT_EQ(WorkloadStatus(w.id), db::workload_status::kAvailable);
  EXPECT_TRUE(Jobs(db::job_kind::kRestoreCancel).empty());
}

TEST_F(RestoreManagerTest, CancelOfARunningRestoreQueuesTheCancelJob) {
  db::Workload w = AddWorkload();
  Result<db::Restore> r = manager().Create(AddSnapshot(w), Asked("r"), origin_);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(db::JobRepository(*db_).ClaimNext("e1", 60, clock_.Now()).ok());
  ASSERT_TRUE(manager().Cancel(*r, origin_).ok());
  EXPECT_EQ(RestoreStatus(r->id), rs::kCancelling);
  EXPECT_EQ(Jobs(db::job_kind::kRestoreCancel).size(), 1u);
  // Cancelling is not running: a second cancel is refused.
  db::Restore now = *db::RestoreRepository(*db_).Get(r->id);
  Status again = manager().Cancel(now, origin_);
  ASSERT_EQ(again.code(), ErrorCode::kConflict);
  EXPECT_THAT(again.message(), HasSubstr("only a running restore can be cancelled"));
}

TEST_F(RestoreManagerTest, DeleteForgetsOnlyAFinishedRestore) {
  db::Workload w = AddWorkload();
  Result<db::Restore> r = manager().Create(AddSnapshot(w), Asked("r"), origin_);
  ASSERT_TRUE(r.ok());
  Status running = manager().Delete(*r);
  ASSERT_EQ(running.code(), ErrorCode::kConflict);
  EXPECT_THAT(running.message(), HasSubstr("only a finished restore can be deleted"));
  ASSERT_TRUE(db::RestoreRepository(*db_).SetStatusIf(r->id, {std::string(rs::kCreated)}, rs::kAvailable).ok());
  db::Restore done = *db::RestoreRepository(*db_).Get(r->id);
  ASSERT_TRUE(manager().Delete(done).ok());
  EXPECT_EQ(db::RestoreRepository(*db_).Get(r->id).status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace cairn::control
