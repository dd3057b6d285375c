// Crash safety (docs/crash-safety.md): cairn-datamover is run with
// CAIRN_FAULT naming each numbered step of backup, merge and restore, and
// aborts there. Then every snapshot published before must still verify and
// restore bit-exact (and pass `qemu-img check`), the crash must have left
// exactly the documented leftovers, and a retry of the operation (or a
// `cleanup`, then the retry) must reach the operation's intended result and
// leave nothing behind.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "crash_support.h"
#include "datamover/backup.h"
#include "datamover/catalog.h"
#include "datamover/merge.h"
#include "datamover/restore.h"
#include "datamover_support.h"
#include "target/layout.h"
#include "target/store.h"

namespace cairn::datamover {
namespace {

namespace fs = std::filesystem;
namespace layout = target::layout;
using testing::ChangingDisk;
using testing::ExpectQemuCheckClean;
using testing::ExpectQemuReadsAs;
using testing::FindLeftovers;
using testing::MustRun;
using testing::ProcessResult;
using testing::Q;
using testing::RunProcess;
using testing::SameFiles;
using testing::TempDir;

// Two 4 MiB units of work (so "mid-data" and "mid-output" exist with one
// thread) and a short last cluster.
constexpr uint64_t kDiskSize = 6 * 1024 * 1024 + 4608;
constexpr uint64_t kClusterSize = 65536;
constexpr char kWorkload[] = "wl1";
constexpr char kVm[] = "vm1";
constexpr int kPublished = 3;    // s0 (full), s1 and s2 (scan incrementals) exist before each test
constexpr int kNewSnapshot = 3;  // the backup under test: s3, incremental on s2
constexpr char kNewResource[] = "r3";

std::string Snap(int i) { return "s" + std::to_string(i); }
DiskRef Ref(int i) { return DiskRef{kWorkload, Snap(i), kVm, "vda"}; }

std::vector<char> ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<char>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// Clusters of the disk's first kDiskSize bytes that differ between two files.
uint64_t DifferingClusters(const std::string& a, const std::string& b) {
  const auto x = ReadAll(a), y = ReadAll(b);
  EXPECT_GE(x.size(), kDiskSize) << a;
  EXPECT_GE(y.size(), kDiskSize) << b;
  if (x.size() < kDiskSize || y.size() < kDiskSize) return 0;
  uint64_t n = 0;
  for (uint64_t off = 0; off < kDiskSize; off += kClusterSize)
    n += std::memcmp(x.data() + off, y.data() + off, std::min(kClusterSize, kDiskSize - off)) != 0;
  return n;
}

// The disk as snapshot i finds it.
void ChangeDisk(ChangingDisk& disk, int i) {
  if (i == 0) {
    disk.RandomWrites(30);
    return;
  }
  disk.RandomWrites(6);
  disk.ZeroRange((i * 700 * 1024) % (kDiskSize - 200 * 1024), 200 * 1024);
  disk.Discard((i * 1100 * 1024) % (kDiskSize - 256 * 1024), 256 * 1024);
}

// Built once, copied by every test: a target holding s0..s2 of the disk, the
// disk as it is now (changed since s2), and the raw contents of each snapshot
// (expected<i>.raw; expected3.raw is the disk now).
struct Template {
  fs::path dir;
  bool ok = false;
  ~Template() {
    std::error_code ec;
    if (!dir.empty()) fs::remove_all(dir, ec);
  }
  std::string Expected(int i) const { return (dir / ("expected" + std::to_string(i) + ".raw")).string(); }
};

bool BuildTemplate(Template& t) {
  // The fault hook of this (test) process must stay disarmed.
  ::unsetenv("CAIRN_FAULT");
  t.dir = fs::path(::testing::TempDir()) / ("cairn_crash_template_" + std::to_string(::getpid()));
  fs::remove_all(t.dir);
  fs::create_directories(t.dir / "target");
  auto store = target::OpenPosixStore((t.dir / "target").string());
  if (!store.ok()) {
    ADD_FAILURE() << store.status().ToString();
    return false;
  }
  ChangingDisk disk((t.dir / "disk.raw").string(), kDiskSize, 4242);
  for (int i = 0; i < kPublished; ++i) {
    ChangeDisk(disk, i);
    disk.SaveAs(t.Expected(i));
    BackupRequest req;
    req.source = disk.path();
    req.disk = Ref(i);
    req.resource = "r" + std::to_string(i);
    req.mode = ChangeMode::kScan;
    if (i > 0) req.previous_snapshot = Snap(i - 1);
    if (i == 1) req.compression = qcow2::CompressionType::kZstd;  // merges copy compressed and plain clusters
    req.threads = 2;
    auto r = Backup(**store, req);
    if (!r.ok()) {
      ADD_FAILURE() << "template snapshot " << i << ": " << r.status().ToString();
      return false;
    }
    if (r->incremental != (i > 0)) {
      ADD_FAILURE() << "template snapshot " << i << " is not of the expected type";
      return false;
    }
  }
  ChangeDisk(disk, kNewSnapshot);
  disk.SaveAs(t.Expected(kNewSnapshot));
  return !::testing::Test::HasFailure();
}

const Template& GetTemplate() {
  static Template t;
  static const bool built = [] { return (t.ok = BuildTemplate(t)); }();
  (void)built;
  return t;
}

enum class Op { kBackup, kMerge, kRestoreRaw, kRestoreQcow2, kRestoreInPlace };
enum class Recovery {
  kRetry,         // retry the operation, then `cleanup` (which must find only what a retry cannot remove)
  kCleanupFirst,  // `cleanup` (which must remove every leftover on the target), then retry
};

struct CrashCase {
  std::string name;
  Op op;
  std::string fault;  // CAIRN_FAULT
  int snapshot;       // backup: the new one; merge: the dropped one; restore: the one restored
  Recovery recovery = Recovery::kRetry;

