#include "openstack/http_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <thread>

#include "common/log.h"
#include "common/temp_dir.h"
#include "openstack/http_error.h"
#include "openstack/keystone.h"
#include "openstack/local_server.h"
#include "openstack/redact.h"

namespace cairn::openstack {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::LocalServer;

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& s = server_.server();
    s.Get("/ok", [](const httplib::Request& req, httplib::Response& res) {
      res.set_header("X-Custom-Thing", "v1");
      res.set_content(R"({"echo": ")" + req.get_header_value("X-Auth-Token") + R"("})", "application/json");
    });
    s.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.status = 201;
      res.set_content(req.body, "application/json");
    });
    s.Delete("/gone", [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
    s.Get(R"(/status/(\d+))", [](const httplib::Request& req, httplib::Response& res) {
      res.status = std::stoi(req.matches[1]);
      res.set_content(R"({"itemNotFound": {"code": 404, "message": "Instance x could not be found."}})",
                      "application/json");
    });
    s.Get("/html500", [](const httplib::Request&, httplib::Response& res) {
      res.status = 500;
      res.set_content("<html><body><h1>500 Internal Server Error</h1>\n<p>boom</p></body></html>", "text/html");
    });
    s.Get("/keystone401", [](const httplib::Request&, httplib::Response& res) {
      res.status = 401;
      res.set_content(R"({"error": {"code": 401, "message": "The request you have made requires authentication.",
                          "title": "Unauthorized"}})", "application/json");
    });
    s.Get("/notjson", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("<html>proxy says hello</html>", "text/html");
    });
    s.Get("/slow", [this](const httplib::Request&, httplib::Response& res) {
      release_.get_future().wait();  // until the test has seen its timeout
      res.set_content("{}", "application/json");
    });
    ASSERT_TRUE(server_.Start());
  }

  void TearDown() override { ASSERT_TRUE(InitLogging(LogOptions{}).ok()); }

  LocalServer server_;
  std::promise<void> release_;
  HttpClient http_;
};

TEST_F(HttpClientTest, GetWithHeadersLowerCased) {
  auto r = http_.Send({.url = server_.Url("/ok"), .headers = JsonHeaders("tok123")});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"echo": "tok123"})");
  EXPECT_EQ(r->headers.at("x-custom-thing"), "v1");
  EXPECT_EQ(r->Header("X-CUSTOM-THING"), "v1");
  EXPECT_EQ(r->Header("content-type"), "application/json");
  EXPECT_EQ(r->Header("absent"), "");
}

TEST_F(HttpClientTest, PostAndDelete) {
  auto post = http_.Send({.method = "POST", .url = server_.Url("/echo"), .headers = JsonHeaders(), .body = R"({"a":1})"});
  ASSERT_TRUE(post.ok());
  EXPECT_EQ(post->status, 201);
  EXPECT_EQ(post->body, R"({"a":1})");
  auto del = http_.Send({.method = "DELETE", .url = server_.Url("/gone")});
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->status, 204);
  EXPECT_TRUE(StatusFromResponse(*del, "delete").ok());
}

TEST_F(HttpClientTest, HttpErrorsAreAnswersAndMapToCodes) {
  const std::pair<int, ErrorCode> cases[] = {
      {400, ErrorCode::kInvalidArgument}, {401, ErrorCode::kPermissionDenied}, {403, ErrorCode::kPermissionDenied},
      {404, ErrorCode::kNotFound},        {409, ErrorCode::kConflict},         {413, ErrorCode::kUnavailable},
      {422, ErrorCode::kInvalidArgument}, {429, ErrorCode::kUnavailable},      {500, ErrorCode::kUnavailable},
      {503, ErrorCode::kUnavailable},
  };
  for (const auto& [http_status, code] : cases) {
    auto r = http_.Send({.url = server_.Url("/status/" + std::to_string(http_status))});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, http_status);
    const Status s = StatusFromResponse(*r, "nova: get server x");
    EXPECT_EQ(s.code(), code) << http_status;
    EXPECT_THAT(s.message(), HasSubstr("nova: get server x: "));
    EXPECT_THAT(s.message(), HasSubstr("(HTTP " + std::to_string(http_status) + ")"));
    if (http_status != 401) {
      EXPECT_THAT(s.message(), HasSubstr("Instance x could not be found.")) << http_status;
    }
  }
}

TEST_F(HttpClientTest, ErrorMessagesFromKeystoneAndHtmlBodies) {
  auto r401 = *http_.Send({.url = server_.Url("/keystone401")});
  const Status s401 = StatusFromResponse(r401, "keystone");
  EXPECT_EQ(s401.code(), ErrorCode::kPermissionDenied);
  EXPECT_THAT(s401.message(), HasSubstr("authentication failed (The request you have made requires authentication.)"));
  auto r500 = *http_.Send({.url = server_.Url("/html500")});
  const Status s500 = StatusFromResponse(r500, "glance");
  EXPECT_EQ(s500.code(), ErrorCode::kUnavailable);
  EXPECT_THAT(s500.message(), HasSubstr("500 Internal Server Error boom"));
  EXPECT_EQ(ErrorMessageFromBody(R"({"NeutronError": {"type": "NetworkNotFound", "message": "Network n"}})"), "Network n");
  EXPECT_EQ(ErrorMessageFromBody(""), "");
}

