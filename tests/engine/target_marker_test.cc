// Jobs refuse a target without its identity marker: an empty directory in
// place of the target (a share that is not mounted) fails the snapshot, the
// delete and the import with a clear error, and nothing is written to it or
// removed from the database as "already gone".
#include <gmock/gmock.h>

#include <filesystem>

#include "db/job_repository.h"
#include "db/snapshot_repository.h"
#include "db/workload_repository.h"
#include "engine/context.h"
#include "engine/openstack_cloud.h"
#include "engine/workflows.h"
#include "control/workload_import.h"
#include "engine_db_fixture.h"
#include "rpc/in_process_transport.h"
#include "target/identity.h"

namespace cairn::engine {
namespace {

using ::testing::HasSubstr;
namespace ss = db::snapshot_status;

class TargetMarkerTest : public testing::EngineDbTest {
 protected:
  void SetUp() override {
    EngineDbTest::SetUp();
    target_dir_ = dir_ + "/target";
    std::filesystem::create_directories(target_dir_);
    auto store = target::OpenPosixStore(target_dir_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    EngineOptions options;
    options.datamover_timeout = std::chrono::seconds(1);
    os_cloud_ = std::make_unique<OpenStackCloud>(session_, http_, openstack::EndpointSelector(), *db_,
                                                 SystemClock::Get());
    ctx_ = std::make_unique<EngineContext>(EngineContext{.db = *db_,
                                                         .store = *store_,
                                                         .transport = transport_,
                                                         .cloud = *os_cloud_,
                                                         .options = options,
                                                         .clock = SystemClock::Get()});
  }

  // Runs `workflow` for a job of `kind` on `object_id`; `payload` as the API
  // queues it (a snapshot delete holds the workload's lock from the start).
  Status Run(Status (*workflow)(EngineContext&, const JobContext&), const std::string& kind,
             const std::string& object_id, nlohmann::json payload = nlohmann::json::object()) {
    db::Job job{.id = "job-" + kind, .kind = kind, .object_id = object_id, .project_id = "p1", .user_id = "u1",
                .payload = std::move(payload)};
    std::atomic<bool> cancel{false};
    return workflow(*ctx_, JobContext{.job = job, .cancel = cancel});
  }

  bool TargetIsEmpty() const { return std::filesystem::is_empty(target_dir_); }

  std::string target_dir_;
  std::unique_ptr<target::Store> store_;
  rpc::InProcessTransport transport_;
  openstack::ServiceSession session_{openstack::ServiceCredentials{}};
  openstack::HttpClient http_;
  std::unique_ptr<OpenStackCloud> os_cloud_;
  std::unique_ptr<EngineContext> ctx_;
};

TEST_F(TargetMarkerTest, ASnapshotOnAnEmptyDirectoryFailsAndWritesNothing) {
  const std::string wid = AddWorkload(nlohmann::json::object(), "locked");
  const std::string sid = AddSnapshot(wid, std::string(ss::kCreating));
  Status outcome = Run(&RunSnapshot, "snapshot_create", sid);
  EXPECT_EQ(outcome.code(), ErrorCode::kUnavailable) << outcome.ToString();
  auto s = db::SnapshotRepository(*db_).Get(sid);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->status, ss::kError);
  EXPECT_THAT(s->error_msg, HasSubstr("has no identity marker"));
  EXPECT_THAT(s->error_msg, HasSubstr(target_dir_));
  EXPECT_EQ(db::WorkloadRepository(*db_).Get(wid)->status, "available");
  EXPECT_TRUE(TargetIsEmpty());
}

TEST_F(TargetMarkerTest, ADeleteOnAnEmptyDirectoryFailsAndKeepsTheRows) {
  const std::string wid = AddWorkload(nlohmann::json::object(), "locked");
  const nlohmann::json holds_lock = {{std::string(db::kHoldsWorkloadLockKey), true}};
  const std::string sid = AddSnapshot(wid, std::string(ss::kDeleting));
  db::SnapshotDisk disk{.snapshot_id = sid, .vm_id = "vm1", .device = "vda"};
  ASSERT_TRUE(db::SnapshotRepository(*db_).PutDisk(disk).ok());
  Status outcome = Run(&RunSnapshotDelete, "snapshot_delete", sid, holds_lock);
  EXPECT_EQ(outcome.code(), ErrorCode::kUnavailable) << outcome.ToString();
  auto s = db::SnapshotRepository(*db_).Get(sid);
  ASSERT_TRUE(s.ok()) << "the snapshot was deleted as if its files were already gone";
  EXPECT_EQ(s->status, ss::kError);
  EXPECT_THAT(s->error_msg, HasSubstr("nothing was removed"));
  EXPECT_THAT(s->error_msg, HasSubstr("has no identity marker"));
  EXPECT_EQ(db::SnapshotRepository(*db_).ListDisks(sid)->size(), 1u);

  // With the marker the same delete goes through (its files are gone).
  ASSERT_TRUE(target::InitTargetIdentity(*store_, "test").ok());
  (void)db::WorkloadRepository(*db_).SetStatusIf(wid, {"available"}, "locked");  // as the API queues a delete
  ASSERT_TRUE(Run(&RunSnapshotDelete, "snapshot_delete", sid, holds_lock).ok());
  EXPECT_FALSE(db::SnapshotRepository(*db_).Get(sid).ok());
}

TEST_F(TargetMarkerTest, AWorkloadDeleteOnAnEmptyDirectoryFails) {
  const std::string wid = AddWorkload(nlohmann::json::object(), "deleting");
  Status outcome = Run(&RunWorkloadDelete, "workload_delete", wid);
  EXPECT_EQ(outcome.code(), ErrorCode::kUnavailable) << outcome.ToString();
  auto w = db::WorkloadRepository(*db_).Get(wid);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->status, "error");
  EXPECT_THAT(w->error_msg, HasSubstr("has no identity marker"));
}

TEST_F(TargetMarkerTest, AnImportFromAnEmptyDirectoryFails) {
  auto listed = control::ListTargetWorkloads(*db_, *store_);
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.status().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(listed.status().message(), HasSubstr("not mounted"));
  auto imported = control::ImportWorkloads(*db_, *store_, {}, [](std::string_view) { return Status::OK(); });
  ASSERT_FALSE(imported.ok());
  EXPECT_EQ(imported.status().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(imported.status().message(), HasSubstr("has no identity marker"));

  ASSERT_TRUE(target::InitTargetIdentity(*store_, "test").ok());
  auto now_listed = control::ListTargetWorkloads(*db_, *store_);
  ASSERT_TRUE(now_listed.ok()) << now_listed.status().ToString();
  EXPECT_TRUE(now_listed->empty());
}

}  // namespace
}  // namespace cairn::engine
