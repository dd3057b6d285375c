// JSON views of the stored rows, in the field names and shapes of the
// workloadmgr API (../shared/reference/workloadmgr-api.md, docs/api.md).
// "Strict output": booleans are JSON booleans, numbers are numbers, times are
// "%Y-%m-%dT%H:%M:%S.%f" in UTC, absent values are null.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/time.h"
#include "db/models.h"

namespace cairn::api {

using nlohmann::json;

// Where the links of a view point: the request's own base URL (scheme, host
// and port as the client reached us) and the project in the URL.
struct LinkBase {
  std::string base_url;    // e.g. "http://127.0.0.1:8780" (no trailing slash)
  std::string project_id;  // the project of the request's URL
};

// [{"rel": "self", "href": ".../v1/<project>/<collection>/<id>"},
//  {"rel": "bookmark", "href": ".../<project>/<collection>/<id>"}]
json Links(const LinkBase& base, std::string_view collection, std::string_view id);

// A time as the API shows it, or null for an unset optional time.
json TimeView(TimePoint t);
json TimeView(const std::optional<TimePoint>& t);

// {id, name, description, is_public, links}; `detail` adds metadata,
// created_at, updated_at and status ("available").
json WorkloadTypeView(const db::WorkloadType& type, const LinkBase& base, bool detail);

// The list view is the summary; `detail` adds instances, jobschedule (as
// given, already canonical), metadata, storage_usage, availability_zone,
// error_msg. `jobschedule` is the canonical schedule JSON (with nextrun).
json WorkloadView(const db::Workload& workload, const json& jobschedule, const LinkBase& base,
                  bool detail);

// Summary: id, name, description, workload_id, snapshot_type, status,
// created_at, ...; detail adds `instances` built from the snapshot's VM and
// disk rows.
json SnapshotView(const db::Snapshot& snapshot, const std::vector<db::SnapshotVm>& vms,
                  const std::vector<db::SnapshotDisk>& disks, const LinkBase& base, bool detail);

// {id, name, description, snapshot_id, workload_id, project_id, user_id,
// restore_type, status, times, sizes, progress and messages, links};
// `detail` adds the stored `options` and the restored `instances`.
json RestoreView(const db::Restore& restore, const LinkBase& base, bool detail);

// {"name", "value", "category", "type", "is_public", "is_hidden",
//  "description", "metadata", "project_id", "user_id", "created_at", ...}
json SettingView(const db::Setting& setting);

// Workload policy as `GET /workload_policy/{id}` answers it: field_values as
// a list of {policy_field_name, value}, plus policy_assignments.
json PolicyView(const db::Policy& policy, const std::vector<db::PolicyAssignment>& assignments);

// {id, name, description, display_order, status ("available"), created_at}.
json QuotaTypeView(const db::QuotaType& type);

// Exactly {id, project_id, quota_type_id, allowed_value, high_watermark,
// version, quota_type_name}.
json AllowedQuotaView(const db::AllowedQuota& quota);

// {name (the Keystone trust id), value, user_id, project_id, status,
// metadata (the role), created_at}.
json TrustView(const db::Trust& trust);

// {id, timestamp, request_id, user_id, user_name, project_id, action,
// object_type, object_id, details}.
json AuditEntryView(const db::AuditEntry& entry);

}  // namespace cairn::api