  std::string point() const { return fault.substr(0, fault.find(':')); }
  int step() const { return std::stoi(point().substr(point().find('.') + 1)); }
  uint64_t hits() const {  // times the point is passed, the last one aborting
    const auto colon = fault.find(':');
    return colon == std::string::npos ? 1 : std::stoull(fault.substr(colon + 1));
  }
  // The crash came after the step that completes the operation: a retry
  // finds nothing to do and says so.
  bool AfterCompletion() const { return point() == "backup.5" || point() == "merge.5" || point() == "merge.6"; }
};

void PrintTo(const CrashCase& c, std::ostream* os) { *os << c.name << " (CAIRN_FAULT=" << c.fault << ")"; }

// The fixture: a copy of the template per test, and the checks.
class CrashFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    const Template& t = GetTemplate();
    ASSERT_TRUE(t.ok) << "building the snapshots every crash test starts from failed";
    expected_dir_ = t.dir;
    MustRun("cp -a --sparse=always " + Q((t.dir / "target").string()) + " " + Q(dir_ / "target"));
    MustRun("cp --sparse=always " + Q((t.dir / "disk.raw").string()) + " " + Q(dir_ / "disk.raw"));
    fs::create_directories(dir_ / "out");
    // Restores made only to be compared go to memory when there is a tmpfs:
    // their fsync is not under test, and on a busy disk it was most of the
    // suite's time.
    scratch_ = dir_ / "scratch";
    std::error_code ec;
    if (fs::is_directory("/dev/shm", ec)) {
      std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
      std::replace(name.begin(), name.end(), '/', '_');
      const fs::path shm = fs::path("/dev/shm") / ("cairn_crash_" + std::to_string(::getpid()) + "_" + name);
      if (fs::create_directories(shm, ec) && !ec) scratch_ = shm;
    }
    fs::create_directories(scratch_);
    auto store = target::OpenPosixStore(dir_ / "target");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }

  void TearDown() override {
    std::error_code ec;
    fs::remove_all(scratch_, ec);
  }

  std::string Expected(int i) const { return (expected_dir_ / ("expected" + std::to_string(i) + ".raw")).string(); }

  std::vector<std::string> Common(const std::string& command, int snapshot, int threads) const {
    return {CAIRN_DATAMOVER_BINARY, command, "--target", dir_ / "target", "--workload", kWorkload,
            "--snapshot", Snap(snapshot), "--vm", kVm, "--disk", "vda", "--no-progress", "--json",
            "-t", std::to_string(threads)};
  }
  std::vector<std::string> BackupArgv(int threads) const {
    auto a = Common("backup", kNewSnapshot, threads);
    a.insert(a.end(), {"--source", dir_ / "disk.raw", "--previous", Snap(kNewSnapshot - 1), "--mode", "scan",
                       "--resource", kNewResource});
    return a;
  }
  // The directory the backup under test writes (it names its resource).
  std::string NewBackupDir() const {
    return layout::DiskDir(kWorkload, Snap(kNewSnapshot), kVm, kNewResource, "vda");
  }

