// NbdDisk against qemu-nbd exports of local qcow2 files, and backups read
// through it: full, and incremental from a qcow2 dirty bitmap (kBitmap),
// checked by qemu-img.
#include "datamover/libvirt/nbd_disk.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <thread>

#include "datamover/backup.h"
#include "datamover/datamover_support.h"
#include "target/store.h"

namespace cairn::datamover::libvirt {
namespace {

using datamover::testing::ExpectQemuCheckClean;
using datamover::testing::ExpectQemuReadsAs;
using datamover::testing::MustRun;
using datamover::testing::Q;
using datamover::testing::TempDir;

constexpr uint64_t kMiB = 1024 * 1024;

// A read-only qemu-nbd export of a qcow2 file (optionally with a dirty
// bitmap) on a unix socket, stopped on destruction.
class QemuNbd {
 public:
  QemuNbd(const TempDir& dir, const std::string& image, const std::string& bitmap = "")
      : socket_(dir / "nbd.sock"), pid_file_(dir / "nbd.pid") {
    std::string cmd = "qemu-nbd -r -f qcow2 -x vda --shared=8 --persistent --fork --socket=" + Q(socket_) +
                      " --pid-file=" + Q(pid_file_);
    if (!bitmap.empty()) cmd += " -B " + Q(bitmap);
    // qemu-nbd's forked server keeps its output open: send it to a file, or
    // reading the command's output would wait for the server to end.
    const std::string log = dir / "nbd.log";
    auto r = datamover::testing::Run(cmd + " " + Q(image) + " >" + Q(log));
    EXPECT_EQ(r.exit_code, 0) << cmd << "\n" << r.output;
  }
  ~QemuNbd() {
    std::ifstream in(pid_file_);
    pid_t pid = 0;
    if (in >> pid && pid > 0) {
      ::kill(pid, SIGTERM);
      for (int i = 0; i < 100 && ::kill(pid, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::filesystem::remove(socket_);
    std::filesystem::remove(pid_file_);
  }
  QemuNbd(const QemuNbd&) = delete;
  QemuNbd& operator=(const QemuNbd&) = delete;
  const std::string& socket() const { return socket_; }

 private:
  std::string socket_;
  std::string pid_file_;
};

void QemuIo(const std::string& image, const std::vector<std::string>& commands) {
  std::string cmd = "qemu-io -f qcow2";
  for (const auto& c : commands) cmd += " -c " + Q(c);
  MustRun(cmd + " " + Q(image));
}

NbdDiskOptions Options(const std::string& socket, const std::string& export_name, const std::string& bitmap = "") {
  NbdDiskOptions o;
  o.socket = socket;
  o.export_name = export_name;
  o.dirty_bitmap = bitmap;
  o.connections = 3;
  return o;
}

class NbdBackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_ / "target");
    auto store = target::OpenPosixStore(dir_ / "target");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    image_ = dir_ / "disk.qcow2";
    MustRun("qemu-img create -q -f qcow2 " + Q(image_) + " 16M");
    QemuIo(image_, {"write -P 0x11 0 1M", "write -P 0x22 4M 512k", "write -P 0x23 15M 1M"});
  }

  std::unique_ptr<NbdDisk> Open(const QemuNbd& nbd, const std::string& bitmap = "") {
    auto disk = NbdDisk::Open(Options(nbd.socket(), "vda", bitmap));
    EXPECT_TRUE(disk.ok()) << disk.status().ToString();
    return disk.ok() ? std::move(*disk) : nullptr;
  }

  BackupRequest Request(const NbdDisk& disk, const std::string& snapshot) {
    BackupRequest r;
    r.source = "test:vda";
    r.source_disk = &disk;
    r.disk = DiskRef{"wl1", snapshot, "vm1", "vda"};
    r.threads = 3;
    return r;
  }

  std::string ImagePath(const BackupResult& r) { return (dir_ / "target") + "/" + r.backup.image_path(); }

