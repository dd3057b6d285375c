// HttpServer: the HTTP(S) listener of cairn-api, on cpp-httplib.
//
//   auto dispatcher = std::make_shared<Dispatcher>(router);
//   HttpServer server(options, dispatcher);
//   CAIRN_RETURN_IF_ERROR(server.Start());   // listens in the background
//   ... server.port() ...
//   server.Stop();
//
// Every request gets a request id "req-<uuid>" (Request::request_id, the
// x-openstack-request-id answer header, the log lines) and one access log
// line (logger "api.access": remote, method, path with secret query values
// masked, status, bytes, duration ms, request id). Bodies over
// max_request_body_size are answered 413 overLimit; errors of the HTTP layer
// itself (malformed request line, ...) get a fault body too. A fixed pool of
// `workers` threads serves connections; at most max_pending_requests
// accepted connections wait for a worker, further ones wait in the kernel's
// listen queue. A request must arrive whole within request_read_timeout of
// its first byte, else it is answered 408 and its connection closed
// (deadline_server.h), so slow clients cannot hold the workers. No request
// can end the process: exceptions become 500.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "api/dispatcher.h"
#include "api/server_options.h"
#include "common/status.h"

namespace httplib {
class Server;
}

namespace cairn::api {

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, std::shared_ptr<const Dispatcher> dispatcher);
  // Stops the server if it runs.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving on a background thread; returns once the
  // socket listens. InvalidArgument when the TLS files cannot be loaded,
  // IOError when the address cannot be bound (naming host and port),
  // Conflict when already started.
  Status Start();

  // The bound port (the ephemeral one when bind_port was 0); 0 before Start.
  int port() const { return port_.load(); }
  // True when HTTPS is served.
  bool tls() const;

  // Stops accepting, lets the requests in progress finish, joins the
  // threads: it waits for the requests being read (at most
  // request_read_timeout) and handled; idle keep-alive connections are closed
  // within 50 ms. Idempotent; safe to call from any thread but a handler's.
  void Stop();

 private:
  void Configure();

  HttpServerOptions options_;
  std::shared_ptr<const Dispatcher> dispatcher_;
  std::unique_ptr<httplib::Server> server_;
  std::thread listener_;
  std::atomic<int> port_{0};
  std::atomic<bool> listen_returned_{false};
  int listen_socket_ = -1;  // the bound socket (owned by server_)
};

}  // namespace cairn::api
