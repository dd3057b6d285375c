// The in-place restore of a VM (restore_run.h): the VM is shut off, its
// volumes get the clusters that differ from the snapshot, its Nova disks are
// replaced by the snapshot's, it starts again. Nothing is created, so there
// is nothing to undo; a disk written in part is named in the error.
#include "engine/restore_run.h"

namespace cairn::engine {

using nlohmann::json;
namespace os = openstack;

// A volume is written back only where it is still attached: another volume
// at the same device must not get its data.
Status RestoreRun::CheckVolumesStillAttached(const db::SnapshotVm& vm) {
  CAIRN_ASSIGN_OR_RETURN(std::vector<os::VolumeAttachment> attached, cloud_.ListVolumeAttachments(user_, vm.vm_id));
  for (const auto& d : DisksOf(vm.vm_id)) {
    if (!d.volume_id) continue;
    bool same = false;
    for (const auto& a : attached) {
      if (a.volume_id == *d.volume_id && a.device.size() >= d.device.size() &&
          a.device.compare(a.device.size() - d.device.size(), std::string::npos, d.device) == 0) {
        same = true;
      }
    }
    if (!same) {
      return Status::Conflict("volume " + *d.volume_id + " is no longer attached to VM " + vm.vm_name + " as " +
                              d.device + ": an in-place restore cannot write it (use a selective restore)");
    }
  }
  return Status::OK();
}

Status RestoreRun::WriteBackDisks(const db::SnapshotVm& vm, const control::VmPlan& plan, const os::Server& admin_view,
                                  json& entry) {
  for (const auto& d : DisksOf(vm.vm_id)) {
    if (!plan.WritesBack(d.id, d.volume_id)) continue;
    Progress("Writing back disk " + d.device + " of VM " + vm.vm_name);
    auto written = ctx_.transport.Call(IntoDomainDisk(vm.vm_id, d.device, admin_view), {}, &jc_.cancel);
    if (!written.ok()) {
      // Not a cancel, whatever stopped it: the disk holds a mix of old and
      // restored data, which the user must be told.
      return Status(written.status().IsCancelled() ? ErrorCode::kUnavailable : written.status().code(),
                    "disk " + d.device + " of VM " + vm.vm_name + " is partly restored (" +
                        written.status().message() + "): restore it again");
    }
    bytes_ += written->value("bytes_written", uint64_t{0});
    entry["clusters_written"] =
        entry.value("clusters_written", uint64_t{0}) + written->value("clusters_written", uint64_t{0});
  }
  return Status::OK();
}

Status RestoreRun::InPlaceVm(const db::SnapshotVm& vm, const control::VmPlan& plan) {
  CAIRN_RETURN_IF_ERROR(RefreshToken());
  json& entry = ledger_.For(vm.vm_id);
  entry["name"] = vm.vm_name;
  entry["in_place"] = true;
  CAIRN_ASSIGN_OR_RETURN(os::Server server, cloud_.GetServer(user_, vm.vm_id));
  CAIRN_ASSIGN_OR_RETURN(os::Token service, cloud_.ServiceToken());
  CAIRN_ASSIGN_OR_RETURN(os::Server admin_view, cloud_.GetServer(service, vm.vm_id));
  CAIRN_RETURN_IF_ERROR(CheckVolumesStillAttached(vm));
  const bool was_running = server.status == "ACTIVE";
  Status result;
  if (was_running) {
    Progress("Stopping VM " + vm.vm_name);
    result = StopServer(vm.vm_id);
  }
  if (result.ok()) result = WriteBackDisks(vm, plan, admin_view, entry);
  // The VM runs again as it did, whatever happened.
  if (was_running) {
    (void)RefreshToken();
    if (Status st = cloud_.StartServer(user_, vm.vm_id); st.ok() || st.code() == ErrorCode::kConflict) {
      (void)cloud_.WaitForServer(user_, vm.vm_id, {.statuses = {"ACTIVE"}}, waits_);
    } else if (result.ok()) {
      result = st;
    }
  }
  CAIRN_RETURN_IF_ERROR(result);
  entry["status"] = "available";
  entry["id"] = vm.vm_id;
  return SaveLedger();
}

}  // namespace cairn::engine
