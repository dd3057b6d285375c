#include "api/v1/auth.h"

#include <openssl/evp.h>

#include "api/fault.h"
#include "common/log.h"
#include "common/strings.h"
#include "openstack/service_session.h"

namespace cairn::api {
namespace {

// Hex SHA-256 of a token: the cache key (tokens are never kept in the clear).
std::string TokenKey(std::string_view token) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(token.data(), token.size(), digest, &size, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

}  // namespace

Result<openstack::Token> KeystoneTokenValidator::Validate(std::string_view token) {
  return session_.ValidateUserToken(token);
}

Authenticator::Authenticator(TokenValidator& validator, AuthOptions options, const Clock& clock)
    : validator_(validator), options_(std::move(options)), clock_(clock) {}

size_t Authenticator::cached() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

Result<std::shared_ptr<const AuthContext>> Authenticator::Authenticate(std::string_view token) {
  if (token.empty() || token.size() > 8192) return Status::NotFound("token is invalid or expired");
  const std::string key = TokenKey(token);
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end()) {
      if (clock_.Now() < it->second.valid_until) {
        lru_.splice(lru_.begin(), lru_, it->second.lru);
        return it->second.context;
      }
      lru_.erase(it->second.lru);
      entries_.erase(it);
    }
  }
  // Validate outside the lock: Keystone may take a while.
  CAIRN_ASSIGN_OR_RETURN(openstack::Token validated, validator_.Validate(token));
  const TimePoint now = clock_.Now();
  if (validated.expires_at <= now) return Status::NotFound("token is invalid or expired");
  auto context = std::make_shared<AuthContext>();
  context->is_admin = options_.is_admin ? options_.is_admin(validated) : validated.HasRole("admin");
  context->token = std::move(validated);
  if (options_.cache_size == 0) return std::shared_ptr<const AuthContext>(context);

  const TimePoint valid_until = std::min(context->token.expires_at, now + options_.cache_time);
  std::lock_guard lock(mu_);
  if (auto it = entries_.find(key); it != entries_.end()) {
    lru_.erase(it->second.lru);
    entries_.erase(it);
  }
  while (entries_.size() >= options_.cache_size && !lru_.empty()) {
    entries_.erase(lru_.back());
    lru_.pop_back();
  }
  lru_.push_front(key);
  entries_.emplace(key, Entry{context, valid_until, lru_.begin()});
  return std::shared_ptr<const AuthContext>(context);
}

Middleware MakeAuthMiddleware(std::shared_ptr<Authenticator> authenticator) {
  return [authenticator](Request& request, const Route& route) -> std::optional<Response> {
    if (!route.options.auth_required) return std::nullopt;
    const auto token = request.Header("X-Auth-Token");
    if (!token || Trim(*token).empty()) return UnauthorizedFault();
    auto context = authenticator->Authenticate(Trim(*token));
    if (!context.ok()) {
      if (context.status().code() == ErrorCode::kNotFound) return UnauthorizedFault();
      GetLogger("api")->error("{}: token validation failed: {}", request.request_id,
                              context.status().ToString());
      return ServiceUnavailableFault("The identity service cannot validate the token now; try again.");
    }
    const AuthContext& caller = **context;
    const std::string& url_project = request.PathParam("project_id");
    if (!url_project.empty() && url_project != caller.project_id() && !caller.is_admin) {
      return ForbiddenFault("Project " + Quoted(url_project) + " in the URL is not the project of the token.");
    }
    request.auth = *context;
    return std::nullopt;
  };
}

}  // namespace cairn::api
