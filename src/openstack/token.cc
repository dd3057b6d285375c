#include "openstack/token.h"

#include "common/strings.h"
#include "openstack/json_fields.h"

namespace cairn::openstack {

bool Token::HasRole(std::string_view name) const {
  const std::string lower = AsciiLower(name);
  for (const auto& r : roles) {
    if (AsciiLower(r.name) == lower) return true;
  }
  return false;
}

std::vector<std::string> Token::RoleNames() const {
  std::vector<std::string> names;
  for (const auto& r : roles) names.push_back(r.name);
  return names;
}

bool Token::ExpiresWithin(std::chrono::seconds margin, TimePoint now) const { return expires_at <= now + margin; }

Result<Token> ParseToken(std::string token_id, const nlohmann::json& body) {
  if (!body.is_object() || !body.contains("token") || !body["token"].is_object()) {
    return Status::InvalidArgument("Keystone token body has no \"token\" object");
  }
  const nlohmann::json& t = body["token"];
  Token token;
  token.id = std::move(token_id);

  const std::string expires = JsonString(t, "expires_at");
  if (expires.empty()) return Status::InvalidArgument("Keystone token without expires_at");
  auto expires_at = ParseIso8601(expires);
  if (!expires_at.ok()) return expires_at.status().WithContext("Keystone token expires_at");
  token.expires_at = *expires_at;
  const std::string issued = JsonString(t, "issued_at");
  if (!issued.empty()) {
    auto issued_at = ParseIso8601(issued);
    if (!issued_at.ok()) return issued_at.status().WithContext("Keystone token issued_at");
    token.issued_at = *issued_at;
  }

  const nlohmann::json& user = JsonObject(t, "user");
  token.user.id = JsonString(user, "id");
  if (token.user.id.empty()) return Status::InvalidArgument("Keystone token without user.id");
  token.user.name = JsonString(user, "name");
  token.user.domain_id = JsonString(JsonObject(user, "domain"), "id");
  token.user.domain_name = JsonString(JsonObject(user, "domain"), "name");

  if (t.contains("project") && t["project"].is_object()) {
    const nlohmann::json& p = t["project"];
    ProjectRef project;
    project.id = JsonString(p, "id");
    if (project.id.empty()) return Status::InvalidArgument("Keystone token project without id");
    project.name = JsonString(p, "name");
    project.domain_id = JsonString(JsonObject(p, "domain"), "id");
    project.domain_name = JsonString(JsonObject(p, "domain"), "name");
    token.project = std::move(project);
  }

  for (const auto& r : JsonArray(t, "roles")) {
    if (!r.is_object()) return Status::InvalidArgument("Keystone token role is not an object");
    token.roles.push_back({JsonString(r, "id"), JsonString(r, "name")});
  }
  for (const auto& m : JsonArray(t, "methods")) {
    if (m.is_string()) token.methods.push_back(m.get<std::string>());
  }
  if (t.contains("catalog")) {
    CAIRN_ASSIGN_OR_RETURN(token.catalog, Catalog::FromJson(t["catalog"]));
  }
  token.is_admin_project = JsonBool(t, "is_admin_project", true);
  token.trust_id = JsonString(JsonObject(t, "OS-TRUST:trust"), "id");
  return token;
}

}  // namespace cairn::openstack
