// RestorePlan: what a restore asks for, typed. cairn-api parses and checks a
// request's options with ParseRestoreOptions once, answering 400 for a bad
// field, and stores the normalised options JSON in the restore row (its GET
// shows them); cairn-engine parses the row again with the same parser
// (ParseStoredRestorePlan) and restores from the typed plan only.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace cairn::control {

// What the snapshot holds, to check the ids a request names.
struct SnapshotContents {
  std::set<std::string> vm_ids;
  std::set<std::string> disk_ids;    // disk snapshot ids
  std::set<std::string> volume_ids;  // Cinder volume ids of the snapshot's disks
};

enum class RestoreType {
  kOneclick,   // every VM as it was: new ports with the same IPs and MACs
  kSelective,  // the chosen VMs, with the names, flavors, networks and volume types given
  kInplace,    // the chosen VMs' own disks written back
};

// "oneclick", "selective", "inplace" (the restore row's restore_type).
std::string_view RestoreTypeName(RestoreType type);

// A flavor chosen for a restored VM: an existing flavor's id, else sizes
// that replace those of the VM's captured flavor (unset ones keep them) to
// find a flavor by.
struct FlavorChoice {
  std::string id{};  // when not empty, used as is
  std::optional<int64_t> vcpus{};
  std::optional<int64_t> ram_mb{};
  std::optional<int64_t> disk_gb{};
  std::optional<int64_t> ephemeral_gb{};
  std::optional<int64_t> swap_mb{};
};

// A NIC asked for in a selective restore. Empty members were not given.
struct NicChoice {
  std::string id{};
  std::string mac_address{};
  std::string ip_address{};
  std::string network_id{};
  std::string subnet_id{};
};

// A disk named in a VM's vdisks, by its disk snapshot id or volume id.
struct VdiskChoice {
  std::string id{};
  std::string new_volume_type{};  // selective: the type of the new volume (empty: the same)
  std::optional<bool> restore_cinder_volume{};  // inplace: whether it is written back (unset: yes)
};

// The plan of one VM of the snapshot.
struct VmPlan {
  std::string vm_id{};
  bool include = true;
  std::string name{};               // of the new VM; empty: the original name
  std::string availability_zone{};  // of the new VM and its volumes; empty: Nova's choice (selective)
  std::optional<FlavorChoice> flavor{};
  std::vector<NicChoice> nics{};    // in the order given
  std::vector<VdiskChoice> vdisks{};
  bool restore_boot_disk = true;  // inplace: whether the Nova disks are written back

  // The type of the volume restored from disk `disk_id` (its Cinder volume
  // `volume_id`): the last new_volume_type given for either id, else `captured`.
  std::string VolumeType(std::string_view disk_id, std::string_view volume_id, const std::string& captured) const;
  // Whether an in-place restore writes back disk `disk_id` (`volume_id`
  // when it is a Cinder volume): volumes yes and Nova disks per
  // restore_boot_disk, unless a vdisk naming it says otherwise.
  bool WritesBack(std::string_view disk_id, const std::optional<std::string>& volume_id) const;
};

// A selective restore's network mapping: ports of the snapshot's network go
// to the target network.
struct NetworkMapping {
  std::string snapshot_network_id{};
  std::string target_network_id{};
};

struct RestorePlan {
  RestoreType type = RestoreType::kOneclick;
  bool instances_listed = false;  // the options list the instances (else: every VM as it was)
  std::vector<VmPlan> instances{};  // as listed
  std::vector<NetworkMapping> networks{};

  // The plan of VM `vm_id`: as listed (include defaults to true), not
  // included when a list leaves it out, every VM as it was for a oneclick
  // restore or when no list was given.
  VmPlan For(std::string_view vm_id) const;
  // The network `network_id` is mapped to (itself when unmapped).
  std::string MappedNetwork(std::string_view network_id) const;
};

struct ParsedRestoreOptions {
  RestorePlan plan;
  nlohmann::json options;  // normalised, as stored in the restore row
};

// Reads the options of a restore request (the "options" object of
// POST .../restores, docs/api.md) in every form real clients send:
// - the type comes from restore_type, else "oneclick" when oneclickrestore
//   is true (also "True"); with neither it is an InvalidArgument. type, when
//   given, must be "openstack";
// - selective: openstack.instances[] with id (a VM of the snapshot), include,
//   name, availability_zone, flavor (id or vcpus/ram/disk/ephemeral/swap),
//   nics[] ({id?, mac_address?, ip_address?, network {id, subnet {id}}}),
//   vdisks[] ({id (a disk of the snapshot), new_volume_type?,
//   availability_zone?}), restore_boot_disk; networks_mapping.networks[] with
//   snapshot_network.id and target_network.id; restore_topology;
// - inplace: instances[] with id, include, restore_boot_disk, vdisks[] with
//   id and restore_cinder_volume, new_volume_type.
// The normalised options hold booleans as JSON booleans, ids in lower case,
// flavor sizes as integers, and unknown keys as given. At least one instance
// must be included for selective and inplace. InvalidArgument naming the bad
// field otherwise ("Invalid value for 'options.openstack.instances[0].id': ...").
Result<ParsedRestoreOptions> ParseRestoreOptions(const nlohmann::json& options, const SnapshotContents& snapshot);

// The plan of a stored restore row (`restore_type`, `options`): its options
// parsed again with ParseRestoreOptions, the row's restore_type deciding.
// Rows of older versions still parse as that version's engine read them:
// instances at the top of the options instead of under "openstack" are the
// list (selective, inplace), a nic's subnet that is not an object with an
// id is ignored.
Result<RestorePlan> ParseStoredRestorePlan(std::string_view restore_type, const nlohmann::json& options,
                                           const SnapshotContents& snapshot);

}  // namespace cairn::control