  TempDir dir_;
  std::unique_ptr<target::Store> store_;
  std::string image_;
};

TEST_F(NbdBackupTest, ReadsAndMapsTheExport) {
  QemuIo(image_, {"write -z 4M 64k"});
  QemuNbd nbd(dir_, image_);
  auto disk = Open(nbd);
  ASSERT_NE(disk, nullptr);
  EXPECT_EQ(disk->virtual_size(), 16 * kMiB);
  EXPECT_EQ(disk->format(), "raw");

  std::vector<std::byte> buf(2 * kMiB);
  ASSERT_TRUE(disk->Read(0, buf).ok());
  EXPECT_EQ(buf[0], std::byte{0x11});
  EXPECT_EQ(buf[kMiB - 1], std::byte{0x11});
  EXPECT_EQ(buf[kMiB], std::byte{0});
  EXPECT_TRUE(disk->Read(15 * kMiB, std::span(buf).first(kMiB)).ok());
  EXPECT_EQ(buf[0], std::byte{0x23});
  EXPECT_EQ(disk->Read(15 * kMiB, buf).code(), ErrorCode::kOutOfRange);

  auto map = disk->Map(0, disk->virtual_size());
  ASSERT_TRUE(map.ok()) << map.status().ToString();
  auto kind_at = [&](uint64_t off) {
    for (const auto& e : *map)
      if (off >= e.offset && off < e.end()) return e.kind;
    ADD_FAILURE() << "no extent at " << off;
    return qcow2::ExtentKind::kData;
  };
  EXPECT_EQ(kind_at(0), qcow2::ExtentKind::kData);
  EXPECT_EQ(kind_at(2 * kMiB), qcow2::ExtentKind::kUnallocated);
  // A qcow2 zero cluster (write -z) is HOLE|ZERO over NBD, like unallocated space.
  EXPECT_NE(kind_at(4 * kMiB), qcow2::ExtentKind::kData);
  EXPECT_EQ(kind_at(4 * kMiB + 64 * 1024), qcow2::ExtentKind::kData);
  EXPECT_EQ(map->front().offset, 0u);
  EXPECT_EQ(map->back().end(), 16 * kMiB);
  // A partial map is clipped to the range.
  auto part = disk->Map(kMiB - 512, 1024);
  ASSERT_TRUE(part.ok());
  ASSERT_EQ(part->size(), 2u);
  EXPECT_EQ((*part)[0].offset, kMiB - 512);
  EXPECT_EQ((*part)[1].end(), kMiB + 512);

  // Reads in parallel over the pool.
  std::vector<std::thread> readers;
  std::atomic<int> bad{0};
  for (int t = 0; t < 6; ++t) {
    readers.emplace_back([&, t] {
      std::vector<std::byte> b(256 * 1024);
      for (int i = 0; i < 20; ++i) {
        if (!disk->Read((t * 20 + i) % 60 * 256 * 1024, b).ok()) ++bad;
      }
    });
  }
  for (auto& r : readers) r.join();
  EXPECT_EQ(bad.load(), 0);

  // No bitmap was negotiated.
  EXPECT_TRUE(disk->DirtyExtents().status().IsNotFound());
}

TEST_F(NbdBackupTest, MissingExportOrBitmap) {
  QemuNbd nbd(dir_, image_);
  EXPECT_FALSE(NbdDisk::Open(Options(nbd.socket(), "nope")).ok());
  EXPECT_TRUE(NbdDisk::Open(Options(nbd.socket(), "vda", "cp9")).status().IsNotFound());
  EXPECT_EQ(NbdDisk::Open(Options(dir_ / "no.sock", "vda")).status().code(), ErrorCode::kUnavailable);
}

TEST_F(NbdBackupTest, FullThenBitmapIncremental) {
  // The full backup reads the disk as the checkpoint "cp1" starts recording.
  MustRun("qemu-img bitmap --add --enable " + Q(image_) + " cp1");
  BackupResult full;
  {
    QemuNbd nbd(dir_, image_);
    auto disk = Open(nbd);
    ASSERT_NE(disk, nullptr);
    BackupRequest r = Request(*disk, "s1");
    r.mode = ChangeMode::kFull;
    r.checkpoint = "cp1";
    auto res = Backup(*store_, r);
    ASSERT_TRUE(res.ok()) << res.status().ToString();
    full = *res;
    EXPECT_FALSE(full.incremental);
    EXPECT_EQ(full.bytes_written, 2 * kMiB + 512 * 1024);
    ExpectQemuCheckClean(ImagePath(full));
    MustRun("qemu-img convert -O raw " + Q(image_) + " " + Q(dir_ / "s1.raw"));
    ExpectQemuReadsAs(ImagePath(full), dir_ / "s1.raw", dir_ / "scratch.raw");
  }

  // The guest writes: new data, data over old data, a zeroed range, a write
  // past everything stored so far.
  QemuIo(image_, {"write -P 0x33 1M 128k", "write -P 0x34 100k 4k", "write -z 4M 64k", "write -P 0x35 10M 4k"});
  MustRun("qemu-img convert -O raw " + Q(image_) + " " + Q(dir_ / "s2.raw"));
  MustRun("qemu-img bitmap --add --enable " + Q(image_) + " cp2");

  QemuNbd nbd(dir_, image_, "cp1");
  auto disk = Open(nbd, "cp1");
  ASSERT_NE(disk, nullptr);
  auto dirty = disk->DirtyExtents();
  ASSERT_TRUE(dirty.ok()) << dirty.status().ToString();
  const std::vector<ChangedRange> expected = {
      {64 * 1024, 64 * 1024}, {kMiB, 128 * 1024}, {4 * kMiB, 64 * 1024}, {10 * kMiB, 64 * 1024}};
  EXPECT_EQ(*dirty, expected);

  BackupRequest r = Request(*disk, "s2");
  r.mode = ChangeMode::kBitmap;
  r.previous_snapshot = "s1";
  r.changed = *dirty;
  r.changes_since = "cp1";
  r.checkpoint = "cp2";
  auto res = Backup(*store_, r);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_TRUE(res->incremental);
  EXPECT_EQ(res->mode, ChangeMode::kBitmap);
  EXPECT_TRUE(res->warning.empty()) << res->warning;
  EXPECT_EQ(res->clusters_changed, 5u);               // 1 + 2 + 1 zeroed + 1
  EXPECT_EQ(res->bytes_read, 4u * 64 * 1024);         // the zeroed cluster is known from the map
  EXPECT_EQ(res->bytes_written, 4u * 64 * 1024);
  ExpectQemuCheckClean(ImagePath(*res));
  ExpectQemuReadsAs(ImagePath(*res), dir_ / "s2.raw", dir_ / "scratch.raw");

  // Changes relative to another checkpoint than the previous backup's are
  // not trusted: a full, saying why.
  r.disk.snapshot = "s3";
  r.previous_snapshot = "s2";
  r.changes_since = "cp1";  // s2 was taken at cp2
  auto again = Backup(*store_, r);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->incremental);
  EXPECT_EQ(again->mode, ChangeMode::kFull);
  EXPECT_NE(again->warning.find("cp2"), std::string::npos) << again->warning;
  ExpectQemuCheckClean(ImagePath(*again));
  ExpectQemuReadsAs(ImagePath(*again), dir_ / "s2.raw", dir_ / "scratch.raw");

