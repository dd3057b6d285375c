// The datamover's view of the disk backups on a target: where a disk's image
// and manifest are, which ones are published, and how to open them.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "datamover/manifest.h"
#include "qcow2/disk.h"
#include "target/store.h"

namespace cairn::datamover {

// Identifies one disk of one VM in one snapshot of a workload.
struct DiskRef {
  std::string workload;
  std::string snapshot;
  std::string vm;
  std::string device;  // "vda"

  // InvalidArgument naming the bad field when an id is not a safe path component.
  Status Validate() const;
  std::string ToString() const;  // "workload W snapshot S vm V disk vda"
};

// A published disk backup: its image and manifest both exist.
struct DiskBackup {
  DiskRef ref;
  std::string resource;  // the vm_res_id part of the directory name
  std::string dir;       // store path of vm_res_id_<resource>_<device>
  std::string image_id;  // the disk snapshot id: the image's file name

  std::string image_path() const;
  std::string manifest_path() const;
};

// The store path of the disk directory of `ref` (published or not), or
// nullopt when the snapshot has none for that device.
Result<std::optional<std::string>> FindDiskDir(target::Store& store, const DiskRef& ref);
// The published backup of `ref`; NotFound (naming it) when there is none.
Result<DiskBackup> FindDiskBackup(target::Store& store, const DiskRef& ref);
// Every published backup of the VM's disk across the workload's snapshots.
Result<std::vector<DiskBackup>> ListDiskBackups(target::Store& store, const std::string& workload,
                                                const std::string& vm, const std::string& device);
// Reads and validates the manifest of a backup.
Result<Manifest> LoadManifest(target::Store& store, const DiskBackup& backup);
// A backup image opened with its chain, and the store paths of its layers.
struct BackupChain {
  std::unique_ptr<qcow2::Disk> disk;
  std::vector<std::string> layers;  // store paths, the image itself first
};

// Opens the backup's image read-only, with its chain unless follow_backing is
// false. The target is untrusted: every layer is opened through the store
// (no symbolic link, regular files only), always as qcow2, and every backing
// name must resolve to an image inside the backup's own workload directory.
// A backing name that is absolute, climbs out of the workload, names a
// format other than qcow2, points at a link or loops is Corruption (or
// NotSupported for absolute names) naming the image that names it.
Result<BackupChain> OpenBackupChain(target::Store& store, const DiskBackup& backup, bool follow_backing = true);
// OpenBackupChain's disk alone.
Result<std::unique_ptr<qcow2::Disk>> OpenBackupImage(target::Store& store, const DiskBackup& backup,
                                                     bool follow_backing = true);
// The store path of the image that `backup`'s image names as its backing
// file, or nullopt for a full (standalone) image.
Result<std::optional<std::string>> BackingImagePath(target::Store& store, const std::string& image_path);

}  // namespace cairn::datamover
