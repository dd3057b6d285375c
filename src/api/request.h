// Request: what a route handler sees of one HTTP request.
//
// Built by the HTTP server (http_server.h) from the wire, or by tests directly.
// Nothing here depends on the HTTP library.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace cairn::api {

// The identity of the caller, set by the auth middleware (defined with it;
// the server core only carries the pointer).
struct AuthContext;

// Orders header names without regard to ASCII letter case.
struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};

// Header name -> value; names compare case-insensitively; a name may repeat.
using Headers = std::multimap<std::string, std::string, CaseInsensitiveLess>;
// Query parameter -> value, percent-decoded ('+' is a space); a name may repeat.
using QueryParams = std::multimap<std::string, std::string, std::less<>>;
// Path parameter name (as in the route pattern, without braces) -> value.
using PathParams = std::map<std::string, std::string, std::less<>>;

struct Request {
  std::string method;        // upper case: GET, POST, PUT, DELETE, PATCH, HEAD
  std::string path;          // percent-decoded, without the query string
  PathParams path_params;    // filled by the router
  QueryParams query;
  Headers headers;
  std::string body;          // raw bytes as received; empty when none was sent
  std::string remote_addr;   // peer IP address
  int remote_port = 0;
  std::string request_id;    // "req-<uuid>", also sent as x-openstack-request-id
  // Set by the auth middleware; null on routes that need no auth.
  std::shared_ptr<const AuthContext> auth;

  // The first value of header `name` (any case), or nullopt.
  std::optional<std::string> Header(std::string_view name) const;
  // The path parameter `name`; "" when the route has none of that name.
  const std::string& PathParam(std::string_view name) const;
  // The first value of query parameter `name`, or nullopt.
  std::optional<std::string> Query(std::string_view name) const;
  // Every value of query parameter `name`, in the order received.
  std::vector<std::string> QueryAll(std::string_view name) const;
  // True when the body is empty or only whitespace (clients POST without one).
  bool HasNoBody() const;
};

// How deeply lists and objects may nest in a request body; deeper bodies are
// refused before parsing ("Malformed request body: nested deeper than 64
// levels."), so no request can exhaust the stack.
inline constexpr size_t kMaxBodyNesting = 64;

// The body as a JSON object. InvalidArgument (a 400) when the body is missing
// ("The request body is missing."), is not valid JSON ("Malformed request
// body: ... at byte N.", or nested deeper than kMaxBodyNesting) or is not an
// object ("The request body must be a JSON object.").
Result<nlohmann::json> JsonObjectBody(const Request& request);

// As JsonObjectBody, but a missing (empty or whitespace) body is nullopt, for
// routes that clients call without a body.
Result<std::optional<nlohmann::json>> OptionalJsonObjectBody(const Request& request);

// The body as any JSON value (for the few routes taking a list). InvalidArgument
// when missing or malformed, as above.
Result<nlohmann::json> JsonBody(const Request& request);

// body[key] when it is a JSON object; InvalidArgument ("The request body must
// contain the object 'workload'.") when the key is absent or not an object.
Result<nlohmann::json> RequireObjectMember(const nlohmann::json& body, std::string_view key);

}  // namespace cairn::api
