#include "openstack/keystone_admin.h"

#include "common/strings.h"
#include "openstack/http_error.h"
#include "openstack/json_fields.h"
#include "openstack/options.h"

namespace cairn::openstack {
namespace {

using nlohmann::json;

User ParseUser(const json& u) {
  return {.id = JsonString(u, "id"),
          .name = JsonString(u, "name"),
          .domain_id = JsonString(u, "domain_id"),
          .default_project_id = JsonString(u, "default_project_id"),
          .enabled = JsonBool(u, "enabled", true)};
}

Project ParseProject(const json& p) {
  return {.id = JsonString(p, "id"),
          .name = JsonString(p, "name"),
          .domain_id = JsonString(p, "domain_id"),
          .description = JsonString(p, "description"),
          .enabled = JsonBool(p, "enabled", true)};
}

Result<Trust> ParseTrust(const json& body) {
  const json& t = JsonObject(body, "trust");
  Trust trust;
  trust.id = JsonString(t, "id");
  if (trust.id.empty()) return Status::Unavailable("keystone: trust answer without an id");
  trust.trustor_user_id = JsonString(t, "trustor_user_id");
  trust.trustee_user_id = JsonString(t, "trustee_user_id");
  trust.project_id = JsonString(t, "project_id");
  trust.impersonation = JsonBool(t, "impersonation");
  for (const auto& r : JsonArray(t, "roles")) trust.roles.push_back({JsonString(r, "id"), JsonString(r, "name")});
  const std::string expires = JsonString(t, "expires_at");
  if (!expires.empty()) {
    auto at = ParseIso8601(expires);
    if (at.ok()) trust.expires_at = *at;
  }
  return trust;
}

bool LooksLikeId(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  }
  return true;
}

}  // namespace

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

KeystoneAdmin::KeystoneAdmin(const HttpClient& http, std::string_view identity_url)
    : http_(http), identity_url_(NormalizeIdentityUrl(identity_url)) {}

Result<json> KeystoneAdmin::Call(std::string_view method, std::string_view token, const std::string& path,
                                 const json* body, std::string_view what) const {
  Request request{.method = std::string(method),
                  .url = identity_url_ + path,
                  .headers = JsonHeaders(std::string(token)),
                  .body = body != nullptr ? body->dump() : std::string()};
  const std::string context = "keystone: " + std::string(what);
  CAIRN_ASSIGN_OR_RETURN(Response response, http_.Send(request));
  CAIRN_RETURN_IF_ERROR(StatusFromResponse(response, context));
  if (response.status == 204 || Trim(response.body).empty()) return json::object();
  return ParseJsonObject(response.body, context);
}

Result<Domain> KeystoneAdmin::FindDomain(std::string_view token, std::string_view id_or_name) const {
  if (id_or_name.empty()) return Status::InvalidArgument("keystone: find domain: no id or name given");
  if (LooksLikeId(id_or_name)) {
    auto by_id = Call("GET", token, "/domains/" + UrlEncode(id_or_name), nullptr, "get domain");
    if (by_id.ok()) {
      const json& d = JsonObject(*by_id, "domain");
      return Domain{JsonString(d, "id"), JsonString(d, "name")};
    }
    if (!by_id.status().IsNotFound()) return by_id.status();
  }
  CAIRN_ASSIGN_OR_RETURN(json list, Call("GET", token, "/domains?name=" + UrlEncode(id_or_name), nullptr,
                                         "list domains"));
  for (const auto& d : JsonArray(list, "domains")) return Domain{JsonString(d, "id"), JsonString(d, "name")};
  return Status::NotFound("keystone: no domain " + Quoted(id_or_name));
}

Result<Role> KeystoneAdmin::FindRole(std::string_view token, std::string_view id_or_name) const {
  if (id_or_name.empty()) return Status::InvalidArgument("keystone: find role: no id or name given");
  if (LooksLikeId(id_or_name)) {
    auto by_id = Call("GET", token, "/roles/" + UrlEncode(id_or_name), nullptr, "get role");
    if (by_id.ok()) {
      const json& r = JsonObject(*by_id, "role");
      return Role{JsonString(r, "id"), JsonString(r, "name")};
    }
    if (!by_id.status().IsNotFound()) return by_id.status();
  }
  CAIRN_ASSIGN_OR_RETURN(json list, Call("GET", token, "/roles?name=" + UrlEncode(id_or_name), nullptr, "list roles"));
  for (const auto& r : JsonArray(list, "roles")) {
    if (JsonString(r, "domain_id").empty()) return Role{JsonString(r, "id"), JsonString(r, "name")};
  }
  return Status::NotFound("keystone: no role " + Quoted(id_or_name));
}

Result<User> KeystoneAdmin::FindUser(std::string_view token, std::string_view id_or_name,
                                     std::string_view domain) const {
  if (id_or_name.empty()) return Status::InvalidArgument("keystone: find user: no id or name given");
  if (LooksLikeId(id_or_name)) {
    auto by_id = Call("GET", token, "/users/" + UrlEncode(id_or_name), nullptr, "get user");
    if (by_id.ok()) return ParseUser(JsonObject(*by_id, "user"));
    if (!by_id.status().IsNotFound()) return by_id.status();
  }
  std::string path = "/users?name=" + UrlEncode(id_or_name);
  if (!domain.empty()) {
    CAIRN_ASSIGN_OR_RETURN(Domain d, FindDomain(token, domain));
    path += "&domain_id=" + UrlEncode(d.id);
  }
  CAIRN_ASSIGN_OR_RETURN(json list, Call("GET", token, path, nullptr, "list users"));
  const json& users = JsonArray(list, "users");
  if (users.empty()) {
    return Status::NotFound("keystone: no user " + Quoted(id_or_name) +
                            (domain.empty() ? "" : " in domain " + Quoted(domain)));
  }
  if (users.size() > 1) {
    return Status::Conflict("keystone: " + std::to_string(users.size()) + " users are named " + Quoted(id_or_name) +
                            ": name the domain");
  }
  return ParseUser(users[0]);
}

