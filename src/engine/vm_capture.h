// Captures what a snapshot needs to rebuild a VM: its server, flavor,
// image and properties, key pair name, metadata, ports (fixed IPs, MACs),
// networks, subnets, routers, security groups with their rules, attached
// volumes (type, size, bootable, device), and where it runs (host and
// libvirt domain, which only the service user may see).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "db/models.h"
#include "engine/context.h"
#include "openstack/token.h"

namespace cairn::engine {

// An attached Cinder volume as captured.
struct CapturedVolume {
  std::string id;
  std::string device;  // "vdb" (from "/dev/vdb")
  std::string volume_type;
  long long size_gb = 0;
  bool bootable = false;
  std::string name;
};

struct CapturedVm {
  std::string vm_id;
  std::string vm_name;
  std::string status;         // Nova's status (ACTIVE, SHUTOFF, ...)
  std::string host;           // compute host (the datamover that reads its disks)
  std::string instance_name;  // libvirt domain
  std::string image_id;       // "" when booted from a volume
  bool quiesce = false;       // the image asks for the guest agent (hw_qemu_guest_agent)
  std::vector<CapturedVolume> volumes;
  nlohmann::json definition;  // everything above and the raw objects (resources_db entry)
  db::SnapshotVm row;         // the snapshot_vms row (without snapshot_id)
};

// Captures VM `vm_id` with the user's token (the service token only for
// host and domain). NotFound naming the VM when it no longer exists;
// warnings (an image deleted since boot, ...) are appended to `warnings`.
Result<CapturedVm> CaptureVm(EngineContext& ctx, const openstack::Token& user, const std::string& vm_id,
                             std::vector<std::string>& warnings);

// The Cinder volume behind a disk the datamover reported: by serial (Nova
// gives a volume disk the volume id, or its first 20 characters, as serial),
// else by device name. nullptr for a Nova disk.
const CapturedVolume* VolumeOfDisk(const CapturedVm& vm, const std::string& device, const std::string& serial);

}  // namespace cairn::engine
