// A cpp-httplib server on 127.0.0.1 (a free port) for the client tests,
// serving in a thread of its own for the lifetime of the object.
#pragma once

#include <httplib.h>

#include <string>
#include <thread>

namespace cairn::openstack::testing {

class LocalServer {
 public:
  LocalServer() = default;
  LocalServer(const LocalServer&) = delete;
  LocalServer& operator=(const LocalServer&) = delete;
  ~LocalServer() { Stop(); }

  // The server to add handlers to, before Start.
  httplib::Server& server() { return server_; }

  // Binds to a free port of 127.0.0.1 and starts serving; false on failure.
  bool Start() {
    // One request per connection: a kept-alive connection would hold a
    // server thread in its read timeout when the server stops.
    server_.set_keep_alive_max_count(1);
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) return false;
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // The socket listens already (connections wait in its backlog); waiting
    // for the loop only makes sure Stop() finds it running.
    while (!server_.is_running()) std::this_thread::yield();
    return true;
  }

  void Stop() {
    if (thread_.joinable()) {
      server_.stop();
      thread_.join();
    }
  }

  int port() const { return port_; }
  // "http://127.0.0.1:<port>" followed by `path`.
  std::string Url(const std::string& path = "") const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace cairn::openstack::testing
