// Disaster-recovery import: a target written the way the snapshot workflow
// writes it (real qcow2 backups with manifests and *_db files), the database
// wiped, and the workloads imported back from the target.
#include "control/workload_import.h"
#include "target/identity.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "datamover/backup.h"
#include "datamover/datamover_support.h"
#include "datamover/restore.h"
#include "db/options.h"
#include "db/schema.h"
#include "db/snapshot_repository.h"
#include "db/workload_repository.h"
#include "control/target_metadata.h"
#include "target/layout.h"

namespace cairn::control {
namespace {

using datamover::testing::ChangingDisk;
using datamover::testing::Q;
using nlohmann::json;
using testing::TempDir;

constexpr uint64_t kDiskSize = 4 << 20;

std::unique_ptr<db::Database> FreshDatabase(const std::string& path) {
  db::DatabaseOptions options;
  options.connection = "sqlite:///" + path;
  auto db = db::Database::Open(options);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  if (!db.ok()) return nullptr;
  EXPECT_TRUE(db::Sync(**db).ok());
  return std::move(db).value();
}

class WorkloadImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_ / "target");
    auto store = target::OpenPosixStore(dir_ / "target");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    ASSERT_TRUE(target::InitTargetIdentity(*store_, "test").ok());
    db_ = FreshDatabase(dir_ / "first.db");
    ASSERT_NE(db_, nullptr);
  }

  // A workload of one VM with one disk, an enabled schedule, `count`
  // snapshots (a full then incrementals) written to the target and the
  // database as the snapshot workflow writes them. Saves each snapshot's
  // disk contents as "disk-<i>".
  void MakeWorkload(int count) {
    db::Workload w;
    w.project_id = "p1";
    w.user_id = "u1";
    w.name = "web";
    w.status = "available";
    w.jobschedule = {{"enabled", true}, {"interval", "1 hr"}};
    w.vms = {db::WorkloadVm{.vm_id = "vm1", .vm_name = "web-1"}};
    auto created = db::WorkloadRepository(*db_).Create(w);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    workload_ = *created;
    ASSERT_TRUE(WriteWorkloadMetadata(*store_, workload_).ok());
    ChangingDisk disk(dir_ / "disk.raw", kDiskSize, 7);
    for (int i = 0; i < count; ++i) {
      disk.RandomWrites(6);
      disk.SaveAs(dir_ / ("disk-" + std::to_string(i)));
      AddSnapshot(disk, i);
    }
  }

  void AddSnapshot(const ChangingDisk& disk, int i) {
    db::SnapshotRepository snapshots(*db_);
    db::Snapshot s;
    s.workload_id = workload_.id;
    s.project_id = "p1";
    s.user_id = "u1";
    s.name = "snap-" + std::to_string(i);
    s.snapshot_type = i == 0 ? "full" : "incremental";
    s.status = "executing";
    auto created = snapshots.Create(s);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    s = *created;
    datamover::BackupRequest req;
    req.source = disk.path();
    req.disk = {workload_.id, s.id, "vm1", "vda"};
    req.resource = "res1";
    if (!snapshot_ids_.empty()) req.previous_snapshot = snapshot_ids_.back();
    auto backup = datamover::Backup(*store_, req);
    ASSERT_TRUE(backup.ok()) << backup.status().ToString();
    db::SnapshotVm vm{.snapshot_id = s.id, .vm_id = "vm1", .vm_name = "web-1"};
    vm.flavor = {{"vcpus", 1}, {"ram", 512}};
    vm.metadata = {{"checkpoint", {{"name", "cp-" + std::to_string(i)}}}};
    db::SnapshotDisk d{.id = backup->backup.image_id, .snapshot_id = s.id, .vm_id = "vm1", .resource_id = "res1",
                       .device = "vda"};
    d.size = static_cast<int64_t>(backup->image_file_size);
    d.path = backup->backup.image_path();
    if (!disk_ids_.empty()) d.parent_disk_snapshot_id = disk_ids_.back();
    ASSERT_TRUE(snapshots.PutVm(vm).ok());
    ASSERT_TRUE(snapshots.PutDisk(d).ok());
    ASSERT_TRUE(WriteSnapshotResources(*store_, s, {vm}, json{{"vm1", {{"server", {{"id", "vm1"}}}}}}).ok());
    ASSERT_TRUE(WriteDiskMetadata(*store_, s, {d}).ok());
    auto done = snapshots.Update(s.id, {.status = std::string("available"), .size = d.size});
    ASSERT_TRUE(done.ok());
    ASSERT_TRUE(WriteSnapshotDb(*store_, *done).ok());
    snapshot_ids_.push_back(s.id);
    disk_ids_.push_back(d.id);
  }

  // Restores snapshot `i` of the imported rows through the datamover and
  // expects the disk as it was then.
  void ExpectRestoresAsBefore(int i) {
    datamover::RestoreRequest req;
    req.disk = {workload_.id, snapshot_ids_[i], "vm1", "vda"};
    req.to = dir_ / ("restored-" + std::to_string(i));
    auto r = datamover::Restore(*store_, req);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_TRUE(datamover::testing::SameFiles(req.to, dir_ / ("disk-" + std::to_string(i))));
  }

  // ImportWorkloads with a Keystone that knows projects p1 and p2 only.
  Result<ImportReport> Import(db::Database& db, const ImportRequest& request) {
    return ImportWorkloads(db, *store_, request, [](std::string_view project) {
      return project == "p1" || project == "p2" ? Status::OK() : Status::NotFound("no project");
    });
  }

  // Rewrites a JSON file of the target with `change`.
  void Rewrite(const std::string& path, const std::function<void(json&)>& change) {
    auto text = store_->ReadSmall(path);
    ASSERT_TRUE(text.ok()) << text.status().ToString();
    json value = json::parse(*text);
    change(value);
    const std::string out = value.dump();
    ASSERT_TRUE(store_->WriteAtomic(path, std::as_bytes(std::span(out.data(), out.size()))).ok());
  }

  TempDir dir_;
  std::unique_ptr<target::Store> store_;
  std::unique_ptr<db::Database> db_;
  db::Workload workload_;
  std::vector<std::string> snapshot_ids_;
  std::vector<std::string> disk_ids_;
};

