#include "openstack/probe.h"

#include "common/time.h"
#include "openstack/http_error.h"

namespace cairn::openstack {

std::string EndpointRoot(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos || scheme == 0) return "";
  const size_t host_start = scheme + 3;
  const size_t path = url.find_first_of("/?#", host_start);
  const std::string_view authority = url.substr(host_start, path == std::string_view::npos ? url.npos : path - host_start);
  if (authority.empty()) return "";
  return std::string(url.substr(0, host_start)) + std::string(authority) + "/";
}

ProbeResult ProbeEndpoint(const HttpClient& http, std::string_view url) {
  ProbeResult result;
  result.url = EndpointRoot(url);
  if (result.url.empty()) {
    result.status = Status::InvalidArgument("not an endpoint URL: " + std::string(url));
    return result;
  }
  Stopwatch watch;
  auto response = http.Send({.method = "GET", .url = result.url, .headers = {{"Accept", "application/json"}}});
  result.latency = std::chrono::duration_cast<std::chrono::milliseconds>(watch.Elapsed());
  if (!response.ok()) {
    result.status = response.status();
    return result;
  }
  result.http_status = response->status;
  result.status = StatusFromResponse(*response, "GET " + result.url);
  return result;
}

std::vector<ProbeResult> ProbeServices(const HttpClient& http, const EndpointSelector& selector, const Token& token) {
  std::vector<ProbeResult> results;
  for (const std::string_view type : {kComputeService, kVolumeService, kImageService, kNetworkService}) {
    auto url = selector.UrlFor(token, type);
    ProbeResult result;
    if (!url.ok()) {
      result.status = url.status();
    } else {
      result = ProbeEndpoint(http, *url);
    }
    result.service_type = std::string(type);
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace cairn::openstack
