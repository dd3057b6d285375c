// The API server's deadline for reading a request (deadline_server.h): slow
// clients on 127.0.0.1 cannot hold the workers.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "api/http_server.h"

namespace cairn::api {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kReadDeadline{500};

std::shared_ptr<Router> PingRouter() {
  auto router = std::make_shared<Router>();
  Status added = router->Add("GET", "/ping", [](const Request&) -> Result<Response> {
    return Response::Json(200, {{"pong", true}});
  });
  EXPECT_TRUE(added.ok()) << added.ToString();
  added = router->Add("POST", "/slow", [](const Request& request) -> Result<Response> {
    // Longer than the read deadline: the deadline covers the reading only.
    std::this_thread::sleep_for(kReadDeadline + milliseconds(300));
    return Response::Json(200, {{"size", request.body.size()}});
  });
  EXPECT_TRUE(added.ok()) << added.ToString();
  return router;
}

// The default pool (8 workers), a short read deadline and long per-read
// timeouts, as an attacker would meet them.
HttpServerOptions Options() {
  HttpServerOptions options;
  options.bind_host = "127.0.0.1";
  options.bind_port = 0;
  options.client_socket_timeout = std::chrono::seconds(30);
  options.request_read_timeout = kReadDeadline;
  return options;
}

int Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Everything the server sends on `fd` until it closes or `limit` passes.
std::string ReadAll(int fd, milliseconds limit) {
  std::string answer;
  const auto until = Clock::now() + limit;
  for (;;) {
    const auto left = std::chrono::duration_cast<milliseconds>(until - Clock::now()).count();
    pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) break;
    char buf[4096];
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    answer.append(buf, static_cast<size_t>(n));
  }
  return answer;
}

// True when the server answered or closed `fd` (without waiting).
bool ServerSpoke(int fd) {
  char c;
  ssize_t n = ::recv(fd, &c, 1, MSG_DONTWAIT | MSG_PEEK);
  return n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
}

// A "slowloris" client: a request line, then one header byte every 50 ms,
// forever; when the server drops it, it connects again at once.
class SlowClient {
 public:
  explicit SlowClient(int port) : thread_([this, port] { Run(port); }) {}
  ~SlowClient() {
    stop_ = true;
    thread_.join();
  }
  int dropped() const { return dropped_.load(); }
  int connected() const { return connected_.load(); }

 private:
  void Run(int port) {
    while (!stop_) {
      int fd = Connect(port);
      if (fd < 0) continue;
      ++connected_;
      bool ok = ::send(fd, "GET /ping HTTP/1.1\r\nX-Slow: ", 28, MSG_NOSIGNAL) == 28;
      while (ok && !stop_ && !ServerSpoke(fd)) {
        std::this_thread::sleep_for(milliseconds(50));
        ok = ::send(fd, "a", 1, MSG_NOSIGNAL) == 1;
      }
      if (!stop_) ++dropped_;
      ::close(fd);
    }
  }

  std::atomic<bool> stop_{false};
  std::atomic<int> dropped_{0};
  std::atomic<int> connected_{0};
  std::thread thread_;
};

TEST(RequestDeadline, SixteenSlowClientsDoNotStopANormalClient) {
  HttpServer server(Options(), std::make_shared<Dispatcher>(PingRouter()));
  ASSERT_TRUE(server.Start().ok());
  ASSERT_EQ(HttpServerOptions{}.workers, 8u);  // twice as many slow clients as workers
  std::vector<std::unique_ptr<SlowClient>> slow;
  for (int i = 0; i < 16; ++i) slow.push_back(std::make_unique<SlowClient>(server.port()));
  std::this_thread::sleep_for(milliseconds(200));  // they hold every worker now

  for (int i = 0; i < 3; ++i) {
    httplib::Client client("127.0.0.1", server.port());
    client.set_connection_timeout(3, 0);
    client.set_read_timeout(3, 0);  // the bound: several read deadlines, not a minute
    const auto start = Clock::now();
    auto res = client.Get("/ping");
    ASSERT_TRUE(res) << "request " << i << ": " << httplib::to_string(res.error());
    EXPECT_EQ(res->status, 200);
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
  }
  int dropped = 0;
  for (const auto& client : slow) dropped += client->dropped();
  EXPECT_GE(dropped, 8);  // the ones on workers were cut, not waited out
  slow.clear();
  server.Stop();
}