  // Runs `cleanup --json`; the store paths it reports removed, sorted.
  std::vector<std::string> Cleanup() {
    auto r = RunProcess({CAIRN_DATAMOVER_BINARY, "cleanup", "--target", dir_ / "target", "--workload", kWorkload,
                         "--json"});
    EXPECT_TRUE(r.exited && r.exit_code == 0) << "cleanup " << r.Describe();
    std::vector<std::string> removed;
    try {
      const nlohmann::json j = nlohmann::json::parse(r.out);
      for (const auto& p : j.at("removed")) removed.push_back(p.get<std::string>());
    } catch (const std::exception& e) {
      ADD_FAILURE() << "cleanup --json printed no list of removed paths (" << e.what() << "):\n" << r.out;
    }
    std::sort(removed.begin(), removed.end());
    return removed;
  }

  // Leftovers on the target ("target/<store path>") and beside restore
  // outputs ("out/<name>").
  std::vector<std::string> Leftovers() const {
    std::vector<std::string> all;
    for (const char* where : {"target", "out"})
      for (const auto& p : FindLeftovers(fs::path(dir_.str()) / where)) all.push_back(std::string(where) + "/" + p);
    std::sort(all.begin(), all.end());
    return all;
  }

  // The published backups are exactly `snapshots`, and each verifies, restores
  // bit-exact and passes `qemu-img check`.
  void ExpectPublishedExact(std::vector<int> snapshots, const std::string& when) {
    SCOPED_TRACE(when);
    auto list = ListDiskBackups(*store_, kWorkload, kVm, "vda");
    ASSERT_TRUE(list.ok()) << list.status().ToString();
    std::vector<std::string> got, want;
    for (const auto& b : *list) got.push_back(b.ref.snapshot);
    for (int i : snapshots) want.push_back(Snap(i));
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, want) << "published snapshots";
    for (int i : snapshots) {
      VerifyRequest vr;
      vr.disk = Ref(i);
      vr.threads = 2;
      auto v = Verify(*store_, vr);
      ASSERT_TRUE(v.ok()) << "verify " << Snap(i) << ": " << v.status().ToString();
      EXPECT_TRUE(v->ok) << Snap(i) << " fails verification: " << v->clusters_bad << " bad clusters"
                         << (v->structure_problems.empty() ? "" : ", " + v->structure_problems[0]);
      ExpectQemuCheckClean(store_->LocalPath(v->backup.image_path()).value());

      RestoreRequest rr;
      rr.disk = Ref(i);
      rr.to = (scratch_ / "restored.raw").string();
      rr.threads = 2;
      auto r = Restore(*store_, rr);
      ASSERT_TRUE(r.ok()) << "restore " << Snap(i) << ": " << r.status().ToString();
      MustRun("truncate -s " + std::to_string(kDiskSize) + " " + Q(rr.to));
      EXPECT_TRUE(SameFiles(rr.to, Expected(i))) << Snap(i) << " does not restore bit-exact";
    }
  }

  DiskBackup MustFind(int i) {
    auto b = FindDiskBackup(*store_, Ref(i));
    EXPECT_TRUE(b.ok()) << b.status().ToString();
    return b.ok() ? *b : DiskBackup{};
  }
  std::optional<std::string> Backing(const DiskBackup& b) {
    auto r = BackingImagePath(*store_, b.image_path());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::nullopt;
  }

  TempDir dir_;
  fs::path scratch_;
  fs::path expected_dir_;
  std::unique_ptr<target::Store> store_;
};

class CrashTest : public CrashFixture, public ::testing::WithParamInterface<CrashCase> {
 protected:
  std::string OutputPath(const CrashCase& c) const {
    switch (c.op) {
      case Op::kRestoreRaw: return dir_ / "out/restored.raw";
      case Op::kRestoreQcow2: return dir_ / "out/restored.qcow2";
      case Op::kRestoreInPlace: return dir_ / "disk.raw";
      default: return "";
    }
  }
  std::vector<std::string> Argv(const CrashCase& c, int threads) const {
    switch (c.op) {
      case Op::kBackup: return BackupArgv(threads);
      case Op::kMerge: return Common("merge", c.snapshot, threads);
      default: break;
    }
    auto a = Common("restore", c.snapshot, threads);
    a.push_back("--to");
    a.push_back(OutputPath(c));
    if (c.op == Op::kRestoreQcow2) {
      a.push_back("--format");
      a.push_back("qcow2");
    }
    if (c.op == Op::kRestoreInPlace) a.push_back("--in-place");
    return a;
  }
};

