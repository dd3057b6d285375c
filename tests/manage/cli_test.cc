// The cairn-manage program itself: arguments, configuration loading, output
// and exit codes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/temp_dir.h"
#include "db/schema.h"
#include "manage_test_support.h"
#include "support/command.h"

namespace cairn::manage {
namespace {

using cairn::testing::Quote;
cairn::testing::CommandResult Sh(const std::string& command) { return cairn::testing::Run(command); }

std::string Manage(const std::string& args) { return std::string(CAIRN_MANAGE_BINARY) + " " + args; }

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.Path("target"));
    conf_ = dir_.Write("cairn.conf", "[database]\nconnection = sqlite:///" + dir_.Path("cairn.db") +
                                         "\n[keystone_authtoken]\nauth_url = " + closed_.Url("/v3") +
                                         "\nusername = cairn\npassword = pw\n[target]\npath = " +
                                         dir_.Path("target") + "\nfree_space_warning = 0\n");
  }
  std::string WithConfig(const std::string& args) const { return Manage("--config-file " + Quote(conf_) + " " + args); }

  cairn::testing::TempDirectory dir_;
  ClosedPort closed_;
  std::string conf_;
};

TEST_F(CliTest, DbSyncVersionPurge) {
  const std::string latest = std::to_string(db::LatestSchemaVersion());
  auto version = Sh(WithConfig("db version"));
  EXPECT_EQ(version.exit_code, 0) << version.output;
  EXPECT_NE(version.output.find("current schema version: 0\n"), std::string::npos) << version.output;
  auto sync = Sh(WithConfig("db sync"));
  EXPECT_EQ(sync.exit_code, 0) << sync.output;
  EXPECT_EQ(sync.output, "database at schema version " + latest + "\n");
  auto purge = Sh(WithConfig("db purge --age-in-days 7"));
  EXPECT_EQ(purge.exit_code, 0) << purge.output;
  EXPECT_NE(purge.output.find("  total: 0\n"), std::string::npos) << purge.output;
  EXPECT_NE(Sh(WithConfig("db purge")).exit_code, 0);
  EXPECT_NE(Sh(WithConfig("db purge --age-in-days -3")).exit_code, 0);
}

TEST_F(CliTest, PolicyCommandsNeedNoConfiguration) {
  auto defaults = Sh(Manage("--config-file /nonexistent.conf policy defaults"));
  EXPECT_EQ(defaults.exit_code, 0) << defaults.output;
  EXPECT_NE(defaults.output.find("\"context_is_admin\": \"role:admin\""), std::string::npos);
  const std::string file = dir_.Write("policy.yaml", defaults.output);
  auto ok = Sh(Manage("policy check --file " + Quote(file)));
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find(" rules OK\n"), std::string::npos) << ok.output;
  const std::string bad = dir_.Write("bad.yaml", "admin_api: \"role:\"\n");
  auto broken = Sh(Manage("policy check --file " + Quote(bad)));
  EXPECT_EQ(broken.exit_code, 1) << broken.output;
  EXPECT_NE(broken.output.find("1 error in "), std::string::npos) << broken.output;
}

TEST_F(CliTest, PreflightExitCodeAndJson) {
  ASSERT_EQ(Sh(WithConfig("db sync")).exit_code, 0);
  auto table = Sh(WithConfig("preflight"));
  EXPECT_EQ(table.exit_code, 1) << table.output;
  EXPECT_NE(table.output.find("keystone "), std::string::npos) << table.output;
  EXPECT_NE(table.output.find("FAIL"), std::string::npos);
  EXPECT_NE(table.output.find("    fix: "), std::string::npos);

  auto json = Sh("(" + WithConfig("preflight --json") + " 2>/dev/null)");
  EXPECT_EQ(json.exit_code, 1);
  const auto doc = nlohmann::json::parse(json.output, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << json.output;
  EXPECT_EQ(doc["ok"], false);
  bool database_passed = false;
  for (const auto& c : doc["checks"]) {
    if (c["check"] == "database schema") database_passed = c["result"] == "PASS";
  }
  EXPECT_TRUE(database_passed) << json.output;
}

TEST_F(CliTest, TargetInitRefusesAPlainDirectoryWithoutLocalThenWritesOneMarker) {
  // A directory that is not a mount point may be the empty mount point of a
  // share that is not mounted: no marker without --local.
  auto refused = Sh(WithConfig("target init"));
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("is not a mount point"), std::string::npos) << refused.output;
  EXPECT_FALSE(std::filesystem::exists(dir_.Path("target/cairn_target")));
  auto none = Sh(WithConfig("target show"));
  EXPECT_EQ(none.exit_code, 1) << none.output;
  EXPECT_NE(none.output.find("no identity marker"), std::string::npos) << none.output;

  auto made = Sh(WithConfig("target init --local"));
  EXPECT_EQ(made.exit_code, 0) << made.output;
  EXPECT_NE(made.output.find("initialised "), std::string::npos) << made.output;
  const auto id_at = made.output.find("target id: ");
  ASSERT_NE(id_at, std::string::npos) << made.output;
  const std::string id = made.output.substr(id_at + 11, 36);
  // Again: the same marker, nothing changed.
  auto again = Sh(WithConfig("target init --local"));
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("already initialised"), std::string::npos) << again.output;
  EXPECT_NE(again.output.find(id), std::string::npos) << again.output;
  auto shown = Sh(WithConfig("target show"));
  EXPECT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_NE(shown.output.find("target id: " + id), std::string::npos) << shown.output;
}

TEST_F(CliTest, BadInvocationsFail) {
  EXPECT_NE(Sh(Manage("")).exit_code, 0);
  EXPECT_NE(Sh(Manage("db")).exit_code, 0);
  auto missing = Sh(Manage("--config-file /nonexistent.conf db version"));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("cairn-manage: "), std::string::npos) << missing.output;
  auto typo = Sh(Manage("--config-file " + Quote(dir_.Write("typo.conf", "[target]\npaht = /x\n")) + " db version"));
  EXPECT_EQ(typo.exit_code, 1) << typo.output;
  EXPECT_NE(typo.output.find("paht"), std::string::npos) << typo.output;
  // register without admin credentials says which are missing.
  const std::string reg = dir_.Write("reg.conf", "[keystone_authtoken]\nusername = c\npassword = p\n"
                                                 "[keystone_registration]\npublic_endpoint = http://p/v1\n");
  auto no_admin = Sh("env -u OS_AUTH_URL -u OS_USERNAME -u OS_PASSWORD -u OS_PROJECT_NAME " +
                      Manage("--config-file " + Quote(reg) + " register"));
  EXPECT_EQ(no_admin.exit_code, 1) << no_admin.output;
  EXPECT_NE(no_admin.output.find("--os-auth-url or OS_AUTH_URL"), std::string::npos) << no_admin.output;
}

}  // namespace
}  // namespace cairn::manage
