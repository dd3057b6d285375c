// Full and incremental backups in every change-detection mode, checked by
// qemu-img, restored by Cairn, verified, and merged.
#include "datamover/backup.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "datamover/merge.h"
#include "datamover/restore.h"
#include "datamover_support.h"
#include "target/store.h"

namespace cairn::datamover {
namespace {

using testing::ChangingDisk;
using testing::ExpectQemuCheckClean;
using testing::ExpectQemuReadsAs;
using testing::MustRun;
using testing::Q;
using testing::TempDir;

constexpr uint64_t kDiskSize = 6 * 1024 * 1024 + 4608;  // not a whole number of clusters
constexpr int kSnapshots = 5;

std::vector<char> ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<char>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

std::string SnapshotId(int i) { return "snap" + std::to_string(i); }

DiskRef Ref(int snapshot) { return DiskRef{"wl1", SnapshotId(snapshot), "vm1", "vda"}; }

// Changes the disk the way snapshot `i` finds it.
void ChangeDisk(ChangingDisk& disk, int i) {
  if (i == 0) {
    disk.RandomWrites(30);
    return;
  }
  disk.RandomWrites(6);
  disk.ZeroRange((i * 700 * 1024) % (kDiskSize - 200 * 1024), 200 * 1024);  // became zeros
  disk.Discard((i * 1100 * 1024) % (kDiskSize - 256 * 1024), 256 * 1024);   // discarded
}

class BackupModeTest : public ::testing::TestWithParam<ChangeMode> {
 protected:
  void SetUp() override {
    auto store = target::OpenPosixStore(dir_ / "target");
    if (!store.ok()) {
      std::filesystem::create_directories(dir_ / "target");
      store = target::OpenPosixStore(dir_ / "target");
    }
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }

  // The source handed to the datamover for snapshot i. In overlay mode it is
  // a qcow2 overlay holding exactly the writes since the previous snapshot,
  // as a libvirt external snapshot leaves it.
  std::string SourceFor(ChangingDisk& disk, int i) {
    if (GetParam() != ChangeMode::kOverlay) return disk.path();
    const std::string overlay = dir_ / ("overlay" + std::to_string(i) + ".qcow2");
    if (i == 0) {
      MustRun("qemu-img convert -q -f raw -O qcow2 " + Q(disk.path()) + " " + Q(overlay));
      return overlay;
    }
    // A fresh overlay over the previous one receives exactly the clusters
    // that changed since then (zeros as zero writes), as a guest's writes would.
    const std::string prev = dir_ / ("overlay" + std::to_string(i - 1) + ".qcow2");
    MustRun("qemu-img create -q -f qcow2 -b " + Q(prev) + " -F qcow2 " + Q(overlay));
    const auto before = ReadAll(dir_ / ("expected" + std::to_string(i - 1) + ".raw"));
    const auto now = ReadAll(disk.path());
    const uint64_t cs = 65536;
    std::string commands;
    for (uint64_t c = 0; c * cs < now.size();) {
      auto differs = [&](uint64_t k) {
        const uint64_t off = k * cs, len = std::min<uint64_t>(cs, now.size() - off);
        return std::memcmp(before.data() + off, now.data() + off, len) != 0;
      };
      if (!differs(c)) {
        ++c;
        continue;
      }
      uint64_t e = c;
      while (e * cs < now.size() && differs(e)) ++e;
      const uint64_t off = c * cs, len = std::min<uint64_t>(e * cs, now.size()) - off;
      const bool zero = std::all_of(now.begin() + off, now.begin() + off + len, [](char x) { return x == 0; });
      if (zero) {
        commands += " -c 'write -q -z " + std::to_string(off) + " " + std::to_string(len) + "'";
      } else {
        const std::string piece = dir_ / ("piece" + std::to_string(off));
        std::ofstream(piece, std::ios::binary).write(now.data() + off, static_cast<std::streamsize>(len));
        commands += " -c 'write -q -s " + piece + " " + std::to_string(off) + " " + std::to_string(len) + "'";
      }
      c = e;
    }
    if (!commands.empty()) MustRun("qemu-io -f qcow2" + commands + " " + Q(overlay));
    return overlay;
  }

