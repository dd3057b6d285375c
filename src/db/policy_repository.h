// Workload policies and their assignment to projects.
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

// A partial update; nullopt: unchanged.
struct PolicyUpdate {
  std::optional<std::string> name{};
  std::optional<std::string> description{};
  std::optional<Json> field_values{};
  std::optional<Json> metadata{};
  std::optional<std::string> status{};
};

class PolicyRepository {
 public:
  explicit PolicyRepository(Executor& db) : db_(db) {}

  // Inserts a policy (id generated when empty).
  Result<Policy> Create(Policy policy);
  // NotFound when missing or deleted.
  Result<Policy> Get(std::string_view id);
  // Live policies, by name.
  Result<std::vector<Policy>> List();
  Result<Policy> Update(std::string_view id, const PolicyUpdate& update);
  // Soft delete; its assignments are removed. NotFound when missing or deleted.
  Status SoftDelete(std::string_view id);

  // Assigns the policy to a project (replacing the project_name when it is
  // assigned already). NotFound when the policy is missing or deleted.
  Status Assign(std::string_view policy_id, std::string_view project_id, std::string_view project_name);
  // Removes an assignment; OK when there was none.
  Status Unassign(std::string_view policy_id, std::string_view project_id);
  // Assignments of live policies to a project.
  Result<std::vector<PolicyAssignment>> AssignmentsOfProject(std::string_view project_id);
  // Assignments of a policy, by project_id.
  Result<std::vector<PolicyAssignment>> AssignmentsOfPolicy(std::string_view policy_id);
  // Removes the policies soft deleted before `older_than`; returns how many.
  Result<int64_t> Purge(TimePoint older_than);

 private:
  Executor& db_;
};

}  // namespace cairn::db
