// A tampered target: backing names that point out of the workload, links and
// raw files in a chain, and data that no longer matches its manifest. Every
// restore path refuses them, naming the image, and writes none of the data.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "datamover/backup.h"
#include "datamover/checked_disk.h"
#include "datamover/restore.h"
#include "datamover_support.h"
#include "qcow2/convert.h"
#include "qcow2/open.h"
#include "target/store.h"

namespace cairn::datamover {
namespace {

using testing::ChangingDisk;
using testing::MustRun;
using testing::Q;
using testing::TempDir;

constexpr uint64_t kSize = 4 * 1024 * 1024;
constexpr std::string_view kSecret = "FOREIGN-SECRET-BYTES";

class UntrustedTargetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_ / "target";
    std::filesystem::create_directories(root_);
    auto store = target::OpenPosixStore(root_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    disk_ = std::make_unique<ChangingDisk>(dir_ / "disk.raw", kSize, 11);
    disk_->RandomWrites(30);
    disk_->Discard(3 * 1024 * 1024, 512 * 1024);  // a hole the full does not store
    disk_->SaveAs(dir_ / "s1.raw");
    full_ = BackUp("s1", std::nullopt);
    disk_->RandomWrites(5);
    disk_->SaveAs(dir_ / "s2.raw");
    incremental_ = BackUp("s2", "s1");
    // A file full of someone else's data, as raw and as qcow2.
    {
      std::ofstream f(dir_ / "foreign.raw", std::ios::binary);
      for (int i = 0; i < 4096; ++i) f << kSecret;
    }
    MustRun("qemu-img convert -q -O qcow2 " + Q(dir_ / "foreign.raw") + " " + Q(dir_ / "foreign.qcow2"));
  }

