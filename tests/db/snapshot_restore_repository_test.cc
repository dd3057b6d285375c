#include <gtest/gtest.h>

#include "db/restore_repository.h"
#include "db/snapshot_repository.h"
#include "db/workload_repository.h"
#include "db_test_support.h"

namespace cairn::db {
namespace {

using testing::DbTest;

class SnapshotRepositoryTest : public DbTest {
 protected:
  void SetUp() override {
    DbTest::SetUp();
    if (HasFatalFailure()) return;
    auto w = WorkloadRepository(*db_).Create({.project_id = "p1", .name = "w"});
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    workload_id_ = w->id;
  }
  Snapshot Make(std::string project = "p1") {
    return {.workload_id = workload_id_, .project_id = std::move(project), .user_id = "u", .name = "s"};
  }
  std::string workload_id_;
};

TEST_P(SnapshotRepositoryTest, CreateGetUpdate) {
  SnapshotRepository repo(*db_);
  Snapshot in = Make();
  in.snapshot_type = "incremental";
  in.metadata = {{"a", 1}};
  in.is_scheduled = true;
  auto s = repo.Create(in);
  CAIRN_ASSERT_OK(s);
  auto got = repo.Get(s->id);
  CAIRN_ASSERT_OK(got);
  EXPECT_EQ(got->snapshot_type, "incremental");
  EXPECT_EQ(got->metadata["a"], 1);
  EXPECT_TRUE(got->is_scheduled);
  EXPECT_FALSE(got->finished_at.has_value());
  EXPECT_EQ(got->created_at, s->created_at);

  SnapshotUpdate u;
  u.status = "available";
  u.progress_percent = 100;
  u.progress_msg = "done";
  u.size = 5LL << 32;
  u.time_taken = 42;
  u.finished_at = s->created_at + std::chrono::seconds(42);
  auto updated = repo.Update(s->id, u);
  CAIRN_ASSERT_OK(updated);
  EXPECT_EQ(updated->status, "available");
  EXPECT_EQ(updated->progress_percent, 100);
  EXPECT_EQ(updated->size, 5LL << 32);
  EXPECT_EQ(updated->time_taken, 42);
  ASSERT_TRUE(updated->finished_at.has_value());
  EXPECT_EQ(*updated->finished_at, *u.finished_at);
  EXPECT_EQ(updated->name, "s");
  EXPECT_EQ(repo.Update("nope", u).status().code(), ErrorCode::kNotFound);
}

TEST_P(SnapshotRepositoryTest, UnknownWorkloadIsConflict) {
  Snapshot s = Make();
  s.workload_id = "no-such-workload";
  auto created = SnapshotRepository(*db_).Create(s);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), ErrorCode::kConflict) << created.status().ToString();
}

TEST_P(SnapshotRepositoryTest, ListFiltersDatesAndPages) {
  SnapshotRepository repo(*db_);
  std::vector<Snapshot> made;
  for (int i = 0; i < 4; ++i) {
    auto s = repo.Create(Make(i == 3 ? "p2" : "p1"));
    CAIRN_ASSERT_OK(s);
    made.push_back(*s);
  }
  auto p1 = repo.List({.project_id = "p1"});
  CAIRN_ASSERT_OK(p1);
  EXPECT_EQ(p1->size(), 3u);
  auto of_workload = repo.List({.workload_id = workload_id_});
  CAIRN_ASSERT_OK(of_workload);
  EXPECT_EQ(of_workload->size(), 4u);
  auto other = repo.List({.workload_id = "other"});
  CAIRN_ASSERT_OK(other);
  EXPECT_TRUE(other->empty());

  // date_from / date_to are inclusive bounds on created_at.
  auto from = repo.List({.date_from = made[2].created_at});
  CAIRN_ASSERT_OK(from);
  for (const Snapshot& s : *from) EXPECT_GE(s.created_at, made[2].created_at);
  EXPECT_GE(from->size(), 2u);
  auto to = repo.List({.date_to = made[0].created_at});
  CAIRN_ASSERT_OK(to);
  ASSERT_GE(to->size(), 1u);
  for (const Snapshot& s : *to) EXPECT_LE(s.created_at, made[0].created_at);
  auto future = repo.List({.date_from = UtcNow() + std::chrono::hours(1)});
  CAIRN_ASSERT_OK(future);
  EXPECT_TRUE(future->empty());

  CAIRN_ASSERT_OK(repo.SetStatusIf(made[1].id, {"creating"}, "error", "failed"));
  auto errors = repo.List({.statuses = {"error"}});
  CAIRN_ASSERT_OK(errors);
  ASSERT_EQ(errors->size(), 1u);
  EXPECT_EQ((*errors)[0].error_msg, "failed");
  EXPECT_EQ(repo.SetStatusIf(made[1].id, {"creating"}, "executing").code(), ErrorCode::kConflict);

  std::vector<std::string> seen;
  Page page{.limit = 3};
  for (int guard = 0; guard < 5; ++guard) {
    auto chunk = repo.List({}, page);
    CAIRN_ASSERT_OK(chunk);
    if (chunk->empty()) break;
    for (const Snapshot& s : *chunk) seen.push_back(s.id);
    page.marker = chunk->back().id;
  }
  EXPECT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen.front(), made.back().id);  // newest first
}

