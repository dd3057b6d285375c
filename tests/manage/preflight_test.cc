// preflight without a cloud: the target and database checks on real
// directories and a SQLite file, the OpenStack checks against a closed port,
// and both renderings.
#include "manage/preflight.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <sstream>

#include "common/temp_dir.h"
#include "db/schema.h"
#include "manage/target_commands.h"
#include "manage_test_support.h"

namespace cairn::manage {
namespace {

std::vector<std::string> Results(const std::vector<CheckRow>& rows) {
  std::vector<std::string> r;
  for (const auto& row : rows) r.push_back(row.check + "=" + std::string(CheckResultName(row.result)));
  return r;
}

TEST(PreflightTargetTest, AWritableDirectoryPasses) {
  cairn::testing::TempDirectory dir;
  const auto rows = CheckTarget({.path = dir.Path("t"), .free_space_warning = 0});
  EXPECT_EQ(Results(rows), (std::vector<std::string>{"target directory=FAIL", "target write=SKIP",
                                                     "target free space=SKIP", "target identity=SKIP"}));
  std::filesystem::create_directories(dir.Path("t"));
  std::ostringstream init;
  ASSERT_TRUE(TargetInit({.path = dir.Path("t"), .local = true, .host = "h"}, init).ok()) << init.str();
  const auto ok = CheckTarget({.path = dir.Path("t"), .free_space_warning = 0});
  EXPECT_EQ(Results(ok), (std::vector<std::string>{"target directory=PASS", "target write=PASS",
                                                   "target free space=PASS", "target identity=PASS"}));
  EXPECT_TRUE(ok[1].latency.has_value());
  EXPECT_NE(ok[2].detail.find(" free of "), std::string::npos) << ok[2].detail;
  EXPECT_NE(ok[3].detail.find("layout version 1"), std::string::npos) << ok[3].detail;
  // The probe leaves nothing but the marker.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.Path("t")), {}), 1);
}

TEST(PreflightTargetTest, ADirectoryWithoutMarkerFailsTheIdentityRow) {
  cairn::testing::TempDirectory dir;
  std::filesystem::create_directories(dir.Path("t"));
  const auto rows = CheckTarget({.path = dir.Path("t"), .free_space_warning = 0});
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[3].check, "target identity");
  EXPECT_EQ(rows[3].result, CheckResult::kFail);
  EXPECT_NE(rows[3].detail.find("no identity marker"), std::string::npos) << rows[3].detail;
  EXPECT_NE(rows[3].fix.find("not a mount point"), std::string::npos) << rows[3].fix;
  EXPECT_FALSE(PreflightReport{rows}.ok());
}

TEST(PreflightTargetTest, MissingPathFailsWithAFix) {
  cairn::testing::TempDirectory dir;
  const auto rows = CheckTarget({.path = dir.Path("missing")});
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].result, CheckResult::kFail);
  EXPECT_NE(rows[0].detail.find("does not exist"), std::string::npos);
  EXPECT_NE(rows[0].fix.find("[target] path"), std::string::npos);
}

TEST(PreflightTargetTest, RegularFileFails) {
  cairn::testing::TempDirectory dir;
  const std::string file = dir.Write("file", "x");
  const auto rows = CheckTarget({.path = file});
  EXPECT_EQ(rows[0].result, CheckResult::kFail);
  EXPECT_NE(rows[0].detail.find("is not a directory"), std::string::npos);
  const auto below = CheckTarget({.path = file + "/sub"});
  EXPECT_EQ(below[0].result, CheckResult::kFail);
}

TEST(PreflightTargetTest, UnwritableDirectoryFailsTheWriteRow) {
  // procfs refuses new files even to root.
  const auto rows = CheckTarget({.path = "/proc", .free_space_warning = 0});
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].result, CheckResult::kPass);
  EXPECT_EQ(rows[1].result, CheckResult::kFail);
  EXPECT_NE(rows[1].detail.find("create /proc/.cairn-probe-"), std::string::npos) << rows[1].detail;
  EXPECT_NE(rows[1].fix.find("writable"), std::string::npos);
}

TEST(PreflightTargetTest, LittleFreeSpaceWarnsWithoutFailing) {
  cairn::testing::TempDirectory dir;
  std::ostringstream init;
  ASSERT_TRUE(TargetInit({.path = dir.Path(""), .local = true, .host = "h"}, init).ok()) << init.str();
  const auto rows = CheckTarget({.path = dir.Path(""), .free_space_warning = ~uint64_t{0}});
  EXPECT_EQ(rows[2].result, CheckResult::kWarn);
  EXPECT_NE(rows[2].detail.find("below [target] free_space_warning"), std::string::npos) << rows[2].detail;
  EXPECT_TRUE(PreflightReport{rows}.ok());
}

