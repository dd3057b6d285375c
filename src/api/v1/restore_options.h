// Validation and normalisation of a restore request's options
// (POST /workloads/{wid}/snapshots/{sid}/restores).
#pragma once

#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace cairn::api {

// What the snapshot holds, to check the ids a request names.
struct SnapshotContents {
  std::set<std::string> vm_ids;
  std::set<std::string> disk_ids;    // disk snapshot ids
  std::set<std::string> volume_ids;  // Cinder volume ids of the snapshot's disks
};

// A checked restore request.
struct RestoreRequest {
  std::string name = "restore";
  std::string description;
  std::string restore_type;  // oneclick | selective | inplace
  nlohmann::json options;    // normalised (see ParseRestoreRequest)
};

// Reads `{"restore": {"name", "description", "options": {...}}}` in every
// form real clients send (docs/api.md), also the minimal `{"options": {...}}`
// without the "restore" wrapper:
// - the type comes from options.restore_type, else "oneclick" when
//   options.oneclickrestore is true (also "True"); with neither it is an
//   InvalidArgument. options.type, when given, must be "openstack";
// - name and description may sit inside options instead; default name "restore";
// - selective: openstack.instances[] with id (a VM of the snapshot), include,
//   name, availability_zone, flavor (id or vcpus/ram/disk/ephemeral/swap),
//   nics[] ({id?, mac_address?, ip_address?, network {id, subnet {id}}}),
//   vdisks[] ({id (a disk of the snapshot), new_volume_type?,
//   availability_zone?}), restore_boot_disk; networks_mapping.networks[] with
//   snapshot_network.id and target_network.id; restore_topology;
// - inplace: instances[] with id, include, restore_boot_disk, vdisks[] with
//   id and restore_cinder_volume, new_volume_type.
// Booleans are stored as JSON booleans, unknown keys are kept as given. At
// least one instance must be included for selective and inplace.
// InvalidArgument naming the bad field otherwise.
Result<RestoreRequest> ParseRestoreRequest(const nlohmann::json& body, const SnapshotContents& snapshot);

}  // namespace cairn::api
