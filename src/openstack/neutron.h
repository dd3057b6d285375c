// NeutronClient: the Neutron (network v2.0) calls Cairn needs to record a
// VM's networking and to recreate its ports on restore. Neutron has no
// microversions; every parsed object keeps its raw JSON, which the engine
// writes to the backup target as the definition.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "openstack/endpoint_selector.h"
#include "openstack/http_client.h"
#include "openstack/service_call.h"
#include "openstack/token.h"

namespace cairn::openstack {

struct FixedIp {
  std::string subnet_id{};
  std::string ip_address{};
};

struct Port {
  std::string id{};
  std::string name{};
  std::string network_id{};
  std::string project_id{};
  std::string mac_address{};
  std::vector<FixedIp> fixed_ips{};
  std::vector<std::string> security_groups{};  // ids
  std::string device_id{};     // the server, router or DHCP agent using it
  std::string device_owner{};  // "compute:nova", "network:dhcp", "network:router_interface", ...
  std::string status{};        // ACTIVE, DOWN, BUILD
  bool port_security_enabled = true;
  nlohmann::json raw = nlohmann::json::object();
};

struct Network {
  std::string id{};
  std::string name{};
  std::string project_id{};
  std::string status{};
  bool admin_state_up = true;
  bool shared = false;
  bool external = false;  // router:external
  int mtu = 0;
  std::string network_type{};  // provider:network_type; "" unless visible (admin)
  std::vector<std::string> subnets{};  // ids
  nlohmann::json raw = nlohmann::json::object();
};

struct AllocationPool {
  std::string start{};
  std::string end{};
};

struct Subnet {
  std::string id{};
  std::string name{};
  std::string network_id{};
  std::string project_id{};
  std::string cidr{};
  std::string gateway_ip{};  // "" when the subnet has no gateway
  int ip_version = 4;
  bool enable_dhcp = false;
  std::vector<AllocationPool> allocation_pools{};
  std::vector<std::string> dns_nameservers{};
  nlohmann::json raw = nlohmann::json::object();
};

struct Router {
  std::string id{};
  std::string name{};
  std::string project_id{};
  std::string status{};
  std::string external_network_id{};  // external_gateway_info.network_id; "" without a gateway
  nlohmann::json raw = nlohmann::json::object();
};

struct SecurityGroupRule {
  std::string id{};
  std::string direction{};  // "ingress" or "egress"
  std::string ethertype{};  // "IPv4" or "IPv6"
  std::string protocol{};   // "" for any
  std::optional<int> port_range_min{};
  std::optional<int> port_range_max{};
  std::string remote_ip_prefix{};
  std::string remote_group_id{};
  std::string description{};
  nlohmann::json raw = nlohmann::json::object();
};

struct SecurityGroup {
  std::string id{};
  std::string name{};
  std::string description{};
  std::string project_id{};
  std::vector<SecurityGroupRule> rules{};  // security_group_rules
  nlohmann::json raw = nlohmann::json::object();
};

// Filters for ListPorts; empty fields are not sent.
struct PortFilter {
  std::string device_id{};
  std::string network_id{};
  std::string ip_address{};  // fixed_ips=ip_address=...
  std::string subnet_id{};   // fixed_ips=subnet_id=...
  std::string device_owner{};
  std::string project_id{};
  std::string name{};
};

// Filters for ListSecurityGroups; empty fields are not sent.
struct SecurityGroupFilter {
  std::string name{};
  std::string project_id{};
};

// The body of POST /ports. Empty fields are not sent; `security_groups`
// unset lets Neutron give the project's default group, an empty list gives
// none.
struct PortCreate {
  std::string network_id{};
  std::string name{};
  std::vector<FixedIp> fixed_ips{};  // either field may be empty
  std::string mac_address{};
  std::optional<std::vector<std::string>> security_groups{};  // ids
  std::string project_id{};  // admin only, for another project
  std::string description{};
};

// Parsers of single objects (the inner object, without its "port" key...).
// InvalidArgument without an id.
Result<Port> ParsePort(const nlohmann::json& port);
Result<Network> ParseNetwork(const nlohmann::json& network);
Result<Subnet> ParseSubnet(const nlohmann::json& subnet);
Result<Router> ParseRouter(const nlohmann::json& router);
Result<SecurityGroup> ParseSecurityGroup(const nlohmann::json& group);

// The JSON body {"port": {...}} of POST /ports.
nlohmann::json PortCreateBody(const PortCreate& create);

// Calls that name an object answer kNotFound "neutron: <object> <id> not
// found" when Neutron does not know it (or the token's project may not see it).
class NeutronClient {
 public:
  // `http` must outlive this.
  NeutronClient(const HttpClient& http, EndpointSelector selector);

  Result<Port> GetPort(const Token& token, std::string_view port_id) const;
  Result<std::vector<Port>> ListPorts(const Token& token, const PortFilter& filter = {}) const;
  // POST /ports; answers the port as created (its MAC and IPs filled in).
  // kConflict when the IP or MAC is in use (Neutron's 409).
  Result<Port> CreatePort(const Token& token, const PortCreate& create) const;
  Status DeletePort(const Token& token, std::string_view port_id) const;

  Result<Network> GetNetwork(const Token& token, std::string_view network_id) const;
  // The networks the token may see, by exact name when `name` is not empty.
  Result<std::vector<Network>> ListNetworks(const Token& token, std::string_view name = {}) const;
  Result<Subnet> GetSubnet(const Token& token, std::string_view subnet_id) const;
  // The subnets of a network; "" lists every subnet the token may see.
  Result<std::vector<Subnet>> ListSubnets(const Token& token, std::string_view network_id = {}) const;

  // GET /routers. A cloud without the router extension (no L3 service;
  // Neutron answers 404) has no routers: an empty list.
  Result<std::vector<Router>> ListRouters(const Token& token) const;
  // The router interface ports on a subnet (device_owner
  // network:router_interface; device_id is the router).
  Result<std::vector<Port>> ListRouterInterfacePorts(const Token& token, std::string_view subnet_id) const;

  // GET /security-groups/{id}, with its rules.
  Result<SecurityGroup> GetSecurityGroup(const Token& token, std::string_view group_id) const;
  Result<std::vector<SecurityGroup>> ListSecurityGroups(const Token& token,
                                                        const SecurityGroupFilter& filter = {}) const;

 private:
  // GET /<collection>/<id>, the object under `key` parsed by `parse`.
  template <typename T>
  Result<T> GetOne(const Token& token, const char* collection, const char* key, const char* noun,
                   std::string_view id, Result<T> (*parse)(const nlohmann::json&)) const;
  template <typename T>
  Result<std::vector<T>> List(const Token& token, const char* collection, const std::string& query, const char* noun,
                              Result<T> (*parse)(const nlohmann::json&)) const;

  ServiceCaller caller_;
};

}  // namespace cairn::openstack
