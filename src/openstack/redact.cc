#include "openstack/redact.h"

#include <nlohmann/json.hpp>

#include "common/strings.h"

namespace cairn::openstack {
namespace {

bool IsSecretKey(std::string_view key) {
  const std::string lower = AsciiLower(key);
  return lower == "password" || lower == "secret" || lower == "original_password" || lower == "adminpass" ||
         lower == "token";
}

void RedactJson(nlohmann::json& j) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (IsSecretKey(it.key())) {
        if (it->is_string()) {
          *it = std::string(kRedacted);
          continue;
        }
        if (it->is_object() && it->contains("id") && (*it)["id"].is_string()) {
          (*it)["id"] = std::string(kRedacted);
        }
      }
      RedactJson(*it);
    }
  } else if (j.is_array()) {
    for (auto& element : j) RedactJson(element);
  }
}

}  // namespace

bool IsSecretHeader(std::string_view name) {
  const std::string lower = AsciiLower(name);
  return lower == "x-auth-token" || lower == "x-subject-token" || lower == "x-service-token" ||
         lower == "authorization" || lower == "cookie" || lower == "set-cookie";
}

std::string RedactHeaderValue(std::string_view name, std::string_view value) {
  return IsSecretHeader(name) ? std::string(kRedacted) : std::string(value);
}

std::string RedactBody(std::string_view body, size_t max_chars) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return "<" + std::to_string(body.size()) + " bytes, not JSON>";
  RedactJson(j);
  std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > max_chars) {
    text.resize(max_chars);
    text += "...";
  }
  return text;
}

}  // namespace cairn::openstack
