// KeystoneClient, ServiceSession, NovaClient and the probes against a fake
// Keystone and Nova served by cpp-httplib on 127.0.0.1.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "openstack/keystone.h"
#include "openstack/local_server.h"
#include "openstack/nova.h"
#include "openstack/probe.h"
#include "openstack/service_session.h"

namespace cairn::openstack {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::LocalServer;
using nlohmann::json;

const TimePoint kStart = *ParseIso8601("2026-11-25T08:00:00Z");

class FakeCloudTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& s = server_.server();
    s.Post("/v3/auth/tokens", [this](const httplib::Request& req, httplib::Response& res) {
      const json body = json::parse(req.body);
      const json& user = body["auth"]["identity"]["password"]["user"];
      if (user.value("password", "") != "right") {
        res.status = 401;
        res.set_content(R"({"error": {"code": 401, "message": "The request you have made requires authentication."}})",
                        "application/json");
        return;
      }
      const int n = ++auths_;
      const std::string id = "service-token-" + std::to_string(n);
      {
        std::lock_guard<std::mutex> lock(mu_);
        service_token_ = id;
      }
      res.status = 201;
      res.set_header("X-Subject-Token", id);
      res.set_content(TokenBody(user.value("name", ""), "service", n).dump(), "application/json");
    });
    s.Get("/v3/auth/tokens", [this](const httplib::Request& req, httplib::Response& res) {
      ++validations_;
      std::string current;
      {
        std::lock_guard<std::mutex> lock(mu_);
        current = service_token_;
      }
      if (req.get_header_value("X-Auth-Token") != current || reject_service_token_.exchange(false)) {
        res.status = 401;
        res.set_content(R"({"error": {"code": 401, "message": "unauthorized"}})", "application/json");
        return;
      }
      if (req.get_header_value("X-Subject-Token") != "user-token") {
        res.status = 404;
        res.set_content(R"({"error": {"code": 404, "message": "Could not find token."}})", "application/json");
        return;
      }
      res.set_header("X-Subject-Token", "user-token");
      res.set_content(TokenBody("demo", "demo", 0).dump(), "application/json");
    });
    s.Get("/compute/v2.1/servers/s1", [this](const httplib::Request& req, httplib::Response& res) {
      microversion_ = req.get_header_value("OpenStack-API-Version");
      res.set_content(json{{"server", ServerJson("s1")}}.dump(), "application/json");
    });
    s.Get("/compute/v2.1/servers/detail", [](const httplib::Request& req, httplib::Response& res) {
      // Two pages: s1, s2 then s3 (marker s2), then nothing more.
      json page = json::array();
      json links = json::array();
      if (!req.has_param("marker")) {
        page = {ServerJson("s1"), ServerJson("s2")};
        links = json::array({{{"rel", "next"}, {"href", "http://elsewhere/servers/detail?marker=s2"}}});
      } else if (req.get_param_value("marker") == "s2") {
        page = {ServerJson("s3")};
      }
      res.set_content(json{{"servers", page}, {"servers_links", links}}.dump(), "application/json");
    });
    s.Get(R"(/compute/v2.1/servers/([^/]+))", [](const httplib::Request& req, httplib::Response& res) {
      res.status = 404;
      res.set_content(R"({"itemNotFound": {"code": 404, "message": "Instance )" + std::string(req.matches[1]) +
                          R"( could not be found."}})", "application/json");
    });
    s.Get("/", [](const httplib::Request&, httplib::Response& res) {
      res.status = 300;
      res.set_content(R"({"versions": {}})", "application/json");
    });
    ASSERT_TRUE(server_.Start());
  }

  json TokenBody(const std::string& user, const std::string& project, int n) const {
    const TimePoint issued = kStart + std::chrono::minutes(n);
    return {{"token",
             {{"methods", {"password"}},
              {"user", {{"id", user + "-id"}, {"name", user}, {"domain", {{"id", "default"}}}}},
              {"project", {{"id", project + "-id"}, {"name", project}, {"domain", {{"id", "default"}}}}},
              {"roles", {{{"id", "r1"}, {"name", project == "service" ? "admin" : "member"}}}},
              {"issued_at", FormatIso8601(issued, IsoFormat::kMicrosZ)},
              {"expires_at", FormatIso8601(issued + std::chrono::hours(1), IsoFormat::kMicrosZ)},
              {"catalog",
               {{{"type", "compute"},
                 {"name", "nova"},
                 {"endpoints",
                  {{{"interface", "admin"}, {"region_id", "RegionOne"}, {"url", server_.Url("/compute/v2.1")}},
                   {{"interface", "public"}, {"region_id", "RegionOne"}, {"url", "http://127.0.0.1:1/v2.1"}}}}},
                {{"type", "identity"},
                 {"name", "keystone"},
                 {"endpoints", {{{"interface", "admin"}, {"region_id", "RegionOne"}, {"url", server_.Url("/v3/")}}}}}}}}}};
  }

  static json ServerJson(const std::string& id) {
    return json::parse(R"({
      "id": ")" + id + R"(", "name": "vm-)" + id + R"(", "status": "ACTIVE", "tenant_id": "p1", "user_id": "u1",
      "flavor": {"vcpus": 1, "ram": 128, "disk": 1, "ephemeral": 1, "swap": 0, "original_name": "m1.eph",
                 "extra_specs": {"hw:cpu_policy": "shared"}},
      "image": {"id": "img1", "links": []},
      "addresses": {"demo-net": [{"version": 4, "addr": "10.99.0.5", "OS-EXT-IPS:type": "fixed",
                                  "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:00:00:01"}]},
      "OS-EXT-SRV-ATTR:host": "compute1", "OS-EXT-SRV-ATTR:instance_name": "instance-00000001",
      "OS-EXT-AZ:availability_zone": "nova",
      "os-extended-volumes:volumes_attached": [{"id": "v1", "delete_on_termination": false}],
      "OS-EXT-STS:vm_state": "active", "OS-EXT-STS:task_state": null, "OS-EXT-STS:power_state": 1,
      "security_groups": [{"name": "default"}], "metadata": {"k": "v"},
      "created": "2026-11-25T08:00:00Z", "updated": "2026-11-25T08:01:00Z"})");
  }

  ServiceCredentials Credentials(const std::string& password = "right") const {
    ServiceCredentials c;
    c.auth_url = server_.Url("/v3");
    c.username = "cairn";
    c.password = password;
    c.region_name = "RegionOne";
    return c;
  }

  LocalServer server_;
  std::atomic<int> auths_{0};
  std::atomic<int> validations_{0};
  std::atomic<bool> reject_service_token_{false};
  std::mutex mu_;
  std::string service_token_;
  std::string microversion_;
  HttpClient http_;
  ManualClock clock_{kStart};
};

