// The disaster-recovery routes: the import list and import over a target
// written the way the engine writes it, and the orphaned workloads.
#include <gtest/gtest.h>

#include <fstream>

#include "api_v1/api_v1_harness.h"
#include "datamover/backup.h"
#include "db/snapshot_repository.h"
#include "db/workload_repository.h"
#include "control/target_metadata.h"
#include "target/identity.h"

namespace cairn::api::testing {
namespace {

class ApiImportTest : public ApiV1Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::path(::testing::TempDir()) / ("cairn-api-import-" + std::to_string(::getpid()));
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_ / "target");
    h.service().open_target = [root = root_] { return target::OpenPosixStore(root / "target"); };
    auto store = target::OpenPosixStore(root_ / "target");
    ASSERT_TRUE(store.ok());
    store_ = std::move(store).value();
    ASSERT_TRUE(target::InitTargetIdentity(*store_, "test").ok());
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  // Writes a workload of `project` (A) with one available snapshot of one disk
  // to the target only (no rows), as the engine writes them; returns its id.
  std::string WriteWorkloadToTarget(const std::string& id, const std::string& name,
                                    const std::string& project = kProjectA) {
    db::Workload w{.id = id, .project_id = project, .user_id = kUserA, .name = name};
    w.created_at = UtcNow();
    w.vms = {db::WorkloadVm{.vm_id = "vm1", .vm_name = "web-1"}};
    EXPECT_TRUE(control::WriteWorkloadMetadata(*store_, w).ok());
    const std::string raw = (root_ / "disk.raw").string();
    {
      std::ofstream out(raw, std::ios::binary);
      out << std::string(65536, 'c') << std::string(65536, '\0') << "cairn";
    }
    db::Snapshot s{.id = id.substr(0, 24) + "5eeeeeeeeeee", .workload_id = id, .project_id = kProjectA,
                   .user_id = kUserA, .name = "nightly", .status = "available"};
    datamover::BackupRequest req;
    req.source = raw;
    req.disk = {id, s.id, "vm1", "vda"};
    req.resource = "res1";
    auto backup = datamover::Backup(*store_, req);
    EXPECT_TRUE(backup.ok()) << backup.status().ToString();
    if (!backup.ok()) return id;
    db::SnapshotVm vm{.snapshot_id = s.id, .vm_id = "vm1", .vm_name = "web-1"};
    db::SnapshotDisk d{.id = backup->backup.image_id, .snapshot_id = s.id, .vm_id = "vm1", .resource_id = "res1",
                       .device = "vda"};
    EXPECT_TRUE(control::WriteSnapshotResources(*store_, s, {vm}, json::object()).ok());
    EXPECT_TRUE(control::WriteDiskMetadata(*store_, s, {d}).ok());
    EXPECT_TRUE(control::WriteSnapshotDb(*store_, s).ok());
    return id;
  }

  std::filesystem::path root_;
  std::unique_ptr<target::Store> store_;
};

TEST_F(ApiImportTest, ListAndImportBringTheWorkloadAndItsSnapshotBack) {
  const std::string wid = WriteWorkloadToTarget("1a2b3c4d-0000-4000-8000-00000000000a", "web");
  const std::string list_url = h.P(kAdminProject, "/workloads/get_list/import_workloads");
  Answer list = h.Get(list_url, kTokAdmin);
  ASSERT_EQ(list.status, 200) << list.Dump();
  ASSERT_EQ(list.body["workloads"].size(), 1u);
  EXPECT_EQ(list.body["workloads"][0]["id"], wid);
  EXPECT_EQ(list.body["workloads"][0]["name"], "web");
  EXPECT_EQ(list.body["workloads"][0]["project_id"], kProjectA);
  EXPECT_EQ(list.body["workloads"][0]["snapshots_on_target"], 1);

  // Before the import the tenant does not see it; the import is a plain POST.
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectA, "/workloads/" + wid), kTokMemberA), 404, "itemNotFound"));
  Answer imported = h.Post(h.P(kAdminProject, "/workloads/import_workloads"), kTokAdmin,
                           {{"workload_ids", json::array({wid})}, {"upgrade", "False"}});
  ASSERT_EQ(imported.status, 200) << imported.Dump();
  EXPECT_EQ(imported.body["workloads"]["imported_workloads"], json::array({wid}));
  EXPECT_TRUE(imported.body["workloads"]["failed_workloads"].empty());
  EXPECT_EQ(imported.body["workloads"]["details"][0]["snapshots_imported"], 1);

  Answer shown = h.Get(h.P(kProjectA, "/workloads/" + wid), kTokMemberA);
  ASSERT_EQ(shown.status, 200) << shown.Dump();
  EXPECT_EQ(shown.body["workload"]["status"], "available");
  Answer snapshots = h.Get(h.P(kProjectA, "/snapshots?workload_id=" + wid), kTokMemberA);
  ASSERT_EQ(snapshots.status, 200) << snapshots.Dump();
  ASSERT_EQ(snapshots.body["snapshots"].size(), 1u);
  EXPECT_EQ(snapshots.body["snapshots"][0]["status"], "available");
  EXPECT_EQ(snapshots.body["snapshots"][0]["name"], "nightly");
  Answer audit = h.Get(h.P(kAdminProject, "/workloads/audit/auditlog"), kTokAdmin);
  EXPECT_NE(audit.text.find("workload_import"), std::string::npos);

  // Nothing left to import; importing it again fails for that workload only.
  EXPECT_TRUE(h.Get(list_url, kTokAdmin).body["workloads"].empty());
  Answer again = h.Do("POST", h.P(kAdminProject, "/workloads/import_workloads"), kTokAdmin);  // no body: all
  ASSERT_EQ(again.status, 200) << again.Dump();
  EXPECT_TRUE(again.body["workloads"]["imported_workloads"].empty());
  Answer explicit_again = h.Post(h.P(kAdminProject, "/workloads/import_workloads"), kTokAdmin,
                                 {{"workload_ids", json::array({wid})}});
  ASSERT_EQ(explicit_again.status, 200);
  EXPECT_EQ(explicit_again.body["workloads"]["failed_workloads"], json::array({wid}));
  EXPECT_NE(explicit_again.body["workloads"]["details"][0]["error"].get<std::string>().find("already in the database"),
            std::string::npos);
}