  // A changed range beyond the disk is refused before anything is written.
  r.disk.snapshot = "s4";
  r.changes_since = "cp2";
  r.changed = {{15 * kMiB, 2 * kMiB}};
  EXPECT_EQ(Backup(*store_, r).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(*store_->Exists("workload_wl1/snapshot_s4"));
}

// A disk that grew since the previous backup: the new clusters are read as
// in a scan whatever the bitmap says; the old ones only where it is dirty.
TEST_F(NbdBackupTest, BitmapIncrementalOfAGrownDisk) {
  MustRun("qemu-img bitmap --add --enable " + Q(image_) + " cp1");
  {
    QemuNbd nbd(dir_, image_);
    auto disk = Open(nbd);
    ASSERT_NE(disk, nullptr);
    BackupRequest r = Request(*disk, "s1");
    r.mode = ChangeMode::kFull;
    r.checkpoint = "cp1";
    ASSERT_TRUE(Backup(*store_, r).ok());
  }
  MustRun("qemu-img resize -q " + Q(image_) + " 20M");
  QemuIo(image_, {"write -P 0x51 2M 64k", "write -P 0x52 18M 64k"});
  MustRun("qemu-img convert -O raw " + Q(image_) + " " + Q(dir_ / "s2.raw"));
  QemuNbd nbd(dir_, image_, "cp1");
  auto disk = Open(nbd, "cp1");
  ASSERT_NE(disk, nullptr);
  EXPECT_EQ(disk->virtual_size(), 20 * kMiB);
  BackupRequest r = Request(*disk, "s2");
  r.mode = ChangeMode::kBitmap;
  r.previous_snapshot = "s1";
  r.changes_since = "cp1";
  r.changed = {{2 * kMiB, 64 * 1024}};  // as if the bitmap missed the grown part: it is scanned anyway
  auto res = Backup(*store_, r);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_TRUE(res->incremental);
  EXPECT_EQ(res->mode, ChangeMode::kBitmap);
  EXPECT_EQ(res->bytes_read, 2u * 64 * 1024);
  EXPECT_EQ(res->bytes_written, 2u * 64 * 1024);
  // The grown part's other clusters are stored as zero clusters (as a scan does).
  EXPECT_EQ(res->clusters_changed, 1u + 4 * kMiB / (64 * 1024));
  ExpectQemuCheckClean(ImagePath(*res));
  ExpectQemuReadsAs(ImagePath(*res), dir_ / "s2.raw", dir_ / "scratch.raw");
}

TEST_F(NbdBackupTest, ScanThroughTheExportAndCancel) {
  BackupResult full;
  {
    QemuNbd nbd(dir_, image_);
    auto disk = Open(nbd);
    ASSERT_NE(disk, nullptr);
    BackupRequest r = Request(*disk, "s1");
    auto res = Backup(*store_, r);  // kScan without a previous: a full saying so
    ASSERT_TRUE(res.ok()) << res.status().ToString();
    EXPECT_FALSE(res->incremental);
  }
  QemuIo(image_, {"write -P 0x44 8M 64k"});
  MustRun("qemu-img convert -O raw " + Q(image_) + " " + Q(dir_ / "s2.raw"));
  QemuNbd nbd(dir_, image_);
  auto disk = Open(nbd);
  ASSERT_NE(disk, nullptr);
  BackupRequest r = Request(*disk, "s2");
  r.previous_snapshot = "s1";
  auto res = Backup(*store_, r);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_TRUE(res->incremental);
  EXPECT_EQ(res->mode, ChangeMode::kScan);
  EXPECT_EQ(res->clusters_changed, 1u);
  ExpectQemuCheckClean(ImagePath(*res));
  ExpectQemuReadsAs(ImagePath(*res), dir_ / "s2.raw", dir_ / "scratch.raw");

  // Cancelled: nothing is left of it.
  std::atomic<bool> cancel{true};
  r.disk.snapshot = "s3";
  r.cancel = &cancel;
  EXPECT_TRUE(Backup(*store_, r).status().IsCancelled());
  auto vm_dir = store_->List("workload_wl1/snapshot_s3/vm_id_vm1");
  EXPECT_TRUE(!vm_dir.ok() || vm_dir->empty());

  // Overlay mode needs a path.
  r.cancel = nullptr;
  r.mode = ChangeMode::kOverlay;
  EXPECT_EQ(Backup(*store_, r).status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace cairn::datamover::libvirt
