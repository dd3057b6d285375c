#include "control/target_metadata.h"

#include "common/json_input.h"
#include "common/time.h"
#include "target/layout.h"

namespace cairn::control {
namespace {

using nlohmann::json;
namespace layout = target::layout;

json Time(TimePoint t) { return FormatIso8601(t, IsoFormat::kMicros); }
json OptTime(const std::optional<TimePoint>& t) { return t ? Time(*t) : json(nullptr); }

Status WriteJson(target::Store& store, const std::string& path, const json& value) {
  const std::string text = value.dump(2) + "\n";
  return store.WriteAtomic(path, std::as_bytes(std::span(text.data(), text.size())));
}

// Reads the optional members of one *_db object into a model, naming the
// file and field in errors ("snapshot_db.size"). Absent or null members
// leave the model's value unchanged.
class FieldReader {
 public:
  FieldReader(const json& value, std::string file) : value_(value), file_(std::move(file)) {}

  Status Object() const {
    if (value_.is_object()) return Status::OK();
    return Status::InvalidArgument(file_ + " is not a JSON object");
  }
  Status Id(std::string_view key, std::string& out) const {
    const json* v = FindMember(value_, key);
    if (v == nullptr) return Status::InvalidArgument(file_ + " has no " + std::string(key));
    CAIRN_ASSIGN_OR_RETURN(out, ReadString(*v, Field(key), 128));
    return layout::ValidateId(Field(key), out);
  }
  Status Text(std::string_view key, std::string& out, size_t max_bytes = 65535) const {
    if (const json* v = FindMember(value_, key)) {
      CAIRN_ASSIGN_OR_RETURN(out, ReadScalarText(*v, Field(key), max_bytes));
    }
    return Status::OK();
  }
  Status OptText(std::string_view key, std::optional<std::string>& out) const {
    if (const json* v = FindMember(value_, key)) {
      CAIRN_ASSIGN_OR_RETURN(std::string text, ReadString(*v, Field(key), 255));
      out = std::move(text);
    }
    return Status::OK();
  }
  Status Int(std::string_view key, int64_t& out) const {
    if (const json* v = FindMember(value_, key)) {
      CAIRN_ASSIGN_OR_RETURN(out, ReadInt(*v, Field(key), 0));
    }
    return Status::OK();
  }
  Status Bool(std::string_view key, bool& out) const {
    if (const json* v = FindMember(value_, key)) {
      CAIRN_ASSIGN_OR_RETURN(out, ReadBool(*v, Field(key)));
    }
    return Status::OK();
  }
  // A member that must be an object (is_list false) or a list.
  Status Json(std::string_view key, json& out, bool is_list = false) const {
    const json* v = FindMember(value_, key);
    if (v == nullptr) return Status::OK();
    if (is_list ? !v->is_array() : !v->is_object()) {
      return Status::InvalidArgument("Invalid value for '" + Field(key) + "': expected " +
                                     (is_list ? "a list" : "an object") + ", got " + DescribeJson(*v));
    }
    out = *v;
    return Status::OK();
  }
  Status Time(std::string_view key, TimePoint& out) const {
    std::optional<TimePoint> t;
    CAIRN_RETURN_IF_ERROR(OptTime(key, t));
    if (t) out = *t;
    return Status::OK();
  }
  Status OptTime(std::string_view key, std::optional<TimePoint>& out) const {
    if (const json* v = FindMember(value_, key)) {
      CAIRN_ASSIGN_OR_RETURN(std::string text, ReadString(*v, Field(key), 64));
      Result<TimePoint> t = ParseIso8601(text);
      if (!t.ok()) return t.status().WithContext(Field(key));
      out = *t;
    }
    return Status::OK();
  }

 private:
  std::string Field(std::string_view key) const { return file_ + "." + std::string(key); }

