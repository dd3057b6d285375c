#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "db/disk_task_repository.h"
#include "db/schema.h"
#include "rpc/db_transport.h"
#include "rpc/in_process_transport.h"
#include "support/assert_ok.h"
#include "support/command.h"

namespace cairn::rpc {
namespace {

using nlohmann::json;

// Echoes the body, reports progress in 4 steps; fails or waits for cancel on request.
class FakeHandler : public TaskHandler {
 public:
  Result<json> Run(const DiskTask& task, const ProgressFn& progress, const std::atomic<bool>& cancel) override {
    ++runs;
    if (task.body.value("fail", false)) return Status::NotFound("domain " + task.body.value("domain", "") + " not found");
    if (task.body.value("wait_for_cancel", false)) {
      for (int i = 0; i < 400 && !cancel.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      if (cancel.load()) return Status::Cancelled("stopped on request");
      return Status::Internal("never cancelled");
    }
    for (uint64_t i = 1; i <= 4; ++i) {
      progress(i * 25, 100);
      std::this_thread::sleep_for(std::chrono::milliseconds(task.body.value("step_ms", 0)));
    }
    return json{{"echo", task.body}, {"host", task.host}};
  }
  std::atomic<int> runs{0};
};

// A datamover whose read blocks: reports some progress, then reads a FIFO
// that nobody writes (as a read of a hung NFS server: no cancel reaches it)
// until Release() writes it.
class BlockedReadHandler : public TaskHandler {
 public:
  explicit BlockedReadHandler(std::string fifo) : fifo_(std::move(fifo)) {
    EXPECT_EQ(::mkfifo(fifo_.c_str(), 0600), 0);
  }
  ~BlockedReadHandler() override { Release(); }
  Result<json> Run(const DiskTask&, const ProgressFn& progress, const std::atomic<bool>&) override {
    progress(10, 100);
    const int fd = ::open(fifo_.c_str(), O_RDONLY);
    char byte = 0;
    const ssize_t n = fd >= 0 ? ::read(fd, &byte, 1) : -1;
    if (fd >= 0) ::close(fd);
    ended = true;
    return n == 1 ? Status::Cancelled("released") : Status::IOError("read failed");
  }
  // Unblocks the read (once) and waits until Run returned.
  void Release() {
    if (released_.exchange(true)) return;
    // Non-blocking: fails (ENXIO) while no reader has the FIFO open.
    for (int i = 0; i < 200 && !ended.load(); ++i) {
      const int fd = ::open(fifo_.c_str(), O_WRONLY | O_NONBLOCK);
      if (fd >= 0) {
        (void)!::write(fd, "x", 1);
        ::close(fd);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    for (int i = 0; i < 500 && !ended.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::atomic<bool> ended{false};

 private:
  std::string fifo_;
  std::atomic<bool> released_{false};
};

TEST(InProcessTransportTest, AReadThatBlocksFailsTheTaskNamingHostAndDisk) {
  cairn::testing::TempDir dir;
  BlockedReadHandler blocked((dir.path() / "fifo").string());
  InProcessTransport transport(std::chrono::milliseconds(300), std::chrono::milliseconds(100));
  transport.Register("*", blocked);
  uint64_t last = 0;
  const auto started = std::chrono::steady_clock::now();
  auto r = transport.Call({.host = "compute-7", .kind = "restore_disk", .body = {{"vm", "vm-1"}, {"device", "vdb"}}},
                          [&](uint64_t d, uint64_t) { last = d; }, nullptr);
  const auto waited = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(r.status().message().find("host compute-7"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("disk vdb of VM vm-1"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("no progress"), std::string::npos) << r.status().message();
  EXPECT_LT(waited, std::chrono::seconds(3));
  EXPECT_EQ(last, 10u);
  EXPECT_FALSE(blocked.ended.load());  // still stuck: the caller did not wait for it
  blocked.Release();
  EXPECT_TRUE(blocked.ended.load());
}

TEST(InProcessTransportTest, SteadyProgressIsNotAStall) {
  InProcessTransport transport(std::chrono::milliseconds(200));
  FakeHandler h;
  transport.Register("*", h);
  // 4 steps of 120 ms: longer than the stall timeout in all, never without progress for it.
  auto r = transport.Call({.host = "h", .kind = "k", .body = {{"step_ms", 120}}}, {}, nullptr);
  ASSERT_CAIRN_OK(r);
}

TEST(InProcessTransportTest, RoutesByHostWithWildcard) {
  InProcessTransport transport;
  FakeHandler a;
  FakeHandler any;
  transport.Register("compute-a", a);
  EXPECT_EQ(transport.Call({.host = "compute-b", .kind = "k"}, {}, nullptr).status().code(), ErrorCode::kUnavailable);
  transport.Register("*", any);
  uint64_t last = 0;
  auto r = transport.Call({.host = "compute-a", .kind = "k", .body = {{"x", 1}}}, [&](uint64_t d, uint64_t) { last = d; },
                          nullptr);
  ASSERT_CAIRN_OK(r);
  EXPECT_EQ((*r)["echo"]["x"], 1);
  EXPECT_EQ(last, 100u);
  ASSERT_CAIRN_OK(transport.Call({.host = "compute-b", .kind = "k"}, {}, nullptr));
  EXPECT_EQ(a.runs, 1);
  EXPECT_EQ(any.runs, 1);
}

TEST(InProcessTransportTest, CancelReachesTheHandler) {
  InProcessTransport transport;
  FakeHandler h;
  transport.Register("*", h);
  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    cancel = true;
  });
  auto r = transport.Call({.host = "h", .kind = "k", .body = {{"wait_for_cancel", true}}}, {}, &cancel);
  canceller.join();
  EXPECT_EQ(r.status().code(), ErrorCode::kCancelled);
}

class DbTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db::DatabaseOptions options;
    options.connection = "sqlite:///" + (dir_.path() / "cairn.db").string();
    auto db = db::Database::Open(options);
    ASSERT_CAIRN_OK(db);
    db_ = std::move(*db);
    ASSERT_CAIRN_OK(db::Sync(*db_));
  }
  // A worker for host "h" running in the background until the test ends.
  void StartWorker() {
    worker_thread_ = std::thread([this] {
      DbTaskWorker worker(*db_, handler_, {.host = "h", .worker = "h-1", .poll_interval = std::chrono::milliseconds(20),
                                           .report_interval = std::chrono::milliseconds(20)});
      worker.RunUntil(stop_);
    });
  }
  void TearDown() override {
    stop_ = true;
    if (worker_thread_.joinable()) worker_thread_.join();
  }
  DbTransportOptions Fast() {
    return {.poll_interval = std::chrono::milliseconds(20), .stale_after = std::chrono::seconds(1),
            .unclaimed_after = std::chrono::seconds(1)};
  }

  cairn::testing::TempDir dir_;
  std::unique_ptr<db::Database> db_;
  FakeHandler handler_;
  std::atomic<bool> stop_{false};
  std::thread worker_thread_;
};

TEST_F(DbTransportTest, ResultAndProgressCrossTheDatabase) {
  StartWorker();
  DbTransport transport(*db_, Fast());
  uint64_t last = 0;
  auto r = transport.Call({.job_id = "j", .host = "h", .kind = "k", .body = {{"step_ms", 30}, {"v", "x"}}},
                          [&](uint64_t d, uint64_t t) {
                            EXPECT_EQ(t, 100u);
                            last = d;
                          },
                          nullptr);
  ASSERT_CAIRN_OK(r);
  EXPECT_EQ((*r)["echo"]["v"], "x");
  EXPECT_EQ(last, 100u);
}

TEST_F(DbTransportTest, ErrorsKeepCodeAndMessage) {
  StartWorker();
  DbTransport transport(*db_, Fast());
  auto r = transport.Call({.host = "h", .kind = "k", .body = {{"fail", true}, {"domain", "instance-7"}}}, {}, nullptr);
  EXPECT_EQ(r.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(r.status().message(), "domain instance-7 not found");
}

TEST_F(DbTransportTest, CancelReachesTheWorker) {
  StartWorker();
  DbTransport transport(*db_, Fast());
  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    cancel = true;
  });
  auto r = transport.Call({.host = "h", .kind = "k", .body = {{"wait_for_cancel", true}}}, {}, &cancel);
  canceller.join();
  EXPECT_EQ(r.status().code(), ErrorCode::kCancelled) << r.status().ToString();
}

TEST_F(DbTransportTest, AReadThatBlocksFailsTheTaskThoughTheWorkerHeartbeats) {
  BlockedReadHandler blocked((dir_.path() / "fifo").string());
  std::atomic<bool> stop{false};
  std::thread worker_thread([&] {
    DbTaskWorker worker(*db_, blocked, {.host = "compute-7", .worker = "w", .poll_interval = std::chrono::milliseconds(20),
                                        .report_interval = std::chrono::milliseconds(20)});
    worker.RunUntil(stop);
  });
  DbTransportOptions options = Fast();
  options.stale_after = std::chrono::seconds(30);  // heartbeats keep coming: only the stall ends it
  options.stall_after = std::chrono::milliseconds(400);
  DbTransport transport(*db_, options);
  const auto started = std::chrono::steady_clock::now();
  auto r = transport.Call({.job_id = "j", .host = "compute-7", .kind = "vm_backup",
                           .body = {{"vm", "vm-1"}, {"domain", "instance-9"}}},
                          {}, nullptr);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(r.status().message().find("host compute-7"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("VM vm-1 (domain instance-9)"), std::string::npos) << r.status().message();
  auto unfinished = db::DiskTaskRepository(*db_).ListUnfinished("j");
  ASSERT_CAIRN_OK(unfinished);
  EXPECT_TRUE(unfinished->empty()) << "the stalled task is still queued or running";
  blocked.Release();
  stop = true;
  worker_thread.join();
}

TEST_F(DbTransportTest, NoDatamoverOnTheHostFailsClearly) {
  DbTransport transport(*db_, Fast());
  auto r = transport.Call({.host = "lonely", .kind = "k"}, {}, nullptr);
  EXPECT_EQ(r.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(r.status().message().find("cairn-datamover running on host lonely"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace cairn::rpc
