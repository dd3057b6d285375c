// The Keystone service catalog and the choice of an endpoint in it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace cairn::openstack {

// The catalog interfaces an endpoint is published on.
enum class Interface { kPublic, kInternal, kAdmin };

// "public", "internal", "admin".
std::string_view InterfaceName(Interface interface);
// The inverse of InterfaceName; also accepts "publicURL", "internalURL",
// "adminURL" (any case). InvalidArgument otherwise.
Result<Interface> ParseInterface(std::string_view text);

struct Endpoint {
  std::string id{};
  Interface interface = Interface::kPublic;
  std::string region_id{};  // "" when the endpoint has no region
  std::string url{};        // as published, templates like %(project_id)s left in
};

struct CatalogService {
  std::string id{};
  std::string type{};  // "compute", "volumev3", "identity", ...
  std::string name{};  // "nova", ...
  std::vector<Endpoint> endpoints{};
};

// A token's catalog: a value, cheap enough to copy.
class Catalog {
 public:
  Catalog() = default;
  explicit Catalog(std::vector<CatalogService> services) : services_(std::move(services)) {}

  // Parses the "catalog" array of a Keystone v3 token body. Endpoints with an
  // unknown interface are ignored; "region_id" is preferred over "region".
  // InvalidArgument when the JSON does not have the catalog's shape.
  static Result<Catalog> FromJson(const nlohmann::json& catalog_array);

  // The URL of the endpoint of `service_type` on `interface`. When `region`
  // is not empty only endpoints of that region count; when it is empty the
  // first matching endpoint wins. kNotFound naming the service type,
  // interface and region that are missing (and which ones exist).
  Result<std::string> EndpointFor(std::string_view service_type, Interface interface,
                                  std::string_view region) const;

  // The service of that type, or nullptr.
  const CatalogService* FindService(std::string_view service_type) const;

  const std::vector<CatalogService>& services() const { return services_; }
  bool empty() const { return services_.empty(); }

 private:
  std::vector<CatalogService> services_;
};

// `url` with %(project_id)s, %(tenant_id)s, $(project_id)s and $(tenant_id)s
// replaced by `project_id`, and trailing slashes removed.
std::string ExpandEndpointUrl(std::string_view url, std::string_view project_id);

}  // namespace cairn::openstack