  BackupResult BackUp(const std::string& snapshot, std::optional<std::string> previous) {
    BackupRequest req;
    req.source = disk_->path();
    req.disk = DiskRef{"w", snapshot, "v", "vda"};
    req.mode = previous ? ChangeMode::kScan : ChangeMode::kFull;
    req.previous_snapshot = previous;
    auto r = Backup(*store_, req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : BackupResult{};
  }
  std::string Local(const DiskBackup& b) const { return root_ + "/" + b.image_path(); }
  // Rewrites the backing name in the header of the incremental's image, as
  // someone who can write the target would.
  void Rebase(const std::string& name, const std::string& format) {
    MustRun("qemu-img rebase -u -b " + Q(name) + (format.empty() ? "" : " -F " + format) + " " +
            Q(Local(incremental_.backup)));
  }
  // Turns the backing format header extension (magic 0xe2792aca) into an
  // unknown one, which readers skip: the image names no backing format.
  static void HideBackingFormat(const std::string& image) {
    std::fstream f(image, std::ios::in | std::ios::out | std::ios::binary);
    std::string head(65536, '\0');
    f.read(head.data(), static_cast<std::streamsize>(head.size()));
    const size_t at = head.find("\xe2\x79\x2a\xca", 104);
    ASSERT_NE(at, std::string::npos) << image << " has no backing format extension";
    f.clear();
    f.seekp(static_cast<std::streamoff>(at));
    f.write("\x6b\x6b\x6b\x6b", 4);
  }
  // The host offset of a data cluster held by `image` itself.
  uint64_t DataClusterOffset(const std::string& image) {
    qcow2::OpenOptions o;
    o.follow_backing = false;
    auto d = qcow2::OpenDisk(image, o);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    auto extents = (*d)->Map(0, kSize);
    EXPECT_TRUE(extents.ok());
    for (const auto& e : *extents)
      if (e.kind == qcow2::ExtentKind::kData && e.depth == 0 && !e.compressed) return e.host_offset;
    ADD_FAILURE() << image << " has no data cluster";
    return 0;
  }
  void FlipBytes(const std::string& image, uint64_t at) {
    MustRun("printf 'XXXXXXXX' | dd of=" + Q(image) + " bs=1 seek=" + std::to_string(at + 100) +
            " conv=notrunc status=none");
  }
  Result<RestoreResult> RestoreTo(const std::string& snapshot, const std::string& to, qcow2::OutputFormat format,
                                  bool in_place = false) {
    RestoreRequest req;
    req.disk = DiskRef{"w", snapshot, "v", "vda"};
    req.to = to;
    req.format = format;
    req.in_place = in_place;
    return Restore(*store_, req);
  }
  // Every output path refuses the incremental with an error naming its image,
  // and nothing of the foreign file reaches any output.
  void ExpectEveryRestoreRefused(const std::string& what) {
    const std::string image = incremental_.backup.image_path();
    for (auto format : {qcow2::OutputFormat::kRaw, qcow2::OutputFormat::kQcow2}) {
      const std::string out = dir_ / "out.img";
      auto r = RestoreTo("s2", out, format);
      ASSERT_FALSE(r.ok()) << what << ": the restore was not refused";
      EXPECT_NE(r.status().message().find(image), std::string::npos) << r.status().ToString();
      EXPECT_FALSE(std::filesystem::exists(out)) << what;
    }
    MustRun("truncate -s 0 " + Q(dir_ / "inplace.raw") + " && truncate -s " + std::to_string(kSize) + " " +
            Q(dir_ / "inplace.raw"));
    auto r = RestoreTo("s2", dir_ / "inplace.raw", qcow2::OutputFormat::kRaw, /*in_place=*/true);
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_NE(r.status().message().find(image), std::string::npos) << r.status().ToString();
    EXPECT_FALSE(FileContains(dir_ / "inplace.raw", kSecret)) << what;
    VerifyRequest vr;
    vr.disk = DiskRef{"w", "s2", "v", "vda"};
    EXPECT_FALSE(Verify(*store_, vr).ok()) << what;
    // The full below it is untouched and still restores.
    auto full = RestoreTo("s1", dir_ / "s1-out.raw", qcow2::OutputFormat::kRaw);
    ASSERT_TRUE(full.ok()) << full.status().ToString();
    EXPECT_TRUE(testing::SameFiles(dir_ / "s1-out.raw", dir_ / "s1.raw"));
    std::filesystem::remove(dir_ / "s1-out.raw");
  }
  static bool FileContains(const std::string& path, std::string_view needle) {
    std::ifstream f(path, std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    return data.find(needle) != std::string::npos;
  }

  TempDir dir_;
  std::string root_;
  std::unique_ptr<target::Store> store_;
  std::unique_ptr<ChangingDisk> disk_;
  BackupResult full_, incremental_;
};

TEST_F(UntrustedTargetTest, TheUntamperedChainRestoresExactly) {
  auto r = RestoreTo("s2", dir_ / "out.raw", qcow2::OutputFormat::kRaw);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(testing::SameFiles(dir_ / "out.raw", dir_ / "s2.raw"));
  auto q = RestoreTo("s2", dir_ / "out.qcow2", qcow2::OutputFormat::kQcow2);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  testing::ExpectQemuReadsAs(dir_ / "out.qcow2", dir_ / "s2.raw", dir_ / "scratch.raw");
}

TEST_F(UntrustedTargetTest, AnAbsoluteBackingNameIsRefused) {
  Rebase(dir_ / "foreign.qcow2", "qcow2");
  ExpectEveryRestoreRefused("absolute backing name");
}

TEST_F(UntrustedTargetTest, ABackingNameClimbingOutOfTheWorkloadIsRefused) {
  // Into another workload's directory on the same target.
  std::filesystem::create_directories(root_ + "/workload_other");
  std::filesystem::copy_file(dir_ / "foreign.qcow2", root_ + "/workload_other/disk.qcow2");
  Rebase("../../../../workload_other/disk.qcow2", "qcow2");
  ExpectEveryRestoreRefused("backing name into another workload");
  // And past the target's root.
  Rebase("../../../../../../foreign.qcow2", "qcow2");
  ExpectEveryRestoreRefused("backing name out of the target");
}

TEST_F(UntrustedTargetTest, ASymlinkInTheSnapshotDirectoryIsNotFollowed) {
  const std::string dir = std::filesystem::path(Local(incremental_.backup)).parent_path();
  std::filesystem::create_symlink(dir_ / "foreign.qcow2", dir + "/link.qcow2");
  Rebase("link.qcow2", "qcow2");
  ExpectEveryRestoreRefused("backing file that is a symbolic link");
}

TEST_F(UntrustedTargetTest, ARawBackingFileIsRefused) {
  const std::string dir = std::filesystem::path(Local(incremental_.backup)).parent_path();
  std::filesystem::copy_file(dir_ / "foreign.raw", dir + "/planted.raw");
  Rebase("planted.raw", "raw");
  ExpectEveryRestoreRefused("backing file declared raw");
  // Without a format (qemu-img no longer writes such images: the backing
  // format extension's magic is overwritten, readers skip unknown ones), the
  // backing file is still opened as qcow2 only, never probed as raw.
  HideBackingFormat(Local(incremental_.backup));
  ExpectEveryRestoreRefused("backing file without a format");
}

TEST_F(UntrustedTargetTest, ADamagedClusterOfTheIncrementalFailsEveryRestorePath) {
  FlipBytes(Local(incremental_.backup), DataClusterOffset(Local(incremental_.backup)));
  for (auto format : {qcow2::OutputFormat::kRaw, qcow2::OutputFormat::kQcow2}) {
    auto r = RestoreTo("s2", dir_ / "out.img", format);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kCorruption) << r.status().ToString();
    EXPECT_NE(r.status().message().find(incremental_.backup.image_path()), std::string::npos);
    EXPECT_NE(r.status().message().find("guest offset"), std::string::npos) << r.status().ToString();
    EXPECT_FALSE(std::filesystem::exists(dir_ / "out.img"));
  }
  // In place onto an empty disk: every cluster with data differs and is read.
  MustRun("truncate -s " + std::to_string(kSize) + " " + Q(dir_ / "inplace.raw"));
  auto r = RestoreTo("s2", dir_ / "inplace.raw", qcow2::OutputFormat::kRaw, /*in_place=*/true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kCorruption);
  // The full below is untouched and restores exactly.
  auto full = RestoreTo("s1", dir_ / "s1-out.raw", qcow2::OutputFormat::kRaw);
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  EXPECT_TRUE(testing::SameFiles(dir_ / "s1-out.raw", dir_ / "s1.raw"));
}

TEST_F(UntrustedTargetTest, ADamagedClusterOfTheFullFailsTheFullAndTheIncremental) {
  // A cluster of the full that the incremental does not hold itself.
  qcow2::OpenOptions o;
  auto chain = qcow2::OpenDisk(Local(incremental_.backup), o);
  ASSERT_TRUE(chain.ok());
  auto extents = (*chain)->Map(0, kSize);
  ASSERT_TRUE(extents.ok());
  uint64_t host = 0;
  for (const auto& e : *extents)
    if (e.kind == qcow2::ExtentKind::kData && e.depth == 1 && !e.compressed) {
      host = e.host_offset;
      break;
    }
  ASSERT_NE(host, 0u);
  FlipBytes(Local(full_.backup), host);
  for (const std::string snapshot : {"s1", "s2"}) {
    for (auto format : {qcow2::OutputFormat::kRaw, qcow2::OutputFormat::kQcow2}) {
      auto r = RestoreTo(snapshot, dir_ / "out.img", format);
      ASSERT_FALSE(r.ok()) << snapshot;
      EXPECT_EQ(r.status().code(), ErrorCode::kCorruption) << r.status().ToString();
    }
  }
}

TEST_F(UntrustedTargetTest, AZeroRangeTheManifestSaysHoldsDataIsCorruption) {
  // The manifest says a cluster holds data, the image says it is unallocated
  // (an L2 entry cleared): the restore must not write zeros as good data.
  auto m = LoadManifest(*store_, full_.backup);
  ASSERT_TRUE(m.ok());
  qcow2::OpenOptions o;
  auto image = qcow2::OpenDisk(Local(full_.backup), o);
  ASSERT_TRUE(image.ok());
  auto extents = (*image)->Map(0, kSize);
  ASSERT_TRUE(extents.ok());
  uint64_t hole = UINT64_MAX;
  for (const auto& e : *extents)
    if (e.kind != qcow2::ExtentKind::kData && e.length >= m->cluster_size) {
      hole = (e.offset + m->cluster_size - 1) / m->cluster_size;
      break;
    }
  ASSERT_NE(hole, UINT64_MAX);
  m->hashes[hole] = Hash128{1, 2};
  const ManifestCheckedDisk checked(**image, *m, "the image");
  qcow2::ConvertOptions opts;
  opts.format = qcow2::OutputFormat::kRaw;
  auto r = qcow2::ConvertDisk(checked, dir_ / "out.raw", opts);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kCorruption);
  EXPECT_NE(r.status().message().find("cluster " + std::to_string(hole)), std::string::npos) << r.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out.raw"));
}

}  // namespace
}  // namespace cairn::datamover