constexpr char kOldOutput[] = "what the output held before the restore\n";

TEST_P(CrashTest, PublishedSnapshotsSurviveAndRecoveryLeavesNothing) {
  const CrashCase& c = GetParam();
  const std::string point = c.point();
  std::vector<int> before;  // published before the operation
  for (int i = 0; i < kPublished; ++i) before.push_back(i);

  // What the operation works on, and the names of what a crash leaves.
  std::optional<DiskBackup> dropped, child;
  std::optional<std::string> grandparent;
  std::vector<std::string> crash_leftovers;  // Leftovers() right after the crash
  uint64_t differing = 0;                    // in place: clusters of the disk that differ from the backup
  if (c.op == Op::kBackup && (point == "backup.2" || point == "backup.3" || point == "backup.4"))
    crash_leftovers.push_back("target/" + NewBackupDir());
  if (c.op == Op::kMerge) {
    dropped = MustFind(c.snapshot);
    if (c.snapshot + 1 < kPublished) {
      child = MustFind(c.snapshot + 1);
      ASSERT_EQ(Backing(*child), dropped->image_path());
    }
    grandparent = Backing(*dropped);
    if (point == "merge.2" || point == "merge.3") {
      ASSERT_TRUE(child) << point << " is only reached when the dropped backup has a child";
      crash_leftovers.push_back("target/" + child->image_path() + ".merging");
    }
    if (point == "merge.6") crash_leftovers.push_back("target/" + dropped->dir);
  }
  if (c.op == Op::kRestoreRaw || c.op == Op::kRestoreQcow2) {
    // An earlier output at that path must survive a crashed restore.
    std::ofstream(OutputPath(c)) << kOldOutput;
    if (point == "restore.2") crash_leftovers.push_back("out/" + fs::path(OutputPath(c)).filename().string() + ".part");
  }
  if (c.op == Op::kRestoreInPlace) {
    differing = DifferingClusters(OutputPath(c), Expected(c.snapshot));
    ASSERT_GT(differing, c.hits() + 1) << "the in-place restore must have clusters left to write after the crash";
  }
  ASSERT_EQ(Leftovers(), std::vector<std::string>{}) << "the template itself has leftovers";

  // 1. The operation aborts at the fault point (one thread: the count of a
  //    repeated point means the same place in the data every time).
  const ProcessResult crash = RunProcess(Argv(c, 1), c.fault);
  ASSERT_TRUE(crash.Aborted()) << "CAIRN_FAULT=" << c.fault
                               << " must abort the process at that point; it " << crash.Describe();
  EXPECT_NE(crash.err.find("injected fault at " + point), std::string::npos) << crash.err;

  // 2. Every snapshot published before is intact; the crash left exactly the
  //    documented leftovers, and the operation stopped where the point says.
  std::vector<int> after_crash = before;
  if (c.op == Op::kBackup && point == "backup.5") after_crash.push_back(kNewSnapshot);
  if (c.op == Op::kMerge && c.AfterCompletion()) std::erase(after_crash, c.snapshot);
  ExpectPublishedExact(after_crash, "after the crash at " + c.fault);
  EXPECT_EQ(Leftovers(), crash_leftovers) << "after the crash at " << c.fault;
  if (child) {
    // Up to merge.3 the child still reads through the dropped image; from
    // merge.4 on it has been replaced by the merged image.
    const bool replaced = c.step() >= 4;
    EXPECT_EQ(Backing(*child), replaced ? grandparent : dropped->image_path()) << "after the crash at " << c.fault;
  }
  if (c.op == Op::kRestoreRaw || c.op == Op::kRestoreQcow2) {
    std::ifstream in(OutputPath(c));
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), kOldOutput) << "a crashed restore replaced its output";
  }
  if (c.op == Op::kRestoreInPlace) {
    const uint64_t written = point == "restore.1" ? 0 : c.hits();
    EXPECT_EQ(DifferingClusters(OutputPath(c), Expected(c.snapshot)), differing - written)
        << "the crash must come after exactly " << written << " clusters were rewritten";
  }

  // 3. Recovery.
  std::vector<std::string> target_leftovers;  // as store paths, as cleanup reports them
  for (const auto& l : crash_leftovers)
    if (l.rfind("target/", 0) == 0) target_leftovers.push_back(l.substr(7));
  std::sort(target_leftovers.begin(), target_leftovers.end());
  if (c.recovery == Recovery::kCleanupFirst) {
    EXPECT_EQ(Cleanup(), target_leftovers) << "cleanup must remove every leftover on the target";
    EXPECT_EQ(Leftovers(), std::vector<std::string>{}) << "after cleanup";
  }
  const ProcessResult retry = RunProcess(Argv(c, 2));
  nlohmann::json result;
  if (c.AfterCompletion()) {
    // Already done: the retry refuses, naming why, and changes nothing.
    EXPECT_TRUE(retry.exited && retry.exit_code == 1) << "retry " << retry.Describe();
    const std::string why = c.op == Op::kBackup ? "already backed up"
                                                : "backup of workload " + std::string(kWorkload) + " snapshot " +
                                                      Snap(c.snapshot);
    EXPECT_NE(retry.err.find(why), std::string::npos) << retry.err;
  } else {
    ASSERT_TRUE(retry.exited && retry.exit_code == 0) << "retry " << retry.Describe();
    result = nlohmann::json::parse(retry.out, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(result.is_discarded()) << retry.out;
  }
  // What only cleanup removes: after merge.6, the dropped backup's unpublished directory.
  std::vector<std::string> left_for_cleanup;
  if (c.recovery == Recovery::kRetry && point == "merge.6") left_for_cleanup.push_back(dropped->dir);
  EXPECT_EQ(Cleanup(), left_for_cleanup) << "cleanup after the retry";

  // 4. The operation's result holds and nothing is left over.
  EXPECT_EQ(Leftovers(), std::vector<std::string>{}) << "after recovery";
  std::vector<int> after = before;
  if (c.op == Op::kBackup) after.push_back(kNewSnapshot);
  if (c.op == Op::kMerge) std::erase(after, c.snapshot);
  ExpectPublishedExact(after, "after recovery from the crash at " + c.fault);
  switch (c.op) {
    case Op::kBackup: {
      if (!c.AfterCompletion()) {
        EXPECT_EQ(result.value("type", ""), "incremental") << retry.out;
      }
      const DiskBackup made = MustFind(kNewSnapshot);
      EXPECT_EQ(made.dir, NewBackupDir());
      EXPECT_EQ(Backing(made), MustFind(kNewSnapshot - 1).image_path()) << "s3 is incremental on s2";
      break;
    }
    case Op::kMerge: {
      auto dir = FindDiskDir(*store_, Ref(c.snapshot));
      ASSERT_TRUE(dir.ok()) << dir.status().ToString();
      EXPECT_FALSE(dir->has_value()) << "the dropped backup's directory is still there: " << dir->value_or("");
      if (child) {
        EXPECT_EQ(Backing(MustFind(c.snapshot + 1)), grandparent) << "the child now reads through the grandparent";
      }
      if (!c.AfterCompletion() && point != "merge.4") {
        EXPECT_EQ(result.value("child", nlohmann::json()).is_string(), child.has_value()) << retry.out;
      }
      break;
    }
    case Op::kRestoreRaw:
      MustRun("truncate -s " + std::to_string(kDiskSize) + " " + Q(OutputPath(c)));
      EXPECT_TRUE(SameFiles(OutputPath(c), Expected(c.snapshot))) << "the retried restore is not bit-exact";
      break;
    case Op::kRestoreQcow2:
      ExpectQemuCheckClean(OutputPath(c));
      ExpectQemuReadsAs(OutputPath(c), Expected(c.snapshot), (scratch_ / "qemu.raw").string());
      break;
    case Op::kRestoreInPlace: {
      EXPECT_TRUE(SameFiles(OutputPath(c), Expected(c.snapshot))) << "the disk is not restored bit-exact";
      // The retry wrote only what the crashed run had not.
      const uint64_t written = point == "restore.1" ? 0 : c.hits();
      EXPECT_EQ(result.value("clusters_written", uint64_t{0}), differing - written) << retry.out;
      break;
    }
  }
}

