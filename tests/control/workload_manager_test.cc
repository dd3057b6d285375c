// WorkloadManager: each write checks its quotas, writes its rows and queues
// its job in one transaction; a refusal writes nothing.
#include "control/workload_manager.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "control_db_fixture.h"

namespace cairn::control {
namespace {

using ::testing::HasSubstr;
namespace ws = db::workload_status;

class WorkloadManagerTest : public testing::ControlDbTest {
 protected:
  WorkloadManager& manager() { return manager_.emplace(*db_, clock_); }
  db::Workload NewWorkload(int vms, const std::string& prefix = "new") {
    db::Workload w;
    w.project_id = "p1";
    w.user_id = "u1";
    w.name = prefix;
    for (int i = 0; i < vms; ++i) w.vms.push_back({.vm_id = prefix + "-vm" + std::to_string(i)});
    return w;
  }
  // Queues a snapshot_create job of `w` (as the API does, without the lock's mark).
  void QueueSnapshotJob(const db::Workload& w) {
    ASSERT_TRUE(db::JobRepository(*db_).Enqueue(NewJob(origin_, db::job_kind::kSnapshotCreate, "s1", w.id, "p1")).ok());
  }
  // Claims the oldest queued job for engine e1 with a 60 s lease at the clock's now.
  db::Job Claim() {
    auto job = db::JobRepository(*db_).ClaimNext("e1", 60, clock_.Now());
    EXPECT_TRUE(job.ok() && job->has_value());
    return job.ok() && job->has_value() ? **job : db::Job{};
  }

  std::optional<WorkloadManager> manager_;
};

TEST_F(WorkloadManagerTest, CreateRecordsTheWorkloadAndQueuesItsJobAsTheUser) {
  Result<db::Workload> created = manager().Create(NewWorkload(2), origin_);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->status, ws::kCreating);
  EXPECT_EQ(created->vms.size(), 2u);
  auto jobs = Jobs(db::job_kind::kWorkloadCreate);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].object_id, created->id);
  EXPECT_EQ(jobs[0].workload_id, created->id);
  EXPECT_EQ(jobs[0].user_id, "u1");
  EXPECT_EQ(jobs[0].payload["request_id"], "req-1");
  EXPECT_EQ(jobs[0].payload[std::string(db::kAuthTokenKey)], "tok-1");  // workload_create acts as the user
}

TEST_F(WorkloadManagerTest, CreateOverTheWorkloadsOrVmsQuotaWritesNothing) {
  AddWorkload("available", 2, "old");
  SetQuota(db::kQuotaTypeWorkloadsId, 1);
  Result<db::Workload> over = manager().Create(NewWorkload(1), origin_);
  ASSERT_EQ(over.status().code(), ErrorCode::kOutOfRange);
  EXPECT_THAT(over.status().message(), HasSubstr("Workloads"));

  ASSERT_TRUE(db::QuotaRepository(*db_).Update((*db::QuotaRepository(*db_).Find("p1", db::kQuotaTypeWorkloadsId))->id,
                                              {.allowed_value = 5})
                  .ok());
  SetQuota(db::kQuotaTypeVmsId, 3);
  Result<db::Workload> too_many_vms = manager().Create(NewWorkload(2), origin_);
  ASSERT_EQ(too_many_vms.status().code(), ErrorCode::kOutOfRange);
  EXPECT_THAT(too_many_vms.status().message(), HasSubstr("VMs"));
  EXPECT_TRUE(Jobs().empty());
  EXPECT_EQ(db::WorkloadRepository(*db_).CountByProject("p1")->workloads, 1);
  EXPECT_TRUE(manager().Create(NewWorkload(1), origin_).ok());  // 2 + 1 VMs fit
}

