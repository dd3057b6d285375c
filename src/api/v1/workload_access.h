// What several route files need of a workload: loading one the caller may
// see, and reading / writing its stored job schedule.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "api/request.h"
#include "api/v1/service.h"
#include "common/status.h"
#include "db/models.h"
#include "control/job_schedule.h"

namespace cairn::api {

// The live workload `id` if the caller may see it; kNotFound "Workload <id>
// could not be found." otherwise (also for ids that are not UUIDs and for
// another project's workload: no leak of existence).
Result<db::Workload> LoadWorkload(ApiService& service, const Request& request, std::string_view id);

// The workload's stored schedule (stored JSON is canonical); the default
// schedule when none or an unreadable one is stored.
control::JobSchedule StoredSchedule(const db::Workload& workload, TimePoint now);

// The schedule as the workload views show it: canonical JSON with "nextrun"
// when enabled.
nlohmann::json ScheduleView(const db::Workload& workload, TimePoint now);

// The form a schedule is stored in: canonical JSON without "nextrun".
nlohmann::json StoredForm(const control::JobSchedule& schedule, TimePoint now);

}  // namespace cairn::api
