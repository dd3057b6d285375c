#include "api/v1/workload_access.h"

#include <string>

#include "common/strings.h"
#include "db/workload_repository.h"

namespace cairn::api {

Result<db::Workload> LoadWorkload(ApiService& service, const Request& request, std::string_view id) {
  const Status missing = Status::NotFound("Workload " + std::string(id) + " could not be found.");
  if (!LooksLikeId(id)) return missing;
  auto w = db::WorkloadRepository(service.db).Get(AsciiLower(id));
  if (!w.ok()) return w.status().code() == ErrorCode::kNotFound ? missing : w.status();
  CAIRN_RETURN_IF_ERROR(CheckVisible(request, w->project_id, "Workload " + std::string(id)));
  return w;
}

control::JobSchedule StoredSchedule(const db::Workload& w, TimePoint now) {
  auto parsed = control::ParseJobSchedule(w.jobschedule.is_object() ? w.jobschedule : nlohmann::json::object(),
                                         control::DefaultJobSchedule(now));
  return parsed.ok() ? *parsed : control::DefaultJobSchedule(now);
}

nlohmann::json ScheduleView(const db::Workload& w, TimePoint now) {
  return control::JobScheduleToJson(StoredSchedule(w, now), now);
}

nlohmann::json StoredForm(const control::JobSchedule& s, TimePoint now) {
  nlohmann::json out = control::JobScheduleToJson(s, now);
  out.erase("nextrun");
  return out;
}

}  // namespace cairn::api
