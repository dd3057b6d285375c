// NeutronClient against a scripted fake Neutron: paths, filters, bodies,
// parsing of real-shaped answers (Zed), error mapping.
#include "openstack/neutron.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "openstack/service_fake.h"

namespace cairn::openstack {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::FakeServices;

// A port as Zed's Neutron answers it to its owner.
constexpr char kPort[] = R"({
  "id": "p1", "name": "vm-port", "network_id": "n1", "tenant_id": "proj", "project_id": "proj",
  "mac_address": "fa:16:3e:12:34:56", "admin_state_up": true, "status": "ACTIVE",
  "device_id": "s1", "device_owner": "compute:nova",
  "fixed_ips": [{"subnet_id": "sn1", "ip_address": "10.99.0.201"}],
  "allowed_address_pairs": [], "extra_dhcp_opts": [], "security_groups": ["sg1"],
  "description": "", "binding:vnic_type": "normal", "port_security_enabled": true,
  "dns_name": "", "tags": [], "created_at": "2026-11-25T08:00:00Z", "updated_at": "2026-11-25T08:00:01Z",
  "revision_number": 4})";

class NeutronTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(fake_.started()); }

  FakeServices fake_;
  HttpClient http_;
  NeutronClient neutron_{http_, EndpointSelector(Interface::kPublic, "RegionOne")};
  Token token_ = fake_.MakeToken();
};

TEST_F(NeutronTest, GetPortParsesAndKeepsRaw) {
  fake_.On("GET /network/v2.0/ports/p1", 200, std::string(R"({"port": )") + kPort + "}");
  auto port = neutron_.GetPort(token_, "p1");
  ASSERT_TRUE(port.ok()) << port.status().ToString();
  EXPECT_EQ(fake_.last().Header("x-auth-token"), "tok-1");
  EXPECT_EQ(fake_.last().Header("openstack-api-version"), "");
  EXPECT_EQ(port->name, "vm-port");
  EXPECT_EQ(port->network_id, "n1");
  EXPECT_EQ(port->project_id, "proj");
  EXPECT_EQ(port->mac_address, "fa:16:3e:12:34:56");
  ASSERT_EQ(port->fixed_ips.size(), 1u);
  EXPECT_EQ(port->fixed_ips[0].subnet_id, "sn1");
  EXPECT_EQ(port->fixed_ips[0].ip_address, "10.99.0.201");
  EXPECT_THAT(port->security_groups, ElementsAre("sg1"));
  EXPECT_EQ(port->device_id, "s1");
  EXPECT_EQ(port->device_owner, "compute:nova");
  EXPECT_EQ(port->status, "ACTIVE");
  EXPECT_EQ(port->raw, json::parse(kPort));

  fake_.On("GET /network/v2.0/ports/p2", 404,
           R"({"NeutronError": {"type": "PortNotFound", "message": "Port p2 could not be found.", "detail": ""}})");
  auto missing = neutron_.GetPort(token_, "p2");
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "neutron: port p2 not found");
  EXPECT_EQ(neutron_.GetPort(token_, "").status().code(), ErrorCode::kNotFound);
}

TEST_F(NeutronTest, ListPortsSendsFilters) {
  fake_.On("GET /network/v2.0/ports", 200, std::string(R"({"ports": [)") + kPort + "]}");
  auto ports = neutron_.ListPorts(token_, {.device_id = "s1", .network_id = "n1", .ip_address = "10.99.0.201"});
  ASSERT_TRUE(ports.ok()) << ports.status().ToString();
  ASSERT_EQ(ports->size(), 1u);
  EXPECT_EQ(fake_.last().query, "device_id=s1&fixed_ips=ip_address=10.99.0.201&network_id=n1");

  auto interfaces = neutron_.ListRouterInterfacePorts(token_, "sn1");
  ASSERT_TRUE(interfaces.ok()) << interfaces.status().ToString();
  EXPECT_EQ(fake_.last().query, "device_owner=network:router_interface&fixed_ips=subnet_id=sn1");
}

