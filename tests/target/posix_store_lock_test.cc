// Workload locks of the POSIX store: exclusion within a process, between
// threads and between processes, timeouts, release on destruction.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "store_test_support.h"
#include "target/store.h"

namespace cairn::target {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A child process that takes (or tries) a workload lock and then waits for
// the parent: the parent reads the child's result from `from_child` and ends
// it by writing to `to_child` (or by killing it).
class LockChild {
 public:
  // Forks a child that opens the store at `root`, calls
  // LockWorkload(workload, timeout) and reports 'L' (locked), 'C' (conflict)
  // or 'E' (other error); then holds whatever it got until told to exit.
  LockChild(const std::string& root, const std::string& workload, std::chrono::milliseconds timeout) {
    int up[2], down[2];
    if (::pipe(up) != 0 || ::pipe(down) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(up[0]);
      ::close(down[1]);
      char result = 'E';
      std::unique_ptr<WorkloadLock> lock;
      if (auto store = OpenPosixStore(root); store.ok()) {
        auto got = (*store)->LockWorkload(workload, timeout);
        if (got.ok()) {
          lock = std::move(got).value();
          result = 'L';
        } else if (got.status().code() == ErrorCode::kConflict) {
          result = 'C';
        }
      }
      (void)!::write(up[1], &result, 1);
      char ignored;
      (void)!::read(down[0], &ignored, 1);  // until the parent writes or closes
      lock.reset();
      ::_exit(0);
    }
    ::close(up[1]);
    ::close(down[0]);
    from_child_ = up[0];
    to_child_ = down[1];
  }
  ~LockChild() {
    Finish();
    if (from_child_ >= 0) ::close(from_child_);
  }

  bool started() const { return pid_ > 0; }
  // The child's report: 'L', 'C', 'E', or '?' when it died first.
  char Result() {
    char c = '?';
    if (::read(from_child_, &c, 1) != 1) return '?';
    return c;
  }
  // Lets the child release and exit; waits for it.
  void Finish() {
    if (to_child_ >= 0) {
      ::close(to_child_);
      to_child_ = -1;
    }
    Wait();
  }
  void Kill() {
    if (pid_ > 0) ::kill(pid_, SIGKILL);
    Wait();
  }

