#include "control/job_origin.h"

#include "db/job_repository.h"

namespace cairn::control {

db::Job NewJob(const JobOrigin& origin, std::string_view kind, std::string_view object_id,
               std::string_view workload_id, std::string_view project_id, nlohmann::json payload) {
  db::Job job;
  job.kind = std::string(kind);
  job.object_id = std::string(object_id);
  job.workload_id = std::string(workload_id);
  job.project_id = std::string(project_id);
  job.user_id = origin.user_id;
  payload["request_id"] = origin.request_id;
  // The jobs that act as the requesting user carry their token (until the
  // job ends, however it ends: the job repository drops it); no other job
  // stores it.
  if (origin.auth_token && db::JobActsAsUser(kind)) payload[std::string(db::kAuthTokenKey)] = *origin.auth_token;
  job.payload = std::move(payload);
  return job;
}

}  // namespace cairn::control
