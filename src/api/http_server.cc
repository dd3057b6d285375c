#include "api/http_server.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <httplib.h>
#include <sys/socket.h>

#include "api/deadline_server.h"
#include "api/fault.h"
#include "common/log.h"
#include "common/strings.h"
#include "common/uuid.h"

namespace cairn::api {
namespace {

constexpr std::string_view kRequestIdHeader = "x-openstack-request-id";

// A fixed pool of worker threads with a bounded queue of accepted
// connections. enqueue() blocks the accepting thread while the queue is full,
// so excess connections wait in the kernel's listen queue instead of memory.
class BoundedTaskQueue final : public httplib::TaskQueue {
 public:
  BoundedTaskQueue(size_t threads, size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {
    if (threads == 0) threads = 1;
    for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
  }
  ~BoundedTaskQueue() override { shutdown(); }

  void enqueue(std::function<void()> fn) override {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [this] { return jobs_.size() < capacity_ || shutdown_; });
    if (shutdown_) {
      lock.unlock();
      fn();  // closes the socket; no worker is left to do it
      return;
    }
    jobs_.push_back(std::move(fn));
    not_empty_.notify_one();
  }

  void shutdown() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (shutdown_ && threads_.empty()) return;
      shutdown_ = true;
    }
    not_empty_.notify_all();
    not_full_.notify_all();
    for (auto& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
    threads_.clear();
  }

 private:
  void Work() {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock<std::mutex> lock(mu_);
        not_empty_.wait(lock, [this] { return !jobs_.empty() || shutdown_; });
        if (jobs_.empty()) return;  // shut down and drained
        fn = std::move(jobs_.front());
        jobs_.pop_front();
        not_full_.notify_one();
      }
      try {
        fn();
      } catch (...) {
        // httplib catches handler exceptions itself; this is a last guard so
        // a worker never dies.
        GetLogger("api")->error("exception escaped a connection worker");
      }
    }
  }

  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  bool shutdown_ = false;
};

// When the current request (on this worker thread) started, keyed by its id,
// for the access log's duration.
struct RequestTiming {
  std::string request_id;
  std::chrono::steady_clock::time_point start;
};
thread_local RequestTiming current_timing;

std::string NewRequestId() { return "req-" + Uuid::Random().ToString(); }

// The request id already given to this request, or a new one (set on `res`).
std::string EnsureRequestId(httplib::Response& res) {
  std::string id = res.get_header_value(std::string(kRequestIdHeader));
  if (id.empty()) {
    id = NewRequestId();
    res.set_header(std::string(kRequestIdHeader), id);
  }
  return id;
}

