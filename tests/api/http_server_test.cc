// The HTTP server on 127.0.0.1 with an ephemeral port, driven by httplib's client.
#include "api/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "api/fault.h"
#include "common/log.h"

namespace cairn::api {
namespace {

namespace fs = std::filesystem;

constexpr size_t kWorkers = 4;
constexpr size_t kBodyLimit = 4096;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "cairn-http-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string File(const std::string& name) const { return (fs::path(path_) / name).string(); }

 private:
  std::string path_;
};

// Counts handlers running at once; the gate route holds `kWorkers` of them
// until they are all inside.
struct Concurrency {
  std::mutex mu;
  std::condition_variable cv;
  size_t inside = 0;
  size_t max_inside = 0;
  size_t gate_arrivals = 0;

  void Enter() {
    std::lock_guard<std::mutex> lock(mu);
    ++inside;
    max_inside = std::max(max_inside, inside);
  }
  void Leave() {
    std::lock_guard<std::mutex> lock(mu);
    --inside;
  }
  // True when `kWorkers` callers met here (a hang guard, not a timing check).
  bool Gate() {
    std::unique_lock<std::mutex> lock(mu);
    ++gate_arrivals;
    cv.notify_all();
    return cv.wait_for(lock, std::chrono::seconds(60), [this] { return gate_arrivals >= kWorkers; });
  }
};

std::shared_ptr<Router> TestRouter(Concurrency& concurrency) {
  auto router = std::make_shared<Router>();
  auto add = [&](const char* method, const char* pattern, Handler handler) {
    Status status = router->Add(method, pattern, std::move(handler));
    EXPECT_TRUE(status.ok()) << status.ToString();
  };
  add("POST", "/echo", [&concurrency](const Request& request) -> Result<Response> {
    concurrency.Enter();
    nlohmann::json query = nlohmann::json::object();
    for (const auto& [name, value] : request.query) query[name].push_back(value);
    nlohmann::json answer = {{"request_id", request.request_id},
                             {"size", request.body.size()},
                             {"query", query},
                             {"remote", request.remote_addr},
                             {"token", request.Header("x-auth-token").value_or("")}};
    concurrency.Leave();
    return Response::Json(200, answer);
  });
  add("POST", "/json", [](const Request& request) -> Result<Response> {
    CAIRN_ASSIGN_OR_RETURN(nlohmann::json body, JsonObjectBody(request));
    return Response::Json(200, body);
  });
  add("POST", "/optional", [](const Request& request) -> Result<Response> {
    CAIRN_ASSIGN_OR_RETURN(auto body, OptionalJsonObjectBody(request));
    return Response::Json(200, {{"had_body", body.has_value()}});
  });
  add("GET", "/throw", [](const Request&) -> Result<Response> { throw std::runtime_error("secret internals"); });
  add("DELETE", "/accepted/{id}", [](const Request&) -> Result<Response> { return Response::NoBody(202); });
  add("GET", "/gate", [&concurrency](const Request&) -> Result<Response> {
    concurrency.Enter();
    bool met = concurrency.Gate();
    concurrency.Leave();
    return Response::Json(200, {{"met", met}});
  });
  add("GET", "/v1/{project_id}/things/{id}", [](const Request& request) -> Result<Response> {
    return Response::Json(200, {{"id", request.PathParam("id")}}).WithHeader("X-Extra", "1");
  });
  return router;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServerOptions options;
    options.bind_host = "127.0.0.1";
    options.bind_port = 0;
    options.workers = kWorkers;
    options.max_pending_requests = 8;
    options.max_request_body_size = kBodyLimit;
    options.client_socket_timeout = std::chrono::seconds(30);
    server_ = std::make_unique<HttpServer>(options, std::make_shared<Dispatcher>(TestRouter(concurrency_)));
    Status status = server_->Start();
    ASSERT_TRUE(status.ok()) << status.ToString();
    ASSERT_GT(server_->port(), 0);
  }
  void TearDown() override { server_->Stop(); }

  httplib::Client Client() {
    httplib::Client client("127.0.0.1", server_->port());
    client.set_read_timeout(60, 0);
    return client;
  }

  Concurrency concurrency_;
  std::unique_ptr<HttpServer> server_;
};

