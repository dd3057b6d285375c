// The snapshot workflow (snapshot_steps.h) step by step against the fake
// cloud and fake datamovers (workflow_fixture.h): each step failing in turn
// (capture, dispatch, record, publish), a cancel at each step, a job taken
// over or lost, serial and parallel workloads of several VMs, and the choice
// of a full or an incremental backup per VM. After a failure or a cancel,
// nothing of the snapshot stays on the target or in snapshot_disks, the
// checkpoints it took are gone and its workload is unlocked.
#include <gmock/gmock.h>

#include <fstream>
#include <future>
#include <mutex>
#include <thread>

#include "db/job_repository.h"
#include "db/snapshot_slot_repository.h"
#include "engine/disk_names.h"
#include "engine/snapshot_steps.h"
#include "engine/workflow_fixture.h"
#include "target/layout.h"

namespace cairn::engine::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
namespace ss = db::snapshot_status;

// Sits between the transport and a host's FakeDatamover: records the tasks,
// runs `before` ahead of each, and lets a test edit vm_backup answers. Set
// the hooks before a snapshot runs.
class TaskSpy final : public rpc::TaskHandler {
 public:
  explicit TaskSpy(rpc::TaskHandler& inner) : inner_(inner) {}

  Result<json> Run(const rpc::DiskTask& task, const rpc::ProgressFn& progress,
                   const std::atomic<bool>& cancel) override {
    {
      std::lock_guard lock(mu_);
      tasks_.push_back(task);
    }
    if (before) before(task);
    Result<json> answer = inner_.Run(task, progress, cancel);
    if (answer.ok() && edit_backup_answer && task.kind == rpc::task_kind::kVmBackup) edit_backup_answer(*answer);
    return answer;
  }

  // The tasks of `kind` seen so far, in order.
  std::vector<rpc::DiskTask> Tasks(std::string_view kind) const {
    std::lock_guard lock(mu_);
    std::vector<rpc::DiskTask> out;
    for (const auto& t : tasks_) {
      if (t.kind == kind) out.push_back(t);
    }
    return out;
  }

  std::function<void(const rpc::DiskTask&)> before;
  std::function<void(json&)> edit_backup_answer;

 private:
  rpc::TaskHandler& inner_;
  mutable std::mutex mu_;
  std::vector<rpc::DiskTask> tasks_;
};

class SnapshotWorkflowTest : public WorkflowTest {
 protected:
  void SetUp() override {
    WorkflowTest::SetUp();
    BuildCloud();
    for (int i = 0; i < 2; ++i) {
      spies_.push_back(std::make_unique<TaskSpy>(Datamover(i)));
      transport_.Register(i == 0 ? "compute1" : "compute2", *spies_.back());
    }
  }

  TaskSpy& Spy(int index = 0) { return *spies_.at(index); }

  db::Snapshot Snap(const std::string& sid) {
    auto s = db::SnapshotRepository(*db_).Get(sid);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : db::Snapshot{};
  }

  // Queues and runs a snapshot that must become available.
  std::string TakeSnapshot(const std::string& wid, bool full = false) {
    const std::string sid = QueueSnapshotOf(wid, full);
    Status outcome = RunJob(RunSnapshot, sid);
    EXPECT_TRUE(outcome.ok()) << outcome.ToString();
    EXPECT_EQ(Snap(sid).status, ss::kAvailable) << Snap(sid).error_msg;
    return sid;
  }

  // A workflow run on a thread of its own. Should the test leave before
  // waiting for it (a failed assertion), the run is cancelled and held
  // tasks are released, so that it ends.
  class BackgroundRun {
   public:
    BackgroundRun(SnapshotWorkflowTest& test, std::function<Status()> body)
        : test_(test), result_(std::async(std::launch::async, std::move(body))) {}
    ~BackgroundRun() {
      if (!result_.valid()) return;
      test_.cancel_ = true;
      test_.Datamover(0).Release();
      test_.Datamover(1).Release();
    }
    BackgroundRun(const BackgroundRun&) = delete;
    BackgroundRun& operator=(const BackgroundRun&) = delete;
    Status Wait() { return result_.get(); }

   private:
    SnapshotWorkflowTest& test_;
    std::future<Status> result_;
  };

