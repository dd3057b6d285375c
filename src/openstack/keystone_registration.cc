#include "openstack/keystone_registration.h"

#include "common/strings.h"
#include "openstack/json_fields.h"
#include "openstack/keystone.h"

namespace cairn::openstack {

using nlohmann::json;

std::string_view EnsureActionName(EnsureAction action) {
  switch (action) {
    case EnsureAction::kUnchanged: return "unchanged";
    case EnsureAction::kCreated: return "created";
    case EnsureAction::kUpdated: return "updated";
  }
  return "unknown";
}

std::string EnsureOutcome::ToString() const {
  std::string s = std::string(EnsureActionName(action)) + " " + kind;
  if (!id.empty()) s += " (id " + id + ")";
  if (!detail.empty()) s += ": " + detail;
  return s;
}

Result<EnsureOutcome> KeystoneRegistrar::EnsureRegion(std::string_view token, std::string_view region_id) const {
  if (region_id.empty()) return Status::InvalidArgument("keystone: ensure region: no region id given");
  EnsureOutcome outcome{.kind = "region", .id = std::string(region_id)};
  auto existing = admin_.Call("GET", token, "/regions/" + UrlEncode(region_id), nullptr,
                              "get region " + std::string(region_id));
  if (existing.ok()) return outcome;
  if (!existing.status().IsNotFound()) return existing.status();
  const json body = {{"region", {{"id", std::string(region_id)}}}};
  CAIRN_RETURN_IF_ERROR(admin_.Call("POST", token, "/regions", &body, "create region " + std::string(region_id)).status());
  outcome.action = EnsureAction::kCreated;
  return outcome;
}

Result<std::vector<EnsureOutcome>> KeystoneRegistrar::EnsureServiceUser(std::string_view token,
                                                                        const ServiceUserSpec& spec) const {
  if (spec.name.empty() || spec.password.empty()) {
    return Status::InvalidArgument("keystone: ensure service user: a name and a password are needed");
  }
  CAIRN_ASSIGN_OR_RETURN(Domain domain, admin_.FindDomain(token, spec.domain));
  CAIRN_ASSIGN_OR_RETURN(Project project, admin_.FindProject(token, spec.project, spec.project_domain));
  CAIRN_ASSIGN_OR_RETURN(Role role, admin_.FindRole(token, spec.role));

  EnsureOutcome user_outcome{.kind = "user " + spec.name};
  auto user = admin_.FindUser(token, spec.name, domain.id);
  if (!user.ok() && !user.status().IsNotFound()) return user.status();
  if (!user.ok()) {
    const json body = {{"user",
                        {{"name", spec.name},
                         {"password", spec.password},
                         {"domain_id", domain.id},
                         {"default_project_id", project.id},
                         {"enabled", true}}}};
    CAIRN_ASSIGN_OR_RETURN(json created, admin_.Call("POST", token, "/users", &body, "create user " + spec.name));
    user_outcome.id = JsonString(JsonObject(created, "user"), "id");
    user_outcome.action = EnsureAction::kCreated;
  } else {
    user_outcome.id = user->id;
    json patch = json::object();
    std::vector<std::string> changes;
    if (!user->enabled) {
      patch["enabled"] = true;
      changes.push_back("enabled");
    }
    // Whether the password matches is known only by trying it.
    const KeystoneClient keystone(admin_.http_, admin_.identity_url_);
    auto login = keystone.Authenticate(PasswordAuth{.user_id = user->id, .password = spec.password}, Unscoped{});
    if (!login.ok()) {
      if (login.status().code() != ErrorCode::kPermissionDenied) return login.status();
      patch["password"] = spec.password;
      changes.push_back("password reset");
    }
    if (!changes.empty()) {
      const json body = {{"user", std::move(patch)}};
      CAIRN_RETURN_IF_ERROR(
          admin_.Call("PATCH", token, "/users/" + UrlEncode(user->id), &body, "update user " + spec.name).status());
      user_outcome.action = EnsureAction::kUpdated;
      user_outcome.detail = Join(changes, ", ");
    }
  }

  EnsureOutcome role_outcome{.kind = "role assignment",
                             .id = role.name + " on project " + project.name + " for user " + spec.name};
  const std::string grant = "/projects/" + UrlEncode(project.id) + "/users/" + UrlEncode(user_outcome.id) +
                            "/roles/" + UrlEncode(role.id);
  auto has = admin_.Call("HEAD", token, grant, nullptr, "check role assignment");
  if (!has.ok()) {
    if (!has.status().IsNotFound()) return has.status();
    CAIRN_RETURN_IF_ERROR(admin_.Call("PUT", token, grant, nullptr, "grant role " + role.name).status());
    role_outcome.action = EnsureAction::kCreated;
  }
  return std::vector<EnsureOutcome>{std::move(user_outcome), std::move(role_outcome)};
}

Result<EnsureOutcome> KeystoneRegistrar::EnsureService(std::string_view token, const ServiceSpec& spec) const {
  if (spec.type.empty()) return Status::InvalidArgument("keystone: ensure service: no type given");
  EnsureOutcome outcome{.kind = "service " + spec.type};
  CAIRN_ASSIGN_OR_RETURN(json list, admin_.Call("GET", token, "/services?type=" + UrlEncode(spec.type), nullptr,
                                                "list services"));
  const json& services = JsonArray(list, "services");
  if (services.empty()) {
    const json body = {{"service",
                        {{"type", spec.type}, {"name", spec.name}, {"description", spec.description}, {"enabled", true}}}};
    CAIRN_ASSIGN_OR_RETURN(json created, admin_.Call("POST", token, "/services", &body, "create service " + spec.type));
    outcome.id = JsonString(JsonObject(created, "service"), "id");
    outcome.action = EnsureAction::kCreated;
    return outcome;
  }
  const json& s = services[0];
  outcome.id = JsonString(s, "id");
  json patch = json::object();
  std::vector<std::string> changes;
  if (JsonString(s, "name") != spec.name) {
    patch["name"] = spec.name;
    changes.push_back("name " + Quoted(JsonString(s, "name")) + " -> " + Quoted(spec.name));
  }
  if (JsonString(s, "description") != spec.description) {
    patch["description"] = spec.description;
    changes.push_back("description");
  }
  if (!JsonBool(s, "enabled", true)) {
    patch["enabled"] = true;
    changes.push_back("enabled");
  }
  if (!changes.empty()) {
    const json body = {{"service", std::move(patch)}};
    CAIRN_RETURN_IF_ERROR(
        admin_.Call("PATCH", token, "/services/" + UrlEncode(outcome.id), &body, "update service " + spec.type).status());
    outcome.action = EnsureAction::kUpdated;
    outcome.detail = Join(changes, ", ");
  }
  return outcome;
}

Result<std::vector<EnsureOutcome>> KeystoneRegistrar::EnsureEndpoints(std::string_view token,
                                                                      std::string_view service_id,
                                                                      std::string_view region,
                                                                      const EndpointUrls& urls) const {
  if (service_id.empty()) return Status::InvalidArgument("keystone: ensure endpoints: no service id given");
  std::string path = "/endpoints?service_id=" + UrlEncode(service_id);
  if (!region.empty()) path += "&region_id=" + UrlEncode(region);
  CAIRN_ASSIGN_OR_RETURN(json list, admin_.Call("GET", token, path, nullptr, "list endpoints"));
  const json& endpoints = JsonArray(list, "endpoints");

  std::vector<EnsureOutcome> outcomes;
  const std::pair<Interface, const std::string*> wanted[] = {
      {Interface::kPublic, &urls.public_url}, {Interface::kInternal, &urls.internal_url}, {Interface::kAdmin, &urls.admin_url}};
  for (const auto& [interface, url] : wanted) {
    const std::string name(InterfaceName(interface));
    EnsureOutcome outcome{.kind = name + " endpoint"};
    const json* existing = nullptr;
    for (const auto& e : endpoints) {
      if (JsonString(e, "interface") == name &&
          (region.empty() || JsonString(e, "region_id", JsonString(e, "region")) == region)) {
        existing = &e;
        break;
      }
    }
    if (url->empty()) {
      if (existing != nullptr) outcome.id = JsonString(*existing, "id");
      outcome.detail = "no URL given: left as it is";
      outcomes.push_back(std::move(outcome));
      continue;
    }
    if (existing == nullptr) {
      json endpoint = {{"service_id", std::string(service_id)}, {"interface", name}, {"url", *url}, {"enabled", true}};
      if (!region.empty()) endpoint["region_id"] = std::string(region);
      const json body = {{"endpoint", std::move(endpoint)}};
      CAIRN_ASSIGN_OR_RETURN(json created, admin_.Call("POST", token, "/endpoints", &body, "create " + name + " endpoint"));
      outcome.id = JsonString(JsonObject(created, "endpoint"), "id");
      outcome.action = EnsureAction::kCreated;
      outcome.detail = *url;
    } else {
      outcome.id = JsonString(*existing, "id");
      const std::string current = JsonString(*existing, "url");
      const bool enabled = JsonBool(*existing, "enabled", true);
      if (current != *url || !enabled) {
        const json body = {{"endpoint", {{"url", *url}, {"enabled", true}}}};
        CAIRN_RETURN_IF_ERROR(admin_.Call("PATCH", token, "/endpoints/" + UrlEncode(outcome.id), &body,
                                          "update " + name + " endpoint")
                                  .status());
        outcome.action = EnsureAction::kUpdated;
        outcome.detail = current != *url ? current + " -> " + *url : "enabled";
      } else {
        outcome.detail = *url;
      }
    }
    outcomes.push_back(std::move(outcome));
  }
  return outcomes;
}

}  // namespace cairn::openstack
