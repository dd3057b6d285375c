#include "db/workload_repository.h"

#include <set>

#include <gtest/gtest.h>

#include "db/restore_repository.h"
#include "db/snapshot_repository.h"
#include "db_test_support.h"

namespace cairn::db {
namespace {

using testing::DbTest;

class WorkloadRepositoryTest : public DbTest {
 protected:
  Workload MakeWorkload(std::string project, std::string name, int vms = 1) {
    Workload w;
    w.project_id = std::move(project);
    w.user_id = "user-1";
    w.name = std::move(name);
    w.description = "desc";
    w.jobschedule = {{"enabled", true}, {"interval", "24hr"}};
    w.metadata = {{"k", "v"}};
    for (int i = 0; i < vms; ++i) {
      w.vms.push_back({.vm_id = "vm-" + w.name + "-" + std::to_string(i), .vm_name = "server" + std::to_string(i)});
    }
    return w;
  }
};

TEST_P(WorkloadRepositoryTest, CreateGetRoundTrip) {
  WorkloadRepository repo(*db_);
  Workload in = MakeWorkload("p1", "web", 2);
  in.encryption = true;
  in.secret_uuid = "secret-1";
  in.storage_usage = 1LL << 40;
  auto created = repo.Create(in);
  CAIRN_ASSERT_OK(created);
  EXPECT_EQ(created->id.size(), 36u);

  auto got = repo.Get(created->id);
  CAIRN_ASSERT_OK(got);
  EXPECT_EQ(got->name, "web");
  EXPECT_EQ(got->project_id, "p1");
  EXPECT_EQ(got->status, "creating");
  EXPECT_EQ(got->workload_type_id, kParallelWorkloadTypeId);
  EXPECT_EQ(got->jobschedule, in.jobschedule);
  EXPECT_EQ(got->metadata, in.metadata);
  EXPECT_EQ(got->storage_usage, 1LL << 40);
  EXPECT_TRUE(got->encryption);
  EXPECT_EQ(got->secret_uuid, "secret-1");
  EXPECT_EQ(got->created_at, created->created_at);
  EXPECT_FALSE(got->deleted);
  ASSERT_EQ(got->vms.size(), 2u);
  std::set<std::string> vm_ids = {got->vms[0].vm_id, got->vms[1].vm_id};
  EXPECT_TRUE(vm_ids.contains("vm-web-0") && vm_ids.contains("vm-web-1"));
  EXPECT_EQ(got->vms[0].workload_id, created->id);
}

TEST_P(WorkloadRepositoryTest, CreateIsAtomicWithItsVms) {
  WorkloadRepository repo(*db_);
  Workload w = MakeWorkload("p1", "dup", 0);
  w.vms = {{.vm_id = "same"}, {.vm_id = "same"}};  // violates the (workload, vm) key
  auto created = repo.Create(w);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), ErrorCode::kConflict) << created.status().ToString();
  auto list = repo.List();
  CAIRN_ASSERT_OK(list);
  EXPECT_TRUE(list->empty());  // the workload row was rolled back too
}

TEST_P(WorkloadRepositoryTest, DuplicateIdIsConflict) {
  WorkloadRepository repo(*db_);
  auto a = repo.Create(MakeWorkload("p1", "a"));
  CAIRN_ASSERT_OK(a);
  Workload b = MakeWorkload("p1", "b");
  b.id = a->id;
  auto second = repo.Create(b);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), ErrorCode::kConflict) << second.status().ToString();
  EXPECT_NE(second.status().message().find("create workload"), std::string::npos);
}

TEST_P(WorkloadRepositoryTest, GetMissingIsNotFound) {
  auto got = WorkloadRepository(*db_).Get("no-such-id");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), ErrorCode::kNotFound);
}

