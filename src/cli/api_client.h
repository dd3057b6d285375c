// ApiClient: the cairn CLI's connection to cairn-api (or any workloadmgr
// API): authenticates to Keystone, finds the `workloads` endpoint in the
// catalog on the chosen interface and region, and sends JSON requests.
//
//   CAIRN_ASSIGN_OR_RETURN(auto api, ApiClient::Connect(config, debug_stream));
//   CAIRN_ASSIGN_OR_RETURN(json w, api->Call("GET", "/workloads/" + id));
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/cloud_config.h"
#include "common/status.h"
#include "openstack/http_client.h"

namespace cairn::cli {

// The catalog service type of the workloadmgr API.
inline constexpr std::string_view kWorkloadsServiceType = "workloads";

class ApiClient {
 public:
  // Authenticates with `config` (see CloudConfig::Method/Scope) at its
  // auth_url and takes the endpoint of service type `workloads` on its
  // interface and region_name from the token's catalog; `endpoint`, when
  // set, replaces the catalog's URL. A token with an endpoint and no
  // auth_url is used as it is, without Keystone. Errors: InvalidArgument
  // naming the missing setting; PermissionDenied when Keystone refuses the
  // credentials; NotFound when the catalog has no workloads endpoint there;
  // Unavailable when Keystone cannot be reached. `debug`, when not null,
  // receives every API exchange (secrets masked).
  static Result<std::unique_ptr<ApiClient>> Connect(const CloudConfig& config, std::ostream* debug);

  // Sends `method` to the endpoint + `path` (which starts with "/", e.g.
  // "/workloads?all_workloads=True") with X-Auth-Token and
  // X-Auth-Project-Id, `body` as JSON when given. The parsed answer (null
  // for an empty body). An HTTP error answers a Status whose message is the
  // API's own (from the fault body) with "(HTTP <code>)"; its code follows
  // openstack/http_error.h.
  Result<nlohmann::json> Call(const std::string& method, const std::string& path,
                              const std::optional<nlohmann::json>& body = std::nullopt) const;

  // The endpoint URL requests go to (".../v1/<project id>").
  const std::string& endpoint() const { return endpoint_; }
  const std::string& project_id() const { return project_id_; }

  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

 private:
  ApiClient(openstack::HttpClientOptions http_options, std::ostream* debug)
      : http_(std::move(http_options)), debug_(debug) {}

  openstack::HttpClient http_;
  std::ostream* debug_;
  std::string endpoint_;
  std::string token_;
  std::string project_id_;
};

// "a%20b" style percent-encoding of one query value.
std::string UrlEncode(std::string_view value);

}  // namespace cairn::cli
