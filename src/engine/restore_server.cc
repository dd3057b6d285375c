// The server and data steps of a restore (restore_run.h): the flavor, the
// boot disk as a temporary Glance image, the server; then its other local
// disks written in place and the restored volumes attached.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "datamover/restore.h"
#include "db/snapshot_repository.h"
#include "engine/disk_names.h"
#include "engine/restore_run.h"
#include "openstack/glance.h"
#include "target/directory_probe.h"

namespace cairn::engine {
namespace {

using nlohmann::json;
namespace os = openstack;

// A size of a captured flavor: Nova gives numbers, older captures strings.
int FlavorNumber(const json& flavor, const char* key) {
  const json& v = flavor.value(key, json(0));
  if (v.is_number()) return v.get<int>();
  if (v.is_string()) return std::atoi(v.get<std::string>().c_str());
  return 0;
}

// Bytes the boot disk restored from `disk` may take in the staging
// directory: its image and those it is incremental on hold every cluster it
// has (the restored image holds each once), so their sizes together bound it.
Result<uint64_t> StagingNeed(db::Executor& db, const db::SnapshotDisk& disk) {
  db::SnapshotRepository snapshots(db);
  uint64_t need = static_cast<uint64_t>(std::max<int64_t>(disk.size, 0));
  std::string parent = disk.parent_disk_snapshot_id.value_or("");
  for (int depth = 0; !parent.empty() && depth < 10000; ++depth) {
    Result<db::SnapshotDisk> up = snapshots.GetDisk(parent);
    if (!up.ok() && up.status().IsNotFound()) return need;  // a parent row gone: what is known
    if (!up.ok()) return up.status();
    need += static_cast<uint64_t>(std::max<int64_t>(up->size, 0));
    parent = up->parent_disk_snapshot_id.value_or("");
  }
  return need;
}

}  // namespace

Result<std::string> RestoreRun::FindFlavor(const json& captured, const control::VmPlan& plan) {
  if (plan.flavor && !plan.flavor->id.empty()) return plan.flavor->id;
  json want = captured;
  if (plan.flavor) {
    const control::FlavorChoice& f = *plan.flavor;
    for (const auto& [key, value] : {std::pair{"vcpus", f.vcpus}, std::pair{"ram", f.ram_mb}, std::pair{"disk", f.disk_gb},
                                     std::pair{"ephemeral", f.ephemeral_gb}, std::pair{"swap", f.swap_mb}}) {
      if (value) want[key] = *value;
    }
    want.erase("name");
  }
  CAIRN_ASSIGN_OR_RETURN(std::vector<os::Flavor> flavors, cloud_.ListFlavors(user_));
  const std::string name = want.value("name", "");
  for (const auto& f : flavors) {
    if (!name.empty() && f.name == name) return f.id;
  }
  const int vcpus = FlavorNumber(want, "vcpus"), ram = FlavorNumber(want, "ram"), disk = FlavorNumber(want, "disk");
  for (const auto& f : flavors) {
    if (f.vcpus == vcpus && f.ram_mb == ram && f.disk_gb == disk && f.ephemeral_gb == FlavorNumber(want, "ephemeral") &&
        f.swap_mb == FlavorNumber(want, "swap")) {
      return f.id;
    }
  }
  return Status::NotFound("no flavor " + (name.empty() ? std::string() : "named " + name + " or ") + "with " +
                          std::to_string(vcpus) + " vCPU, " + std::to_string(ram) + " MB RAM, " +
                          std::to_string(disk) + " GB disk exists: choose one in a selective restore");
}

// The boot disk restored as a qcow2 file in [engine] staging_dir; answers its path.
Result<std::string> RestoreRun::StageBootDisk(const db::SnapshotVm& vm, const db::SnapshotDisk& boot) {
  std::error_code ec;
  std::filesystem::create_directories(ctx_.options.staging_dir, ec);
  // Restored disks are the tenants' data: only Cairn may read them here.
  std::filesystem::permissions(ctx_.options.staging_dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  const std::string staging = ctx_.options.staging_dir + "/" + r_.id + "-" + vm.vm_id + ".qcow2";
  std::filesystem::remove(staging, ec);
  CAIRN_ASSIGN_OR_RETURN(uint64_t need, StagingNeed(ctx_.db, boot));
  CAIRN_RETURN_IF_ERROR(target::CheckFreeSpace(ctx_.options.staging_dir, need,
                                               "staging the boot disk of VM " + vm.vm_name +
                                                   " for its upload to Glance ([engine] staging_dir)"));
  datamover::RestoreRequest request;
  request.disk = {s_.workload_id, s_.id, vm.vm_id, boot.device};
  request.to = staging;
  request.format = qcow2::OutputFormat::kQcow2;
  request.cancel = &jc_.cancel;
  Progress("Preparing the boot disk of " + vm.vm_name);
  Result<datamover::RestoreResult> restored = datamover::Restore(ctx_.store, request);
  if (!restored.ok()) {
    std::filesystem::remove(staging, ec);
    return restored.status().WithContext("boot disk of VM " + vm.vm_name);
  }
  bytes_ += restored->virtual_size;
  return staging;
}

// A private qcow2 image with the original image's properties (kernel_id,
// ramdisk_id, os_command_line, hw_*), marked with the restore's id.
os::ImageCreate RestoreRun::BootImageSpec(const VmRestore& r) const {
  os::ImageCreate create;
  create.name = ObjectName(r.vm.vm_name);
  create.disk_format = "qcow2";
  create.container_format = "bare";
  create.visibility = "private";
  if (r.def.contains("image") && r.def["image"].is_object()) {
    Result<os::Image> original = os::ParseImage(r.def["image"]);
    if (original.ok()) {
      static const std::set<std::string> kSkip = {"os_hash_algo", "os_hash_value", "os_hidden", "stores",
                                                  "direct_url", "locations", "owner_specified.openstack.md5",
                                                  "owner_specified.openstack.sha256",
                                                  "owner_specified.openstack.object"};
      for (const auto& [k, v] : original->properties) {
        if (!kSkip.count(k) && k.rfind("os_glance", 0) != 0) create.properties[k] = v;
      }
      create.min_ram_mb = original->min_ram_mb;
    }
  }
  create.properties["cairn_restore_id"] = r_.id;
  return create;
}

// The boot disk of an image-booted VM comes back as a temporary Glance image.
Result<std::string> RestoreRun::BootImage(VmRestore& r) {
  const db::SnapshotDisk* boot = nullptr;
  for (const auto& d : disks_) {
    if (d.vm_id == r.vm.vm_id && IsImageRootDisk(d)) boot = &d;
  }
  if (boot == nullptr) return Status::NotFound("snapshot " + s_.id + " has no boot disk of VM " + r.vm.vm_id);
  CAIRN_ASSIGN_OR_RETURN(std::string staging, StageBootDisk(r.vm, *boot));
  std::error_code ec;
  Result<os::Image> image = cloud_.CreateImage(user_, BootImageSpec(r));
  if (!image.ok()) {
    std::filesystem::remove(staging, ec);
    return image.status().WithContext("temporary image of VM " + r.vm.vm_name);
  }
  r.entry["images"].push_back(image->id);
  CAIRN_RETURN_IF_ERROR(SaveLedger());
  Status uploaded = cloud_.UploadImageData(user_, image->id, staging);
  std::filesystem::remove(staging, ec);
  CAIRN_RETURN_IF_ERROR(uploaded.WithContext("upload of the boot disk of VM " + r.vm.vm_name));
  CAIRN_RETURN_IF_ERROR(cloud_.WaitForImage(user_, image->id, waits_).status());
  return image->id;
}

// The server from the flavor, the boot image, the new ports, the key pair
// name, metadata, availability zone and config drive of the original.
Status RestoreRun::CreateServer(VmRestore& r) {
  const db::SnapshotVm& vm = r.vm;
  os::ServerCreate sc;
  sc.name = r.name;
  CAIRN_ASSIGN_OR_RETURN(sc.flavor_ref, FindFlavor(vm.flavor, r.plan));
  if (vm.metadata.value("boot", "image") != "image") {
    return Status::NotSupported("VM " + vm.vm_name + " boots from a volume: such VMs cannot be restored yet");
  }
  CAIRN_ASSIGN_OR_RETURN(sc.image_ref, BootImage(r));
  sc.networks = r.networks;
  sc.key_name = vm.metadata.value("key_name", "");
  if (vm.metadata.contains("server_metadata") && vm.metadata["server_metadata"].is_object()) {
    for (const auto& [k, v] : vm.metadata["server_metadata"].items()) {
      if (v.is_string()) sc.metadata[k] = v.get<std::string>();
    }
  }
  sc.availability_zone = plan_.type == control::RestoreType::kOneclick
                             ? vm.metadata.value("availability_zone", "")
                             : r.plan.availability_zone;
  if (r.def.contains("server") && r.def["server"].is_object()) {
    const json& cd = r.def["server"].value("config_drive", json(""));
    sc.config_drive = cd.is_string() && (cd == "True" || cd == "true");
  }
  CAIRN_ASSIGN_OR_RETURN(r.server_id, cloud_.CreateServer(user_, sc));
  r.entry["server"] = r.server_id;
  CAIRN_RETURN_IF_ERROR(SaveLedger());
  return cloud_.WaitForServer(user_, r.server_id, {.statuses = {"ACTIVE"}}, waits_).status();
}

Status RestoreRun::RestoreLocalDisks(const db::SnapshotVm& vm, const std::string& server_id) {
  std::vector<db::SnapshotDisk> local;
  for (const auto& d : DisksOf(vm.vm_id)) {
    if (!d.volume_id && !IsImageRootDisk(d)) local.push_back(d);
  }
  if (local.empty()) return Status::OK();
  CAIRN_ASSIGN_OR_RETURN(os::Token service, cloud_.ServiceToken());
  CAIRN_ASSIGN_OR_RETURN(os::Server admin_view, cloud_.GetServer(service, server_id));
  Progress("Writing the ephemeral disks of " + vm.vm_name);
  CAIRN_RETURN_IF_ERROR(StopServer(server_id));
  Status result;
  for (const auto& d : local) {
    auto written = ctx_.transport.Call(IntoDomainDisk(vm.vm_id, d.device, admin_view), {}, &jc_.cancel);
    if (!written.ok()) {
      result = written.status().WithContext("ephemeral disk " + d.device + " of VM " + vm.vm_name);
      break;
    }
    bytes_ += written->value("virtual_size", uint64_t{0});
  }
  if (Status st = cloud_.StartServer(user_, server_id); st.ok()) {
    Status up = cloud_.WaitForServer(user_, server_id, {.statuses = {"ACTIVE"}}, waits_).status();
    if (result.ok()) result = up;
  } else if (result.ok()) {
    result = st;
  }
  return result;
}

Status RestoreRun::AttachVolumes(VmRestore& r) {
  for (const auto& [volume_id, device] : r.volumes) {
    CAIRN_RETURN_IF_ERROR(cloud_.AttachVolume(user_, r.server_id, volume_id, "/dev/" + device).status());
    CAIRN_RETURN_IF_ERROR(cloud_.WaitForVolume(user_, volume_id, {.statuses = {"in-use"}}, waits_).status());
  }
  return Status::OK();
}

// Ephemeral disks first (this stops and starts the VM), then the volumes,
// so the guest meets its volumes once, already holding their data.
Status RestoreRun::RestoreData(VmRestore& r) {
  CAIRN_RETURN_IF_ERROR(RestoreLocalDisks(r.vm, r.server_id));
  return AttachVolumes(r);
}

}  // namespace cairn::engine
