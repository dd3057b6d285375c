// The datamover checks its own mount of the target before a disk task: an
// empty directory there (the share is not mounted on this host) or another
// target fails the task before anything is read or written.
#include <gmock/gmock.h>

#include "datamover_service/task_handler.h"
#include "support/command.h"
#include "target/identity.h"

namespace cairn::datamover_service {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;

class TaskHandlerTargetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = target::OpenPosixStore(dir_.str());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }
  Result<json> Run(std::string_view kind, json body) {
    DatamoverOptions options;
    options.host = "compute-3";
    DatamoverTaskHandler handler(*store_, options);
    std::atomic<bool> cancel{false};
    return handler.Run({.id = "t1", .host = "compute-3", .kind = std::string(kind), .body = std::move(body)},
                       [](uint64_t, uint64_t) {}, cancel);
  }

  cairn::testing::TempDir dir_;
  std::unique_ptr<target::Store> store_;
};

const json kBackup = {{"workload", "w1"}, {"snapshot", "s1"}, {"vm", "v1"}, {"domain", "instance-1"}};
const json kRestore = {{"workload", "w1"}, {"snapshot", "s1"}, {"vm", "v1"}, {"device", "vda"}, {"path", "/dev/null"}};

TEST_F(TaskHandlerTargetTest, AnEmptyDirectoryFailsBackupAndRestoreTasks) {
  for (const auto& [kind, body] : {std::pair{rpc::task_kind::kVmBackup, kBackup},
                                   std::pair{rpc::task_kind::kRestoreDisk, kRestore}}) {
    auto r = Run(kind, body);
    ASSERT_FALSE(r.ok()) << kind;
    EXPECT_EQ(r.status().code(), ErrorCode::kUnavailable) << r.status().ToString();
    EXPECT_THAT(r.status().message(), HasSubstr("the datamover on host compute-3"));
    EXPECT_THAT(r.status().message(), HasSubstr("has no identity marker"));
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path()));
}

TEST_F(TaskHandlerTargetTest, AnotherTargetMountedHereFailsTheTask) {
  ASSERT_TRUE(target::InitTargetIdentity(*store_, "test").ok());
  json body = kBackup;
  body["target_id"] = "00000000-0000-4000-8000-000000000000";
  auto r = Run(rpc::task_kind::kVmBackup, body);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("another share is mounted there"));
}

}  // namespace
}  // namespace cairn::datamover_service
