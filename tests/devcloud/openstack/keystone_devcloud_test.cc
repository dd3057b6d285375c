// The Keystone client against the devcloud's real Keystone.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "devcloud_env.h"
#include "openstack/endpoint_selector.h"
#include "openstack/keystone.h"
#include "openstack/keystone_admin.h"
#include "openstack/service_session.h"

namespace cairn::openstack {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using devcloud::User;

class KeystoneDevcloudTest : public ::testing::Test {
 protected:
  HttpClient http_;
  devcloud::CloudUser admin_ = User("admin");
  devcloud::CloudUser demo_ = User("demo");
  KeystoneClient keystone_{http_, demo_.auth_url};
};

TEST_F(KeystoneDevcloudTest, PasswordAuthForDemoAndAdmin) {
  auto demo = keystone_.Authenticate(demo_.Method(), demo_.Scope());
  ASSERT_TRUE(demo.ok()) << demo.status().ToString();
  EXPECT_FALSE(demo->id.empty());
  EXPECT_EQ(demo->user.name, "demo");
  EXPECT_EQ(demo->user.domain_id, "default");
  ASSERT_TRUE(demo->project.has_value());
  EXPECT_EQ(demo->project->name, "demo");
  EXPECT_TRUE(demo->HasRole("member"));
  EXPECT_FALSE(demo->HasRole("admin"));
  EXPECT_GT(demo->expires_at, UtcNow());
  EXPECT_FALSE(demo->catalog.empty());

  auto admin = keystone_.Authenticate(admin_.Method(), admin_.Scope());
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  EXPECT_EQ(admin->user.name, "admin");
  EXPECT_EQ(admin->project->name, "admin");
  EXPECT_TRUE(admin->HasRole("admin"));
  EXPECT_NE(admin->id, demo->id);

  // The same user by id with the project by id, and a token exchanged for another.
  auto by_id = keystone_.Authenticate(PasswordAuth{.user_id = demo->user.id, .password = demo_.password},
                                      ProjectScope{.project_id = demo->project->id});
  ASSERT_TRUE(by_id.ok()) << by_id.status().ToString();
  EXPECT_EQ(by_id->user.id, demo->user.id);
  auto exchanged = keystone_.Authenticate(TokenAuth{.token = demo->id}, ProjectScope{.project_id = demo->project->id});
  ASSERT_TRUE(exchanged.ok()) << exchanged.status().ToString();
  EXPECT_THAT(exchanged->methods, Contains("token"));
}

TEST_F(KeystoneDevcloudTest, WrongPasswordIsPermissionDenied) {
  auto method = demo_.Method();
  method.password = "not-the-password";
  auto token = keystone_.Authenticate(method, demo_.Scope());
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), ErrorCode::kPermissionDenied);
}

TEST_F(KeystoneDevcloudTest, ServiceValidatesUserToken) {
  ServiceSession session(admin_.AsService());
  auto demo = *keystone_.Authenticate(demo_.Method(), demo_.Scope());
  auto validated = session.ValidateUserToken(demo.id);
  ASSERT_TRUE(validated.ok()) << validated.status().ToString();
  EXPECT_EQ(validated->id, demo.id);
  EXPECT_EQ(validated->user.id, demo.user.id);
  EXPECT_EQ(validated->user.name, "demo");
  ASSERT_TRUE(validated->project.has_value());
  EXPECT_EQ(validated->project->id, demo.project->id);
  EXPECT_EQ(validated->project->name, "demo");
  EXPECT_EQ(validated->RoleNames(), demo.RoleNames());
  EXPECT_TRUE(validated->HasRole("member"));
  EXPECT_EQ(validated->expires_at, demo.expires_at);
  EXPECT_FALSE(validated->catalog.empty());
}

TEST_F(KeystoneDevcloudTest, GarbageTokenIsNotFound) {
  ServiceSession session(admin_.AsService());
  for (const std::string garbage : {"garbage", "gAAAAABnotarealtokenatall0000000000000000000000000000", "x y"}) {
    auto result = session.ValidateUserToken(garbage);
    ASSERT_FALSE(result.ok()) << garbage;
    EXPECT_EQ(result.status().code(), ErrorCode::kNotFound) << garbage << ": " << result.status().ToString();
    EXPECT_THAT(result.status().message(), HasSubstr("token is invalid or expired"));
  }
}

TEST_F(KeystoneDevcloudTest, RevokedTokenIsNotFound) {
  ServiceSession session(admin_.AsService());
  auto demo = *keystone_.Authenticate(demo_.Method(), demo_.Scope());
  ASSERT_TRUE(session.ValidateUserToken(demo.id).ok());
  ASSERT_TRUE(keystone_.RevokeToken(demo.id, demo.id).ok());  // a user revokes their own token
  auto result = session.ValidateUserToken(demo.id);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kNotFound) << result.status().ToString();
}

