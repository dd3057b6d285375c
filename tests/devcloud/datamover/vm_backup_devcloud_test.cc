// BackupVm against the devcloud's libvirtd: transient test domains of our own
// (cairn-test-<random>, TCG, no OS: the BIOS finds nothing to boot and waits)
// with a qcow2 and a raw disk, written to while they run through the QEMU
// monitor. Full and incremental backups are compared with a model of what the
// disks held at the backup's instant; no checkpoint metadata may stay in
// libvirt; a lost bitmap gives a full with a warning; a cancel leaves nothing.
// Run the binary directly (root, libvirtd at qemu:///system).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "datamover/catalog.h"
#include "datamover/datamover_support.h"
#include "datamover/libvirt/vm_backup.h"
#include "target/store.h"

namespace cairn::datamover::libvirt {
namespace {

using datamover::testing::ExpectQemuCheckClean;
using datamover::testing::ExpectQemuReadsAs;
using datamover::testing::MustRun;
using datamover::testing::Q;
using datamover::testing::CommandResult;
using datamover::testing::Run;
using datamover::testing::TempDir;

constexpr const char* kUri = "qemu:///system";
constexpr uint64_t kKiB = 1024, kMiB = 1024 * 1024;
constexpr uint64_t kCluster = 64 * kKiB;

std::string Virsh(const std::string& args) {
  auto r = Run(std::string("virsh -q -c ") + kUri + " " + args);
  EXPECT_EQ(r.exit_code, 0) << "virsh " << args << "\n" << r.output;
  return r.output;
}

// A disk of the test domain and the model of what it holds: every write goes
// to the running guest's disk (QEMU monitor, qemu-io on the device's block
// backend) and to the model file.
struct TestDisk {
  std::string device;  // vda
  std::string path;    // the image the domain runs on
  std::string format;  // qcow2, raw
  std::string model;   // raw file with the expected contents
  std::string qdev;    // the QOM path of the device's backend
};

// A transient domain (or a persistent one, as Nova defines them), destroyed
// and undefined on destruction; its files go with the test's directory.
class TestDomain {
 public:
  TestDomain(const TempDir& dir, uint64_t qcow2_size, uint64_t raw_size, const std::string& qcow2_from = "",
             bool persistent = false)
      : dir_(dir), persistent_(persistent) {
    std::mt19937_64 rng(std::random_device{}());
    std::ostringstream id;
    id << std::hex << rng();
    name_ = "cairn-test-" + id.str().substr(0, 10);
    AddDisk("vda", "qcow2", qcow2_size, qcow2_from);
    if (raw_size > 0) AddDisk("vdb", "raw", raw_size, "");
    std::string xml = "<domain type='qemu'>\n  <name>" + name_ + "</name>\n  <memory unit='MiB'>64</memory>\n"
                      "  <vcpu>1</vcpu>\n  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
                      "  <on_poweroff>destroy</on_poweroff>\n  <devices>\n";
    for (const TestDisk& d : disks_) {
      xml += "    <disk type='file' device='disk'><driver name='qemu' type='" + d.format + "'/><source file='" + d.path +
             "'/><target dev='" + d.device + "' bus='virtio'/><serial>serial-" + d.device + "</serial></disk>\n";
    }
    xml += "  </devices>\n</domain>\n";
    const std::string file = dir_ / (name_ + ".xml");
    FILE* f = std::fopen(file.c_str(), "w");
    std::fputs(xml.c_str(), f);
    std::fclose(f);
    if (persistent_) {
      Virsh("define " + Q(file));
      defined_ = true;
      Virsh("start " + name_);
    } else {
      Virsh("create " + Q(file));
    }
    started_ = true;
    FindQdevs();
  }
  ~TestDomain() {
    if (started_) Run(std::string("virsh -q -c ") + kUri + " destroy " + name_);
    if (defined_) Run(std::string("virsh -q -c ") + kUri + " undefine --checkpoints-metadata " + name_);
  }
  void Destroy() {
    Virsh("destroy " + name_);
    started_ = false;
  }
  // Undefines as Nova Zed does (no checkpoint flag): fails while libvirt
  // holds checkpoint metadata of the domain.
  CommandResult UndefineLikeNova() {
    auto r = Run(std::string("virsh -q -c ") + kUri + " undefine --managed-save " + name_);
    if (r.exit_code == 0) defined_ = false;
    return r;
  }
  TestDomain(const TestDomain&) = delete;
  TestDomain& operator=(const TestDomain&) = delete;

