// WorkflowTest: the engine's workflows against the FakeCloud and a
// FakeDatamover on each of two hosts (compute1, compute2), with a real
// SQLite database and a real POSIX target in a temporary directory. Jobs
// are queued as the API queues them and run by calling the workflow, so a
// test controls cancel and takeover directly. docs/development.md, "Testing a
// workflow against the fake cloud", shows how to use it.
#pragma once

#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "db/job_repository.h"
#include "db/options.h"
#include "db/restore_repository.h"
#include "db/schema.h"
#include "db/snapshot_repository.h"
#include "db/workload_repository.h"
#include "engine/context.h"
#include "engine/fake_cloud.h"
#include "engine/fake_datamover.h"
#include "control/snapshot_queue.h"
#include "engine/workflows.h"
#include "rpc/in_process_transport.h"
#include "target/identity.h"
#include "target/store.h"

namespace cairn::engine::testing {

class WorkflowTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kGb = 1 << 20;  // a flavor's or volume's "GB" on disk

  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cairn-workflow-XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
    for (const char* sub : {"target", "cloud", "staging"}) std::filesystem::create_directories(dir_ / sub);
    auto store = target::OpenPosixStore((dir_ / "target").string());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    ASSERT_TRUE(target::InitTargetIdentity(*store_, "test").ok());
    db::DatabaseOptions db_options;
    db_options.connection = "sqlite:///" + (dir_ / "cairn.db").string();
    auto db = db::Database::Open(db_options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    ASSERT_TRUE(db::Sync(*db_).ok());
    cloud_ = std::make_unique<FakeCloud>(FakeCloudOptions{.disk_dir = dir_ / "cloud", .bytes_per_gb = kGb});
    for (const char* host : {"compute1", "compute2"}) {
      datamovers_.push_back(std::make_unique<FakeDatamover>(*cloud_, *store_, host));
      transport_.Register(host, *datamovers_.back());
    }
    options_.job_poll = std::chrono::milliseconds(10);
    options_.datamover_timeout = std::chrono::seconds(2);
    options_.staging_dir = (dir_ / "staging").string();
    options_.host = "engine1";
    MakeContext();
  }

