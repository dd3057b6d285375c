// Who starts a job: the user (and the request) a write operation of the
// managers acts for, and the job rows they queue on that user's behalf.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "db/models.h"

namespace cairn::control {

// The requester of a write operation. The API fills it from the request's
// token; tests and tools fill it directly.
struct JobOrigin {
  std::string user_id{};     // the job's user_id (the owner of what it creates)
  std::string request_id{};  // the API request id, recorded in the job's payload
  // The caller's token (none: no token, a scheduled job); stored only in the
  // jobs that act as the user.
  std::optional<std::string> auth_token{};
};

// A queued job of `kind` about `object_id` of `workload_id` in `project_id`,
// on behalf of `origin`: its payload is `payload` plus "request_id", and the
// origin's token (db::kAuthTokenKey) when the kind acts as the user
// (db::JobActsAsUser) and the origin has one.
db::Job NewJob(const JobOrigin& origin, std::string_view kind, std::string_view object_id,
               std::string_view workload_id, std::string_view project_id,
               nlohmann::json payload = nlohmann::json::object());

}  // namespace cairn::control
