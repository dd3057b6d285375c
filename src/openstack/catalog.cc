#include "openstack/catalog.h"

#include "common/strings.h"

namespace cairn::openstack {

std::string_view InterfaceName(Interface interface) {
  switch (interface) {
    case Interface::kPublic: return "public";
    case Interface::kInternal: return "internal";
    case Interface::kAdmin: return "admin";
  }
  return "unknown";
}

Result<Interface> ParseInterface(std::string_view text) {
  std::string lower = AsciiLower(Trim(text));
  if (lower.ends_with("url")) lower.resize(lower.size() - 3);
  if (lower == "public") return Interface::kPublic;
  if (lower == "internal") return Interface::kInternal;
  if (lower == "admin") return Interface::kAdmin;
  return Status::InvalidArgument(Quoted(text) + " is not an endpoint interface (public, internal or admin)");
}

namespace {

std::string StringField(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Result<Catalog> Catalog::FromJson(const nlohmann::json& catalog_array) {
  if (!catalog_array.is_array()) return Status::InvalidArgument("token catalog is not a JSON array");
  std::vector<CatalogService> services;
  for (const auto& s : catalog_array) {
    if (!s.is_object()) return Status::InvalidArgument("token catalog entry is not a JSON object");
    CatalogService service;
    service.id = StringField(s, "id");
    service.type = StringField(s, "type");
    service.name = StringField(s, "name");
    if (service.type.empty()) return Status::InvalidArgument("token catalog entry without a type");
    auto eps = s.find("endpoints");
    if (eps != s.end()) {
      if (!eps->is_array()) {
        return Status::InvalidArgument("endpoints of catalog service " + service.type + " are not an array");
      }
      for (const auto& e : *eps) {
        if (!e.is_object()) continue;
        auto interface = ParseInterface(StringField(e, "interface"));
        if (!interface.ok()) continue;
        Endpoint endpoint;
        endpoint.id = StringField(e, "id");
        endpoint.interface = *interface;
        endpoint.region_id = StringField(e, "region_id");
        if (endpoint.region_id.empty()) endpoint.region_id = StringField(e, "region");
        endpoint.url = StringField(e, "url");
        if (endpoint.url.empty()) continue;
        service.endpoints.push_back(std::move(endpoint));
      }
    }
    services.push_back(std::move(service));
  }
  return Catalog(std::move(services));
}

const CatalogService* Catalog::FindService(std::string_view service_type) const {
  for (const auto& s : services_) {
    if (s.type == service_type) return &s;
  }
  return nullptr;
}

Result<std::string> Catalog::EndpointFor(std::string_view service_type, Interface interface,
                                         std::string_view region) const {
  const std::string wanted = std::string(service_type) + " endpoint on the " + std::string(InterfaceName(interface)) +
                             " interface" + (region.empty() ? "" : " in region " + std::string(region));
  std::vector<std::string> seen;
  bool service_found = false;
  for (const auto& s : services_) {
    if (s.type != service_type) continue;
    service_found = true;
    for (const auto& e : s.endpoints) {
      if (e.interface == interface && (region.empty() || e.region_id == region)) return e.url;
      seen.push_back(std::string(InterfaceName(e.interface)) + (e.region_id.empty() ? "" : "/" + e.region_id));
    }
  }
  if (!service_found) {
    return Status::NotFound("no " + wanted + ": the catalog has no service of type " + std::string(service_type));
  }
  return Status::NotFound("no " + wanted + " in the catalog (it has " +
                          (seen.empty() ? std::string("no endpoints") : Join(seen, ", ")) + ")");
}

std::string ExpandEndpointUrl(std::string_view url, std::string_view project_id) {
  std::string out(url);
  for (const std::string_view pattern : {"%(project_id)s", "%(tenant_id)s", "$(project_id)s", "$(tenant_id)s"}) {
    for (size_t pos = out.find(pattern); pos != std::string::npos; pos = out.find(pattern, pos)) {
      out.replace(pos, pattern.size(), project_id);
      pos += project_id.size();
    }
  }
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

}  // namespace cairn::openstack
