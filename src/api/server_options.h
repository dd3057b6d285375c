// The [api] options of cairn-api and the server settings read from them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/config.h"
#include "common/config_schema.h"
#include "common/status.h"

namespace cairn::api {

// The default listen port of the workloadmgr API.
inline constexpr int kDefaultApiPort = 8780;

struct HttpServerOptions {
  std::string bind_host = "0.0.0.0";
  int bind_port = kDefaultApiPort;         // 0: an ephemeral port (tests)
  size_t workers = 8;                      // threads answering requests
  size_t max_pending_requests = 128;       // accepted connections waiting for a worker
  size_t max_request_body_size = 1 << 20;  // larger bodies get 413 overLimit
  std::chrono::seconds client_socket_timeout{60};  // each wait to read or write
  // The whole request (line, headers, body) from its first byte; then 408.
  std::chrono::milliseconds request_read_timeout{10'000};
  std::chrono::seconds keep_alive_timeout{5};      // idle keep-alive connection
  std::string tls_cert_file;               // both set: HTTPS
  std::string tls_key_file;
};

// Registers [api] bind_host, bind_port, workers, max_request_body_size,
// max_pending_requests, client_socket_timeout, request_read_timeout,
// tls_cert_file, tls_key_file and policy_file.
Status RegisterApiServerOptions(OptionRegistry& registry);

// HttpServerOptions from a Config holding those options. InvalidArgument when
// only one of tls_cert_file and tls_key_file is set.
Result<HttpServerOptions> HttpServerOptionsFromConfig(const Config& config);

// [api] policy_file from a Config holding those options.
Result<std::string> PolicyFileFromConfig(const Config& config);

}  // namespace cairn::api
