#include "db/migrations.h"

namespace cairn::db::internal {
namespace {

// Columns every soft-deletable table ends with.
#define CAIRN_TIMES "created_at {TS} NOT NULL, updated_at {TS} NOT NULL, "
#define CAIRN_SOFT_DELETE "deleted INTEGER NOT NULL DEFAULT 0, deleted_at {TS}"

const std::vector<Migration> kMigrations = {
    {1,
     "initial schema",
     {
         "CREATE TABLE workload_types ("
         " id {ID} NOT NULL, name {KEY} NOT NULL, description {TEXT} NOT NULL,"
         " is_public INTEGER NOT NULL DEFAULT 1, metadata {TEXT} NOT NULL, " CAIRN_TIMES CAIRN_SOFT_DELETE ","
         " PRIMARY KEY (id)){ENGINE}",

         "CREATE TABLE workloads ("
         " id {ID} NOT NULL, project_id {KEY} NOT NULL, user_id {KEY} NOT NULL,"
         " name {KEY} NOT NULL, description {TEXT} NOT NULL, workload_type_id {ID} NOT NULL,"
         " source_platform {KEY} NOT NULL, status {KEY} NOT NULL, error_msg {TEXT} NOT NULL,"
         " availability_zone {KEY} NOT NULL, jobschedule {TEXT} NOT NULL, metadata {TEXT} NOT NULL,"
         " storage_usage BIGINT NOT NULL DEFAULT 0, host {KEY} NOT NULL,"
         " encryption INTEGER NOT NULL DEFAULT 0, secret_uuid {KEY} NOT NULL, " CAIRN_TIMES CAIRN_SOFT_DELETE ","
         " PRIMARY KEY (id),"
         " FOREIGN KEY (workload_type_id) REFERENCES workload_types (id)){ENGINE}",
         "CREATE INDEX ix_workloads_project ON workloads (project_id, deleted, created_at)",
         "CREATE INDEX ix_workloads_created ON workloads (created_at, id)",

         "CREATE TABLE workload_vms ("
         " workload_id {ID} NOT NULL, vm_id {ID} NOT NULL, vm_name {KEY} NOT NULL,"
         " metadata {TEXT} NOT NULL, status {KEY} NOT NULL, " CAIRN_TIMES
         " PRIMARY KEY (workload_id, vm_id),"
         " FOREIGN KEY (workload_id) REFERENCES workloads (id) ON DELETE CASCADE){ENGINE}",
         "CREATE INDEX ix_workload_vms_vm ON workload_vms (vm_id)",

         "CREATE TABLE snapshots ("
         " id {ID} NOT NULL, workload_id {ID} NOT NULL, project_id {KEY} NOT NULL, user_id {KEY} NOT NULL,"
         " name {KEY} NOT NULL, description {TEXT} NOT NULL, snapshot_type {KEY} NOT NULL,"
         " status {KEY} NOT NULL, progress_percent INTEGER NOT NULL DEFAULT 0,"
         " progress_msg {TEXT} NOT NULL, warning_msg {TEXT} NOT NULL, error_msg {TEXT} NOT NULL,"
         " size BIGINT NOT NULL DEFAULT 0, restore_size BIGINT NOT NULL DEFAULT 0,"
         " uploaded_size BIGINT NOT NULL DEFAULT 0, time_taken BIGINT NOT NULL DEFAULT 0,"
         " pinned INTEGER NOT NULL DEFAULT 0, is_scheduled INTEGER NOT NULL DEFAULT 0,"
         " host {KEY} NOT NULL, metadata {TEXT} NOT NULL, finished_at {TS}, " CAIRN_TIMES CAIRN_SOFT_DELETE ","
         " PRIMARY KEY (id),"
         " FOREIGN KEY (workload_id) REFERENCES workloads (id)){ENGINE}",
         "CREATE INDEX ix_snapshots_workload ON snapshots (workload_id, deleted, created_at)",
         "CREATE INDEX ix_snapshots_project ON snapshots (project_id, deleted, created_at)",
         "CREATE INDEX ix_snapshots_created ON snapshots (created_at, id)",

         "CREATE TABLE snapshot_vms ("
         " snapshot_id {ID} NOT NULL, vm_id {ID} NOT NULL, vm_name {KEY} NOT NULL, status {KEY} NOT NULL,"
         " flavor {TEXT} NOT NULL, security_groups {TEXT} NOT NULL, nics {TEXT} NOT NULL,"
         " metadata {TEXT} NOT NULL, " CAIRN_TIMES
         " PRIMARY KEY (snapshot_id, vm_id),"
         " FOREIGN KEY (snapshot_id) REFERENCES snapshots (id) ON DELETE CASCADE){ENGINE}",

         "CREATE TABLE snapshot_disks ("
         " id {ID} NOT NULL, snapshot_id {ID} NOT NULL, vm_id {ID} NOT NULL, resource_id {KEY} NOT NULL,"
         " device {KEY} NOT NULL, volume_id {KEY}, volume_type {KEY} NOT NULL,"
         " volume_size BIGINT NOT NULL DEFAULT 0, bootable INTEGER NOT NULL DEFAULT 0,"
         " format {KEY} NOT NULL, size BIGINT NOT NULL DEFAULT 0, path {TEXT} NOT NULL,"
         " parent_disk_snapshot_id {ID}, status {KEY} NOT NULL, " CAIRN_TIMES
         " PRIMARY KEY (id),"
         " FOREIGN KEY (snapshot_id) REFERENCES snapshots (id) ON DELETE CASCADE){ENGINE}",
         "CREATE INDEX ix_snapshot_disks_snapshot ON snapshot_disks (snapshot_id, vm_id)",
         "CREATE INDEX ix_snapshot_disks_parent ON snapshot_disks (parent_disk_snapshot_id)",

         "CREATE TABLE restores ("
         " id {ID} NOT NULL, snapshot_id {ID} NOT NULL, workload_id {ID} NOT NULL,"
         " project_id {KEY} NOT NULL, user_id {KEY} NOT NULL, name {KEY} NOT NULL,"
         " description {TEXT} NOT NULL, restore_type {KEY} NOT NULL, options {TEXT} NOT NULL,"
         " status {KEY} NOT NULL, progress_percent INTEGER NOT NULL DEFAULT 0,"
         " progress_msg {TEXT} NOT NULL, warning_msg {TEXT} NOT NULL, error_msg {TEXT} NOT NULL,"
         " size BIGINT NOT NULL DEFAULT 0, uploaded_size BIGINT NOT NULL DEFAULT 0,"
         " time_taken BIGINT NOT NULL DEFAULT 0, instances {TEXT} NOT NULL, finished_at {TS}, "
         CAIRN_TIMES CAIRN_SOFT_DELETE ","
         " PRIMARY KEY (id),"
         " FOREIGN KEY (snapshot_id) REFERENCES snapshots (id)){ENGINE}",
         "CREATE INDEX ix_restores_snapshot ON restores (snapshot_id, deleted)",
         "CREATE INDEX ix_restores_created ON restores (created_at, id)",

         "CREATE TABLE jobs ("
         " id {ID} NOT NULL, kind {KEY} NOT NULL, object_id {KEY} NOT NULL, workload_id {KEY} NOT NULL,"
         " project_id {KEY} NOT NULL, user_id {KEY} NOT NULL, payload {TEXT} NOT NULL,"
         " status {KEY} NOT NULL, claimed_by {KEY} NOT NULL, claimed_at {TS}, heartbeat_at {TS},"
         " attempts INTEGER NOT NULL DEFAULT 0, error {TEXT} NOT NULL, " CAIRN_TIMES
         " PRIMARY KEY (id)){ENGINE}",
         "CREATE INDEX ix_jobs_status ON jobs (status, created_at)",
         "CREATE INDEX ix_jobs_object ON jobs (object_id)",

         "CREATE TABLE settings ("
         " project_id {KEY} NOT NULL, name {KEY} NOT NULL, value {TEXT} NOT NULL, category {KEY} NOT NULL,"
         " type {KEY} NOT NULL, is_public INTEGER NOT NULL DEFAULT 0, is_hidden INTEGER NOT NULL DEFAULT 0,"
         " description {TEXT} NOT NULL, metadata {TEXT} NOT NULL, user_id {KEY} NOT NULL, "
         CAIRN_TIMES CAIRN_SOFT_DELETE ","
         " PRIMARY KEY (project_id, name)){ENGINE}",

         "CREATE TABLE workload_policies ("
         " id {ID} NOT NULL, name {KEY} NOT NULL, description {TEXT} NOT NULL,"
         " field_values {TEXT} NOT NULL, metadata {TEXT} NOT NULL, status {KEY} NOT NULL, "
         CAIRN_TIMES CAIRN_SOFT_DELETE ","
         " PRIMARY KEY (id)){ENGINE}",

         "CREATE TABLE policy_assignments ("
         " policy_id {ID} NOT NULL, project_id {KEY} NOT NULL, project_name {KEY} NOT NULL, " CAIRN_TIMES
         " PRIMARY KEY (policy_id, project_id),"
         " FOREIGN KEY (policy_id) REFERENCES workload_policies (id) ON DELETE CASCADE){ENGINE}",
         "CREATE INDEX ix_policy_assignments_project ON policy_assignments (project_id)",

         "CREATE TABLE quota_types ("
         " id {ID} NOT NULL, name {KEY} NOT NULL, description {TEXT} NOT NULL,"
         " display_order INTEGER NOT NULL DEFAULT 0, " CAIRN_TIMES CAIRN_SOFT_DELETE ","
         " PRIMARY KEY (id)){ENGINE}",

         // deleted_marker is '' while the row is live and its id once deleted,
         // so the unique key allows one live quota per project and type.
         "CREATE TABLE allowed_quotas ("
         " id {ID} NOT NULL, project_id {KEY} NOT NULL, quota_type_id {ID} NOT NULL,"
         " allowed_value BIGINT NOT NULL DEFAULT -1, high_watermark BIGINT NOT NULL DEFAULT -1,"
         " version BIGINT NOT NULL DEFAULT 0, deleted_marker {ID} NOT NULL, " CAIRN_TIMES CAIRN_SOFT_DELETE ","
         " PRIMARY KEY (id),"
         " UNIQUE (project_id, quota_type_id, deleted_marker),"
         " FOREIGN KEY (quota_type_id) REFERENCES quota_types (id)){ENGINE}",

         "CREATE TABLE trusts ("
         " id {ID} NOT NULL, name {KEY} NOT NULL, project_id {KEY} NOT NULL, user_id {KEY} NOT NULL,"
         " value {TEXT} NOT NULL, status {KEY} NOT NULL, metadata {TEXT} NOT NULL, "
         CAIRN_TIMES CAIRN_SOFT_DELETE ","
         " PRIMARY KEY (id), UNIQUE (name)){ENGINE}",
         "CREATE INDEX ix_trusts_project ON trusts (project_id, deleted)",

         "CREATE TABLE audit_log ("
         " id {ID} NOT NULL, created_at {TS} NOT NULL, request_id {KEY} NOT NULL, user_id {KEY} NOT NULL,"
         " user_name {KEY} NOT NULL, project_id {KEY} NOT NULL, action {KEY} NOT NULL,"
         " object_type {KEY} NOT NULL, object_id {KEY} NOT NULL, details {TEXT} NOT NULL,"
         " PRIMARY KEY (id)){ENGINE}",
         "CREATE INDEX ix_audit_log_created ON audit_log (created_at)",

         "CREATE TABLE services ("
         " host {KEY} NOT NULL, binary_name {KEY} NOT NULL, version {KEY} NOT NULL,"
         " enabled INTEGER NOT NULL DEFAULT 1, disabled_reason {TEXT} NOT NULL, capacity {TEXT} NOT NULL,"
         " last_heartbeat {TS}, " CAIRN_TIMES
         " PRIMARY KEY (host, binary_name)){ENGINE}",
     }},
    {2,
     "seed workload types and quota types",
     {
         "INSERT INTO workload_types (id, name, description, is_public, metadata, created_at, updated_at,"
         " deleted) VALUES ('f82ce76f-17fe-438b-aa37-7a023058e50d', 'Serial', 'VMs one at a time', 1,"
         " '{}', {NOW}, {NOW}, 0)",
         "INSERT INTO workload_types (id, name, description, is_public, metadata, created_at, updated_at,"
         " deleted) VALUES ('2ddd528d-c9b4-4d7e-8722-cc395140255a', 'Parallel', 'VMs at the same time', 1,"
         " '{}', {NOW}, {NOW}, 0)",
         "INSERT INTO quota_types (id, name, description, display_order, created_at, updated_at, deleted)"
         " VALUES ('6b3cce32-3e8e-4a7c-9b0c-3b2f1c0d7a01', 'Workloads',"
         " 'Total number of workloads in the project', 0, {NOW}, {NOW}, 0)",
         "INSERT INTO quota_types (id, name, description, display_order, created_at, updated_at, deleted)"
         " VALUES ('0f4e1a5c-8d2b-4f6e-a1c3-5e7d9b2c4a02', 'Snapshots',"
         " 'Total number of snapshots in the project', 1, {NOW}, {NOW}, 0)",
         "INSERT INTO quota_types (id, name, description, display_order, created_at, updated_at, deleted)"
         " VALUES ('c2a9d8e7-1b3f-4c5d-8e6a-7f9b0c1d2e03', 'VMs',"
         " 'Total number of VMs protected by the workloads of the project', 2, {NOW}, {NOW}, 0)",
         "INSERT INTO quota_types (id, name, description, display_order, created_at, updated_at, deleted)"
         " VALUES ('9e8d7c6b-5a4f-4e3d-b2c1-a0f9e8d7c604', 'Volumes',"
         " 'Total number of volumes protected by the workloads of the project', 3, {NOW}, {NOW}, 0)",
         "INSERT INTO quota_types (id, name, description, display_order, created_at, updated_at, deleted)"
         " VALUES ('3a5b7c9d-1e2f-4a6b-8c0d-2e4f6a8b0c05', 'Storage',"
         " 'Total bytes of snapshot data of the project on the backup target', 4, {NOW}, {NOW}, 0)",
     }},
    {3,
     "disk tasks: the engine's work for the datamovers",
     {
         "CREATE TABLE disk_tasks ("
         " id {ID} NOT NULL, job_id {KEY} NOT NULL, host {KEY} NOT NULL, kind {KEY} NOT NULL,"
         " body {TEXT} NOT NULL, status {KEY} NOT NULL, claimed_by {KEY} NOT NULL, heartbeat_at {TS},"
         " progress_done BIGINT NOT NULL DEFAULT 0, progress_total BIGINT NOT NULL DEFAULT 0,"
         " cancel_requested INTEGER NOT NULL DEFAULT 0, result {TEXT} NOT NULL, error_code {KEY} NOT NULL,"
         " error {TEXT} NOT NULL, " CAIRN_TIMES
         " PRIMARY KEY (id)){ENGINE}",
         "CREATE INDEX ix_disk_tasks_host ON disk_tasks (host, status, created_at)",
     }},
    {4,
     "the scheduler: runs of workload schedules, snapshot slots",
     {
         // One row per scheduled run the scheduler handled (the key makes two
         // engines' schedulers agree on who queues a run).
         "CREATE TABLE schedule_runs ("
         " workload_id {ID} NOT NULL, due_at {TS} NOT NULL, status {KEY} NOT NULL,"
         " snapshot_id {KEY} NOT NULL, message {TEXT} NOT NULL, " CAIRN_TIMES
         " PRIMARY KEY (workload_id, due_at)){ENGINE}",
         // A running snapshot holds one numbered slot of each scope it needs
         // (its compute hosts, the whole cloud): the key caps them.
         "CREATE TABLE snapshot_slots ("
         " scope {KEY} NOT NULL, slot INTEGER NOT NULL, job_id {KEY} NOT NULL, acquired_at {TS} NOT NULL,"
         " PRIMARY KEY (scope, slot)){ENGINE}",
         "CREATE INDEX ix_snapshot_slots_job ON snapshot_slots (job_id)",
     }},
    {5,
     "jobs: a re-queued job's earliest next claim, the lease of its claim",
     {
         // A job that cannot run yet (its workload is busy) goes back to the
         // queue and is not claimed again before not_before.
         "ALTER TABLE jobs ADD COLUMN not_before {TS}",
         // The lease the claiming engine runs with: a running job not
         // heartbeated for that long has lost its engine.
         "ALTER TABLE jobs ADD COLUMN lease_seconds INTEGER NOT NULL DEFAULT 0",
     }},
};

#undef CAIRN_TIMES
#undef CAIRN_SOFT_DELETE

void ReplaceAll(std::string& text, std::string_view from, std::string_view to) {
  for (size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size()) {
    text.replace(pos, from.size(), to);
  }
}

}  // namespace

const std::vector<Migration>& Migrations() { return kMigrations; }

std::string TranslateSql(std::string_view statement, Backend backend, std::string_view now) {
  const bool mysql = backend == Backend::kMysql;
  std::string out(statement);
  ReplaceAll(out, "{ID}", mysql ? "VARCHAR(64)" : "TEXT");
  ReplaceAll(out, "{KEY}", mysql ? "VARCHAR(255)" : "TEXT");
  ReplaceAll(out, "{TS}", mysql ? "VARCHAR(32)" : "TEXT");
  ReplaceAll(out, "{TEXT}", mysql ? "LONGTEXT" : "TEXT");
  ReplaceAll(out, "{ENGINE}", mysql ? " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4" : "");
  ReplaceAll(out, "{NOW}", "'" + std::string(now) + "'");
  return out;
}

}  // namespace cairn::db::internal