TEST_F(NeutronTest, CreatePortBodyAndConflict) {
  fake_.On("POST /network/v2.0/ports", 201, std::string(R"({"port": )") + kPort + "}");
  auto port = neutron_.CreatePort(token_, {.network_id = "n1",
                                           .name = "vm-port",
                                           .fixed_ips = {{.subnet_id = "sn1", .ip_address = "10.99.0.201"}},
                                           .mac_address = "fa:16:3e:12:34:56",
                                           .security_groups = std::vector<std::string>{"sg1"},
                                           .project_id = "proj"});
  ASSERT_TRUE(port.ok()) << port.status().ToString();
  EXPECT_EQ(port->id, "p1");
  EXPECT_EQ(json::parse(fake_.last().body), json::parse(R"({"port": {
      "network_id": "n1", "name": "vm-port",
      "fixed_ips": [{"subnet_id": "sn1", "ip_address": "10.99.0.201"}],
      "mac_address": "fa:16:3e:12:34:56", "security_groups": ["sg1"], "project_id": "proj"}})"));
  // No security_groups: not sent; an empty list: sent empty.
  EXPECT_EQ(PortCreateBody({.network_id = "n1"}), json::parse(R"({"port": {"network_id": "n1"}})"));
  EXPECT_EQ(PortCreateBody({.network_id = "n1", .security_groups = std::vector<std::string>{}}),
            json::parse(R"({"port": {"network_id": "n1", "security_groups": []}})"));

  fake_.On("POST /network/v2.0/ports", 409,
           R"({"NeutronError": {"type": "IpAddressAlreadyAllocated",
               "message": "IP address 10.99.0.201 already allocated in subnet sn1", "detail": ""}})");
  auto conflict = neutron_.CreatePort(token_, {.network_id = "n1"});
  EXPECT_EQ(conflict.status().code(), ErrorCode::kConflict);
  EXPECT_EQ(conflict.status().message(),
            "neutron: create port on network n1: IP address 10.99.0.201 already allocated in subnet sn1 (HTTP 409)");

  fake_.On("DELETE /network/v2.0/ports/p1", 204);
  EXPECT_TRUE(neutron_.DeletePort(token_, "p1").ok());
  EXPECT_EQ(neutron_.DeletePort(token_, "p9").message(), "neutron: port p9 not found");
}

TEST_F(NeutronTest, NetworkSubnetsRouters) {
  fake_.On("GET /network/v2.0/networks/n1", 200, R"({"network": {
      "id": "n1", "name": "demo-net", "tenant_id": "proj", "project_id": "proj", "admin_state_up": true,
      "mtu": 1450, "status": "ACTIVE", "subnets": ["sn1"], "shared": false, "router:external": false,
      "availability_zone_hints": [], "ipv4_address_scope": null, "description": ""}})");
  auto net = neutron_.GetNetwork(token_, "n1");
  ASSERT_TRUE(net.ok()) << net.status().ToString();
  EXPECT_EQ(net->name, "demo-net");
  EXPECT_EQ(net->mtu, 1450);
  EXPECT_THAT(net->subnets, ElementsAre("sn1"));
  EXPECT_FALSE(net->external);
  EXPECT_EQ(neutron_.GetNetwork(token_, "n9").status().message(), "neutron: network n9 not found");

  fake_.On("GET /network/v2.0/subnets", 200, R"({"subnets": [{
      "id": "sn1", "name": "demo-subnet", "network_id": "n1", "tenant_id": "proj", "ip_version": 4,
      "cidr": "10.99.0.0/24", "gateway_ip": null, "enable_dhcp": true, "ipv6_ra_mode": null,
      "allocation_pools": [{"start": "10.99.0.2", "end": "10.99.0.254"}],
      "dns_nameservers": ["10.0.0.1"], "host_routes": [], "service_types": []}]})");
  auto subnets = neutron_.ListSubnets(token_, "n1");
  ASSERT_TRUE(subnets.ok()) << subnets.status().ToString();
  EXPECT_EQ(fake_.last().query, "network_id=n1");
  ASSERT_EQ(subnets->size(), 1u);
  const Subnet& s = (*subnets)[0];
  EXPECT_EQ(s.cidr, "10.99.0.0/24");
  EXPECT_EQ(s.gateway_ip, "");
  EXPECT_TRUE(s.enable_dhcp);
  ASSERT_EQ(s.allocation_pools.size(), 1u);
  EXPECT_EQ(s.allocation_pools[0].start, "10.99.0.2");
  EXPECT_EQ(s.allocation_pools[0].end, "10.99.0.254");
  EXPECT_THAT(s.dns_nameservers, ElementsAre("10.0.0.1"));

  fake_.On("GET /network/v2.0/routers", 200, R"({"routers": [{"id": "r1", "name": "router", "status": "ACTIVE",
      "project_id": "proj", "external_gateway_info": {"network_id": "ext", "enable_snat": true,
      "external_fixed_ips": []}}]})");
  auto routers = neutron_.ListRouters(token_);
  ASSERT_TRUE(routers.ok()) << routers.status().ToString();
  ASSERT_EQ(routers->size(), 1u);
  EXPECT_EQ((*routers)[0].external_network_id, "ext");
}

