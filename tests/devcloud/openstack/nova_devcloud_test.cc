// The Nova client and the probes against the devcloud.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "devcloud_env.h"
#include "openstack/keystone.h"
#include "openstack/nova.h"
#include "openstack/probe.h"
#include "openstack/service_session.h"

namespace cairn::openstack {
namespace {

using devcloud::User;

TEST(NovaDevcloudTest, UnknownServerIsNotFoundOnEveryInterface) {
  ServiceSession session(User("admin").AsService());
  auto token = session.GetToken();
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  for (Interface interface : {Interface::kAdmin, Interface::kInternal, Interface::kPublic}) {
    NovaClient nova(session.http(), EndpointSelector(interface, "RegionOne"));
    auto server = nova.GetServer(*token, "6f1b7a52-0000-4000-8000-000000000000");
    ASSERT_FALSE(server.ok());
    EXPECT_EQ(server.status().code(), ErrorCode::kNotFound) << server.status().ToString();
    EXPECT_EQ(nova.GetServer(*token, "not-a-uuid").status().code(), ErrorCode::kNotFound);
  }
}

TEST(NovaDevcloudTest, ListServersAsDemoAndAdmin) {
  HttpClient http;
  const auto demo_user = User("demo");
  KeystoneClient keystone(http, demo_user.auth_url);
  auto demo = keystone.Authenticate(demo_user.Method(), demo_user.Scope());
  ASSERT_TRUE(demo.ok()) << demo.status().ToString();
  NovaClient nova(http, EndpointSelector(Interface::kPublic, "RegionOne"));
  auto mine = nova.ListServers(*demo);
  ASSERT_TRUE(mine.ok()) << mine.status().ToString();
  for (const auto& s : *mine) {
    EXPECT_EQ(s.tenant_id, demo->ProjectId());
    // A member does not see the host; GetServer agrees with the list.
    EXPECT_EQ(s.host, "");
    auto one = nova.GetServer(*demo, s.id);
    ASSERT_TRUE(one.ok()) << one.status().ToString();
    EXPECT_EQ(one->name, s.name);
  }
  ServiceSession session(User("admin").AsService());
  auto all = nova.ListServers(*session.GetToken(), {.all_projects = true});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_GE(all->size(), mine->size());
}

TEST(ProbeDevcloudTest, EveryServiceAnswersOnEveryInterface) {
  ServiceSession session(User("admin").AsService());
  auto token = session.GetToken();
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  const std::pair<Interface, std::string> interfaces[] = {
      {Interface::kPublic, "127.0.0.11"}, {Interface::kInternal, "127.0.0.12"}, {Interface::kAdmin, "127.0.0.13"}};
  for (const auto& [interface, address] : interfaces) {
    auto results = ProbeServices(session.http(), EndpointSelector(interface, "RegionOne"), *token);
    ASSERT_EQ(results.size(), 4u);
    for (const auto& r : results) {
      EXPECT_TRUE(r.ok()) << r.service_type << " " << r.url << ": " << r.status.ToString();
      EXPECT_THAT(r.url, ::testing::StartsWith("http://" + address + ":"));
      EXPECT_GE(r.http_status, 200);
      EXPECT_LT(r.http_status, 400);
    }
  }
}

}  // namespace
}  // namespace cairn::openstack