const std::regex kRequestId("req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

TEST_F(HttpServerTest, RequestIdHeaderMatchesTheHandlersAndDiffers) {
  auto client = Client();
  auto first = client.Post("/echo", "{}", "application/json");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  std::string id = first->get_header_value("x-openstack-request-id");
  EXPECT_TRUE(std::regex_match(id, kRequestId)) << id;
  EXPECT_EQ(nlohmann::json::parse(first->body)["request_id"], id);
  EXPECT_EQ(first->get_header_value("Content-Type"), "application/json");
  auto second = client.Post("/echo", "{}", "application/json");
  ASSERT_TRUE(second);
  EXPECT_NE(second->get_header_value("x-openstack-request-id"), id);
}

TEST_F(HttpServerTest, QueryHeadersPathParamsAndExtraHeaders) {
  auto client = Client();
  httplib::Headers headers{{"X-Auth-Token", "tok"}};
  auto res = client.Post("/echo?a=1&a=2&b=x%20y&c=p%2Bq", headers, "", "application/json");
  ASSERT_TRUE(res);
  auto body = nlohmann::json::parse(res->body);
  EXPECT_EQ(body["query"]["a"], nlohmann::json::array({"1", "2"}));
  EXPECT_EQ(body["query"]["b"], nlohmann::json::array({"x y"}));
  EXPECT_EQ(body["query"]["c"], nlohmann::json::array({"p+q"}));
  EXPECT_EQ(body["token"], "tok");
  EXPECT_EQ(body["remote"], "127.0.0.1");
  EXPECT_EQ(body["size"], 0);

  auto thing = client.Get("/v1/p1/things/t9/");
  ASSERT_TRUE(thing);
  EXPECT_EQ(thing->status, 200);
  EXPECT_EQ(nlohmann::json::parse(thing->body)["id"], "t9");
  EXPECT_EQ(thing->get_header_value("X-Extra"), "1");
}

TEST_F(HttpServerTest, FaultsForUnknownPathsAndMethods) {
  auto client = Client();
  auto missing = client.Get("/nowhere");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(nlohmann::json::parse(missing->body)["itemNotFound"]["code"], 404);
  EXPECT_EQ(missing->get_header_value("Content-Type"), "application/json");
  EXPECT_TRUE(std::regex_match(missing->get_header_value("x-openstack-request-id"), kRequestId));
  auto wrong = client.Put("/echo", "{}", "application/json");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->get_header_value("Allow"), "POST");
}

TEST_F(HttpServerTest, BodyParsing) {
  auto client = Client();
  auto malformed = client.Post("/json", "{\"a\": ", "application/json");
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 400);
  std::string message = nlohmann::json::parse(malformed->body)["badRequest"]["message"];
  EXPECT_NE(message.find("Malformed request body"), std::string::npos) << message;
  auto missing = client.Post("/json");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 400);
  EXPECT_EQ(nlohmann::json::parse(missing->body)["badRequest"]["message"], "The request body is missing.");
  auto none = client.Post("/optional");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 200);
  EXPECT_EQ(nlohmann::json::parse(none->body)["had_body"], false);
  auto some = client.Post("/optional", "{\"x\": 1}", "application/json");
  ASSERT_TRUE(some);
  EXPECT_EQ(nlohmann::json::parse(some->body)["had_body"], true);
}

TEST_F(HttpServerTest, NoBodyAnswerOnAKeptAliveConnection) {
  auto client = Client();
  client.set_keep_alive(true);
  for (int i = 0; i < 3; ++i) {
    auto res = client.Delete("/accepted/" + std::to_string(i));
    ASSERT_TRUE(res) << i;
    EXPECT_EQ(res->status, 202);
    EXPECT_TRUE(res->body.empty());
  }
  auto after = client.Post("/echo", "{}", "application/json");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
}

