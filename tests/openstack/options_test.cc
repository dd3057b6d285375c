#include "openstack/options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cairn::openstack {
namespace {

using ::testing::HasSubstr;

Config MakeConfig() {
  OptionRegistry registry;
  EXPECT_TRUE(RegisterKeystoneAuthOptions(registry).ok());
  EXPECT_TRUE(RegisterClientOptions(registry).ok());
  return Config(std::move(registry));
}

TEST(OptionsTest, ReadsServiceCredentials) {
  Config config = MakeConfig();
  ASSERT_TRUE(config
                  .LoadString(R"([keystone_authtoken]
auth_url = http://127.0.0.11:5000/
username = cairn
password = s3cret
region_name = RegionOne
insecure = true
timeout = 7
)",
                              "cairn.conf")
                  .ok());
  auto c = ServiceCredentialsFromConfig(config);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->auth_url, "http://127.0.0.11:5000/v3");
  EXPECT_EQ(c->username, "cairn");
  EXPECT_EQ(c->password, "s3cret");
  EXPECT_EQ(c->project_name, "service");
  EXPECT_EQ(c->user_domain_name, "Default");
  EXPECT_EQ(c->project_domain_name, "Default");
  EXPECT_EQ(c->region_name, "RegionOne");
  EXPECT_TRUE(c->http.insecure);
  EXPECT_EQ(c->http.cafile, "");
  EXPECT_EQ(c->http.default_timeout, std::chrono::seconds(7));
  EXPECT_EQ(c->Method().user_name, "cairn");
  EXPECT_EQ(c->Scope().project_name, "service");

  // The password is a secret: a dump of the configuration hides it.
  for (const auto& line : config.Dump()) EXPECT_THAT(line, ::testing::Not(HasSubstr("s3cret")));
}

TEST(OptionsTest, MissingRequiredOptionsAreNamed) {
  Config config = MakeConfig();
  ASSERT_TRUE(config.LoadString("[keystone_authtoken]\nauth_url = http://k/v3\nusername = u\n", "c").ok());
  auto c = ServiceCredentialsFromConfig(config);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(c.status().message(), HasSubstr("[keystone_authtoken] password"));
}

TEST(OptionsTest, ClientOptionsDefaultsAndRegionFallback) {
  Config config = MakeConfig();
  auto defaults = ClientOptionsFromConfig(config);
  ASSERT_TRUE(defaults.ok()) << defaults.status().ToString();
  EXPECT_EQ(defaults->interface, Interface::kAdmin);
  EXPECT_EQ(defaults->region_name, "");
  EXPECT_EQ(defaults->http.default_timeout, std::chrono::seconds(60));

  ASSERT_TRUE(config.LoadString("[keystone_authtoken]\nregion_name = R1\n[clients]\nendpoint_type = internal\n", "c").ok());
  auto o = *ClientOptionsFromConfig(config);
  EXPECT_EQ(o.interface, Interface::kInternal);
  EXPECT_EQ(o.region_name, "R1");
  ASSERT_TRUE(config.LoadString("[clients]\nregion_name = R2\n", "c").ok());
  EXPECT_EQ(ClientOptionsFromConfig(config)->region_name, "R2");

  EXPECT_FALSE(config.LoadString("[clients]\nendpoint_type = private\n", "c").ok());
}

TEST(OptionsTest, NormalizesIdentityUrl) {
  EXPECT_EQ(NormalizeIdentityUrl("http://k:5000"), "http://k:5000/v3");
  EXPECT_EQ(NormalizeIdentityUrl("http://k:5000/v3/"), "http://k:5000/v3");
  EXPECT_EQ(NormalizeIdentityUrl("http://k/identity/v3"), "http://k/identity/v3");
}

}  // namespace
}  // namespace cairn::openstack
