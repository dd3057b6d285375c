// Versioned schema migrations.
//
// The schema is an ordered list of migrations compiled into Cairn (version 1,
// 2, ...); the table schema_migrations records which ones a database has.
// `cairn-manage db sync` calls Sync; the services open the database with
// OpenSynced, which refuses a database whose schema is not the one this
// build needs.
#pragma once

#include <memory>

#include "common/status.h"
#include "db/database.h"

namespace cairn::db {

// The schema version this build of Cairn needs (the last migration's).
int LatestSchemaVersion();

// The version the database is at: 0 for an empty database.
Result<int> CurrentSchemaVersion(Executor& db);

// Applies the missing migrations in order, each in its own transaction (on
// MySQL, whose DDL commits implicitly, each statement is atomic on its own).
// Safe when several processes run it at once: they serialise on a lock
// (PostgreSQL advisory lock, MySQL GET_LOCK, SQLite BEGIN IMMEDIATE) and a
// migration already applied is skipped. Idempotent. Returns the version reached.
// Unavailable when the database is at a version newer than this build.
Result<int> Sync(Database& db);

// OK when the database is at LatestSchemaVersion(). Otherwise Unavailable:
// "database schema is at version N, this Cairn needs M: run cairn-manage db sync"
// (or, for a newer database, that this Cairn is older than the database).
Status CheckSchemaVersion(Executor& db);

// Database::Open followed by CheckSchemaVersion: what services use.
Result<std::unique_ptr<Database>> OpenSynced(const DatabaseOptions& options);

}  // namespace cairn::db
