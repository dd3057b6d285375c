// The [database] configuration options and the values read from them.
#pragma once

#include <string>

#include "common/config.h"
#include "common/config_schema.h"
#include "common/status.h"

namespace cairn::db {

inline constexpr std::string_view kDatabaseSection = "database";
inline constexpr std::string_view kDefaultConnection = "sqlite:////var/lib/cairn/cairn.db";

// How to reach the database; see RegisterDatabaseOptions for each field's meaning.
struct DatabaseOptions {
  std::string connection = std::string(kDefaultConnection);  // a URL, see url.h
  int pool_size = 5;              // sessions kept open (SQLite in memory: always 1)
  int connect_timeout = 10;       // seconds to wait for the server when connecting
  int sqlite_busy_timeout = 30;   // seconds SQLite waits for a lock before failing
};

// Registers [database] connection, pool_size, connect_timeout and
// sqlite_busy_timeout.
Status RegisterDatabaseOptions(OptionRegistry& registry);

// DatabaseOptions from a Config holding the options of RegisterDatabaseOptions.
Result<DatabaseOptions> DatabaseOptionsFromConfig(const Config& config);

}  // namespace cairn::db
