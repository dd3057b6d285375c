// register without a cloud: the admin credentials from flags and
// environment, and the registration plan from the configuration.
#include "manage/register.h"

#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "manage_test_support.h"

namespace cairn::manage {
namespace {

std::function<const char*(const char*)> Env(const std::map<std::string, std::string>& vars) {
  return [vars](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

TEST(AdminCredentialsTest, EnvironmentFillsWhatFlagsLeaveEmpty) {
  const auto env = Env({{"OS_AUTH_URL", "http://k:5000/v3"},
                        {"OS_USERNAME", "admin"},
                        {"OS_PASSWORD", "env-pw"},
                        {"OS_PROJECT_NAME", "admin"},
                        {"OS_USER_DOMAIN_NAME", "Users"},
                        {"OS_PROJECT_DOMAIN_NAME", "Projects"},
                        {"OS_CACERT", "/ca.pem"}});
  auto from_env = ResolveAdminCredentials({}, env);
  ASSERT_TRUE(from_env.ok()) << from_env.status().ToString();
  EXPECT_EQ(from_env->auth_url, "http://k:5000/v3");
  EXPECT_EQ(from_env->password, "env-pw");
  EXPECT_EQ(from_env->user_domain_name, "Users");
  EXPECT_EQ(from_env->project_domain_name, "Projects");
  EXPECT_EQ(from_env->cafile, "/ca.pem");
  EXPECT_FALSE(from_env->insecure);

  AdminCredentials flags;
  flags.password = "flag-pw";
  flags.user_domain_name = "FlagDomain";
  auto mixed = ResolveAdminCredentials(flags, env);
  ASSERT_TRUE(mixed.ok());
  EXPECT_EQ(mixed->password, "flag-pw");
  EXPECT_EQ(mixed->user_domain_name, "FlagDomain");
  EXPECT_EQ(mixed->username, "admin");
}

TEST(AdminCredentialsTest, MissingPasswordNamesFlagAndVariable) {
  auto missing = ResolveAdminCredentials(
      {}, Env({{"OS_AUTH_URL", "http://k:5000/v3"}, {"OS_USERNAME", "admin"}, {"OS_PROJECT_NAME", "admin"}}));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("--os-password or OS_PASSWORD"), std::string::npos);
  auto defaults = ResolveAdminCredentials({.auth_url = "u", .username = "a", .password = "p", .project_name = "x"},
                                          Env({{"OS_INSECURE", "True"}}));
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->user_domain_name, "Default");
  EXPECT_TRUE(defaults->insecure);
}

TEST(RegistrationPlanTest, FromConfiguration) {
  const Config config = ManageConfig(
      "[keystone_authtoken]\nauth_url = http://k:5000\nusername = cairn\npassword = pw\nproject_name = services\n"
      "[keystone_registration]\npublic_endpoint = http://pub:8780/v1/$(tenant_id)s\n"
      "internal_endpoint = http://int:8780/v1/$(tenant_id)s\n");
  auto plan = RegistrationPlanFromConfig(config);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->region, "RegionOne");
  EXPECT_EQ(plan->user.name, "cairn");
  EXPECT_EQ(plan->user.password, "pw");
  EXPECT_EQ(plan->user.project, "services");
  EXPECT_EQ(plan->user.domain, "Default");
  EXPECT_EQ(plan->user.role, "admin");
  EXPECT_EQ(plan->service.type, "workloads");
  EXPECT_EQ(plan->service.name, "workloadmgr");
  EXPECT_FALSE(plan->service.description.empty());
  EXPECT_EQ(plan->urls.public_url, "http://pub:8780/v1/$(tenant_id)s");
  EXPECT_EQ(plan->urls.internal_url, "http://int:8780/v1/$(tenant_id)s");
  EXPECT_EQ(plan->urls.admin_url, "");

  const Config renamed = ManageConfig(
      "[keystone_authtoken]\nusername = cairn\npassword = pw\n"
      "[keystone_registration]\nservice_name = backup\nregion_name = R2\nadmin_endpoint = http://a/v1\n");
  auto other = RegistrationPlanFromConfig(renamed);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  EXPECT_EQ(other->service.name, "backup");
  EXPECT_EQ(other->region, "R2");
}

TEST(RegistrationPlanTest, NeedsTheServiceUserAndAnEndpoint) {
  auto no_user = RegistrationPlanFromConfig(
      ManageConfig("[keystone_registration]\npublic_endpoint = http://pub:8780/v1/$(tenant_id)s\n"));
  EXPECT_EQ(no_user.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(no_user.status().message().find("[keystone_authtoken] username and password"), std::string::npos);
  auto no_endpoint = RegistrationPlanFromConfig(ManageConfig("[keystone_authtoken]\nusername = c\npassword = p\n"));
  EXPECT_EQ(no_endpoint.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(no_endpoint.status().message().find("public_endpoint"), std::string::npos);
}

TEST(RegisterTest, KeystoneDownIsAnErrorNamingTheAdmin) {
  const ClosedPort closed;
  AdminCredentials admin{.auth_url = closed.Url("/v3"), .username = "admin", .password = "x",
                         .project_name = "admin"};
  RegistrationPlan plan{.region = "RegionOne", .user = {.name = "cairn", .password = "pw"},
                        .urls = {.public_url = "http://p/v1"}};
  std::ostringstream out;
  auto outcomes = Register(admin, plan, out);
  ASSERT_FALSE(outcomes.ok());
  EXPECT_EQ(outcomes.status().code(), ErrorCode::kUnavailable) << outcomes.status().ToString();
  EXPECT_NE(outcomes.status().message().find("authenticate as the Keystone admin admin"), std::string::npos);
  EXPECT_TRUE(out.str().empty());
}

}  // namespace
}  // namespace cairn::manage
