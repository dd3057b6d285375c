#include "db/schema.h"

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "db/workload_repository.h"
#include "db_test_support.h"

namespace cairn::db {
namespace {

using testing::DbTest;
using testing::TempDir;

class SchemaTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    url_ = testing::FreshDatabaseUrl(GetParam(), dir_);
    ASSERT_FALSE(url_.empty());
  }
  std::unique_ptr<Database> Open() {
    DatabaseOptions options;
    options.connection = url_;
    options.pool_size = 2;
    auto db = Database::Open(options);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(*db) : nullptr;
  }
  TempDir dir_;
  std::string url_;
};

TEST_P(SchemaTest, SyncFromEmptyThenIdempotent) {
  auto db = Open();
  ASSERT_TRUE(db);
  auto before = CurrentSchemaVersion(*db);
  CAIRN_ASSERT_OK(before);
  EXPECT_EQ(*before, 0);

  auto reached = Sync(*db);
  CAIRN_ASSERT_OK(reached);
  EXPECT_EQ(*reached, LatestSchemaVersion());
  auto after = CurrentSchemaVersion(*db);
  CAIRN_ASSERT_OK(after);
  EXPECT_EQ(*after, LatestSchemaVersion());
  CAIRN_ASSERT_OK(CheckSchemaVersion(*db));

  auto again = Sync(*db);  // nothing left to do
  CAIRN_ASSERT_OK(again);
  EXPECT_EQ(*again, LatestSchemaVersion());

  // The seeds went in exactly once.
  auto types = WorkloadRepository(*db).ListTypes();
  CAIRN_ASSERT_OK(types);
  ASSERT_EQ(types->size(), 2u);
  EXPECT_EQ((*types)[0].name, "Parallel");
  EXPECT_EQ((*types)[1].name, "Serial");
  EXPECT_EQ((*types)[1].id, kSerialWorkloadTypeId);
}

TEST_P(SchemaTest, ConcurrentSyncFromTwoDatabases) {
  auto a = Open();
  auto b = Open();
  ASSERT_TRUE(a && b);
  Result<int> ra = Status::Internal("not run");
  Result<int> rb = Status::Internal("not run");
  std::thread ta([&] { ra = Sync(*a); });
  std::thread tb([&] { rb = Sync(*b); });
  ta.join();
  tb.join();
  CAIRN_ASSERT_OK(ra);
  CAIRN_ASSERT_OK(rb);
  EXPECT_EQ(*ra, LatestSchemaVersion());
  EXPECT_EQ(*rb, LatestSchemaVersion());
  auto types = WorkloadRepository(*a).ListTypes();
  CAIRN_ASSERT_OK(types);
  EXPECT_EQ(types->size(), 2u);  // seeded once, not twice
}

TEST_P(SchemaTest, UnsyncedDatabaseGivesAClearError) {
  {
    auto db = Open();
    ASSERT_TRUE(db);
    Status status = CheckSchemaVersion(*db);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.code(), ErrorCode::kUnavailable);
    EXPECT_NE(status.message().find("database schema is at version 0, this Cairn needs " +
                                    std::to_string(LatestSchemaVersion()) + ": run cairn-manage db sync"),
              std::string::npos)
        << status.message();
  }
  DatabaseOptions options;
  options.connection = url_;
  auto synced = OpenSynced(options);
  ASSERT_FALSE(synced.ok());
  EXPECT_NE(synced.status().message().find("run cairn-manage db sync"), std::string::npos);

  auto db = Open();
  CAIRN_ASSERT_OK(Sync(*db));
  auto ok = OpenSynced(options);
  CAIRN_ASSERT_OK(ok);
}

TEST_P(SchemaTest, RepositoryOnUnsyncedDatabaseIsAnErrorNotACrash) {
  auto db = Open();
  ASSERT_TRUE(db);
  auto list = WorkloadRepository(*db).List();
  ASSERT_FALSE(list.ok());
  EXPECT_NE(list.status().message().find("list workloads"), std::string::npos) << list.status().ToString();
}

CAIRN_DB_TEST_SUITE(SchemaTest);

TEST(DatabaseOpenTest, CreatesTheParentDirectoryOfASqliteFile) {
  TempDir dir;
  DatabaseOptions options;
  options.connection = "sqlite:///" + dir.path() + "/a/b/cairn.db";
  auto db = Database::Open(options);
  CAIRN_ASSERT_OK(db);
  CAIRN_ASSERT_OK(Sync(**db));
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/a/b/cairn.db"));
}

TEST(DatabaseOpenTest, InMemorySqliteHasOneSession) {
  DatabaseOptions options;
  options.connection = "sqlite://";
  options.pool_size = 5;
  auto db = Database::Open(options);
  CAIRN_ASSERT_OK(db);
  EXPECT_EQ((*db)->pool_size(), 1);
  CAIRN_ASSERT_OK(Sync(**db));
  CAIRN_ASSERT_OK(CheckSchemaVersion(**db));
}

// Many threads share a small pool: each call has its session to itself, and
// every caller gets one in the end (released sessions go to the waiters).
TEST(DatabasePoolTest, SessionsAreExclusiveAndEveryWaiterIsServed) {
  TempDir dir;
  DatabaseOptions options;
  options.connection = testing::FreshDatabaseUrl(Backend::kSqlite, dir);
  options.pool_size = 2;
  auto db = Database::Open(options);
  CAIRN_ASSERT_OK(db);
  std::mutex mu;
  std::set<soci::session*> in_use;
  size_t most = 0;
  std::atomic<int> calls = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        Status s = (*db)->Run("probe", [&](soci::session& session) {
          {
            std::lock_guard lock(mu);
            EXPECT_TRUE(in_use.insert(&session).second) << "a session given to two callers";
            most = std::max(most, in_use.size());
          }
          std::this_thread::yield();
          std::lock_guard lock(mu);
          in_use.erase(&session);
          return Status::OK();
        });
        EXPECT_TRUE(s.ok()) << s.ToString();
        ++calls;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(calls.load(), 16 * 50);
  EXPECT_LE(most, 2u);
}

TEST(DatabaseOpenTest, UnreachableServerIsUnavailableWithMaskedPassword) {
  DatabaseOptions options;
  options.connection = "postgresql://cairn:hunter2@127.0.0.1:1/cairn";
  options.connect_timeout = 2;
  auto db = Database::Open(options);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), ErrorCode::kUnavailable) << db.status().ToString();
  EXPECT_EQ(db.status().message().find("hunter2"), std::string::npos) << db.status().message();
  EXPECT_NE(db.status().message().find("cairn:***@127.0.0.1"), std::string::npos) << db.status().message();
}

TEST(DatabaseOpenTest, BadUrlIsInvalidArgument) {
  DatabaseOptions options;
  options.connection = "nosuch://x/y";
  auto db = Database::Open(options);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace cairn::db
