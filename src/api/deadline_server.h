// The connection handling of cairn-api: cpp-httplib servers whose requests
// must arrive whole within a deadline.
//
// cpp-httplib (0.11) bounds each single read by its read timeout, so a client
// that sends one byte per read timeout ("slowloris") holds a worker thread for
// as long as it likes; with a fixed pool, a handful of such clients stop the
// API. The servers made here read each request (request line, headers and
// body) from one stream whose reads all share one deadline, set when the
// request's first byte arrives: when it passes, the read fails, the request
// is answered 408 (or the connection is closed when not even the request line
// arrived) and the worker is free again. A connection's TLS handshake has the
// same bound. Between requests of a keep-alive connection, the server waits
// at most keep_alive_timeout for the next one.
//
//   auto server = MakeDeadlineServer(limits);                      // HTTP
//   auto server = MakeDeadlineTlsServer(limits, cert, key);        // HTTPS
//   ... configure handlers, bind and listen as with httplib::Server ...
//
// Writes keep the per-write timeout (Server::set_write_timeout), and each
// wait for data is also bounded by the read timeout (set_read_timeout).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace httplib {
class Server;
}

namespace cairn::api {

struct ConnectionLimits {
  // The time from a request's first byte until its last (headers and body).
  std::chrono::milliseconds request_read_timeout{10'000};
  // The longest wait for the next request on a keep-alive connection (and for
  // the first byte of a new connection).
  std::chrono::milliseconds keep_alive_timeout{5'000};
  // Requests served on one connection before it is closed.
  size_t keep_alive_max_count = 5;
};

// A plain HTTP server with these limits. Thread safety as httplib::Server.
std::unique_ptr<httplib::Server> MakeDeadlineServer(ConnectionLimits limits);

// An HTTPS server with these limits, with the PEM certificate (chain) and key
// files; check is_valid() (false when the files cannot be loaded).
std::unique_ptr<httplib::Server> MakeDeadlineTlsServer(ConnectionLimits limits, const std::string& cert_file,
                                                       const std::string& key_file);

// True when, on the calling thread, the request being read or answered ran out
// of its request_read_timeout (for the error handler: a 408, not a 400).
bool RequestReadTimedOut();

}  // namespace cairn::api