TEST_F(FakeCloudTest, AuthenticateAndWrongPassword) {
  KeystoneClient keystone(http_, server_.Url("/v3/"));
  EXPECT_EQ(keystone.identity_url(), server_.Url("/v3"));
  auto token = keystone.Authenticate(PasswordAuth{.user_name = "cairn", .password = "right"}, Unscoped{});
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(token->id, "service-token-1");
  EXPECT_EQ(token->user.name, "cairn");
  EXPECT_THAT(token->RoleNames(), ElementsAre("admin"));

  auto wrong = keystone.Authenticate(PasswordAuth{.user_name = "cairn", .password = "wrong"}, Unscoped{});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_THAT(wrong.status().message(), HasSubstr("HTTP 401"));
}

TEST_F(FakeCloudTest, SessionCachesAndRenewsToken) {
  ServiceSession session(Credentials(), clock_, std::chrono::minutes(5));
  // Token n is issued at kStart + n minutes and lives one hour.
  EXPECT_EQ(*session.TokenId(), "service-token-1");
  EXPECT_EQ(*session.TokenId(), "service-token-1");
  clock_.Advance(std::chrono::minutes(20));
  EXPECT_EQ(*session.TokenId(), "service-token-1");
  EXPECT_EQ(auths_.load(), 1);
  clock_.Advance(std::chrono::minutes(15));  // past half its life (31 min)
  EXPECT_EQ(*session.TokenId(), "service-token-2");
  session.Invalidate();
  EXPECT_EQ(*session.TokenId(), "service-token-3");
  EXPECT_EQ(auths_.load(), 3);
}