  const std::string& name() const { return name_; }
  TestDisk& disk(const std::string& device) {
    for (TestDisk& d : disks_)
      if (d.device == device) return d;
    ADD_FAILURE() << "no disk " << device;
    return disks_.front();
  }

  // Writes `len` bytes of `pattern` at `off` (pattern < 0: zeros with write -z).
  void Write(const std::string& device, int pattern, uint64_t off, uint64_t len) {
    TestDisk& d = disk(device);
    const std::string op = pattern < 0 ? "write -z " : "write -P " + std::to_string(pattern) + " ";
    Virsh("qemu-monitor-command --hmp " + name_ + " " +
          Q("qemu-io -d " + d.qdev + " \"" + op + std::to_string(off) + " " + std::to_string(len) + "\""));
    std::vector<char> data(len, pattern < 0 ? 0 : static_cast<char>(pattern));
    int fd = ::open(d.model.c_str(), O_WRONLY);
    EXPECT_EQ(::pwrite(fd, data.data(), len, static_cast<off_t>(off)), static_cast<ssize_t>(len));
    ::close(fd);
  }

  // The names of the dirty bitmaps QEMU holds on a disk's image.
  std::vector<std::string> Bitmaps(const std::string& device) {
    const std::string path = disk(device).path;
    auto out = Virsh("qemu-monitor-command " + name_ + " '{\"execute\":\"query-named-block-nodes\"}'");
    std::vector<std::string> names;
    auto j = nlohmann::json::parse(out, nullptr, false);
    if (!j.is_object() || !j.contains("return")) return names;
    for (const auto& node : j["return"]) {
      if (node.value("file", "") != path || node.value("drv", "") != "qcow2") continue;
      for (const auto& b : node.value("dirty-bitmaps", nlohmann::json::array())) names.push_back(b.value("name", ""));
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  std::string Checkpoints() { return Virsh("checkpoint-list --name " + name_); }

 private:
  void AddDisk(const std::string& device, const std::string& format, uint64_t size, const std::string& from) {
    TestDisk d{device, dir_ / (device + "." + format), format, dir_ / (device + ".model"), ""};
    if (from.empty()) {
      MustRun("qemu-img create -q -f " + format + " " + Q(d.path) + " " + std::to_string(size));
      MustRun("truncate -s " + std::to_string(size) + " " + Q(d.model));
    } else {
      MustRun("qemu-img convert -q -f raw -O " + format + " " + Q(from) + " " + Q(d.path));
      MustRun("cp " + Q(from) + " " + Q(d.model));
    }
    disks_.push_back(d);
  }

  // `info block` names each image with the device it is attached to.
  void FindQdevs() {
    std::istringstream in(Virsh("qemu-monitor-command --hmp " + name_ + " 'info block'"));
    std::string line, current;
    while (std::getline(in, line)) {
      for (TestDisk& d : disks_)
        if (line.find(d.path) != std::string::npos) current = d.device;
      const size_t at = line.find("Attached to:");
      if (at != std::string::npos && !current.empty()) {
        std::string qdev = line.substr(at + 12);
        qdev.erase(0, qdev.find_first_not_of(' '));
        disk(current).qdev = qdev;
        current.clear();
      }
    }
    for (const TestDisk& d : disks_) EXPECT_FALSE(d.qdev.empty()) << "no device for " << d.path;
  }

  const TempDir& dir_;
  bool persistent_ = false;
  std::string name_;
  bool started_ = false;
  bool defined_ = false;
  std::vector<TestDisk> disks_;
};

class VmBackupDevcloudTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root and the devcloud's libvirtd";
    std::filesystem::create_directories(dir_ / "target");
    auto store = target::OpenPosixStore(dir_ / "target");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }

