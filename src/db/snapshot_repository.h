// Snapshots, their VMs and their disks.
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

// Which snapshots List returns. Ordered newest first (created_at, then id, descending).
struct SnapshotFilter {
  std::optional<std::string> project_id{};   // nullopt: all projects
  std::optional<std::string> workload_id{};
  std::optional<TimePoint> date_from{};      // created_at >= date_from
  std::optional<TimePoint> date_to{};        // created_at <= date_to
  std::vector<std::string> statuses{};       // empty: any status
  bool include_deleted = false;
};

// A partial update of the progress and result fields; nullopt: unchanged.
struct SnapshotUpdate {
  std::optional<std::string> name{};
  std::optional<std::string> description{};
  std::optional<std::string> snapshot_type{};
  std::optional<std::string> status{};
  std::optional<int> progress_percent{};
  std::optional<std::string> progress_msg{};
  std::optional<std::string> warning_msg{};
  std::optional<std::string> error_msg{};
  std::optional<int64_t> size{};
  std::optional<int64_t> restore_size{};
  std::optional<int64_t> uploaded_size{};
  std::optional<int64_t> time_taken{};
  std::optional<bool> pinned{};
  std::optional<std::string> host{};
  std::optional<Json> metadata{};
  std::optional<TimePoint> finished_at{};
};

// Count and bytes of live snapshots, for quotas and storage usage.
struct SnapshotUsage {
  int64_t snapshots = 0;
  int64_t size = 0;  // sum of size
};

class SnapshotRepository {
 public:
  explicit SnapshotRepository(Executor& db) : db_(db) {}

  // Inserts a snapshot (id generated when empty; a created_at the caller
  // set is kept). Conflict when the id
  // exists; the workload must exist (foreign key: Conflict otherwise).
  Result<Snapshot> Create(Snapshot snapshot);
  // NotFound when missing, or deleted unless include_deleted.
  Result<Snapshot> Get(std::string_view id, bool include_deleted = false);
  Result<std::vector<Snapshot>> List(const SnapshotFilter& filter = {}, const Page& page = {});
  // Applies the set fields; returns the updated row. NotFound when missing or deleted.
  Result<Snapshot> Update(std::string_view id, const SnapshotUpdate& update);
  // Compare-and-set of the status (see WorkloadRepository::SetStatusIf).
  Status SetStatusIf(std::string_view id, const std::vector<std::string>& expected,
                     std::string_view new_status, std::optional<std::string> error_msg = std::nullopt);
  // Soft delete (status "deleted"). NotFound when missing or already deleted.
  Status SoftDelete(std::string_view id);
  // Live snapshots (and their total size) of a project and/or a workload;
  // both nullopt: everything.
  Result<SnapshotUsage> Usage(std::optional<std::string> project_id,
                              std::optional<std::string> workload_id = std::nullopt);
  // Removes for good the snapshots soft deleted before `older_than`, with
  // their VMs, disks and restores. Returns how many snapshots went.
  Result<int64_t> Purge(TimePoint older_than);

  // Snapshot VMs: insert or replace the row of (snapshot_id, vm_id).
  Status PutVm(SnapshotVm vm);
  Result<std::vector<SnapshotVm>> ListVms(std::string_view snapshot_id);
  Status DeleteVm(std::string_view snapshot_id, std::string_view vm_id);

  // Snapshot disks: insert or replace by disk id (id generated when empty).
  Result<SnapshotDisk> PutDisk(SnapshotDisk disk);
  // NotFound when missing.
  Result<SnapshotDisk> GetDisk(std::string_view disk_id);
  // The disks of a snapshot, optionally of one VM, by vm_id then device.
  Result<std::vector<SnapshotDisk>> ListDisks(std::string_view snapshot_id,
                                              std::optional<std::string> vm_id = std::nullopt);
  Status DeleteDisk(std::string_view disk_id);

 private:
  Executor& db_;
};

}  // namespace cairn::db