Result<Project> KeystoneAdmin::FindProject(std::string_view token, std::string_view id_or_name,
                                           std::string_view domain) const {
  if (id_or_name.empty()) return Status::InvalidArgument("keystone: find project: no id or name given");
  if (LooksLikeId(id_or_name)) {
    auto by_id = Call("GET", token, "/projects/" + UrlEncode(id_or_name), nullptr, "get project");
    if (by_id.ok()) return ParseProject(JsonObject(*by_id, "project"));
    if (!by_id.status().IsNotFound()) return by_id.status();
  }
  std::string path = "/projects?name=" + UrlEncode(id_or_name);
  if (!domain.empty()) {
    CAIRN_ASSIGN_OR_RETURN(Domain d, FindDomain(token, domain));
    path += "&domain_id=" + UrlEncode(d.id);
  }
  CAIRN_ASSIGN_OR_RETURN(json list, Call("GET", token, path, nullptr, "list projects"));
  const json& projects = JsonArray(list, "projects");
  if (projects.empty()) {
    return Status::NotFound("keystone: no project " + Quoted(id_or_name) +
                            (domain.empty() ? "" : " in domain " + Quoted(domain)));
  }
  if (projects.size() > 1) {
    return Status::Conflict("keystone: " + std::to_string(projects.size()) + " projects are named " +
                            Quoted(id_or_name) + ": name the domain");
  }
  return ParseProject(projects[0]);
}

Result<std::vector<RoleAssignment>> KeystoneAdmin::ListRoleAssignments(std::string_view token,
                                                                       std::string_view user_id,
                                                                       std::string_view project_id) const {
  const std::string path = "/role_assignments?effective&include_names&user.id=" + UrlEncode(user_id) +
                           "&scope.project.id=" + UrlEncode(project_id);
  CAIRN_ASSIGN_OR_RETURN(json list, Call("GET", token, path, nullptr, "list role assignments"));
  std::vector<RoleAssignment> out;
  for (const auto& a : JsonArray(list, "role_assignments")) {
    const json& role = JsonObject(a, "role");
    out.push_back({.role_id = JsonString(role, "id"),
                   .role_name = JsonString(role, "name"),
                   .user_id = JsonString(JsonObject(a, "user"), "id"),
                   .project_id = JsonString(JsonObject(JsonObject(a, "scope"), "project"), "id")});
  }
  return out;
}

Result<Trust> KeystoneAdmin::CreateTrust(std::string_view trustor_token, const TrustRequest& request) const {
  if (request.trustor_user_id.empty() || request.trustee_user_id.empty() || request.project_id.empty()) {
    return Status::InvalidArgument("keystone: a trust needs a trustor, a trustee and a project");
  }
  if (request.role_names.empty()) return Status::InvalidArgument("keystone: a trust needs at least one role");
  json roles = json::array();
  for (const auto& name : request.role_names) roles.push_back({{"name", name}});
  json trust = {{"trustor_user_id", request.trustor_user_id},
                {"trustee_user_id", request.trustee_user_id},
                {"project_id", request.project_id},
                {"impersonation", request.impersonation},
                {"roles", std::move(roles)}};
  if (request.expires_at) trust["expires_at"] = FormatIso8601(*request.expires_at, IsoFormat::kMicrosZ);
  const json body = {{"trust", std::move(trust)}};
  CAIRN_ASSIGN_OR_RETURN(json answer, Call("POST", trustor_token, "/OS-TRUST/trusts", &body, "create trust"));
  return ParseTrust(answer);
}

Result<Trust> KeystoneAdmin::GetTrust(std::string_view token, std::string_view trust_id) const {
  if (trust_id.empty()) return Status::InvalidArgument("keystone: get trust: no id given");
  CAIRN_ASSIGN_OR_RETURN(json answer, Call("GET", token, "/OS-TRUST/trusts/" + UrlEncode(trust_id), nullptr,
                                           "get trust " + std::string(trust_id)));
  return ParseTrust(answer);
}

Status KeystoneAdmin::DeleteTrust(std::string_view token, std::string_view trust_id) const {
  if (trust_id.empty()) return Status::InvalidArgument("keystone: delete trust: no id given");
  return Call("DELETE", token, "/OS-TRUST/trusts/" + UrlEncode(trust_id), nullptr,
              "delete trust " + std::string(trust_id))
      .status();
}

Status KeystoneAdmin::DeleteUser(std::string_view token, std::string_view user_id) const {
  if (user_id.empty()) return Status::InvalidArgument("keystone: delete user: no id given");
  return Call("DELETE", token, "/users/" + UrlEncode(user_id), nullptr, "delete user " + std::string(user_id))
      .status();
}

Status KeystoneAdmin::DeleteService(std::string_view token, std::string_view service_id) const {
  if (service_id.empty()) return Status::InvalidArgument("keystone: delete service: no id given");
  return Call("DELETE", token, "/services/" + UrlEncode(service_id), nullptr,
              "delete service " + std::string(service_id))
      .status();
}

Status KeystoneAdmin::DeleteEndpoint(std::string_view token, std::string_view endpoint_id) const {
  if (endpoint_id.empty()) return Status::InvalidArgument("keystone: delete endpoint: no id given");
  return Call("DELETE", token, "/endpoints/" + UrlEncode(endpoint_id), nullptr,
              "delete endpoint " + std::string(endpoint_id))
      .status();
}

}  // namespace cairn::openstack
