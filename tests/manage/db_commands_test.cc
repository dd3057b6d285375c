// db sync / version / purge on a SQLite file.
#include "manage/db_commands.h"

#include <gtest/gtest.h>

#include <sstream>

#include "common/temp_dir.h"
#include "db/audit_repository.h"
#include "db/schema.h"

namespace cairn::manage {
namespace {

class DbCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = db::Database::Open({.connection = "sqlite:///" + dir_.Path("cairn.db"), .pool_size = 1});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }
  cairn::testing::TempDirectory dir_;
  std::unique_ptr<db::Database> db_;
};

TEST_F(DbCommandsTest, VersionOfAnEmptyDatabaseThenSyncTwice) {
  const std::string latest = std::to_string(db::LatestSchemaVersion());
  std::ostringstream before;
  ASSERT_TRUE(DbVersion(*db_, before).ok());
  EXPECT_EQ(before.str(), "current schema version: 0\nlatest schema version: " + latest +
                              "\nrun `cairn-manage db sync` to upgrade\n");

  std::ostringstream sync;
  ASSERT_TRUE(DbSync(*db_, sync).ok());
  EXPECT_EQ(sync.str(), "database at schema version " + latest + "\n");
  EXPECT_TRUE(db::CheckSchemaVersion(*db_).ok());
  std::ostringstream again;
  ASSERT_TRUE(DbSync(*db_, again).ok());
  EXPECT_EQ(again.str(), sync.str());

  std::ostringstream after;
  ASSERT_TRUE(DbVersion(*db_, after).ok());
  EXPECT_EQ(after.str(), "current schema version: " + latest + "\nlatest schema version: " + latest + "\n");
}

TEST_F(DbCommandsTest, PurgeCountsWhatIsOlderThanTheAge) {
  ASSERT_TRUE(db::Sync(*db_).ok());
  const TimePoint now = std::chrono::floor<std::chrono::seconds>(UtcNow());
  db::AuditRepository audit(*db_);
  // Two entries 40 days old, one 10 days old.
  for (int days : {40, 41, 10}) {
    ASSERT_TRUE(audit.Append({.created_at = now - std::chrono::days(days), .action = "workload_create"}).ok());
  }
  std::ostringstream out;
  Status s = DbPurge(*db_, 30, now, out);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_NE(out.str().find("purged rows deleted before " + FormatIso8601(now - std::chrono::days(30),
                                                                         IsoFormat::kSecondsZ)),
            std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find("  audit_entries: 2\n"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("  workloads: 0\n"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("  total: 2\n"), std::string::npos) << out.str();

  std::ostringstream second;
  ASSERT_TRUE(DbPurge(*db_, 5, now, second).ok());
  EXPECT_NE(second.str().find("  audit_entries: 1\n"), std::string::npos) << second.str();
  auto left = audit.List(std::nullopt, std::nullopt);
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty());
}

TEST_F(DbCommandsTest, NegativeAgeIsRefused) {
  ASSERT_TRUE(db::Sync(*db_).ok());
  std::ostringstream out;
  EXPECT_EQ(DbPurge(*db_, -1, UtcNow(), out).code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(out.str().empty());
}

}  // namespace
}  // namespace cairn::manage
