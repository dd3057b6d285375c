// Quota enforcement for requests that create or grow things.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"
#include "db/database.h"

namespace cairn::api {

// OK when the project has no live quota of `quota_type_id`, or its allowed
// value is negative (unlimited) or at least `in_use_after` (what the project
// would use once the request is done). Otherwise kOutOfRange (413 overLimit):
// "Quota exceeded for <type_name>: allowed N, requested M."
Status EnforceQuota(db::Executor& db, std::string_view project_id, std::string_view quota_type_id,
                    std::string_view type_name, int64_t in_use_after);

}  // namespace cairn::api
