#include "api/server_options.h"

namespace cairn::api {

Status RegisterApiServerOptions(OptionRegistry& registry) {
  const Option options[] = {
      {.section = "api",
       .name = "bind_host",
       .type = OptionType::kString,
       .default_value = "0.0.0.0",
       .help = "Address the API listens on (0.0.0.0: every IPv4 address; :: every IPv6 one)."},
      {.section = "api",
       .name = "bind_port",
       .type = OptionType::kInt,
       .default_value = "8780",
       .help = "TCP port the API listens on (8780 is the workloadmgr port of the Keystone catalog). "
               "0 picks a free port (for tests; the log says which).",
       .min = 0,
       .max = 65535},
      {.section = "api",
       .name = "workers",
       .type = OptionType::kInt,
       .default_value = "8",
       .help = "Threads answering requests; each serves one connection at a time.",
       .min = 1,
       .max = 1024},
      {.section = "api",
       .name = "max_pending_requests",
       .type = OptionType::kInt,
       .default_value = "128",
       .help = "Accepted connections that may wait for a free worker; beyond that new connections wait "
               "in the kernel's listen queue.",
       .min = 1,
       .max = 100000},
      {.section = "api",
       .name = "max_request_body_size",
       .type = OptionType::kByteSize,
       .default_value = "1M",
       .help = "Largest request body accepted; a larger one is answered 413 overLimit.",
       .min = 1024,
       .max = 1024.0 * 1024 * 1024},
      {.section = "api",
       .name = "client_socket_timeout",
       .type = OptionType::kInt,
       .default_value = "60",
       .help = "Seconds the server waits for each part of a request or for the client to take each "
               "part of the answer before the connection is closed.",
       .min = 1,
       .max = 3600},
      {.section = "api",
       .name = "request_read_timeout",
       .type = OptionType::kInt,
       .default_value = "10",
       .help = "Seconds a client has, from the first byte of a request, to send all of it (request line, "
               "headers and body); a slower request is answered 408 and its connection closed, so slow "
               "clients cannot hold the workers. Behind HAProxy, set its `timeout http-request` lower.",
       .min = 1,
       .max = 3600},
      {.section = "api",
       .name = "tls_cert_file",
       .type = OptionType::kString,
       .default_value = std::nullopt,
       .help = "PEM certificate (chain) for HTTPS. With tls_key_file, the API serves HTTPS only; "
               "without both, plain HTTP (e.g. behind a TLS-terminating proxy)."},
      {.section = "api",
       .name = "tls_key_file",
       .type = OptionType::kString,
       .default_value = std::nullopt,
       .help = "PEM private key of tls_cert_file.",
       .secret = false},
      {.section = "api",
       .name = "policy_file",
       .type = OptionType::kString,
       .default_value = "/etc/cairn/policy.yaml",
       .help = "RBAC rules (oslo.policy YAML or JSON) merged over the defaults; re-read when it changes. "
               "A missing file means the defaults only (`cairn-manage policy defaults` prints them)."},
  };
  return registry.Register(options);
}

namespace {

// An optional string option: "" when unset.
Result<std::string> OptionalString(const Config& config, std::string_view name) {
  if (!config.HasValue("api", name)) return std::string();
  return config.GetString("api", name);
}

}  // namespace

Result<HttpServerOptions> HttpServerOptionsFromConfig(const Config& config) {
  HttpServerOptions options;
  CAIRN_ASSIGN_OR_RETURN(options.bind_host, config.GetString("api", "bind_host"));
  CAIRN_ASSIGN_OR_RETURN(int64_t port, config.GetInt("api", "bind_port"));
  options.bind_port = static_cast<int>(port);
  CAIRN_ASSIGN_OR_RETURN(int64_t workers, config.GetInt("api", "workers"));
  options.workers = static_cast<size_t>(workers);
  CAIRN_ASSIGN_OR_RETURN(int64_t pending, config.GetInt("api", "max_pending_requests"));
  options.max_pending_requests = static_cast<size_t>(pending);
  CAIRN_ASSIGN_OR_RETURN(uint64_t body, config.GetByteSize("api", "max_request_body_size"));
  options.max_request_body_size = static_cast<size_t>(body);
  CAIRN_ASSIGN_OR_RETURN(int64_t timeout, config.GetInt("api", "client_socket_timeout"));
  options.client_socket_timeout = std::chrono::seconds(timeout);
  CAIRN_ASSIGN_OR_RETURN(int64_t request_timeout, config.GetInt("api", "request_read_timeout"));
  options.request_read_timeout = std::chrono::seconds(request_timeout);
  CAIRN_ASSIGN_OR_RETURN(options.tls_cert_file, OptionalString(config, "tls_cert_file"));
  CAIRN_ASSIGN_OR_RETURN(options.tls_key_file, OptionalString(config, "tls_key_file"));
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return Status::InvalidArgument("[api] tls_cert_file and tls_key_file must be set together");
  }
  return options;
}

Result<std::string> PolicyFileFromConfig(const Config& config) { return OptionalString(config, "policy_file"); }

}  // namespace cairn::api