  // Runs the queued snapshot `sid` on a thread of its own.
  std::unique_ptr<BackgroundRun> RunInBackground(const std::string& sid) {
    return std::make_unique<BackgroundRun>(*this, [this, sid] { return RunJob(RunSnapshot, sid); });
  }

  static bool Until(const std::function<bool()>& done, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
  }

  // The checkpoints the datamovers handed out and that were not removed.
  std::set<std::string> Checkpoints() {
    std::set<std::string> all = Datamover(0).Checkpoints();
    for (const auto& c : Datamover(1).Checkpoints()) all.insert(c);
    return all;
  }

  bool SnapshotDirExists(const std::string& wid, const std::string& sid) const {
    return std::filesystem::exists(dir_ / "target" / target::layout::SnapshotDir(wid, sid));
  }

  // What a failed or cancelled snapshot must leave: nothing on the target
  // or in snapshot_disks, no checkpoint but `checkpoints_before`, its
  // workload available.
  void ExpectNothingLeft(const std::string& wid, const std::string& sid,
                         const std::set<std::string>& checkpoints_before = {}) {
    EXPECT_FALSE(SnapshotDirExists(wid, sid)) << "files of the snapshot stayed on the target";
    EXPECT_TRUE(db::SnapshotRepository(*db_).ListDisks(sid)->empty()) << "snapshot_disks rows stayed";
    EXPECT_EQ(Checkpoints(), checkpoints_before);
    EXPECT_EQ(WorkloadStatus(wid), "available");
  }

  // Sets a workload's VMs.
  void SetVms(const std::string& wid, const std::vector<std::string>& vm_ids) {
    std::vector<db::WorkloadVm> vms;
    for (const auto& id : vm_ids) vms.push_back({.vm_id = id, .vm_name = cloud_->Server(id)->name});
    ASSERT_TRUE(db::WorkloadRepository(*db_).Update(wid, {.vms = vms}).ok());
  }

  // The disks of VM `vm_id` in snapshot `sid`.
  std::vector<db::SnapshotDisk> DisksOf(const std::string& sid, const std::string& vm_id) {
    auto disks = db::SnapshotRepository(*db_).ListDisks(sid, vm_id);
    EXPECT_TRUE(disks.ok());
    return disks.ok() ? *disks : std::vector<db::SnapshotDisk>{};
  }

  // The vm_backup task body each VM got, by VM id.
  std::map<std::string, json> BackupBodies(const std::string& sid) {
    std::map<std::string, json> out;
    for (int i = 0; i < 2; ++i) {
      for (const auto& t : Spy(i).Tasks(rpc::task_kind::kVmBackup)) {
        if (t.body.value("snapshot", "") == sid) out[t.body.value("vm", "")] = t.body;
      }
    }
    return out;
  }

  std::vector<std::unique_ptr<TaskSpy>> spies_;
};

// ---------------------------------------------------------------- plan