TEST_F(WorkloadImportTest, WipedDatabaseGetsEveryWorkloadAndSnapshotBack) {
  MakeWorkload(3);
  // An interrupted snapshot: its directory exists, snapshot_db is not available.
  db::Snapshot broken{.id = "0badc0de-0000-4000-8000-000000000001", .workload_id = workload_.id,
                      .status = "executing"};
  ASSERT_TRUE(WriteSnapshotDb(*store_, broken).ok());

  auto fresh = FreshDatabase(dir_ / "second.db");
  ASSERT_NE(fresh, nullptr);
  auto listed = ListTargetWorkloads(*fresh, *store_);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].workload.id, workload_.id);
  EXPECT_EQ((*listed)[0].workload.name, "web");
  EXPECT_EQ((*listed)[0].snapshots, 3);
  EXPECT_FALSE((*listed)[0].in_database);

  auto report = Import(*fresh, {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->imported.size(), 1u);
  EXPECT_TRUE(report->failed.empty());
  const WorkloadImportResult& result = report->imported[0];
  EXPECT_EQ(result.snapshots_imported, 3);
  ASSERT_EQ(result.skipped.size(), 1u);
  EXPECT_NE(result.skipped[0].find("says executing"), std::string::npos) << result.skipped[0];
  EXPECT_FALSE(result.schedule_note.empty());

  auto w = db::WorkloadRepository(*fresh).Get(workload_.id);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->name, "web");
  EXPECT_EQ(w->project_id, "p1");
  EXPECT_EQ(w->user_id, "u1");
  EXPECT_EQ(w->status, "available");
  EXPECT_EQ(w->created_at, workload_.created_at);
  EXPECT_EQ(w->jobschedule["enabled"], false);
  EXPECT_EQ(w->jobschedule["interval"], "1 hr");
  ASSERT_EQ(w->vms.size(), 1u);
  EXPECT_EQ(w->vms[0].vm_name, "web-1");
  EXPECT_GT(w->storage_usage, 0);

  db::SnapshotRepository old_rows(*db_), new_rows(*fresh);
  int64_t total = 0;
  for (size_t i = 0; i < snapshot_ids_.size(); ++i) {
    auto before = old_rows.Get(snapshot_ids_[i]);
    auto after = new_rows.Get(snapshot_ids_[i]);
    ASSERT_TRUE(after.ok()) << after.status().ToString();
    EXPECT_EQ(after->status, "available");
    EXPECT_EQ(after->name, before->name);
    EXPECT_EQ(after->snapshot_type, before->snapshot_type);
    EXPECT_EQ(after->created_at, before->created_at);
    auto disks = new_rows.ListDisks(snapshot_ids_[i]);
    ASSERT_TRUE(disks.ok());
    ASSERT_EQ(disks->size(), 1u);
    EXPECT_EQ((*disks)[0].id, disk_ids_[i]);
    EXPECT_EQ((*disks)[0].size, std::filesystem::file_size(store_->LocalPath((*disks)[0].path).value()));
    if (i == 0) {
      EXPECT_FALSE((*disks)[0].parent_disk_snapshot_id.has_value());
    } else {
      EXPECT_EQ((*disks)[0].parent_disk_snapshot_id, disk_ids_[i - 1]);
    }
    auto vms = new_rows.ListVms(snapshot_ids_[i]);
    ASSERT_TRUE(vms.ok());
    ASSERT_EQ(vms->size(), 1u);
    EXPECT_EQ((*vms)[0].flavor["ram"], 512);
    EXPECT_EQ((*vms)[0].metadata["checkpoint"]["name"], "cp-" + std::to_string(i));
    total += after->size;
  }
  EXPECT_EQ(w->storage_usage, total);
  EXPECT_FALSE(new_rows.Get(broken.id).ok());
  for (int i = 0; i < 3; ++i) ExpectRestoresAsBefore(i);

  // Nothing left to import; a second import of it is refused, with upgrade it adds nothing.
  listed = ListTargetWorkloads(*fresh, *store_);
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE((*listed)[0].in_database);
  report = Import(*fresh, {.workload_ids = {workload_.id}});
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->failed.size(), 1u);
  EXPECT_NE(report->failed[0].error.find("already in the database"), std::string::npos);
  report = Import(*fresh, {.workload_ids = {workload_.id}, .upgrade = true});
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->imported.size(), 1u);
  EXPECT_EQ(report->imported[0].snapshots_imported, 0);
}

