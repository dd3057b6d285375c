#include "api/fault.h"

#include <string>

namespace cairn::api {

std::string_view FaultName(int http_status) {
  switch (http_status) {
    case 400: return "badRequest";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "itemNotFound";
    case 405: return "badMethod";
    case 409: return "conflict";
    case 413: return "overLimit";
    case 501: return "notImplemented";
    case 503: return "serviceUnavailable";
    default: break;
  }
  return http_status >= 500 ? "computeFault" : "badRequest";
}

Response MakeFault(int http_status, std::string_view message) {
  nlohmann::json inner = {{"code", http_status}, {"message", std::string(message)}};
  return Response::Json(http_status, nlohmann::json{{std::string(FaultName(http_status)), std::move(inner)}});
}

Response BadMethodFault(std::string_view allowed_methods) {
  Response response = MakeFault(405, "The method is not allowed for the requested URL.");
  response.WithHeader("Allow", std::string(allowed_methods));
  return response;
}

Response InternalFault(std::string_view request_id) {
  std::string message(kInternalFaultMessage);
  if (!request_id.empty()) message += " (request id " + std::string(request_id) + ")";
  return MakeFault(500, message);
}

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kPermissionDenied: return 403;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kOutOfRange: return 413;
    case ErrorCode::kNotSupported: return 501;
    case ErrorCode::kUnavailable: return 503;
    default: break;
  }
  return 500;
}

bool IsClientVisible(ErrorCode code) { return HttpStatusFor(code) != 500; }

Response FaultFromStatus(const Status& status, std::string_view request_id) {
  if (status.ok() || !IsClientVisible(status.code())) return InternalFault(request_id);
  return MakeFault(HttpStatusFor(status.code()), status.message());
}

}  // namespace cairn::api