TEST_F(KeystoneDevcloudTest, CatalogInterfacesAreDistinctAddresses) {
  ServiceSession session(admin_.AsService());
  auto catalog = session.GetCatalog();
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  const std::pair<Interface, std::string> interfaces[] = {
      {Interface::kPublic, "127.0.0.11"}, {Interface::kInternal, "127.0.0.12"}, {Interface::kAdmin, "127.0.0.13"}};
  for (const auto& [interface, address] : interfaces) {
    EXPECT_EQ(*catalog->EndpointFor("identity", interface, "RegionOne"), "http://" + address + ":5000/v3");
    EXPECT_EQ(*catalog->EndpointFor("compute", interface, "RegionOne"), "http://" + address + ":8774/v2.1");
    EXPECT_EQ(*catalog->EndpointFor("image", interface, "RegionOne"), "http://" + address + ":9292");
    EXPECT_EQ(*catalog->EndpointFor("network", interface, "RegionOne"), "http://" + address + ":9696");
    auto project = session.GetToken()->ProjectId();
    EXPECT_EQ(*EndpointSelector(interface, "RegionOne").UrlFor(*catalog, "volumev3", project),
              "http://" + address + ":8776/v3/" + project);
  }
  EXPECT_EQ(catalog->EndpointFor("compute", Interface::kAdmin, "NoSuchRegion").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(*session.IdentityAdminUrl(), "http://127.0.0.13:5000/v3");
}

TEST_F(KeystoneDevcloudTest, FindsUsersProjectsAndRoles) {
  ServiceSession session(admin_.AsService());
  const std::string token = *session.TokenId();
  KeystoneAdmin admin(http_, *session.IdentityAdminUrl());
  auto demo = *keystone_.Authenticate(demo_.Method(), demo_.Scope());

  auto by_name = admin.FindUser(token, "demo", "Default");
  ASSERT_TRUE(by_name.ok()) << by_name.status().ToString();
  EXPECT_EQ(by_name->id, demo.user.id);
  EXPECT_EQ(admin.FindUser(token, demo.user.id)->name, "demo");
  EXPECT_EQ(admin.FindUser(token, "no-such-user-xyz").status().code(), ErrorCode::kNotFound);

  auto project = admin.FindProject(token, "demo", "default");
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  EXPECT_EQ(project->id, demo.project->id);
  EXPECT_EQ(admin.FindProject(token, demo.project->id)->name, "demo");
  EXPECT_EQ(admin.FindDomain(token, "Default")->id, "default");
  EXPECT_EQ(admin.FindRole(token, "member")->name, "member");

  auto assignments = admin.ListRoleAssignments(token, demo.user.id, demo.project->id);
  ASSERT_TRUE(assignments.ok()) << assignments.status().ToString();
  std::vector<std::string> roles;
  for (const auto& a : *assignments) roles.push_back(a.role_name);
  EXPECT_THAT(roles, Contains("member"));

  // A member may not list other users: the service's answer is kPermissionDenied.
  EXPECT_EQ(admin.FindUser(demo.id, "admin", "Default").status().code(), ErrorCode::kPermissionDenied);
}

TEST_F(KeystoneDevcloudTest, TrustCreateUseAndDelete) {
  ServiceSession session(admin_.AsService());
  auto service = *session.GetToken();
  KeystoneAdmin admin(http_, *session.IdentityAdminUrl());
  auto demo = *keystone_.Authenticate(demo_.Method(), demo_.Scope());

  auto trust = admin.CreateTrust(demo.id, {.trustor_user_id = demo.user.id,
                                           .trustee_user_id = service.user.id,
                                           .project_id = demo.project->id,
                                           .role_names = {"member"},
                                           .impersonation = true});
  ASSERT_TRUE(trust.ok()) << trust.status().ToString();
  EXPECT_EQ(trust->trustor_user_id, demo.user.id);
  EXPECT_EQ(trust->trustee_user_id, service.user.id);
  EXPECT_EQ(trust->project_id, demo.project->id);
  EXPECT_TRUE(trust->impersonation);

  auto fetched = admin.GetTrust(service.id, trust->id);
  ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
  EXPECT_EQ(fetched->id, trust->id);
  ASSERT_EQ(fetched->roles.size(), 1u);
  EXPECT_EQ(fetched->roles[0].name, "member");

  // The trustee acts as the trustor in the trust's project.
  auto scoped = keystone_.Authenticate(admin_.Method(), TrustScope{.trust_id = trust->id});
  ASSERT_TRUE(scoped.ok()) << scoped.status().ToString();
  EXPECT_EQ(scoped->trust_id, trust->id);
  EXPECT_EQ(scoped->user.id, demo.user.id);
  EXPECT_EQ(scoped->ProjectId(), demo.project->id);
  EXPECT_TRUE(scoped->HasRole("member"));

  // A role the trustor does not hold cannot be delegated.
  auto too_much = admin.CreateTrust(demo.id, {.trustor_user_id = demo.user.id,
                                              .trustee_user_id = service.user.id,
                                              .project_id = demo.project->id,
                                              .role_names = {"admin"}});
  EXPECT_FALSE(too_much.ok());

  ASSERT_TRUE(admin.DeleteTrust(demo.id, trust->id).ok());
  EXPECT_EQ(admin.GetTrust(service.id, trust->id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(admin.DeleteTrust(demo.id, trust->id).code(), ErrorCode::kNotFound);
  auto after = keystone_.Authenticate(admin_.Method(), TrustScope{.trust_id = trust->id});
  EXPECT_FALSE(after.ok());
}

}  // namespace
}  // namespace cairn::openstack
