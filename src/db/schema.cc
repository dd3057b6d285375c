#include "db/schema.h"

#include <soci/soci.h>

#include "common/log.h"
#include "db/migrations.h"
#include "db/sql.h"

namespace cairn::db {
namespace {

using internal::Exec;
using internal::Params;

// The key of the PostgreSQL advisory lock / name of the MySQL lock held by Sync.
constexpr long long kSyncLockKey = 0x6361697226L;  // "cair&"
constexpr std::string_view kSyncLockName = "cairn_schema_sync";

bool MigrationsTableExists(soci::session& session, Backend backend) {
  Params p;
  std::string sql;
  switch (backend) {
    case Backend::kSqlite:
      sql = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";
      break;
    case Backend::kPostgresql:
      sql = "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()"
            " AND table_name = 'schema_migrations'";
      break;
    case Backend::kMysql:
      sql = "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()"
            " AND table_name = 'schema_migrations'";
      break;
  }
  return internal::QueryInt(session, sql, p) > 0;
}

int VersionOf(soci::session& session, Backend backend) {
  if (!MigrationsTableExists(session, backend)) return 0;
  Params p;
  return static_cast<int>(internal::QueryInt(session, "SELECT MAX(version) FROM schema_migrations", p));
}

void CreateMigrationsTable(soci::session& session, Backend backend) {
  Exec(session, internal::TranslateSql("CREATE TABLE IF NOT EXISTS schema_migrations ("
                                       " version INTEGER NOT NULL, name {KEY} NOT NULL,"
                                       " applied_at {TS} NOT NULL, PRIMARY KEY (version)){ENGINE}",
                                       backend, ""));
}

void Begin(soci::session& session, Backend backend) {
  if (backend == Backend::kSqlite) {
    session << "BEGIN IMMEDIATE";
  } else {
    session.begin();
  }
}

void Rollback(soci::session& session) {
  try {
    session.rollback();
  } catch (const std::exception&) {
    // Nothing to roll back.
  }
}

// Applies the missing migrations on one session, under the sync lock (held
// by the caller for PostgreSQL and MySQL; SQLite's BEGIN IMMEDIATE is the lock).
int ApplyMissing(soci::session& session, Backend backend) {
  auto log = GetLogger("db");
  const int latest = LatestSchemaVersion();
  // The bookkeeping table, created under the same lock.
  Begin(session, backend);
  try {
    CreateMigrationsTable(session, backend);
    session.commit();
  } catch (...) {
    Rollback(session);
    throw;
  }
  int reached = 0;
  for (const internal::Migration& m : internal::Migrations()) {
    Begin(session, backend);
    try {
      int current = VersionOf(session, backend);
      if (current > latest) {
        throw internal::StatusError(Status::Unavailable(
            "database schema is at version " + std::to_string(current) + ", newer than this Cairn (" +
            std::to_string(latest) + "): upgrade Cairn"));
      }
      if (current >= m.version) {
        session.commit();
        reached = current;
        continue;
      }
      const std::string now = internal::FormatTime(UtcNow());
      for (std::string_view statement : m.statements) {
        Exec(session, internal::TranslateSql(statement, backend, now));
      }
      Params p;
      Exec(session,
           "INSERT INTO schema_migrations (version, name, applied_at) VALUES (" + p.Int(m.version) + ", " +
               p.Text(m.name) + ", " + p.Text(now) + ")",
           p);
      session.commit();
      reached = m.version;
      log->info("database schema migrated to version {} ({})", m.version, m.name);
    } catch (const internal::StatusError&) {
      Rollback(session);
      throw;
    } catch (const std::exception& e) {
      Rollback(session);
      throw internal::StatusError(internal::StatusFromException(
          "schema migration " + std::to_string(m.version) + " (" + std::string(m.name) + ")", e));
    }
  }
  return reached;
}

}  // namespace

int LatestSchemaVersion() { return internal::Migrations().back().version; }

Result<int> CurrentSchemaVersion(Executor& db) {
  int version = 0;
  CAIRN_RETURN_IF_ERROR(db.Run("read the schema version", [&](soci::session& session) {
    version = VersionOf(session, db.backend());
    return Status::OK();
  }));
  return version;
}

Result<int> Sync(Database& db) {
  int reached = 0;
  const Backend backend = db.backend();
  CAIRN_RETURN_IF_ERROR(db.Run("schema sync", [&](soci::session& session) {
    switch (backend) {
      case Backend::kSqlite:
        reached = ApplyMissing(session, backend);
        return Status::OK();
      case Backend::kPostgresql: {
        session << "SELECT pg_advisory_lock(" + std::to_string(kSyncLockKey) + ")";
        try {
          reached = ApplyMissing(session, backend);
        } catch (...) {
          session << "SELECT pg_advisory_unlock(" + std::to_string(kSyncLockKey) + ")";
          throw;
        }
        session << "SELECT pg_advisory_unlock(" + std::to_string(kSyncLockKey) + ")";
        return Status::OK();
      }
      case Backend::kMysql: {
        int got = 0;
        session << "SELECT GET_LOCK('" + std::string(kSyncLockName) + "', 600)", soci::into(got);
        if (got != 1) return Status::Unavailable("schema sync: another process holds the schema lock");
        try {
          reached = ApplyMissing(session, backend);
        } catch (...) {
          session << "SELECT RELEASE_LOCK('" + std::string(kSyncLockName) + "')";
          throw;
        }
        session << "SELECT RELEASE_LOCK('" + std::string(kSyncLockName) + "')";
        return Status::OK();
      }
    }
    return Status::Internal("unknown backend");
  }));
  return reached;
}

Status CheckSchemaVersion(Executor& db) {
  CAIRN_ASSIGN_OR_RETURN(int current, CurrentSchemaVersion(db));
  const int latest = LatestSchemaVersion();
  if (current == latest) return Status::OK();
  if (current > latest) {
    return Status::Unavailable("database schema is at version " + std::to_string(current) +
                               ", newer than this Cairn (" + std::to_string(latest) + "): upgrade Cairn");
  }
  return Status::Unavailable("database schema is at version " + std::to_string(current) + ", this Cairn needs " +
                             std::to_string(latest) + ": run cairn-manage db sync");
}

Result<std::unique_ptr<Database>> OpenSynced(const DatabaseOptions& options) {
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::Open(options));
  CAIRN_RETURN_IF_ERROR(CheckSchemaVersion(*db).WithContext(db->DisplayUrl()));
  return db;
}

}  // namespace cairn::db
