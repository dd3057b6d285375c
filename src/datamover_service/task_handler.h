// DatamoverTaskHandler: what a datamover does with the disk tasks of its
// host (rpc/task.h kinds). Bodies and results are JSON:
//
// vm_backup: {workload, snapshot, vm, domain, previous_snapshot (id|null),
//   previous_checkpoint ({name, xml}|null), force_full, quiesce}
//   Backs up every exportable disk of the libvirt domain at one instant
//   (libvirt::BackupVm); a VM that is shut off is read from its disk files.
//   -> {disks: [{device, serial, source, driver_type, resource, image_id,
//       dir, incremental, mode, warning, virtual_size, bytes_written,
//       image_file_size}], checkpoint ({name, xml}|null), warnings, quiesced}
// restore_disk: {workload, snapshot, vm, device, connection_info | path}
//   Writes the disk's backup into an existing raw volume or file of at
//   least its size (only clusters that differ are written).
//   -> {virtual_size, bytes_written, clusters_written, seconds}
// remove_checkpoint: {domain, xml} -> {} : drops a checkpoint's bitmaps.
//
// vm_backup and restore_disk may name the engine's target ("target_id"): the
// task fails (Unavailable) unless this host's target carries the identity
// marker, with that id when named (target/identity.h).
#pragma once

#include <memory>

#include "datamover_service/options.h"
#include "datamover_service/volume_connector.h"
#include "rpc/task.h"
#include "target/store.h"

namespace cairn::datamover_service {

class DatamoverTaskHandler : public rpc::TaskHandler {
 public:
  // `store` must outlive this.
  DatamoverTaskHandler(target::Store& store, DatamoverOptions options);

  Result<nlohmann::json> Run(const rpc::DiskTask& task, const rpc::ProgressFn& progress,
                             const std::atomic<bool>& cancel) override;

 private:
  Result<nlohmann::json> BackupVm(const nlohmann::json& body, const rpc::ProgressFn& progress,
                                  const std::atomic<bool>& cancel);
  Result<nlohmann::json> RestoreDisk(const nlohmann::json& body, const rpc::ProgressFn& progress,
                                     const std::atomic<bool>& cancel);

  target::Store& store_;
  const DatamoverOptions options_;
  std::unique_ptr<VolumeConnector> connector_;
};

}  // namespace cairn::datamover_service
