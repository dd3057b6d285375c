// KeystoneClient: Keystone v3 token operations (authenticate, validate,
// revoke) against one identity URL.
//
//   KeystoneClient keystone(http, "http://127.0.0.11:5000/v3");
//   CAIRN_ASSIGN_OR_RETURN(Token t, keystone.Authenticate(
//       PasswordAuth{.user_name = "demo", .password = "secret"},
//       ProjectScope{.project_name = "demo"}));
//
// Errors follow http_error.h; the specific cases are noted on each call.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "openstack/auth_method.h"
#include "openstack/http_client.h"
#include "openstack/token.h"

namespace cairn::openstack {

class KeystoneClient {
 public:
  // `identity_url` like "http://host:5000/v3" (NormalizeIdentityUrl is
  // applied). `http` must outlive the client.
  KeystoneClient(const HttpClient& http, std::string_view identity_url);

  // POST /v3/auth/tokens. Wrong credentials or an unknown user/project are
  // kPermissionDenied (Keystone answers 401 for all of them); a malformed
  // request is kInvalidArgument; Keystone down is kUnavailable.
  Result<Token> Authenticate(const AuthMethod& method, const AuthScope& scope) const;

  // GET /v3/auth/tokens with X-Auth-Token = `service_token` and
  // X-Subject-Token = `subject_token`. The subject token's details with its
  // catalog. A subject token that is invalid, expired or revoked (Keystone's
  // 404; also an empty or malformed one) is kNotFound "token is invalid or
  // expired". The service token itself rejected (401) or not allowed to
  // validate (403) is kPermissionDenied: the caller re-authenticates
  // (ServiceSession::ValidateUserToken does so once).
  Result<Token> ValidateToken(std::string_view service_token, std::string_view subject_token) const;

  // DELETE /v3/auth/tokens: revokes `subject_token` (a user may revoke their
  // own token with service_token == subject_token). kNotFound when it is
  // already invalid.
  Status RevokeToken(std::string_view service_token, std::string_view subject_token) const;

  const std::string& identity_url() const { return identity_url_; }

 private:
  const HttpClient& http_;
  std::string identity_url_;
};

}  // namespace cairn::openstack
