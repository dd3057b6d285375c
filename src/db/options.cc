#include "db/options.h"

namespace cairn::db {

Status RegisterDatabaseOptions(OptionRegistry& registry) {
  const std::string section(kDatabaseSection);
  const Option options[] = {
      {.section = section,
       .name = "connection",
       .type = OptionType::kString,
       .default_value = std::string(kDefaultConnection),
       .help = "The database URL: sqlite:////absolute/path.db, "
               "postgresql://user:password@host:port/database or "
               "mysql://user:password@host:port/database (a +driver suffix on the scheme is ignored).",
       .secret = true},
      {.section = section,
       .name = "pool_size",
       .type = OptionType::kInt,
       .default_value = "5",
       .help = "How many connections to keep open to the database server.",
       .min = 1,
       .max = 100},
      {.section = section,
       .name = "connect_timeout",
       .type = OptionType::kInt,
       .default_value = "10",
       .help = "Seconds to wait for the database server when connecting.",
       .min = 1,
       .max = 600},
      {.section = section,
       .name = "sqlite_busy_timeout",
       .type = OptionType::kInt,
       .default_value = "30",
       .help = "Seconds a SQLite connection waits for another one's write lock before failing.",
       .min = 1,
       .max = 3600},
  };
  return registry.Register(options);
}

Result<DatabaseOptions> DatabaseOptionsFromConfig(const Config& config) {
  DatabaseOptions options;
  CAIRN_ASSIGN_OR_RETURN(options.connection, config.GetString(kDatabaseSection, "connection"));
  CAIRN_ASSIGN_OR_RETURN(int64_t pool_size, config.GetInt(kDatabaseSection, "pool_size"));
  CAIRN_ASSIGN_OR_RETURN(int64_t connect_timeout, config.GetInt(kDatabaseSection, "connect_timeout"));
  CAIRN_ASSIGN_OR_RETURN(int64_t busy_timeout, config.GetInt(kDatabaseSection, "sqlite_busy_timeout"));
  options.pool_size = static_cast<int>(pool_size);
  options.connect_timeout = static_cast<int>(connect_timeout);
  options.sqlite_busy_timeout = static_cast<int>(busy_timeout);
  return options;
}

}  // namespace cairn::db
