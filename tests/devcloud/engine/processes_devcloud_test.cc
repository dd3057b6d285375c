// Cairn as separate processes on the devcloud: cairn-engine and
// `cairn-datamover serve` started by the test, disk tasks through the
// database. Killing either mid-snapshot ends that snapshot in error with a
// message, leaves nothing behind, and the next snapshot succeeds.
#include <csignal>

#include "db/disk_task_repository.h"
#include "db/job_repository.h"
#include "db/service_repository.h"
#include "engine_fixture.h"

namespace cairn::engine_testing {
namespace {

class ProcessesDevcloudTest : public CairnDevcloudFixture {
 protected:
  static void SetUpTestSuite() { StartCairn("database"); }
  void TearDown() override {
    for (int pid : pids_) {
      ::kill(pid, SIGCONT);
      ::kill(pid, SIGKILL);
    }
  }

  // Starts a program in the background with the test's configuration; its pid.
  int Spawn(const std::string& command, const std::string& log) {
    auto r = testing::Run(command + " --config-file '" + conf_file_ + "' >> '" + (dir_ / log).string() +
                          "' 2>&1 & echo $!");
    const int pid = std::atoi(r.output.c_str());
    EXPECT_GT(pid, 0) << r.output;
    pids_.push_back(pid);
    return pid;
  }
  int StartEngine() { return Spawn(CAIRN_ENGINE_BINARY, "engine.log"); }
  int StartDatamover() { return Spawn(std::string(CAIRN_DATAMOVER_BINARY) + " serve", "datamover.log"); }

  // Waits until `pred` holds (polling every 20 ms); false on timeout.
  static bool Until(const std::function<bool()>& pred, std::chrono::seconds timeout = std::chrono::seconds(120)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  static std::string StartSnapshot(const std::string& wid, const std::string& name) {
    json s = Call("POST", V1("/workloads/" + wid), json{{"snapshot", {{"name", name}}}}, 202);
    return s["snapshot"].value("id", "");
  }
  static json WaitSnapshot(const std::string& sid) {
    return WaitFor(V1("/snapshots/" + sid), "snapshot", {"available", "error", "cancelled"});
  }
  static bool SnapshotDirExists(const std::string& wid, const std::string& sid) {
    return std::filesystem::exists(dir_ / "target" / ("workload_" + wid) / ("snapshot_" + sid));
  }

  std::vector<int> pids_;
};

TEST_F(ProcessesDevcloudTest, KilledDatamoverOrEngineMidSnapshotFailCleanly) {
  GuestVm vm = BootGuest(run_ + "-proc");
  const std::string domain = DomainOf(vm.server);
  int engine = StartEngine();
  int datamover = StartDatamover();
  // The datamover registers its host.
  ASSERT_TRUE(Until([&] {
    auto s = db::ServiceRepository(api_->database()).Get("devcloud", "cairn-datamover");
    return s.ok() && s->up;
  }));
  const std::string wid = CreateWorkload(vm.server, run_ + "-proc-wl");
  json first = WaitSnapshot(StartSnapshot(wid, "first"));
  ASSERT_EQ(first["status"], "available") << first.dump();

  // The datamover stops dead while it runs the VM's backup.
  const std::string s2 = StartSnapshot(wid, "dm-killed");
  db::DiskTaskRepository tasks(api_->database());
  ASSERT_TRUE(Until([&] {
    auto jobs = db::JobRepository(api_->database()).List({.object_id = s2});
    if (!jobs.ok() || jobs->empty()) return false;
    auto left = tasks.ListUnfinished(jobs->front().id);
    return left.ok() && !left->empty() && left->front().status == "running";
  }));
  ::kill(datamover, SIGSTOP);
  json failed = WaitSnapshot(s2);
  EXPECT_EQ(failed["status"], "error") << failed.dump();
  EXPECT_THAT(failed.value("error_msg", ""), HasSubstr("datamover on host devcloud")) << failed.dump();
  ::kill(datamover, SIGKILL);
  EXPECT_FALSE(SnapshotDirExists(wid, s2));
  // A new datamover cleans what the dead one left in libvirt; the next snapshot works.
  datamover = StartDatamover();
  const std::string s3 = StartSnapshot(wid, "after-dm");
  json third = WaitSnapshot(s3);
  EXPECT_EQ(third["status"], "available") << third.dump();
  // Once a snapshot is seen available, Cairn no longer touches the VM: no task
  // of its job is left (the previous checkpoint's bitmaps went before the
  // publish), and libvirt holds no checkpoint metadata that would make Nova
  // refuse to delete the domain.
  auto s3_jobs = db::JobRepository(api_->database()).List({.object_id = s3});
  ASSERT_TRUE(s3_jobs.ok() && !s3_jobs->empty());
  auto s3_left = tasks.ListUnfinished(s3_jobs->front().id);
  ASSERT_TRUE(s3_left.ok());
  EXPECT_TRUE(s3_left->empty()) << s3_left->size() << " task(s) of the snapshot's job still to run, the first of kind "
                                << s3_left->front().kind;
  EXPECT_EQ(CheckpointCount(domain), 0);

  // The engine dies while it runs a snapshot; another engine takes the job over.
  const std::string s4 = StartSnapshot(wid, "engine-killed");
  ASSERT_TRUE(Until([&] {
    auto jobs = db::JobRepository(api_->database()).List({.object_id = s4});
    return jobs.ok() && !jobs->empty() && jobs->front().status == "running";
  }));
  ::kill(engine, SIGKILL);
  engine = StartEngine();
  json taken = WaitSnapshot(s4);
  EXPECT_EQ(taken["status"], "error") << taken.dump();
  EXPECT_THAT(taken.value("error_msg", ""), HasSubstr("engine running this snapshot stopped")) << taken.dump();
  EXPECT_FALSE(SnapshotDirExists(wid, s4));
  json fifth = WaitSnapshot(StartSnapshot(wid, "after-engine"));
  EXPECT_EQ(fifth["status"], "available") << fifth.dump();
  EXPECT_EQ(CheckpointCount(domain), 0);
  EXPECT_EQ(Call("GET", V1("/workloads/" + wid))["workload"].value("status", ""), "available");
  // Only the available snapshots have data on the target.
  int dirs = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir_ / "target" / ("workload_" + wid))) {
    dirs += e.path().filename().string().rfind("snapshot_", 0) == 0 ? 1 : 0;
  }
  EXPECT_EQ(dirs, 3);
}

}  // namespace
}  // namespace cairn::engine_testing
