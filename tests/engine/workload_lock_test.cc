// The workload lock and the jobs that hold it, on a local target with real
// backups and no cloud: deletes queued like the API queues them, run by
// engine workers beside a snapshot; a delete whose engine died mid-merge,
// finished by the engine that takes it over; a retention delete on a busy
// workload; workflows that throw (a restore against a fake Keystone and
// Neutron: it still removes what it built and unlocks).
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <thread>

#include "datamover/backup.h"
#include "datamover/crash_support.h"
#include "datamover/datamover_support.h"
#include "datamover/restore.h"
#include "db/job_repository.h"
#include "db/options.h"
#include "db/schema.h"
#include "db/snapshot_repository.h"
#include "db/workload_repository.h"
#include "engine/context.h"
#include "engine/job_runner.h"
#include "db/restore_repository.h"
#include "engine/retention.h"
#include "control/target_metadata.h"
#include "control/snapshot_queue.h"
#include "engine/openstack_cloud.h"
#include "engine/workflows.h"
#include "target/identity.h"
#include "engine/workload_lock.h"
#include "openstack/local_server.h"
#include "rpc/in_process_transport.h"
#include "target/store.h"

namespace cairn::engine {
namespace {

using datamover::testing::ChangingDisk;
using nlohmann::json;
using testing::TempDir;

constexpr uint64_t kDiskSize = 4 << 20;

class WorkloadLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_ / "target");
    auto store = target::OpenPosixStore(dir_ / "target");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    ASSERT_TRUE(target::InitTargetIdentity(*store_, "test").ok());  // an initialised target (jobs require it)
    db::DatabaseOptions options;
    options.connection = "sqlite:///" + (dir_ / "cairn.db");
    auto db = db::Database::Open(options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    ASSERT_TRUE(db::Sync(*db_).ok());
    options_.job_poll = std::chrono::milliseconds(10);
    options_.server_timeout = std::chrono::seconds(5);
    ServeFakeCloud();
    service_ = std::make_unique<openstack::ServiceSession>(
        openstack::ServiceCredentials{.auth_url = cloud_.Url("/v3"), .username = "cairn", .password = "pw"});
    os_cloud_ = std::make_unique<OpenStackCloud>(*service_, http_, openstack::EndpointSelector(), *db_,
                                                 SystemClock::Get());
    ctx_ = std::make_unique<EngineContext>(EngineContext{.db = *db_,
                                                         .store = *store_,
                                                         .transport = transport_,
                                                         .cloud = *os_cloud_,
                                                         .options = options_,
                                                         .clock = SystemClock::Get()});
  }