TEST_F(FakeCloudTest, SessionRenewsNearExpiry) {
  ServiceSession session(Credentials(), clock_, std::chrono::minutes(40));
  EXPECT_EQ(*session.TokenId(), "service-token-1");
  // Expires at kStart+61min: within 40 minutes of kStart+21min.
  clock_.Advance(std::chrono::minutes(21));
  EXPECT_EQ(*session.TokenId(), "service-token-2");
}

TEST_F(FakeCloudTest, SessionSharedByThreadsAuthenticatesOnce) {
  ServiceSession session(Credentials(), clock_);
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto id = session.TokenId();
      if (id.ok() && *id == "service-token-1") ++good;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), 8);
  EXPECT_EQ(auths_.load(), 1);
}

TEST_F(FakeCloudTest, SessionWithWrongPasswordFails) {
  ServiceSession session(Credentials("wrong"), clock_);
  auto token = session.GetToken();
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), ErrorCode::kPermissionDenied);
}

TEST_F(FakeCloudTest, ValidateUserToken) {
  ServiceSession session(Credentials(), clock_);
  auto user = session.ValidateUserToken("user-token");
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  EXPECT_EQ(user->id, "user-token");
  EXPECT_EQ(user->user.name, "demo");
  EXPECT_EQ(user->ProjectId(), "demo-id");
  EXPECT_TRUE(user->HasRole("member"));

  auto bad = session.ValidateUserToken("garbage");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(bad.status().message(), "token is invalid or expired");
  EXPECT_EQ(session.ValidateUserToken("").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(session.ValidateUserToken("a\r\nX-Evil: 1").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(auths_.load(), 1);
}

TEST_F(FakeCloudTest, ValidateReauthenticatesOnceWhenServiceTokenRejected) {
  ServiceSession session(Credentials(), clock_);
  ASSERT_EQ(*session.TokenId(), "service-token-1");
  reject_service_token_ = true;  // Keystone answers 401 once (a revoked service token)
  auto user = session.ValidateUserToken("user-token");
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  EXPECT_EQ(auths_.load(), 2);
  EXPECT_EQ(validations_.load(), 2);
  EXPECT_EQ(*session.TokenId(), "service-token-2");

  // A bare KeystoneClient does not retry: 401 is kPermissionDenied, not kNotFound.
  auto rejected = session.keystone().ValidateToken("stale", "user-token");
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.status().code(), ErrorCode::kPermissionDenied);
}

TEST_F(FakeCloudTest, IdentityAdminUrlFromCatalog) {
  ServiceSession session(Credentials(), clock_);
  EXPECT_EQ(*session.IdentityAdminUrl(), server_.Url("/v3"));
}

TEST_F(FakeCloudTest, NovaGetServerParsesAndPinsMicroversion) {
  ServiceSession session(Credentials(), clock_);
  auto token = *session.GetToken();
  NovaClient nova(http_, EndpointSelector(Interface::kAdmin, "RegionOne"));
  auto server = nova.GetServer(token, "s1");
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  EXPECT_EQ(microversion_, "compute 2.79");
  EXPECT_EQ(server->id, "s1");
  EXPECT_EQ(server->name, "vm-s1");
  EXPECT_EQ(server->status, "ACTIVE");
  EXPECT_EQ(server->tenant_id, "p1");
  EXPECT_EQ(server->user_id, "u1");
  EXPECT_EQ(server->flavor.original_name, "m1.eph");
  EXPECT_EQ(server->flavor.ram_mb, 128);
  EXPECT_EQ(server->flavor.ephemeral_gb, 1);
  EXPECT_EQ(server->flavor.extra_specs.at("hw:cpu_policy"), "shared");
  EXPECT_EQ(server->image_id, "img1");
  ASSERT_EQ(server->addresses.size(), 1u);
  EXPECT_EQ(server->addresses[0].network, "demo-net");
  EXPECT_EQ(server->addresses[0].addr, "10.99.0.5");
  EXPECT_EQ(server->addresses[0].mac, "fa:16:3e:00:00:01");
  EXPECT_EQ(server->addresses[0].type, "fixed");
  EXPECT_EQ(server->host, "compute1");
  EXPECT_EQ(server->instance_name, "instance-00000001");
  EXPECT_EQ(server->availability_zone, "nova");
  ASSERT_EQ(server->attached_volumes.size(), 1u);
  EXPECT_EQ(server->attached_volumes[0].id, "v1");
  EXPECT_EQ(server->task_state, "");
  EXPECT_EQ(server->power_state, 1);
  EXPECT_THAT(server->security_groups, ElementsAre("default"));
  EXPECT_EQ(server->metadata.at("k"), "v");

  auto missing = nova.GetServer(token, "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("server nope not found"));
  EXPECT_EQ(nova.GetServer(token, "").status().code(), ErrorCode::kNotFound);

  // The public interface is not in reach: the selector decides, not the caller.
  NovaClient public_nova(http_, EndpointSelector(Interface::kPublic, "RegionOne"));
  EXPECT_EQ(public_nova.GetServer(token, "s1").status().code(), ErrorCode::kUnavailable);
  NovaClient internal_nova(http_, EndpointSelector(Interface::kInternal, "RegionOne"));
  EXPECT_EQ(internal_nova.GetServer(token, "s1").status().code(), ErrorCode::kNotFound);
}

TEST_F(FakeCloudTest, NovaListServersFollowsPages) {
  ServiceSession session(Credentials(), clock_);
  NovaClient nova(http_, EndpointSelector(Interface::kAdmin));
  auto servers = nova.ListServers(*session.GetToken(), {.all_projects = true});
  ASSERT_TRUE(servers.ok()) << servers.status().ToString();
  std::vector<std::string> ids;
  for (const auto& s : *servers) ids.push_back(s.id);
  EXPECT_THAT(ids, ElementsAre("s1", "s2", "s3"));
}

TEST_F(FakeCloudTest, Probes) {
  EXPECT_EQ(EndpointRoot("http://h:8776/v3/abc"), "http://h:8776/");
  EXPECT_EQ(EndpointRoot("https://h"), "https://h/");
  EXPECT_EQ(EndpointRoot("nonsense"), "");
  auto probe = ProbeEndpoint(http_, server_.Url("/compute/v2.1"));
  EXPECT_TRUE(probe.ok()) << probe.status.ToString();
  EXPECT_EQ(probe.http_status, 300);
  EXPECT_EQ(probe.url, server_.Url("/"));

  ServiceSession session(Credentials(), clock_);
  auto results = ProbeServices(http_, EndpointSelector(Interface::kAdmin), *session.GetToken());
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0].service_type, "compute");
  EXPECT_TRUE(results[0].ok()) << results[0].status.ToString();
  for (size_t i = 1; i < 4; ++i) {
    EXPECT_EQ(results[i].status.code(), ErrorCode::kNotFound) << results[i].service_type;
    EXPECT_EQ(results[i].url, "");
  }
  EXPECT_EQ(ProbeEndpoint(http_, "bad url").status.code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace cairn::openstack
