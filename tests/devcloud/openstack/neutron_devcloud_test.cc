// The Neutron client against the devcloud, as the demo user.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "cloud_fixture.h"
#include "openstack/neutron.h"

namespace cairn::openstack {
namespace {

using devcloud::Cleanup;
using ::testing::HasSubstr;

class NeutronDevcloudTest : public ::testing::Test {
 protected:
  void SetUp() override {
    token_ = devcloud::DemoToken(http_);
    ASSERT_FALSE(token_.id.empty());
    auto nets = neutron_.ListNetworks(token_, "demo-net");
    ASSERT_TRUE(nets.ok()) << nets.status().ToString();
    ASSERT_EQ(nets->size(), 1u);
    net_ = (*nets)[0];
  }

  HttpClient http_;
  NeutronClient neutron_{http_, EndpointSelector(Interface::kPublic, "RegionOne")};
  Token token_;
  Network net_;
};

TEST_F(NeutronDevcloudTest, ReadsDemoNetSubnetPortsAndSecurityGroups) {
  EXPECT_EQ(net_.name, "demo-net");
  EXPECT_EQ(net_.project_id, token_.ProjectId());
  EXPECT_EQ(net_.raw.value("id", ""), net_.id);
  ASSERT_EQ(net_.subnets.size(), 1u);
  auto again = neutron_.GetNetwork(token_, net_.id);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->name, "demo-net");

  auto subnets = neutron_.ListSubnets(token_, net_.id);
  ASSERT_TRUE(subnets.ok()) << subnets.status().ToString();
  ASSERT_EQ(subnets->size(), 1u);
  const Subnet& subnet = (*subnets)[0];
  EXPECT_EQ(subnet.id, net_.subnets[0]);
  EXPECT_EQ(subnet.cidr, "10.99.0.0/24");
  EXPECT_EQ(subnet.ip_version, 4);
  EXPECT_TRUE(subnet.enable_dhcp);
  EXPECT_EQ(subnet.gateway_ip, "");  // seeded without a gateway
  ASSERT_FALSE(subnet.allocation_pools.empty());
  auto one = neutron_.GetSubnet(token_, subnet.id);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(one->raw, subnet.raw);

  auto ports = neutron_.ListPorts(token_, {.network_id = net_.id});
  ASSERT_TRUE(ports.ok()) << ports.status().ToString();
  bool dhcp = false;
  for (const auto& port : *ports) {
    EXPECT_EQ(port.network_id, net_.id);
    if (port.device_owner == "network:dhcp") dhcp = true;
    auto got = neutron_.GetPort(token_, port.id);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->mac_address, port.mac_address);
  }
  EXPECT_TRUE(dhcp) << "demo-net has a DHCP port";

  auto groups = neutron_.ListSecurityGroups(token_, {.name = "default", .project_id = token_.ProjectId()});
  ASSERT_TRUE(groups.ok()) << groups.status().ToString();
  ASSERT_EQ(groups->size(), 1u);
  auto group = neutron_.GetSecurityGroup(token_, (*groups)[0].id);
  ASSERT_TRUE(group.ok()) << group.status().ToString();
  EXPECT_EQ(group->name, "default");
  EXPECT_FALSE(group->rules.empty());
  for (const auto& rule : group->rules) EXPECT_THAT(rule.direction, ::testing::AnyOf("ingress", "egress"));

  // No L3 agent, no router extension: no routers and no router interfaces.
  auto routers = neutron_.ListRouters(token_);
  ASSERT_TRUE(routers.ok()) << routers.status().ToString();
  EXPECT_TRUE(routers->empty());
  auto interfaces = neutron_.ListRouterInterfacePorts(token_, subnet.id);
  ASSERT_TRUE(interfaces.ok()) << interfaces.status().ToString();
  EXPECT_TRUE(interfaces->empty());

  for (const auto& missing :
       {neutron_.GetPort(token_, "6f1b7a52-0000-4000-8000-000000000000").status(),
        neutron_.GetNetwork(token_, "6f1b7a52-0000-4000-8000-000000000000").status(),
        neutron_.GetSecurityGroup(token_, "6f1b7a52-0000-4000-8000-000000000000").status()}) {
    EXPECT_EQ(missing.code(), ErrorCode::kNotFound) << missing.ToString();
    EXPECT_THAT(missing.message(), HasSubstr("6f1b7a52-0000-4000-8000-000000000000 not found"));
  }
}

TEST_F(NeutronDevcloudTest, CreatesPortWithFixedIpAndMacThenDeletesIt) {
  std::random_device rd;
  const unsigned r = rd();
  const std::string ip = "10.99.0." + std::to_string(200 + r % 50);
  char mac[32];
  std::snprintf(mac, sizeof mac, "fa:16:3e:%02x:%02x:%02x", (r >> 8) & 0xff, (r >> 16) & 0xff, (r >> 24) & 0xff);
  auto groups = neutron_.ListSecurityGroups(token_, {.name = "default", .project_id = token_.ProjectId()});
  ASSERT_TRUE(groups.ok() && groups->size() == 1u) << groups.status().ToString();

  const std::string name = devcloud::RandomName();
  auto port = neutron_.CreatePort(token_, {.network_id = net_.id,
                                           .name = name,
                                           .fixed_ips = {{.subnet_id = net_.subnets[0], .ip_address = ip}},
                                           .mac_address = mac,
                                           .security_groups = std::vector<std::string>{(*groups)[0].id}});
  ASSERT_TRUE(port.ok()) << port.status().ToString();
  Cleanup undo([&] { (void)neutron_.DeletePort(token_, port->id); });
  EXPECT_EQ(port->name, name);
  EXPECT_EQ(port->mac_address, mac);
  ASSERT_EQ(port->fixed_ips.size(), 1u);
  EXPECT_EQ(port->fixed_ips[0].ip_address, ip);
  EXPECT_EQ(port->fixed_ips[0].subnet_id, net_.subnets[0]);
  EXPECT_THAT(port->security_groups, ::testing::ElementsAre((*groups)[0].id));
  EXPECT_EQ(port->device_id, "");
  EXPECT_EQ(port->raw.value("mac_address", ""), mac);

  auto by_ip = neutron_.ListPorts(token_, {.network_id = net_.id, .ip_address = ip});
  ASSERT_TRUE(by_ip.ok()) << by_ip.status().ToString();
  ASSERT_EQ(by_ip->size(), 1u);
  EXPECT_EQ((*by_ip)[0].id, port->id);

  // The same IP again: Neutron's 409.
  auto twice = neutron_.CreatePort(token_, {.network_id = net_.id, .fixed_ips = {{.ip_address = ip}}});
  if (twice.ok()) (void)neutron_.DeletePort(token_, twice->id);
  EXPECT_EQ(twice.status().code(), ErrorCode::kConflict) << twice.status().ToString();

  ASSERT_TRUE(neutron_.DeletePort(token_, port->id).ok());
  undo.Dismiss();
  EXPECT_EQ(neutron_.GetPort(token_, port->id).status().code(), ErrorCode::kNotFound);
  const Status again = neutron_.DeletePort(token_, port->id);
  EXPECT_EQ(again.code(), ErrorCode::kNotFound);
  EXPECT_EQ(again.message(), "neutron: port " + port->id + " not found");
}

}  // namespace
}  // namespace cairn::openstack
