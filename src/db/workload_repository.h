// Workloads, their VMs and the workload types.
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

// Which workloads List returns. Ordered newest first (created_at, then id, descending).
struct WorkloadFilter {
  std::optional<std::string> project_id{};  // nullopt: all projects
  std::optional<std::string> name{};        // exact match
  std::vector<std::string> statuses{};      // empty: any status
  bool include_deleted = false;
};

// A partial update: fields left nullopt are not changed.
struct WorkloadUpdate {
  std::optional<std::string> name{};
  std::optional<std::string> description{};
  std::optional<Json> jobschedule{};
  std::optional<Json> metadata{};
  std::optional<std::string> status{};
  std::optional<std::string> error_msg{};
  std::optional<std::string> availability_zone{};
  std::optional<int64_t> storage_usage{};
  std::optional<std::string> host{};
  std::optional<std::string> project_id{};  // reassign
  std::optional<std::string> user_id{};     // reassign
  std::optional<std::vector<WorkloadVm>> vms{};  // replaces the whole VM set
};

// What a project uses, for quotas.
struct WorkloadCounts {
  int64_t workloads = 0;  // live workloads
  int64_t vms = 0;        // VMs in live workloads
};

class WorkloadRepository {
 public:
  explicit WorkloadRepository(Executor& db) : db_(db) {}

  // Inserts the workload and its VMs in one transaction; generates the id
  // when empty and sets the times (keeping a created_at the caller set). Returns the stored row. Conflict when the
  // id exists.
  Result<Workload> Create(Workload workload);
  // The workload with its VMs. NotFound when missing, or deleted unless
  // include_deleted.
  Result<Workload> Get(std::string_view id, bool include_deleted = false);
  // Workloads (with their VMs) matching `filter`, newest first, one page.
  Result<std::vector<Workload>> List(const WorkloadFilter& filter = {}, const Page& page = {});
  // Applies the set fields; VMs replaced as a set when `vms` is set. Returns
  // the updated row. NotFound when missing or deleted.
  Result<Workload> Update(std::string_view id, const WorkloadUpdate& update);
  // Atomic compare-and-set of the status: sets `new_status` (and error_msg
  // when given) only when the current status is one of `expected`. Conflict
  // naming the current status otherwise; NotFound when missing or deleted.
  Status SetStatusIf(std::string_view id, const std::vector<std::string>& expected,
                     std::string_view new_status, std::optional<std::string> error_msg = std::nullopt);
  // Soft delete: status "deleted", deleted flag and time. NotFound when
  // missing or already deleted.
  Status SoftDelete(std::string_view id);
  // Gives a live workload, its snapshots and its restores to another project
  // and user, in one transaction (snapshots and restores are seen through
  // their own project). NotFound when missing or deleted.
  Status SetOwner(std::string_view id, std::string_view project_id, std::string_view user_id);
  // Removes for good a soft-deleted workload with everything that refers to
  // it (its VMs, snapshots with their VMs and disks, restores), so that an
  // import can bring it back under the same id. Conflict when the workload
  // is live; OK when there is no such row.
  Status Erase(std::string_view id);
  // The live workload protecting Nova server `vm_id`, if any.
  Result<std::optional<Workload>> FindByVm(std::string_view vm_id);
  // Live workloads and their VMs in a project.
  Result<WorkloadCounts> CountByProject(std::string_view project_id);
  // Removes for good the workloads soft deleted before `older_than` that no
  // longer have snapshots, with their VMs. Returns how many workloads went.
  Result<int64_t> Purge(TimePoint older_than);

  // The workload types (the seeded Serial and Parallel), by name.
  Result<std::vector<WorkloadType>> ListTypes();
  // One workload type; NotFound when unknown.
  Result<WorkloadType> GetType(std::string_view id);

 private:
  Executor& db_;
};

}  // namespace cairn::db
