// Purge: removes for good what was soft deleted (or finished) long ago.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "common/time.h"
#include "db/database.h"

namespace cairn::db {

// How many rows PurgeDeleted removed, per kind.
struct PurgeCounts {
  int64_t snapshots = 0;
  int64_t restores = 0;
  int64_t workloads = 0;
  int64_t jobs = 0;
  int64_t settings = 0;
  int64_t policies = 0;
  int64_t quotas = 0;
  int64_t trusts = 0;
  int64_t audit_entries = 0;
  int64_t schedule_runs = 0;
};

// Removes rows soft deleted before `older_than` from every table (children
// with their parents: snapshots before workloads), finished jobs and audit
// entries older than it, and the scheduler's runs due before it (each
// workload's latest kept). Each table is purged in its own transaction.
Result<PurgeCounts> PurgeDeleted(Executor& db, TimePoint older_than);

}  // namespace cairn::db