TEST_F(WorkloadImportTest, UpgradeAddsTheSnapshotsTheDatabaseLacks) {
  MakeWorkload(3);
  // A database restored from an old dump: it knows the first snapshot only.
  db::SnapshotRepository snapshots(*db_);
  for (size_t i = 1; i < snapshot_ids_.size(); ++i) ASSERT_TRUE(snapshots.SoftDelete(snapshot_ids_[i]).ok());
  ASSERT_TRUE(snapshots.Purge(UtcNow() + std::chrono::hours(1)).ok());
  ASSERT_FALSE(snapshots.Get(snapshot_ids_[1], /*include_deleted=*/true).ok());
  auto report = Import(*db_, {.workload_ids = {workload_.id}, .upgrade = true});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->imported.size(), 1u);
  EXPECT_EQ(report->imported[0].snapshots_imported, 2);
  EXPECT_TRUE(report->imported[0].schedule_note.empty());  // the workload row is left as it is
  auto w = db::WorkloadRepository(*db_).Get(workload_.id);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->jobschedule["enabled"], true);
  auto disks = db::SnapshotRepository(*db_).ListDisks(snapshot_ids_[2]);
  ASSERT_TRUE(disks.ok());
  ASSERT_EQ(disks->size(), 1u);
  EXPECT_EQ((*disks)[0].parent_disk_snapshot_id, disk_ids_[1]);
}

