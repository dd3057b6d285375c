// ServiceSession: the service user's Keystone session. Holds the credentials
// from [keystone_authtoken], authenticates on first use, caches the token and
// renews it before it expires. Thread safe: many threads may ask for the
// token at once; one of them authenticates, the others wait for it.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/status.h"
#include "common/time.h"
#include "openstack/http_client.h"
#include "openstack/keystone.h"
#include "openstack/options.h"
#include "openstack/token.h"

namespace cairn::openstack {

class ServiceSession {
 public:
  // `clock` decides when the token is renewed (the real clock by default);
  // it must outlive the session. The token is renewed when it expires within
  // `renew_margin` (and at the latest at half its lifetime).
  explicit ServiceSession(ServiceCredentials credentials, const Clock& clock = SystemClock::Get(),
                          std::chrono::seconds renew_margin = std::chrono::minutes(5));

  // The service user's current token, authenticating when there is none or it
  // is due for renewal. Errors of KeystoneClient::Authenticate.
  Result<Token> GetToken();
  // GetToken().id.
  Result<std::string> TokenId();
  // The current token's catalog.
  Result<Catalog> GetCatalog();

  // Drops the cached token so the next call authenticates again (after a
  // service answered 401 to it).
  void Invalidate();

  // Validates a user's token (KeystoneClient::ValidateToken) with the service
  // token. When the service token is rejected (kPermissionDenied), it
  // authenticates again once and retries. kNotFound "token is invalid or
  // expired" for a bad user token.
  Result<Token> ValidateUserToken(std::string_view subject_token);

  // The identity URL for admin-only calls: the catalog's identity endpoint on
  // the admin interface (in the configured region) when there is one, else
  // the configured auth_url.
  Result<std::string> IdentityAdminUrl();

  const ServiceCredentials& credentials() const { return credentials_; }
  const HttpClient& http() const { return http_; }
  const KeystoneClient& keystone() const { return keystone_; }

 private:
  // Authenticates when needed; requires mu_ held.
  Result<Token> TokenLocked();

  const ServiceCredentials credentials_;
  const Clock& clock_;
  const std::chrono::seconds renew_margin_;
  const HttpClient http_;
  const KeystoneClient keystone_;

  std::mutex mu_;
  std::optional<Token> token_;  // guarded by mu_
};

}  // namespace cairn::openstack
