// How to authenticate to Keystone v3: the method (password, token, application
// credential) and the scope (none, a project, a trust), and the request body
// they make for POST /v3/auth/tokens.
#pragma once

#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace cairn::openstack {

// A user's password. The user is named by id, or by name plus its domain
// (name or id; "Default" when both are empty).
struct PasswordAuth {
  std::string user_id{};
  std::string user_name{};
  std::string user_domain_name{};
  std::string user_domain_id{};
  std::string password{};
};

// An existing token, exchanged for a new (e.g. differently scoped) one.
struct TokenAuth {
  std::string token{};
};

// An application credential by id, or by name plus its user (id, or name and
// domain). It carries its own scope: use it with Unscoped only.
struct ApplicationCredentialAuth {
  std::string id{};
  std::string name{};
  std::string user_id{};
  std::string user_name{};
  std::string user_domain_name{};
  std::string user_domain_id{};
  std::string secret{};
};

using AuthMethod = std::variant<PasswordAuth, TokenAuth, ApplicationCredentialAuth>;

// No scope: Keystone decides (the user's default project, or unscoped).
struct Unscoped {};

// A project by id, or by name plus its domain (name or id; "Default" when both
// are empty).
struct ProjectScope {
  std::string project_id{};
  std::string project_name{};
  std::string domain_name{};
  std::string domain_id{};
};

// A trust: the token acts for the trustor (with impersonation) in the trust's
// project with the trust's roles. The authenticating user must be the trustee.
struct TrustScope {
  std::string trust_id{};
};

using AuthScope = std::variant<Unscoped, ProjectScope, TrustScope>;

// The JSON body {"auth": {"identity": ..., "scope": ...}}. InvalidArgument
// when a required field is empty (no secret, no user, no project) or an
// application credential is given a scope.
Result<nlohmann::json> BuildAuthRequest(const AuthMethod& method, const AuthScope& scope);

}  // namespace cairn::openstack