  VmBackupRequest Request(const TestDomain& dom, const std::string& snapshot, const std::optional<std::string>& previous,
                          const std::vector<std::string>& devices = {"vda", "vdb"}) {
    VmBackupRequest r;
    r.uri = kUri;
    r.domain = dom.name();
    for (const std::string& dev : devices)
      r.disks.push_back(VmDiskRequest{dev, DiskRef{"wl1", snapshot, "vm1", dev}, "res-" + dev, previous});
    r.threads = 2;
    return r;
  }

  const BackupResult& Of(const VmBackupResult& r, const std::string& device) {
    for (const BackupResult& b : r.disks)
      if (b.backup.ref.device == device) return b;
    ADD_FAILURE() << "no result for " << device;
    return r.disks.front();
  }

  // The backup's chain reads as the model did at the backup's instant.
  void ExpectBackupEquals(const BackupResult& b, const std::string& model_copy) {
    const std::string image = (dir_ / "target") + "/" + b.backup.image_path();
    ExpectQemuCheckClean(image);
    ExpectQemuReadsAs(image, model_copy, dir_ / "scratch.raw");
  }

  std::string SaveModel(TestDomain& dom, const std::string& device, const std::string& tag) {
    const std::string copy = dir_ / (device + "." + tag + ".raw");
    MustRun("cp " + Q(dom.disk(device).model) + " " + Q(copy));
    return copy;
  }

  static std::string Joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += x + "\n";
    return s;
  }