TEST_F(WorkloadManagerTest, ModifyChecksTheVmsQuotaAgainstTheNewSet) {
  db::Workload w = AddWorkload("available", 2);
  SetQuota(db::kQuotaTypeVmsId, 3);
  db::WorkloadUpdate grow;
  grow.vms = NewWorkload(4, "grow").vms;
  EXPECT_EQ(manager().Modify(w.id, grow).status().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(db::WorkloadRepository(*db_).Get(w.id)->vms.size(), 2u);  // unchanged
  db::WorkloadUpdate three;
  three.vms = NewWorkload(3, "three").vms;
  three.name = "renamed";
  Result<db::Workload> updated = manager().Modify(w.id, three);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();  // 2 - 2 + 3 <= 3
  EXPECT_EQ(updated->vms.size(), 3u);
  EXPECT_EQ(updated->name, "renamed");
  db::WorkloadUpdate name_only;
  name_only.name = "again";
  EXPECT_TRUE(manager().Modify(w.id, name_only).ok());  // no VM set: no quota check
}

TEST_F(WorkloadManagerTest, DeleteQueuesItsJobOnlyWhenTheWorkloadIsIdle) {
  db::Workload busy = AddWorkload("locked", 1, "busy");
  Status refused = manager().Delete(busy, false, origin_);
  ASSERT_EQ(refused.code(), ErrorCode::kConflict);
  EXPECT_THAT(refused.message(), HasSubstr("cannot be deleted while a snapshot or restore runs (status locked)"));
  EXPECT_TRUE(Jobs().empty());

  db::Workload w = AddWorkload("error", 1, "idle");
  ASSERT_TRUE(manager().Delete(w, true, origin_).ok());
  EXPECT_EQ(WorkloadStatus(w.id), ws::kDeleting);
  auto jobs = Jobs(db::job_kind::kWorkloadDelete);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].payload["database_only"], true);
  EXPECT_FALSE(jobs[0].payload.contains(db::kAuthTokenKey));  // a delete does not act as the user
}

TEST_F(WorkloadManagerTest, UnlockIsRefusedWhileAJobHoldsTheWorkload) {
  db::Workload w = AddWorkload("locked");
  QueueSnapshotJob(w);
  Status busy = manager().Unlock(w);
  ASSERT_EQ(busy.code(), ErrorCode::kConflict);
  EXPECT_THAT(busy.message(), HasSubstr("cannot be unlocked while its job " + Jobs()[0].id));
  EXPECT_EQ(WorkloadStatus(w.id), "locked");

  db::Workload stuck = AddWorkload("locked", 1, "stuck");
  ASSERT_TRUE(manager().Unlock(stuck).ok());
  EXPECT_EQ(WorkloadStatus(stuck.id), ws::kAvailable);
  db::Workload creating = AddWorkload("creating", 1, "creating");
  EXPECT_EQ(manager().Unlock(creating).code(), ErrorCode::kConflict);
}

TEST_F(WorkloadManagerTest, ResetEndsOnlyTheJobsOfStoppedEnginesAndOnlyForAnAdmin) {
  db::Workload w = AddWorkload("locked");
  QueueSnapshotJob(w);
  const db::Job running = Claim();
  // Its engine heartbeats: nobody may reset.
  Result<std::vector<std::string>> live = manager().Reset(w, true, origin_);
  ASSERT_EQ(live.status().code(), ErrorCode::kConflict);
  EXPECT_THAT(live.status().message(), HasSubstr("cannot be reset while its job " + running.id));
  // Its engine stopped: still refused to a user, an admin ends the job.
  clock_.Advance(std::chrono::minutes(10));
  EXPECT_EQ(manager().Reset(w, false, origin_).status().code(), ErrorCode::kConflict);
  Result<std::vector<std::string>> ended = manager().Reset(w, true, origin_);
  ASSERT_TRUE(ended.ok()) << ended.status().ToString();
  EXPECT_EQ(*ended, std::vector<std::string>{running.id});
  EXPECT_EQ(db::JobRepository(*db_).Get(running.id)->status, db::job_status::kError);
  EXPECT_EQ(Jobs(db::job_kind::kWorkloadReset).size(), 1u);
}

TEST_F(WorkloadManagerTest, ResetOfADeletingWorkloadIsRefused) {
  db::Workload w = AddWorkload("deleting");
  Result<std::vector<std::string>> refused = manager().Reset(w, true, origin_);
  ASSERT_EQ(refused.status().code(), ErrorCode::kConflict);
  EXPECT_THAT(refused.status().message(), HasSubstr("is being deleted"));
  EXPECT_TRUE(Jobs().empty());
}

}  // namespace
}  // namespace cairn::control
