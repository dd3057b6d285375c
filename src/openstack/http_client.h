// HttpClient: a small, thread-safe HTTP(S) client on libcurl, the only place in
// Cairn that talks HTTP to OpenStack.
//
//   HttpClient http({.cafile = "/etc/ssl/ca.pem"});
//   CAIRN_ASSIGN_OR_RETURN(Response r, http.Send({.method = "GET", .url = url,
//                                                 .headers = {{"X-Auth-Token", token}}}));
//
// Any HTTP status is a successful exchange (the caller maps it, see
// http_error.h); only transport failures (connection refused, DNS, timeout,
// TLS) are errors: kUnavailable with curl's message and the URL. Each
// exchange is logged at debug level on the "http" logger: method, URL,
// status, duration, request headers and a bounded, redacted request body;
// tokens and passwords are masked (redact.h).
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace cairn::openstack {

// One request. Header names are sent as given; a body is sent as is (set
// Content-Type yourself, or use JsonHeaders()).
struct Request {
  std::string method = "GET";  // GET, POST, PUT, PATCH, DELETE, HEAD
  std::string url{};
  std::vector<std::pair<std::string, std::string>> headers{};
  std::string body{};
  // Whole-exchange limit (connect included); zero means the client's default.
  // For an upload_file request, zero means no overall limit: the exchange
  // fails instead when no byte moves for the client's default timeout.
  std::chrono::milliseconds timeout{0};
  // When not empty, the body is this local file, streamed from disk as it is
  // sent (never held in memory; `body` must then be empty). Set Content-Type
  // yourself (e.g. application/octet-stream).
  std::string upload_file{};
};

// One answer. Header names are lower case; repeated headers are joined with ", ".
struct Response {
  long status = 0;  // HTTP status code
  std::map<std::string, std::string> headers{};
  std::string body{};

  // The header's value (name in any case), or "" when absent.
  std::string Header(std::string_view name) const;
};

struct HttpClientOptions {
  std::string cafile{};   // CA bundle for TLS; empty: the system's
  bool insecure = false;  // skip TLS certificate and host name checks
  std::chrono::milliseconds default_timeout{std::chrono::seconds(60)};
};

// Thread safe: Send may be called from many threads at once. Each thread keeps
// its own curl handle, so connections are reused between calls of one thread.
class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});

  // Performs the exchange. OK with the response for every HTTP status;
  // kUnavailable "<METHOD> <url>: <curl message>" for transport failures;
  // kInvalidArgument for an empty URL, an unknown method, a header with a
  // line break (no header injection), or both a body and an upload_file;
  // Status::FromErrno (kNotFound, kIOError, ...) naming the file when
  // upload_file cannot be opened or read.
  Result<Response> Send(const Request& request) const;

  const HttpClientOptions& options() const { return options_; }

 private:
  HttpClientOptions options_;
};

// Accept and Content-Type application/json, plus X-Auth-Token when `token` is
// not empty.
std::vector<std::pair<std::string, std::string>> JsonHeaders(const std::string& token = {});

}  // namespace cairn::openstack
