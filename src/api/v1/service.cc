#include "api/v1/service.h"

#include <cctype>

#include "common/json_input.h"
#include "common/log.h"
#include "common/strings.h"
#include "common/uuid.h"
#include "db/audit_repository.h"
#include "openstack/keystone_admin.h"

namespace cairn::api {

Status AddApiRoutes(Router& router, ApiService& service) {
  CAIRN_RETURN_IF_ERROR(AddVersionRoutes(router, service));
  CAIRN_RETURN_IF_ERROR(AddWorkloadRoutes(router, service));
  CAIRN_RETURN_IF_ERROR(AddSnapshotRoutes(router, service));
  CAIRN_RETURN_IF_ERROR(AddRestoreRoutes(router, service));
  CAIRN_RETURN_IF_ERROR(AddSettingRoutes(router, service));
  CAIRN_RETURN_IF_ERROR(AddPolicyRoutes(router, service));
  CAIRN_RETURN_IF_ERROR(AddQuotaRoutes(router, service));
  CAIRN_RETURN_IF_ERROR(AddAdminRoutes(router, service));
  CAIRN_RETURN_IF_ERROR(AddImportRoutes(router, service));
  return Status::OK();
}

Status RouteAdder::operator()(std::string_view method, std::string_view path, ServiceHandler handler) {
  ApiService* service = service_;
  return router_.Add(method, "/v1/{project_id}" + std::string(path),
                     [service, handler = std::move(handler)](const Request& r) { return handler(*service, r); });
}

control::JobOrigin JobOriginOf(const Request& request) {
  control::JobOrigin origin;
  origin.request_id = request.request_id;
  if (request.auth) {
    origin.user_id = request.auth->user_id();
    origin.auth_token = request.auth->token.id;
  }
  return origin;
}

Credentials CredentialsOfToken(const openstack::Token& token) {
  Credentials creds;
  creds.user_id = token.user.id;
  creds.project_id = token.ProjectId();
  creds.roles = token.RoleNames();
  creds.extra["user_domain_id"] = token.user.domain_id;
  if (token.project) creds.extra["project_domain_id"] = token.project->domain_id;
  return creds;
}

Credentials CallerCredentials(const Request& request) {
  if (!request.auth) return Credentials{};
  Credentials creds = CredentialsOfToken(request.auth->token);
  creds.is_admin = request.auth->is_admin;
  return creds;
}

Status Authorize(ApiService& service, const Request& request, std::string_view rule,
                 std::string_view project_id) {
  const Credentials creds = CallerCredentials(request);
  PolicyTarget target{{"project_id", std::string(project_id)}, {"user_id", creds.user_id}};
  return service.policy.Enforce(rule, creds, target);
}

Status Authorize(ApiService& service, const Request& request, std::string_view rule,
                 std::string_view project_id, std::string_view owner_user_id) {
  PolicyTarget target{{"project_id", std::string(project_id)}, {"user_id", std::string(owner_user_id)}};
  return service.policy.Enforce(rule, CallerCredentials(request), target);
}

LinkBase LinkBaseOf(const Request& request) {
  std::string host = request.Header("Host").value_or("localhost");
  // A Host header is client input: keep it to host-name characters.
  std::string clean;
  for (char c : host) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' ||
        c == ']') {
      clean.push_back(c);
    }
  }
  const std::string scheme = request.Header("X-Forwarded-Proto").value_or("http") == "https" ? "https" : "http";
  return LinkBase{scheme + "://" + (clean.empty() ? "localhost" : clean), request.PathParam("project_id")};
}

Result<db::Page> PageOf(const Request& request, const ApiLimits& limits) {
  db::Page page;
  page.limit = limits.max_page_size;
  if (auto limit = request.Query("limit")) {
    CAIRN_ASSIGN_OR_RETURN(int64_t n, ReadInt(nlohmann::json(*limit), "limit", 0, 1'000'000'000));
    if (n > 0) page.limit = static_cast<int>(std::min<int64_t>(n, limits.max_page_size));
  }
  if (auto marker = request.Query("marker"); marker && !marker->empty()) {
    if (!LooksLikeId(*marker)) {
      return Status::InvalidArgument("Invalid value for 'marker': " + Quoted(*marker) + " is not an id");
    }
    page.marker = AsciiLower(*marker);
  }
  return page;
}

db::Page WithLookAhead(db::Page page) {
  if (page.limit > 0) ++page.limit;
  return page;
}

void AddNextPageLink(nlohmann::json& body, std::string_view key, const Request& request, const db::Page& page,
                     const std::optional<std::string>& next_marker) {
  if (!next_marker) return;
  std::string href = LinkBaseOf(request).base_url;
  // The path as received (percent-decoded in Request), encoded again.
  for (std::string_view rest = request.path; !rest.empty();) {
    size_t slash = rest.find('/', 1);
    std::string_view segment = rest.substr(0, slash);
    href += segment.starts_with('/') ? "/" + openstack::UrlEncode(segment.substr(1))
                                     : openstack::UrlEncode(segment);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  }
  char sep = '?';
  for (const auto& [name, value] : request.query) {
    if (name == "limit" || name == "marker") continue;
    href += sep + openstack::UrlEncode(name) + "=" + openstack::UrlEncode(value);
    sep = '&';
  }
  href += sep + std::string("limit=") + std::to_string(page.limit) + "&marker=" + openstack::UrlEncode(*next_marker);
  body[std::string(key) + "_links"] = nlohmann::json::array({{{"rel", "next"}, {"href", std::move(href)}}});
}

Result<bool> QueryFlag(const Request& request, std::string_view name) {
  auto value = request.Query(name);
  if (!value) return false;
  if (value->empty()) return true;  // "?full" alone
  return ReadBool(nlohmann::json(*value), name);
}

bool LooksLikeId(std::string_view id) { return Uuid::Parse(id).ok(); }

void Audit(ApiService& service, const Request& request, std::string_view action,
           std::string_view object_type, std::string_view object_id, std::string details) {
  db::AuditEntry entry;
  entry.request_id = request.request_id;
  if (request.auth) {
    entry.user_id = request.auth->user_id();
    entry.user_name = request.auth->user_name();
    entry.project_id = request.auth->project_id();
  }
  entry.action = std::string(action);
  entry.object_type = std::string(object_type);
  entry.object_id = std::string(object_id);
  entry.details = std::move(details);
  if (auto r = db::AuditRepository(service.db).Append(std::move(entry)); !r.ok()) {
    GetLogger("api")->error("{}: audit entry for {} {} not recorded: {}", request.request_id, action,
                            object_id, r.status().ToString());
  }
}

Status CheckVisible(const Request& request, std::string_view object_project, std::string_view what) {
  if (request.auth && (request.auth->is_admin || request.auth->project_id() == object_project)) {
    if (request.auth->is_admin || object_project == request.PathParam("project_id") ||
        request.PathParam("project_id").empty()) {
      return Status::OK();
    }
  }
  return Status::NotFound(std::string(what) + " could not be found.");
}

}  // namespace cairn::api
