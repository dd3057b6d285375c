// ServiceCaller (internal to openstack/): one JSON call to an OpenStack
// service found in a token's catalog, with the service's fixed headers
// (microversion) and its errors mapped by http_error.h. The clients of Nova,
// Neutron, Cinder and Glance are built on it.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "openstack/endpoint_selector.h"
#include "openstack/http_client.h"
#include "openstack/token.h"

namespace cairn::openstack {

// What differs between services.
struct ServiceApi {
  std::string service_type;  // catalog type: kComputeService, ...
  std::string name;          // "nova", the prefix of every message
  // Appended to the catalog URL unless it ends with it already: "/v2.0" for
  // Neutron, "/v2" for Glance, "" for Nova and Cinder (their URL has it).
  std::string version_path{};
  // Sent with every call, e.g. {"OpenStack-API-Version", "compute 2.79"}.
  std::vector<std::pair<std::string, std::string>> headers{};
};

class ServiceCaller {
 public:
  // `http` must outlive this.
  ServiceCaller(const HttpClient& http, EndpointSelector selector, ServiceApi api)
      : http_(http), selector_(std::move(selector)), api_(std::move(api)) {}

  // `method` base+`path` with the token, the JSON headers and the API's
  // headers; `body` sent as JSON unless null. An HTTP error is mapped
  // (StatusFromResponse) with the message "<name>: <what>: ...". Answers the
  // JSON object of the answer, or an empty object for an empty body (202,
  // 204); a body that is not a JSON object is kUnavailable.
  Result<nlohmann::json> Call(const Token& token, std::string_view method, const std::string& path,
                              const nlohmann::json* body, std::string_view what) const;

  // The same for a prepared request whose url is a path (uploads): the
  // token's and the API's headers are added; answers the raw response.
  Result<Response> Send(const Token& token, Request request, std::string_view what) const;

  // The service's base URL for this token (catalog URL + version_path).
  Result<std::string> BaseUrl(const Token& token) const;

  const ServiceApi& api() const { return api_; }

 private:
  const HttpClient& http_;
  EndpointSelector selector_;
  ServiceApi api_;
};

// `status`, except that kNotFound becomes kNotFound `message` (the
// service's own 404 text names no object; ours does).
Status NotFoundAs(const Status& status, std::string message);

// A query string "?k=v&k2=v2" from the pairs whose value is not empty
// (values percent-encoded); "" when none.
std::string QueryString(const std::vector<std::pair<std::string, std::string>>& pairs);

}  // namespace cairn::openstack
