// The record step of a snapshot (snapshot_steps.h): the datamovers'
// answers become snapshot_disks and snapshot_vms rows and the target's
// metadata; the previous checkpoints' bitmaps go.
#include "common/log.h"
#include "db/snapshot_repository.h"
#include "engine/disk_names.h"
#include "engine/snapshot_steps.h"
#include "control/target_metadata.h"
#include "rpc/task.h"

namespace cairn::engine {
namespace {

using nlohmann::json;

// Every volume of the VM must have come back as a disk: one the datamover
// cannot read (a network disk such as RBD) fails the snapshot rather than
// leave a snapshot that restores without it.
Status CheckVolumesBackedUp(const VmSnapshot& item) {
  for (const auto& volume : item.vm.volumes) {
    bool found = false;
    for (const BackedUpDisk& d : item.answer->disks) {
      if (VolumeOfDisk(item.vm, d.device, d.serial) == &volume) found = true;
    }
    if (!found) {
      return Status::NotSupported("volume " + volume.id + " of VM " + item.vm.vm_name + " (attached as " +
                                  volume.device + ") was not backed up: on host " + item.vm.host +
                                  " it is not a file or block device (network disks such as RBD are not "
                                  "supported yet)");
    }
  }
  return Status::OK();
}

// The snapshot_disks row of a backed-up disk; an incremental one links to
// the same device's row in `previous_disks`.
db::SnapshotDisk DiskRow(const std::string& snapshot_id, const CapturedVm& vm, const BackedUpDisk& d,
                         const std::vector<db::SnapshotDisk>& previous_disks) {
  db::SnapshotDisk disk;
  disk.id = d.image_id;
  disk.snapshot_id = snapshot_id;
  disk.vm_id = vm.vm_id;
  disk.resource_id = d.resource;
  disk.device = d.device;
  disk.format = "qcow2";
  disk.size = d.image_file_size;
  disk.path = d.image_path;
  disk.volume_size = d.virtual_size;
  if (const CapturedVolume* v = VolumeOfDisk(vm, disk.device, d.serial)) {
    disk.volume_id = v->id;
    disk.volume_type = v->volume_type;
    disk.volume_size = v->size_gb;
    disk.bootable = v->bootable;
  } else {
    disk.bootable = IsImageRootDisk(disk) && !vm.image_id.empty();
  }
  if (d.incremental) {
    for (const auto& pd : previous_disks) {
      if (pd.device == disk.device) disk.parent_disk_snapshot_id = pd.id;
    }
  }
  return disk;
}

// A disk as the VM's snapshot_vms metadata lists it.
json DiskMetadata(const db::SnapshotDisk& disk, const BackedUpDisk& d) {
  return {{"device", disk.device},
          {"volume_id", disk.volume_id ? json(*disk.volume_id) : json(nullptr)},
          {"virtual_size", d.virtual_size},
          {"driver_type", d.driver_type},
          {"incremental", d.incremental},
          {"mode", d.mode}};
}

// Records one VM: its disks' rows (added to `disk_rows` and `recorded`) and
// its snapshot_vms row `row`.
Status RecordVm(SnapshotRun& run, const VmSnapshot& item, db::SnapshotVm& row, RecordedSize& recorded,
                std::vector<db::SnapshotDisk>& disk_rows) {
  db::SnapshotRepository snapshots(run.ctx.db);
  const VmBackupAnswer& answer = *item.answer;
  for (const auto& w : answer.warnings) run.warnings.push_back("VM " + item.vm.vm_name + ": " + w);
  std::vector<db::SnapshotDisk> previous_disks;
  if (item.previous) {
    CAIRN_ASSIGN_OR_RETURN(previous_disks, snapshots.ListDisks(item.previous->id, item.vm.vm_id));
  }
  CAIRN_RETURN_IF_ERROR(CheckVolumesBackedUp(item));
  json disks_meta = json::array();
  for (const BackedUpDisk& d : answer.disks) {
    db::SnapshotDisk disk = DiskRow(run.snapshot.id, item.vm, d, previous_disks);
    if (!d.warning.empty()) run.warnings.push_back("VM " + item.vm.vm_name + " disk " + disk.device + ": " + d.warning);
    recorded.size += disk.size;
    recorded.restore_size += d.virtual_size;
    disks_meta.push_back(DiskMetadata(disk, d));
    CAIRN_ASSIGN_OR_RETURN(db::SnapshotDisk stored, snapshots.PutDisk(disk));
    disk_rows.push_back(std::move(stored));
  }
  row.metadata["disks"] = disks_meta;
  row.metadata["quiesced"] = answer.quiesced;
  if (answer.HasCheckpoint()) row.metadata["checkpoint"] = answer.checkpoint;
  return snapshots.PutVm(row);
}

// Reads one disk of a vm_backup answer (throws json::exception on a wrong type).
BackedUpDisk ParseBackedUpDisk(const json& d) {
  return BackedUpDisk{.device = d.value("device", ""),
                      .serial = d.value("serial", ""),
                      .resource = d.value("resource", ""),
                      .image_id = d.value("image_id", ""),
                      .image_path = d.value("image_path", ""),
                      .driver_type = d.value("driver_type", ""),
                      .mode = d.value("mode", ""),
                      .warning = d.value("warning", std::string()),
                      .incremental = d.value("incremental", false),
                      .virtual_size = d.value("virtual_size", int64_t{0}),
                      .image_file_size = d.value("image_file_size", int64_t{0})};
}

}  // namespace

Status ParseVmBackupAnswer(const json& answer, VmBackupAnswer& out) {
  if (!answer.is_object()) return Status::Internal("the datamover's answer to vm_backup is not an object");
  if (answer.contains("checkpoint") && answer["checkpoint"].is_object()) out.checkpoint = answer["checkpoint"];
  try {
    for (const auto& d : answer.value("disks", json::array())) out.disks.push_back(ParseBackedUpDisk(d));
    for (const auto& w : answer.value("warnings", json::array())) out.warnings.push_back(w.get<std::string>());
    out.quiesced = answer.value("quiesced", false);
  } catch (const json::exception& e) {
    return Status::Internal(std::string("the datamover's answer to vm_backup is malformed: ") + e.what());
  }
  return Status::OK();
}

Result<RecordedSize> RecordSnapshot(SnapshotRun& run, CapturedWorkload& captured) {
  RecordedSize recorded;
  std::vector<db::SnapshotDisk> disk_rows;
  for (size_t i = 0; i < captured.vms.size(); ++i) {
    CAIRN_RETURN_IF_ERROR(RecordVm(run, captured.vms[i], captured.rows[i], recorded, disk_rows));
  }
  CAIRN_RETURN_IF_ERROR(control::WriteDiskMetadata(run.ctx.store, run.snapshot, disk_rows));
  CAIRN_RETURN_IF_ERROR(control::WriteSnapshotResources(run.ctx.store, run.snapshot, captured.rows, captured.resources));
  return recorded;
}

Status RemoveCheckpointBitmaps(EngineContext& ctx, const std::string& job_id, const CapturedVm& vm,
                               const std::string& checkpoint_xml) {
  rpc::DiskTask task{.job_id = job_id,
                     .host = vm.host,
                     .kind = std::string(rpc::task_kind::kRemoveCheckpoint),
                     .body = {{"domain", vm.instance_name}, {"xml", checkpoint_xml}}};
  return ctx.transport.Call(task, {}, nullptr).status();
}

// Bitmaps of the previous checkpoints are not needed any more (the next
// incremental starts from this snapshot's). They go before the snapshot is
// published: their removal redefines the checkpoint in libvirt for a
// moment, and once a client sees the snapshot available nothing of Cairn
// may touch the VM (Nova refuses to delete or resize a domain with
// checkpoint metadata). Should the snapshot still be cancelled after this,
// the next one is a full, with a warning.
void DropObsoleteCheckpoints(SnapshotRun& run, const std::vector<VmSnapshot>& vms) {
  for (const auto& item : vms) {
    const json old = item.PreviousCheckpoint();
    if (!old.is_object() || old.value("xml", "").empty()) continue;
    if (Status st = RemoveCheckpointBitmaps(run.ctx, run.jc.job.id, item.vm, old.value("xml", "")); !st.ok()) {
      GetLogger("engine")->warn("VM {}: the bitmaps of checkpoint {} stay in its disks: {}", item.vm.vm_id,
                                old.value("name", ""), st.ToString());
    }
  }
}

}  // namespace cairn::engine
