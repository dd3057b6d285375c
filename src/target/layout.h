// The on-target layout of the workloadmgr world, defined in one place: one
// function per path. Every id must be a safe path component (letters,
// digits, '-', '_'); functions taking ids assume they were validated with
// ValidateId(). See docs/target-layout.md.
//
//   workload_<w>/workload_db, workload_vms_db
//   workload_<w>/snapshot_<s>/snapshot_db, snapshot_vms_db, resources_db
//   workload_<w>/snapshot_<s>/vm_id_<v>/vm_res_id_<r>_<dev>/disk_db
//   workload_<w>/snapshot_<s>/vm_id_<v>/vm_res_id_<r>_<dev>/<disk snapshot id>           (qcow2)
//   workload_<w>/snapshot_<s>/vm_id_<v>/vm_res_id_<r>_<dev>/<disk snapshot id>.manifest  (checksums)
//   workload_<w>/snapshot_<s>/network/..., security_group/...
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace cairn::target::layout {

// OK when `id` is non-empty, at most 128 characters of [A-Za-z0-9_-].
Status ValidateId(std::string_view what, std::string_view id);
// OK when `dev` is a device name like "vda", "sdb", "hdc" ([a-z0-9]{1,32}).
Status ValidateDevice(std::string_view dev);

std::string WorkloadDir(std::string_view workload);
std::string WorkloadDb(std::string_view workload);
std::string WorkloadVmsDb(std::string_view workload);
std::string SnapshotDir(std::string_view workload, std::string_view snapshot);
std::string SnapshotDb(std::string_view workload, std::string_view snapshot);
std::string SnapshotVmsDb(std::string_view workload, std::string_view snapshot);
std::string ResourcesDb(std::string_view workload, std::string_view snapshot);
std::string NetworkDir(std::string_view workload, std::string_view snapshot);
std::string SecurityGroupDir(std::string_view workload, std::string_view snapshot);
std::string VmDir(std::string_view workload, std::string_view snapshot, std::string_view vm);
// "vm_res_id_<resource>_<dev>" inside VmDir.
std::string DiskDirName(std::string_view resource, std::string_view dev);
std::string DiskDir(std::string_view workload, std::string_view snapshot, std::string_view vm,
                    std::string_view resource, std::string_view dev);
std::string DiskDb(std::string_view disk_dir);
std::string DiskImage(std::string_view disk_dir, std::string_view disk_snapshot_id);
std::string DiskManifest(std::string_view disk_dir, std::string_view disk_snapshot_id);

// Parses "vm_res_id_<resource>_<dev>": true and sets resource/dev when it
// has that shape.
bool ParseDiskDirName(std::string_view name, std::string& resource, std::string& dev);

// The path of `to` relative to the directory of `from` (both store paths),
// e.g. "../../../snapshot_<s0>/vm_id_<v>/vm_res_id_<r>_vda/<id>": what an
// incremental image stores as its backing file name.
std::string RelativePath(std::string_view from, std::string_view to);

}  // namespace cairn::target::layout