TEST_P(WorkloadRepositoryTest, ListFiltersAndPaginates) {
  WorkloadRepository repo(*db_);
  std::vector<std::string> ids;  // creation order
  for (int i = 0; i < 5; ++i) {
    auto w = repo.Create(MakeWorkload(i % 2 ? "p2" : "p1", "w" + std::to_string(i)));
    CAIRN_ASSERT_OK(w);
    ids.push_back(w->id);
  }
  auto all = repo.List();
  CAIRN_ASSERT_OK(all);
  ASSERT_EQ(all->size(), 5u);
  // Newest first.
  for (size_t i = 1; i < all->size(); ++i) {
    EXPECT_TRUE((*all)[i - 1].created_at > (*all)[i].created_at ||
                ((*all)[i - 1].created_at == (*all)[i].created_at && (*all)[i - 1].id > (*all)[i].id));
  }
  auto p1 = repo.List({.project_id = "p1"});
  CAIRN_ASSERT_OK(p1);
  EXPECT_EQ(p1->size(), 3u);
  auto named = repo.List({.name = "w3"});
  CAIRN_ASSERT_OK(named);
  ASSERT_EQ(named->size(), 1u);
  EXPECT_EQ((*named)[0].id, ids[3]);

  CAIRN_ASSERT_OK(repo.SetStatusIf(ids[0], {"creating"}, "available"));
  auto available = repo.List({.statuses = {"available", "error"}});
  CAIRN_ASSERT_OK(available);
  ASSERT_EQ(available->size(), 1u);
  EXPECT_EQ((*available)[0].id, ids[0]);

  // Pages of two, following the marker, cover everything once in order.
  std::vector<std::string> seen;
  Page page{.limit = 2};
  for (int guard = 0; guard < 10; ++guard) {
    auto chunk = repo.List({}, page);
    CAIRN_ASSERT_OK(chunk);
    if (chunk->empty()) break;
    EXPECT_LE(chunk->size(), 2u);
    for (const Workload& w : *chunk) seen.push_back(w.id);
    page.marker = chunk->back().id;
  }
  std::vector<std::string> expected;
  for (const Workload& w : *all) expected.push_back(w.id);
  EXPECT_EQ(seen, expected);

  auto bad = repo.List({}, {.limit = 2, .marker = "nope"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
}

TEST_P(WorkloadRepositoryTest, PartialUpdateAndVmReplacement) {
  WorkloadRepository repo(*db_);
  auto w = repo.Create(MakeWorkload("p1", "old", 2));
  CAIRN_ASSERT_OK(w);
  WorkloadUpdate u;
  u.name = "new";
  u.metadata = Json{{"policy_id", "x"}};
  u.vms = std::vector<WorkloadVm>{{.vm_id = "vm-z", .vm_name = "z"}};
  auto updated = repo.Update(w->id, u);
  CAIRN_ASSERT_OK(updated);
  EXPECT_EQ(updated->name, "new");
  EXPECT_EQ(updated->description, "desc");  // untouched
  EXPECT_EQ(updated->jobschedule, w->jobschedule);
  EXPECT_EQ(updated->metadata["policy_id"], "x");
  ASSERT_EQ(updated->vms.size(), 1u);
  EXPECT_EQ(updated->vms[0].vm_id, "vm-z");
  EXPECT_GE(updated->updated_at, w->updated_at);

  auto missing = repo.Update("nope", u);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
}

TEST_P(WorkloadRepositoryTest, SetStatusIfIsCompareAndSet) {
  WorkloadRepository repo(*db_);
  auto w = repo.Create(MakeWorkload("p1", "cas"));
  CAIRN_ASSERT_OK(w);
  CAIRN_ASSERT_OK(repo.SetStatusIf(w->id, {"creating"}, "available"));
  CAIRN_ASSERT_OK(repo.SetStatusIf(w->id, {"available"}, "locked"));
  // A second snapshot while one runs: refused.
  Status second = repo.SetStatusIf(w->id, {"available"}, "locked");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.code(), ErrorCode::kConflict);
  EXPECT_NE(second.message().find("is locked"), std::string::npos) << second.message();
  CAIRN_ASSERT_OK(repo.SetStatusIf(w->id, {"locked"}, "error", "boom"));
  auto got = repo.Get(w->id);
  CAIRN_ASSERT_OK(got);
  EXPECT_EQ(got->status, "error");
  EXPECT_EQ(got->error_msg, "boom");
  EXPECT_EQ(repo.SetStatusIf("nope", {"available"}, "locked").code(), ErrorCode::kNotFound);
}

TEST_P(WorkloadRepositoryTest, ConcurrentSetStatusIfHasOneWinner) {
  WorkloadRepository repo(*db_);
  auto w = repo.Create(MakeWorkload("p1", "race"));
  CAIRN_ASSERT_OK(w);
  CAIRN_ASSERT_OK(repo.SetStatusIf(w->id, {"creating"}, "available"));
  std::atomic<int> wins{0}, conflicts{0}, others{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      Status s = WorkloadRepository(*db_).SetStatusIf(w->id, {"available"}, "locked");
      if (s.ok()) {
        ++wins;
      } else if (s.code() == ErrorCode::kConflict) {
        ++conflicts;
      } else {
        ++others;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(conflicts.load(), 3);
  EXPECT_EQ(others.load(), 0);
}

TEST_P(WorkloadRepositoryTest, SoftDeleteHidesAndPurgeRemoves) {
  WorkloadRepository repo(*db_);
  auto keep = repo.Create(MakeWorkload("p1", "keep"));
  auto gone = repo.Create(MakeWorkload("p1", "gone", 3));
  CAIRN_ASSERT_OK(keep);
  CAIRN_ASSERT_OK(gone);
  CAIRN_ASSERT_OK(repo.SoftDelete(gone->id));
  EXPECT_EQ(repo.SoftDelete(gone->id).code(), ErrorCode::kNotFound);
  EXPECT_EQ(repo.Get(gone->id).status().code(), ErrorCode::kNotFound);
  auto deleted = repo.Get(gone->id, /*include_deleted=*/true);
  CAIRN_ASSERT_OK(deleted);
  EXPECT_TRUE(deleted->deleted);
  EXPECT_EQ(deleted->status, "deleted");
  ASSERT_TRUE(deleted->deleted_at.has_value());
  auto list = repo.List({.project_id = "p1"});
  CAIRN_ASSERT_OK(list);
  ASSERT_EQ(list->size(), 1u);

  // A cutoff before the deletion keeps it; one after removes it.
  auto none = repo.Purge(*deleted->deleted_at - std::chrono::seconds(1));
  CAIRN_ASSERT_OK(none);
  EXPECT_EQ(*none, 0);
  auto purged = repo.Purge(*deleted->deleted_at + std::chrono::seconds(1));
  CAIRN_ASSERT_OK(purged);
  EXPECT_EQ(*purged, 1);
  EXPECT_EQ(repo.Get(gone->id, true).status().code(), ErrorCode::kNotFound);
  CAIRN_ASSERT_OK(repo.Get(keep->id));
}

TEST_P(WorkloadRepositoryTest, PurgeWaitsForTheSnapshots) {
  WorkloadRepository repo(*db_);
  SnapshotRepository snapshots(*db_);
  auto w = repo.Create(MakeWorkload("p1", "w"));
  CAIRN_ASSERT_OK(w);
  auto s = snapshots.Create({.workload_id = w->id, .project_id = "p1"});
  CAIRN_ASSERT_OK(s);
  CAIRN_ASSERT_OK(repo.SoftDelete(w->id));
  TimePoint later = UtcNow() + std::chrono::hours(1);
  auto purged = repo.Purge(later);
  CAIRN_ASSERT_OK(purged);
  EXPECT_EQ(*purged, 0);  // its snapshot is still there
  CAIRN_ASSERT_OK(snapshots.SoftDelete(s->id));
  auto gone = snapshots.Purge(later);
  CAIRN_ASSERT_OK(gone);
  EXPECT_EQ(*gone, 1);
  purged = repo.Purge(later);
  CAIRN_ASSERT_OK(purged);
  EXPECT_EQ(*purged, 1);
}

TEST_P(WorkloadRepositoryTest, EraseRemovesADeletedWorkloadWithEverythingOfIt) {
  WorkloadRepository repo(*db_);
  SnapshotRepository snapshots(*db_);
  auto w = repo.Create(MakeWorkload("p1", "erased", 2));
  auto other = repo.Create(MakeWorkload("p1", "other"));
  CAIRN_ASSERT_OK(w);
  CAIRN_ASSERT_OK(other);
  auto s = snapshots.Create({.workload_id = w->id, .project_id = "p1"});
  auto kept = snapshots.Create({.workload_id = other->id, .project_id = "p1"});
  CAIRN_ASSERT_OK(s);
  CAIRN_ASSERT_OK(kept);
  CAIRN_ASSERT_OK(snapshots.PutVm({.snapshot_id = s->id, .vm_id = "vm-1"}));
  auto disk = snapshots.PutDisk({.snapshot_id = s->id, .vm_id = "vm-1", .device = "vda"});
  CAIRN_ASSERT_OK(disk);
  CAIRN_ASSERT_OK(RestoreRepository(*db_).Create({.snapshot_id = s->id, .workload_id = w->id, .project_id = "p1"}));
  // A live workload is not erased.
  EXPECT_EQ(repo.Erase(w->id).code(), ErrorCode::kConflict);
  CAIRN_ASSERT_OK(repo.Get(w->id));
  CAIRN_ASSERT_OK(snapshots.SoftDelete(s->id));
  CAIRN_ASSERT_OK(repo.SoftDelete(w->id));
  CAIRN_ASSERT_OK(repo.Erase(w->id));
  EXPECT_EQ(repo.Get(w->id, /*include_deleted=*/true).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(snapshots.Get(s->id, /*include_deleted=*/true).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(snapshots.GetDisk(disk->id).status().code(), ErrorCode::kNotFound);
  // The same id can be created again (what an import does), the other workload is untouched.
  Workload again = MakeWorkload("p1", "erased");
  again.id = w->id;
  again.created_at = w->created_at - std::chrono::hours(48);
  auto recreated = repo.Create(again);
  CAIRN_ASSERT_OK(recreated);
  EXPECT_EQ(repo.Get(w->id)->created_at, recreated->created_at);
  EXPECT_EQ(recreated->created_at, std::chrono::floor<std::chrono::microseconds>(again.created_at));
  CAIRN_ASSERT_OK(snapshots.Get(kept->id));
  // Nothing to erase: OK.
  CAIRN_ASSERT_OK(repo.Erase("00000000-0000-4000-8000-000000000000"));
}

TEST_P(WorkloadRepositoryTest, CountsAndFindByVm) {
  WorkloadRepository repo(*db_);
  auto a = repo.Create(MakeWorkload("p1", "a", 2));
  auto b = repo.Create(MakeWorkload("p1", "b", 3));
  auto c = repo.Create(MakeWorkload("p2", "c", 1));
  CAIRN_ASSERT_OK(a);
  CAIRN_ASSERT_OK(b);
  CAIRN_ASSERT_OK(c);
  auto counts = repo.CountByProject("p1");
  CAIRN_ASSERT_OK(counts);
  EXPECT_EQ(counts->workloads, 2);
  EXPECT_EQ(counts->vms, 5);
  CAIRN_ASSERT_OK(repo.SoftDelete(b->id));
  counts = repo.CountByProject("p1");
  CAIRN_ASSERT_OK(counts);
  EXPECT_EQ(counts->workloads, 1);
  EXPECT_EQ(counts->vms, 2);

  auto found = repo.FindByVm("vm-a-1");
  CAIRN_ASSERT_OK(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, a->id);
  auto deleted_vm = repo.FindByVm("vm-b-0");
  CAIRN_ASSERT_OK(deleted_vm);
  EXPECT_FALSE(deleted_vm->has_value());
}

TEST_P(WorkloadRepositoryTest, WorkloadTypes) {
  WorkloadRepository repo(*db_);
  auto serial = repo.GetType(kSerialWorkloadTypeId);
  CAIRN_ASSERT_OK(serial);
  EXPECT_EQ(serial->name, "Serial");
  EXPECT_EQ(serial->description, "VMs one at a time");
  EXPECT_TRUE(serial->is_public);
  EXPECT_EQ(repo.GetType("nope").status().code(), ErrorCode::kNotFound);
  Workload w = MakeWorkload("p1", "bad-type");
  w.workload_type_id = "no-such-type";
  auto bad = repo.Create(w);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kConflict) << bad.status().ToString();
}

TEST_P(WorkloadRepositoryTest, TransactionSpansRepositoriesAndRollsBack) {
  Status status = db_->Transaction("two workloads", [&](Executor& tx) {
    CAIRN_RETURN_IF_ERROR(WorkloadRepository(tx).Create(MakeWorkload("p1", "first")).status());
    return Status::Conflict("changed my mind");
  });
  EXPECT_EQ(status.code(), ErrorCode::kConflict);
  auto list = WorkloadRepository(*db_).List();
  CAIRN_ASSERT_OK(list);
  EXPECT_TRUE(list->empty());

  CAIRN_ASSERT_OK(db_->Transaction("two workloads", [&](Executor& tx) {
    CAIRN_RETURN_IF_ERROR(WorkloadRepository(tx).Create(MakeWorkload("p1", "first")).status());
    return WorkloadRepository(tx).Create(MakeWorkload("p1", "second")).status();
  }));
  list = WorkloadRepository(*db_).List();
  CAIRN_ASSERT_OK(list);
  EXPECT_EQ(list->size(), 2u);
}

// List reads the VMs of a whole page at once (in chunks of workloads): each
// workload gets its own VMs, none when it has none, across chunk boundaries.
TEST_P(WorkloadRepositoryTest, ListGivesEachWorkloadItsVms) {
  constexpr int kWorkloads = 503;  // more than one chunk of the VM query
  CAIRN_ASSERT_OK(db_->Transaction("many workloads", [&](Executor& tx) {
    for (int i = 0; i < kWorkloads; ++i) {
      CAIRN_RETURN_IF_ERROR(WorkloadRepository(tx).Create(MakeWorkload("p1", "w" + std::to_string(i), i % 4)).status());
    }
    return Status::OK();
  }));
  auto list = WorkloadRepository(*db_).List({.project_id = "p1"});
  CAIRN_ASSERT_OK(list);
  ASSERT_EQ(list->size(), static_cast<size_t>(kWorkloads));
  for (const Workload& w : *list) {
    const int i = std::stoi(w.name.substr(1));
    ASSERT_EQ(w.vms.size(), static_cast<size_t>(i % 4)) << w.name;
    for (size_t v = 0; v < w.vms.size(); ++v) {
      EXPECT_EQ(w.vms[v].workload_id, w.id);
      EXPECT_EQ(w.vms[v].vm_id.rfind("vm-" + w.name + "-", 0), 0u) << w.vms[v].vm_id;
      EXPECT_EQ(w.vms[v].metadata, Json::object());
    }
  }
  auto page = WorkloadRepository(*db_).List({.project_id = "p1"}, {.limit = 3});
  CAIRN_ASSERT_OK(page);
  ASSERT_EQ(page->size(), 3u);
  for (const Workload& w : *page) EXPECT_EQ(w.vms.size(), static_cast<size_t>(std::stoi(w.name.substr(1)) % 4));
}

CAIRN_DB_TEST_SUITE(WorkloadRepositoryTest);

}  // namespace
}  // namespace cairn::db