TEST_P(SnapshotRepositoryTest, VmsAndDisksWithChainLink) {
  SnapshotRepository repo(*db_);
  auto full = repo.Create(Make());
  auto incr = repo.Create(Make());
  CAIRN_ASSERT_OK(full);
  CAIRN_ASSERT_OK(incr);
  CAIRN_ASSERT_OK(repo.PutVm({.snapshot_id = full->id, .vm_id = "vm1", .vm_name = "a",
                              .flavor = {{"vcpus", 2}}, .nics = Json::array({{{"mac", "x"}}})}));
  CAIRN_ASSERT_OK(repo.PutVm({.snapshot_id = full->id, .vm_id = "vm1", .vm_name = "renamed"}));  // replace
  auto vms = repo.ListVms(full->id);
  CAIRN_ASSERT_OK(vms);
  ASSERT_EQ(vms->size(), 1u);
  EXPECT_EQ((*vms)[0].vm_name, "renamed");

  auto parent = repo.PutDisk({.snapshot_id = full->id, .vm_id = "vm1", .resource_id = "r1", .device = "vda",
                              .volume_size = 10, .bootable = true, .size = 1000, .path = "a/b"});
  CAIRN_ASSERT_OK(parent);
  auto child = repo.PutDisk({.snapshot_id = incr->id, .vm_id = "vm1", .resource_id = "r1", .device = "vda",
                             .volume_id = "vol-1", .parent_disk_snapshot_id = parent->id});
  CAIRN_ASSERT_OK(child);
  auto got = repo.GetDisk(child->id);
  CAIRN_ASSERT_OK(got);
  ASSERT_TRUE(got->parent_disk_snapshot_id.has_value());
  EXPECT_EQ(*got->parent_disk_snapshot_id, parent->id);
  EXPECT_EQ(got->volume_id.value_or(""), "vol-1");
  auto p = repo.GetDisk(parent->id);
  CAIRN_ASSERT_OK(p);
  EXPECT_FALSE(p->volume_id.has_value());
  EXPECT_TRUE(p->bootable);
  EXPECT_EQ(p->size, 1000);

  SnapshotDisk changed = *p;
  changed.size = 2000;
  CAIRN_ASSERT_OK(repo.PutDisk(changed));
  auto disks = repo.ListDisks(full->id, std::string("vm1"));
  CAIRN_ASSERT_OK(disks);
  ASSERT_EQ(disks->size(), 1u);
  EXPECT_EQ((*disks)[0].size, 2000);
  CAIRN_ASSERT_OK(repo.DeleteDisk(child->id));
  EXPECT_EQ(repo.GetDisk(child->id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(repo.DeleteVm(full->id, "nope").code(), ErrorCode::kNotFound);
  CAIRN_ASSERT_OK(repo.DeleteVm(full->id, "vm1"));
}

TEST_P(SnapshotRepositoryTest, UsageAndPurgeWithChildren) {
  SnapshotRepository repo(*db_);
  auto a = repo.Create(Make());
  auto b = repo.Create(Make());
  CAIRN_ASSERT_OK(a);
  CAIRN_ASSERT_OK(b);
  CAIRN_ASSERT_OK(repo.Update(a->id, {.size = 100}));
  CAIRN_ASSERT_OK(repo.Update(b->id, {.size = 23}));
  auto usage = repo.Usage(std::string("p1"));
  CAIRN_ASSERT_OK(usage);
  EXPECT_EQ(usage->snapshots, 2);
  EXPECT_EQ(usage->size, 123);
  auto none = repo.Usage(std::string("p9"));
  CAIRN_ASSERT_OK(none);
  EXPECT_EQ(none->snapshots, 0);
  EXPECT_EQ(none->size, 0);

  CAIRN_ASSERT_OK(repo.PutVm({.snapshot_id = b->id, .vm_id = "vm1"}));
  CAIRN_ASSERT_OK(repo.PutDisk({.snapshot_id = b->id, .vm_id = "vm1"}));
  auto r = RestoreRepository(*db_).Create({.snapshot_id = b->id, .workload_id = workload_id_, .project_id = "p1"});
  CAIRN_ASSERT_OK(r);
  CAIRN_ASSERT_OK(repo.SoftDelete(b->id));
  usage = repo.Usage(std::nullopt, workload_id_);
  CAIRN_ASSERT_OK(usage);
  EXPECT_EQ(usage->snapshots, 1);
  EXPECT_EQ(usage->size, 100);

  auto purged = repo.Purge(UtcNow() + std::chrono::hours(1));
  CAIRN_ASSERT_OK(purged);
  EXPECT_EQ(*purged, 1);
  EXPECT_EQ(repo.Get(b->id, true).status().code(), ErrorCode::kNotFound);
  auto disks = repo.ListDisks(b->id);
  CAIRN_ASSERT_OK(disks);
  EXPECT_TRUE(disks->empty());
  EXPECT_EQ(RestoreRepository(*db_).Get(r->id, true).status().code(), ErrorCode::kNotFound);
  CAIRN_ASSERT_OK(repo.Get(a->id));
}

CAIRN_DB_TEST_SUITE(SnapshotRepositoryTest);

class RestoreRepositoryTest : public SnapshotRepositoryTest {};

TEST_P(RestoreRepositoryTest, CrudAndFilters) {
  auto s1 = SnapshotRepository(*db_).Create(Make());
  auto s2 = SnapshotRepository(*db_).Create(Make());
  CAIRN_ASSERT_OK(s1);
  CAIRN_ASSERT_OK(s2);
  RestoreRepository repo(*db_);
  auto r1 = repo.Create({.snapshot_id = s1->id, .workload_id = workload_id_, .project_id = "p1", .name = "restore",
                         .restore_type = "selective", .options = {{"oneclickrestore", false}}});
  auto r2 = repo.Create({.snapshot_id = s2->id, .workload_id = workload_id_, .project_id = "p2"});
  CAIRN_ASSERT_OK(r1);
  CAIRN_ASSERT_OK(r2);
  auto got = repo.Get(r1->id);
  CAIRN_ASSERT_OK(got);
  EXPECT_EQ(got->restore_type, "selective");
  EXPECT_EQ(got->options["oneclickrestore"], false);
  EXPECT_EQ(got->status, "created");
  EXPECT_TRUE(got->instances.is_array());

  auto of_s1 = repo.List({.snapshot_id = s1->id});
  CAIRN_ASSERT_OK(of_s1);
  ASSERT_EQ(of_s1->size(), 1u);
  EXPECT_EQ((*of_s1)[0].id, r1->id);
  auto p2 = repo.List({.project_id = "p2"});
  CAIRN_ASSERT_OK(p2);
  ASSERT_EQ(p2->size(), 1u);
  auto page = repo.List({}, {.limit = 1});
  CAIRN_ASSERT_OK(page);
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ((*page)[0].id, r2->id);

  RestoreUpdate u;
  u.status = "available";
  u.instances = Json::array({{{"id", "server-1"}}});
  u.uploaded_size = 77;
  auto updated = repo.Update(r1->id, u);
  CAIRN_ASSERT_OK(updated);
  EXPECT_EQ(updated->instances[0]["id"], "server-1");
  EXPECT_EQ(updated->uploaded_size, 77);
  EXPECT_EQ(repo.SetStatusIf(r1->id, {"executing"}, "cancelling").code(), ErrorCode::kConflict);

  CAIRN_ASSERT_OK(repo.SoftDelete(r1->id));
  EXPECT_EQ(repo.Get(r1->id).status().code(), ErrorCode::kNotFound);
  auto purged = repo.Purge(UtcNow() + std::chrono::hours(1));
  CAIRN_ASSERT_OK(purged);
  EXPECT_EQ(*purged, 1);
  EXPECT_EQ(repo.Get(r1->id, true).status().code(), ErrorCode::kNotFound);

  auto bad = repo.Create({.snapshot_id = "no-such-snapshot", .project_id = "p1"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kConflict);
}

CAIRN_DB_TEST_SUITE(RestoreRepositoryTest);

}  // namespace
}  // namespace cairn::db
