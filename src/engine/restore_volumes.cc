// The volumes step of a restore (restore_run.h): for each Cinder volume of
// the VM a new one of the same size and type (or the type asked), written by
// the datamover of the VM's original host (or any that is up) through a
// Cinder attachment to that host.
#include "db/service_repository.h"
#include "engine/restore_run.h"

namespace cairn::engine {

using nlohmann::json;
namespace os = openstack;

Result<std::string> RestoreRun::DatamoverHost(const std::string& preferred) {
  if (ctx_.options.datamover_transport == "in_process") return preferred;
  CAIRN_ASSIGN_OR_RETURN(std::vector<db::Service> services, db::ServiceRepository(ctx_.db).List("cairn-datamover"));
  std::string any;
  for (const auto& sv : services) {
    if (!sv.up || !sv.enabled) continue;
    if (sv.host == preferred) return preferred;
    if (any.empty()) any = sv.host;
  }
  if (any.empty()) return Status::Unavailable("no datamover is up to write the restored volumes");
  return any;
}

Result<std::string> RestoreRun::NewVolume(VmRestore& r, const db::SnapshotDisk& disk) {
  os::VolumeCreate vc;
  vc.size_gb = disk.volume_size;
  vc.volume_type = r.plan.VolumeType(disk.id, *disk.volume_id, disk.volume_type);
  vc.name = ObjectName(r.name) + "-" + disk.device;
  vc.availability_zone = r.plan.availability_zone;
  vc.description = "restored by Cairn from snapshot " + s_.id;
  CAIRN_ASSIGN_OR_RETURN(os::Volume volume, cloud_.CreateVolume(user_, vc));
  r.entry["volumes"].push_back(volume.id);
  CAIRN_RETURN_IF_ERROR(SaveLedger());
  CAIRN_RETURN_IF_ERROR(cloud_.WaitForVolume(user_, volume.id, {.statuses = {"available"}}, waits_).status());
  return volume.id;
}

// The attachment is in the ledger while the datamover writes, and removed
// (from Cinder, then from the ledger) before the volume goes to the server.
Status RestoreRun::WriteVolume(VmRestore& r, const db::SnapshotDisk& disk, const std::string& volume_id) {
  CAIRN_ASSIGN_OR_RETURN(std::string host, DatamoverHost(r.vm.metadata.value("host", "")));
  json connector = {{"host", host},         {"ip", ctx_.options.connector_ip}, {"initiator", ""},
                    {"platform", "x86_64"}, {"os_type", "linux"},              {"multipath", false}};
  CAIRN_ASSIGN_OR_RETURN(os::Attachment attachment,
                         cloud_.CreateAttachment(user_, {.volume_id = volume_id, .connector = connector}));
  r.entry["attachments"].push_back(attachment.id);
  CAIRN_RETURN_IF_ERROR(SaveLedger());
  rpc::DiskTask task{.job_id = jc_.job.id,
                     .host = host,
                     .kind = std::string(rpc::task_kind::kRestoreDisk),
                     .body = {{"workload", s_.workload_id},
                              {"snapshot", s_.id},
                              {"vm", r.vm.vm_id},
                              {"device", disk.device},
                              {"connection_info", attachment.connection_info},
                              {"target_id", target_id_}}};
  auto written = ctx_.transport.Call(task, {}, &jc_.cancel);
  Status detached = cloud_.DeleteAttachment(user_, attachment.id);
  if (!written.ok()) return written.status().WithContext("volume " + disk.device + " of VM " + r.vm.vm_name);
  CAIRN_RETURN_IF_ERROR(detached);
  r.entry["attachments"].erase(r.entry["attachments"].size() - 1);
  CAIRN_RETURN_IF_ERROR(cloud_.WaitForVolume(user_, volume_id, {.statuses = {"available"}}, waits_).status());
  bytes_ += written->value("virtual_size", uint64_t{0});
  return Status::OK();
}

Status RestoreRun::CreateVolumes(VmRestore& r) {
  for (const auto& d : DisksOf(r.vm.vm_id)) {
    if (!d.volume_id) continue;
    CAIRN_ASSIGN_OR_RETURN(std::string volume_id, NewVolume(r, d));
    CAIRN_RETURN_IF_ERROR(WriteVolume(r, d, volume_id));
    r.volumes.emplace_back(volume_id, d.device);
  }
  return Status::OK();
}

}  // namespace cairn::engine
