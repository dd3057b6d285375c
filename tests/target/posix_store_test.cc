#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "target/store.h"
#include "target/store_path.h"
#include "store_test_support.h"

namespace cairn::target {
namespace {

namespace fs = std::filesystem;
using namespace std::string_literals;

std::string ReadAll(File& file) {
  auto size = file.Size();
  EXPECT_TRUE(size.ok()) << size.status().ToString();
  std::string out(size.value_or(0), '\0');
  Status s = file.ReadAt(0, std::as_writable_bytes(std::span(out)));
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// --- Opening ---------------------------------------------------------------

TEST_F(PosixStoreTest, OpenRequiresAnExistingDirectory) {
  auto missing = OpenPosixStore(dir_.Path("nope"));
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().IsNotFound()) << missing.status().ToString();
  EXPECT_TRUE(Contains(missing.status().message(), dir_.Path("nope")));

  const std::string file = dir_.Write("plain", "x");
  auto not_dir = OpenPosixStore(file);
  ASSERT_FALSE(not_dir.ok());
  EXPECT_EQ(not_dir.status().code(), ErrorCode::kInvalidArgument);

  EXPECT_FALSE(OpenPosixStore("").ok());
}

TEST_F(PosixStoreTest, DescribeAndLocalPath) {
  EXPECT_EQ(store_->Describe(), "posix:" + root_);
  auto local = store_->LocalPath("workload_w/workload_db");
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(*local, root_ + "/workload_w/workload_db");
  auto root = store_->LocalPath("");
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(*root, root_);

  // A trailing slash on the root is dropped.
  auto slashed = OpenPosixStore(root_ + "//");
  ASSERT_TRUE(slashed.ok());
  EXPECT_EQ((*slashed)->LocalPath("a").value_or(""), root_ + "/a");
}

// --- Paths -----------------------------------------------------------------

TEST_F(PosixStoreTest, EveryMethodRejectsPathsThatEscapeOrAreMalformed) {
  Put("ok/file", "x");
  const std::vector<std::string> bad = {"/etc/passwd"s, "../escape"s, "ok/../../escape"s, "a//b"s,   "a/"s,
                                        "./a"s,         "ok/./file"s, ".."s,               "a\0b"s,   ".hidden"s,
                                        "ok/.lock"s};
  for (const std::string& path : bad) {
    SCOPED_TRACE(QuotePath(path));
    std::vector<Status> results;
    results.push_back(store_->OpenForRead(path).status());
    results.push_back(store_->Create(path).status());
    results.push_back(store_->WriteAtomic(path, AsBytes("data")));
    results.push_back(store_->ReadSmall(path).status());
    results.push_back(store_->Rename(path, "ok/other"));
    results.push_back(store_->Rename("ok/file", path));
    results.push_back(store_->Exists(path).status());
    results.push_back(store_->List(path).status());
    results.push_back(store_->Remove(path));
    results.push_back(store_->RemoveAll(path));
    results.push_back(store_->SyncDirectory(path));
    results.push_back(store_->LocalPath(path).status());
    for (size_t i = 0; i < results.size(); ++i) {
      EXPECT_EQ(results[i].code(), ErrorCode::kInvalidArgument) << "call " << i << ": " << results[i].ToString();
      EXPECT_TRUE(Contains(results[i].message(), QuotePath(path))) << results[i].message();
    }
  }
  // Nothing was written outside the root, and the valid file is untouched.
  EXPECT_FALSE(fs::exists(dir_.Path("escape")));
  EXPECT_EQ(store_->ReadSmall("ok/file").value_or(""), "x");
}

TEST_F(PosixStoreTest, EmptyPathIsTheRootOnlyForDirectoryQueries) {
  EXPECT_TRUE(store_->Exists("").value_or(false));
  EXPECT_TRUE(store_->List("").ok());
  EXPECT_TRUE(store_->SyncDirectory("").ok());
  EXPECT_EQ(store_->Create("").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->WriteAtomic("", AsBytes("x")).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->Remove("").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->RemoveAll("").code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(fs::exists(root_));
}

TEST_F(PosixStoreTest, SymbolicLinksBelowTheRootAreNeverFollowed) {
  std::ofstream(outside_ + "/secret") << "secret";
  fs::create_directory_symlink(outside_, root_ + "/link");
  fs::create_directories(root_ + "/a");
  fs::create_symlink(outside_ + "/secret", root_ + "/a/filelink");

  auto expect_refused = [](const Status& s) {
    EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument) << s.ToString();
    EXPECT_TRUE(Contains(s.message(), "symbolic link")) << s.message();
  };
  expect_refused(store_->Create("link/new").status());
  expect_refused(store_->Create("link/deeper/new").status());
  expect_refused(store_->WriteAtomic("link/new", AsBytes("x")));
  expect_refused(store_->OpenForRead("link/secret").status());
  expect_refused(store_->OpenForRead("a/filelink").status());
  expect_refused(store_->ReadSmall("a/filelink").status());
  expect_refused(store_->List("link").status());
  expect_refused(store_->SyncDirectory("link"));
  expect_refused(store_->Rename("link/secret", "stolen"));
  EXPECT_FALSE(fs::exists(outside_ + "/new"));
  EXPECT_FALSE(fs::exists(outside_ + "/deeper"));
  EXPECT_FALSE(fs::exists(root_ + "/stolen"));

  // Removal takes the links away, not what they point at.
  ASSERT_TRUE(store_->RemoveAll("a").ok());
  ASSERT_TRUE(store_->RemoveAll("link").ok());
  EXPECT_FALSE(fs::exists(fs::symlink_status(root_ + "/link")));
  EXPECT_FALSE(fs::exists(root_ + "/a"));
  EXPECT_TRUE(fs::exists(outside_ + "/secret"));
}

TEST_F(PosixStoreTest, RemoveAllDoesNotDescendIntoLinkedDirectories) {
  std::ofstream(outside_ + "/keep") << "keep";
  fs::create_directories(root_ + "/w/s");
  fs::create_directory_symlink(outside_, root_ + "/w/s/out");
  std::ofstream(root_ + "/w/s/file") << "x";
  ASSERT_TRUE(store_->RemoveAll("w").ok());
  EXPECT_FALSE(fs::exists(root_ + "/w"));
  EXPECT_TRUE(fs::exists(outside_ + "/keep"));
}

TEST_F(PosixStoreTest, FifoIsNotOpenedAsAFile) {
  ASSERT_EQ(::mkfifo((root_ + "/pipe").c_str(), 0600), 0);
  // Must return at once (a blocking open would hang the test) and refuse.
  auto read = store_->ReadSmall("pipe");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), ErrorCode::kInvalidArgument) << read.status().ToString();
}