TEST_F(SnapshotWorkflowTest, AFullThenIncrementalsBuildOnThePreviousBackupAndItsCheckpoint) {
  const std::string vm1 = AddVm("vm1", "boot disk of vm1");
  const std::string vm2 = AddVm("vm2", "boot disk of vm2", "compute2");
  const std::string volume = cloud_->AddVolume("data", 2);
  cloud_->AttachNow(vm2, volume, "vdb");
  const std::string wid = AddWorkload({vm1, vm2});

  const std::string full = TakeSnapshot(wid);
  EXPECT_EQ(Snap(full).snapshot_type, "full");
  for (const auto& [vm, body] : BackupBodies(full)) {
    EXPECT_TRUE(body["force_full"].get<bool>()) << vm;
    EXPECT_TRUE(body["previous_snapshot"].is_null()) << vm;
  }
  // The image-booted VMs' root disks are their boot disks; the volume is a volume.
  for (const auto& d : DisksOf(full, vm2)) {
    EXPECT_EQ(d.bootable, d.device == kImageRootDevice) << d.device;
    EXPECT_EQ(d.volume_id.has_value(), d.device == "vdb") << d.device;
  }
  const std::set<std::string> full_checkpoints = Checkpoints();
  EXPECT_EQ(full_checkpoints.size(), 2u);

  WriteAt(DiskOf(vm1, "vda"), 65536, "changed");
  const std::string incremental = TakeSnapshot(wid);
  EXPECT_EQ(Snap(incremental).snapshot_type, "incremental");
  auto previous_vms = db::SnapshotRepository(*db_).ListVms(full);
  for (const auto& [vm, body] : BackupBodies(incremental)) {
    EXPECT_FALSE(body["force_full"].get<bool>()) << vm;
    EXPECT_EQ(body["previous_snapshot"], full) << vm;
    for (const auto& pv : *previous_vms) {
      if (pv.vm_id == vm) {
        EXPECT_EQ(body["previous_checkpoint"], pv.metadata["checkpoint"]) << vm;
      }
    }
  }
  // Every disk links to its previous backup; the full's checkpoints are
  // dropped, the incremental's kept for the next one.
  for (const auto& vm : {vm1, vm2}) {
    for (const auto& d : DisksOf(incremental, vm)) EXPECT_TRUE(d.parent_disk_snapshot_id.has_value()) << d.device;
  }
  EXPECT_EQ(Spy(0).Tasks(rpc::task_kind::kRemoveCheckpoint).size(), 1u);
  EXPECT_EQ(Spy(1).Tasks(rpc::task_kind::kRemoveCheckpoint).size(), 1u);
  EXPECT_EQ(Checkpoints().size(), 2u);
  for (const auto& c : full_checkpoints) EXPECT_EQ(Checkpoints().count(c), 0u) << c;
  EXPECT_EQ(Snap(incremental).warning_msg, "");
  EXPECT_EQ(Snap(incremental).progress_percent, 100);
  EXPECT_GT(Snap(incremental).size, 0);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "target" / target::layout::SnapshotDir(wid, incremental) / "snapshot_db"));
}

TEST_F(SnapshotWorkflowTest, FullBackupIntervalDecidesWhenAFullComes) {
  const std::string vm1 = AddVm("vm1", "data");
  // After one incremental, a full.
  const std::string every_other = AddWorkload({vm1}, false, {{"fullbackup_interval", 1}});
  std::vector<std::string> types;
  for (int i = 0; i < 4; ++i) types.push_back(Snap(TakeSnapshot(every_other)).snapshot_type);
  EXPECT_EQ(types, (std::vector<std::string>{"full", "incremental", "full", "incremental"}));
  EXPECT_EQ(BackupBodies(Snap(TakeSnapshot(every_other)).id).begin()->second["force_full"], true);
}

TEST_F(SnapshotWorkflowTest, FullBackupIntervalZeroIsAlwaysFullAndUnsetOnlyTheFirst) {
  const std::string vm1 = AddVm("vm1", "data");
  const std::string always = AddWorkload({vm1}, false, {{"full_backup_interval", "0"}});
  for (int i = 0; i < 2; ++i) EXPECT_EQ(Snap(TakeSnapshot(always)).snapshot_type, "full");
  const std::string vm2 = AddVm("vm2", "data");
  const std::string never = AddWorkload({vm2});
  std::vector<std::string> types;
  for (int i = 0; i < 3; ++i) types.push_back(Snap(TakeSnapshot(never)).snapshot_type);
  EXPECT_EQ(types, (std::vector<std::string>{"full", "incremental", "incremental"}));
  // Asked as a full, it is one.
  EXPECT_EQ(Snap(TakeSnapshot(never, true)).snapshot_type, "full");
}

TEST(FullBackupIntervalTest, ReadsANumberOrANumericStringUnderEitherSpelling) {
  db::Workload w;
  EXPECT_EQ(FullBackupInterval(w), -1);
  w.jobschedule = {{"fullbackup_interval", 3}};
  EXPECT_EQ(FullBackupInterval(w), 3);
  w.jobschedule = {{"full_backup_interval", "7"}};
  EXPECT_EQ(FullBackupInterval(w), 7);
  w.jobschedule = {{"fullbackup_interval", "weekly"}};
  EXPECT_EQ(FullBackupInterval(w), -1);
}