TEST(PreflightDatabaseTest, UnsyncedThenSyncedSqlite) {
  cairn::testing::TempDirectory dir;
  const db::DatabaseOptions options{.connection = "sqlite:///" + dir.Path("cairn.db")};
  const auto missing = CheckDatabase(options);
  EXPECT_EQ(Results(missing), (std::vector<std::string>{"database=FAIL", "database schema=SKIP"}));
  EXPECT_NE(missing[0].detail.find("does not exist"), std::string::npos) << missing[0].detail;
  EXPECT_FALSE(std::filesystem::exists(dir.Path("cairn.db")));
  ASSERT_TRUE(db::Database::Open(options).ok());  // an empty database
  const auto before = CheckDatabase(options);
  EXPECT_EQ(Results(before), (std::vector<std::string>{"database=PASS", "database schema=FAIL"}));
  EXPECT_EQ(before[1].fix, "run `cairn-manage db sync`");
  EXPECT_NE(before[1].detail.find("version 0, this Cairn needs"), std::string::npos);
  {
    auto db = db::Database::Open(options);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db::Sync(**db).ok());
  }
  EXPECT_EQ(Results(CheckDatabase(options)), (std::vector<std::string>{"database=PASS", "database schema=PASS"}));
}

TEST(PreflightDatabaseTest, UnreachableServerFailsAndHidesThePassword) {
  const ClosedPort closed;
  const db::DatabaseOptions options{
      .connection = "postgresql://cairn:s3cret@127.0.0.1:" + std::to_string(closed.port()) + "/cairn",
      .connect_timeout = 5};
  const auto rows = CheckDatabase(options);
  EXPECT_EQ(Results(rows), (std::vector<std::string>{"database=FAIL", "database schema=SKIP"}));
  EXPECT_EQ(rows[0].target.find("s3cret"), std::string::npos) << rows[0].target;
  EXPECT_EQ(rows[0].detail.find("s3cret"), std::string::npos) << rows[0].detail;
  EXPECT_NE(rows[0].fix.find("[database] connection"), std::string::npos);
}

TEST(PreflightOpenStackTest, KeystoneUnreachableFailsAndSkipsTheRest) {
  const ClosedPort closed;
  openstack::ServiceCredentials credentials;
  credentials.auth_url = closed.Url("/v3");
  credentials.username = "cairn";
  credentials.password = "pw";
  const auto rows = CheckOpenStack(credentials, {.interface = openstack::Interface::kInternal});
  EXPECT_EQ(Results(rows),
            (std::vector<std::string>{"keystone=FAIL", "service user=FAIL", "keystone admin endpoint=SKIP",
                                      "compute (internal)=SKIP", "volumev3 (internal)=SKIP", "image (internal)=SKIP",
                                      "network (internal)=SKIP"}));
  EXPECT_EQ(rows[0].target, closed.Url("/v3"));
  EXPECT_NE(rows[0].fix.find("auth_url"), std::string::npos);
  EXPECT_NE(rows[1].fix.find("keystone row"), std::string::npos);
}

TEST(PreflightTest, WholeRunFromConfiguration) {
  cairn::testing::TempDirectory dir;
  const ClosedPort closed;
  std::filesystem::create_directories(dir.Path("target"));
  const Config config = ManageConfig("[keystone_authtoken]\nauth_url = " + closed.Url() +
                                     "\nusername = u\npassword = p\n[database]\nconnection = sqlite:///" +
                                     dir.Path("c.db") + "\n[target]\npath = " + dir.Path("target") +
                                     "\nfree_space_warning = 0\n");
  const PreflightReport report = RunPreflight(config);
  EXPECT_FALSE(report.ok());
  ASSERT_EQ(report.rows.size(), 13u);
  EXPECT_EQ(report.Find("keystone")->result, CheckResult::kFail);
  EXPECT_EQ(report.Find("database")->result, CheckResult::kFail);  // no such SQLite file
  EXPECT_EQ(report.Find("target write")->result, CheckResult::kPass);
  EXPECT_EQ(report.Find("compute (admin)")->result, CheckResult::kSkip);  // the default interface

  const Config unconfigured = ManageConfig("[target]\npath = " + dir.Path("target") + "\n");
  const PreflightReport missing = RunPreflight(unconfigured);
  ASSERT_NE(missing.Find("configuration"), nullptr);
  EXPECT_EQ(missing.Find("configuration")->target, "[keystone_authtoken]");
  EXPECT_FALSE(missing.ok());
}

TEST(PreflightReportTest, TableAndJson) {
  PreflightReport report{{{.check = "keystone", .target = "http://k:5000/v3", .result = CheckResult::kPass,
                           .detail = "HTTP 300", .latency = std::chrono::milliseconds(12)},
                          {.check = "target write", .target = "/t", .result = CheckResult::kFail,
                           .detail = "create /t/x: Read-only file system", .fix = "make it writable"}}};
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(FormatTable(report),
            "CHECK         TARGET            RESULT  DETAIL\n"
            "keystone      http://k:5000/v3  PASS    HTTP 300 (12 ms)\n"
            "target write  /t                FAIL    create /t/x: Read-only file system\n"
            "    fix: make it writable\n"
            "2 checks: 1 passed, 0 warnings, 1 failed, 0 skipped\n");
  const auto json = nlohmann::json::parse(FormatJson(report));
  EXPECT_EQ(json["ok"], false);
  ASSERT_EQ(json["checks"].size(), 2u);
  EXPECT_EQ(json["checks"][0]["latency_ms"], 12);
  EXPECT_EQ(json["checks"][0]["result"], "PASS");
  EXPECT_TRUE(json["checks"][1]["latency_ms"].is_null());
  EXPECT_EQ(json["checks"][1]["fix"], "make it writable");
}

}  // namespace
}  // namespace cairn::manage
