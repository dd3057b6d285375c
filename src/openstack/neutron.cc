#include "openstack/neutron.h"

#include "openstack/json_fields.h"
#include "openstack/keystone_admin.h"

namespace cairn::openstack {

using nlohmann::json;

namespace {

ServiceApi NeutronApi() {
  return {.service_type = std::string(kNetworkService), .name = "neutron", .version_path = "/v2.0"};
}

std::optional<int> OptionalInt(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int>();
}

}  // namespace

Result<Port> ParsePort(const json& p) {
  if (!p.is_object()) return Status::InvalidArgument("neutron: port is not a JSON object");
  Port port;
  port.id = JsonString(p, "id");
  if (port.id.empty()) return Status::InvalidArgument("neutron: port without an id");
  port.name = JsonString(p, "name");
  port.network_id = JsonString(p, "network_id");
  port.project_id = JsonString(p, "project_id", JsonString(p, "tenant_id"));
  port.mac_address = JsonString(p, "mac_address");
  for (const auto& ip : JsonArray(p, "fixed_ips")) {
    port.fixed_ips.push_back({JsonString(ip, "subnet_id"), JsonString(ip, "ip_address")});
  }
  port.security_groups = JsonStringList(p, "security_groups");
  port.device_id = JsonString(p, "device_id");
  port.device_owner = JsonString(p, "device_owner");
  port.status = JsonString(p, "status");
  port.port_security_enabled = JsonBool(p, "port_security_enabled", true);
  port.raw = p;
  return port;
}

Result<Network> ParseNetwork(const json& n) {
  if (!n.is_object()) return Status::InvalidArgument("neutron: network is not a JSON object");
  Network network;
  network.id = JsonString(n, "id");
  if (network.id.empty()) return Status::InvalidArgument("neutron: network without an id");
  network.name = JsonString(n, "name");
  network.project_id = JsonString(n, "project_id", JsonString(n, "tenant_id"));
  network.status = JsonString(n, "status");
  network.admin_state_up = JsonBool(n, "admin_state_up", true);
  network.shared = JsonBool(n, "shared");
  network.external = JsonBool(n, "router:external");
  network.mtu = static_cast<int>(JsonInt(n, "mtu"));
  network.network_type = JsonString(n, "provider:network_type");
  network.subnets = JsonStringList(n, "subnets");
  network.raw = n;
  return network;
}

Result<Subnet> ParseSubnet(const json& s) {
  if (!s.is_object()) return Status::InvalidArgument("neutron: subnet is not a JSON object");
  Subnet subnet;
  subnet.id = JsonString(s, "id");
  if (subnet.id.empty()) return Status::InvalidArgument("neutron: subnet without an id");
  subnet.name = JsonString(s, "name");
  subnet.network_id = JsonString(s, "network_id");
  subnet.project_id = JsonString(s, "project_id", JsonString(s, "tenant_id"));
  subnet.cidr = JsonString(s, "cidr");
  subnet.gateway_ip = JsonString(s, "gateway_ip");
  subnet.ip_version = static_cast<int>(JsonInt(s, "ip_version", 4));
  subnet.enable_dhcp = JsonBool(s, "enable_dhcp");
  for (const auto& pool : JsonArray(s, "allocation_pools")) {
    subnet.allocation_pools.push_back({JsonString(pool, "start"), JsonString(pool, "end")});
  }
  subnet.dns_nameservers = JsonStringList(s, "dns_nameservers");
  subnet.raw = s;
  return subnet;
}

Result<Router> ParseRouter(const json& r) {
  if (!r.is_object()) return Status::InvalidArgument("neutron: router is not a JSON object");
  Router router;
  router.id = JsonString(r, "id");
  if (router.id.empty()) return Status::InvalidArgument("neutron: router without an id");
  router.name = JsonString(r, "name");
  router.project_id = JsonString(r, "project_id", JsonString(r, "tenant_id"));
  router.status = JsonString(r, "status");
  router.external_network_id = JsonString(JsonObject(r, "external_gateway_info"), "network_id");
  router.raw = r;
  return router;
}

Result<SecurityGroup> ParseSecurityGroup(const json& g) {
  if (!g.is_object()) return Status::InvalidArgument("neutron: security group is not a JSON object");
  SecurityGroup group;
  group.id = JsonString(g, "id");
  if (group.id.empty()) return Status::InvalidArgument("neutron: security group without an id");
  group.name = JsonString(g, "name");
  group.description = JsonString(g, "description");
  group.project_id = JsonString(g, "project_id", JsonString(g, "tenant_id"));
  for (const auto& r : JsonArray(g, "security_group_rules")) {
    group.rules.push_back({.id = JsonString(r, "id"),
                           .direction = JsonString(r, "direction"),
                           .ethertype = JsonString(r, "ethertype"),
                           .protocol = JsonString(r, "protocol"),
                           .port_range_min = OptionalInt(r, "port_range_min"),
                           .port_range_max = OptionalInt(r, "port_range_max"),
                           .remote_ip_prefix = JsonString(r, "remote_ip_prefix"),
                           .remote_group_id = JsonString(r, "remote_group_id"),
                           .description = JsonString(r, "description"),
                           .raw = r});
  }
  group.raw = g;
  return group;
}

json PortCreateBody(const PortCreate& c) {
  json port = {{"network_id", c.network_id}};
  if (!c.name.empty()) port["name"] = c.name;
  if (!c.fixed_ips.empty()) {
    json list = json::array();
    for (const auto& ip : c.fixed_ips) {
      json entry = json::object();
      if (!ip.subnet_id.empty()) entry["subnet_id"] = ip.subnet_id;
      if (!ip.ip_address.empty()) entry["ip_address"] = ip.ip_address;
      list.push_back(std::move(entry));
    }
    port["fixed_ips"] = std::move(list);
  }
  if (!c.mac_address.empty()) port["mac_address"] = c.mac_address;
  if (c.security_groups) port["security_groups"] = *c.security_groups;
  if (!c.project_id.empty()) port["project_id"] = c.project_id;
  if (!c.description.empty()) port["description"] = c.description;
  return {{"port", std::move(port)}};
}

NeutronClient::NeutronClient(const HttpClient& http, EndpointSelector selector)
    : caller_(http, std::move(selector), NeutronApi()) {}

template <typename T>
Result<T> NeutronClient::GetOne(const Token& token, const char* collection, const char* key, const char* noun,
                                std::string_view id, Result<T> (*parse)(const json&)) const {
  const std::string not_found = "neutron: " + std::string(noun) + " " + std::string(id) + " not found";
  if (id.empty()) return Status::NotFound(not_found);
  const std::string what = "get " + std::string(noun) + " " + std::string(id);
  auto answer = caller_.Call(token, "GET", "/" + std::string(collection) + "/" + UrlEncode(id), nullptr, what);
  if (!answer.ok()) return NotFoundAs(answer.status(), not_found);
  auto parsed = parse(JsonObject(*answer, key));
  if (!parsed.ok()) return Status::Unavailable("neutron: " + what + ": " + parsed.status().message());
  return parsed;
}

template <typename T>
Result<std::vector<T>> NeutronClient::List(const Token& token, const char* collection, const std::string& query,
                                           const char* noun, Result<T> (*parse)(const json&)) const {
  // Neutron answers the whole list unless asked for pages (no limit sent).
  const std::string what = "list " + std::string(noun) + "s";
  CAIRN_ASSIGN_OR_RETURN(json answer, caller_.Call(token, "GET", "/" + std::string(collection) + query, nullptr, what));
  std::vector<T> out;
  for (const auto& item : JsonArray(answer, collection)) {
    auto parsed = parse(item);
    if (!parsed.ok()) return Status::Unavailable("neutron: " + what + ": " + parsed.status().message());
    out.push_back(std::move(*parsed));
  }
  return out;
}

Result<Port> NeutronClient::GetPort(const Token& token, std::string_view port_id) const {
  return GetOne<Port>(token, "ports", "port", "port", port_id, &ParsePort);
}

Result<std::vector<Port>> NeutronClient::ListPorts(const Token& token, const PortFilter& f) const {
  const std::string query = QueryString({{"device_id", f.device_id},
                                         {"network_id", f.network_id},
                                         {"fixed_ips", f.ip_address.empty() ? "" : "ip_address=" + f.ip_address},
                                         {"fixed_ips", f.subnet_id.empty() ? "" : "subnet_id=" + f.subnet_id},
                                         {"device_owner", f.device_owner},
                                         {"project_id", f.project_id},
                                         {"name", f.name}});
  return List<Port>(token, "ports", query, "port", &ParsePort);
}

Result<Port> NeutronClient::CreatePort(const Token& token, const PortCreate& create) const {
  const json body = PortCreateBody(create);
  CAIRN_ASSIGN_OR_RETURN(json answer, caller_.Call(token, "POST", "/ports", &body,
                                                   "create port on network " + create.network_id));
  auto port = ParsePort(JsonObject(answer, "port"));
  if (!port.ok()) return Status::Unavailable("neutron: create port: " + port.status().message());
  return port;
}

Status NeutronClient::DeletePort(const Token& token, std::string_view port_id) const {
  const std::string not_found = "neutron: port " + std::string(port_id) + " not found";
  if (port_id.empty()) return Status::NotFound(not_found);
  auto answer = caller_.Call(token, "DELETE", "/ports/" + UrlEncode(port_id), nullptr,
                             "delete port " + std::string(port_id));
  return NotFoundAs(answer.status(), not_found);
}

Result<Network> NeutronClient::GetNetwork(const Token& token, std::string_view network_id) const {
  return GetOne<Network>(token, "networks", "network", "network", network_id, &ParseNetwork);
}

Result<std::vector<Network>> NeutronClient::ListNetworks(const Token& token, std::string_view name) const {
  return List<Network>(token, "networks", QueryString({{"name", std::string(name)}}), "network", &ParseNetwork);
}

Result<Subnet> NeutronClient::GetSubnet(const Token& token, std::string_view subnet_id) const {
  return GetOne<Subnet>(token, "subnets", "subnet", "subnet", subnet_id, &ParseSubnet);
}

Result<std::vector<Subnet>> NeutronClient::ListSubnets(const Token& token, std::string_view network_id) const {
  return List<Subnet>(token, "subnets", QueryString({{"network_id", std::string(network_id)}}), "subnet",
                      &ParseSubnet);
}

Result<std::vector<Router>> NeutronClient::ListRouters(const Token& token) const {
  auto routers = List<Router>(token, "routers", "", "router", &ParseRouter);
  if (!routers.ok() && routers.status().IsNotFound()) return std::vector<Router>{};
  return routers;
}

Result<std::vector<Port>> NeutronClient::ListRouterInterfacePorts(const Token& token,
                                                                  std::string_view subnet_id) const {
  return ListPorts(token, {.subnet_id = std::string(subnet_id), .device_owner = "network:router_interface"});
}

Result<SecurityGroup> NeutronClient::GetSecurityGroup(const Token& token, std::string_view group_id) const {
  return GetOne<SecurityGroup>(token, "security-groups", "security_group", "security group", group_id,
                               &ParseSecurityGroup);
}

Result<std::vector<SecurityGroup>> NeutronClient::ListSecurityGroups(const Token& token,
                                                                     const SecurityGroupFilter& f) const {
  // The answer's key is "security_groups", the path "security-groups".
  const std::string query = QueryString({{"name", f.name}, {"project_id", f.project_id}});
  const std::string what = "list security groups";
  CAIRN_ASSIGN_OR_RETURN(json answer, caller_.Call(token, "GET", "/security-groups" + query, nullptr, what));
  std::vector<SecurityGroup> out;
  for (const auto& item : JsonArray(answer, "security_groups")) {
    auto parsed = ParseSecurityGroup(item);
    if (!parsed.ok()) return Status::Unavailable("neutron: " + what + ": " + parsed.status().message());
    out.push_back(std::move(*parsed));
  }
  return out;
}

}  // namespace cairn::openstack