TEST_F(SnapshotWorkflowTest, AVmNewInTheWorkloadIsBackedUpInFullInAnIncremental) {
  const std::string vm1 = AddVm("vm1", "first");
  const std::string wid = AddWorkload({vm1});
  TakeSnapshot(wid);
  const std::string vm2 = AddVm("vm2", "second", "compute2");
  SetVms(wid, {vm1, vm2});
  const std::string sid = TakeSnapshot(wid);
  EXPECT_EQ(Snap(sid).snapshot_type, "incremental");
  auto bodies = BackupBodies(sid);
  EXPECT_FALSE(bodies[vm1]["force_full"].get<bool>());
  EXPECT_TRUE(bodies[vm2]["force_full"].get<bool>());
  EXPECT_TRUE(bodies[vm2]["previous_snapshot"].is_null());
  for (const auto& d : DisksOf(sid, vm1)) EXPECT_TRUE(d.parent_disk_snapshot_id.has_value());
  for (const auto& d : DisksOf(sid, vm2)) EXPECT_FALSE(d.parent_disk_snapshot_id.has_value());
}

TEST_F(SnapshotWorkflowTest, AVmThatMovedHostIsBackedUpInFullWithAWarning) {
  const std::string vm1 = AddVm("vm1", "first");
  const std::string vm2 = AddVm("vm2", "second");
  const std::string wid = AddWorkload({vm1, vm2});
  TakeSnapshot(wid);
  cloud_->MoveServer(vm2, "compute2");
  const std::string sid = TakeSnapshot(wid);
  EXPECT_EQ(Snap(sid).snapshot_type, "incremental");
  auto bodies = BackupBodies(sid);
  EXPECT_FALSE(bodies[vm1]["force_full"].get<bool>());
  EXPECT_TRUE(bodies[vm2]["force_full"].get<bool>());
  EXPECT_EQ(Spy(1).Tasks(rpc::task_kind::kVmBackup).size(), 1u);  // on its new host
  for (const auto& d : DisksOf(sid, vm2)) EXPECT_FALSE(d.parent_disk_snapshot_id.has_value());
  EXPECT_THAT(Snap(sid).warning_msg, HasSubstr("VM vm2 moved from host compute1 to compute2"));
}

// ---------------------------------------------------------------- capture

TEST_F(SnapshotWorkflowTest, AVmThatVanishedFailsTheCaptureAndLeavesNothing) {
  const std::string vm1 = AddVm("vm1", "first");
  const std::string vm2 = AddVm("vm2", "second");
  const std::string wid = AddWorkload({vm1, vm2});
  LoseVm(vm2);
  const std::string sid = QueueSnapshotOf(wid);
  Status outcome = RunJob(RunSnapshot, sid);
  EXPECT_EQ(outcome.code(), ErrorCode::kNotFound) << outcome.ToString();
  const db::Snapshot s = Snap(sid);
  EXPECT_EQ(s.status, ss::kError);
  EXPECT_THAT(s.error_msg, HasSubstr("VM " + vm2 + " (vm2) no longer exists"));
  EXPECT_EQ(s.progress_msg, "Failed");
  EXPECT_EQ(Datamover(0).Ran("vm_backup"), 0);
  ExpectNothingLeft(wid, sid);
}

TEST_F(SnapshotWorkflowTest, AServiceUserThatDoesNotSeeTheHostFailsTheCapture) {
  const std::string vm1 = AddVm("vm1", "first");
  const std::string wid = AddWorkload({vm1});
  cloud_->HideHostsFromService();
  const std::string sid = QueueSnapshotOf(wid);
  Status outcome = RunJob(RunSnapshot, sid);
  EXPECT_EQ(outcome.code(), ErrorCode::kPermissionDenied) << outcome.ToString();
  EXPECT_THAT(Snap(sid).error_msg, HasSubstr("VM vm1: Nova does not show the host of server " + vm1));
  EXPECT_THAT(Snap(sid).error_msg, HasSubstr("needs the admin role"));
  ExpectNothingLeft(wid, sid);
}

TEST_F(SnapshotWorkflowTest, AnImageErrorFailsTheCaptureAndADeletedImageIsAWarning) {
  const std::string vm1 = AddVm("vm1", "first");
  const std::string wid = AddWorkload({vm1});
  cloud_->Fail("GetImage", Status::Unavailable("glance: 503 Service Unavailable"));
  const std::string sid = QueueSnapshotOf(wid);
  EXPECT_EQ(RunJob(RunSnapshot, sid).code(), ErrorCode::kUnavailable);
  EXPECT_EQ(Snap(sid).error_msg, "VM vm1: image of VM vm1: glance: 503 Service Unavailable");
  ExpectNothingLeft(wid, sid);

  cloud_->RemoveImage(image_);
  const std::string next = TakeSnapshot(wid);
  EXPECT_THAT(Snap(next).warning_msg, HasSubstr("the image " + image_ + " of VM vm1 no longer exists"));
}

