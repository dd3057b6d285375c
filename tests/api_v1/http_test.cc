// The v1 routes through a real HttpServer on 127.0.0.1 (ephemeral port),
// driven by httplib's client: headers, query decoding, faults on the wire.
#include <gtest/gtest.h>
#include <httplib.h>

#include "api/http_server.h"
#include "db/workload_repository.h"
#include "api_v1/api_v1_harness.h"

namespace cairn::api::testing {
namespace {

class HttpTest : public ApiV1Test {
 protected:
  void SetUp() override {
    HttpServerOptions options;
    options.bind_host = "127.0.0.1";
    options.bind_port = 0;
    options.workers = 2;
    options.max_request_body_size = 1 << 20;
    server_ = std::make_unique<HttpServer>(options, h.dispatcher());
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }
  void TearDown() override { server_->Stop(); }

  httplib::Client Client() {
    httplib::Client client("127.0.0.1", server_->port());
    client.set_read_timeout(60, 0);
    return client;
  }
  static httplib::Headers Token(const char* token) { return {{"X-Auth-Token", token}, {"X-Auth-Project-Id", "x"}}; }

  std::unique_ptr<HttpServer> server_;
};

json Parse(const httplib::Result& r) { return json::parse(r->body, nullptr, false); }

TEST_F(HttpTest, CreateShowSnapshotAndFaults) {
  auto client = Client();
  auto created = client.Post(ApiHarness::P(kProjectA, "/workloads"), Token(kTokMemberA),
                             WorkloadBody({kVmA1}, "over-http").dump(), "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 202) << created->body;
  EXPECT_EQ(created->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(created->get_header_value("x-openstack-request-id").rfind("req-", 0), 0u);
  const json w = Parse(created);
  const std::string wid = w["workload"]["id"];
  EXPECT_EQ(w["workload"]["links"][0]["href"].get<std::string>().rfind("http://127.0.0.1:", 0), 0u);
  h.MarkWorkloadAvailable(wid);

  // PUT with ?is_admin_dashboard=False, snapshot with no body at all.
  auto updated = client.Put(ApiHarness::P(kProjectA, "/workloads/" + wid + "?is_admin_dashboard=False"),
                            Token(kTokMemberA), R"({"workload": {"name": "renamed", "jobschedule": {}}})",
                            "application/json");
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->status, 200) << updated->body;
  auto snap = client.Post(ApiHarness::P(kProjectA, "/workloads/" + wid), Token(kTokMemberA), "", "application/json");
  ASSERT_TRUE(snap);
  EXPECT_EQ(snap->status, 202) << snap->body;
  auto locked = client.Post(ApiHarness::P(kProjectA, "/workloads/" + wid + "?full=1"), Token(kTokMemberA), "",
                            "application/json");
  ASSERT_TRUE(locked);
  EXPECT_EQ(locked->status, 409);
  EXPECT_EQ(Parse(locked)["conflict"]["code"], 409);

  auto no_token = client.Get(ApiHarness::P(kProjectA, "/workloads"));
  ASSERT_TRUE(no_token);
  EXPECT_EQ(no_token->status, 401);
  EXPECT_EQ(Parse(no_token)["unauthorized"]["code"], 401);
  auto other = client.Get(ApiHarness::P(kProjectB, "/workloads/" + wid), Token(kTokMemberB));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);
  EXPECT_EQ(Parse(other)["itemNotFound"]["code"], 404);
  auto method = client.Patch(ApiHarness::P(kProjectA, "/workloads/" + wid), Token(kTokMemberA), "{}",
                             "application/json");
  ASSERT_TRUE(method);
  EXPECT_EQ(method->status, 405);
  EXPECT_FALSE(method->get_header_value("Allow").empty());
}

TEST_F(HttpTest, TrailingSlashAndEncodedPaths) {
  auto client = Client();
  auto policies = client.Get(ApiHarness::P(kProjectA, "/workload_policy/"), Token(kTokMemberA));
  ASSERT_TRUE(policies);
  EXPECT_EQ(policies->status, 200) << policies->body;
  EXPECT_TRUE(Parse(policies)["policy_list"].is_array());
  // Invalid UTF-8 in the path: a 404 whose body is still valid JSON.
  auto bad = client.Get(ApiHarness::P(kProjectA, "/workloads/%FF%FE"), Token(kTokMemberA));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 404);
  EXPECT_FALSE(Parse(bad).is_discarded()) << bad->body;
  auto setting = client.Get(ApiHarness::P(kProjectA, "/settings/%FF%00x"), Token(kTokMemberA));
  ASSERT_TRUE(setting);
  EXPECT_EQ(setting->status, 404);
  EXPECT_FALSE(Parse(setting).is_discarded()) << setting->body;
  // A query value with an encoded space and plus.
  auto listed = client.Get(ApiHarness::P(kProjectA, "/workloads?name=a%20b+c&limit=%31"), Token(kTokMemberA));
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->status, 200) << listed->body;
}

TEST_F(HttpTest, DeepBodyOnAWorkerThreadIs400AndTheServerLives) {
  auto client = Client();
  const std::string deep = "{\"workload\": {\"metadata\": " + std::string(400000, '[') + std::string(400000, ']') + "}}";
  auto refused = client.Post(ApiHarness::P(kProjectA, "/workloads"), Token(kTokMemberA), deep, "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400);
  EXPECT_EQ(Parse(refused)["badRequest"]["code"], 400);
  auto after = client.Get(ApiHarness::P(kProjectA, "/workloads"), Token(kTokMemberA));
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
}

}  // namespace
}  // namespace cairn::api::testing