  TempDir dir_;
  std::unique_ptr<target::Store> store_;
};

TEST_P(BackupModeTest, IncrementalChainsRestoreExactlyAndSurviveMerges) {
  const ChangeMode mode = GetParam();
  ChangingDisk disk(dir_ / "disk.raw", kDiskSize, 1234);
  std::vector<DiskBackup> backups;
  for (int i = 0; i < kSnapshots; ++i) {
    ChangeDisk(disk, i);
    disk.SaveAs(dir_ / ("expected" + std::to_string(i) + ".raw"));
    BackupRequest req;
    req.source = SourceFor(disk, i);
    req.disk = Ref(i);
    req.mode = mode;
    if (i > 0) req.previous_snapshot = SnapshotId(i - 1);
    if (i % 2 == 1) req.compression = qcow2::CompressionType::kZstd;
    uint64_t last_done = 0;
    req.progress = [&](uint64_t done, uint64_t total) {
      EXPECT_LE(done, total);
      last_done = done;
    };
    auto r = Backup(*store_, req);
    ASSERT_TRUE(r.ok()) << "snapshot " << i << ": " << r.status().ToString();
    EXPECT_EQ(last_done, kDiskSize);
    EXPECT_EQ(r->incremental, i > 0 && mode != ChangeMode::kFull) << i;
    if (i == 0 && mode != ChangeMode::kFull) {
      EXPECT_NE(r->warning.find("no previous snapshot"), std::string::npos);
    }
    if (r->incremental) {
      // Only the changes are stored.
      EXPECT_LT(r->bytes_written, kDiskSize / 2) << i;
      EXPECT_GT(r->clusters_changed, 0u) << i;
    }
    if (mode == ChangeMode::kOverlay && i > 0) {
      EXPECT_LT(r->bytes_read, kDiskSize / 2) << "overlay mode reads only the overlay's clusters";
    }
    backups.push_back(r->backup);
    const std::string image = store_->LocalPath(r->backup.image_path()).value();
    ExpectQemuCheckClean(image);
    ExpectQemuReadsAs(image, dir_ / ("expected" + std::to_string(i) + ".raw"), dir_ / "scratch.raw");
    if (r->incremental) {
      auto info = testing::Run("qemu-img info " + Q(image));
      EXPECT_NE(info.output.find("backing file: ../../../snapshot_" + SnapshotId(i - 1)), std::string::npos)
          << info.output;
    }
  }

  // Every snapshot restores (raw and qcow2) and verifies.
  auto expect_all_restore = [&](const std::vector<int>& alive, const std::string& when) {
    for (int i : alive) {
      RestoreRequest rr;
      rr.disk = Ref(i);
      rr.to = dir_ / "restored.raw";
      auto r = Restore(*store_, rr);
      ASSERT_TRUE(r.ok()) << when << " snapshot " << i << ": " << r.status().ToString();
      MustRun("truncate -s " + std::to_string(kDiskSize) + " " + Q(rr.to));
      EXPECT_TRUE(testing::SameFiles(rr.to, dir_ / ("expected" + std::to_string(i) + ".raw")))
          << when << ": snapshot " << i << " restores wrong";
      VerifyRequest vr;
      vr.disk = Ref(i);
      auto v = Verify(*store_, vr);
      ASSERT_TRUE(v.ok()) << v.status().ToString();
      EXPECT_TRUE(v->ok) << when << ": snapshot " << i << " fails verification: " << v->clusters_bad << " bad, "
                         << (v->structure_problems.empty() ? "" : v->structure_problems[0]);
      ExpectQemuCheckClean(store_->LocalPath(v->backup.image_path()).value());
    }
  };
  expect_all_restore({0, 1, 2, 3, 4}, "before merges");

  // Restore to qcow2 as well.
  {
    RestoreRequest rr;
    rr.disk = Ref(kSnapshots - 1);
    rr.to = dir_ / "restored.qcow2";
    rr.format = qcow2::OutputFormat::kQcow2;
    ASSERT_TRUE(Restore(*store_, rr).ok());
    ExpectQemuCheckClean(rr.to);
    ExpectQemuReadsAs(rr.to, dir_ / ("expected" + std::to_string(kSnapshots - 1) + ".raw"), dir_ / "scratch.raw");
  }

  // Drop the middle snapshot, then the oldest, then the newest: the others
  // stay bit-exact each time.
  std::vector<int> alive = {0, 1, 2, 3, 4};
  for (int drop : {2, 0, 4}) {
    MergeRequest mr;
    mr.disk = Ref(drop);
    auto m = Merge(*store_, mr);
    ASSERT_TRUE(m.ok()) << "merge " << drop << ": " << m.status().ToString();
    alive.erase(std::find(alive.begin(), alive.end(), drop));
    EXPECT_FALSE(FindDiskBackup(*store_, Ref(drop)).ok()) << "snapshot " << drop << " still published";
    expect_all_restore(alive, "after dropping " + std::to_string(drop));
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, BackupModeTest,
                         ::testing::Values(ChangeMode::kFull, ChangeMode::kScan, ChangeMode::kOverlay),
                         [](const auto& info) { return std::string(ChangeModeName(info.param)); });

}  // namespace
}  // namespace cairn::datamover