// --- Create and OpenForRead --------------------------------------------------

TEST_F(PosixStoreTest, CreateMakesParentsAndRefusesExistingPaths) {
  auto file = store_->Create("workload_w/snapshot_s/vm_id_v/vm_res_id_r_vda/d1");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ((*file)->name(), root_ + "/workload_w/snapshot_s/vm_id_v/vm_res_id_r_vda/d1");
  EXPECT_EQ((*file)->Size().value_or(99), 0u);
  ASSERT_TRUE((*file)->WriteAt(4, AsBytes("data")).ok());
  ASSERT_TRUE((*file)->WriteAt(0, AsBytes("head")).ok());
  ASSERT_TRUE((*file)->Sync().ok());
  file->reset();

  auto again = store_->Create("workload_w/snapshot_s/vm_id_v/vm_res_id_r_vda/d1");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), ErrorCode::kAlreadyExists) << again.status().ToString();
  EXPECT_TRUE(Contains(again.status().message(), "vm_res_id_r_vda/d1"));
  // A directory in the way also exists already.
  EXPECT_EQ(store_->Create("workload_w/snapshot_s").status().code(), ErrorCode::kAlreadyExists);
  // A file where a parent directory should be cannot become one.
  EXPECT_FALSE(store_->Create("workload_w/snapshot_s/vm_id_v/vm_res_id_r_vda/d1/x").ok());

  auto read = store_->OpenForRead("workload_w/snapshot_s/vm_id_v/vm_res_id_r_vda/d1");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(ReadAll(**read), "headdata");
  EXPECT_FALSE((*read)->WriteAt(0, AsBytes("x")).ok()) << "opened for reading only";
}