TEST_F(SnapshotWorkflowTest, ACloudCallFailingForTheSecondVmFailsTheCapture) {
  const std::string vm1 = AddVm("vm1", "first");
  const std::string vm2 = AddVm("vm2", "second");
  const std::string wid = AddWorkload({vm1, vm2});
  cloud_->Fail("GetSecurityGroup", Status::Unavailable("neutron timed out"), 2);
  const std::string sid = QueueSnapshotOf(wid);
  EXPECT_EQ(RunJob(RunSnapshot, sid).code(), ErrorCode::kUnavailable);
  EXPECT_EQ(Snap(sid).error_msg, "VM vm2: neutron timed out");
  ExpectNothingLeft(wid, sid);
}

// ---------------------------------------------------------------- dispatch

TEST_F(SnapshotWorkflowTest, TheDatamoverFailingForOneVmFailsTheSnapshotAndRemovesTheOthersCheckpoints) {
  const std::string vm1 = AddVm("vm1", "first");
  const std::string vm2 = AddVm("vm2", "second");
  const std::string vm3 = AddVm("vm3", "third", "compute2");
  const std::string wid = AddWorkload({vm1, vm2, vm3});
  const std::string full = TakeSnapshot(wid);
  const std::set<std::string> before = Checkpoints();
  ASSERT_EQ(before.size(), 3u);

  Datamover(1).Fail("vm_backup", Status::Unavailable("the datamover on host compute2 stopped answering"));
  const std::string sid = QueueSnapshotOf(wid);
  Status outcome = RunJob(RunSnapshot, sid);
  EXPECT_EQ(outcome.code(), ErrorCode::kUnavailable) << outcome.ToString();
  // The VM that failed says why, not the ones it stopped.
  EXPECT_EQ(Snap(sid).error_msg,
            "VM vm3 (" + vm3 + ") on host compute2: the datamover on host compute2 stopped answering");
  // The previous snapshot's checkpoints stay: the next incremental builds on them.
  ExpectNothingLeft(wid, sid, before);
  EXPECT_EQ(Snap(full).status, ss::kAvailable);
  EXPECT_TRUE(SnapshotDirExists(wid, full));
  const std::string next = TakeSnapshot(wid);
  EXPECT_EQ(Snap(next).snapshot_type, "incremental");
}

