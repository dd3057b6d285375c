#include "openstack/http_error.h"

#include "common/strings.h"

namespace cairn::openstack {
namespace {

constexpr size_t kMaxMessage = 300;

std::string Bounded(std::string_view text) {
  std::string s(Trim(text));
  if (s.size() > kMaxMessage) {
    s.resize(kMaxMessage);
    s += "...";
  }
  return s;
}

// The text of an HTML or plain-text body without tags, collapsed to one line.
std::string PlainText(std::string_view body) {
  std::string out;
  bool in_tag = false;
  bool space = false;
  for (char c : body) {
    if (c == '<') {
      in_tag = true;
      space = true;
      continue;
    }
    if (c == '>') {
      in_tag = false;
      continue;
    }
    if (in_tag) continue;
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

}  // namespace

ErrorCode ErrorCodeForHttpStatus(long http_status) {
  if (http_status < 400) return ErrorCode::kOk;
  switch (http_status) {
    case 401:
    case 403: return ErrorCode::kPermissionDenied;
    case 404: return ErrorCode::kNotFound;
    case 409: return ErrorCode::kConflict;
    case 413:
    case 429: return ErrorCode::kUnavailable;
    default: break;
  }
  if (http_status >= 500) return ErrorCode::kUnavailable;
  return ErrorCode::kInvalidArgument;
}

std::string ErrorMessageFromBody(std::string_view body) {
  if (Trim(body).empty()) return "";
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Bounded(PlainText(body));
  if (j.is_object()) {
    // {"error": {"message": ...}}, {"itemNotFound": {"message": ...}},
    // {"NeutronError": {"message": ...}}, or {"message": ...}.
    if (j.contains("message") && j["message"].is_string()) return Bounded(j["message"].get<std::string>());
    for (const auto& [key, value] : j.items()) {
      if (value.is_object() && value.contains("message") && value["message"].is_string()) {
        return Bounded(value["message"].get<std::string>());
      }
      if (value.is_object() && value.contains("explanation") && value["explanation"].is_string()) {
        return Bounded(value["explanation"].get<std::string>());
      }
    }
    if (j.contains("NeutronError") && j["NeutronError"].is_string()) {
      return Bounded(j["NeutronError"].get<std::string>());
    }
  }
  return Bounded(j.dump());
}

Status StatusFromResponse(const Response& response, std::string_view what) {
  const ErrorCode code = ErrorCodeForHttpStatus(response.status);
  if (code == ErrorCode::kOk) return Status::OK();
  std::string message = std::string(what) + ": ";
  std::string detail = ErrorMessageFromBody(response.body);
  if (response.status == 401) {
    message += "authentication failed";
    if (!detail.empty()) message += " (" + detail + ")";
  } else {
    message += detail.empty() ? "request failed" : detail;
  }
  message += " (HTTP " + std::to_string(response.status) + ")";
  return Status(code, std::move(message));
}

Result<nlohmann::json> ParseJsonObject(std::string_view body, std::string_view what) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::Unavailable(std::string(what) + ": answer is not a JSON object: " +
                               Quoted(Bounded(PlainText(body)), 120));
  }
  return j;
}

}  // namespace cairn::openstack
