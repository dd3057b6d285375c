// From an HTTP answer of an OpenStack service to a cairn::Status.
//
// The mapping (docs/openstack-clients.md):
//   2xx, 3xx        OK
//   400, 422 (and other 4xx not listed)  kInvalidArgument
//   401             kPermissionDenied  "... authentication failed (HTTP 401)"
//   403             kPermissionDenied
//   404             kNotFound
//   409             kConflict
//   413, 429        kUnavailable (over limit; retry later)
//   5xx             kUnavailable
// The message is "<what>: <service's message> (HTTP <code>)", the service's
// message taken from the usual OpenStack fault bodies.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "openstack/http_client.h"

namespace cairn::openstack {

// The Status for `response`; OK for status < 400. `what` names the call,
// e.g. "GET http://.../servers/x" or "nova: get server x".
Status StatusFromResponse(const Response& response, std::string_view what);

// The code for an HTTP status (kOk below 400).
ErrorCode ErrorCodeForHttpStatus(long http_status);

// The human message inside an OpenStack error body: Keystone's
// {"error": {"message"}}, Nova/Cinder's {"itemNotFound": {"message"}},
// Neutron's {"NeutronError": {"message"}}, Glance's plain text or HTML; ""
// when there is none. Bounded to a few hundred characters.
std::string ErrorMessageFromBody(std::string_view body);

// The body parsed as JSON. A body that is not JSON, or whose top level is not
// an object, is kUnavailable "<what>: answer is not a JSON object: ..." (a
// proxy's error page, a broken service: a dependency problem, not the caller's).
Result<nlohmann::json> ParseJsonObject(std::string_view body, std::string_view what);

}  // namespace cairn::openstack