TEST_F(WorkloadImportTest, ASnapshotWhoseBackingImageIsGoneIsSkippedNotRecorded) {
  MakeWorkload(3);
  // The middle snapshot vanished (an operator removed it by hand): the last
  // one's image is backed by a file that is not there.
  ASSERT_TRUE(store_->RemoveAll(target::layout::SnapshotDir(workload_.id, snapshot_ids_[1])).ok());
  auto fresh = FreshDatabase(dir_ / "second.db");
  auto report = Import(*fresh, {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->imported.size(), 1u);
  EXPECT_EQ(report->imported[0].snapshots_imported, 1);
  ASSERT_EQ(report->imported[0].skipped.size(), 1u);
  EXPECT_NE(report->imported[0].skipped[0].find("which no imported snapshot has"), std::string::npos)
      << report->imported[0].skipped[0];
  EXPECT_TRUE(db::SnapshotRepository(*fresh).Get(snapshot_ids_[0]).ok());
  EXPECT_FALSE(db::SnapshotRepository(*fresh).Get(snapshot_ids_[2]).ok());
  ExpectRestoresAsBefore(0);
}

TEST_F(WorkloadImportTest, AnImageWithoutManifestIsNotABackup) {
  MakeWorkload(1);
  auto disk = db::SnapshotRepository(*db_).GetDisk(disk_ids_[0]);
  ASSERT_TRUE(disk.ok());
  ASSERT_TRUE(store_->Remove(target::layout::DiskManifest(disk->path.substr(0, disk->path.rfind('/')), disk->id)).ok());
  auto fresh = FreshDatabase(dir_ / "second.db");
  auto report = Import(*fresh, {});
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->imported.size(), 1u);
  EXPECT_EQ(report->imported[0].snapshots_imported, 0);
  ASSERT_EQ(report->imported[0].skipped.size(), 1u);
  EXPECT_NE(report->imported[0].skipped[0].find("no published backup"), std::string::npos)
      << report->imported[0].skipped[0];
}

TEST_F(WorkloadImportTest, AWorkloadDeletedFromTheDatabaseOnlyComesBack) {
  MakeWorkload(2);
  // workload-delete --database_only: the rows are soft deleted, the target keeps the data.
  for (const auto& id : snapshot_ids_) ASSERT_TRUE(db::SnapshotRepository(*db_).SoftDelete(id).ok());
  ASSERT_TRUE(db::WorkloadRepository(*db_).SoftDelete(workload_.id).ok());
  auto listed = ListTargetWorkloads(*db_, *store_);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_FALSE((*listed)[0].in_database);
  auto report = Import(*db_, {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->imported.size(), 1u) << (report->failed.empty() ? "" : report->failed[0].error);
  EXPECT_EQ(report->imported[0].snapshots_imported, 2);
  auto w = db::WorkloadRepository(*db_).Get(workload_.id);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->status, "available");
  EXPECT_TRUE(db::SnapshotRepository(*db_).Get(snapshot_ids_[1]).ok());
  ExpectRestoresAsBefore(1);
}

TEST_F(WorkloadImportTest, BadMetadataIsReportedAndLosesNothing) {
  MakeWorkload(1);
  // A second workload directory whose workload_db is not JSON.
  const std::string bad = "11111111-2222-4333-8444-555555555555";
  const std::string junk = "{not json";
  ASSERT_TRUE(store_->WriteAtomic(target::layout::WorkloadDb(bad),
                                  std::as_bytes(std::span(junk.data(), junk.size()))).ok());
  auto fresh = FreshDatabase(dir_ / "second.db");
  auto listed = ListTargetWorkloads(*fresh, *store_);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);  // the bad one is left out of the list
  auto report = Import(*fresh, {.workload_ids = {bad, workload_.id, "../etc"}});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->imported.size(), 1u);
  EXPECT_EQ(report->imported[0].workload_id, workload_.id);
  ASSERT_EQ(report->failed.size(), 2u);
  EXPECT_NE(report->failed[0].error.find("not valid JSON"), std::string::npos) << report->failed[0].error;
  EXPECT_NE(report->failed[1].error.find("workload id"), std::string::npos) << report->failed[1].error;
  EXPECT_FALSE(db::WorkloadRepository(*fresh).Get(bad).ok());
  // The target is left as it was.
  EXPECT_TRUE(store_->Exists(target::layout::WorkloadDb(bad)).value());
}