  TempDir dir_;
  std::unique_ptr<target::Store> store_;
};

TEST_F(VmBackupDevcloudTest, InspectsTheDomain) {
  TestDomain dom(dir_, 64 * kMiB, 64 * kMiB);
  auto info = InspectDomain(kUri, dom.name());
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_TRUE(info->running);
  ASSERT_EQ(info->disks.size(), 2u);
  EXPECT_EQ(info->disks[0].device, "vda");
  EXPECT_EQ(info->disks[0].driver_type, "qcow2");
  EXPECT_EQ(info->disks[0].source, dom.disk("vda").path);
  EXPECT_EQ(info->disks[0].serial, "serial-vda");
  EXPECT_EQ(info->disks[1].driver_type, "raw");
  EXPECT_EQ(info->disks[1].device_type, "disk");
  EXPECT_TRUE(InspectDomain(kUri, "cairn-test-no-such-domain").status().IsNotFound());
}

// After a libvirtd restart, the first backup XML that libvirtd validates sets
// up libxml2's schema types, which races when two begins arrive at once
// (src/datamover/libvirt/schema_lock.h): the begins of two VMs backed up at
// the same moment right after a restart must both succeed, every time.
TEST_F(VmBackupDevcloudTest, ParallelBackupsRightAfterALibvirtdRestartSucceed) {
  TempDir dir_a("_a"), dir_b("_b");
  TestDomain a(dir_a, 16 * kMiB, 0), b(dir_b, 16 * kMiB, 0);
  a.Write("vda", 0x21, 0, 128 * kKiB);
  b.Write("vda", 0x22, 0, 128 * kKiB);
  constexpr int kRounds = 4;
  for (int round = 0; round < kRounds; ++round) {
    MustRun(std::string(CAIRN_SOURCE_DIR) + "/devcloud/restart-libvirtd");
    std::optional<Result<VmBackupResult>> ra, rb;
    const std::string snap = "restart" + std::to_string(round);
    std::thread ta([&] { ra = BackupVm(*store_, Request(a, snap + "a", std::nullopt, {"vda"})); });
    std::thread tb([&] { rb = BackupVm(*store_, Request(b, snap + "b", std::nullopt, {"vda"})); });
    ta.join();
    tb.join();
    ASSERT_TRUE(ra->ok()) << "round " << round << ": " << ra->status().ToString();
    ASSERT_TRUE(rb->ok()) << "round " << round << ": " << rb->status().ToString();
    EXPECT_EQ(a.Checkpoints(), "") << "round " << round;
    EXPECT_EQ(b.Checkpoints(), "") << "round " << round;
  }
}

TEST_F(VmBackupDevcloudTest, FullThenIncrementalAtOneInstant) {
  TestDomain dom(dir_, 64 * kMiB, 64 * kMiB);
  dom.Write("vda", 0x5a, 1 * kMiB, 256 * kKiB);
  dom.Write("vda", 0x11, 8 * kMiB, 1 * kMiB);
  dom.Write("vdb", 0x33, 2 * kMiB, 64 * kKiB);
  dom.Write("vdb", 0x44, 30 * kMiB, 512 * kKiB);
  const std::string vda1 = SaveModel(dom, "vda", "s1"), vdb1 = SaveModel(dom, "vdb", "s1");

  // The full backup; the test domain has no guest agent: quiesce warns only.
  VmBackupRequest req = Request(dom, "s1", std::nullopt);
  req.quiesce = true;
  auto full = BackupVm(*store_, req);
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  std::cout << "full backup warnings:\n" << Joined(full->warnings);
  EXPECT_FALSE(full->quiesced);
  ASSERT_EQ(full->warnings.size(), 1u) << Joined(full->warnings);
  EXPECT_NE(full->warnings[0].find("not quiesced"), std::string::npos);
  ASSERT_FALSE(full->checkpoint.empty());
  EXPECT_NE(full->checkpoint.xml.find(full->checkpoint.name), std::string::npos);
  EXPECT_EQ(dom.Checkpoints(), "");  // no metadata left: Nova can still undefine the domain
  EXPECT_EQ(dom.Bitmaps("vda"), std::vector<std::string>{full->checkpoint.name});
  EXPECT_EQ(Of(*full, "vda").mode, ChangeMode::kFull);
  EXPECT_EQ(Of(*full, "vdb").mode, ChangeMode::kFull);
  EXPECT_EQ(Of(*full, "vda").bytes_written, 1280 * kKiB);
  EXPECT_EQ(Of(*full, "vdb").bytes_written, 576 * kKiB);
  ExpectBackupEquals(Of(*full, "vda"), vda1);
  ExpectBackupEquals(Of(*full, "vdb"), vdb1);

  // More writes: over old data, a zeroed range, new places.
  dom.Write("vda", 0x77, 1 * kMiB + 128 * kKiB, 64 * kKiB);
  dom.Write("vda", -1, 8 * kMiB, 256 * kKiB);
  dom.Write("vda", 0x66, 60 * kMiB, 4 * kKiB);
  dom.Write("vdb", 0x55, 2 * kMiB, 4 * kKiB);
  dom.Write("vdb", -1, 30 * kMiB, 128 * kKiB);
  const std::string vda2 = SaveModel(dom, "vda", "s2"), vdb2 = SaveModel(dom, "vdb", "s2");

  auto incr = BackupVm(*store_, [&] {
    VmBackupRequest r = Request(dom, "s2", "s1");
    r.previous_checkpoint = full->checkpoint;
    return r;
  }());
  ASSERT_TRUE(incr.ok()) << incr.status().ToString();
  EXPECT_TRUE(incr->warnings.empty()) << Joined(incr->warnings);
  EXPECT_EQ(dom.Checkpoints(), "");
  const BackupResult& a = Of(*incr, "vda");
  EXPECT_TRUE(a.incremental);
  EXPECT_EQ(a.mode, ChangeMode::kBitmap);
  EXPECT_EQ(a.clusters_changed, 6u);  // 1 + 4 zeroed + 1
  EXPECT_LE(a.bytes_read, 2 * kCluster);
  EXPECT_EQ(a.bytes_written, 2 * kCluster);
  const BackupResult& b = Of(*incr, "vdb");
  EXPECT_TRUE(b.incremental);
  EXPECT_EQ(b.mode, ChangeMode::kScan);
  EXPECT_EQ(b.clusters_changed, 3u);  // 1 + 2 zeroed
  std::cout << "incremental: vda read " << a.bytes_read << " bytes, " << a.clusters_changed
            << " clusters changed, image " << a.image_file_size << " bytes; vdb read " << b.bytes_read << "\n";
  ExpectBackupEquals(a, vda2);
  ExpectBackupEquals(b, vdb2);

  // Both bitmaps are in the image; the first one is not needed any more.
  auto bitmaps = dom.Bitmaps("vda");
  EXPECT_EQ(bitmaps.size(), 2u) << Joined(bitmaps);
  Status removed = RemoveCheckpointBitmaps(kUri, dom.name(), full->checkpoint.xml);
  EXPECT_TRUE(removed.ok()) << removed.ToString();
  EXPECT_EQ(dom.Bitmaps("vda"), std::vector<std::string>{incr->checkpoint.name});
  EXPECT_EQ(dom.Checkpoints(), "");

  // A third backup from the second checkpoint is still incremental.
  dom.Write("vda", 0x12, 20 * kMiB, 64 * kKiB);
  const std::string vda3 = SaveModel(dom, "vda", "s3");
  VmBackupRequest r3 = Request(dom, "s3", "s2", {"vda"});
  r3.previous_checkpoint = incr->checkpoint;
  auto third = BackupVm(*store_, r3);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_TRUE(third->warnings.empty()) << Joined(third->warnings);
  EXPECT_EQ(Of(*third, "vda").mode, ChangeMode::kBitmap);
  EXPECT_EQ(Of(*third, "vda").clusters_changed, 1u);
  ExpectBackupEquals(Of(*third, "vda"), vda3);
  EXPECT_EQ(dom.Checkpoints(), "");
}

TEST_F(VmBackupDevcloudTest, LostBitmapGivesAFullWithAWarning) {
  TestDomain dom(dir_, 64 * kMiB, 0);
  dom.Write("vda", 0x21, 3 * kMiB, 128 * kKiB);
  auto full = BackupVm(*store_, Request(dom, "s1", std::nullopt, {"vda"}));
  ASSERT_TRUE(full.ok()) << full.status().ToString();

  // The bitmap is gone (removed as no longer needed, by mistake): the
  // checkpoint cannot be redefined with validation, so the next is a full.
  ASSERT_TRUE(RemoveCheckpointBitmaps(kUri, dom.name(), full->checkpoint.xml).ok());
  EXPECT_TRUE(dom.Bitmaps("vda").empty());
  Status twice = RemoveCheckpointBitmaps(kUri, dom.name(), full->checkpoint.xml);
  EXPECT_TRUE(twice.ok()) << twice.ToString();  // nothing left to remove
  EXPECT_EQ(dom.Checkpoints(), "");
  dom.Write("vda", 0x22, 5 * kMiB, 64 * kKiB);
  const std::string vda2 = SaveModel(dom, "vda", "s2");
  VmBackupRequest r2 = Request(dom, "s2", "s1", {"vda"});
  r2.previous_checkpoint = full->checkpoint;
  auto second = BackupVm(*store_, r2);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  std::cout << "lost bitmap warnings:\n" << Joined(second->warnings);
  ASSERT_EQ(second->warnings.size(), 1u) << Joined(second->warnings);
  EXPECT_NE(second->warnings[0].find("full backup"), std::string::npos);
  EXPECT_NE(second->warnings[0].find(full->checkpoint.name), std::string::npos);
  EXPECT_FALSE(Of(*second, "vda").incremental);
  EXPECT_EQ(Of(*second, "vda").mode, ChangeMode::kFull);
  ExpectBackupEquals(Of(*second, "vda"), vda2);
  EXPECT_EQ(dom.Checkpoints(), "");

  // A checkpoint name that no longer exists anywhere: a full too.
  CheckpointRef gone = second->checkpoint;
  const std::string old_name = gone.name;
  gone.name = "cairn-gone";
  for (size_t at; (at = gone.xml.find(old_name)) != std::string::npos;) gone.xml.replace(at, old_name.size(), "cairn-gone");
  VmBackupRequest r3 = Request(dom, "s3", "s2", {"vda"});
  r3.previous_checkpoint = gone;
  auto third = BackupVm(*store_, r3);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  ASSERT_EQ(third->warnings.size(), 1u) << Joined(third->warnings);
  EXPECT_NE(third->warnings[0].find("cairn-gone"), std::string::npos);
  EXPECT_EQ(Of(*third, "vda").mode, ChangeMode::kFull);
  ExpectBackupEquals(Of(*third, "vda"), vda2);

  // A checkpoint that exists but is not the one the previous backup was
  // taken at (s3 was taken at third's checkpoint, s1 at the first): full.
  VmBackupRequest r4 = Request(dom, "s4", "s1", {"vda"});
  r4.previous_checkpoint = third->checkpoint;
  auto fourth = BackupVm(*store_, r4);
  ASSERT_TRUE(fourth.ok()) << fourth.status().ToString();
  EXPECT_EQ(Of(*fourth, "vda").mode, ChangeMode::kFull);
  ASSERT_EQ(fourth->warnings.size(), 1u) << Joined(fourth->warnings);
  ExpectBackupEquals(Of(*fourth, "vda"), vda2);
  EXPECT_EQ(dom.Checkpoints(), "");
}

TEST_F(VmBackupDevcloudTest, CancelLeavesNothing) {
  TestDomain dom(dir_, 64 * kMiB, 64 * kMiB);
  dom.Write("vda", 0x31, 0, 32 * kMiB);
  dom.Write("vdb", 0x32, 0, 32 * kMiB);
  auto full = BackupVm(*store_, Request(dom, "s1", std::nullopt));
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  const auto bitmaps_before = dom.Bitmaps("vda");

  dom.Write("vda", 0x41, 0, 8 * kMiB);
  std::atomic<bool> cancel{false};
  VmBackupRequest r = Request(dom, "s2", "s1");
  r.previous_checkpoint = full->checkpoint;
  r.force_full = true;  // long enough to be cancelled halfway
  r.threads = 1;
  r.cancel = &cancel;
  r.progress = [&](uint64_t done, uint64_t total) {
    if (done >= total * 3 / 4) cancel = true;  // while the second disk is read
  };
  auto cancelled = BackupVm(*store_, r);
  ASSERT_FALSE(cancelled.ok());
  EXPECT_TRUE(cancelled.status().IsCancelled()) << cancelled.status().ToString();
  EXPECT_EQ(dom.Checkpoints(), "");
  EXPECT_EQ(dom.Bitmaps("vda"), bitmaps_before);  // the new checkpoint's bitmap went with it
  for (const char* dev : {"vda", "vdb"}) {
    auto dir = FindDiskDir(*store_, DiskRef{"wl1", "s2", "vm1", dev});
    ASSERT_TRUE(dir.ok());
    EXPECT_FALSE(dir->has_value()) << dev << " left " << **dir;
  }
  auto info = InspectDomain(kUri, dom.name());
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->running);