TEST_F(SnapshotWorkflowTest, ParallelVmsRunAtOnceUpToMaxParallelVms) {
  options_.max_parallel_vms = 2;
  MakeContext();
  const std::string vm1 = AddVm("vm1", "1");
  const std::string vm2 = AddVm("vm2", "2");
  const std::string vm3 = AddVm("vm3", "3");
  const std::string wid = AddWorkload({vm1, vm2, vm3});
  Datamover(0).Hold("vm_backup");
  const std::string sid = QueueSnapshotOf(wid);
  auto running = RunInBackground(sid);
  ASSERT_TRUE(Until([&] { return Datamover(0).Waiting() == 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(Datamover(0).Ran("vm_backup"), 2) << "a third VM started beyond max_parallel_vms";
  Datamover(0).Release();
  EXPECT_TRUE(running->Wait().ok());
  EXPECT_EQ(Snap(sid).status, ss::kAvailable) << Snap(sid).error_msg;
  EXPECT_EQ(Datamover(0).MostAtOnce(), 2);
  EXPECT_EQ(Datamover(0).Ran("vm_backup"), 3);
}

TEST_F(SnapshotWorkflowTest, AllVmsOfAParallelWorkloadRunAtOnceUnderTheCap) {
  options_.max_parallel_vms = 4;
  MakeContext();
  std::vector<std::string> vms;
  for (int i = 0; i < 3; ++i) vms.push_back(AddVm("vm" + std::to_string(i), "data", i == 2 ? "compute2" : "compute1"));
  const std::string wid = AddWorkload(vms);
  Datamover(0).Hold("vm_backup");
  Datamover(1).Hold("vm_backup");
  const std::string sid = QueueSnapshotOf(wid);
  auto running = RunInBackground(sid);
  EXPECT_TRUE(Until([&] { return Datamover(0).Waiting() == 2 && Datamover(1).Waiting() == 1; }));
  Datamover(0).Release();
  Datamover(1).Release();
  EXPECT_TRUE(running->Wait().ok());
  EXPECT_EQ(Snap(sid).status, ss::kAvailable) << Snap(sid).error_msg;
}

TEST_F(SnapshotWorkflowTest, SerialVmsRunOneAtATimeAndStopAtTheFirstFailure) {
  const std::string vm1 = AddVm("vm1", "1");
  const std::string vm2 = AddVm("vm2", "2");
  const std::string vm3 = AddVm("vm3", "3");
  const std::string wid = AddWorkload({vm1, vm2, vm3}, true);
  Datamover(0).Hold("vm_backup");
  const std::string sid = QueueSnapshotOf(wid);
  auto running = RunInBackground(sid);
  ASSERT_TRUE(Until([&] { return Datamover(0).Waiting() == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(Datamover(0).Ran("vm_backup"), 1) << "a serial workload ran two VMs at once";
  Datamover(0).Release();
  EXPECT_TRUE(running->Wait().ok());
  EXPECT_EQ(Datamover(0).MostAtOnce(), 1);
  // In the workload's order.
  std::vector<std::string> order;
  for (const auto& t : Spy(0).Tasks(rpc::task_kind::kVmBackup)) order.push_back(t.body.value("vm", ""));
  EXPECT_EQ(order, (std::vector<std::string>{vm1, vm2, vm3}));

  // The second VM fails: the third is never started.
  const std::set<std::string> before = Checkpoints();
  ASSERT_EQ(before.size(), 3u);
  Datamover(0).Fail("vm_backup", Status::Internal("read error on vda"), 2);
  const std::string failed = QueueSnapshotOf(wid);
  EXPECT_EQ(RunJob(RunSnapshot, failed).code(), ErrorCode::kInternal);
  EXPECT_EQ(Snap(failed).error_msg, "VM vm2 (" + vm2 + ") on host compute1: read error on vda");
  EXPECT_EQ(Datamover(0).Ran("vm_backup"), 5);
  ExpectNothingLeft(wid, failed, before);  // vm1's new checkpoint went
}

// ---------------------------------------------------------------- record

TEST_F(SnapshotWorkflowTest, AVolumeTheDatamoverCouldNotReadFailsTheRecord) {
  const std::string vm1 = AddVm("vm1", "first");
  const std::string volume = cloud_->AddVolume("rbd-volume", 1);
  cloud_->AttachNow(vm1, volume, "vdb");
  const std::string wid = AddWorkload({vm1});
  // As for a network disk (RBD): the answer lacks the volume's disk.
  Spy(0).edit_backup_answer = [](json& answer) {
    json kept = json::array();
    for (const auto& d : answer["disks"]) {
      if (d.value("serial", "").empty()) kept.push_back(d);
    }
    answer["disks"] = kept;
  };
  const std::string sid = QueueSnapshotOf(wid);
  EXPECT_EQ(RunJob(RunSnapshot, sid).code(), ErrorCode::kNotSupported);
  EXPECT_THAT(Snap(sid).error_msg, HasSubstr("volume " + volume + " of VM vm1 (attached as vdb) was not backed up"));
  EXPECT_EQ(Datamover(0).Ran("vm_backup"), 1);
  ExpectNothingLeft(wid, sid);  // its checkpoint removed too
}

TEST_F(SnapshotWorkflowTest, AMalformedDatamoverAnswerFailsTheSnapshotAndItsCheckpointGoes) {
  const std::string vm1 = AddVm("vm1", "first");
  const std::string wid = AddWorkload({vm1});
  Spy(0).edit_backup_answer = [](json& answer) { answer["disks"][0]["virtual_size"] = "big"; };
  const std::string sid = QueueSnapshotOf(wid);
  EXPECT_EQ(RunJob(RunSnapshot, sid).code(), ErrorCode::kInternal);
  EXPECT_THAT(Snap(sid).error_msg, HasSubstr("the datamover's answer to vm_backup is malformed"));
  ExpectNothingLeft(wid, sid);
}

// ---------------------------------------------------------------- publish and cancel

TEST_F(SnapshotWorkflowTest, ACancelThatComesJustBeforeThePublishWins) {
  const std::string vm1 = AddVm("vm1", "first");
  const std::string wid = AddWorkload({vm1});
  const std::string full = TakeSnapshot(wid);
  // The API marks the snapshot cancelling while its previous checkpoint is
  // dropped (the last thing before the publish); the job's flag is not up yet.
  std::string sid;
  bool cancelled = false;
  Spy(0).before = [&](const rpc::DiskTask& task) {
    if (task.kind != rpc::task_kind::kRemoveCheckpoint || cancelled) return;
    cancelled = true;
    EXPECT_TRUE(db::SnapshotRepository(*db_).SetStatusIf(sid, {std::string(ss::kExecuting)}, ss::kCancelling).ok());
  };
  sid = QueueSnapshotOf(wid);
  EXPECT_EQ(RunJob(RunSnapshot, sid).code(), ErrorCode::kCancelled);
  EXPECT_EQ(Snap(sid).status, ss::kCancelled);
  EXPECT_EQ(Snap(sid).error_msg, "");
  ExpectNothingLeft(wid, sid);
  EXPECT_EQ(Snap(full).status, ss::kAvailable);
  EXPECT_TRUE(SnapshotDirExists(wid, full));
}

TEST_F(SnapshotWorkflowTest, ACancelFlagRaisedAfterTheRecordStopsThePublish) {
  const std::string vm1 = AddVm("vm1", "first");
  const std::string wid = AddWorkload({vm1});
  TakeSnapshot(wid);
  Spy(0).before = [&](const rpc::DiskTask& task) {
    if (task.kind == rpc::task_kind::kRemoveCheckpoint) cancel_ = true;
  };
  const std::string sid = QueueSnapshotOf(wid);
  EXPECT_EQ(RunJob(RunSnapshot, sid).code(), ErrorCode::kCancelled);
  EXPECT_EQ(Snap(sid).status, ss::kCancelled);
  ExpectNothingLeft(wid, sid);
}

TEST_F(SnapshotWorkflowTest, ASnapshotCancelledWhileQueuedNeverReachesTheCloud) {
  const std::string vm1 = AddVm("vm1", "first");
  const std::string wid = AddWorkload({vm1});
  const std::string sid = QueueSnapshotOf(wid);
  ASSERT_TRUE(db::SnapshotRepository(*db_).Update(sid, {.status = std::string(ss::kCancelling)}).ok());
  EXPECT_EQ(RunJob(RunSnapshot, sid).code(), ErrorCode::kCancelled);
  EXPECT_EQ(Snap(sid).status, ss::kCancelled);
  EXPECT_EQ(cloud_->Calls("GetServer"), 0);
  ExpectNothingLeft(wid, sid);
}

TEST_F(SnapshotWorkflowTest, ACancelDuringTheCaptureStopsBeforeTheNextVm) {
  const std::string vm1 = AddVm("vm1", "first");
  const std::string vm2 = AddVm("vm2", "second");
  const std::string wid = AddWorkload({vm1, vm2});
  cloud_->OnCall([&](const std::string& method) {
    if (method == "ListPorts") cancel_ = true;
  });
  const std::string sid = QueueSnapshotOf(wid);
  EXPECT_EQ(RunJob(RunSnapshot, sid).code(), ErrorCode::kCancelled);
  cloud_->OnCall({});
  EXPECT_EQ(Snap(sid).status, ss::kCancelled);
  EXPECT_EQ(cloud_->Calls("ListPorts"), 1) << "the second VM was captured after the cancel";
  EXPECT_EQ(Datamover(0).Ran("vm_backup"), 0);
  ExpectNothingLeft(wid, sid);
}

TEST_F(SnapshotWorkflowTest, ACancelWhileWaitingForASnapshotSlotEndsTheWait) {
  options_.max_snapshots_total = 1;
  MakeContext();
  const std::string vm1 = AddVm("vm1", "first");
  const std::string wid = AddWorkload({vm1});
  // Another running job holds the cloud's only slot.
  db::JobRepository jobs(*db_);
  ASSERT_TRUE(jobs.Enqueue({.kind = "snapshot_create", .object_id = "other"}).ok());
  auto other = jobs.ClaimNext("engine2", 60);
  ASSERT_TRUE(other.ok() && other->has_value());
  auto taken = db::SnapshotSlotRepository(*db_).TryAcquire("cloud", 1, (*other)->id);
  ASSERT_TRUE(taken.ok() && *taken);

  const std::string sid = QueueSnapshotOf(wid);
  auto running = RunInBackground(sid);
  ASSERT_TRUE(Until([&] { return Snap(sid).progress_msg.rfind("Waiting for a free snapshot slot", 0) == 0; }));
  EXPECT_THAT(Snap(sid).progress_msg, HasSubstr("the cloud already runs 1 snapshot(s)"));
  cancel_ = true;
  EXPECT_EQ(running->Wait().code(), ErrorCode::kCancelled);
  EXPECT_EQ(Snap(sid).status, ss::kCancelled);
  EXPECT_EQ(Datamover(0).Ran("vm_backup"), 0);
  ExpectNothingLeft(wid, sid);
}

TEST_F(SnapshotWorkflowTest, ACancelDuringTheDispatchStopsEveryVmsTask) {
  const std::string vm1 = AddVm("vm1", "first");
  const std::string vm2 = AddVm("vm2", "second", "compute2");
  const std::string wid = AddWorkload({vm1, vm2});
  Datamover(1).Hold("vm_backup");  // vm1 finishes (a checkpoint), vm2 waits
  const std::string sid = QueueSnapshotOf(wid);
  auto running = RunInBackground(sid);
  ASSERT_TRUE(Until([&] { return Datamover(1).Waiting() == 1 && Datamover(0).Checkpoints().size() == 1; }));
  cancel_ = true;
  EXPECT_EQ(running->Wait().code(), ErrorCode::kCancelled);
  EXPECT_EQ(Snap(sid).status, ss::kCancelled);
  ExpectNothingLeft(wid, sid);  // vm1's checkpoint removed
}

// ---------------------------------------------------------------- takeover

TEST_F(SnapshotWorkflowTest, AJobTakenOverFromADeadEngineFailsAndRemovesWhatThatEngineWrote) {
  const std::string vm1 = AddVm("vm1", "first");
  const std::string wid = AddWorkload({vm1});
  const std::string sid = QueueSnapshotOf(wid);
  // The dead engine had begun: a file on the target, a disk row.
  ASSERT_TRUE(db::SnapshotRepository(*db_).Update(sid, {.status = std::string(ss::kExecuting)}).ok());
  const auto snapshot_dir = dir_ / "target" / target::layout::SnapshotDir(wid, sid);
  std::filesystem::create_directories(snapshot_dir);
  std::ofstream(snapshot_dir / "partial") << "half a disk";
  ASSERT_TRUE(db::SnapshotRepository(*db_).PutDisk({.snapshot_id = sid, .vm_id = vm1, .device = "vda"}).ok());

  Status outcome = RunJob(RunSnapshot, sid, /*taken_over=*/true);
  EXPECT_EQ(outcome.code(), ErrorCode::kUnavailable);
  EXPECT_THAT(Snap(sid).error_msg, HasSubstr("the engine running this snapshot stopped"));
  EXPECT_EQ(Snap(sid).status, ss::kError);
  EXPECT_EQ(cloud_->Calls("GetServer"), 0);
  ExpectNothingLeft(wid, sid);
  TakeSnapshot(wid);  // the workload takes snapshots again
}

TEST_F(SnapshotWorkflowTest, AJobLostToAnotherEngineLeavesTheSnapshotToIt) {
  const std::string vm1 = AddVm("vm1", "first");
  const std::string wid = AddWorkload({vm1});
  const std::string sid = QueueSnapshotOf(wid);
  auto jobs = db::JobRepository(*db_).List({.object_id = sid});
  ASSERT_TRUE(jobs.ok() && jobs->size() == 1u);
  std::atomic<bool> lost{false};
  Datamover(0).Hold("vm_backup");
  BackgroundRun running(*this, [&] {
    return RunSnapshot(*ctx_, JobContext{.job = jobs->front(), .cancel = cancel_, .lost = &lost});
  });
  ASSERT_TRUE(Until([&] { return Datamover(0).Waiting() == 1; }));
  lost = true;
  cancel_ = true;  // the runner raises both
  EXPECT_FALSE(running.Wait().ok());
  // The new owner ends the snapshot and unlocks its workload, not this engine.
  EXPECT_EQ(Snap(sid).status, ss::kExecuting);
  EXPECT_EQ(WorkloadStatus(wid), "locked");
}

}  // namespace
}  // namespace cairn::engine::testing
