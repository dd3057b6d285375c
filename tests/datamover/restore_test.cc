// In-place restore, verification of damaged backups, and the command line.
#include "datamover/restore.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "datamover/backup.h"
#include "datamover_support.h"
#include "target/layout.h"
#include "target/store.h"

namespace cairn::datamover {
namespace {

using testing::ChangingDisk;
using testing::MustRun;
using testing::Q;
using testing::TempDir;

constexpr uint64_t kSize = 4 * 1024 * 1024;

class RestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_ / "target");
    auto store = target::OpenPosixStore(dir_ / "target");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }
  BackupResult BackUp(const std::string& source, const std::string& snapshot) {
    BackupRequest req;
    req.source = source;
    req.disk = DiskRef{"w", snapshot, "v", "vda"};
    req.mode = ChangeMode::kFull;
    auto r = Backup(*store_, req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : BackupResult{};
  }
  TempDir dir_;
  std::unique_ptr<target::Store> store_;
};

TEST_F(RestoreTest, InPlaceWritesOnlyClustersThatDiffer) {
  ChangingDisk disk(dir_ / "disk.raw", kSize, 7);
  disk.RandomWrites(20);
  disk.SaveAs(dir_ / "expected.raw");
  BackUp(disk.path(), "s1");
  // The VM keeps writing: three clusters change.
  MustRun("printf 'AAAA' | dd of=" + Q(disk.path()) + " bs=1 seek=100 conv=notrunc status=none");
  MustRun("printf 'BBBB' | dd of=" + Q(disk.path()) + " bs=1 seek=$((65536 * 10 + 5)) conv=notrunc status=none");
  MustRun("printf 'CCCC' | dd of=" + Q(disk.path()) + " bs=1 seek=$((65536 * 63)) conv=notrunc status=none");
  RestoreRequest req;
  req.disk = DiskRef{"w", "s1", "v", "vda"};
  req.to = disk.path();
  req.in_place = true;
  auto r = Restore(*store_, req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->clusters_compared, kSize / 65536);
  EXPECT_EQ(r->clusters_written, 3u);
  EXPECT_TRUE(testing::SameFiles(disk.path(), dir_ / "expected.raw"));
  // A second run finds nothing to write.
  r = Restore(*store_, req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->clusters_written, 0u);
}

TEST_F(RestoreTest, InPlaceRefusesASmallerDisk) {
  ChangingDisk disk(dir_ / "disk.raw", kSize, 8);
  disk.RandomWrites(3);
  BackUp(disk.path(), "s1");
  MustRun("truncate -s 1M " + Q(disk.path()));
  RestoreRequest req;
  req.disk = DiskRef{"w", "s1", "v", "vda"};
  req.to = disk.path();
  req.in_place = true;
  auto r = Restore(*store_, req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("smaller"), std::string::npos);
}

TEST_F(RestoreTest, VerifyFindsDamagedClusters) {
  ChangingDisk disk(dir_ / "disk.raw", kSize, 9);
  disk.RandomWrites(40);
  auto b = BackUp(disk.path(), "s1");
  VerifyRequest vr;
  vr.disk = DiskRef{"w", "s1", "v", "vda"};
  auto v = Verify(*store_, vr);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok);
  EXPECT_EQ(v->clusters_checked, kSize / 65536);
  // Flip bytes inside the first data cluster of the image file (offset 64 KiB).
  const std::string image = store_->LocalPath(b.backup.image_path()).value();
  MustRun("printf 'XXXXXXXX' | dd of=" + Q(image) + " bs=1 seek=65600 conv=notrunc status=none");
  v = Verify(*store_, vr);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->clusters_bad, 1u);
  ASSERT_EQ(v->first_bad_clusters.size(), 1u);
}

