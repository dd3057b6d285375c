// Internal: the ordered list of schema migrations (see schema.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "db/url.h"

namespace cairn::db::internal {

// One step of the schema. Statements are portable SQL with type placeholders
// that TranslateSql expands per backend.
struct Migration {
  int version;
  std::string_view name;
  std::vector<std::string_view> statements;
};

// Every migration, by increasing version (1, 2, ... without gaps).
const std::vector<Migration>& Migrations();

// Expands the placeholders of a migration statement for `backend`:
//   {ID}   a uuid key          TEXT (VARCHAR(64) on MySQL)
//   {KEY}  indexed short text  TEXT (VARCHAR(255) on MySQL)
//   {TS}   an ISO 8601 time    TEXT (VARCHAR(32) on MySQL)
//   {TEXT} long text, JSON     TEXT (LONGTEXT on MySQL)
//   {NOW}  the quoted current time
//   {ENGINE} " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4" on MySQL, "" elsewhere
std::string TranslateSql(std::string_view statement, Backend backend, std::string_view now);

}  // namespace cairn::db::internal
