#include "openstack/endpoint_selector.h"

namespace cairn::openstack {

Result<std::string> EndpointSelector::UrlFor(const Token& token, std::string_view service_type) const {
  return UrlFor(token.catalog, service_type, token.ProjectId());
}

Result<std::string> EndpointSelector::UrlFor(const Catalog& catalog, std::string_view service_type,
                                             std::string_view project_id) const {
  CAIRN_ASSIGN_OR_RETURN(std::string url, catalog.EndpointFor(service_type, interface_, region_));
  const bool templated = url.find("(project_id)s") != std::string::npos || url.find("(tenant_id)s") != std::string::npos;
  if (templated && project_id.empty()) {
    return Status::InvalidArgument("the " + std::string(service_type) + " endpoint " + url +
                                   " needs a project, and the token is not scoped to one");
  }
  return ExpandEndpointUrl(url, project_id);
}

}  // namespace cairn::openstack
