#include "cli/api_client.h"

#include <chrono>

#include "openstack/endpoint_selector.h"
#include "openstack/http_error.h"
#include "openstack/keystone.h"
#include "openstack/redact.h"

namespace cairn::cli {
namespace {

using nlohmann::json;

void DebugRequest(std::ostream& out, const openstack::Request& r) {
  out << "REQ: " << r.method << " " << r.url << "\n";
  for (const auto& [name, value] : r.headers) {
    out << "     " << name << ": " << openstack::RedactHeaderValue(name, value) << "\n";
  }
  if (!r.body.empty()) out << "     " << openstack::RedactBody(r.body) << "\n";
}

void DebugResponse(std::ostream& out, const openstack::Response& r, std::chrono::milliseconds took) {
  out << "RESP: " << r.status << " (" << took.count() << " ms)\n";
  for (const auto& [name, value] : r.headers) {
    out << "     " << name << ": " << openstack::RedactHeaderValue(name, value) << "\n";
  }
  if (!r.body.empty()) out << "RESP BODY: " << openstack::RedactBody(r.body, 4000) << "\n";
}

}  // namespace

std::string UrlEncode(std::string_view value) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

Result<std::unique_ptr<ApiClient>> ApiClient::Connect(const CloudConfig& config, std::ostream* debug) {
  openstack::HttpClientOptions http_options{.cafile = config.Get("cacert"), .insecure = config.Has("insecure")};
  std::unique_ptr<ApiClient> client(new ApiClient(std::move(http_options), debug));
  CAIRN_ASSIGN_OR_RETURN(openstack::Interface interface, config.Interface());
  const std::string endpoint = config.Get("endpoint");
  if (!config.Has("auth_url")) {
    if (!(config.Has("token") && !endpoint.empty())) {
      return Status::InvalidArgument(
          "no auth URL: set OS_AUTH_URL or --os-auth-url (or OS_CLOUD with a clouds.yaml; or a token with "
          "--os-endpoint)");
    }
    client->token_ = config.Get("token");
    client->project_id_ = config.Get("project_id");
    client->endpoint_ = openstack::ExpandEndpointUrl(endpoint, client->project_id_);
    return client;
  }
  CAIRN_ASSIGN_OR_RETURN(openstack::AuthMethod method, config.Method());
  CAIRN_ASSIGN_OR_RETURN(openstack::AuthScope scope, config.Scope());
  openstack::KeystoneClient keystone(client->http_, config.Get("auth_url"));
  auto token = keystone.Authenticate(method, scope);
  if (!token.ok()) return token.status().WithContext("authentication at " + config.Get("auth_url"));
  client->token_ = token->id;
  client->project_id_ = token->ProjectId();
  if (!endpoint.empty()) {
    client->endpoint_ = openstack::ExpandEndpointUrl(endpoint, client->project_id_);
    return client;
  }
  openstack::EndpointSelector selector(interface, config.Get("region_name"));
  auto url = selector.UrlFor(*token, kWorkloadsServiceType);
  if (!url.ok()) {
    return Status(url.status().code(), "Cairn's endpoint: " + url.status().message() +
                                           " (is Cairn registered in Keystone? --os-interface, --os-region-name)");
  }
  client->endpoint_ = *url;
  return client;
}

Result<json> ApiClient::Call(const std::string& method, const std::string& path,
                             const std::optional<json>& body) const {
  openstack::Request request{.method = method, .url = endpoint_ + path, .headers = openstack::JsonHeaders(token_)};
  if (!project_id_.empty()) request.headers.emplace_back("X-Auth-Project-Id", project_id_);
  request.headers.emplace_back("User-Agent", "cairn-cli");
  if (body) request.body = body->dump();
  if (debug_) DebugRequest(*debug_, request);
  const auto started = std::chrono::steady_clock::now();
  CAIRN_ASSIGN_OR_RETURN(openstack::Response response, http_.Send(request));
  if (debug_) {
    DebugResponse(*debug_, response, std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::steady_clock::now() - started));
  }
  if (response.status >= 400) {
    std::string message = openstack::ErrorMessageFromBody(response.body);
    if (message.empty()) message = method + " " + path + " failed";
    return Status(openstack::ErrorCodeForHttpStatus(response.status),
                  message + " (HTTP " + std::to_string(response.status) + ")");
  }
  if (response.body.empty()) return json();
  json parsed = json::parse(response.body, nullptr, false);
  if (parsed.is_discarded()) {
    return Status::Unavailable(method + " " + path + ": the answer is not JSON (HTTP " +
                               std::to_string(response.status) + ")");
  }
  return parsed;
}

}  // namespace cairn::cli