TEST(RequestDeadline, SlowHeadersAndSlowBodiesAre408AndTheConnectionCloses) {
  HttpServer server(Options(), std::make_shared<Dispatcher>(PingRouter()));
  ASSERT_TRUE(server.Start().ok());
  for (std::string head : {std::string("GET /ping HTTP/1.1\r\nHost: x\r\nX-Slow: "),
                           std::string("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")}) {
    int fd = Connect(server.port());
    ASSERT_GE(fd, 0);
    const auto start = Clock::now();
    ASSERT_EQ(::send(fd, head.data(), head.size(), MSG_NOSIGNAL), static_cast<ssize_t>(head.size()));
    while (!ServerSpoke(fd) && Clock::now() - start < std::chrono::seconds(5)) {
      ::send(fd, "a", 1, MSG_NOSIGNAL);
      std::this_thread::sleep_for(milliseconds(50));
    }
    std::string answer = ReadAll(fd, std::chrono::seconds(3));
    ::close(fd);
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(3)) << head;
    EXPECT_EQ(answer.rfind("HTTP/1.1 408", 0), 0u) << answer;
    EXPECT_NE(answer.find("\"code\":408"), std::string::npos) << answer;
    EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
  }
}

TEST(RequestDeadline, AHandlerSlowerThanTheDeadlineAndKeepAliveStillWork) {
  HttpServer server(Options(), std::make_shared<Dispatcher>(PingRouter()));
  ASSERT_TRUE(server.Start().ok());
  httplib::Client client("127.0.0.1", server.port());
  client.set_keep_alive(true);
  client.set_read_timeout(5, 0);
  auto slow = client.Post("/slow", std::string(3000, 'x'), "text/plain");
  ASSERT_TRUE(slow) << httplib::to_string(slow.error());
  EXPECT_EQ(slow->status, 200);
  EXPECT_EQ(nlohmann::json::parse(slow->body)["size"], 3000);
  // The same connection, idle for longer than the read deadline in between.
  std::this_thread::sleep_for(kReadDeadline + milliseconds(200));
  auto again = client.Get("/ping");
  ASSERT_TRUE(again) << httplib::to_string(again.error());
  EXPECT_EQ(again->status, 200);
}

TEST(RequestDeadline, PipelinedRequestsOnOneConnectionAreAllAnswered) {
  HttpServer server(Options(), std::make_shared<Dispatcher>(PingRouter()));
  ASSERT_TRUE(server.Start().ok());
  int fd = Connect(server.port());
  ASSERT_GE(fd, 0);
  const std::string two = "GET /ping HTTP/1.1\r\nHost: x\r\n\r\nGET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  ASSERT_EQ(::send(fd, two.data(), two.size(), MSG_NOSIGNAL), static_cast<ssize_t>(two.size()));
  std::string answer = ReadAll(fd, std::chrono::seconds(3));
  ::close(fd);
  size_t first = answer.find("HTTP/1.1 200");
  ASSERT_NE(first, std::string::npos) << answer;
  EXPECT_NE(answer.find("HTTP/1.1 200", first + 1), std::string::npos) << answer;
}

bool MakeCertificate(const std::string& cert, const std::string& key) {
  std::string command = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
                        "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout '" +
                        key + "' -out '" + cert + "' >/dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

TEST(RequestDeadline, AStalledTlsHandshakeIsCutAndHttpsGoesOn) {
  std::string tmpl = (fs::temp_directory_path() / "cairn-deadline-XXXXXX").string();
  const fs::path dir = mkdtemp(tmpl.data());
  const std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  ASSERT_TRUE(MakeCertificate(cert, key));
  HttpServerOptions options = Options();
  options.workers = 1;
  options.tls_cert_file = cert;
  options.tls_key_file = key;
  HttpServer server(options, std::make_shared<Dispatcher>(PingRouter()));
  ASSERT_TRUE(server.Start().ok());
  // The first bytes of a TLS record, then nothing: the only worker waits in
  // the handshake until the deadline.
  int stalled = Connect(server.port());
  ASSERT_GE(stalled, 0);
  ASSERT_EQ(::send(stalled, "\x16\x03\x01", 3, MSG_NOSIGNAL), 3);
  std::this_thread::sleep_for(milliseconds(100));

  httplib::SSLClient client("127.0.0.1", server.port());
  client.set_ca_cert_path(cert.c_str());
  client.enable_server_certificate_verification(true);
  client.set_read_timeout(3, 0);
  const auto start = Clock::now();
  auto res = client.Get("/ping");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
  EXPECT_TRUE(ServerSpoke(stalled));  // closed
  ::close(stalled);
  server.Stop();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cairn::api
