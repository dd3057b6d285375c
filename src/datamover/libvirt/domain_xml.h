// The libvirt XML that a VM backup reads and writes, as pure functions: the
// disks of a domain, the checkpoint and pull-mode backup documents. No
// libvirt call here, so unit tests cover them without a hypervisor.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cairn::datamover::libvirt {

// One <disk> of a domain definition.
struct DomainDisk {
  std::string device;       // target dev: "vda"
  std::string bus;          // virtio, scsi, ide, sata, ...
  std::string device_type;  // disk, cdrom, floppy, lun
  std::string source_type;  // file, block, network, volume
  std::string source;       // file or block device path; network disks: the protocol's name
  std::string driver_type;  // qcow2, raw, ...
  std::string serial;       // Nova sets a Cinder volume's id (or its first 20 characters)
  bool read_only = false;

  // A writable disk or lun of a file or block device: what a pull-mode
  // backup can export.
  bool Exportable() const;
  // Exportable and qcow2: it can carry a persistent dirty bitmap.
  bool CanHaveBitmap() const { return Exportable() && driver_type == "qcow2"; }
};

// The disks of a domain's XML (live or inactive), in document order.
// InvalidArgument when it is not a <domain> document.
Result<std::vector<DomainDisk>> ParseDomainDisks(std::string_view domain_xml);

// The owner QEMU runs as, from the domain's live <seclabel model='dac'>
// label ("+64055:+110"); nullopt when there is none (QEMU runs as root, or
// the domain is not running).
struct DacOwner {
  uint32_t uid = 0;
  uint32_t gid = 0;
  bool operator==(const DacOwner&) const = default;
};
std::optional<DacOwner> ParseDacOwner(std::string_view domain_xml);

// A checkpoint as its XML describes it.
struct CheckpointDisk {
  std::string device;  // "vda"
  std::string bitmap;  // the bitmap name; "" for checkpoint='no'
};
struct CheckpointInfo {
  std::string name;
  std::vector<CheckpointDisk> disks;
  // The bitmap of `device`, or "" when the checkpoint has none for it.
  std::string BitmapOf(std::string_view device) const;
};
// Parses a <domaincheckpoint> document. A disk with checkpoint='bitmap' and
// no bitmap attribute has the checkpoint's name as bitmap, as libvirt does.
Result<CheckpointInfo> ParseCheckpointXml(std::string_view checkpoint_xml);

// The checkpoint XML as given to VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE: the
// <parent> is dropped (only one checkpoint is ever defined at a time, and a
// parent that libvirt does not know fails the redefine); the rest is kept.
Result<std::string> RedefinableCheckpointXml(std::string_view checkpoint_xml);

// A new checkpoint taken at the backup's start: a bitmap named after the
// checkpoint on every device of `bitmap_devices`, checkpoint='no' on the
// other devices of `all_devices`.
std::string BuildCheckpointXml(const std::string& name, const std::vector<std::string>& all_devices,
                               const std::vector<std::string>& bitmap_devices);

// One disk of a pull-mode backup.
struct BackupDiskPlan {
  std::string device;       // "vda"
  bool backup = false;      // exported (else backup='no')
  std::string incremental;  // the checkpoint the export's dirty bitmap starts at; "": a full export
};
// The export name of a device in the pull-mode backup's NBD server.
std::string ExportName(const std::string& device);
// The name of the dirty-bitmap export of an incremental device; its NBD meta
// context is "qemu:dirty-bitmap:" + this.
std::string ExportBitmapName(const std::string& device);
// A <domainbackup mode='pull'> whose NBD server listens on the unix socket
// `socket`, every disk listed with its own backup mode, the exported ones
// with a scratch file <scratch_dir>/<device>.scratch (copy-before-write data).
std::string BuildBackupXml(const std::string& socket, const std::string& scratch_dir,
                           const std::vector<BackupDiskPlan>& disks);

// The unix socket of a running pull-mode backup, from its XML
// (virDomainBackupGetXMLDesc); "" when it has none (push mode, TCP).
Result<std::string> ParseBackupSocket(std::string_view backup_xml);

// The directory name prefix of a VM backup's private directory:
// "cairn-vmbackup-<pid>-" + random characters.
std::string SocketDirPrefix(int pid);
// The pid in a socket path whose directory was made with SocketDirPrefix, or
// nullopt when the path is not one of Cairn's.
std::optional<int> SocketDirOwner(std::string_view socket_path);

}  // namespace cairn::datamover::libvirt
