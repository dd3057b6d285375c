#include "engine/target_metadata.h"

#include "common/time.h"
#include "target/layout.h"

namespace cairn::engine {
namespace {

using nlohmann::json;
namespace layout = target::layout;

json Time(TimePoint t) { return FormatIso8601(t, IsoFormat::kMicros); }
json OptTime(const std::optional<TimePoint>& t) { return t ? Time(*t) : json(nullptr); }

Status WriteJson(target::Store& store, const std::string& path, const json& value) {
  const std::string text = value.dump(2) + "\n";
  return store.WriteAtomic(path, std::as_bytes(std::span(text.data(), text.size())));
}

}  // namespace

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

}  // namespace cairn::engine