  // The VM is unharmed and the previous checkpoint still serves.
  const std::string vda2 = SaveModel(dom, "vda", "s2");
  VmBackupRequest again = Request(dom, "s2", "s1");
  again.previous_checkpoint = full->checkpoint;
  auto ok = BackupVm(*store_, again);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TRUE(ok->warnings.empty()) << Joined(ok->warnings);
  EXPECT_EQ(Of(*ok, "vda").mode, ChangeMode::kBitmap);
  EXPECT_EQ(Of(*ok, "vda").clusters_changed, 8 * kMiB / kCluster);
  ExpectBackupEquals(Of(*ok, "vda"), vda2);
  EXPECT_EQ(dom.Checkpoints(), "");
}

// A datamover that died mid-backup left its job running (the NBD server,
// the scratch files) and its new checkpoint's metadata: the next run ends the
// job of the dead process and removes the checkpoint, bitmap included.
TEST_F(VmBackupDevcloudTest, JobAndCheckpointOfADeadRunAreCleared) {
  TestDomain dom(dir_, 64 * kMiB, 64 * kMiB);
  dom.Write("vda", 0x71, 0, 64 * kKiB);
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);  // a pid that no process has now
  const std::string leftover = (std::filesystem::temp_directory_path() / (SocketDirPrefix(child) + "test")).string();
  std::filesystem::create_directories(leftover);
  std::filesystem::permissions(leftover, std::filesystem::perms::all);  // QEMU creates the socket there
  const std::string backup_xml = BuildBackupXml(leftover + "/nbd.sock", leftover, {{"vda", true, ""}, {"vdb", true, ""}});
  const std::string checkpoint_xml = BuildCheckpointXml("cairn-left-by-a-crash", {"vda", "vdb"}, {"vda"});
  {
    std::ofstream(dir_ / "b.xml") << backup_xml;
    std::ofstream(dir_ / "c.xml") << checkpoint_xml;
  }
  Virsh("backup-begin " + dom.name() + " " + Q(dir_ / "b.xml") + " " + Q(dir_ / "c.xml"));
  EXPECT_NE(dom.Checkpoints(), "");

  auto full = BackupVm(*store_, Request(dom, "s1", std::nullopt));
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  EXPECT_TRUE(full->warnings.empty()) << Joined(full->warnings);
  EXPECT_EQ(dom.Checkpoints(), "");
  EXPECT_EQ(dom.Bitmaps("vda"), std::vector<std::string>{full->checkpoint.name});
  EXPECT_FALSE(std::filesystem::exists(leftover));
  EXPECT_NE(Virsh("domjobinfo " + dom.name()).find("None"), std::string::npos);
}