TEST_F(WorkloadImportTest, OwnersScheduleAndOrderComeFromTheWorkloadAndTheChainsNotFromLooseJson) {
  MakeWorkload(3);
  // A schedule written with a string boolean; snapshot_db files without an
  // owner and with times that put the children before their parents.
  Rewrite(target::layout::WorkloadDb(workload_.id), [](json& w) { w["jobschedule"]["enabled"] = "True"; });
  for (size_t i = 0; i < snapshot_ids_.size(); ++i) {
    Rewrite(target::layout::SnapshotDb(workload_.id, snapshot_ids_[i]), [&](json& s) {
      s.erase("project_id");
      s.erase("user_id");
      s["created_at"] = "2024-01-0" + std::to_string(9 - i) + "T00:00:00.000000";
    });
  }
  auto fresh = FreshDatabase(dir_ / "second.db");
  auto report = Import(*fresh, {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->imported.size(), 1u) << (report->failed.empty() ? "" : report->failed[0].error);
  EXPECT_EQ(report->imported[0].snapshots_imported, 3);
  EXPECT_FALSE(report->imported[0].schedule_note.empty());
  EXPECT_EQ(db::WorkloadRepository(*fresh).Get(workload_.id)->jobschedule["enabled"], false);
  db::SnapshotRepository rows(*fresh);
  for (size_t i = 0; i < snapshot_ids_.size(); ++i) {
    auto s = rows.Get(snapshot_ids_[i]);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->project_id, "p1");
    EXPECT_EQ(s->user_id, "u1");
    auto disks = rows.ListDisks(snapshot_ids_[i]);
    ASSERT_EQ(disks->size(), 1u);
    if (i > 0) {
      EXPECT_EQ((*disks)[0].parent_disk_snapshot_id, disk_ids_[i - 1]);
    }
  }
}

TEST_F(WorkloadImportTest, ADiskIdAnotherSnapshotHasIsNotTakenOver) {
  MakeWorkload(2);
  auto fresh = FreshDatabase(dir_ / "second.db");
  db::Workload other{.project_id = "p2", .user_id = "u2", .name = "other"};
  auto w = db::WorkloadRepository(*fresh).Create(other);
  ASSERT_TRUE(w.ok());
  auto s = db::SnapshotRepository(*fresh).Create({.workload_id = w->id, .project_id = "p2"});
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(db::SnapshotRepository(*fresh).PutDisk({.id = disk_ids_[0], .snapshot_id = s->id, .vm_id = "v",
                                                      .device = "vda"}).ok());
  auto report = Import(*fresh, {.workload_ids = {workload_.id}});
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->imported.size(), 1u);
  EXPECT_EQ(report->imported[0].snapshots_imported, 0);  // the first is taken, the second is backed by it
  ASSERT_EQ(report->imported[0].skipped.size(), 2u);
  EXPECT_NE(report->imported[0].skipped[0].find("already recorded for snapshot " + s->id), std::string::npos)
      << report->imported[0].skipped[0];
  EXPECT_EQ(db::SnapshotRepository(*fresh).GetDisk(disk_ids_[0])->snapshot_id, s->id);
}

TEST_F(WorkloadImportTest, HostileWorkloadDbsFailAlone) {
  MakeWorkload(1);
  const std::string deep_id = "22222222-2222-4333-8444-555555555555";
  const std::string deep = "{\"id\": \"" + deep_id + "\", \"metadata\": " + std::string(100000, '[') +
                           std::string(100000, ']') + "}";
  ASSERT_TRUE(store_->WriteAtomic(target::layout::WorkloadDb(deep_id),
                                  std::as_bytes(std::span(deep.data(), deep.size()))).ok());
  const std::string ownerless_id = "33333333-2222-4333-8444-555555555555";
  const std::string ownerless = "{\"id\": \"" + ownerless_id + "\", \"name\": \"nobody's\"}";
  ASSERT_TRUE(store_->WriteAtomic(target::layout::WorkloadDb(ownerless_id),
                                  std::as_bytes(std::span(ownerless.data(), ownerless.size()))).ok());
  auto fresh = FreshDatabase(dir_ / "second.db");
  auto listed = ListTargetWorkloads(*fresh, *store_);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 2u);  // the deep one is left out
  auto report = Import(*fresh, {.workload_ids = {deep_id, ownerless_id, workload_.id}});
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->imported.size(), 1u);
  ASSERT_EQ(report->failed.size(), 2u);
  EXPECT_NE(report->failed[0].error.find("nests deeper than 64 levels"), std::string::npos) << report->failed[0].error;
  EXPECT_NE(report->failed[1].error.find("names no project_id"), std::string::npos) << report->failed[1].error;
}