std::vector<CrashCase> Cases() {
  const Recovery kC = Recovery::kCleanupFirst;
  return {
      // Backup of s3, incremental (scan) on s2.
      {"backup_1", Op::kBackup, "backup.1", kNewSnapshot},
      {"backup_2_mid_data", Op::kBackup, "backup.2:3", kNewSnapshot},
      {"backup_3", Op::kBackup, "backup.3", kNewSnapshot},
      {"backup_4", Op::kBackup, "backup.4", kNewSnapshot},
      {"backup_5", Op::kBackup, "backup.5", kNewSnapshot},
      {"backup_2_mid_data_cleanup", Op::kBackup, "backup.2:3", kNewSnapshot, kC},
      {"backup_3_cleanup", Op::kBackup, "backup.3", kNewSnapshot, kC},
      {"backup_4_cleanup", Op::kBackup, "backup.4", kNewSnapshot, kC},
      // Dropping s1: merged into its child s2, which then reads through s0.
      {"merge_middle_1", Op::kMerge, "merge.1", 1},
      {"merge_middle_2_mid_copy", Op::kMerge, "merge.2:3", 1},
      {"merge_middle_3", Op::kMerge, "merge.3", 1},
      {"merge_middle_4", Op::kMerge, "merge.4", 1},
      {"merge_middle_5", Op::kMerge, "merge.5", 1},
      {"merge_middle_6", Op::kMerge, "merge.6", 1},
      {"merge_middle_2_mid_copy_cleanup", Op::kMerge, "merge.2:3", 1, kC},
      {"merge_middle_3_cleanup", Op::kMerge, "merge.3", 1, kC},
      {"merge_middle_6_cleanup", Op::kMerge, "merge.6", 1, kC},
      // Dropping the full s0: its child s1 becomes a standalone image.
      {"merge_oldest_2_mid_copy", Op::kMerge, "merge.2:2", 0},
      {"merge_oldest_4", Op::kMerge, "merge.4", 0},
      {"merge_oldest_5", Op::kMerge, "merge.5", 0},
      // Dropping the newest s2: no child, only its removal.
      {"merge_newest_1", Op::kMerge, "merge.1", 2},
      {"merge_newest_6", Op::kMerge, "merge.6", 2},
      // Restoring s1 (through its chain) to a new raw or qcow2 file, and in
      // place onto the disk as it is now.
      {"restore_raw_1", Op::kRestoreRaw, "restore.1", 1},
      {"restore_raw_2_mid_output", Op::kRestoreRaw, "restore.2:1", 1},
      {"restore_raw_2_all_written", Op::kRestoreRaw, "restore.2:2", 1},  // the last unit, not yet renamed
      {"restore_qcow2_1", Op::kRestoreQcow2, "restore.1", 1},
      {"restore_qcow2_2_mid_output", Op::kRestoreQcow2, "restore.2:1", 1},
      {"restore_in_place_1", Op::kRestoreInPlace, "restore.1", 1},
      {"restore_in_place_2_mid_output", Op::kRestoreInPlace, "restore.2:3", 1},
  };
}

