#include "openstack/service_call.h"

#include "openstack/http_error.h"
#include "openstack/keystone_admin.h"

namespace cairn::openstack {

Result<std::string> ServiceCaller::BaseUrl(const Token& token) const {
  CAIRN_ASSIGN_OR_RETURN(std::string base, selector_.UrlFor(token, api_.service_type));
  if (!api_.version_path.empty() && !base.ends_with(api_.version_path)) base += api_.version_path;
  return base;
}

Result<Response> ServiceCaller::Send(const Token& token, Request request, std::string_view what) const {
  CAIRN_ASSIGN_OR_RETURN(std::string base, BaseUrl(token));
  request.url = base + request.url;
  if (!token.id.empty()) request.headers.emplace_back("X-Auth-Token", token.id);
  for (const auto& header : api_.headers) request.headers.push_back(header);
  CAIRN_ASSIGN_OR_RETURN(Response response, http_.Send(request));
  CAIRN_RETURN_IF_ERROR(StatusFromResponse(response, api_.name + ": " + std::string(what)));
  return response;
}

Result<nlohmann::json> ServiceCaller::Call(const Token& token, std::string_view method, const std::string& path,
                                           const nlohmann::json* body, std::string_view what) const {
  Request request{.method = std::string(method), .url = path, .headers = JsonHeaders()};
  if (body != nullptr) request.body = body->dump();
  CAIRN_ASSIGN_OR_RETURN(Response response, Send(token, std::move(request), what));
  if (response.body.find_first_not_of(" \t\r\n") == std::string::npos) return nlohmann::json::object();
  return ParseJsonObject(response.body, api_.name + ": " + std::string(what));
}

Status NotFoundAs(const Status& status, std::string message) {
  return status.IsNotFound() ? Status::NotFound(std::move(message)) : status;
}

std::string QueryString(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string query;
  for (const auto& [key, value] : pairs) {
    if (value.empty()) continue;
    query += query.empty() ? "?" : "&";
    query += key + "=" + UrlEncode(value);
  }
  return query;
}

}  // namespace cairn::openstack
