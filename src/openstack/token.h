// A Keystone v3 token as Cairn uses it, parsed from the body of
// POST/GET /v3/auth/tokens.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "common/time.h"
#include "openstack/catalog.h"

namespace cairn::openstack {

struct Role {
  std::string id{};
  std::string name{};
};

struct UserRef {
  std::string id{};
  std::string name{};
  std::string domain_id{};
  std::string domain_name{};
};

struct ProjectRef {
  std::string id{};
  std::string name{};
  std::string domain_id{};
  std::string domain_name{};
};

struct Token {
  std::string id{};  // the token itself (X-Subject-Token); a secret
  TimePoint expires_at{};
  TimePoint issued_at{};
  UserRef user{};
  std::optional<ProjectRef> project{};  // absent for unscoped, domain or system tokens
  std::vector<Role> roles{};
  Catalog catalog{};
  bool is_admin_project = false;  // Keystone's is_admin_project (true when absent)
  std::string trust_id{};         // set for a trust-scoped token
  std::vector<std::string> methods{};  // "password", "token", ...

  // True when a role of this name (case-insensitive) is held.
  bool HasRole(std::string_view name) const;
  // The role names, in token order.
  std::vector<std::string> RoleNames() const;
  // True when the token expires at or before now + margin.
  bool ExpiresWithin(std::chrono::seconds margin, TimePoint now) const;
  // The project id, or "" without a project.
  std::string ProjectId() const { return project ? project->id : std::string(); }
};

// Parses `{"token": {...}}`; `token_id` comes from the X-Subject-Token header.
// InvalidArgument when required fields (expires_at, user.id) are missing or
// malformed. A missing "catalog" gives an empty Catalog.
Result<Token> ParseToken(std::string token_id, const nlohmann::json& body);

}  // namespace cairn::openstack