// While a job of a live Cairn process runs, another backup is refused and
// leaves that job alone.
TEST_F(VmBackupDevcloudTest, AJobOfALiveProcessIsLeftAlone) {
  TestDomain dom(dir_, 64 * kMiB, 0);
  const std::string live = (std::filesystem::temp_directory_path() / (SocketDirPrefix(::getpid()) + "live")).string();
  std::filesystem::create_directories(live);
  std::filesystem::permissions(live, std::filesystem::perms::all);
  std::ofstream(dir_ / "b.xml") << BuildBackupXml(live + "/nbd.sock", live, {{"vda", true, ""}});
  Virsh("backup-begin " + dom.name() + " " + Q(dir_ / "b.xml"));
  auto r = BackupVm(*store_, Request(dom, "s1", std::nullopt, {"vda"}));
  EXPECT_EQ(r.status().code(), ErrorCode::kConflict) << r.status().ToString();
  EXPECT_NE(Virsh("domjobinfo " + dom.name()).find("Backup"), std::string::npos);
  Virsh("domjobabort " + dom.name());
  std::filesystem::remove_all(live);
  EXPECT_EQ(dom.Checkpoints(), "");
}

TEST_F(VmBackupDevcloudTest, UnknownDeviceIsRefusedAndLeavesNoCheckpoint) {
  TestDomain dom(dir_, 64 * kMiB, 0);
  auto r = BackupVm(*store_, Request(dom, "s1", std::nullopt, {"vda", "vdz"}));
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << r.status().ToString();
  EXPECT_EQ(dom.Checkpoints(), "");
  EXPECT_TRUE(dom.Bitmaps("vda").empty());
}