TEST_F(PosixStoreTest, CreatedFileReportsHoles) {
  auto file = store_->Create("sparse");
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Truncate(1 << 20).ok());
  ASSERT_TRUE((*file)->WriteAt((1 << 20) - 4096, AsBytes(std::string(4096, 'x'))).ok());
  auto next = (*file)->NextData(0);
  ASSERT_TRUE(next.ok());
  EXPECT_LE(next->first, (1u << 20) - 4096);
  EXPECT_EQ(next->second, 1u << 20);
}

TEST_F(PosixStoreTest, OpenForReadNotFoundNamesThePath) {
  auto missing = store_->OpenForRead("workload_w/workload_db");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().IsNotFound()) << missing.status().ToString();
  EXPECT_TRUE(Contains(missing.status().message(), "workload_w")) << missing.status().message();

  Put("workload_w/other", "x");
  auto missing_file = store_->OpenForRead("workload_w/workload_db");
  ASSERT_FALSE(missing_file.ok());
  EXPECT_TRUE(missing_file.status().IsNotFound());
  EXPECT_TRUE(Contains(missing_file.status().message(), root_ + "/workload_w/workload_db"));

  // Through a file used as a directory: nothing is there either.
  EXPECT_TRUE(store_->OpenForRead("workload_w/other/x").status().IsNotFound());
  // A directory is not a file.
  EXPECT_EQ(store_->OpenForRead("workload_w").status().code(), ErrorCode::kInvalidArgument);
}

// --- WriteAtomic and ReadSmall -------------------------------------------------

TEST_F(PosixStoreTest, WriteAtomicCreatesAndReplaces) {
  Put("workload_w/workload_db", "{\"first\": \"a longer first version\"}");
  EXPECT_EQ(store_->ReadSmall("workload_w/workload_db").value_or(""), "{\"first\": \"a longer first version\"}");
  Put("workload_w/workload_db", "{}");
  EXPECT_EQ(store_->ReadSmall("workload_w/workload_db").value_or(""), "{}");
  Put("workload_w/workload_db", "");
  auto empty = store_->ReadSmall("workload_w/workload_db");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, "");
  // No temporary file is left behind.
  EXPECT_EQ(RawNames("workload_w"), std::vector<std::string>{"workload_db"});
}

TEST_F(PosixStoreTest, WriteAtomicReadersSeeTheOldOrTheNewContentNeverAMix) {
  const size_t kSize = 256 * 1024;
  const std::string a(kSize, 'a'), b(kSize, 'b');
  Put("d/f", a);
  std::atomic<bool> done{false};
  std::atomic<int> writes{0};
  std::thread writer([&] {
    for (int i = 0; i < 100; ++i) {
      if (!store_->WriteAtomic("d/f", AsBytes(i % 2 ? a : b)).ok()) break;
      writes.fetch_add(1);
    }
    done = true;
  });
  int reads = 0, torn = 0, listed_temp = 0, errors = 0;
  while (!done || reads == 0) {
    auto text = store_->ReadSmall("d/f");
    if (!text.ok()) {
      ++errors;
    } else if (text->size() != kSize || (text->find_first_not_of(text->front()) != std::string::npos)) {
      ++torn;
    }
    auto names = store_->List("d");
    if (!names.ok() || *names != std::vector<std::string>{"f"}) ++listed_temp;
    ++reads;
  }
  writer.join();
  EXPECT_EQ(writes.load(), 100);
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(torn, 0) << "of " << reads << " reads";
  EXPECT_EQ(listed_temp, 0) << "List showed a temporary file";
  EXPECT_EQ(RawNames("d"), std::vector<std::string>{"f"});
}

