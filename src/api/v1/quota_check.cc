#include "api/v1/quota_check.h"

#include <string>

#include "db/quota_repository.h"

namespace cairn::api {

Status EnforceQuota(db::Executor& db, std::string_view project_id, std::string_view quota_type_id,
                    std::string_view type_name, int64_t in_use_after) {
  CAIRN_ASSIGN_OR_RETURN(auto quota, db::QuotaRepository(db).Find(project_id, quota_type_id));
  if (!quota || quota->allowed_value < 0 || in_use_after <= quota->allowed_value) return Status::OK();
  return Status::OutOfRange("Quota exceeded for " + std::string(type_name) + ": allowed " +
                            std::to_string(quota->allowed_value) + ", requested " +
                            std::to_string(in_use_after) + ".");
}

}  // namespace cairn::api
