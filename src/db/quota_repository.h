// Quota types (seeded) and the quotas allowed to projects.
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

// A partial update; nullopt: unchanged. Every update bumps `version`.
struct AllowedQuotaUpdate {
  std::optional<int64_t> allowed_value{};
  std::optional<int64_t> high_watermark{};
};

class QuotaRepository {
 public:
  explicit QuotaRepository(Executor& db) : db_(db) {}

  // The quota types in display order.
  Result<std::vector<QuotaType>> ListTypes();
  // NotFound when unknown.
  Result<QuotaType> GetType(std::string_view id);

  // Inserts an allowed quota (id generated when empty). Conflict when the
  // project already has a live quota of that type; NotFound for an unknown type.
  Result<AllowedQuota> Create(AllowedQuota quota);
  // With quota_type_name filled. NotFound when missing or deleted.
  Result<AllowedQuota> Get(std::string_view id);
  // The project's live quotas, in quota type display order.
  Result<std::vector<AllowedQuota>> ListByProject(std::string_view project_id);
  // The project's live quota of one type, if any.
  Result<std::optional<AllowedQuota>> Find(std::string_view project_id, std::string_view quota_type_id);
  Result<AllowedQuota> Update(std::string_view id, const AllowedQuotaUpdate& update);
  // Soft delete. NotFound when missing or deleted.
  Status SoftDelete(std::string_view id);
  // Removes the quotas soft deleted before `older_than`; returns how many.
  Result<int64_t> Purge(TimePoint older_than);

 private:
  Executor& db_;
};

// OK when the project has no live quota of `quota_type_id`, or its allowed
// value is negative (unlimited) or at least `in_use_after` (what the project
// would use once the request is done). Otherwise kOutOfRange (413 overLimit
// in the API): "Quota exceeded for <type_name>: allowed N, requested M."
Status EnforceQuota(Executor& db, std::string_view project_id, std::string_view quota_type_id,
                    std::string_view type_name, int64_t in_use_after);

}  // namespace cairn::db
