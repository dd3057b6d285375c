// Keystone trusts held for scheduled jobs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "db/database.h"
#include "db/models.h"

namespace cairn::db {

class TrustRepository {
 public:
  explicit TrustRepository(Executor& db) : db_(db) {}

  // Inserts a trust (id generated when empty). Conflict when a trust of the
  // same name (Keystone trust id) exists, live or deleted.
  Result<Trust> Create(Trust trust);
  // NotFound when missing or deleted.
  Result<Trust> GetByName(std::string_view name);
  // The live trusts of a project, oldest first.
  Result<std::vector<Trust>> ListByProject(std::string_view project_id);
  // Soft delete by name. NotFound when missing or deleted.
  Status Delete(std::string_view name);
  // Removes the trusts soft deleted before `older_than`; returns how many.
  Result<int64_t> Purge(TimePoint older_than);

 private:
  Executor& db_;
};

}  // namespace cairn::db
