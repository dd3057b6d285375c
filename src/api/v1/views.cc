#include "api/v1/views.h"

#include <map>

namespace cairn::api {

json Links(const LinkBase& base, std::string_view collection, std::string_view id) {
  const std::string tail = base.project_id + "/" + std::string(collection) + "/" + std::string(id);
  return json::array({{{"rel", "self"}, {"href", base.base_url + "/v1/" + tail}},
                      {{"rel", "bookmark"}, {"href", base.base_url + "/" + tail}}});
}

json TimeView(TimePoint t) { return FormatIso8601(t, IsoFormat::kMicros); }

json TimeView(const std::optional<TimePoint>& t) { return t ? TimeView(*t) : json(nullptr); }

json WorkloadTypeView(const db::WorkloadType& type, const LinkBase& base, bool detail) {
  json out = {{"id", type.id},
              {"name", type.name},
              {"description", type.description},
              {"is_public", type.is_public},
              {"links", Links(base, "workload_types", type.id)}};
  if (detail) {
    out["metadata"] = type.metadata;
    out["created_at"] = TimeView(type.created_at);
    out["updated_at"] = TimeView(type.updated_at);
    out["status"] = "available";
  }
  return out;
}

json WorkloadView(const db::Workload& w, const json& jobschedule, const LinkBase& base, bool detail) {
  json out = {{"id", w.id},
              {"name", w.name},
              {"description", w.description},
              {"workload_type_id", w.workload_type_id},
              {"status", w.status},
              {"project_id", w.project_id},
              {"user_id", w.user_id},
              {"created_at", TimeView(w.created_at)},
              {"updated_at", TimeView(w.updated_at)},
              {"links", Links(base, "workloads", w.id)}};
  if (detail) {
    json instances = json::array();
    for (const auto& vm : w.vms) {
      instances.push_back({{"id", vm.vm_id}, {"name", vm.vm_name}, {"metadata", vm.metadata}});
    }
    out["instances"] = std::move(instances);
    out["jobschedule"] = jobschedule;
    out["metadata"] = w.metadata;
    out["storage_usage"] = {{"usage", w.storage_usage}};
    out["availability_zone"] = w.availability_zone.empty() ? json(nullptr) : json(w.availability_zone);
    out["error_msg"] = w.error_msg.empty() ? json(nullptr) : json(w.error_msg);
    out["source_platform"] = w.source_platform;
    out["encryption"] = w.encryption;
    out["host"] = w.host;
  }
  return out;
}

namespace {

json Optional(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }

json VdiskView(const db::SnapshotDisk& d) {
  json out = {{"id", d.id},
              {"resource_id", d.resource_id},
              {"vm_id", d.vm_id},
              {"device", d.device},
              {"format", d.format},
              {"size", d.size},
              {"bootable", d.bootable},
              {"status", d.status}};
  if (d.volume_id) {
    out["volume_id"] = *d.volume_id;
    out["volume_type"] = d.volume_type;
    out["volume_size"] = d.volume_size;
  }
  return out;
}

}  // namespace

json SnapshotView(const db::Snapshot& s, const std::vector<db::SnapshotVm>& vms,
                  const std::vector<db::SnapshotDisk>& disks, const LinkBase& base, bool detail) {
  json out = {{"id", s.id},
              {"name", s.name},
              {"description", s.description},
              {"workload_id", s.workload_id},
              {"project_id", s.project_id},
              {"user_id", s.user_id},
              {"snapshot_type", s.snapshot_type},
              {"status", s.status},
              {"created_at", TimeView(s.created_at)},
              {"updated_at", TimeView(s.updated_at)},
              {"finished_at", TimeView(s.finished_at)},
              {"time_taken", s.time_taken},
              {"size", s.size},
              {"restore_size", s.restore_size},
              {"uploaded_size", s.uploaded_size},
              {"progress_percent", s.progress_percent},
              {"progress_msg", Optional(s.progress_msg)},
              {"warning_msg", Optional(s.warning_msg)},
              {"error_msg", Optional(s.error_msg)},
              {"pinned", s.pinned},
              {"is_scheduled", s.is_scheduled},
              {"host", s.host},
              {"links", Links(base, "snapshots", s.id)}};
  if (detail) {
    out["metadata"] = s.metadata;
    std::map<std::string, json> vdisks;
    for (const auto& d : disks) {
      auto& list = vdisks[d.vm_id];
      if (list.is_null()) list = json::array();
      list.push_back(VdiskView(d));
    }
    json instances = json::array();
    for (const auto& vm : vms) {
      auto it = vdisks.find(vm.vm_id);
      instances.push_back({{"id", vm.vm_id},
                           {"name", vm.vm_name},
                           {"status", vm.status},
                           {"flavor", vm.flavor},
                           {"security_group", vm.security_groups},
                           {"nics", vm.nics},
                           {"vdisks", it == vdisks.end() ? json::array() : it->second},
                           {"metadata", vm.metadata}});
    }
    out["instances"] = std::move(instances);
  }
  return out;
}

json RestoreView(const db::Restore& r, const LinkBase& base, bool detail) {
  json out = {{"id", r.id},
              {"name", r.name},
              {"description", r.description},
              {"snapshot_id", r.snapshot_id},
              {"workload_id", r.workload_id},
              {"project_id", r.project_id},
              {"user_id", r.user_id},
              {"restore_type", r.restore_type},
              {"status", r.status},
              {"created_at", TimeView(r.created_at)},
              {"updated_at", TimeView(r.updated_at)},
              {"finished_at", TimeView(r.finished_at)},
              {"time_taken", r.time_taken},
              {"size", r.size},
              {"uploaded_size", r.uploaded_size},
              {"progress_percent", r.progress_percent},
              {"progress_msg", Optional(r.progress_msg)},
              {"warning_msg", Optional(r.warning_msg)},
              {"error_msg", Optional(r.error_msg)},
              {"links", Links(base, "restores", r.id)}};
  if (detail) {
    out["options"] = r.options;
    out["instances"] = r.instances;
  }
  return out;
}

json SettingView(const db::Setting& s) {
  return {{"name", s.name},
          {"value", s.value},
          {"category", s.category},
          {"type", s.type},
          {"is_public", s.is_public},
          {"is_hidden", s.is_hidden},
          {"description", s.description},
          {"metadata", s.metadata},
          {"project_id", s.project_id.empty() ? json(nullptr) : json(s.project_id)},
          {"user_id", s.user_id},
          {"created_at", TimeView(s.created_at)},
          {"updated_at", TimeView(s.updated_at)}};
}

json PolicyView(const db::Policy& p, const std::vector<db::PolicyAssignment>& assignments) {
  json fields = json::array();
  if (p.field_values.is_object()) {
    for (const auto& [name, value] : p.field_values.items()) {
      fields.push_back({{"policy_field_name", name}, {"value", value}});
    }
  }
  json assigned = json::array();
  for (const auto& a : assignments) {
    assigned.push_back({{"policy_id", a.policy_id},
                        {"project_id", a.project_id},
                        {"project_name", a.project_name},
                        {"created_at", TimeView(a.created_at)}});
  }
  return {{"id", p.id},
          {"name", p.name},
          {"description", p.description},
          {"status", p.status},
          {"field_values", std::move(fields)},
          {"metadata", p.metadata},
          {"policy_assignments", std::move(assigned)},
          {"created_at", TimeView(p.created_at)},
          {"updated_at", TimeView(p.updated_at)}};
}

json QuotaTypeView(const db::QuotaType& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"description", t.description},
          {"display_order", t.display_order},
          {"status", "available"},
          {"created_at", TimeView(t.created_at)}};
}

json AllowedQuotaView(const db::AllowedQuota& q) {
  return {{"id", q.id},
          {"project_id", q.project_id},
          {"quota_type_id", q.quota_type_id},
          {"allowed_value", q.allowed_value},
          {"high_watermark", q.high_watermark},
          {"version", q.version},
          {"quota_type_name", q.quota_type_name}};
}

json TrustView(const db::Trust& t) {
  return {{"name", t.name},
          {"value", t.value},
          {"user_id", t.user_id},
          {"project_id", t.project_id},
          {"status", t.status},
          {"metadata", t.metadata},
          {"created_at", TimeView(t.created_at)}};
}

json AuditEntryView(const db::AuditEntry& e) {
  return {{"id", e.id},
          {"timestamp", TimeView(e.created_at)},
          {"request_id", e.request_id},
          {"user_id", e.user_id},
          {"user_name", e.user_name},
          {"project_id", e.project_id},
          {"action", e.action},
          {"object_type", e.object_type},
          {"object_id", e.object_id},
          {"details", e.details}};
}

}  // namespace cairn::api
