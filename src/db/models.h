// Plain value types for the rows Cairn stores, one struct per table.
//
// Conventions for every struct:
// - ids are canonical lower-case UUID strings; the repositories generate one
//   on create when `id` is empty;
// - times are UTC TimePoints, stored as ISO 8601 text with microseconds and a
//   'Z' (so they sort as text) and therefore truncated to microseconds;
// - JSON columns are nlohmann::json values (an object unless said otherwise);
// - created_at / updated_at are set by the repository, callers leave them
//   (except that WorkloadRepository and SnapshotRepository::Create keep a
//   created_at the caller set: an import keeps the original times);
// - `deleted` / `deleted_at` are the soft delete: lists leave deleted rows
//   out, Purge removes them for good after a while.
// Statuses are strings (what the API shows); the constants below list them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/time.h"

namespace cairn::db {

using Json = nlohmann::json;

// ---- workload types ----------------------------------------------------------

inline constexpr std::string_view kSerialWorkloadTypeId = "f82ce76f-17fe-438b-aa37-7a023058e50d";
inline constexpr std::string_view kParallelWorkloadTypeId = "2ddd528d-c9b4-4d7e-8722-cc395140255a";

// A way of snapshotting a workload's VMs (Serial, Parallel); seeded by a migration.
struct WorkloadType {
  std::string id{};
  std::string name{};
  std::string description{};
  bool is_public = true;
  Json metadata = Json::object();
  TimePoint created_at{};
  TimePoint updated_at{};
  bool deleted = false;
  std::optional<TimePoint> deleted_at{};
};

// ---- workloads -----------------------------------------------------------------

namespace workload_status {
inline constexpr std::string_view kCreating = "creating";
inline constexpr std::string_view kAvailable = "available";
inline constexpr std::string_view kLocked = "locked";  // a snapshot/restore job runs
inline constexpr std::string_view kError = "error";
inline constexpr std::string_view kDeleting = "deleting";
inline constexpr std::string_view kDeleted = "deleted";
}  // namespace workload_status

// One VM protected by a workload (table workload_vms).
struct WorkloadVm {
  std::string workload_id{};  // set by the repository
  std::string vm_id{};        // the Nova server id
  std::string vm_name{};
  Json metadata = Json::object();
  std::string status = "available";
  TimePoint created_at{};
  TimePoint updated_at{};
};

// A group of VMs backed up together (table workloads).
struct Workload {
  std::string id{};
  std::string project_id{};
  std::string user_id{};
  std::string name{};
  std::string description{};
  std::string workload_type_id = std::string(kParallelWorkloadTypeId);
  std::string source_platform = "openstack";
  std::string status = std::string(workload_status::kCreating);
  std::string error_msg{};
  std::string availability_zone{};
  Json jobschedule = Json::object();
  Json metadata = Json::object();
  int64_t storage_usage = 0;  // bytes on the target
  std::string host{};         // the engine that owns it
  bool encryption = false;
  std::string secret_uuid{};  // Barbican secret when encrypted
  std::vector<WorkloadVm> vms{};
  TimePoint created_at{};
  TimePoint updated_at{};
  bool deleted = false;
  std::optional<TimePoint> deleted_at{};
};

// ---- snapshots -----------------------------------------------------------------

namespace snapshot_status {
inline constexpr std::string_view kCreating = "creating";
inline constexpr std::string_view kExecuting = "executing";
inline constexpr std::string_view kUploading = "uploading";
inline constexpr std::string_view kApplyingRetention = "applying_retention";
inline constexpr std::string_view kAvailable = "available";
inline constexpr std::string_view kError = "error";
inline constexpr std::string_view kCancelling = "cancelling";
inline constexpr std::string_view kCancelled = "cancelled";
inline constexpr std::string_view kDeleting = "deleting";
inline constexpr std::string_view kDeleted = "deleted";
inline constexpr std::string_view kMounted = "mounted";
}  // namespace snapshot_status

inline constexpr std::string_view kSnapshotTypeFull = "full";
inline constexpr std::string_view kSnapshotTypeIncremental = "incremental";

// A point-in-time copy of a workload (table snapshots).
struct Snapshot {
  std::string id{};
  std::string workload_id{};
  std::string project_id{};
  std::string user_id{};
  std::string name{};
  std::string description{};
  std::string snapshot_type = std::string(kSnapshotTypeFull);
  std::string status = std::string(snapshot_status::kCreating);
  int progress_percent = 0;
  std::string progress_msg{};
  std::string warning_msg{};
  std::string error_msg{};
  int64_t size = 0;            // bytes written to the target
  int64_t restore_size = 0;    // bytes a restore writes (sum of virtual disk sizes)
  int64_t uploaded_size = 0;   // bytes uploaded so far
  int64_t time_taken = 0;      // seconds
  bool pinned = false;         // retention never removes it
  bool is_scheduled = false;   // taken by the scheduler
  std::string host{};
  Json metadata = Json::object();
  std::optional<TimePoint> finished_at{};
  TimePoint created_at{};
  TimePoint updated_at{};
  bool deleted = false;
  std::optional<TimePoint> deleted_at{};
};

// One VM as a snapshot captured it (table snapshot_vms; key snapshot_id + vm_id).
struct SnapshotVm {
  std::string snapshot_id{};
  std::string vm_id{};
  std::string vm_name{};
  std::string status = "available";
  Json flavor = Json::object();
  Json security_groups = Json::array();
  Json nics = Json::array();
  Json metadata = Json::object();
  TimePoint created_at{};
  TimePoint updated_at{};
};

// One disk of one VM in a snapshot (table snapshot_disks).
struct SnapshotDisk {
  std::string id{};            // the disk snapshot id (also the image's file name)
  std::string snapshot_id{};
  std::string vm_id{};
  std::string resource_id{};
  std::string device{};        // e.g. "vda"
  std::optional<std::string> volume_id{};  // Cinder volume; nullopt for a Nova disk
  std::string volume_type{};
  int64_t volume_size = 0;     // GiB as Cinder counts, or the disk's virtual size
  bool bootable = false;
  std::string format = "qcow2";
  int64_t size = 0;            // bytes of the image on the target
  std::string path{};          // the image's path on the target
  // The same disk's row in the previous snapshot (the backing-chain link).
  std::optional<std::string> parent_disk_snapshot_id{};
  std::string status = "available";
  TimePoint created_at{};
  TimePoint updated_at{};
};

// ---- restores ------------------------------------------------------------------

namespace restore_status {
inline constexpr std::string_view kCreated = "created";
inline constexpr std::string_view kExecuting = "executing";
inline constexpr std::string_view kAvailable = "available";
inline constexpr std::string_view kError = "error";
inline constexpr std::string_view kCancelling = "cancelling";
inline constexpr std::string_view kCancelled = "cancelled";
inline constexpr std::string_view kDeleting = "deleting";
inline constexpr std::string_view kDeleted = "deleted";
}  // namespace restore_status

// A restore of a snapshot (table restores). restore_type: oneclick|selective|inplace.
struct Restore {
  std::string id{};
  std::string snapshot_id{};
  std::string workload_id{};
  std::string project_id{};
  std::string user_id{};
  std::string name{};
  std::string description{};
  std::string restore_type = "oneclick";
  Json options = Json::object();
  std::string status = std::string(restore_status::kCreated);
  int progress_percent = 0;
  std::string progress_msg{};
  std::string warning_msg{};
  std::string error_msg{};
  int64_t size = 0;
  int64_t uploaded_size = 0;
  int64_t time_taken = 0;  // seconds
  Json instances = Json::array();  // the restored servers
  std::optional<TimePoint> finished_at{};
  TimePoint created_at{};
  TimePoint updated_at{};
  bool deleted = false;
  std::optional<TimePoint> deleted_at{};
};

// ---- jobs ----------------------------------------------------------------------

namespace job_status {
inline constexpr std::string_view kQueued = "queued";
inline constexpr std::string_view kRunning = "running";
inline constexpr std::string_view kDone = "done";
inline constexpr std::string_view kError = "error";
inline constexpr std::string_view kCancelled = "cancelled";
}  // namespace job_status

namespace job_kind {
inline constexpr std::string_view kWorkloadCreate = "workload_create";
inline constexpr std::string_view kWorkloadDelete = "workload_delete";
inline constexpr std::string_view kWorkloadReset = "workload_reset";
inline constexpr std::string_view kSnapshotCreate = "snapshot_create";
inline constexpr std::string_view kSnapshotDelete = "snapshot_delete";
inline constexpr std::string_view kSnapshotCancel = "snapshot_cancel";
inline constexpr std::string_view kRestoreCreate = "restore_create";
inline constexpr std::string_view kRestoreCancel = "restore_cancel";
inline constexpr std::string_view kImport = "import";
}  // namespace job_kind

// A unit of work the API queues and an engine runs (table jobs). Jobs have no
// soft delete: finished jobs are purged by age.
struct Job {
  std::string id{};
  std::string kind{};
  std::string object_id{};    // the snapshot/restore/workload the job is about
  std::string workload_id{};
  std::string project_id{};
  std::string user_id{};
  Json payload = Json::object();
  std::string status = std::string(job_status::kQueued);
  std::string claimed_by{};   // engine id; empty while queued
  std::optional<TimePoint> claimed_at{};
  std::optional<TimePoint> heartbeat_at{};
  int attempts = 0;           // how many claims did not hand it back (Requeue)
  std::string error{};
  std::optional<TimePoint> not_before{};  // a re-queued job is not claimed before
  int lease_seconds = 0;      // the lease of the engine that claimed it
  TimePoint created_at{};
  TimePoint updated_at{};
};

// ---- settings ------------------------------------------------------------------

// The project_id of global settings.
inline constexpr std::string_view kGlobalProject = "";
// The global setting that switches the job scheduler ("true"/"false").
inline constexpr std::string_view kGlobalJobSchedulerSetting = "global_job_scheduler";

// A named value of a project, or global (table settings; key project_id + name).
struct Setting {
  std::string project_id{};  // kGlobalProject for global settings
  std::string name{};
  std::string value{};
  std::string category{};
  std::string type{};
  bool is_public = false;
  bool is_hidden = false;
  std::string description{};
  Json metadata = Json::object();
  std::string user_id{};
  TimePoint created_at{};
  TimePoint updated_at{};
  bool deleted = false;
  std::optional<TimePoint> deleted_at{};
};

// ---- workload policies -----------------------------------------------------------

// A named schedule/retention template (table workload_policies). field_values
// holds interval, fullbackup_interval, retention_policy_type, retention_policy_value.
struct Policy {
  std::string id{};
  std::string name{};
  std::string description{};
  Json field_values = Json::object();
  Json metadata = Json::object();
  std::string status = "available";
  TimePoint created_at{};
  TimePoint updated_at{};
  bool deleted = false;
  std::optional<TimePoint> deleted_at{};
};

// A policy made available to a project (table policy_assignments; key policy + project).
struct PolicyAssignment {
  std::string policy_id{};
  std::string project_id{};
  std::string project_name{};
  TimePoint created_at{};
  TimePoint updated_at{};
};

// ---- quotas --------------------------------------------------------------------

// The fixed quota types, seeded by a migration.
inline constexpr std::string_view kQuotaTypeWorkloadsId = "6b3cce32-3e8e-4a7c-9b0c-3b2f1c0d7a01";
inline constexpr std::string_view kQuotaTypeSnapshotsId = "0f4e1a5c-8d2b-4f6e-a1c3-5e7d9b2c4a02";
inline constexpr std::string_view kQuotaTypeVmsId = "c2a9d8e7-1b3f-4c5d-8e6a-7f9b0c1d2e03";
inline constexpr std::string_view kQuotaTypeVolumesId = "9e8d7c6b-5a4f-4e3d-b2c1-a0f9e8d7c604";
inline constexpr std::string_view kQuotaTypeStorageId = "3a5b7c9d-1e2f-4a6b-8c0d-2e4f6a8b0c05";

// A kind of quota (table quota_types): Workloads, Snapshots, VMs, Volumes, Storage.
struct QuotaType {
  std::string id{};
  std::string name{};
  std::string description{};
  int display_order = 0;
  TimePoint created_at{};
  TimePoint updated_at{};
  bool deleted = false;
  std::optional<TimePoint> deleted_at{};
};

// A project's limit for one quota type (table allowed_quotas). At most one
// live row per (project_id, quota_type_id).
struct AllowedQuota {
  std::string id{};
  std::string project_id{};
  std::string quota_type_id{};
  int64_t allowed_value = -1;   // -1: unlimited
  int64_t high_watermark = -1;  // warn above this
  int64_t version = 0;          // bumped by every update
  std::string quota_type_name{};  // filled by reads (join with quota_types)
  TimePoint created_at{};
  TimePoint updated_at{};
  bool deleted = false;
  std::optional<TimePoint> deleted_at{};
};

// ---- trusts --------------------------------------------------------------------

// A Keystone trust from a user to the service, for scheduled jobs (table trusts).
struct Trust {
  std::string id{};
  std::string name{};        // the Keystone trust id (unique)
  std::string project_id{};
  std::string user_id{};
  std::string value{};
  std::string status = "available";
  Json metadata = Json::object();  // {"role_name": ..., "is_cloud_trust": ...}
  TimePoint created_at{};
  TimePoint updated_at{};
  bool deleted = false;
  std::optional<TimePoint> deleted_at{};
};

// ---- audit log -----------------------------------------------------------------

// One audited action (table audit_log). Append only; purged by age.
struct AuditEntry {
  std::string id{};
  TimePoint created_at{};   // set by Append when left at the epoch
  std::string request_id{};
  std::string user_id{};
  std::string user_name{};
  std::string project_id{};
  std::string action{};
  std::string object_type{};
  std::string object_id{};
  std::string details{};
};

// ---- services ------------------------------------------------------------------

// A datamover node or engine that registered itself (table services; key host + binary).
struct Service {
  std::string host{};
  std::string binary{};    // "cairn-datamover", "cairn-engine"
  std::string version{};
  bool enabled = true;
  std::string disabled_reason{};
  Json capacity = Json::object();
  std::optional<TimePoint> last_heartbeat{};
  bool up = false;         // computed by reads: heartbeat younger than the down time
  TimePoint created_at{};
  TimePoint updated_at{};
};

// ---- disk tasks ------------------------------------------------------------------

namespace disk_task_status {
inline constexpr std::string_view kQueued = "queued";
inline constexpr std::string_view kRunning = "running";
inline constexpr std::string_view kDone = "done";
inline constexpr std::string_view kError = "error";
}  // namespace disk_task_status

// Work an engine hands to the datamover of one host (table disk_tasks): the
// database transport of rpc/. A task is claimed by one datamover worker,
// which heartbeats and reports progress while it runs.
struct DiskTask {
  std::string id{};
  std::string job_id{};    // the engine job it serves
  std::string host{};      // the datamover host that must run it
  std::string kind{};      // what to do (rpc/task.h)
  Json body = Json::object();
  std::string status = std::string(disk_task_status::kQueued);
  std::string claimed_by{};
  std::optional<TimePoint> heartbeat_at{};
  int64_t progress_done = 0;
  int64_t progress_total = 0;
  bool cancel_requested = false;
  Json result = Json::object();
  std::string error_code{};  // ErrorCodeName of the failure
  std::string error{};
  TimePoint created_at{};
  TimePoint updated_at{};
};

// ---- the scheduler -----------------------------------------------------------------

namespace schedule_run_status {
inline constexpr std::string_view kBaseline = "baseline";  // where the scheduler started counting
inline constexpr std::string_view kPaused = "paused";      // the schedule was disabled here
inline constexpr std::string_view kWaiting = "waiting";    // due outside the backup window
inline constexpr std::string_view kQueued = "queued";      // its snapshot was queued
inline constexpr std::string_view kSkipped = "skipped";    // not taken (workload busy, quota)
inline constexpr std::string_view kMissed = "missed";      // a later run came before it could start
}  // namespace schedule_run_status

// One run of a workload's job schedule that the scheduler handled (table
// schedule_runs; key workload_id + due_at).
struct ScheduleRun {
  std::string workload_id{};
  TimePoint due_at{};        // when the schedule said it was due
  std::string status{};      // schedule_run_status
  std::string snapshot_id{};  // the snapshot queued for it, if any
  std::string message{};     // why it waited, was skipped or missed
  TimePoint created_at{};
  TimePoint updated_at{};
};

// ---- common query types ----------------------------------------------------------

// Marker pagination: at most `limit` rows (0: no limit) after the row whose
// id is `marker` in the list's order. An unknown marker is InvalidArgument.
struct Page {
  int limit = 0;
  std::optional<std::string> marker{};
};

}  // namespace cairn::db