TEST_F(HttpServerTest, BodyOverTheLimitIsOverLimit) {
  auto client = Client();
  std::string big(kBodyLimit + 1, 'x');
  auto res = client.Post("/echo", big, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  auto body = nlohmann::json::parse(res->body);
  EXPECT_EQ(body["overLimit"]["code"], 413);
  EXPECT_TRUE(std::regex_match(res->get_header_value("x-openstack-request-id"), kRequestId));
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  // At the limit is fine, and the server goes on serving.
  auto fits = Client().Post("/echo", std::string(kBodyLimit, 'x'), "application/json");
  ASSERT_TRUE(fits);
  EXPECT_EQ(fits->status, 200);
  EXPECT_EQ(nlohmann::json::parse(fits->body)["size"], kBodyLimit);
}

TEST_F(HttpServerTest, HandlerExceptionIsComputeFaultAndServerLives) {
  for (int i = 0; i < 3; ++i) {
    auto res = Client().Get("/throw");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 500);
    auto body = nlohmann::json::parse(res->body);
    std::string message = body["computeFault"]["message"];
    std::string id = res->get_header_value("x-openstack-request-id");
    EXPECT_NE(message.find(id), std::string::npos) << message;
    EXPECT_EQ(message.find("secret"), std::string::npos) << message;
  }
  auto ok = Client().Post("/echo", "{}", "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(HttpServerTest, WorkersServeConcurrentlyUpToThePoolSize) {
  // kWorkers requests must all be inside their handler at once to pass the gate.
  std::vector<std::thread> gated;
  std::atomic<int> met{0};
  for (size_t i = 0; i < kWorkers; ++i) {
    gated.emplace_back([&] {
      auto res = Client().Get("/gate");
      if (res && res->status == 200 && nlohmann::json::parse(res->body)["met"] == true) ++met;
    });
  }
  for (auto& thread : gated) thread.join();
  EXPECT_EQ(met.load(), static_cast<int>(kWorkers));

  // Many clients at once: every request answered, never more than kWorkers
  // handlers at a time.
  std::atomic<int> ok{0};
  std::set<std::string> ids;
  std::mutex ids_mu;
  std::vector<std::string> failures;
  std::vector<std::thread> clients;
  constexpr int kClients = 24, kEach = 5;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      for (int i = 0; i < kEach; ++i) {
        auto res = Client().Post("/echo?c=" + std::to_string(c), "{}", "application/json");
        if (!res || res->status != 200) {
          std::lock_guard<std::mutex> lock(ids_mu);
          failures.push_back(res ? std::to_string(res->status) : httplib::to_string(res.error()));
          continue;
        }
        auto body = nlohmann::json::parse(res->body);
        if (body["query"]["c"][0] != std::to_string(c)) continue;
        ++ok;
        std::lock_guard<std::mutex> lock(ids_mu);
        ids.insert(res->get_header_value("x-openstack-request-id"));
      }
    });
  }
  for (auto& thread : clients) thread.join();
  EXPECT_EQ(ok.load(), kClients * kEach);
  EXPECT_TRUE(failures.empty()) << failures.size() << " failed, first: " << failures.front();
  EXPECT_EQ(ids.size(), static_cast<size_t>(kClients * kEach));
  EXPECT_LE(concurrency_.max_inside, kWorkers);
  EXPECT_GE(concurrency_.max_inside, kWorkers);  // reached at the gate
}

// Sends raw bytes and returns everything the server answers until it closes.
std::string RawExchange(int port, const std::string& bytes) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size())) {
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof(buf), 0)) > 0;) answer.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return answer;
}