  void TearDown() override {
    ctx_.reset();
    datamovers_.clear();
    cloud_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Builds the context again after a test changed options_.
  void MakeContext() {
    ctx_ = std::make_unique<EngineContext>(EngineContext{.db = *db_,
                                                         .store = *store_,
                                                         .transport = transport_,
                                                         .cloud = *cloud_,
                                                         .options = options_,
                                                         .clock = SystemClock::Get()});
  }

  FakeDatamover& Datamover(int index = 0) { return *datamovers_.at(index); }

  // A cloud with one flavor (1 vCPU, 512 MB, a 4 "GB" root disk), one
  // image, network "net1" with a router, security group "default".
  void BuildCloud() {
    flavor_ = cloud_->AddFlavor("m1.small", 1, 512, 4);
    image_ = cloud_->AddImage("cirros", {{"hw_qemu_guest_agent", "no"}, {"os_distro", "cirros"}});
    network_ = cloud_->AddNetwork("net1");
    cloud_->AddRouter("router1", network_);
    group_ = cloud_->AddSecurityGroup("default");
  }

  // A running server on `host` on net1 with `data` written at the start of its root disk.
  std::string AddVm(const std::string& name, const std::string& data, const std::string& host = "compute1") {
    const std::string id = cloud_->AddServer({.name = name, .flavor_id = flavor_, .image_id = image_,
                                              .network_ids = {network_}, .security_group_ids = {group_},
                                              .host = host});
    WriteAt(DiskOf(id, "vda"), 0, data);
    return id;
  }

  // The VM and its ports are deleted (its volumes stay).
  void LoseVm(const std::string& server_id) {
    const openstack::Token user{.id = "user:u1"};
    auto ports = cloud_->ListPorts(user, {.device_id = server_id});
    ASSERT_TRUE(ports.ok());
    for (const auto& p : *ports) ASSERT_TRUE(cloud_->DeletePort(user, p.id).ok());
    cloud_->RemoveServer(server_id);
  }

  std::filesystem::path DiskOf(const std::string& server_id, const std::string& device) const {
    auto server = cloud_->Server(server_id);
    if (!server) return {};
    for (const auto& d : cloud_->DomainDisks(server->host, server->instance_name)) {
      if (d.device == device) return d.path;
    }
    return {};
  }

  static void WriteAt(const std::filesystem::path& path, uint64_t offset, const std::string& data) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(offset));
    f.write(data.data(), static_cast<std::streamsize>(data.size()));
  }
  static std::string ReadAt(const std::filesystem::path& path, uint64_t offset, size_t length) {
    std::ifstream f(path, std::ios::binary);
    f.seekg(static_cast<std::streamoff>(offset));
    std::string out(length, '\0');
    f.read(out.data(), static_cast<std::streamsize>(length));
    return out;
  }

  // An available workload of user u1 in project p1 protecting `vm_ids`.
  std::string AddWorkload(const std::vector<std::string>& vm_ids, bool serial = false,
                          nlohmann::json jobschedule = nlohmann::json::object()) {
    db::Workload w;
    w.project_id = "p1";
    w.user_id = "u1";
    w.name = "w";
    w.status = "available";
    w.jobschedule = std::move(jobschedule);
    if (serial) w.workload_type_id = std::string(db::kSerialWorkloadTypeId);
    for (const auto& id : vm_ids) {
      auto server = cloud_->Server(id);
      w.vms.push_back({.vm_id = id, .vm_name = server ? server->name : id});
    }
    auto created = db::WorkloadRepository(*db_).Create(w);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? created->id : "";
  }

  // Queues a snapshot of `workload_id` as the API does; the job is kept for RunJob.
  std::string QueueSnapshotOf(const std::string& workload_id, bool full = false) {
    db::Snapshot created;
    Status queued = db_->Transaction("queue snapshot", [&](db::Executor& tx) -> Status {
      CAIRN_ASSIGN_OR_RETURN(db::Workload w, db::WorkloadRepository(tx).Get(workload_id));
      db::Snapshot s;
      s.name = "s";
      CAIRN_ASSIGN_OR_RETURN(created, control::QueueSnapshot(tx, w, s, full, UserJob(db::job_kind::kSnapshotCreate)));
      return Status::OK();
    });
    EXPECT_TRUE(queued.ok()) << queued.ToString();
    return created.id;
  }

  // Queues a restore of `snapshot_id` as the API does.
  std::string QueueRestoreOf(const std::string& snapshot_id, const std::string& type = "oneclick",
                             nlohmann::json options = nlohmann::json::object()) {
    db::Restore created;
    Status queued = db_->Transaction("queue restore", [&](db::Executor& tx) -> Status {
      CAIRN_ASSIGN_OR_RETURN(db::Snapshot s, db::SnapshotRepository(tx).Get(snapshot_id));
      db::Job job = UserJob(db::job_kind::kRestoreCreate);
      CAIRN_RETURN_IF_ERROR(db::LockWorkloadForJob(tx, s.workload_id, job));
      db::Restore r;
      r.snapshot_id = s.id;
      r.workload_id = s.workload_id;
      r.project_id = s.project_id;
      r.user_id = "u1";
      r.name = "r";
      r.restore_type = type;
      r.options = std::move(options);
      CAIRN_ASSIGN_OR_RETURN(created, db::RestoreRepository(tx).Create(std::move(r)));
      job.object_id = created.id;
      return db::JobRepository(tx).Enqueue(job).status();
    });
    EXPECT_TRUE(queued.ok()) << queued.ToString();
    return created.id;
  }

  // Runs the queued job of `object_id` with `workflow`. `taken_over`: as if
  // another engine had run it first.
  Status RunJob(Status (*workflow)(EngineContext&, const JobContext&), const std::string& object_id,
                bool taken_over = false) {
    auto jobs = db::JobRepository(*db_).List({});
    EXPECT_TRUE(jobs.ok());
    for (const auto& job : jobs.ok() ? *jobs : std::vector<db::Job>{}) {
      if (job.object_id != object_id) continue;
      return workflow(*ctx_, JobContext{.job = job, .cancel = cancel_, .taken_over = taken_over});
    }
    return Status::NotFound("no job of " + object_id);
  }

  db::Job UserJob(std::string_view kind) const {
    return db::Job{.kind = std::string(kind), .project_id = "p1", .user_id = "u1"};
  }

  std::string WorkloadStatus(const std::string& workload_id) const {
    auto w = db::WorkloadRepository(*db_).Get(workload_id);
    return w.ok() ? w->status : w.status().ToString();
  }

  std::filesystem::path dir_;
  std::unique_ptr<target::Store> store_;
  std::unique_ptr<db::Database> db_;
  std::unique_ptr<FakeCloud> cloud_;
  std::vector<std::unique_ptr<FakeDatamover>> datamovers_;
  rpc::InProcessTransport transport_;
  EngineOptions options_;
  std::unique_ptr<EngineContext> ctx_;
  std::atomic<bool> cancel_{false};
  std::string flavor_, image_, network_, group_;
};

}  // namespace cairn::engine::testing
