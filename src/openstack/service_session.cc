#include "openstack/service_session.h"

#include "common/log.h"

namespace cairn::openstack {

ServiceSession::ServiceSession(ServiceCredentials credentials, const Clock& clock, std::chrono::seconds renew_margin)
    : credentials_(std::move(credentials)),
      clock_(clock),
      renew_margin_(renew_margin),
      http_(credentials_.http),
      keystone_(http_, credentials_.auth_url) {}

Result<Token> ServiceSession::TokenLocked() {
  const TimePoint now = clock_.Now();
  if (token_) {
    // Renew within the margin, and at the latest at half the token's lifetime
    // (so a short-lived token is not used up to its last second).
    const auto half_life = (token_->expires_at - token_->issued_at) / 2;
    const bool past_half = token_->issued_at != TimePoint() && now >= token_->issued_at + half_life;
    if (!token_->ExpiresWithin(renew_margin_, now) && !past_half) return *token_;
  }
  auto token = keystone_.Authenticate(credentials_.Method(), credentials_.Scope());
  if (!token.ok()) {
    GetLogger("openstack")->warn("service user {} could not authenticate: {}", credentials_.username,
                                    token.status().ToString());
    return token.status();
  }
  GetLogger("openstack")->debug("service user {} authenticated; token expires at {}", credentials_.username,
                                FormatIso8601(token->expires_at, IsoFormat::kSecondsZ));
  token_ = *token;
  return token;
}

Result<Token> ServiceSession::GetToken() {
  std::lock_guard<std::mutex> lock(mu_);
  return TokenLocked();
}

Result<std::string> ServiceSession::TokenId() {
  CAIRN_ASSIGN_OR_RETURN(Token token, GetToken());
  return token.id;
}

Result<Catalog> ServiceSession::GetCatalog() {
  CAIRN_ASSIGN_OR_RETURN(Token token, GetToken());
  return token.catalog;
}

void ServiceSession::Invalidate() {
  std::lock_guard<std::mutex> lock(mu_);
  token_.reset();
}

Result<Token> ServiceSession::ValidateUserToken(std::string_view subject_token) {
  CAIRN_ASSIGN_OR_RETURN(std::string service_token, TokenId());
  auto result = keystone_.ValidateToken(service_token, subject_token);
  if (result.ok() || result.status().code() != ErrorCode::kPermissionDenied) return result;
  GetLogger("openstack")->info("service token rejected while validating a user token; authenticating again");
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Another thread may have renewed it meanwhile; drop it only if it is the one rejected.
    if (token_ && token_->id == service_token) token_.reset();
  }
  CAIRN_ASSIGN_OR_RETURN(service_token, TokenId());
  return keystone_.ValidateToken(service_token, subject_token);
}

Result<std::string> ServiceSession::IdentityAdminUrl() {
  CAIRN_ASSIGN_OR_RETURN(Token token, GetToken());
  auto url = token.catalog.EndpointFor("identity", Interface::kAdmin, credentials_.region_name);
  if (url.ok()) return NormalizeIdentityUrl(*url);
  return credentials_.auth_url;
}

}  // namespace cairn::openstack
