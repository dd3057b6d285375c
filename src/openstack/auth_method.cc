#include "openstack/auth_method.h"

namespace cairn::openstack {
namespace {

using nlohmann::json;

// A domain by id, or by name ("Default" when neither is given).
json DomainRefJson(const std::string& name, const std::string& id) {
  if (!id.empty()) return {{"id", id}};
  return {{"name", name.empty() ? std::string("Default") : name}};
}

// A user by id, or by name and domain.
Result<json> UserRefJson(const std::string& id, const std::string& name, const std::string& domain_name,
                         const std::string& domain_id) {
  if (!id.empty()) return json{{"id", id}};
  if (name.empty()) return Status::InvalidArgument("authentication needs a user id or a user name");
  return json{{"name", name}, {"domain", DomainRefJson(domain_name, domain_id)}};
}

Result<json> Identity(const PasswordAuth& a) {
  if (a.password.empty()) return Status::InvalidArgument("password authentication without a password");
  CAIRN_ASSIGN_OR_RETURN(json user, UserRefJson(a.user_id, a.user_name, a.user_domain_name, a.user_domain_id));
  user["password"] = a.password;
  return json{{"methods", {"password"}}, {"password", {{"user", std::move(user)}}}};
}

Result<json> Identity(const TokenAuth& a) {
  if (a.token.empty()) return Status::InvalidArgument("token authentication without a token");
  return json{{"methods", {"token"}}, {"token", {{"id", a.token}}}};
}

Result<json> Identity(const ApplicationCredentialAuth& a) {
  if (a.secret.empty()) return Status::InvalidArgument("application credential without a secret");
  json credential = {{"secret", a.secret}};
  if (!a.id.empty()) {
    credential["id"] = a.id;
  } else {
    if (a.name.empty()) return Status::InvalidArgument("application credential needs an id or a name");
    credential["name"] = a.name;
    CAIRN_ASSIGN_OR_RETURN(credential["user"],
                           UserRefJson(a.user_id, a.user_name, a.user_domain_name, a.user_domain_id));
  }
  return json{{"methods", {"application_credential"}}, {"application_credential", std::move(credential)}};
}

Result<std::optional<json>> Scope(const Unscoped&) { return std::optional<json>(); }

Result<std::optional<json>> Scope(const ProjectScope& s) {
  if (!s.project_id.empty()) return std::optional<json>(json{{"project", {{"id", s.project_id}}}});
  if (s.project_name.empty()) return Status::InvalidArgument("project scope needs a project id or name");
  return std::optional<json>(
      json{{"project", {{"name", s.project_name}, {"domain", DomainRefJson(s.domain_name, s.domain_id)}}}});
}

Result<std::optional<json>> Scope(const TrustScope& s) {
  if (s.trust_id.empty()) return Status::InvalidArgument("trust scope without a trust id");
  return std::optional<json>(json{{"OS-TRUST:trust", {{"id", s.trust_id}}}});
}

}  // namespace

Result<nlohmann::json> BuildAuthRequest(const AuthMethod& method, const AuthScope& scope) {
  auto identity = std::visit([](const auto& m) { return Identity(m); }, method);
  if (!identity.ok()) return identity.status();
  auto scope_json = std::visit([](const auto& s) { return Scope(s); }, scope);
  if (!scope_json.ok()) return scope_json.status();
  if (std::holds_alternative<ApplicationCredentialAuth>(method) && scope_json->has_value()) {
    return Status::InvalidArgument("an application credential carries its own scope: authenticate unscoped");
  }
  json auth = {{"identity", std::move(*identity)}};
  if (scope_json->has_value()) auth["scope"] = std::move(**scope_json);
  return json{{"auth", std::move(auth)}};
}

}  // namespace cairn::openstack