INSTANTIATE_TEST_SUITE_P(CrashPoints, CrashTest, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return info.param.name; });

class CrashCleanupTest : public CrashFixture {};
class CrashFaultHookTest : public CrashFixture {};
class CrashRecoveryTest : public CrashFixture {};

// An interrupted backup leaves a finished image without a manifest: not a
// backup, and `cleanup --json` removes its directory and names it.
TEST_F(CrashCleanupTest, RemovesAnInterruptedBackupAndReportsItInJson) {
  const ProcessResult crash = RunProcess(BackupArgv(1), "backup.4");
  ASSERT_TRUE(crash.Aborted()) << crash.Describe();
  const std::string dir = NewBackupDir();
  const fs::path local = dir_ / ("target/" + dir);
  std::vector<std::string> files;
  for (const auto& f : fs::directory_iterator(local)) files.push_back(f.path().filename().string());
  ASSERT_EQ(files.size(), 1u) << "an image and nothing else";
  ExpectQemuCheckClean((local / files[0]).string());  // backup.4: the image is finished and synced
  auto b = FindDiskBackup(*store_, Ref(kNewSnapshot));
  ASSERT_FALSE(b.ok());
  EXPECT_TRUE(b.status().IsNotFound()) << b.status().ToString();
  EXPECT_NE(b.status().message().find("interrupted"), std::string::npos) << b.status().message();

  EXPECT_EQ(Cleanup(), std::vector<std::string>{dir});
  EXPECT_FALSE(fs::exists(local));
  EXPECT_EQ(Cleanup(), std::vector<std::string>{}) << "a second cleanup finds nothing";
  EXPECT_EQ(Leftovers(), std::vector<std::string>{});
  ExpectPublishedExact({0, 1, 2}, "after cleanup");

  // Without --json, cleanup says what it removed as text.
  const ProcessResult text =
      RunProcess({CAIRN_DATAMOVER_BINARY, "cleanup", "--target", dir_ / "target", "--workload", kWorkload});
  EXPECT_TRUE(text.exited && text.exit_code == 0) << text.Describe();
  EXPECT_NE(text.out.find("removed"), std::string::npos) << text.out;

  const ProcessResult backup = RunProcess(BackupArgv(2));
  ASSERT_TRUE(backup.exited && backup.exit_code == 0) << backup.Describe();
  ExpectPublishedExact({0, 1, 2, 3}, "after the backup is taken again");
}

