// EndpointSelector: the single place that knows which catalog interface and
// region Cairn uses to reach another OpenStack service.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "openstack/catalog.h"
#include "openstack/token.h"

namespace cairn::openstack {

// Catalog service types Cairn talks to.
inline constexpr std::string_view kComputeService = "compute";
inline constexpr std::string_view kVolumeService = "volumev3";
inline constexpr std::string_view kImageService = "image";
inline constexpr std::string_view kNetworkService = "network";
inline constexpr std::string_view kIdentityService = "identity";

class EndpointSelector {
 public:
  // `region` "" accepts any region.
  explicit EndpointSelector(Interface interface = Interface::kAdmin, std::string region = {})
      : interface_(interface), region_(std::move(region)) {}

  // The base URL of `service_type` in the token's catalog on the configured
  // interface and region, with %(project_id)s templates filled with the
  // token's project and no trailing slash. kNotFound (from Catalog::EndpointFor)
  // when the catalog has no such endpoint; kInvalidArgument when the URL needs
  // a project and the token has none.
  Result<std::string> UrlFor(const Token& token, std::string_view service_type) const;
  // The same from a bare catalog and project id.
  Result<std::string> UrlFor(const Catalog& catalog, std::string_view service_type,
                             std::string_view project_id) const;

  Interface interface() const { return interface_; }
  const std::string& region() const { return region_; }

 private:
  Interface interface_;
  std::string region_;
};

}  // namespace cairn::openstack
