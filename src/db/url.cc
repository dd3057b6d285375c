#include "db/url.h"

#include <charconv>

namespace cairn::db {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes; InvalidArgument for a broken escape.
Result<std::string> PercentDecode(std::string_view text, std::string_view what, std::string_view masked) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) {
      return Status::InvalidArgument("database URL " + std::string(masked) + ": bad percent escape in the " +
                                     std::string(what));
    }
    int hi = HexValue(text[i + 1]);
    int lo = HexValue(text[i + 2]);
    if (hi < 0 || lo < 0) {
      return Status::InvalidArgument("database URL " + std::string(masked) + ": bad percent escape in the " +
                                     std::string(what));
    }
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

Status Bad(std::string_view masked, std::string_view why) {
  return Status::InvalidArgument("database URL '" + std::string(masked) + "': " + std::string(why));
}

}  // namespace

std::string_view BackendName(Backend backend) {
  switch (backend) {
    case Backend::kSqlite: return "sqlite";
    case Backend::kPostgresql: return "postgresql";
    case Backend::kMysql: return "mysql";
  }
  return "unknown";
}

std::string MaskUrlPassword(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  size_t auth_begin = scheme_end + 3;
  size_t query = url.find('?', auth_begin);
  std::string_view before_query = url.substr(0, query);
  size_t at = before_query.rfind('@');
  if (at == std::string_view::npos || at < auth_begin) return std::string(url);
  size_t colon = url.find(':', auth_begin);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

Result<DatabaseUrl> ParseDatabaseUrl(std::string_view url) {
  const std::string masked = MaskUrlPassword(url);
  if (url.empty()) return Status::InvalidArgument("database URL is empty");
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return Bad(masked, "no scheme (expected e.g. sqlite:////var/lib/cairn/cairn.db or "
                       "postgresql://user:pass@host/db)");
  }
  std::string_view scheme = url.substr(0, scheme_end);
  if (size_t plus = scheme.find('+'); plus != std::string_view::npos) {
    if (plus + 1 == scheme.size()) return Bad(masked, "empty driver after '+' in the scheme");
    scheme = scheme.substr(0, plus);
  }
  DatabaseUrl out;
  if (scheme == "sqlite") {
    out.backend = Backend::kSqlite;
  } else if (scheme == "postgresql" || scheme == "postgres") {
    out.backend = Backend::kPostgresql;
  } else if (scheme == "mysql" || scheme == "mariadb") {
    out.backend = Backend::kMysql;
  } else {
    return Bad(masked, "unknown scheme '" + std::string(scheme) + "' (expected sqlite, postgresql or mysql)");
  }
  std::string_view rest = url.substr(scheme_end + 3);

  // Query parameters.
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    std::string_view query = rest.substr(q + 1);
    rest = rest.substr(0, q);
    while (!query.empty()) {
      size_t amp = query.find('&');
      std::string_view pair = query.substr(0, amp);
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
      if (pair.empty()) continue;
      size_t eq = pair.find('=');
      if (eq == std::string_view::npos || eq == 0) {
        return Bad(masked, "query parameter '" + std::string(pair) + "' is not name=value");
      }
      CAIRN_ASSIGN_OR_RETURN(std::string value, PercentDecode(pair.substr(eq + 1), "query", masked));
      out.params[std::string(pair.substr(0, eq))] = std::move(value);
    }
  }

  if (out.backend == Backend::kSqlite) {
    if (rest.empty()) {
      out.in_memory = true;
      return out;
    }
    if (rest.front() != '/') {
      return Bad(masked, "a SQLite URL is sqlite:////absolute/path.db, sqlite:///relative.db or sqlite://");
    }
    std::string_view path = rest.substr(1);
    if (path.empty()) return Bad(masked, "no file path after sqlite:///");
    if (path.back() == '/') return Bad(masked, "the SQLite path names a directory");
    if (path.find('"') != std::string_view::npos) return Bad(masked, "the SQLite path contains a '\"'");
    CAIRN_ASSIGN_OR_RETURN(out.path, PercentDecode(path, "path", masked));
    return out;
  }

  // scheme://[user[:password]@]host[:port]/database
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view database = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    size_t colon = userinfo.find(':');
    CAIRN_ASSIGN_OR_RETURN(out.user, PercentDecode(userinfo.substr(0, colon), "user name", masked));
    if (colon != std::string_view::npos) {
      CAIRN_ASSIGN_OR_RETURN(out.password, PercentDecode(userinfo.substr(colon + 1), "password", masked));
    }
    if (out.user.empty()) return Bad(masked, "empty user name before '@'");
  }
  std::string_view host = authority;
  std::string_view port;
  if (!host.empty() && host.front() == '[') {  // [IPv6]:port
    size_t close = host.find(']');
    if (close == std::string_view::npos) return Bad(masked, "unterminated '[' in the host");
    std::string_view after = host.substr(close + 1);
    host = host.substr(1, close - 1);
    if (!after.empty()) {
      if (after.front() != ':') return Bad(masked, "unexpected text after the IPv6 address");
      port = after.substr(1);
      if (port.empty()) return Bad(masked, "empty port after ':'");
    }
  } else if (size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
    if (port.empty()) return Bad(masked, "empty port after ':'");
  }
  out.host = std::string(host);
  if (!port.empty()) {
    int value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value < 1 || value > 65535) {
      return Bad(masked, "port '" + std::string(port) + "' is not a number from 1 to 65535");
    }
    out.port = value;
  }
  if (database.empty()) return Bad(masked, "missing the database name (scheme://user:pass@host/DATABASE)");
  if (database.find('/') != std::string_view::npos) return Bad(masked, "the database name contains '/'");
  CAIRN_ASSIGN_OR_RETURN(out.database, PercentDecode(database, "database name", masked));
  return out;  // an empty host: the client library's default (a local socket)
}

}  // namespace cairn::db
