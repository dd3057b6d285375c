// Reachability probes of service endpoints, for preflight checks: GET the
// root of an endpoint (its version document, which needs no token) and report
// the HTTP status and the latency.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "openstack/endpoint_selector.h"
#include "openstack/http_client.h"
#include "openstack/token.h"

namespace cairn::openstack {

struct ProbeResult {
  std::string service_type{};  // "compute", ... ("" for a bare URL)
  std::string url{};           // the URL that was fetched
  long http_status = 0;        // 0 when no answer came
  std::chrono::milliseconds latency{0};
  Status status{};  // OK when the answer is 2xx or 3xx; else why not

  bool ok() const { return status.ok(); }
};

// The root ("scheme://host[:port]/") of an endpoint URL; "" when `url` has no
// scheme and host.
std::string EndpointRoot(std::string_view url);

// GETs EndpointRoot(url) (with the client's default timeout). Always returns
// a result; its status is kUnavailable for transport failures and 5xx, the
// mapped error (http_error.h) for other statuses >= 400.
ProbeResult ProbeEndpoint(const HttpClient& http, std::string_view url);

// Probes nova (compute), cinder (volumev3), glance (image) and neutron
// (network) on the endpoints `selector` picks from the token's catalog. A
// service missing from the catalog gives a result with that kNotFound status
// and an empty URL.
std::vector<ProbeResult> ProbeServices(const HttpClient& http, const EndpointSelector& selector, const Token& token);

}  // namespace cairn::openstack
