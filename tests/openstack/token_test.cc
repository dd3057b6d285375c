#include "openstack/token.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "openstack/auth_method.h"

namespace cairn::openstack {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kProjectToken = R"({"token": {
  "methods": ["password"],
  "user": {"domain": {"id": "default", "name": "Default"}, "id": "u1", "name": "demo", "password_expires_at": null},
  "audit_ids": ["a"],
  "expires_at": "2026-11-25T09:17:17.000000Z",
  "issued_at": "2026-11-25T08:17:17.000000Z",
  "project": {"domain": {"id": "default", "name": "Default"}, "id": "p1", "name": "demo"},
  "is_domain": false,
  "roles": [{"id": "r1", "name": "member"}, {"id": "r2", "name": "reader"}],
  "catalog": [{"id": "s", "type": "compute", "name": "nova", "endpoints": [
     {"id": "e", "interface": "public", "region_id": "RegionOne", "url": "http://n/v2.1"}]}]
}})";

TEST(TokenTest, ParsesProjectToken) {
  auto token = ParseToken("tok", nlohmann::json::parse(kProjectToken));
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(token->id, "tok");
  EXPECT_EQ(token->user.id, "u1");
  EXPECT_EQ(token->user.name, "demo");
  EXPECT_EQ(token->user.domain_id, "default");
  ASSERT_TRUE(token->project.has_value());
  EXPECT_EQ(token->project->id, "p1");
  EXPECT_EQ(token->project->name, "demo");
  EXPECT_EQ(token->project->domain_id, "default");
  EXPECT_EQ(token->ProjectId(), "p1");
  EXPECT_THAT(token->RoleNames(), ElementsAre("member", "reader"));
  EXPECT_EQ(token->roles[0].id, "r1");
  EXPECT_TRUE(token->HasRole("Member"));
  EXPECT_FALSE(token->HasRole("admin"));
  EXPECT_THAT(token->methods, ElementsAre("password"));
  EXPECT_TRUE(token->is_admin_project);  // absent means true
  EXPECT_EQ(*token->catalog.EndpointFor("compute", Interface::kPublic, "RegionOne"), "http://n/v2.1");
  EXPECT_EQ(token->expires_at, *ParseIso8601("2026-11-25T09:17:17Z"));
  EXPECT_EQ(token->issued_at, *ParseIso8601("2026-11-25T08:17:17Z"));
}

TEST(TokenTest, Expiry) {
  auto token = *ParseToken("tok", nlohmann::json::parse(kProjectToken));
  const TimePoint expires = *ParseIso8601("2026-11-25T09:17:17Z");
  EXPECT_FALSE(token.ExpiresWithin(std::chrono::minutes(5), expires - std::chrono::minutes(6)));
  EXPECT_TRUE(token.ExpiresWithin(std::chrono::minutes(5), expires - std::chrono::minutes(5)));
  EXPECT_TRUE(token.ExpiresWithin(std::chrono::seconds(0), expires));
  EXPECT_TRUE(token.ExpiresWithin(std::chrono::seconds(0), expires + std::chrono::seconds(1)));
}

TEST(TokenTest, UnscopedAndTrustTokens) {
  auto body = nlohmann::json::parse(kProjectToken);
  body["token"].erase("project");
  body["token"].erase("catalog");
  body["token"].erase("roles");
  body["token"]["is_admin_project"] = false;
  auto unscoped = ParseToken("t", body);
  ASSERT_TRUE(unscoped.ok()) << unscoped.status().ToString();
  EXPECT_FALSE(unscoped->project.has_value());
  EXPECT_EQ(unscoped->ProjectId(), "");
  EXPECT_TRUE(unscoped->roles.empty());
  EXPECT_TRUE(unscoped->catalog.empty());
  EXPECT_FALSE(unscoped->is_admin_project);

  body = nlohmann::json::parse(kProjectToken);
  body["token"]["OS-TRUST:trust"] = {{"id", "trust1"}, {"impersonation", true}};
  EXPECT_EQ(ParseToken("t", body)->trust_id, "trust1");
}