 private:
  void Wait() {
    if (pid_ > 0) {
      int status = 0;
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
    }
  }
  pid_t pid_ = -1;
  int from_child_ = -1;
  int to_child_ = -1;
};

TEST_F(PosixStoreTest, LockExcludesASecondLockInTheSameProcess) {
  auto first = store_->LockWorkload("w1", 0ms);
  ASSERT_TRUE(first.ok()) << first.status().ToString();

  auto second = store_->LockWorkload("w1", 0ms);
  ASSERT_FALSE(second.ok()) << "two locks on one workload in one process";
  EXPECT_EQ(second.status().code(), ErrorCode::kConflict);
  EXPECT_TRUE(second.status().message().starts_with("workload w1 is locked by another job")) << second.status().message();
  // The holder is named for operators.
  EXPECT_NE(second.status().message().find("pid=" + std::to_string(::getpid())), std::string::npos)
      << second.status().message();

  // Another workload is independent; another store object on the same root is not.
  EXPECT_TRUE(store_->LockWorkload("w2", 0ms).ok());
  auto other_store = OpenPosixStore(root_);
  ASSERT_TRUE(other_store.ok());
  EXPECT_EQ((*other_store)->LockWorkload("w1", 0ms).status().code(), ErrorCode::kConflict);

  first->reset();  // released on destruction
  auto third = store_->LockWorkload("w1", 0ms);
  EXPECT_TRUE(third.ok()) << third.status().ToString();
}

TEST_F(PosixStoreTest, LockTimesOutWithConflict) {
  auto held = store_->LockWorkload("w1", 0ms);
  ASSERT_TRUE(held.ok());
  const auto start = Clock::now();
  auto waited = store_->LockWorkload("w1", 300ms);
  const auto elapsed = Clock::now() - start;
  ASSERT_FALSE(waited.ok());
  EXPECT_EQ(waited.status().code(), ErrorCode::kConflict);
  EXPECT_GE(elapsed, 300ms);
  EXPECT_LT(elapsed, 10s);
}

TEST_F(PosixStoreTest, LockRejectsInvalidWorkloadIds) {
  for (const std::string id : {"", "../w", "a/b", ".locks", "w 1"}) {
    auto lock = store_->LockWorkload(id, 0ms);
    ASSERT_FALSE(lock.ok()) << id;
    EXPECT_EQ(lock.status().code(), ErrorCode::kInvalidArgument) << lock.status().ToString();
  }
}

TEST_F(PosixStoreTest, LockDoesNotCreateTheWorkloadDirectoryAndSurvivesItsRemoval) {
  auto lock = store_->LockWorkload("w1", 0ms);
  ASSERT_TRUE(lock.ok());
  EXPECT_FALSE(store_->Exists("workload_w1").value_or(true));
  EXPECT_EQ(store_->List("").value_or(std::vector<std::string>{"?"}), std::vector<std::string>{});

  // Deleting the workload's tree under its lock leaves the lock in force.
  Put("workload_w1/workload_db", "{}");
  ASSERT_TRUE(store_->RemoveAll("workload_w1").ok());
  EXPECT_EQ(store_->LockWorkload("w1", 0ms).status().code(), ErrorCode::kConflict);
}

TEST_F(PosixStoreTest, WaitingLockIsGrantedWhenTheHolderReleases) {
  auto held = store_->LockWorkload("w1", 0ms);
  ASSERT_TRUE(held.ok());
  std::atomic<bool> released{false};
  std::atomic<bool> granted_before_release{false};
  Status waiter_status;
  std::thread waiter([&] {
    auto lock = store_->LockWorkload("w1", 10s);
    if (lock.ok() && !released) granted_before_release = true;
    waiter_status = lock.status();
  });
  std::this_thread::sleep_for(200ms);
  released = true;
  held->reset();
  waiter.join();
  EXPECT_TRUE(waiter_status.ok()) << waiter_status.ToString();
  EXPECT_FALSE(granted_before_release);
}

TEST_F(PosixStoreTest, LockExcludesThreads) {
  // Each thread enters a critical section under the lock; any overlap is a
  // failure of exclusion.
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  std::atomic<int> entries{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        auto lock = store_->LockWorkload("w1", 30s);
        if (!lock.ok()) {
          ++failures;
          continue;
        }
        if (inside.fetch_add(1) != 0) ++overlaps;
        ++entries;
        std::this_thread::sleep_for(2ms);
        inside.fetch_sub(1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(entries.load(), 40);
  EXPECT_EQ(overlaps.load(), 0);
}

TEST_F(PosixStoreTest, LockExcludesAnotherProcess) {
  LockChild child(root_, "w1", 0ms);
  ASSERT_TRUE(child.started());
  ASSERT_EQ(child.Result(), 'L');

  auto blocked = store_->LockWorkload("w1", 100ms);
  ASSERT_FALSE(blocked.ok()) << "the child holds it";
  EXPECT_EQ(blocked.status().code(), ErrorCode::kConflict);
  EXPECT_TRUE(store_->LockWorkload("w2", 0ms).ok());

  child.Finish();  // the child releases and exits
  auto mine = store_->LockWorkload("w1", 5s);
  ASSERT_TRUE(mine.ok()) << mine.status().ToString();

  // And the other way round: the child cannot take the parent's lock.
  LockChild second(root_, "w1", 100ms);
  ASSERT_TRUE(second.started());
  EXPECT_EQ(second.Result(), 'C');
}

TEST_F(PosixStoreTest, LockOfAKilledProcessIsReleased) {
  LockChild child(root_, "w1", 0ms);
  ASSERT_TRUE(child.started());
  ASSERT_EQ(child.Result(), 'L');
  EXPECT_EQ(store_->LockWorkload("w1", 0ms).status().code(), ErrorCode::kConflict);
  child.Kill();
  auto mine = store_->LockWorkload("w1", 5s);
  EXPECT_TRUE(mine.ok()) << mine.status().ToString();
}

TEST_F(PosixStoreTest, ReleasedLockIsFreeEvenWhileAForkedChildHasTheFd) {
  auto held = store_->LockWorkload("w1", 0ms);
  ASSERT_TRUE(held.ok());
  // The child inherits the lock's fd (a copy of the open file description)
  // and lives on; it takes a lock on another workload to have something to do.
  LockChild child(root_, "w2", 0ms);
  ASSERT_TRUE(child.started());
  ASSERT_EQ(child.Result(), 'L');
  held->reset();
  auto again = store_->LockWorkload("w1", 0ms);
  EXPECT_TRUE(again.ok()) << "the destructor unlocks, not only closes: " << again.status().ToString();
}

}  // namespace
}  // namespace cairn::target
