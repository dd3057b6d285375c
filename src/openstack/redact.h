// Masking of secrets before anything reaches a log line.
#pragma once

#include <string>
#include <string_view>

namespace cairn::openstack {

// The text that stands for a hidden secret in logs.
inline constexpr std::string_view kRedacted = "***";

// True for headers whose value is a credential: X-Auth-Token, X-Subject-Token,
// X-Service-Token, Authorization, Cookie, Set-Cookie (any case).
bool IsSecretHeader(std::string_view name);

// The header value as it may be logged: kRedacted for a secret header, else as is.
std::string RedactHeaderValue(std::string_view name, std::string_view value);

// A body as it may be logged: for JSON, every string under a key named
// password, secret, original_password, adminPass or token (any case; a "token"
// object has its "id" hidden) is replaced by kRedacted; text that is not JSON
// is shown as "<N bytes, not JSON>". At most `max_chars` characters, then "...".
std::string RedactBody(std::string_view body, size_t max_chars = 2000);

}  // namespace cairn::openstack