TEST_F(ApiImportTest, BadInputAndMissingTargetAreClearErrors) {
  const std::string url = h.P(kAdminProject, "/workloads/import_workloads");
  EXPECT_TRUE(IsFault(h.Post(url, kTokAdmin, {{"workload_ids", "abc"}}), 400, "badRequest"));
  Answer bad_id = h.Post(url, kTokAdmin, {{"workload_ids", json::array({"../../etc"})}});
  EXPECT_TRUE(IsFault(bad_id, 400, "badRequest"));
  EXPECT_NE(FaultMessage(bad_id).find("workload_ids[]"), std::string::npos) << bad_id.Dump();
  EXPECT_TRUE(IsFault(h.Post(url, kTokAdmin, {{"upgrade", "perhaps"}}), 400, "badRequest"));
  EXPECT_TRUE(IsFault(h.Post(url, kTokMemberA, json::object()), 403, "forbidden"));
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectA, "/workloads/get_list/import_workloads"), kTokMemberA), 403, "forbidden"));
  // A workload id the target does not hold fails alone.
  Answer unknown = h.Post(url, kTokAdmin, {{"workload_ids", json::array({"00000000-0000-4000-8000-0000000000ff"})}});
  ASSERT_EQ(unknown.status, 200) << unknown.Dump();
  EXPECT_EQ(unknown.body["workloads"]["failed_workloads"].size(), 1u);
  // No target on this API node: 503 naming the option.
  h.service().open_target = [] { return target::OpenPosixStore("/nonexistent/cairn-target"); };
  Answer down = h.Get(h.P(kAdminProject, "/workloads/get_list/import_workloads"), kTokAdmin);
  EXPECT_TRUE(IsFault(down, 503, "serviceUnavailable")) << down.Dump();
  EXPECT_NE(FaultMessage(down).find("[target] path"), std::string::npos) << down.Dump();
}

TEST_F(ApiImportTest, AnEmptyDirectoryInPlaceOfTheTargetIsRefused) {
  // The share is not mounted: its mount point is an empty directory.
  std::filesystem::create_directories(root_ / "unmounted");
  h.service().open_target = [root = root_] { return target::OpenPosixStore(root / "unmounted"); };
  Answer list = h.Get(h.P(kAdminProject, "/workloads/get_list/import_workloads"), kTokAdmin);
  EXPECT_TRUE(IsFault(list, 503, "serviceUnavailable")) << list.Dump();
  EXPECT_NE(FaultMessage(list).find("has no identity marker"), std::string::npos) << list.Dump();
  Answer imported = h.Post(h.P(kAdminProject, "/workloads/import_workloads"), kTokAdmin, json::object());
  EXPECT_TRUE(IsFault(imported, 503, "serviceUnavailable")) << imported.Dump();
  EXPECT_NE(FaultMessage(imported).find("not mounted"), std::string::npos) << imported.Dump();
}