TEST_F(PosixStoreTest, WriteAtomicFailureLeavesNoTemporaryFile) {
  // A non-empty directory where the file should go: the rename fails.
  Put("d/f/inside", "x");
  Status s = store_->WriteAtomic("d/f", AsBytes("new"));
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(Contains(s.message(), root_ + "/d/f")) << s.message();
  EXPECT_EQ(RawNames("d"), std::vector<std::string>{"f"});
  EXPECT_EQ(store_->ReadSmall("d/f/inside").value_or(""), "x");
}

TEST_F(PosixStoreTest, WriteAtomicRemovesTemporariesOfCrashedWriters) {
  Put("d/f", "v1");
  const std::string stale = root_ + "/d/.f.tmp.999999.0";
  const std::string fresh = root_ + "/d/.f.tmp.999999.1";
  const std::string other = root_ + "/d/.g.tmp.999999.0";
  for (const std::string& p : {stale, fresh, other}) std::ofstream(p) << "partial";
  const auto two_hours_ago = fs::file_time_type::clock::now() - std::chrono::hours(2);
  fs::last_write_time(stale, two_hours_ago);
  fs::last_write_time(other, two_hours_ago);
  Put("d/f", "v2");
  EXPECT_FALSE(fs::exists(stale)) << "a crashed writer's temporary";
  EXPECT_TRUE(fs::exists(fresh)) << "may belong to a writer still running";
  EXPECT_TRUE(fs::exists(other)) << "another file's temporary";
  EXPECT_EQ(store_->ReadSmall("d/f").value_or(""), "v2");
}

TEST_F(PosixStoreTest, ReadSmallEnforcesItsLimit) {
  Put("f", std::string(100, 'x'));
  EXPECT_EQ(store_->ReadSmall("f", 100).value_or("").size(), 100u);
  auto over = store_->ReadSmall("f", 99);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), ErrorCode::kOutOfRange);
  EXPECT_TRUE(Contains(over.status().message(), root_ + "/f")) << over.status().message();
  EXPECT_TRUE(store_->ReadSmall("missing").status().IsNotFound());
}

// --- Rename ------------------------------------------------------------------

TEST_F(PosixStoreTest, RenameReplacesAndCreatesParents) {
  Put("a/from", "new");
  Put("a/to", "old");
  ASSERT_TRUE(store_->Rename("a/from", "a/to").ok());
  EXPECT_EQ(store_->ReadSmall("a/to").value_or(""), "new");
  EXPECT_FALSE(store_->Exists("a/from").value_or(true));

  ASSERT_TRUE(store_->Rename("a/to", "b/c/moved").ok());
  EXPECT_EQ(store_->ReadSmall("b/c/moved").value_or(""), "new");
  EXPECT_FALSE(store_->Exists("a/to").value_or(true));

  // Directories move too.
  ASSERT_TRUE(store_->Rename("b/c", "d").ok());
  EXPECT_EQ(store_->ReadSmall("d/moved").value_or(""), "new");
}

TEST_F(PosixStoreTest, RenameOfAMissingSourceIsNotFound) {
  Status s = store_->Rename("nope/x", "y");
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  Put("a/x", "1");
  s = store_->Rename("a/y", "b/y");
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_TRUE(Contains(s.message(), root_ + "/a/y")) << s.message();
  EXPECT_FALSE(store_->Exists("b").value_or(true)) << "no destination directory made for a failed rename";
}

// --- Exists, List ----------------------------------------------------------------

TEST_F(PosixStoreTest, ExistsSeesFilesAndDirectories) {
  Put("w/s/f", "x");
  EXPECT_TRUE(store_->Exists("w").value_or(false));
  EXPECT_TRUE(store_->Exists("w/s").value_or(false));
  EXPECT_TRUE(store_->Exists("w/s/f").value_or(false));
  EXPECT_FALSE(store_->Exists("w/s/g").value_or(true));
  EXPECT_FALSE(store_->Exists("x/y/z").value_or(true));
  EXPECT_FALSE(store_->Exists("w/s/f/under_a_file").value_or(true));
}