// The hook itself: the count picks the hit, and a count past the last hit
// never fires (so the counts above stop in the middle of the work: one more
// hit still exists).
TEST_F(CrashFaultHookTest, CountPicksTheHitAndCountsPastTheEndDoNotFire) {
  // backup.2:3 is mid-data: a fourth run of clusters follows.
  ProcessResult r = RunProcess(BackupArgv(1), "backup.2:4");
  ASSERT_TRUE(r.Aborted()) << r.Describe();
  r = RunProcess(BackupArgv(1), "backup.2:1000000");
  ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
  // merge.2:3 (dropping s1) and merge.2:2 (dropping s0) are mid-copy.
  r = RunProcess(Common("merge", 1, 1), "merge.2:4");
  ASSERT_TRUE(r.Aborted()) << r.Describe();
  r = RunProcess(Common("merge", 0, 1), "merge.2:3");
  ASSERT_TRUE(r.Aborted()) << r.Describe();
  // restore.2:1 is mid-output: the second unit of output follows.
  auto restore = Common("restore", 2, 1);
  restore.push_back("--to");
  restore.push_back(dir_ / "out/restored.raw");
  r = RunProcess(restore, "restore.2:2");
  ASSERT_TRUE(r.Aborted()) << r.Describe();
  r = RunProcess(restore, "restore.2:3");
  ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
  MustRun("truncate -s " + std::to_string(kDiskSize) + " " + Q(dir_ / "out/restored.raw"));
  EXPECT_TRUE(SameFiles(dir_ / "out/restored.raw", Expected(2)));
  // A point that is never reached in an operation does not fire.
  r = RunProcess(Common("merge", kNewSnapshot, 1), "merge.2");
  ASSERT_TRUE(r.exited && r.exit_code == 0) << "dropping the newest backup copies nothing: " << r.Describe();
  ExpectPublishedExact({0, 1, 2}, "after the runs to completion");
}

// After a crash at merge.4 (dropping s1), s1 and the rebuilt s2 both read
// through s0. Dropping s0 then is refused without changing anything, and
// retrying the interrupted merge first lets it proceed.
TEST_F(CrashRecoveryTest, InterruptedMergeMustBeRetriedBeforeDroppingItsGrandparent) {
  ProcessResult r = RunProcess(Common("merge", 1, 1), "merge.4");
  ASSERT_TRUE(r.Aborted()) << r.Describe();
  r = RunProcess(Common("merge", 0, 2));
  EXPECT_TRUE(r.exited && r.exit_code == 1) << "dropping s0 while two backups read through it: " << r.Describe();
  EXPECT_NE(r.err.find("two backups are incremental on"), std::string::npos) << r.err;
  EXPECT_EQ(Leftovers(), std::vector<std::string>{});
  ExpectPublishedExact({0, 1, 2}, "after the refused merge");

  r = RunProcess(Common("merge", 1, 2));
  ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
  r = RunProcess(Common("merge", 0, 2));
  ASSERT_TRUE(r.exited && r.exit_code == 0) << r.Describe();
  EXPECT_EQ(Backing(MustFind(2)), std::nullopt) << "s2 is now a standalone image";
  EXPECT_EQ(Cleanup(), std::vector<std::string>{});
  EXPECT_EQ(Leftovers(), std::vector<std::string>{});
  ExpectPublishedExact({2}, "after both merges");
}

}  // namespace
}  // namespace cairn::datamover
