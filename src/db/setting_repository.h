// Settings of a project, or global (project_id kGlobalProject).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "db/database.h"
#include "db/models.h"

namespace cairn::db {

class SettingRepository {
 public:
  explicit SettingRepository(Executor& db) : db_(db) {}

  // Inserts or replaces the setting (project_id, name), reviving a deleted
  // one; created_at is kept on replace. Returns the stored row.
  Result<Setting> Upsert(Setting setting);
  // NotFound when missing or deleted.
  Result<Setting> Get(std::string_view project_id, std::string_view name);
  // The live settings of a project, by name; include_hidden false leaves
  // is_hidden ones out.
  Result<std::vector<Setting>> List(std::string_view project_id, bool include_hidden = true);
  // Soft delete. NotFound when missing or deleted.
  Status Delete(std::string_view project_id, std::string_view name);
  // Removes the settings soft deleted before `older_than`; returns how many.
  Result<int64_t> Purge(TimePoint older_than);

 private:
  Executor& db_;
};

// Whether the global job scheduler runs: the global setting
// kGlobalJobSchedulerSetting, on unless it says otherwise.
Result<bool> GlobalJobSchedulerEnabled(Executor& db);

}  // namespace cairn::db