TEST_F(WorkloadImportTest, AForgedWorkloadDbGetsNoWorkloadIntoAProjectTheAdminDidNotChoose) {
  MakeWorkload(2);
  auto fresh = FreshDatabase(dir_ / "second.db");
  db::WorkloadRepository rows(*fresh);
  // Someone who can write the target names a project Keystone does not know:
  // import all leaves it out with a reason, and records nothing.
  Rewrite(target::layout::WorkloadDb(workload_.id), [](json& w) { w["project_id"] = "gone"; });
  auto report = Import(*fresh, {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->imported.empty());
  ASSERT_EQ(report->failed.size(), 1u);
  EXPECT_NE(report->failed[0].error.find("project gone does not exist in Keystone"), std::string::npos)
      << report->failed[0].error;
  EXPECT_FALSE(rows.Get(workload_.id).ok());

  // ... or another tenant's project, which exists: an admin who restricts
  // the projects gets nothing there (import all leaves it out, by id fails).
  Rewrite(target::layout::WorkloadDb(workload_.id), [](json& w) { w["project_id"] = "p2"; });
  report = Import(*fresh, {.project_ids = {"p1"}});
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->imported.empty());
  EXPECT_TRUE(report->failed.empty());
  report = Import(*fresh, {.workload_ids = {workload_.id}, .project_ids = {"p1"}});
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->failed.size(), 1u);
  EXPECT_NE(report->failed[0].error.find("project p2 is not among the requested project_ids"), std::string::npos)
      << report->failed[0].error;
  EXPECT_FALSE(rows.Get(workload_.id).ok());

  // A mapping to a project Keystone does not know fails; to one it knows
  // imports the workload and its snapshots there.
  report = Import(*fresh, {.project_mapping = {{"p2", "nowhere"}}});
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->failed.size(), 1u);
  EXPECT_NE(report->failed[0].error.find("project nowhere (mapped from p2) does not exist"), std::string::npos)
      << report->failed[0].error;
  report = Import(*fresh, {.project_ids = {"p1"}, .project_mapping = {{"p2", "p1"}}});
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->imported.size(), 1u) << (report->failed.empty() ? "" : report->failed[0].error);
  EXPECT_EQ(report->imported[0].project_id, "p1");
  EXPECT_EQ(report->imported[0].project_id_on_target, "p2");
  EXPECT_EQ(rows.Get(workload_.id)->project_id, "p1");
  for (const auto& id : snapshot_ids_) EXPECT_EQ(db::SnapshotRepository(*fresh).Get(id)->project_id, "p1");
}

TEST(TargetMetadataFromJsonTest, ReadsTheOtherImplementationsSpellingsAndNamesBadFields) {
  auto w = WorkloadFromJson(json{{"id", "w1"}, {"display_name", "legacy"}, {"project_id", "p"},
                                 {"created_at", "2024-03-01T10:00:00.000000"}, {"unknown", 1}});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->name, "legacy");
  EXPECT_EQ(FormatIso8601(w->created_at), "2024-03-01T10:00:00.000000");
  auto bad = SnapshotFromJson(json{{"id", "s1"}, {"workload_id", "w1"}, {"size", "big"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("snapshot_db.size"), std::string::npos) << bad.status().ToString();
  EXPECT_FALSE(WorkloadFromJson(json{{"id", "../x"}}).ok());
  EXPECT_FALSE(WorkloadFromJson(json::array()).ok());
  auto disk = SnapshotDiskFromJson(json{{"id", "d"}, {"vm_id", "v"}, {"resource_id", "r"}, {"device", "VDA!"}});
  EXPECT_FALSE(disk.ok());
  // A time a TimePoint cannot hold (it overflowed: found by fuzz/metadata_reader_fuzz.cc).
  auto far = SnapshotFromJson(json{{"id", "s1"}, {"workload_id", "w1"}, {"created_at", "7490-03-02T10:00:00.000000"}});
  ASSERT_FALSE(far.ok());
  EXPECT_NE(far.status().message().find("snapshot_db.created_at"), std::string::npos) << far.status().ToString();
}

}  // namespace
}  // namespace cairn::control
