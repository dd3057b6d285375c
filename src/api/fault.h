// Faults: error answers in the OpenStack shape
//   {"badRequest": {"code": 400, "message": "..."}}
// and the mapping from cairn::Status to them.
#pragma once

#include <string>
#include <string_view>

#include "api/response.h"
#include "common/status.h"

namespace cairn::api {

// The message of every 500: no internal detail ever reaches the client.
inline constexpr std::string_view kInternalFaultMessage =
    "The server has either erred or is incapable of performing the requested operation.";

// The fault name of an HTTP status: 400 badRequest, 401 unauthorized,
// 403 forbidden, 404 itemNotFound, 405 badMethod, 409 conflict,
// 413 overLimit, 501 notImplemented, 503 serviceUnavailable, any other
// 5xx computeFault, any other 4xx badRequest.
std::string_view FaultName(int http_status);

// A fault answer with the given status and message.
Response MakeFault(int http_status, std::string_view message);

inline Response BadRequestFault(std::string_view message) { return MakeFault(400, message); }
inline Response UnauthorizedFault(std::string_view message = "The request you have made requires authentication.") {
  return MakeFault(401, message);
}
inline Response ForbiddenFault(std::string_view message) { return MakeFault(403, message); }
inline Response NotFoundFault(std::string_view message) { return MakeFault(404, message); }
inline Response ConflictFault(std::string_view message) { return MakeFault(409, message); }
inline Response OverLimitFault(std::string_view message) { return MakeFault(413, message); }
inline Response ServiceUnavailableFault(std::string_view message) { return MakeFault(503, message); }
// 405 with an Allow header listing `allowed_methods` ("GET, POST").
Response BadMethodFault(std::string_view allowed_methods);
// 500 computeFault whose message is kInternalFaultMessage plus the request id
// ("... (request id req-...)" when `request_id` is not empty).
Response InternalFault(std::string_view request_id);

// The HTTP status that answers a Status code: kInvalidArgument 400,
// kPermissionDenied 403, kNotFound 404, kAlreadyExists and kConflict 409,
// kOutOfRange 413, kNotSupported 501, kUnavailable 503, anything else 500.
int HttpStatusFor(ErrorCode code);

// True when the Status's message may be shown to the client (the 4xx codes,
// kNotSupported and kUnavailable); false for the internal codes that become
// a generic 500.
bool IsClientVisible(ErrorCode code);

// The fault answering a non-OK `status`: the mapped HTTP status with the
// Status message, or InternalFault(request_id) when !IsClientVisible. The
// caller logs internal details; this function does not.
Response FaultFromStatus(const Status& status, std::string_view request_id);

}  // namespace cairn::api
