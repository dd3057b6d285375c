// A merge checks the target's free space before it builds the merged image:
// on a target too full for it, it fails naming the need and changes nothing;
// a backup without a child needs no room and is removed whole.
#include <gmock/gmock.h>

#include "datamover/backup.h"
#include "datamover/catalog.h"
#include "datamover/merge.h"
#include "datamover_support.h"
#include "target/store.h"

namespace cairn::datamover {
namespace {

using ::testing::HasSubstr;
using namespace cairn::datamover::testing;

// A POSIX store that reports `free_bytes` of free space.
class SmallStore : public target::Store {
 public:
  SmallStore(target::Store& inner, uint64_t free_bytes) : inner_(inner), free_(free_bytes) {}
  std::string Describe() const override { return inner_.Describe(); }
  Result<std::unique_ptr<File>> OpenForRead(const std::string& p) override { return inner_.OpenForRead(p); }
  Result<std::unique_ptr<File>> Create(const std::string& p) override { return inner_.Create(p); }
  Status WriteAtomic(const std::string& p, std::span<const std::byte> d) override { return inner_.WriteAtomic(p, d); }
  Result<std::string> ReadSmall(const std::string& p, uint64_t max) override { return inner_.ReadSmall(p, max); }
  Status Rename(const std::string& f, const std::string& t) override { return inner_.Rename(f, t); }
  Result<bool> Exists(const std::string& p) override { return inner_.Exists(p); }
  Result<std::vector<std::string>> List(const std::string& d) override { return inner_.List(d); }
  Status Remove(const std::string& p) override { return inner_.Remove(p); }
  Status RemoveAll(const std::string& d) override { return inner_.RemoveAll(d); }
  Result<uint64_t> FreeSpace() override { return free_; }
  Status SyncDirectory(const std::string& d) override { return inner_.SyncDirectory(d); }
  Result<std::unique_ptr<target::WorkloadLock>> LockWorkload(const std::string& w,
                                                             std::chrono::milliseconds t) override {
    return inner_.LockWorkload(w, t);
  }
  Result<std::string> LocalPath(const std::string& p) const override { return inner_.LocalPath(p); }

 private:
  target::Store& inner_;
  uint64_t free_;
};

constexpr uint64_t kDiskSize = 8 << 20;
const std::string kWorkload = "w-space";

DiskRef Ref(int i) { return {kWorkload, "s" + std::to_string(i), "vm1", "vda"}; }
MergeRequest Request(int i) {
  MergeRequest r;
  r.disk = Ref(i);
  return r;
}

class MergeSpaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_ / "target");
    auto store = target::OpenPosixStore(dir_ / "target");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }
  // Snapshot i of a disk that gets some random writes before each.
  void BackUp(ChangingDisk& disk, int i) {
    disk.RandomWrites(10);
    BackupRequest req;
    req.source = disk.path();
    req.disk = Ref(i);
    req.mode = ChangeMode::kScan;
    if (i > 0) req.previous_snapshot = Ref(i - 1).snapshot;
    auto r = Backup(*store_, req);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  TempDir dir_;
  std::unique_ptr<target::Store> store_;
};

TEST_F(MergeSpaceTest, ATargetTooFullForTheMergedImageFailsNamingTheNeedAndChangesNothing) {
  ChangingDisk disk(dir_ / "disk.raw", kDiskSize, 7);
  BackUp(disk, 0);
  BackUp(disk, 1);
  auto child_before = FindDiskBackup(*store_, Ref(1));
  ASSERT_TRUE(child_before.ok());
  const std::string child_image = (dir_ / "target") + "/" + child_before->image_path();
  const auto child_size = std::filesystem::file_size(child_image);

  SmallStore full(*store_, 4096);
  auto refused = Merge(full, Request(0));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kOutOfRange);
  EXPECT_THAT(refused.status().message(), HasSubstr("needs up to"));
  EXPECT_THAT(refused.status().message(), HasSubstr("free on the target"));
  EXPECT_THAT(refused.status().message(), HasSubstr("nothing was changed"));
  EXPECT_TRUE(FindDiskBackup(*store_, Ref(0)).ok());
  EXPECT_TRUE(FindDiskBackup(*store_, Ref(1)).ok());
  EXPECT_EQ(std::filesystem::file_size(child_image), child_size);

  // With the room, the same merge goes through.
  SmallStore roomy(*store_, uint64_t{1} << 40);
  auto merged = Merge(roomy, Request(0));
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_TRUE(merged->child.has_value());
  EXPECT_FALSE(FindDiskBackup(*store_, Ref(0)).ok());
}

TEST_F(MergeSpaceTest, ABackupWithoutAChildIsRemovedWholeOnAFullTarget) {
  ChangingDisk disk(dir_ / "disk.raw", kDiskSize, 8);
  BackUp(disk, 0);
  BackUp(disk, 1);
  SmallStore full(*store_, 0);
  // The newest has no child: nothing to merge, no room needed.
  auto removed = Merge(full, Request(1));
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_FALSE(removed->child.has_value());
  EXPECT_FALSE(FindDiskBackup(*store_, Ref(1)).ok());
  EXPECT_TRUE(FindDiskBackup(*store_, Ref(0)).ok());
}

}  // namespace
}  // namespace cairn::datamover
