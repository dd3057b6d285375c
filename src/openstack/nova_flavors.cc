// NovaClient: flavors.
#include "openstack/json_fields.h"
#include "openstack/keystone_admin.h"
#include "openstack/nova.h"

namespace cairn::openstack {

using nlohmann::json;

Result<Flavor> ParseFlavor(const json& f) {
  if (!f.is_object()) return Status::InvalidArgument("nova: flavor is not a JSON object");
  Flavor flavor;
  flavor.id = JsonString(f, "id");
  if (flavor.id.empty()) return Status::InvalidArgument("nova: flavor without an id");
  flavor.name = JsonString(f, "name");
  flavor.vcpus = static_cast<int>(JsonInt(f, "vcpus"));
  flavor.ram_mb = static_cast<int>(JsonInt(f, "ram"));
  flavor.disk_gb = static_cast<int>(JsonInt(f, "disk"));
  flavor.ephemeral_gb = static_cast<int>(JsonInt(f, "OS-FLV-EXT-DATA:ephemeral"));
  flavor.swap_mb = static_cast<int>(JsonInt(f, "swap"));  // "" when none: 0
  flavor.is_public = JsonBool(f, "os-flavor-access:is_public", true);
  flavor.description = JsonString(f, "description");
  flavor.extra_specs = JsonStringMap(JsonObject(f, "extra_specs"));
  flavor.raw = f;
  return flavor;
}

Result<Flavor> NovaClient::GetFlavor(const Token& token, std::string_view flavor_id) const {
  const std::string not_found = "nova: flavor " + std::string(flavor_id) + " not found";
  if (flavor_id.empty()) return Status::NotFound(not_found);
  auto answer = caller_.Call(token, "GET", "/flavors/" + UrlEncode(flavor_id), nullptr,
                             "get flavor " + std::string(flavor_id));
  if (!answer.ok()) return NotFoundAs(answer.status(), not_found);
  auto flavor = ParseFlavor(JsonObject(*answer, "flavor"));
  if (!flavor.ok()) return Status::Unavailable("nova: get flavor " + std::string(flavor_id) + ": " +
                                               flavor.status().message());
  return flavor;
}

Result<std::vector<Flavor>> NovaClient::ListFlavors(const Token& token, bool all_access) const {
  std::vector<Flavor> flavors;
  std::string marker;
  for (;;) {
    const std::string query = QueryString({{"is_public", all_access ? "None" : ""}, {"marker", marker}});
    CAIRN_ASSIGN_OR_RETURN(json answer, caller_.Call(token, "GET", "/flavors/detail" + query, nullptr,
                                                     "list flavors"));
    const json& page = JsonArray(answer, "flavors");
    for (const auto& f : page) {
      auto flavor = ParseFlavor(f);
      if (!flavor.ok()) return Status::Unavailable("nova: list flavors: " + flavor.status().message());
      flavors.push_back(std::move(*flavor));
    }
    bool has_next = false;
    for (const auto& link : JsonArray(answer, "flavors_links")) {
      if (JsonString(link, "rel") == "next") has_next = true;
    }
    if (!has_next || page.empty()) break;
    marker = flavors.back().id;
  }
  return flavors;
}

}  // namespace cairn::openstack