bool IsSecretName(std::string_view name) {
  std::string lower = AsciiLower(name);
  for (std::string_view word : {"pass", "secret", "token", "key", "credential"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

// The path with its query, values of secret-looking parameters masked.
std::string LoggedTarget(const httplib::Request& req) {
  std::string target = req.path;
  char sep = '?';
  for (const auto& [name, value] : req.params) {
    target += sep;
    target += name;
    target += '=';
    target += IsSecretName(name) ? std::string("***") : value;
    sep = '&';
  }
  return target;
}

void SetJsonBody(httplib::Response& res, const nlohmann::json& body) {
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
}

void WriteFault(httplib::Response& res, const Response& fault) {
  res.status = fault.status;
  for (const auto& [name, value] : fault.headers) res.set_header(name, value);
  if (fault.body) SetJsonBody(res, *fault.body);
}

}  // namespace

HttpServer::HttpServer(HttpServerOptions options, std::shared_ptr<const Dispatcher> dispatcher)
    : options_(std::move(options)), dispatcher_(std::move(dispatcher)) {}

HttpServer::~HttpServer() { Stop(); }

bool HttpServer::tls() const { return !options_.tls_cert_file.empty() && !options_.tls_key_file.empty(); }

void HttpServer::Configure() {
  const ConnectionLimits limits{.request_read_timeout = options_.request_read_timeout,
                                .keep_alive_timeout = options_.keep_alive_timeout};
  server_ = tls() ? MakeDeadlineTlsServer(limits, options_.tls_cert_file, options_.tls_key_file)
                  : MakeDeadlineServer(limits);
  httplib::Server& server = *server_;
  const size_t workers = options_.workers;
  const size_t pending = options_.max_pending_requests;
  server.new_task_queue = [workers, pending] { return new BoundedTaskQueue(workers, pending); };
  server.set_payload_max_length(options_.max_request_body_size);
  server.set_read_timeout(static_cast<time_t>(options_.client_socket_timeout.count()), 0);
  server.set_write_timeout(static_cast<time_t>(options_.client_socket_timeout.count()), 0);
  server.set_keep_alive_timeout(static_cast<time_t>(options_.keep_alive_timeout.count()));
  // SO_REUSEADDR (restart without waiting for TIME_WAIT) but not httplib's
  // default SO_REUSEPORT, which would let a second server share the port.
  // Also remember the socket: httplib listens with a backlog of 5, which
  // overflows under a burst of connections (dropped handshakes, then clients
  // whose request arrives after the keep-alive wait); Start() widens it.
  server.set_socket_options([this](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    listen_socket_ = sock;
  });

  // Runs once the request line and headers are read (before the body): the
  // request id and the start time.
  server.set_pre_routing_handler([](const httplib::Request&, httplib::Response& res) {
    std::string id = NewRequestId();
    res.set_header(std::string(kRequestIdHeader), id);
    current_timing = RequestTiming{std::move(id), std::chrono::steady_clock::now()};
    return httplib::Server::HandlerResponse::Unhandled;
  });

  auto handle = [this](const httplib::Request& hreq, httplib::Response& hres) {
    Request request;
    request.method = hreq.method;
    request.path = hreq.path;
    for (const auto& [name, value] : hreq.params) request.query.emplace(name, value);
    for (const auto& [name, value] : hreq.headers) request.headers.emplace(name, value);
    request.body = hreq.body;
    request.remote_addr = hreq.remote_addr;
    request.remote_port = hreq.remote_port;
    request.request_id = EnsureRequestId(hres);
    Response response = dispatcher_->Handle(request);
    hres.status = response.status;
    for (const auto& [name, value] : response.headers) hres.set_header(name, value);
    if (response.body) SetJsonBody(hres, *response.body);
  };
  const std::string any = ".*";
  server.Get(any, handle);
  server.Post(any, handle);
  server.Put(any, handle);
  server.Patch(any, handle);
  server.Delete(any, handle);
  server.Options(any, handle);

  // Errors httplib answers itself (413 body too large, 400 malformed request,
  // unknown method) and our own faults: give the former a fault body.
  httplib::Server::HandlerWithResponse on_error = [](const httplib::Request&, httplib::Response& res) {
    EnsureRequestId(res);
    if (RequestReadTimedOut()) {
      // The request did not arrive whole within request_read_timeout (httplib
      // says 400): tell the client, and close the connection.
      res.body.clear();
      WriteFault(res, MakeFault(408, "The request was not received in time."));
      res.set_header("Connection", "close");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    switch (res.status) {
      case 401: WriteFault(res, UnauthorizedFault()); break;
      case 403: WriteFault(res, ForbiddenFault("Access was denied to this resource.")); break;
      case 404: WriteFault(res, NotFoundFault("The resource could not be found.")); break;
      case 413: WriteFault(res, OverLimitFault("The request body is larger than the server accepts.")); break;
      case 414: WriteFault(res, MakeFault(414, "The request URI is too long.")); break;
      default:
        if (res.status >= 500) {
          WriteFault(res, InternalFault(res.get_header_value(std::string(kRequestIdHeader))));
        } else {
          WriteFault(res, MakeFault(res.status, "The request could not be understood."));
        }
    }
    return httplib::Server::HandlerResponse::Handled;
  };
  server.set_error_handler(std::move(on_error));

  // Only reached if something outside Dispatcher::Handle throws (Dispatcher
  // catches handler exceptions itself).
  server.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    std::string id = EnsureRequestId(res);
    std::string what = "unknown exception";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    GetLogger("api")->error("{} {} {} threw: {}", id, req.method, req.path, what);
    res.body.clear();
    WriteFault(res, InternalFault(id));
  });

  server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    std::string id = res.get_header_value(std::string(kRequestIdHeader));
    double ms = 0;
    if (!id.empty() && current_timing.request_id == id) {
      ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - current_timing.start).count();
    }
    GetLogger("api.access")
        ->info("{} \"{} {}\" status {} len {} time {:.1f} ms {}", req.remote_addr, req.method, LoggedTarget(req),
               res.status, res.body.size(), ms, id);
  });
}

Status HttpServer::Start() {
  if (server_) return Status::Conflict("the API server is already started");
  Configure();
  if (!server_->is_valid()) {
    server_.reset();
    return Status::InvalidArgument("cannot load the TLS certificate " + Quoted(options_.tls_cert_file, 200) +
                                   " and key " + Quoted(options_.tls_key_file, 200));
  }
  int port = options_.bind_port;
  bool bound = false;
  listen_socket_ = -1;
  if (port == 0) {
    port = server_->bind_to_any_port(options_.bind_host);
    bound = port > 0;
  } else {
    bound = server_->bind_to_port(options_.bind_host, port);
  }
  if (!bound) {
    server_.reset();
    return Status::IOError("cannot listen on " + options_.bind_host + ":" + std::to_string(options_.bind_port));
  }
  // Listening again on a listening socket sets its backlog (Linux).
  if (listen_socket_ >= 0) ::listen(listen_socket_, SOMAXCONN);
  port_ = port;
  listen_returned_ = false;
  listener_ = std::thread([this] {
    server_->listen_after_bind();
    listen_returned_ = true;
  });
  // stop() only works once the loop runs: wait for it.
  while (!server_->is_running() && !listen_returned_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (listen_returned_) {
    listener_.join();
    server_.reset();
    port_ = 0;
    return Status::IOError("the API server stopped at start up on " + options_.bind_host + ":" + std::to_string(port));
  }
  GetLogger("api")->info("listening on {}://{}:{} ({} workers)", tls() ? "https" : "http", options_.bind_host, port,
                         options_.workers);
  return Status::OK();
}

void HttpServer::Stop() {
  if (!server_) return;
  server_->stop();
  if (listener_.joinable()) listener_.join();
  server_.reset();
  port_ = 0;
}

}  // namespace cairn::api
