// Backups of a running libvirt/QEMU VM's disks, consistent across its disks
// and incremental: one pull-mode backup job exports every disk as it was at
// one instant over NBD, and a checkpoint (a persistent dirty bitmap in each
// qcow2 disk) taken at that instant finds the next backup's changes. No
// checkpoint metadata stays in libvirt between backups: the caller keeps the
// checkpoint's XML and hands it back next time (docs/datamover-libvirt.md).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "datamover/backup.h"
#include "datamover/libvirt/domain_xml.h"

namespace cairn::datamover::libvirt {

// What libvirt says of a domain.
struct DomainInfo {
  std::string name;
  bool running = false;
  std::vector<DomainDisk> disks;  // every <disk>, cdroms included (see DomainDisk::Exportable)
};

// Reads a domain's disks (live XML when running, else the inactive one).
// Unavailable when libvirt cannot be reached, NotFound when there is no such domain.
Result<DomainInfo> InspectDomain(const std::string& uri, const std::string& domain_name);

// A checkpoint as Cairn keeps it between backups: its name and its XML
// (from virDomainCheckpointGetXMLDesc, without the domain). Empty: none.
struct CheckpointRef {
  std::string name;
  std::string xml;
  bool empty() const { return name.empty(); }
};

// One disk of the VM to back up.
struct VmDiskRequest {
  std::string device;  // the target dev in the domain: "vda"
  DiskRef disk;        // where its backup goes (workload, snapshot, vm, device)
  std::string resource;                          // vm_res_id; empty: a new UUID
  std::optional<std::string> previous_snapshot;  // the snapshot with this disk's previous backup
};

struct VmBackupRequest {
  std::string uri = "qemu:///system";
  std::string domain;                // libvirt domain name ("instance-0000002a")
  std::vector<VmDiskRequest> disks;  // exportable disks only; others are not exported
  CheckpointRef previous_checkpoint; // taken at the previous backup; empty for a full
  bool force_full = false;           // ignore the previous checkpoint and backups: store everything
  bool quiesce = false;              // freeze the guest's file systems (guest agent) around the instant
  std::optional<qcow2::CompressionType> compression;
  int threads = 0;                   // per disk; 0: one per core
  std::chrono::milliseconds lock_timeout{60000};
  std::function<void(uint64_t done, uint64_t total)> progress;  // bytes over all disks
  const std::atomic<bool>* cancel = nullptr;
};

struct VmBackupResult {
  std::vector<BackupResult> disks;  // in request order; disks[i].backup.ref.device names the disk
  CheckpointRef checkpoint;         // taken at this backup's instant: keep it for the next one
  std::vector<std::string> warnings;  // fulls instead of incrementals and why, quiesce failures
  bool quiesced = false;            // the file systems were frozen at the instant
  double seconds = 0;
};

// Backs up the disks of a running domain, all as of one instant. qcow2
// disks whose bitmap from `previous_checkpoint` is intact are read as the
// dirty bitmap says (kBitmap); raw disks are compared cluster by cluster
// with their previous manifest (kScan); any other case is a full with a
// warning saying why, never an incremental on doubtful change data. After
// the run, success or not, no checkpoint metadata of this backup is left in
// libvirt; the new checkpoint's bitmap stays in the qcow2 disks (on
// failure it is removed too). A failed or cancelled run ends the job,
// removes every disk backup it wrote and leaves the VM running. Conflict when
// the domain is not running; InvalidArgument for unknown or unexportable
// devices.
Result<VmBackupResult> BackupVm(target::Store& store, const VmBackupRequest& request);

// Removes the bitmaps of a checkpoint that no backup needs any more from the
// domain's qcow2 disks. Running domain: redefines the checkpoint from
// `checkpoint_xml` and deletes it with its bitmaps through libvirt (no
// metadata stays; when a disk lacks its bitmap, disk by disk). Shut-off domain (libvirt 9 refuses to delete checkpoints
// there): `qemu-img bitmap --remove` on each disk's image; Conflict when an
// image is in use. OK when none of its bitmaps remain.
Status RemoveCheckpointBitmaps(const std::string& uri, const std::string& domain_name,
                               const std::string& checkpoint_xml);

}  // namespace cairn::datamover::libvirt
