// The fake cloud and fake datamover with today's workflows, end to end: a
// full and an incremental snapshot of two VMs (one with a volume), then a
// oneclick restore of both after they were deleted, their data checked.
// The workflows' own step-by-step tests build on the same fixture.
#include <gtest/gtest.h>

#include "engine/workflow_fixture.h"

namespace cairn::engine::testing {
namespace {

namespace os = openstack;

class FakeCloudTest : public WorkflowTest {};

TEST_F(FakeCloudTest, ServersHideTheirHostFromUsersAndMoveThroughTheirStates) {
  BuildCloud();
  const std::string vm = AddVm("vm1", "hello");
  os::Token user{.id = "user:u1"};
  auto seen = cloud_->GetServer(user, vm);
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ(seen->host, "");
  auto service = cloud_->ServiceToken();
  ASSERT_TRUE(service.ok());
  EXPECT_EQ(cloud_->GetServer(*service, vm)->host, "compute1");
  ASSERT_TRUE(cloud_->StopServer(user, vm).ok());
  EXPECT_EQ(cloud_->StopServer(user, vm).code(), ErrorCode::kConflict);
  EXPECT_EQ(cloud_->GetServer(user, vm)->status, "ACTIVE");  // until a wait sees it
  ASSERT_TRUE(cloud_->WaitForServer(user, vm, {.statuses = {"SHUTOFF"}}, {}).ok());
  cloud_->Fail("StartServer", Status::Unavailable("nova is down"));
  EXPECT_EQ(cloud_->StartServer(user, vm).code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(cloud_->StartServer(user, vm).ok());
  EXPECT_EQ(cloud_->Calls("StartServer"), 2);
}

TEST_F(FakeCloudTest, SnapshotsAndRestoresTwoVmsEndToEnd) {
  BuildCloud();
  const std::string vm1 = AddVm("vm1", "first VM's boot disk");
  const std::string vm2 = AddVm("vm2", "second VM's boot disk", "compute2");
  const std::string volume = cloud_->AddVolume("data", 2);
  cloud_->AttachNow(vm2, volume, "vdb");
  WriteAt(cloud_->VolumeFile(volume), kGb, "volume data");
  const std::string wid = AddWorkload({vm1, vm2});

  const std::string full = QueueSnapshotOf(wid);
  ASSERT_TRUE(RunJob(RunSnapshot, full).ok());
  auto s1 = db::SnapshotRepository(*db_).Get(full);
  ASSERT_TRUE(s1.ok());
  EXPECT_EQ(s1->status, "available") << s1->error_msg;
  EXPECT_EQ(s1->snapshot_type, "full");
  EXPECT_EQ(db::SnapshotRepository(*db_).ListDisks(full)->size(), 3u);
  EXPECT_EQ(WorkloadStatus(wid), "available");
  EXPECT_EQ(Datamover(0).Checkpoints().size() + Datamover(1).Checkpoints().size(), 2u);

  WriteAt(DiskOf(vm1, "vda"), 3 * 65536, "changed after the full");
  const std::string incremental = QueueSnapshotOf(wid);
  ASSERT_TRUE(RunJob(RunSnapshot, incremental).ok());
  auto s2 = db::SnapshotRepository(*db_).Get(incremental);
  EXPECT_EQ(s2->status, "available") << s2->error_msg;
  EXPECT_EQ(s2->snapshot_type, "incremental");
  // The full's checkpoints are dropped once the incremental has its own.
  EXPECT_EQ(Datamover(0).Checkpoints().size() + Datamover(1).Checkpoints().size(), 2u);

  // The VMs and their ports are lost; the volume stays (it is not the VM's).
  for (const auto& vm : {vm1, vm2}) LoseVm(vm);
  const std::string restore = QueueRestoreOf(incremental);
  ASSERT_TRUE(RunJob(RunRestore, restore).ok());
  auto r = db::RestoreRepository(*db_).Get(restore);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, "available") << r->error_msg;
  EXPECT_EQ(WorkloadStatus(wid), "available");

  auto back1 = cloud_->ServerNamed("vm1");
  auto back2 = cloud_->ServerNamed("vm2");
  ASSERT_TRUE(back1 && back2);
  EXPECT_EQ(back1->status, "ACTIVE");
  EXPECT_EQ(ReadAt(DiskOf(back1->id, "vda"), 0, 20), "first VM's boot disk");
  EXPECT_EQ(ReadAt(DiskOf(back1->id, "vda"), 3 * 65536, 22), "changed after the full");
  EXPECT_EQ(ReadAt(DiskOf(back2->id, "vda"), 0, 21), "second VM's boot disk");
  ASSERT_EQ(back2->attached_volumes.size(), 1u);
  EXPECT_EQ(ReadAt(cloud_->VolumeFile(back2->attached_volumes[0].id), kGb, 11), "volume data");
  // The same addresses as before, and no temporary image left.
  ASSERT_EQ(back1->addresses.size(), 1u);
  EXPECT_EQ(back1->addresses[0].addr, "10.1.0.10");
  EXPECT_EQ(cloud_->Images().size(), 1u);
  EXPECT_TRUE(cloud_->Attachments().empty());
}

TEST_F(FakeCloudTest, AFailedRestoreLeavesNothingInTheCloud) {
  BuildCloud();
  const std::string vm1 = AddVm("vm1", "data");
  const std::string wid = AddWorkload({vm1});
  const std::string sid = QueueSnapshotOf(wid);
  ASSERT_TRUE(RunJob(RunSnapshot, sid).ok());
  LoseVm(vm1);
  const size_t ports_before = cloud_->Ports().size();

  cloud_->BuildServersInError("No valid host was found.");
  const std::string rid = QueueRestoreOf(sid);
  EXPECT_FALSE(RunJob(RunRestore, rid).ok());
  auto r = db::RestoreRepository(*db_).Get(rid);
  EXPECT_EQ(r->status, "error");
  EXPECT_NE(r->error_msg.find("No valid host was found."), std::string::npos) << r->error_msg;
  EXPECT_TRUE(cloud_->Servers().empty());
  EXPECT_EQ(cloud_->Ports().size(), ports_before);
  EXPECT_EQ(cloud_->Images().size(), 1u);
  EXPECT_EQ(WorkloadStatus(wid), "available");
}

}  // namespace
}  // namespace cairn::engine::testing