// A persistent domain, as Nova defines them: after backups it can still be
// undefined the way Nova does; shut off, it is not backed up, and the bitmaps
// of a checkpoint are removed from its images with qemu-img.
TEST_F(VmBackupDevcloudTest, PersistentDomainStaysUndefinableAndShutOffBitmapsGo) {
  TestDomain dom(dir_, 64 * kMiB, 64 * kMiB, "", /*persistent=*/true);
  dom.Write("vda", 0x61, 2 * kMiB, 64 * kKiB);
  auto full = BackupVm(*store_, Request(dom, "s1", std::nullopt));
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  dom.Write("vda", 0x62, 3 * kMiB, 64 * kKiB);
  VmBackupRequest r2 = Request(dom, "s2", "s1");
  r2.previous_checkpoint = full->checkpoint;
  auto incr = BackupVm(*store_, r2);
  ASSERT_TRUE(incr.ok()) << incr.status().ToString();
  EXPECT_EQ(Of(*incr, "vda").mode, ChangeMode::kBitmap);
  EXPECT_EQ(dom.Checkpoints(), "");
  EXPECT_EQ(dom.Bitmaps("vda").size(), 2u);

  dom.Destroy();
  auto info = InspectDomain(kUri, dom.name());
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_FALSE(info->running);
  EXPECT_EQ(info->disks.size(), 2u);
  VmBackupRequest r3 = Request(dom, "s3", "s2");
  r3.previous_checkpoint = incr->checkpoint;
  EXPECT_EQ(BackupVm(*store_, r3).status().code(), ErrorCode::kConflict);

  Status removed = RemoveCheckpointBitmaps(kUri, dom.name(), full->checkpoint.xml);
  EXPECT_TRUE(removed.ok()) << removed.ToString();
  auto bitmaps = datamover::testing::Run("qemu-img info --output=json " + Q(dom.disk("vda").path));
  EXPECT_EQ(bitmaps.output.find(full->checkpoint.name), std::string::npos) << bitmaps.output;
  EXPECT_NE(bitmaps.output.find(incr->checkpoint.name), std::string::npos) << bitmaps.output;
  EXPECT_EQ(dom.Checkpoints(), "");

  auto undefined = dom.UndefineLikeNova();
  EXPECT_EQ(undefined.exit_code, 0) << undefined.output;
}

