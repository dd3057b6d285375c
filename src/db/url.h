// Database connection URLs in the oslo.db (SQLAlchemy) form operators know:
//
//   sqlite:////var/lib/cairn/cairn.db     absolute path (four slashes)
//   sqlite:///cairn.db                    path relative to the working directory
//   sqlite://                             in memory (tests only: one connection)
//   postgresql://user:pass@host:5432/cairn?sslmode=require   (+psycopg2 accepted)
//   mysql://user:pass@host:3306/cairn                         (+pymysql accepted)
//
// A "+driver" suffix on the scheme is accepted and ignored. User, password and
// database name are percent-decoded.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"

namespace cairn::db {

enum class Backend { kSqlite, kPostgresql, kMysql };

// "sqlite", "postgresql", "mysql".
std::string_view BackendName(Backend backend);

// A parsed connection URL.
struct DatabaseUrl {
  Backend backend = Backend::kSqlite;
  // SQLite: the file path as written (absolute or relative); empty when in memory.
  std::string path{};
  bool in_memory = false;  // SQLite "sqlite://"
  // PostgreSQL / MySQL (empty or 0 when absent: the client library's default).
  std::string user{};
  std::string password{};
  std::string host{};
  int port = 0;
  std::string database{};
  // Query parameters (e.g. sslmode, charset), passed to the client library.
  std::map<std::string, std::string> params{};
};

// Parses a URL of one of the forms above. InvalidArgument naming what is wrong
// (unknown scheme, missing database name, bad port, ...); the message shows the
// URL with its password masked.
Result<DatabaseUrl> ParseDatabaseUrl(std::string_view url);

// `url` with the password replaced by "***" ("postgresql://cairn:***@db/cairn").
// Works on any text that looks like scheme://user:pass@...; other text is
// returned unchanged. Use it whenever a URL is logged or put in a message.
std::string MaskUrlPassword(std::string_view url);

}  // namespace cairn::db