  const json& value_;
  std::string file_;
};

}  // namespace

Result<db::Workload> WorkloadFromJson(const json& value) {
  FieldReader r(value, "workload_db");
  CAIRN_RETURN_IF_ERROR(r.Object());
  db::Workload w;
  CAIRN_RETURN_IF_ERROR(r.Id("id", w.id));
  CAIRN_RETURN_IF_ERROR(r.Text("project_id", w.project_id, 64));
  CAIRN_RETURN_IF_ERROR(r.Text("user_id", w.user_id, 64));
  CAIRN_RETURN_IF_ERROR(r.Text("name", w.name, 255));
  CAIRN_RETURN_IF_ERROR(r.Text("display_name", w.name, 255));  // the other implementation's key
  CAIRN_RETURN_IF_ERROR(r.Text("description", w.description));
  CAIRN_RETURN_IF_ERROR(r.Text("workload_type_id", w.workload_type_id, 64));
  CAIRN_RETURN_IF_ERROR(r.Text("source_platform", w.source_platform, 64));
  CAIRN_RETURN_IF_ERROR(r.Text("availability_zone", w.availability_zone, 255));
  CAIRN_RETURN_IF_ERROR(r.Json("jobschedule", w.jobschedule));
  CAIRN_RETURN_IF_ERROR(r.Json("metadata", w.metadata));
  CAIRN_RETURN_IF_ERROR(r.Bool("encryption", w.encryption));
  CAIRN_RETURN_IF_ERROR(r.Time("created_at", w.created_at));
  CAIRN_RETURN_IF_ERROR(r.Time("updated_at", w.updated_at));
  json instances = json::array();
  CAIRN_RETURN_IF_ERROR(r.Json("instances", instances, /*is_list=*/true));
  for (const json& item : instances) {
    FieldReader vr(item, "workload_db.instances[]");
    CAIRN_RETURN_IF_ERROR(vr.Object());
    db::WorkloadVm vm;
    CAIRN_RETURN_IF_ERROR(vr.Id("vm_id", vm.vm_id));
    CAIRN_RETURN_IF_ERROR(vr.Text("vm_name", vm.vm_name, 255));
    CAIRN_RETURN_IF_ERROR(vr.Json("metadata", vm.metadata));
    w.vms.push_back(std::move(vm));
  }
  return w;
}

Result<db::Snapshot> SnapshotFromJson(const json& value) {
  FieldReader r(value, "snapshot_db");
  CAIRN_RETURN_IF_ERROR(r.Object());
  db::Snapshot s;
  CAIRN_RETURN_IF_ERROR(r.Id("id", s.id));
  CAIRN_RETURN_IF_ERROR(r.Id("workload_id", s.workload_id));
  CAIRN_RETURN_IF_ERROR(r.Text("project_id", s.project_id, 64));
  CAIRN_RETURN_IF_ERROR(r.Text("user_id", s.user_id, 64));
  CAIRN_RETURN_IF_ERROR(r.Text("name", s.name, 255));
  CAIRN_RETURN_IF_ERROR(r.Text("display_name", s.name, 255));
  CAIRN_RETURN_IF_ERROR(r.Text("description", s.description));
  CAIRN_RETURN_IF_ERROR(r.Text("snapshot_type", s.snapshot_type, 32));
  CAIRN_RETURN_IF_ERROR(r.Text("status", s.status, 32));
  CAIRN_RETURN_IF_ERROR(r.Text("warning_msg", s.warning_msg));
  CAIRN_RETURN_IF_ERROR(r.Text("error_msg", s.error_msg));
  CAIRN_RETURN_IF_ERROR(r.Int("size", s.size));
  CAIRN_RETURN_IF_ERROR(r.Int("restore_size", s.restore_size));
  CAIRN_RETURN_IF_ERROR(r.Int("uploaded_size", s.uploaded_size));
  CAIRN_RETURN_IF_ERROR(r.Int("time_taken", s.time_taken));
  CAIRN_RETURN_IF_ERROR(r.Bool("pinned", s.pinned));
  CAIRN_RETURN_IF_ERROR(r.Bool("is_scheduled", s.is_scheduled));
  CAIRN_RETURN_IF_ERROR(r.Text("host", s.host, 255));
  CAIRN_RETURN_IF_ERROR(r.Json("metadata", s.metadata));
  CAIRN_RETURN_IF_ERROR(r.OptTime("finished_at", s.finished_at));
  CAIRN_RETURN_IF_ERROR(r.Time("created_at", s.created_at));
  CAIRN_RETURN_IF_ERROR(r.Time("updated_at", s.updated_at));
  if (s.snapshot_type != db::kSnapshotTypeFull && s.snapshot_type != db::kSnapshotTypeIncremental) {
    return Status::InvalidArgument("Invalid value for 'snapshot_db.snapshot_type': expected full or incremental, got " +
                                   DescribeJson(s.snapshot_type));
  }
  return s;
}

Result<db::SnapshotVm> SnapshotVmFromJson(const json& value) {
  FieldReader r(value, "snapshot_vms_db[]");
  CAIRN_RETURN_IF_ERROR(r.Object());
  db::SnapshotVm vm;
  CAIRN_RETURN_IF_ERROR(r.Text("snapshot_id", vm.snapshot_id, 128));
  CAIRN_RETURN_IF_ERROR(r.Id("vm_id", vm.vm_id));
  CAIRN_RETURN_IF_ERROR(r.Text("vm_name", vm.vm_name, 255));
  CAIRN_RETURN_IF_ERROR(r.Text("status", vm.status, 32));
  CAIRN_RETURN_IF_ERROR(r.Json("flavor", vm.flavor));
  CAIRN_RETURN_IF_ERROR(r.Json("security_groups", vm.security_groups, /*is_list=*/true));
  CAIRN_RETURN_IF_ERROR(r.Json("nics", vm.nics, /*is_list=*/true));
  CAIRN_RETURN_IF_ERROR(r.Json("metadata", vm.metadata));
  return vm;
}

Result<db::SnapshotDisk> SnapshotDiskFromJson(const json& value) {
  FieldReader r(value, "disk_db");
  CAIRN_RETURN_IF_ERROR(r.Object());
  db::SnapshotDisk d;
  CAIRN_RETURN_IF_ERROR(r.Id("id", d.id));
  CAIRN_RETURN_IF_ERROR(r.Text("snapshot_id", d.snapshot_id, 128));
  CAIRN_RETURN_IF_ERROR(r.Id("vm_id", d.vm_id));
  CAIRN_RETURN_IF_ERROR(r.Id("resource_id", d.resource_id));
  CAIRN_RETURN_IF_ERROR(r.Text("device", d.device, 32));
  CAIRN_RETURN_IF_ERROR(layout::ValidateDevice(d.device));
  CAIRN_RETURN_IF_ERROR(r.OptText("volume_id", d.volume_id));
  CAIRN_RETURN_IF_ERROR(r.Text("volume_type", d.volume_type, 255));
  CAIRN_RETURN_IF_ERROR(r.Int("volume_size", d.volume_size));
  CAIRN_RETURN_IF_ERROR(r.Bool("bootable", d.bootable));
  CAIRN_RETURN_IF_ERROR(r.Text("format", d.format, 32));
  CAIRN_RETURN_IF_ERROR(r.Int("size", d.size));
  CAIRN_RETURN_IF_ERROR(r.Text("path", d.path, 4096));
  CAIRN_RETURN_IF_ERROR(r.OptText("parent_disk_snapshot_id", d.parent_disk_snapshot_id));
  CAIRN_RETURN_IF_ERROR(r.Text("status", d.status, 32));
  return d;
}

json WorkloadToJson(const db::Workload& w) {
  json vms = json::array();
  for (const auto& vm : w.vms) vms.push_back({{"vm_id", vm.vm_id}, {"vm_name", vm.vm_name}, {"metadata", vm.metadata}});
  return {{"id", w.id},
          {"project_id", w.project_id},
          {"user_id", w.user_id},
          {"name", w.name},
          {"description", w.description},
          {"workload_type_id", w.workload_type_id},
          {"source_platform", w.source_platform},
          {"availability_zone", w.availability_zone},
          {"jobschedule", w.jobschedule},
          {"metadata", w.metadata},
          {"encryption", w.encryption},
          {"instances", vms},
          {"created_at", Time(w.created_at)},
          {"updated_at", Time(w.updated_at)}};
}

json SnapshotToJson(const db::Snapshot& s) {
  return {{"id", s.id},
          {"workload_id", s.workload_id},
          {"project_id", s.project_id},
          {"user_id", s.user_id},
          {"name", s.name},
          {"description", s.description},
          {"snapshot_type", s.snapshot_type},
          {"status", s.status},
          {"warning_msg", s.warning_msg},
          {"error_msg", s.error_msg},
          {"size", s.size},
          {"restore_size", s.restore_size},
          {"uploaded_size", s.uploaded_size},
          {"time_taken", s.time_taken},
          {"pinned", s.pinned},
          {"is_scheduled", s.is_scheduled},
          {"host", s.host},
          {"metadata", s.metadata},
          {"finished_at", OptTime(s.finished_at)},
          {"created_at", Time(s.created_at)},
          {"updated_at", Time(s.updated_at)}};
}

json SnapshotVmToJson(const db::SnapshotVm& vm) {
  return {{"snapshot_id", vm.snapshot_id}, {"vm_id", vm.vm_id},   {"vm_name", vm.vm_name},
          {"status", vm.status},           {"flavor", vm.flavor}, {"security_groups", vm.security_groups},
          {"nics", vm.nics},               {"metadata", vm.metadata}};
}

json SnapshotDiskToJson(const db::SnapshotDisk& d) {
  return {{"id", d.id},
          {"snapshot_id", d.snapshot_id},
          {"vm_id", d.vm_id},
          {"resource_id", d.resource_id},
          {"device", d.device},
          {"volume_id", d.volume_id ? json(*d.volume_id) : json(nullptr)},
          {"volume_type", d.volume_type},
          {"volume_size", d.volume_size},
          {"bootable", d.bootable},
          {"format", d.format},
          {"size", d.size},
          {"path", d.path},
          {"parent_disk_snapshot_id", d.parent_disk_snapshot_id ? json(*d.parent_disk_snapshot_id) : json(nullptr)},
          {"status", d.status}};
}

Status WriteWorkloadMetadata(target::Store& store, const db::Workload& w) {
  CAIRN_RETURN_IF_ERROR(layout::ValidateId("workload id", w.id));
  CAIRN_RETURN_IF_ERROR(WriteJson(store, layout::WorkloadDb(w.id), WorkloadToJson(w)));
  return WriteJson(store, layout::WorkloadVmsDb(w.id), WorkloadToJson(w)["instances"]);
}

Status WriteSnapshotResources(target::Store& store, const db::Snapshot& s, const std::vector<db::SnapshotVm>& vms,
                              const json& resources) {
  CAIRN_RETURN_IF_ERROR(layout::ValidateId("workload id", s.workload_id));
  CAIRN_RETURN_IF_ERROR(layout::ValidateId("snapshot id", s.id));
  json list = json::array();
  for (const auto& vm : vms) list.push_back(SnapshotVmToJson(vm));
  CAIRN_RETURN_IF_ERROR(WriteJson(store, layout::SnapshotVmsDb(s.workload_id, s.id), list));
  CAIRN_RETURN_IF_ERROR(WriteJson(store, layout::ResourcesDb(s.workload_id, s.id), resources));
  // One file per network object and security group, by id, as restore reads them.
  const std::string net_dir = layout::NetworkDir(s.workload_id, s.id);
  const std::string sg_dir = layout::SecurityGroupDir(s.workload_id, s.id);
  for (const auto& [vm_id, def] : resources.items()) {
    for (const char* kind : {"networks", "subnets", "ports", "routers"}) {
      if (!def.contains(kind)) continue;
      for (const json& obj : def[kind]) {
        const std::string id = obj.value("id", "");
        if (!layout::ValidateId("id", id).ok()) continue;
        std::string name(kind);
        name.pop_back();  // "network_<id>_db"
        CAIRN_RETURN_IF_ERROR(WriteJson(store, net_dir + "/" + name + "_" + id + "_db", obj));
      }
    }
    if (def.contains("security_groups")) {
      for (const json& obj : def["security_groups"]) {
        const std::string id = obj.value("id", "");
        if (!layout::ValidateId("id", id).ok()) continue;
        CAIRN_RETURN_IF_ERROR(WriteJson(store, sg_dir + "/security_group_" + id + "_db", obj));
      }
    }
  }
  return Status::OK();
}

Status WriteDiskMetadata(target::Store& store, const db::Snapshot& s, const std::vector<db::SnapshotDisk>& disks) {
  for (const auto& d : disks) {
    const std::string dir = layout::DiskDir(s.workload_id, s.id, d.vm_id, d.resource_id, d.device);
    CAIRN_RETURN_IF_ERROR(WriteJson(store, layout::DiskDb(dir), SnapshotDiskToJson(d)));
  }
  return Status::OK();
}

Status WriteSnapshotDb(target::Store& store, const db::Snapshot& s) {
  CAIRN_RETURN_IF_ERROR(layout::ValidateId("workload id", s.workload_id));
  CAIRN_RETURN_IF_ERROR(layout::ValidateId("snapshot id", s.id));
  return WriteJson(store, layout::SnapshotDb(s.workload_id, s.id), SnapshotToJson(s));
}

}  // namespace cairn::control