TEST_F(ApiImportTest, ImportAllTakesOnlyProjectsKeystoneKnowsAndTheAdminMayMapOrRestrictThem) {
  constexpr char kGone[] = "0000dead0000dead0000dead0000dead";
  const std::string forged = WriteWorkloadToTarget("1a2b3c4d-0000-4000-8001-00000000000b", "forged", kGone);
  const std::string of_b = WriteWorkloadToTarget("1a2b3c4d-0000-4000-8002-00000000000c", "b's", kProjectB);
  const std::string url = h.P(kAdminProject, "/workloads/import_workloads");
  Answer list = h.Get(h.P(kAdminProject, "/workloads/get_list/import_workloads"), kTokAdmin);
  ASSERT_EQ(list.status, 200) << list.Dump();
  ASSERT_EQ(list.body["workloads"].size(), 2u);
  for (const json& w : list.body["workloads"]) EXPECT_EQ(w["project_exists"], w["id"] == of_b) << w.dump();

  // Import all restricted to project A: B's workload is left out, the one
  // naming a project Keystone does not know fails; nothing is recorded.
  Answer only_a = h.Post(url, kTokAdmin, {{"project_ids", json::array({kProjectA})}});
  ASSERT_EQ(only_a.status, 200) << only_a.Dump();
  EXPECT_TRUE(only_a.body["workloads"]["imported_workloads"].empty()) << only_a.Dump();
  EXPECT_TRUE(only_a.body["workloads"]["failed_workloads"].empty()) << only_a.Dump();
  // The workloadmgr client's import all (no body): the unknown project fails,
  // naming it; B's workload goes to B, the project its records name.
  Answer all = h.Do("POST", url, kTokAdmin);
  ASSERT_EQ(all.status, 200) << all.Dump();
  EXPECT_EQ(all.body["workloads"]["imported_workloads"], json::array({of_b})) << all.Dump();
  EXPECT_EQ(all.body["workloads"]["failed_workloads"], json::array({forged}));
  const json& failed = all.body["workloads"]["details"][1];
  EXPECT_NE(failed["error"].get<std::string>().find(std::string(kGone) + " does not exist in Keystone"),
            std::string::npos) << all.Dump();
  EXPECT_TRUE(IsFault(h.Get(h.P(kGone, "/workloads/" + forged), kTokAdmin), 404, "itemNotFound"));
  EXPECT_EQ(db::WorkloadRepository(h.db()).Get(of_b)->project_id, kProjectB);
  // Mapped to project A, it is A's.
  Answer mapped = h.Post(url, kTokAdmin, {{"project_mapping", {{kGone, kProjectA}}}});
  ASSERT_EQ(mapped.status, 200) << mapped.Dump();
  EXPECT_EQ(mapped.body["workloads"]["imported_workloads"], json::array({forged})) << mapped.Dump();
  EXPECT_EQ(mapped.body["workloads"]["details"][0]["project_id"], kProjectA);
  EXPECT_EQ(mapped.body["workloads"]["details"][0]["project_id_on_target"], kGone);
  EXPECT_EQ(h.Get(h.P(kProjectA, "/workloads/" + forged), kTokMemberA).status, 200);

  EXPECT_TRUE(IsFault(h.Post(url, kTokAdmin, {{"project_ids", kProjectA}}), 400, "badRequest"));
  EXPECT_TRUE(IsFault(h.Post(url, kTokAdmin, {{"project_ids", json::array({""})}}), 400, "badRequest"));
  EXPECT_TRUE(IsFault(h.Post(url, kTokAdmin, {{"project_mapping", json::array({kProjectA})}}), 400, "badRequest"));
  Answer bad_map = h.Post(url, kTokAdmin, {{"project_mapping", {{kGone, 7}}}});
  EXPECT_TRUE(IsFault(bad_map, 400, "badRequest"));
  EXPECT_NE(FaultMessage(bad_map).find("project_mapping"), std::string::npos) << bad_map.Dump();
}

TEST_F(ApiImportTest, OrphanedWorkloadsAreThoseWhoseProjectOrUserIsGone) {
  const std::string kept = h.CreateWorkload(kTokMemberA, {kVmA1});
  const std::string orphan = h.CreateWorkload(kTokMemberA, {kVmA2});
  db::WorkloadUpdate gone;
  gone.project_id = "0000dead0000dead0000dead0000dead";
  ASSERT_TRUE(db::WorkloadRepository(h.db()).Update(orphan, gone).ok());
  Answer a = h.Get(h.P(kAdminProject, "/workloads/orphan_workloads"), kTokAdmin);
  ASSERT_EQ(a.status, 200) << a.Dump();
  ASSERT_EQ(a.body["workloads"].size(), 1u);
  EXPECT_EQ(a.body["workloads"][0]["id"], orphan);
  EXPECT_EQ(a.body["workloads"][0]["orphaned"], "project");
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectA, "/workloads/orphan_workloads"), kTokMemberA), 403, "forbidden"));
  (void)kept;
}

}  // namespace
}  // namespace cairn::api::testing