TEST_F(HttpServerTest, MalformedRequestGetsAFaultAndTheServerGoesOn) {
  std::string answer = RawExchange(server_->port(), "NOT AN HTTP REQUEST\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer;
  EXPECT_NE(answer.find("\"badRequest\""), std::string::npos) << answer;
  EXPECT_NE(answer.find("x-openstack-request-id: req-"), std::string::npos) << answer;
  auto ok = Client().Post("/echo", "{}", "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(HttpServerTest, HeadIsServedByGetWithoutBody) {
  auto res = Client().Head("/v1/p/things/1");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_TRUE(res->body.empty());
}

TEST_F(HttpServerTest, StartTwiceIsConflictAndStopIsIdempotent) {
  EXPECT_EQ(server_->Start().code(), ErrorCode::kConflict);
  server_->Stop();
  server_->Stop();
  EXPECT_EQ(server_->port(), 0);
}

TEST(HttpServerBind, PortInUseIsIOError) {
  Concurrency concurrency;
  HttpServerOptions options;
  options.bind_host = "127.0.0.1";
  options.bind_port = 0;
  HttpServer first(options, std::make_shared<Dispatcher>(TestRouter(concurrency)));
  ASSERT_TRUE(first.Start().ok());
  options.bind_port = first.port();
  HttpServer second(options, std::make_shared<Dispatcher>(TestRouter(concurrency)));
  Status status = second.Start();
  EXPECT_EQ(status.code(), ErrorCode::kIOError);
  EXPECT_NE(status.message().find("127.0.0.1:" + std::to_string(first.port())), std::string::npos);
}

TEST(HttpServerLog, AccessLineMasksSecretsAndHasTheRequestId) {
  TempDir dir;
  const std::string log_file = dir.File("api.log");
  ASSERT_TRUE(InitLogging({.level = LogLevel::kInfo, .file = log_file}).ok());
  std::string id;
  {
    Concurrency concurrency;
    HttpServerOptions options;
    options.bind_host = "127.0.0.1";
    options.bind_port = 0;
    HttpServer server(options, std::make_shared<Dispatcher>(TestRouter(concurrency)));
    ASSERT_TRUE(server.Start().ok());
    httplib::Client client("127.0.0.1", server.port());
    auto res = client.Post("/echo?smtp_server_password=hunter2&name=x", "{}", "application/json");
    ASSERT_TRUE(res);
    id = res->get_header_value("x-openstack-request-id");
    server.Stop();
  }
  FlushLogs();
  ASSERT_TRUE(InitLogging({}).ok());  // back to stderr
  std::ifstream in(log_file);
  std::stringstream content;
  content << in.rdbuf();
  std::string text = content.str();
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
  std::string line;
  for (std::istringstream lines(text); std::getline(lines, line);) {
    if (line.find("api.access") != std::string::npos && line.find(id) != std::string::npos) break;
    line.clear();
  }
  ASSERT_FALSE(line.empty()) << text;
  EXPECT_NE(line.find("127.0.0.1 \"POST /echo?"), std::string::npos) << line;
  EXPECT_NE(line.find("smtp_server_password=***"), std::string::npos) << line;
  EXPECT_NE(line.find("name=x"), std::string::npos) << line;
  EXPECT_NE(line.find("status 200"), std::string::npos) << line;
  EXPECT_NE(line.find(" ms "), std::string::npos) << line;
}

// A self-signed certificate for 127.0.0.1 made with the openssl CLI.
bool MakeCertificate(const std::string& cert, const std::string& key) {
  std::string command = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
                        "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout '" +
                        key + "' -out '" + cert + "' >/dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

TEST(HttpServerTls, ServesHttpsWithTheGivenCertificate) {
  TempDir dir;
  const std::string cert = dir.File("cert.pem");
  const std::string key = dir.File("key.pem");
  ASSERT_TRUE(MakeCertificate(cert, key));
  Concurrency concurrency;
  HttpServerOptions options;
  options.bind_host = "127.0.0.1";
  options.bind_port = 0;
  options.tls_cert_file = cert;
  options.tls_key_file = key;
  HttpServer server(options, std::make_shared<Dispatcher>(TestRouter(concurrency)));
  Status status = server.Start();
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_TRUE(server.tls());

  httplib::SSLClient client("127.0.0.1", server.port());
  client.set_ca_cert_path(cert.c_str());
  client.enable_server_certificate_verification(true);
  auto res = client.Post("/echo", "{}", "application/json");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_TRUE(std::regex_match(res->get_header_value("x-openstack-request-id"), kRequestId));

  // Plain HTTP to the HTTPS port gets no answer.
  httplib::Client plain("127.0.0.1", server.port());
  auto refused = plain.Post("/echo", "{}", "application/json");
  EXPECT_FALSE(refused && refused->status == 200);
}

TEST(HttpServerTls, UnreadableCertificateIsAnError) {
  TempDir dir;
  Concurrency concurrency;
  HttpServerOptions options;
  options.bind_host = "127.0.0.1";
  options.bind_port = 0;
  options.tls_cert_file = dir.File("missing-cert.pem");
  options.tls_key_file = dir.File("missing-key.pem");
  HttpServer server(options, std::make_shared<Dispatcher>(TestRouter(concurrency)));
  Status status = server.Start();
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(status.message().find("missing-cert.pem"), std::string::npos);
}

}  // namespace
}  // namespace cairn::api