TEST_F(NeutronTest, NoRouterExtensionMeansNoRouters) {
  // Neutron without the L3 service plugin answers 404 for /routers.
  auto routers = neutron_.ListRouters(token_);
  ASSERT_TRUE(routers.ok()) << routers.status().ToString();
  EXPECT_TRUE(routers->empty());
}

TEST_F(NeutronTest, SecurityGroupsWithRules) {
  const std::string group = R"({"id": "sg1", "name": "default", "description": "Default security group",
      "tenant_id": "proj", "project_id": "proj", "stateful": true, "tags": [],
      "security_group_rules": [
        {"id": "r1", "direction": "egress", "ethertype": "IPv4", "protocol": null, "port_range_min": null,
         "port_range_max": null, "remote_ip_prefix": null, "remote_group_id": null, "security_group_id": "sg1"},
        {"id": "r2", "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "port_range_min": 22,
         "port_range_max": 22, "remote_ip_prefix": "0.0.0.0/0", "remote_group_id": null,
         "security_group_id": "sg1", "description": "ssh"},
        {"id": "r3", "direction": "ingress", "ethertype": "IPv6", "protocol": null, "port_range_min": null,
         "port_range_max": null, "remote_ip_prefix": null, "remote_group_id": "sg1", "security_group_id": "sg1"}]})";
  fake_.On("GET /network/v2.0/security-groups/sg1", 200, R"({"security_group": )" + group + "}");
  auto sg = neutron_.GetSecurityGroup(token_, "sg1");
  ASSERT_TRUE(sg.ok()) << sg.status().ToString();
  EXPECT_EQ(sg->name, "default");
  EXPECT_EQ(sg->description, "Default security group");
  ASSERT_EQ(sg->rules.size(), 3u);
  EXPECT_EQ(sg->rules[0].direction, "egress");
  EXPECT_EQ(sg->rules[0].protocol, "");
  EXPECT_FALSE(sg->rules[0].port_range_min.has_value());
  EXPECT_EQ(sg->rules[1].protocol, "tcp");
  EXPECT_EQ(sg->rules[1].port_range_min, 22);
  EXPECT_EQ(sg->rules[1].port_range_max, 22);
  EXPECT_EQ(sg->rules[1].remote_ip_prefix, "0.0.0.0/0");
  EXPECT_EQ(sg->rules[1].description, "ssh");
  EXPECT_EQ(sg->rules[2].remote_group_id, "sg1");
  EXPECT_EQ(sg->rules[2].raw.value("security_group_id", ""), "sg1");
  EXPECT_EQ(neutron_.GetSecurityGroup(token_, "sg9").status().message(), "neutron: security group sg9 not found");

  fake_.On("GET /network/v2.0/security-groups", 200, R"({"security_groups": [)" + group + "]}");
  auto list = neutron_.ListSecurityGroups(token_, {.name = "default", .project_id = "proj"});
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(fake_.last().query, "name=default&project_id=proj");
}

TEST_F(NeutronTest, EndpointWithVersionIsNotDoubled) {
  Token token = token_;
  token.catalog = Catalog({CatalogService{
      .type = "network",
      .endpoints = {{.interface = Interface::kPublic, .region_id = "RegionOne", .url = fake_.Url("/network/v2.0/")}}}});
  fake_.On("GET /network/v2.0/ports/p1", 200, std::string(R"({"port": )") + kPort + "}");
  EXPECT_TRUE(neutron_.GetPort(token, "p1").ok());
}

TEST_F(NeutronTest, BrokenAnswerIsUnavailable) {
  fake_.On("GET /network/v2.0/ports/p1", 200, R"({"port": {"name": "no id"}})");
  EXPECT_EQ(neutron_.GetPort(token_, "p1").status().code(), ErrorCode::kUnavailable);
  fake_.On("GET /network/v2.0/ports", 500, "<html><body>Internal Server Error</body></html>");
  auto ports = neutron_.ListPorts(token_);
  EXPECT_EQ(ports.status().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(ports.status().message(), HasSubstr("neutron: list ports: Internal Server Error (HTTP 500)"));
}

}  // namespace
}  // namespace cairn::openstack
