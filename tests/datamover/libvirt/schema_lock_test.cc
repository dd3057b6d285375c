// SchemaLock: one holder at a time on the host, across threads and processes.
#include "datamover/libvirt/schema_lock.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

namespace cairn::datamover::libvirt {
namespace {

TEST(SchemaLockTest, ThreadsHoldItOneAtATime) {
  std::atomic<int> inside{0}, most{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        const SchemaLock lock;
        const int now = ++inside;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::yield();
        --inside;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(most.load(), 1);
}

TEST(SchemaLockTest, AnotherProcessWaitsForTheHolder) {
  if (!std::filesystem::is_directory("/run/lock") || ::access("/run/lock", W_OK) != 0)
    GTEST_SKIP() << "no writable /run/lock: the lock is the process mutex alone";
  const std::string marker = ::testing::TempDir() + "/schema-lock-released-" + std::to_string(::getpid());
  std::filesystem::remove(marker);
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    {
      const SchemaLock lock;
      (void)!::write(ready[1], "h", 1);
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      FILE* f = std::fopen(marker.c_str(), "w");
      if (f != nullptr) std::fclose(f);
    }
    ::_exit(0);
  }
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);  // the child holds the lock now
  {
    const SchemaLock lock;
    EXPECT_TRUE(std::filesystem::exists(marker)) << "took the lock while another process held it";
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ::close(ready[0]);
  ::close(ready[1]);
  std::filesystem::remove(marker);
}

}  // namespace
}  // namespace cairn::datamover::libvirt
