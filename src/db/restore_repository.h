// Restores of snapshots.
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

// Which restores List returns, newest first.
struct RestoreFilter {
  std::optional<std::string> project_id{};  // nullopt: all projects
  std::optional<std::string> snapshot_id{};
  std::optional<std::string> workload_id{};
  std::vector<std::string> statuses{};
  bool include_deleted = false;
};

// A partial update; nullopt: unchanged.
struct RestoreUpdate {
  std::optional<std::string> name{};
  std::optional<std::string> description{};
  std::optional<std::string> status{};
  std::optional<int> progress_percent{};
  std::optional<std::string> progress_msg{};
  std::optional<std::string> warning_msg{};
  std::optional<std::string> error_msg{};
  std::optional<int64_t> size{};
  std::optional<int64_t> uploaded_size{};
  std::optional<int64_t> time_taken{};
  std::optional<Json> instances{};
  std::optional<TimePoint> finished_at{};
};

class RestoreRepository {
 public:
  explicit RestoreRepository(Executor& db) : db_(db) {}

  // Inserts a restore (id generated when empty); the snapshot must exist.
  Result<Restore> Create(Restore restore);
  // NotFound when missing, or deleted unless include_deleted.
  Result<Restore> Get(std::string_view id, bool include_deleted = false);
  Result<std::vector<Restore>> List(const RestoreFilter& filter = {}, const Page& page = {});
  // Applies the set fields; NotFound when missing or deleted.
  Result<Restore> Update(std::string_view id, const RestoreUpdate& update);
  // Compare-and-set of the status (see WorkloadRepository::SetStatusIf).
  Status SetStatusIf(std::string_view id, const std::vector<std::string>& expected,
                     std::string_view new_status, std::optional<std::string> error_msg = std::nullopt);
  // Soft delete (status "deleted"). NotFound when missing or already deleted.
  Status SoftDelete(std::string_view id);
  // Removes the restores soft deleted before `older_than`; returns how many.
  Result<int64_t> Purge(TimePoint older_than);

 private:
  Executor& db_;
};

}  // namespace cairn::db