  // Keystone (the service user's and the user's token "user-token", whose
  // catalog has Neutron on this server) and Neutron's ports, recorded.
  void ServeFakeCloud() {
    auto& s = cloud_.server();
    auto token_body = [this](const std::string& who) {
      const TimePoint now = UtcNow();
      json endpoint = {{"interface", "admin"}, {"region_id", "RegionOne"}, {"url", cloud_.Url("/network")}};
      return json{{"token",
                   {{"methods", {"password"}},
                    {"user", {{"id", who + "-id"}, {"name", who}, {"domain", {{"id", "default"}}}}},
                    {"project", {{"id", "p1"}, {"name", "demo"}, {"domain", {{"id", "default"}}}}},
                    {"roles", {{{"id", "r1"}, {"name", who == "cairn" ? "admin" : "member"}}}},
                    {"issued_at", FormatIso8601(now, IsoFormat::kMicrosZ)},
                    {"expires_at", FormatIso8601(now + std::chrono::hours(1), IsoFormat::kMicrosZ)},
                    {"catalog",
                     {{{"type", "network"}, {"name", "neutron"}, {"endpoints", json::array({endpoint})}}}}}}}
          .dump();
    };
    s.Post("/v3/auth/tokens", [token_body](const httplib::Request&, httplib::Response& res) {
      res.status = 201;
      res.set_header("X-Subject-Token", "service-token");
      res.set_content(token_body("cairn"), "application/json");
    });
    s.Get("/v3/auth/tokens", [token_body](const httplib::Request& req, httplib::Response& res) {
      if (req.get_header_value("X-Subject-Token") != "user-token") {
        res.status = 404;
        res.set_content(R"({"error": {"code": 404, "message": "Could not find token."}})", "application/json");
        return;
      }
      res.set_header("X-Subject-Token", "user-token");
      res.set_content(token_body("u1"), "application/json");
    });
    s.Post("/network/v2.0/ports", [this](const httplib::Request& req, httplib::Response& res) {
      const json body = json::parse(req.body);
      const std::string id = "port-" + std::to_string(++ports_created_);
      res.status = 201;
      res.set_content(json{{"port", {{"id", id}, {"network_id", body["port"].value("network_id", "")}}}}.dump(),
                      "application/json");
    });
    s.Delete(R"(/network/v2.0/ports/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      ports_deleted_.push_back(req.matches[1]);
      res.status = 204;
    });
    ASSERT_TRUE(cloud_.Start());
  }

  // A workload of one VM with `count` snapshots of its disk (a full, then
  // incrementals), written as the snapshot workflow writes them; the disk
  // at snapshot i is saved as "disk-<i>".
  void MakeWorkload(int count) {
    db::Workload w;
    w.project_id = "p1";
    w.user_id = "u1";
    w.name = "web";
    w.status = "available";
    w.vms = {db::WorkloadVm{.vm_id = "vm1", .vm_name = "web-1"}};
    auto created = db::WorkloadRepository(*db_).Create(w);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    wid_ = created->id;
    ChangingDisk disk(dir_ / "disk.raw", kDiskSize, 11);
    db::SnapshotRepository snapshots(*db_);
    for (int i = 0; i < count; ++i) {
      disk.RandomWrites(6);
      disk.SaveAs(dir_ / ("disk-" + std::to_string(i)));
      auto s = snapshots.Create({.workload_id = wid_,
                                 .project_id = "p1",
                                 .user_id = "u1",
                                 .name = "snap-" + std::to_string(i),
                                 .snapshot_type = i == 0 ? "full" : "incremental",
                                 .status = "executing"});
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      datamover::BackupRequest req;
      req.source = disk.path();
      req.disk = {wid_, s->id, "vm1", "vda"};
      req.resource = "res1";
      if (!sids_.empty()) req.previous_snapshot = sids_.back();
      auto backup = datamover::Backup(*store_, req);
      ASSERT_TRUE(backup.ok()) << backup.status().ToString();
      db::SnapshotDisk d{.id = backup->backup.image_id, .snapshot_id = s->id, .vm_id = "vm1",
                         .resource_id = "res1", .device = "vda"};
      d.size = static_cast<int64_t>(backup->image_file_size);
      d.path = backup->backup.image_path();
      if (!disk_ids_.empty()) d.parent_disk_snapshot_id = disk_ids_.back();
      ASSERT_TRUE(snapshots.PutVm({.snapshot_id = s->id, .vm_id = "vm1", .vm_name = "web-1"}).ok());
      ASSERT_TRUE(snapshots.PutDisk(d).ok());
      ASSERT_TRUE(snapshots.Update(s->id, {.status = std::string("available"), .size = d.size}).ok());
      sids_.push_back(s->id);
      disk_ids_.push_back(d.id);
    }
  }

  // What DELETE /snapshots/{id} does: the delete queued by a member.
  Status QueueDelete(const std::string& sid) {
    auto s = db::SnapshotRepository(*db_).Get(sid);
    if (!s.ok()) return s.status();
    return db_->Transaction("delete snapshot", [&](db::Executor& tx) {
      return control::QueueSnapshotDelete(tx, *s, db::Job{.user_id = "u1", .payload = {{"request_id", "req-delete"}}});
    });
  }
  // What POST /workloads/{id} does: a member's snapshot.
  Result<std::string> QueueSnapshotOfMember() {
    CAIRN_ASSIGN_OR_RETURN(db::Workload w, db::WorkloadRepository(*db_).Get(wid_));
    std::string id;
    CAIRN_RETURN_IF_ERROR(db_->Transaction("snapshot workload", [&](db::Executor& tx) -> Status {
      CAIRN_ASSIGN_OR_RETURN(db::Snapshot s, control::QueueSnapshot(tx, w, {.user_id = "u1", .name = "next"}, false,
                                                           db::Job{.user_id = "u1"}));
      id = s.id;
      return Status::OK();
    }));
    return id;
  }
  // A runner (an engine worker) with the real snapshot delete and, for
  // snapshot_create (which needs the cloud), a stand-in that holds the
  // workload's lock like the real one and publishes the snapshot.
  std::unique_ptr<JobRunner> Worker(const std::string& id) {
    auto runner = std::make_unique<JobRunner>(
        *db_, JobRunnerOptions{.engine_id = id, .lease = std::chrono::seconds(60),
                               .heartbeat = std::chrono::milliseconds(50), .poll = std::chrono::milliseconds(10)});
    runner->Register(std::string(db::job_kind::kSnapshotDelete),
                     [this](const JobContext& jc) { return RunSnapshotDelete(*ctx_, jc); });
    runner->Register(std::string(db::job_kind::kSnapshotCreate), [this](const JobContext& jc) {
      HeldWorkloadLock lock(*db_, jc, jc.job.workload_id);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      return lock.UnlockWith("publish", [&](db::Executor& tx) {
        return db::SnapshotRepository(tx).Update(jc.job.object_id, {.status = std::string("available")}).status();
      });
    });
    return runner;
  }
  std::string WorkloadStatus() { return db::WorkloadRepository(*db_).Get(wid_)->status; }
  bool Deleted(const std::string& sid) {
    auto s = db::SnapshotRepository(*db_).Get(sid, /*include_deleted=*/true);
    return s.ok() && s->deleted;
  }
  void ExpectRestores(int i) {
    datamover::RestoreRequest req;
    req.disk = {wid_, sids_[i], "vm1", "vda"};
    req.to = dir_ / ("restored-" + std::to_string(i));
    auto r = datamover::Restore(*store_, req);
    ASSERT_TRUE(r.ok()) << "snapshot " << i << ": " << r.status().ToString();
    EXPECT_TRUE(datamover::testing::SameFiles(req.to, dir_ / ("disk-" + std::to_string(i)))) << "snapshot " << i;
  }

  TempDir dir_;
  std::unique_ptr<target::Store> store_;
  std::unique_ptr<db::Database> db_;
  openstack::testing::LocalServer cloud_;
  std::atomic<int> ports_created_{0};
  std::mutex mu_;
  std::vector<std::string> ports_deleted_;  // guarded by mu_
  rpc::InProcessTransport transport_;
  std::unique_ptr<openstack::ServiceSession> service_;
  openstack::HttpClient http_;
  EngineOptions options_;
  std::unique_ptr<OpenStackCloud> os_cloud_;
  std::unique_ptr<EngineContext> ctx_;
  std::string wid_;
  std::vector<std::string> sids_;
  std::vector<std::string> disk_ids_;
};

