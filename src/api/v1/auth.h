// Authentication of API requests: Keystone token validation with a bounded
// cache, and the middleware that puts the caller's identity on each request.
//
// Every route but the few marked auth_required = false needs X-Auth-Token.
// The token is validated with Keystone (GET /v3/auth/tokens, with Cairn's own
// service token) and the answer cached for at most `cache_time` and never past
// the token's expiry; the cache holds at most `cache_size` tokens (least
// recently used ones go first) and keys them by SHA-256, so no token is kept
// in the clear. A missing, invalid, expired or revoked token is a 401; a
// project id in the URL that is not the token's project is a 403 unless the
// caller is an admin.
#pragma once

#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "api/router.h"
#include "api/dispatcher.h"
#include "common/status.h"
#include "common/time.h"
#include "openstack/token.h"

namespace cairn::openstack {
class ServiceSession;
}

namespace cairn::api {

// Who makes a request, as Keystone vouched for the token.
struct AuthContext {
  openstack::Token token;  // the user's token with its catalog (to act as the user)
  bool is_admin = false;   // holds the admin role

  const std::string& user_id() const { return token.user.id; }
  const std::string& user_name() const { return token.user.name; }
  std::string project_id() const { return token.ProjectId(); }
  std::string project_name() const { return token.project ? token.project->name : std::string(); }
};

// Validates tokens. Abstract so that tests of the routes can run without a
// Keystone (the production implementation is KeystoneTokenValidator).
class TokenValidator {
 public:
  virtual ~TokenValidator() = default;
  // The token's details. kNotFound for an invalid, expired or revoked token;
  // kUnavailable when Keystone cannot say.
  virtual Result<openstack::Token> Validate(std::string_view token) = 0;
};

// Validates with Keystone through the service user's session.
class KeystoneTokenValidator final : public TokenValidator {
 public:
  explicit KeystoneTokenValidator(openstack::ServiceSession& session) : session_(session) {}
  Result<openstack::Token> Validate(std::string_view token) override;

 private:
  openstack::ServiceSession& session_;
};

struct AuthOptions {
  size_t cache_size = 10000;             // tokens kept; 0 disables the cache
  std::chrono::seconds cache_time{300};  // longest a validation is trusted
  // Whether a token's holder is a cloud admin (cairn-api passes the policy's
  // context_is_admin rule); unset: holds the "admin" role.
  std::function<bool(const openstack::Token&)> is_admin;
};

// Authenticates tokens through a validator and a bounded LRU cache. Thread safe.
class Authenticator {
 public:
  Authenticator(TokenValidator& validator, AuthOptions options, const Clock& clock = SystemClock::Get());

  // The caller's identity for `token`: kNotFound for an invalid, expired or
  // revoked token (the middleware answers 401), kUnavailable when Keystone
  // cannot be asked (503).
  Result<std::shared_ptr<const AuthContext>> Authenticate(std::string_view token);

  // Tokens currently cached (for tests and metrics).
  size_t cached() const;

 private:
  struct Entry {
    std::shared_ptr<const AuthContext> context;
    TimePoint valid_until;
    std::list<std::string>::iterator lru;
  };

  TokenValidator& validator_;
  const AuthOptions options_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // key: SHA-256 of the token
  std::list<std::string> lru_;                      // most recently used first
};

// The middleware for Dispatcher::Use: on routes with auth_required, reads
// X-Auth-Token, authenticates it (401 unauthorized fault when missing or bad,
// 503 when Keystone is unreachable), sets request.auth, and refuses (403) a
// {project_id} path parameter that is not the token's project unless the
// caller is admin.
Middleware MakeAuthMiddleware(std::shared_ptr<Authenticator> authenticator);

}  // namespace cairn::api
