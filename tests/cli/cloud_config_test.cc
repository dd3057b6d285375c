#include "cli/cloud_config.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace cairn::cli {
namespace {

class CloudConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) / ("cairn_cli_cfg_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "openstack");
    vars_["XDG_CONFIG_HOME"] = dir_.string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  EnvLookup Env() {
    return [this](const std::string& name) {
      auto it = vars_.find(name);
      return it == vars_.end() ? std::string() : it->second;
    };
  }
  void Write(const std::string& name, const std::string& text) { std::ofstream(dir_ / "openstack" / name) << text; }

  std::filesystem::path dir_;
  std::map<std::string, std::string> vars_;
};

TEST_F(CloudConfigTest, EnvironmentThenOptions) {
  vars_ = {{"OS_AUTH_URL", "http://127.0.0.1:5000/v3"}, {"OS_USERNAME", "demo"}, {"OS_PASSWORD", "pw"},
           {"OS_TENANT_NAME", "old-name"},               {"OS_PROJECT_NAME", "demo"}, {"OS_USER_DOMAIN_NAME", "Default"},
           {"OS_INTERFACE", "internal"}};
  auto c = ResolveCloudConfig({{"password", "from-option"}}, Env());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->Get("project_name"), "demo");  // OS_PROJECT_NAME wins over the old OS_TENANT_NAME
  EXPECT_EQ(c->Get("password"), "from-option");
  EXPECT_EQ(*c->Interface(), openstack::Interface::kInternal);
  auto method = c->Method();
  ASSERT_TRUE(method.ok());
  const auto& p = std::get<openstack::PasswordAuth>(*method);
  EXPECT_EQ(p.user_name, "demo");
  EXPECT_EQ(p.user_domain_name, "Default");
  auto scope = c->Scope();
  ASSERT_TRUE(scope.ok());
  EXPECT_EQ(std::get<openstack::ProjectScope>(*scope).project_name, "demo");
}

TEST_F(CloudConfigTest, MissingSettingsAreNamed) {
  vars_ = {{"OS_AUTH_URL", "http://127.0.0.1:5000/v3"}, {"OS_USERNAME", "demo"}};
  auto c = ResolveCloudConfig({}, Env());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->Method().status().message(), "no password: set OS_PASSWORD or --os-password");
  vars_["OS_PASSWORD"] = "pw";
  c = ResolveCloudConfig({}, Env());
  EXPECT_EQ(c->Scope().status().message(), "no project: set OS_PROJECT_NAME or OS_PROJECT_ID (or --os-project-name)");
  vars_["OS_INTERFACE"] = "internalish";
  c = ResolveCloudConfig({}, Env());
  EXPECT_EQ(c->Interface().status().message(),
            "interface 'internalish' (OS_INTERFACE, --os-interface): use public, internal or admin");
  vars_["OS_AUTH_TYPE"] = "v3oidc";
  c = ResolveCloudConfig({}, Env());
  EXPECT_EQ(c->Method().status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(CloudConfigTest, CloudsYamlWithSecureYamlAndOverrides) {
  Write("clouds.yaml",
        "clouds:\n"
        "  devcloud:\n"
        "    auth:\n"
        "      auth_url: http://127.0.0.11:5000/v3\n"
        "      username: demo\n"
        "      project_name: demo\n"
        "      user_domain_name: Default\n"
        "      project_domain_name: Default\n"
        "    region_name: RegionOne\n"
        "    interface: internal\n"
        "    verify: false\n"
        "  other:\n"
        "    auth: {auth_url: http://x}\n");
  Write("secure.yaml", "clouds:\n  devcloud:\n    auth:\n      password: s3cret\n");
  vars_["OS_CLOUD"] = "devcloud";
  vars_["OS_REGION_NAME"] = "RegionTwo";
  auto c = ResolveCloudConfig({{"interface", "admin"}}, Env());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->Get("auth_url"), "http://127.0.0.11:5000/v3");
  EXPECT_EQ(c->Get("password"), "s3cret");
  EXPECT_EQ(c->Get("region_name"), "RegionTwo");  // the environment over clouds.yaml
  EXPECT_EQ(*c->Interface(), openstack::Interface::kAdmin);  // the option over both
  EXPECT_TRUE(c->Has("insecure"));

  vars_["OS_CLOUD"] = "nowhere";
  auto missing = ResolveCloudConfig({}, Env());
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.status().message().find("cloud 'nowhere' (OS_CLOUD) is not in"), std::string::npos);

  Write("clouds.yaml", "clouds: [1, 2\n");
  vars_["OS_CLOUD"] = "devcloud";
  EXPECT_EQ(ResolveCloudConfig({}, Env()).status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(CloudConfigTest, TokenAndApplicationCredential) {
  vars_ = {{"OS_TOKEN", "t0k"}, {"OS_PROJECT_ID", "p1"}};
  auto c = ResolveCloudConfig({}, Env());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(std::get<openstack::TokenAuth>(*c->Method()).token, "t0k");
  EXPECT_EQ(std::get<openstack::ProjectScope>(*c->Scope()).project_id, "p1");

  vars_ = {{"OS_APPLICATION_CREDENTIAL_ID", "ac1"}, {"OS_APPLICATION_CREDENTIAL_SECRET", "s"}};
  c = ResolveCloudConfig({}, Env());
  EXPECT_EQ(std::get<openstack::ApplicationCredentialAuth>(*c->Method()).id, "ac1");
  EXPECT_TRUE(std::holds_alternative<openstack::Unscoped>(*c->Scope()));
  vars_.erase("OS_APPLICATION_CREDENTIAL_SECRET");
  c = ResolveCloudConfig({}, Env());
  EXPECT_EQ(c->Method().status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace cairn::cli