// Two deletes and a snapshot by a member, each sent as soon as the API takes
// it (a 409 while the workload is locked is retried, as clients wait for the
// workload to be available), on an engine of two workers: all three finish.
TEST_F(WorkloadLockTest, TwoDeletesThenASnapshotByAMemberAllFinish) {
  MakeWorkload(3);
  std::vector<std::unique_ptr<JobRunner>> workers;
  workers.push_back(Worker("engine:1"));
  workers.push_back(Worker("engine:2"));
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (auto& w : workers) threads.emplace_back([&stop, p = w.get()] { p->RunUntil(stop); });

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  auto retry_while_locked = [&](const std::function<Status()>& send) {
    for (;;) {
      Status s = send();
      if (s.code() != ErrorCode::kConflict || std::chrono::steady_clock::now() > deadline) return s;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  };
  EXPECT_TRUE(retry_while_locked([&] { return QueueDelete(sids_[0]); }).ok());
  EXPECT_TRUE(retry_while_locked([&] { return QueueDelete(sids_[1]); }).ok());
  std::string next;
  EXPECT_TRUE(retry_while_locked([&]() -> Status {
                CAIRN_ASSIGN_OR_RETURN(next, QueueSnapshotOfMember());
                return Status::OK();
              }).ok());
  auto all_done = [&] {
    auto active = db::JobRepository(*db_).List({.statuses = {"queued", "running"}});
    return active.ok() && active->empty();
  };
  while (!all_done() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop = true;
  for (auto& t : threads) t.join();

  EXPECT_TRUE(Deleted(sids_[0]));
  EXPECT_TRUE(Deleted(sids_[1]));
  ASSERT_FALSE(next.empty());
  EXPECT_EQ(db::SnapshotRepository(*db_).Get(next)->status, "available");
  EXPECT_EQ(WorkloadStatus(), "available");
  auto jobs = db::JobRepository(*db_).List();
  ASSERT_TRUE(jobs.ok());
  for (const auto& j : *jobs) {
    EXPECT_EQ(j.status, "done") << j.kind << " " << j.object_id << ": " << j.error;
    EXPECT_FALSE(j.payload.contains(db::kAuthTokenKey)) << j.kind;
  }
  ExpectRestores(2);
}

// The API locks the workload in the delete's transaction: a snapshot or a
// second delete meanwhile is a 409 naming the lock, not a job that waits.
TEST_F(WorkloadLockTest, AQueuedDeleteHoldsTheWorkloadLock) {
  MakeWorkload(2);
  ASSERT_TRUE(QueueDelete(sids_[0]).ok());
  EXPECT_EQ(WorkloadStatus(), "locked");
  EXPECT_EQ(db::SnapshotRepository(*db_).Get(sids_[0])->status, "deleting");
  auto jobs = db::JobRepository(*db_).List({.kind = std::string(db::job_kind::kSnapshotDelete)});
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_TRUE(db::HoldsWorkloadLock(jobs->front()));
  Status second = QueueDelete(sids_[1]);
  EXPECT_EQ(second.code(), ErrorCode::kConflict) << second.ToString();
  EXPECT_EQ(db::SnapshotRepository(*db_).Get(sids_[1])->status, "available");
  EXPECT_EQ(QueueSnapshotOfMember().status().code(), ErrorCode::kConflict);
}

// The engine running a delete dies in the middle of the merge (the
// datamover's merge aborted at its step 4, the job's lease runs out): the
// engine that takes the job over keeps the job's lock and finishes it.
TEST_F(WorkloadLockTest, AnEngineKilledMidMergeIsFinishedByTheTakeover) {
  MakeWorkload(3);
  ASSERT_TRUE(QueueDelete(sids_[1]).ok());
  auto claimed = db::JobRepository(*db_).ClaimNext("dead-engine", 60, UtcNow() - std::chrono::minutes(10));
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  datamover::testing::ProcessResult crashed = datamover::testing::RunProcess(
      {CAIRN_DATAMOVER_BINARY, "merge", "--target", dir_ / "target", "--workload", wid_, "--snapshot", sids_[1],
       "--vm", "vm1", "--disk", "vda", "--no-progress", "--json"},
      "merge.4");
  ASSERT_TRUE(crashed.Aborted()) << crashed.Describe();
  // The lock is the delete's: taken when it was queued (an engine that
  // locked at the start of the job would have left it the same).
  (void)db::WorkloadRepository(*db_).SetStatusIf(wid_, {"available"}, "locked");
  EXPECT_EQ(WorkloadStatus(), "locked");

  auto runner = Worker("alive:1");
  auto ran = runner->RunOne();
  ASSERT_TRUE(ran.ok()) << ran.status().ToString();
  ASSERT_TRUE(*ran);
  auto job = db::JobRepository(*db_).Get((*claimed)->id);
  EXPECT_EQ(job->status, "done") << job->error;
  EXPECT_EQ(job->attempts, 2);
  EXPECT_TRUE(Deleted(sids_[1]));
  EXPECT_EQ(WorkloadStatus(), "available");
  ExpectRestores(0);
  ExpectRestores(2);
}

// A retention delete (queued without the lock) on a workload another job
// has locked goes back to the queue instead of holding a worker, and runs
// once the workload is free.
TEST_F(WorkloadLockTest, ARetentionDeleteOnABusyWorkloadGoesBackToTheQueue) {
  MakeWorkload(3);
  ASSERT_TRUE(db::WorkloadRepository(*db_)
                  .Update(wid_, {.jobschedule = json{{"retention_policy_type", "Number of Snapshots to Keep"},
                                                     {"retention_policy_value", "2"}}})
                  .ok());
  auto expired = ApplyRetention(*db_, wid_, "u1", UtcNow());
  ASSERT_TRUE(expired.ok()) << expired.status().ToString();
  ASSERT_EQ(*expired, std::vector<std::string>{sids_[0]});
  ASSERT_TRUE(db::WorkloadRepository(*db_).SetStatusIf(wid_, {"available"}, "locked").ok());  // another job's

  auto runner = Worker("engine:1");
  auto ran = runner->RunOne();
  ASSERT_TRUE(ran.ok() && *ran);
  auto jobs = db::JobRepository(*db_).List({.kind = std::string(db::job_kind::kSnapshotDelete)});
  ASSERT_EQ(jobs->size(), 1u);
  const db::Job waiting = jobs->front();
  EXPECT_EQ(waiting.status, "queued");
  EXPECT_EQ(waiting.attempts, 0);
  ASSERT_TRUE(waiting.not_before.has_value());
  EXPECT_EQ(db::SnapshotRepository(*db_).Get(sids_[0])->status, "deleting");
  EXPECT_EQ(WorkloadStatus(), "locked");

  ASSERT_TRUE(db::WorkloadRepository(*db_).SetStatusIf(wid_, {"locked"}, "available").ok());
  std::this_thread::sleep_for(options_.job_poll * 6);
  ran = runner->RunOne();
  ASSERT_TRUE(ran.ok() && *ran);
  EXPECT_EQ(db::JobRepository(*db_).Get(waiting.id)->status, "done");
  EXPECT_TRUE(Deleted(sids_[0]));
  EXPECT_EQ(WorkloadStatus(), "available");
  ExpectRestores(1);
}

// A workflow that throws: the runner ends its job as error, and the lock it
// held is released all the same.
TEST_F(WorkloadLockTest, AWorkflowThatThrowsStillUnlocks) {
  MakeWorkload(1);
  ASSERT_TRUE(QueueDelete(sids_[0]).ok());
  JobRunner runner(*db_, JobRunnerOptions{.engine_id = "e1"});
  runner.Register(std::string(db::job_kind::kSnapshotDelete), [this](const JobContext& jc) -> Status {
    HeldWorkloadLock lock(*db_, jc, jc.job.workload_id);
    throw std::runtime_error("malformed");
  });
  auto ran = runner.RunOne();
  ASSERT_TRUE(ran.ok() && *ran);
  auto jobs = db::JobRepository(*db_).List({.kind = std::string(db::job_kind::kSnapshotDelete)});
  EXPECT_EQ(jobs->front().status, "error");
  EXPECT_NE(jobs->front().error.find("malformed"), std::string::npos);
  EXPECT_EQ(WorkloadStatus(), "available");
}

// A restore whose captured VM makes the workflow throw (the second port's
// MAC address is not text, as a capture of an older version could hold
// it): the port it had created is removed, the restore ends as error, the
// workload is unlocked. (Its options cannot: the engine parses them with
// the API's parser before it creates anything, see
// RestoreWorkflowTest.StoredOptionsTheApiWouldRefuseFailAtThePlan.)
TEST_F(WorkloadLockTest, ARestoreThatThrowsStillUndoesAndUnlocks) {
  MakeWorkload(1);
  db::SnapshotRepository snapshots(*db_);
  db::SnapshotVm vm{.snapshot_id = sids_[0], .vm_id = "vm1", .vm_name = "web-1"};
  vm.nics = json::array({{{"port_id", "pa"}, {"network_id", "net-1"}, {"subnet_id", "sub-1"}},
                         {{"port_id", "pb"}, {"network_id", "net-2"}, {"subnet_id", "sub-2"}, {"mac_address", 5}}});
  ASSERT_TRUE(snapshots.PutVm(vm).ok());
  auto s = snapshots.Get(sids_[0]);
  ASSERT_TRUE(control::WriteSnapshotResources(*store_, *s, {vm}, json{{"vm1", {{"server", {{"id", "vm1"}}}}}}).ok());
  db::Restore r;
  r.snapshot_id = sids_[0];
  r.workload_id = wid_;
  r.project_id = "p1";
  r.user_id = "u1";
  r.restore_type = "oneclick";
  r.options = {{"restore_type", "oneclick"}, {"oneclickrestore", true}};
  std::string restore_id;
  ASSERT_TRUE(db_->Transaction("create restore", [&](db::Executor& tx) -> Status {
                   db::Job job{.kind = std::string(db::job_kind::kRestoreCreate), .workload_id = wid_,
                               .project_id = "p1", .user_id = "u1",
                               .payload = {{"auth_token", "user-token"}, {"snapshot_id", sids_[0]}}};
                   CAIRN_RETURN_IF_ERROR(db::LockWorkloadForJob(tx, wid_, job));
                   CAIRN_ASSIGN_OR_RETURN(db::Restore created, db::RestoreRepository(tx).Create(r));
                   restore_id = created.id;
                   job.object_id = created.id;
                   return db::JobRepository(tx).Enqueue(job).status();
                 }).ok());
  ASSERT_EQ(WorkloadStatus(), "locked");

  JobRunner runner(*db_, JobRunnerOptions{.engine_id = "e1"});
  runner.Register(std::string(db::job_kind::kRestoreCreate),
                  [this](const JobContext& jc) { return RunRestore(*ctx_, jc); });
  auto ran = runner.RunOne();
  ASSERT_TRUE(ran.ok() && *ran) << ran.status().ToString();

  auto restore = db::RestoreRepository(*db_).Get(restore_id);
  ASSERT_TRUE(restore.ok());
  EXPECT_EQ(restore->status, "error");
  EXPECT_NE(restore->error_msg.find("unexpected error in the restore workflow"), std::string::npos)
      << restore->error_msg;
  EXPECT_EQ(ports_created_.load(), 1);
  {
    std::lock_guard lock(mu_);
    EXPECT_EQ(ports_deleted_, std::vector<std::string>{"port-1"});
  }
  EXPECT_EQ(WorkloadStatus(), "available");
  auto jobs = db::JobRepository(*db_).List({.kind = std::string(db::job_kind::kRestoreCreate)});
  EXPECT_EQ(jobs->front().status, "error");
  EXPECT_FALSE(jobs->front().payload.contains(db::kAuthTokenKey));
}

}  // namespace
}  // namespace cairn::engine