TEST(TokenTest, RejectsMalformedTokens) {
  EXPECT_EQ(ParseToken("t", nlohmann::json::object()).status().code(), ErrorCode::kInvalidArgument);
  for (const char* field : {"expires_at", "user"}) {
    auto body = nlohmann::json::parse(kProjectToken);
    body["token"].erase(field);
    auto token = ParseToken("t", body);
    ASSERT_FALSE(token.ok()) << field;
    EXPECT_EQ(token.status().code(), ErrorCode::kInvalidArgument) << field;
  }
  auto body = nlohmann::json::parse(kProjectToken);
  body["token"]["expires_at"] = "tomorrow";
  EXPECT_THAT(ParseToken("t", body).status().message(), HasSubstr("expires_at"));
  body = nlohmann::json::parse(kProjectToken);
  body["token"]["catalog"] = "nope";
  EXPECT_EQ(ParseToken("t", body).status().code(), ErrorCode::kInvalidArgument);
}

TEST(AuthRequestTest, PasswordWithProjectByName) {
  auto body = BuildAuthRequest(PasswordAuth{.user_name = "demo", .password = "pw"},
                               ProjectScope{.project_name = "demo", .domain_name = "Default"});
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ(*body, nlohmann::json::parse(R"({"auth": {
      "identity": {"methods": ["password"],
                   "password": {"user": {"name": "demo", "domain": {"name": "Default"}, "password": "pw"}}},
      "scope": {"project": {"name": "demo", "domain": {"name": "Default"}}}}})"));
}

TEST(AuthRequestTest, PasswordByIdWithProjectIdAndDefaults) {
  auto body = BuildAuthRequest(PasswordAuth{.user_id = "u1", .password = "pw"}, ProjectScope{.project_id = "p1"});
  ASSERT_TRUE(body.ok());
  EXPECT_EQ((*body)["auth"]["identity"]["password"]["user"], nlohmann::json::parse(R"({"id": "u1", "password": "pw"})"));
  EXPECT_EQ((*body)["auth"]["scope"], nlohmann::json::parse(R"({"project": {"id": "p1"}})"));
  // A user name without a domain is in "Default".
  auto defaulted = BuildAuthRequest(PasswordAuth{.user_name = "x", .password = "pw"}, Unscoped{});
  EXPECT_EQ((*defaulted)["auth"]["identity"]["password"]["user"]["domain"], nlohmann::json::parse(R"({"name": "Default"})"));
  EXPECT_FALSE((*defaulted)["auth"].contains("scope"));
}

TEST(AuthRequestTest, TokenTrustAndApplicationCredential) {
  auto token = BuildAuthRequest(TokenAuth{.token = "t0"}, TrustScope{.trust_id = "tr"});
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(*token, nlohmann::json::parse(R"({"auth": {"identity": {"methods": ["token"], "token": {"id": "t0"}},
                                              "scope": {"OS-TRUST:trust": {"id": "tr"}}}})"));
  auto by_id = BuildAuthRequest(ApplicationCredentialAuth{.id = "ac", .secret = "s"}, Unscoped{});
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ((*by_id)["auth"]["identity"],
            nlohmann::json::parse(R"({"methods": ["application_credential"],
                                      "application_credential": {"id": "ac", "secret": "s"}})"));
  auto by_name = BuildAuthRequest(
      ApplicationCredentialAuth{.name = "n", .user_name = "demo", .user_domain_name = "D", .secret = "s"}, Unscoped{});
  ASSERT_TRUE(by_name.ok());
  EXPECT_EQ((*by_name)["auth"]["identity"]["application_credential"]["user"],
            nlohmann::json::parse(R"({"name": "demo", "domain": {"name": "D"}})"));
}

TEST(AuthRequestTest, RejectsIncompleteRequests) {
  const std::pair<AuthMethod, AuthScope> bad[] = {
      {PasswordAuth{.user_name = "u"}, Unscoped{}},                                   // no password
      {PasswordAuth{.password = "p"}, Unscoped{}},                                    // no user
      {TokenAuth{}, Unscoped{}},                                                      // no token
      {ApplicationCredentialAuth{.id = "a"}, Unscoped{}},                             // no secret
      {ApplicationCredentialAuth{.secret = "s"}, Unscoped{}},                         // no id or name
      {ApplicationCredentialAuth{.id = "a", .secret = "s"}, ProjectScope{.project_id = "p"}},  // scoped
      {PasswordAuth{.user_id = "u", .password = "p"}, ProjectScope{}},               // no project
      {PasswordAuth{.user_id = "u", .password = "p"}, TrustScope{}},                 // no trust
  };
  for (const auto& [method, scope] : bad) {
    auto body = BuildAuthRequest(method, scope);
    EXPECT_FALSE(body.ok());
    if (!body.ok()) {
      EXPECT_EQ(body.status().code(), ErrorCode::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace cairn::openstack