TEST_F(VmBackupDevcloudTest, FullBackupThroughput) {
  constexpr uint64_t kSize = 256 * kMiB;
  const std::string random = dir_ / "random.raw";
  MustRun("head -c " + std::to_string(kSize) + " /dev/urandom > " + Q(random));
  TestDomain dom(dir_, 0, 0, random);
  VmBackupRequest r = Request(dom, "s1", std::nullopt, {"vda"});
  r.threads = 2;
  auto start = std::chrono::steady_clock::now();
  auto full = BackupVm(*store_, r);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  EXPECT_EQ(Of(*full, "vda").bytes_read, kSize);
  const double mbps = kSize / kMiB / seconds;
  std::cout << "full backup of 256 MiB of random data: " << seconds << " s, " << mbps << " MiB/s (disk phase "
            << Of(*full, "vda").seconds << " s)\n";
  RecordProperty("full_backup_mib_per_s", std::to_string(mbps));
  ExpectBackupEquals(Of(*full, "vda"), random);
  EXPECT_EQ(dom.Checkpoints(), "");

  // An incremental after 16 MiB of writes spread over the disk.
  for (int i = 0; i < 16; ++i) dom.Write("vda", 0x40 + i, static_cast<uint64_t>(i) * 16 * kMiB + 3 * kMiB, 1 * kMiB);
  const std::string vda2 = SaveModel(dom, "vda", "s2");
  VmBackupRequest r2 = Request(dom, "s2", "s1", {"vda"});
  r2.previous_checkpoint = full->checkpoint;
  start = std::chrono::steady_clock::now();
  auto incr = BackupVm(*store_, r2);
  const double incr_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(incr.ok()) << incr.status().ToString();
  EXPECT_EQ(Of(*incr, "vda").mode, ChangeMode::kBitmap);
  EXPECT_EQ(Of(*incr, "vda").bytes_read, 16 * kMiB);
  std::cout << "incremental of 16 MiB changed in 256 MiB: " << incr_seconds << " s\n";
  ExpectBackupEquals(Of(*incr, "vda"), vda2);

  // A full with zstd compression (random data: the cost of trying).
  VmBackupRequest r3 = Request(dom, "s3", std::nullopt, {"vda"});
  r3.compression = qcow2::CompressionType::kZstd;
  start = std::chrono::steady_clock::now();
  auto zstd = BackupVm(*store_, r3);
  const double zstd_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(zstd.ok()) << zstd.status().ToString();
  std::cout << "full backup with zstd: " << zstd_seconds << " s, " << kSize / kMiB / zstd_seconds << " MiB/s\n";
  ExpectBackupEquals(Of(*zstd, "vda"), vda2);
  EXPECT_EQ(dom.Checkpoints(), "");
}

}  // namespace
}  // namespace cairn::datamover::libvirt
