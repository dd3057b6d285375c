// The capture step of a snapshot (snapshot_steps.h): every VM's definition.
#include "engine/snapshot_steps.h"
#include "control/target_metadata.h"

namespace cairn::engine {

Result<CapturedWorkload> CaptureWorkloadVms(SnapshotRun& run, const db::Workload& workload,
                                            const openstack::Token& user) {
  if (workload.vms.empty()) return Status::InvalidArgument("workload " + workload.id + " has no VMs");
  CapturedWorkload captured;
  captured.resources = nlohmann::json::object();
  for (const auto& wvm : workload.vms) {
    if (run.Cancelled()) return Status::Cancelled("cancelled");
    VmSnapshot item;
    Result<CapturedVm> vm = CaptureVm(run.ctx, user, wvm.vm_id, item.warnings);
    if (!vm.ok()) {
      if (vm.status().IsNotFound()) {
        return Status::NotFound("VM " + wvm.vm_id + " (" + wvm.vm_name + ") no longer exists: " +
                                vm.status().message());
      }
      return vm.status().WithContext("VM " + wvm.vm_name);
    }
    item.vm = std::move(*vm);
    captured.resources[item.vm.vm_id] = item.vm.definition;
    db::SnapshotVm row = item.vm.row;
    row.snapshot_id = run.snapshot.id;
    captured.rows.push_back(std::move(row));
    captured.vms.push_back(std::move(item));
  }
  CAIRN_RETURN_IF_ERROR(control::WriteWorkloadMetadata(run.ctx.store, workload));
  CAIRN_RETURN_IF_ERROR(control::WriteSnapshotResources(run.ctx.store, run.snapshot, captured.rows, captured.resources));
  return captured;
}

}  // namespace cairn::engine