TEST_F(HttpClientTest, MalformedJsonIsUnavailable) {
  auto r = *http_.Send({.url = server_.Url("/notjson")});
  auto j = ParseJsonObject(r.body, "keystone: authenticate");
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(j.status().message(), HasSubstr("not a JSON object"));
  EXPECT_THAT(j.status().message(), HasSubstr("proxy says hello"));
  EXPECT_EQ(ParseJsonObject("[1, 2]", "x").status().code(), ErrorCode::kUnavailable);
  EXPECT_TRUE(ParseJsonObject(R"({"a": 1})", "x").ok());

  // Through a client: a token answer that is not JSON.
  server_.Stop();
  LocalServer fake;
  fake.server().Post("/v3/auth/tokens", [](const httplib::Request&, httplib::Response& res) {
    res.status = 201;
    res.set_header("X-Subject-Token", "t");
    res.set_content("{\"token\": {", "application/json");
  });
  ASSERT_TRUE(fake.Start());
  KeystoneClient keystone(http_, fake.Url("/v3"));
  auto token = keystone.Authenticate(PasswordAuth{.user_name = "u", .password = "p"}, Unscoped{});
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), ErrorCode::kUnavailable);
}

TEST_F(HttpClientTest, ConnectionRefusedIsUnavailableWithUrl) {
  // A bound socket that does not listen: connecting to it is refused, and no
  // other process can take the port while it is held.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/v3";
  auto r = http_.Send({.url = url});
  ::close(fd);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr("GET " + url));
  EXPECT_THAT(r.status().message(), HasSubstr("onnect"));  // curl: "Failed to connect ... Connection refused"
}

TEST_F(HttpClientTest, TimeoutIsUnavailable) {
  auto r = http_.Send({.url = server_.Url("/slow"), .timeout = std::chrono::milliseconds(200)});
  release_.set_value();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(r.status().message(), HasSubstr(server_.Url("/slow")));
  EXPECT_THAT(r.status().message(), HasSubstr("imed out"));
}

TEST_F(HttpClientTest, RejectsBadRequests) {
  EXPECT_EQ(http_.Send({.url = ""}).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(http_.Send({.method = "BREW", .url = server_.Url("/ok")}).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(http_.Send({.url = server_.Url("/ok"), .headers = {{"X-Auth-Token", "a\r\nX-Evil: 1"}}}).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST_F(HttpClientTest, ManyThreadsAtOnce) {
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        const std::string token = "t" + std::to_string(t) + "-" + std::to_string(i);
        auto r = http_.Send({.url = server_.Url("/ok"), .headers = JsonHeaders(token)});
        if (r.ok() && r->body == R"({"echo": ")" + token + R"("})") ++good;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), 80);
}

TEST_F(HttpClientTest, DebugLogMasksSecrets) {
  cairn::testing::TempDirectory dir;
  const std::string path = dir.Path("http.log");
  ASSERT_TRUE(InitLogging({.level = LogLevel::kDebug, .file = path}).ok());
  auto headers = JsonHeaders("SECRET-AUTH-TOKEN");
  headers.emplace_back("X-Subject-Token", "SECRET-SUBJECT-TOKEN");
  const std::string body =
      R"({"auth": {"identity": {"methods": ["password", "token"], "password": {"user": {"name": "demo", "password": "SECRET-PASSWORD"}},)"
      R"( "token": {"id": "SECRET-TOKEN-ID"}}}, "application_credential": {"secret": "SECRET-APP"}})";
  ASSERT_TRUE(http_.Send({.method = "POST", .url = server_.Url("/echo"), .headers = headers, .body = body}).ok());
  ASSERT_TRUE(http_.Send({.url = server_.Url("/status/404"), .headers = JsonHeaders("SECRET-AUTH-TOKEN")}).ok());
  FlushLogs();
  const std::string log = cairn::testing::TempDirectory::Read(path);
  EXPECT_THAT(log, HasSubstr("POST " + server_.Url("/echo") + " -> 201"));
  EXPECT_THAT(log, HasSubstr("GET " + server_.Url("/status/404") + " -> 404"));
  EXPECT_THAT(log, HasSubstr("X-Auth-Token: ***"));
  EXPECT_THAT(log, HasSubstr("X-Subject-Token: ***"));
  EXPECT_THAT(log, HasSubstr(R"("name":"demo")"));  // the body is there, redacted
  EXPECT_THAT(log, Not(HasSubstr("SECRET")));
}

TEST(RedactTest, HeadersAndBodies) {
  EXPECT_TRUE(IsSecretHeader("x-auth-token"));
  EXPECT_TRUE(IsSecretHeader("X-Subject-Token"));
  EXPECT_TRUE(IsSecretHeader("Authorization"));
  EXPECT_FALSE(IsSecretHeader("Content-Type"));
  EXPECT_EQ(RedactHeaderValue("X-Auth-Token", "abc"), "***");
  EXPECT_EQ(RedactHeaderValue("Accept", "application/json"), "application/json");
  EXPECT_EQ(RedactBody(R"({"user": {"Password": "p", "n": [ {"adminPass": "x"} ]}})"),
            R"({"user":{"Password":"***","n":[{"adminPass":"***"}]}})");
  EXPECT_EQ(RedactBody("not json at all"), "<15 bytes, not JSON>");
  EXPECT_EQ(RedactBody(R"({"a": "0123456789"})", 10), R"({"a":"0123...)");
}

}  // namespace
}  // namespace cairn::openstack
