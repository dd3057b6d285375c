// policy defaults / policy check.
#include "manage/policy_commands.h"

#include <gtest/gtest.h>

#include <sstream>

#include "api/policy.h"
#include "api/policy_defaults.h"
#include "common/temp_dir.h"

namespace cairn::manage {
namespace {

TEST(PolicyCommandsTest, DefaultsReadBackAsTheDefaultRulesAndCheckClean) {
  std::ostringstream out;
  PolicyDefaults(out);
  cairn::testing::TempDirectory dir;
  const std::string file = dir.Write("policy.yaml", out.str());
  auto texts = api::ReadPolicyFile(file);
  ASSERT_TRUE(texts.ok()) << texts.status().ToString();
  EXPECT_EQ(*texts, api::DefaultPolicyTexts());

  const PolicyCheckReport report = CheckPolicyFile(file);
  EXPECT_TRUE(report.ok());
  EXPECT_TRUE(report.warnings.empty());
  EXPECT_EQ(report.rules, static_cast<int>(api::DefaultPolicies().size()));
  std::ostringstream printed;
  EXPECT_TRUE(PrintPolicyCheck(file, report, printed).ok());
  EXPECT_EQ(printed.str(), std::to_string(report.rules) + " rules OK\n");
}

TEST(PolicyCommandsTest, EveryBrokenRuleIsReportedAndUnknownNamesWarned) {
  cairn::testing::TempDirectory dir;
  const std::string file = dir.Write("policy.yaml",
                                     "\"workload:workload_create\": \"role:admin or\"\n"
                                     "\"workload:workload_get\": \"rule:admin_or_owner\"\n"
                                     "\"workload:wrokload_delete\": \"role:admin\"\n"
                                     "\"snapshot:snapshot_delete\": \"(role:x\"\n");
  const PolicyCheckReport report = CheckPolicyFile(file);
  EXPECT_EQ(report.rules, 4);
  ASSERT_EQ(report.errors.size(), 2u);
  EXPECT_NE(report.errors[0].find("snapshot:snapshot_delete"), std::string::npos) << report.errors[0];
  EXPECT_NE(report.errors[1].find("workload:workload_create"), std::string::npos) << report.errors[1];
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_NE(report.warnings[0].find("workload:wrokload_delete"), std::string::npos);
  std::ostringstream printed;
  Status s = PrintPolicyCheck(file, report, printed);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(printed.str().find("\n2 errors in " + file + "\n"), std::string::npos) << printed.str();
}

TEST(PolicyCommandsTest, UnreadableFilesAreOneError) {
  cairn::testing::TempDirectory dir;
  const PolicyCheckReport missing = CheckPolicyFile(dir.Path("nope.yaml"));
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_NE(missing.errors[0].find("does not exist"), std::string::npos) << missing.errors[0];

  const std::string bad_yaml = dir.Write("bad.yaml", "a: [unclosed\n");
  const PolicyCheckReport syntax = CheckPolicyFile(bad_yaml);
  ASSERT_EQ(syntax.errors.size(), 1u);
  EXPECT_EQ(syntax.rules, 0);

  const std::string json = dir.Write("p.json", "{\"admin_api\": \"role:admin\"}");
  const PolicyCheckReport ok = CheckPolicyFile(json);
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.rules, 1);
}

}  // namespace
}  // namespace cairn::manage
