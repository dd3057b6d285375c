// The audit log: who did what to which object, when.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "db/database.h"
#include "db/models.h"

namespace cairn::db {

class AuditRepository {
 public:
  explicit AuditRepository(Executor& db) : db_(db) {}

  // Appends an entry (id generated when empty, created_at now when left at
  // the epoch). Returns it.
  Result<AuditEntry> Append(AuditEntry entry);
  // Entries with from <= created_at <= to (either bound optional), newest
  // first, at most `limit` (0: all).
  Result<std::vector<AuditEntry>> List(std::optional<TimePoint> from, std::optional<TimePoint> to,
                                       int limit = 0);
  // Removes entries created before `older_than`; returns how many.
  Result<int64_t> Purge(TimePoint older_than);

 private:
  Executor& db_;
};

}  // namespace cairn::db
