// The JSON metadata the engine keeps on the backup target beside the disk
// images (the workloadmgr layout, docs/target-layout.md): enough to restore
// without the database and to rebuild it (import). Files are replaced
// atomically; snapshot_db is written last, so a snapshot whose snapshot_db
// says "available" is complete on the target.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "db/models.h"
#include "target/store.h"

namespace cairn::control {

nlohmann::json WorkloadToJson(const db::Workload& workload);
nlohmann::json SnapshotToJson(const db::Snapshot& snapshot);
nlohmann::json SnapshotVmToJson(const db::SnapshotVm& vm);
nlohmann::json SnapshotDiskToJson(const db::SnapshotDisk& disk);

// The inverse of the *ToJson functions, for import: reads what a target's
// *_db file holds (written by Cairn; keys may be missing, and keep the
// model's defaults then; the other workloadmgr implementation's spellings
// such as display_name are read too, though its targets import no snapshots:
// they have no manifests and name backing files by absolute paths). InvalidArgument naming the file's field when a value has the
// wrong type, or when a required id is missing or not a safe path component.
// The row times are read from created_at/updated_at/finished_at when present.
Result<db::Workload> WorkloadFromJson(const nlohmann::json& value);
Result<db::Snapshot> SnapshotFromJson(const nlohmann::json& value);
Result<db::SnapshotVm> SnapshotVmFromJson(const nlohmann::json& value);
Result<db::SnapshotDisk> SnapshotDiskFromJson(const nlohmann::json& value);

// Writes workload_db (the workload, secrets left out) and workload_vms_db.
Status WriteWorkloadMetadata(target::Store& store, const db::Workload& workload);

// Writes the definitions a snapshot captured: resources_db (one object per
// VM id: its server, flavor, image, ports, volumes, ...), snapshot_vms_db,
// and network/ and security_group/ files (one per object, by id).
Status WriteSnapshotResources(target::Store& store, const db::Snapshot& snapshot, const std::vector<db::SnapshotVm>& vms,
                              const nlohmann::json& resources);
// Writes the disk_db of each disk (in its disk directory).
Status WriteDiskMetadata(target::Store& store, const db::Snapshot& snapshot, const std::vector<db::SnapshotDisk>& disks);
// Writes snapshot_db: the last step of a snapshot (and again when its status changes).
Status WriteSnapshotDb(target::Store& store, const db::Snapshot& snapshot);

}  // namespace cairn::control
