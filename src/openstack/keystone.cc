#include "openstack/keystone.h"

#include "openstack/http_error.h"
#include "openstack/options.h"

namespace cairn::openstack {

KeystoneClient::KeystoneClient(const HttpClient& http, std::string_view identity_url)
    : http_(http), identity_url_(NormalizeIdentityUrl(identity_url)) {}

Result<Token> KeystoneClient::Authenticate(const AuthMethod& method, const AuthScope& scope) const {
  CAIRN_ASSIGN_OR_RETURN(nlohmann::json body, BuildAuthRequest(method, scope));
  Request request{.method = "POST", .url = identity_url_ + "/auth/tokens", .headers = JsonHeaders(), .body = body.dump()};
  const std::string what = "keystone: authenticate at " + identity_url_;
  CAIRN_ASSIGN_OR_RETURN(Response response, http_.Send(request));
  CAIRN_RETURN_IF_ERROR(StatusFromResponse(response, what));
  std::string token_id = response.Header("X-Subject-Token");
  if (token_id.empty()) return Status::Unavailable(what + ": answer has no X-Subject-Token header");
  CAIRN_ASSIGN_OR_RETURN(nlohmann::json j, ParseJsonObject(response.body, what));
  auto token = ParseToken(std::move(token_id), j);
  if (!token.ok()) return Status::Unavailable(what + ": " + token.status().message());
  return token;
}

Result<Token> KeystoneClient::ValidateToken(std::string_view service_token, std::string_view subject_token) const {
  static constexpr std::string_view kInvalid = "token is invalid or expired";
  if (subject_token.empty()) return Status::NotFound(std::string(kInvalid) + " (empty token)");
  // A token with characters a header cannot carry can never be valid.
  for (char c : subject_token) {
    if (c == '\r' || c == '\n' || c == '\0') return Status::NotFound(std::string(kInvalid) + " (malformed token)");
  }
  auto headers = JsonHeaders(std::string(service_token));
  headers.emplace_back("X-Subject-Token", std::string(subject_token));
  Request request{.method = "GET", .url = identity_url_ + "/auth/tokens", .headers = std::move(headers)};
  const std::string what = "keystone: validate token at " + identity_url_;
  CAIRN_ASSIGN_OR_RETURN(Response response, http_.Send(request));
  if (response.status == 404) return Status::NotFound(std::string(kInvalid));
  if (response.status == 401) {
    return Status::PermissionDenied(what + ": the service token was rejected (HTTP 401)");
  }
  CAIRN_RETURN_IF_ERROR(StatusFromResponse(response, what));
  CAIRN_ASSIGN_OR_RETURN(nlohmann::json j, ParseJsonObject(response.body, what));
  std::string token_id = response.Header("X-Subject-Token");
  if (token_id.empty()) token_id = std::string(subject_token);
  auto token = ParseToken(std::move(token_id), j);
  if (!token.ok()) return Status::Unavailable(what + ": " + token.status().message());
  return token;
}

Status KeystoneClient::RevokeToken(std::string_view service_token, std::string_view subject_token) const {
  auto headers = JsonHeaders(std::string(service_token));
  headers.emplace_back("X-Subject-Token", std::string(subject_token));
  Request request{.method = "DELETE", .url = identity_url_ + "/auth/tokens", .headers = std::move(headers)};
  CAIRN_ASSIGN_OR_RETURN(Response response, http_.Send(request));
  if (response.status == 404) return Status::NotFound("token is invalid or expired");
  return StatusFromResponse(response, "keystone: revoke token at " + identity_url_);
}

}  // namespace cairn::openstack