TEST_F(RestoreTest, MissingBackupIsNotFoundNamingIt) {
  RestoreRequest req;
  req.disk = DiskRef{"w", "nope", "v", "vda"};
  req.to = dir_ / "out.raw";
  auto r = Restore(*store_, req);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsNotFound());
  EXPECT_NE(r.status().message().find("snapshot nope"), std::string::npos) << r.status().message();
  req.disk.snapshot = "../etc";
  EXPECT_EQ(Restore(*store_, req).status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(RestoreTest, SecondBackupOfSameDiskInSnapshotIsRefused) {
  ChangingDisk disk(dir_ / "disk.raw", kSize, 10);
  disk.RandomWrites(2);
  BackUp(disk.path(), "s1");
  BackupRequest req;
  req.source = disk.path();
  req.disk = DiskRef{"w", "s1", "v", "vda"};
  auto r = Backup(*store_, req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kAlreadyExists);
}

TEST_F(RestoreTest, LostPreviousBackupMakesAFullWithWarning) {
  ChangingDisk disk(dir_ / "disk.raw", kSize, 11);
  disk.RandomWrites(5);
  BackupRequest req;
  req.source = disk.path();
  req.disk = DiskRef{"w", "s2", "v", "vda"};
  req.previous_snapshot = "s1";  // never taken
  req.mode = ChangeMode::kScan;
  auto r = Backup(*store_, req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->incremental);
  EXPECT_NE(r->warning.find("full backup instead of scan"), std::string::npos) << r->warning;
}

TEST_F(RestoreTest, CancelledBackupLeavesNothing) {
  ChangingDisk disk(dir_ / "disk.raw", kSize, 13);
  disk.RandomWrites(5);
  std::atomic<bool> cancel{true};
  BackupRequest req;
  req.source = disk.path();
  req.disk = DiskRef{"w", "s1", "v", "vda"};
  req.cancel = &cancel;
  auto r = Backup(*store_, req);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsCancelled()) << r.status().ToString();
  auto dir = FindDiskDir(*store_, req.disk);
  ASSERT_TRUE(dir.ok());
  EXPECT_FALSE(dir->has_value()) << "left " << **dir;
}

TEST(DatamoverCliTest, BackupRestoreVerifyMergeFromTheCommandLine) {
  TempDir dir;
  const std::string bin = CAIRN_DATAMOVER_BINARY;
  ChangingDisk disk(dir / "disk.raw", kSize, 12);
  disk.RandomWrites(10);
  disk.SaveAs(dir / "s1.raw");
  const std::string common = " --target " + Q(dir / "target") + " --workload w --vm v --disk vda --no-progress";
  MustRun("mkdir -p " + Q(dir / "target"));
  auto r = testing::Run(bin + " backup" + common + " --snapshot s1 --source " + Q(disk.path()) + " --mode full --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["type"], "full");
  disk.RandomWrites(2);
  disk.SaveAs(dir / "s2.raw");
  r = testing::Run(bin + " backup" + common + " --snapshot s2 --previous s1 --source " + Q(disk.path()) +
                   " --compress zstd --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["type"], "incremental");
  EXPECT_EQ(j["mode"], "scan");

  r = testing::Run(bin + " verify" + common + " --snapshot s2 --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(nlohmann::json::parse(r.output)["ok"], true);
  r = testing::Run(bin + " merge" + common + " --snapshot s1 --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = testing::Run(bin + " restore" + common + " --snapshot s2 --to " + Q(dir / "out.raw"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(testing::SameFiles(dir / "out.raw", dir / "s2.raw"));

  // Errors: one line naming the problem, non-zero exit.
  r = testing::Run(bin + " backup" + common + " --snapshot 'bad/id' --source " + Q(disk.path()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("snapshot id"), std::string::npos) << r.output;
  r = testing::Run(bin + " backup" + common + " --snapshot s3 --mode sideways --source " + Q(disk.path()));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--mode"), std::string::npos) << r.output;
  r = testing::Run(bin + " restore" + common + " --snapshot s1 --to " + Q(dir / "x.raw"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("no backup of"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace cairn::datamover