TEST_F(PosixStoreTest, ListIsSortedAndHidesReservedNames) {
  Put("w/snapshot_b/snapshot_db", "x");
  Put("w/snapshot_a/snapshot_db", "x");
  Put("w/workload_db", "x");
  Put("w/Z", "x");
  std::ofstream(root_ + "/w/.workload_db.tmp.1.2") << "partial";
  std::ofstream(root_ + "/w/.nfs0000001") << "silly";
  auto names = store_->List("w");
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  EXPECT_EQ(*names, (std::vector<std::string>{"Z", "snapshot_a", "snapshot_b", "workload_db"}));

  auto root = store_->List("");
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(*root, std::vector<std::string>{"w"});

  auto missing = store_->List("nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().IsNotFound());
  EXPECT_TRUE(Contains(missing.status().message(), root_ + "/nope"));
  EXPECT_FALSE(store_->List("w/workload_db").ok()) << "a file is not a directory";
}

// --- Remove, RemoveAll -------------------------------------------------------------

TEST_F(PosixStoreTest, RemoveDeletesFilesAndToleratesMissingOnes) {
  Put("w/f", "x");
  ASSERT_TRUE(store_->Remove("w/f").ok());
  EXPECT_FALSE(store_->Exists("w/f").value_or(true));
  EXPECT_TRUE(store_->Remove("w/f").ok());
  EXPECT_TRUE(store_->Remove("no/such/dir/f").ok());
  // Directories are for RemoveAll.
  EXPECT_FALSE(store_->Remove("w").ok());
  EXPECT_TRUE(store_->Exists("w").value_or(false));
}

TEST_F(PosixStoreTest, RemoveAllDeletesATree) {
  Put("w/s1/v/r/img", "x");
  Put("w/s1/v/r/img.manifest", "x");
  Put("w/s2/snapshot_db", "x");
  Put("w/workload_db", "x");
  Put("keep/f", "x");
  std::ofstream(root_ + "/w/s1/.leftover.tmp.9.9") << "x";
  ASSERT_TRUE(store_->RemoveAll("w").ok());
  EXPECT_FALSE(fs::exists(root_ + "/w"));
  EXPECT_EQ(store_->ReadSmall("keep/f").value_or(""), "x");
  EXPECT_TRUE(store_->RemoveAll("w").ok()) << "missing is fine";
  EXPECT_TRUE(store_->RemoveAll("no/such/parent").ok());
  // A file is removed too.
  ASSERT_TRUE(store_->RemoveAll("keep/f").ok());
  EXPECT_FALSE(store_->Exists("keep/f").value_or(true));
}

TEST_F(PosixStoreTest, RemoveAllBoundsItsDepth) {
  std::string deep = "w";
  for (int i = 0; i < 70; ++i) deep += "/d";
  Put(deep + "/f", "x");
  Status s = store_->RemoveAll("w");
  EXPECT_EQ(s.code(), ErrorCode::kNotSupported) << s.ToString();
  std::string shallow = "v";
  for (int i = 0; i < 60; ++i) shallow += "/d";
  Put(shallow + "/f", "x");
  EXPECT_TRUE(store_->RemoveAll("v").ok());
  EXPECT_FALSE(store_->Exists("v").value_or(true));
}

// --- FreeSpace, SyncDirectory --------------------------------------------------------

TEST_F(PosixStoreTest, FreeSpaceIsPositive) {
  auto free = store_->FreeSpace();
  ASSERT_TRUE(free.ok()) << free.status().ToString();
  EXPECT_GT(*free, 0u);
}

TEST_F(PosixStoreTest, SyncDirectory) {
  Put("w/f", "x");
  EXPECT_TRUE(store_->SyncDirectory("w").ok());
  EXPECT_TRUE(store_->SyncDirectory("").ok());
  EXPECT_TRUE(store_->SyncDirectory("nope").IsNotFound());
}

TEST_F(PosixStoreTest, StoreFollowsTheRootByName) {
  // The root is reopened per operation: a directory swapped in at the root's
  // path (as after a remount) is the one used.
  Put("f", "old root");
  fs::rename(root_, dir_.Path("old"));
  fs::create_directories(root_);
  EXPECT_FALSE(store_->Exists("f").value_or(true));
  Put("f", "new root");
  EXPECT_EQ(store_->ReadSmall("f").value_or(""), "new root");
}

}  // namespace
}  // namespace cairn::target
