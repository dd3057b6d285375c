// restore_create (workflows.h): oneclick, selective and inplace restores.
//
// Every OpenStack object a restore creates is written to the restore's
// "instances" ledger before the next step, so a failure (or an engine that
// died: the job is taken over) removes exactly what was made.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>

#include "common/json_input.h"
#include "common/log.h"
#include "datamover/restore.h"
#include "db/restore_repository.h"
#include "db/service_repository.h"
#include "db/snapshot_repository.h"
#include "db/workload_repository.h"
#include "engine/progress.h"
#include "engine/workflows.h"
#include "engine/workload_lock.h"
#include "rpc/task.h"
#include "target/directory_probe.h"
#include "target/identity.h"
#include "target/layout.h"

namespace cairn::engine {
namespace {

using nlohmann::json;
namespace rs = db::restore_status;
namespace os = openstack;

// What a restore made so far (kept in restores.instances as JSON).
struct Ledger {
  json doc = json::array();  // [{vm_id, name, server, ports[], volumes[], images[], status}]
  json& For(const std::string& vm_id) {
    for (auto& e : doc) {
      if (e.value("vm_id", "") == vm_id) return e;
    }
    doc.push_back({{"vm_id", vm_id}, {"ports", json::array()}, {"volumes", json::array()},
                   {"images", json::array()}, {"attachments", json::array()}, {"status", "building"}});
    return doc.back();
  }
};

class RestoreRun {
 public:
  RestoreRun(EngineContext& ctx, const JobContext& jc, db::Restore restore)
      : ctx_(ctx), jc_(jc), r_(std::move(restore)), cloud_(ctx.cloud) {
    if (r_.instances.is_array()) ledger_.doc = r_.instances;
    waits_.timeout = ctx.options.server_timeout;
  }

  // Restores every included VM; the restore becomes available and the
  // workload `lock` is released together.
  Status Run(HeldWorkloadLock& lock);
  // Removes everything in the ledger that is not a finished VM (all of it
  // when `everything`). Best effort: what cannot be removed is logged and
  // named in the returned text.
  std::string Undo(bool everything);

 private:
  Status Prepare();
  Status RestoreVm(const db::SnapshotVm& vm, const json& def, const json& plan);
  Status InPlaceVm(const db::SnapshotVm& vm, const json& plan);
  // Nova's other local disks (ephemeral, swap) of a rebuilt VM: Nova makes
  // them empty; the VM is stopped, their data written in place, started.
  Status RestoreLocalDisks(const db::SnapshotVm& vm, const std::string& server_id);
  // The restore_disk task writing the snapshot's disk `device` of VM
  // `vm_id` into that disk of the (shut-off) server `target`.
  rpc::DiskTask IntoDomainDisk(const std::string& vm_id, const std::string& device, const os::Server& target) const {
    return rpc::DiskTask{.job_id = jc_.job.id,
                         .host = target.host,
                         .kind = std::string(rpc::task_kind::kRestoreDisk),
                         .body = {{"workload", s_.workload_id},
                                  {"snapshot", s_.id},
                                  {"vm", vm_id},
                                  {"device", device},
                                  {"domain", target.instance_name},
                                  {"target_id", target_id_}}};
  }
  Status CheckCancel() const { return jc_.cancel.load() ? Status::Cancelled("cancelled") : Status::OK(); }
  // A fresh token for the next phase: a restore can outlive a token.
  Status RefreshToken() {
    CAIRN_ASSIGN_OR_RETURN(user_, ctx_.cloud.UserToken(jc_.job));
    return Status::OK();
  }
  Status SaveLedger() { return db::RestoreRepository(ctx_.db).Update(r_.id, {.instances = ledger_.doc}).status(); }
  void Progress(int percent, const std::string& msg) {
    (void)db::RestoreRepository(ctx_.db).Update(r_.id, {.progress_percent = percent, .progress_msg = msg});
  }
  Result<std::string> FindFlavor(const json& wanted, const json& plan);
  Result<std::string> BootImage(const db::SnapshotVm& vm, const json& def, json& entry);
  Result<std::string> DatamoverHost(const std::string& preferred);
  std::vector<db::SnapshotDisk> DisksOf(const std::string& vm_id) const {
    std::vector<db::SnapshotDisk> out;
    for (const auto& d : disks_) {
      if (d.vm_id == vm_id) out.push_back(d);
    }
    return out;
  }

  EngineContext& ctx_;
  const JobContext& jc_;
  db::Restore r_;
  db::Snapshot s_;
  os::Token user_;
  CloudDriver& cloud_;
  os::WaitOptions waits_;
  std::string target_id_;  // the target's identity marker, checked by every datamover
  std::vector<db::SnapshotVm> vms_;
  std::vector<db::SnapshotDisk> disks_;
  json resources_ = json::object();
  Ledger ledger_;
  std::vector<std::string> warnings_;
  uint64_t bytes_ = 0;
};

// The plan of one VM from the restore options: included?, name, flavor,
// availability zone, nics, vdisks. Oneclick: everything as it was.
json PlanFor(const db::Restore& r, const std::string& vm_id) {
  const json& o = r.options;
  const json* list = nullptr;
  if (o.contains("openstack") && o["openstack"].is_object() && o["openstack"].contains("instances")) {
    list = &o["openstack"]["instances"];
  } else if (o.contains("instances")) {
    list = &o["instances"];
  }
  if (r.restore_type == "oneclick" || list == nullptr || !list->is_array()) return json{{"include", true}};
  for (const auto& i : *list) {
    if (i.value("id", "") == vm_id) {
      json p = i;
      if (!p.contains("include")) p["include"] = true;
      return p;
    }
  }
  return json{{"include", false}};
}

// The network a selective restore maps `network_id` to (itself when unmapped).
std::string MappedNetwork(const db::Restore& r, const std::string& network_id) {
  const json& o = r.options;
  if (!o.contains("openstack") || !o["openstack"].is_object()) return network_id;
  const json& os_opts = o["openstack"];
  if (!os_opts.contains("networks_mapping") || !os_opts["networks_mapping"].is_object()) return network_id;
  for (const auto& m : os_opts["networks_mapping"].value("networks", json::array())) {
    if (m.contains("snapshot_network") && m["snapshot_network"].value("id", "") == network_id &&
        m.contains("target_network")) {
      return m["target_network"].value("id", network_id);
    }
  }
  return network_id;
}

Status RestoreRun::Prepare() {
  db::SnapshotRepository snapshots(ctx_.db);
  CAIRN_ASSIGN_OR_RETURN(s_, snapshots.Get(r_.snapshot_id));
  CAIRN_ASSIGN_OR_RETURN(vms_, snapshots.ListVms(s_.id));
  CAIRN_ASSIGN_OR_RETURN(disks_, snapshots.ListDisks(s_.id));
  CAIRN_ASSIGN_OR_RETURN(std::string text, ctx_.store.ReadSmall(target::layout::ResourcesDb(s_.workload_id, s_.id)));
  resources_ = json::parse(text, nullptr, false);
  if (!resources_.is_object()) {
    return Status::Corruption("resources_db of snapshot " + s_.id + " on the target is not a JSON object");
  }
  CAIRN_ASSIGN_OR_RETURN(user_, ctx_.cloud.UserToken(jc_.job));
  return Status::OK();
}

Result<std::string> RestoreRun::DatamoverHost(const std::string& preferred) {
  if (ctx_.options.datamover_transport == "in_process") return preferred;
  CAIRN_ASSIGN_OR_RETURN(std::vector<db::Service> services, db::ServiceRepository(ctx_.db).List("cairn-datamover"));
  std::string any;
  for (const auto& sv : services) {
    if (!sv.up || !sv.enabled) continue;
    if (sv.host == preferred) return preferred;
    if (any.empty()) any = sv.host;
  }
  if (any.empty()) return Status::Unavailable("no datamover is up to write the restored volumes");
  return any;
}

Result<std::string> RestoreRun::FindFlavor(const json& wanted, const json& plan) {
  if (plan.contains("flavor") && plan["flavor"].is_object() && !plan["flavor"].value("id", "").empty()) {
    return plan["flavor"].value("id", "");
  }
  json want = wanted;
  if (plan.contains("flavor") && plan["flavor"].is_object()) {
    for (const char* k : {"vcpus", "ram", "disk", "ephemeral", "swap"}) {
      if (plan["flavor"].contains(k)) want[k] = plan["flavor"][k];
    }
    want.erase("name");
  }
  CAIRN_ASSIGN_OR_RETURN(std::vector<os::Flavor> flavors, cloud_.ListFlavors(user_));
  auto num = [&](const char* k) {
    const json& v = want.value(k, json(0));
    if (v.is_number()) return v.get<int>();
    if (v.is_string()) return std::atoi(v.get<std::string>().c_str());
    return 0;
  };
  const std::string name = want.value("name", "");
  for (const auto& f : flavors) {
    if (!name.empty() && f.name == name) return f.id;
  }
  for (const auto& f : flavors) {
    if (f.vcpus == num("vcpus") && f.ram_mb == num("ram") && f.disk_gb == num("disk") &&
        f.ephemeral_gb == num("ephemeral") && f.swap_mb == num("swap")) {
      return f.id;
    }
  }
  return Status::NotFound("no flavor " + (name.empty() ? std::string() : "named " + name + " or ") + "with " +
                          std::to_string(num("vcpus")) + " vCPU, " + std::to_string(num("ram")) + " MB RAM, " +
                          std::to_string(num("disk")) + " GB disk exists: choose one in a selective restore");
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

// The boot disk of an image-booted VM comes back as a temporary Glance
// image with the original image's properties.
Result<std::string> RestoreRun::BootImage(const db::SnapshotVm& vm, const json& def, json& entry) {
  const db::SnapshotDisk* boot = nullptr;
  for (const auto& d : disks_) {
    if (d.vm_id == vm.vm_id && !d.volume_id && d.device == "vda") boot = &d;
  }
  if (boot == nullptr) return Status::NotFound("snapshot " + s_.id + " has no boot disk of VM " + vm.vm_id);
  std::error_code ec;
  std::filesystem::create_directories(ctx_.options.staging_dir, ec);
  // Restored disks are the tenants' data: only Cairn may read them here.
  std::filesystem::permissions(ctx_.options.staging_dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  const std::string staging = ctx_.options.staging_dir + "/" + r_.id + "-" + vm.vm_id + ".qcow2";
  std::filesystem::remove(staging, ec);
  CAIRN_ASSIGN_OR_RETURN(uint64_t need, StagingNeed(ctx_.db, *boot));
  CAIRN_RETURN_IF_ERROR(target::CheckFreeSpace(ctx_.options.staging_dir, need,
                                               "staging the boot disk of VM " + vm.vm_name +
                                                   " for its upload to Glance ([engine] staging_dir)"));
  datamover::RestoreRequest request;
  request.disk = {s_.workload_id, s_.id, vm.vm_id, boot->device};
  request.to = staging;
  request.format = qcow2::OutputFormat::kQcow2;
  request.cancel = &jc_.cancel;
  Progress(r_.progress_percent, "Preparing the boot disk of " + vm.vm_name);
  Result<datamover::RestoreResult> restored = datamover::Restore(ctx_.store, request);
  if (!restored.ok()) {
    std::filesystem::remove(staging, ec);
    return restored.status().WithContext("boot disk of VM " + vm.vm_name);
  }
  bytes_ += restored->virtual_size;
  os::ImageCreate create;
  create.name = "cairn-restore-" + r_.id.substr(0, 8) + "-" + vm.vm_name;
  create.disk_format = "qcow2";
  create.container_format = "bare";
  create.visibility = "private";
  if (def.contains("image") && def["image"].is_object()) {
    Result<os::Image> original = os::ParseImage(def["image"]);
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
  Result<os::Image> image = cloud_.CreateImage(user_, create);
  if (!image.ok()) {
    std::filesystem::remove(staging, ec);
    return image.status().WithContext("temporary image of VM " + vm.vm_name);
  }
  entry["images"].push_back(image->id);
  CAIRN_RETURN_IF_ERROR(SaveLedger());
  Status uploaded = cloud_.UploadImageData(user_, image->id, staging);
  std::filesystem::remove(staging, ec);
  CAIRN_RETURN_IF_ERROR(uploaded.WithContext("upload of the boot disk of VM " + vm.vm_name));
  CAIRN_RETURN_IF_ERROR(cloud_.WaitForImage(user_, image->id, waits_).status());
  return image->id;
}

Status RestoreRun::RestoreVm(const db::SnapshotVm& vm, const json& def, const json& plan) {
  CAIRN_RETURN_IF_ERROR(RefreshToken());
  json& entry = ledger_.For(vm.vm_id);
  if (entry.value("status", "") == "available") return Status::OK();
  const bool oneclick = r_.restore_type == "oneclick";
  const std::string name = plan.value("name", "").empty() ? vm.vm_name : plan.value("name", "");
  entry["name"] = name;
  Progress(r_.progress_percent, "Restoring VM " + name);

  // Ports: the same IPs and MACs (oneclick; selective when asked), on the
  // same or the mapped networks, with the security groups of the same names.
  std::vector<std::string> group_ids;
  for (const auto& g : vm.security_groups) {
    os::SecurityGroupFilter f;
    f.name = g.value("name", "");
    f.project_id = r_.project_id;
    CAIRN_ASSIGN_OR_RETURN(std::vector<os::SecurityGroup> found, cloud_.ListSecurityGroups(user_, f));
    if (found.empty()) {
      warnings_.push_back("security group " + f.name + " of VM " + vm.vm_name + " no longer exists");
    } else {
      group_ids.push_back(found.front().id);
    }
  }
  std::vector<os::ServerNetwork> networks;
  const json selective_nics = plan.value("nics", json::array());
  // The captured nics are one entry per fixed IP: group them by port, so a
  // dual-stack port comes back as one port with both addresses.
  std::vector<std::pair<std::string, std::vector<json>>> ports;
  for (const auto& nic : vm.nics) {
    const std::string port_id = nic.value("port_id", "");
    auto it = std::find_if(ports.begin(), ports.end(), [&](const auto& p) { return p.first == port_id; });
    if (it == ports.end()) {
      ports.push_back({port_id, {nic}});
    } else {
      it->second.push_back(nic);
    }
  }
  size_t selective_index = 0;
  for (const auto& [port_id, ips] : ports) {
    const json& first = ips.front();
    const std::string network = MappedNetwork(r_, first.value("network_id", ""));
    const bool same_network = network == first.value("network_id", "");
    os::PortCreate pc;
    pc.network_id = network;
    pc.name = "cairn-restore-" + r_.id.substr(0, 8) + "-" + name;
    pc.security_groups = group_ids;
    if (oneclick) {
      pc.mac_address = first.value("mac_address", "");
      for (const auto& nic : ips) {
        pc.fixed_ips.push_back({.subnet_id = nic.value("subnet_id", ""), .ip_address = nic.value("ip_address", "")});
      }
    } else {
      // Selective: the nic the user gave for this port (in order, or by
      // network), else an address from DHCP on the (mapped) network.
      const json* sel = nullptr;
      for (const auto& candidate : selective_nics) {
        const std::string sel_net = candidate.contains("network") ? candidate["network"].value("id", "") : "";
        if (sel_net == network) {
          sel = &candidate;
          break;
        }
      }
      if (sel == nullptr && selective_index < selective_nics.size()) sel = &selective_nics[selective_index];
      ++selective_index;
      if (sel != nullptr) {
        pc.mac_address = sel->value("mac_address", "");
        std::string subnet = same_network ? first.value("subnet_id", "") : "";
        const json* net = FindMember(*sel, "network");
        const json* sub = net != nullptr ? FindMember(*net, "subnet") : nullptr;
        if (sub != nullptr && sub->is_object()) subnet = sub->value("id", subnet);
        const std::string ip = sel->value("ip_address", "");
        if (!ip.empty() || !subnet.empty()) pc.fixed_ips.push_back({.subnet_id = subnet, .ip_address = ip});
      }
    }
    for (const auto& fixed : pc.fixed_ips) {
      if (fixed.ip_address.empty()) continue;
      os::PortFilter held;
      held.network_id = network;
      held.ip_address = fixed.ip_address;
      CAIRN_ASSIGN_OR_RETURN(std::vector<os::Port> holders, cloud_.ListPorts(user_, held));
      if (!holders.empty()) {
        return Status::Conflict("IP " + fixed.ip_address + " of VM " + vm.vm_name + " is still held by port " +
                                holders[0].id +
                                (holders[0].device_id.empty() ? std::string() : " of server " + holders[0].device_id) +
                                ": delete the original VM first, or use a selective restore onto another address");
      }
    }
    CAIRN_ASSIGN_OR_RETURN(os::Port port, cloud_.CreatePort(user_, pc));
    entry["ports"].push_back(port.id);
    CAIRN_RETURN_IF_ERROR(SaveLedger());
    networks.push_back({.port = port.id});
  }
  CAIRN_RETURN_IF_ERROR(CheckCancel());

  // Volumes: new ones of the same size and type, written on a datamover's host.
  const std::string vm_host = vm.metadata.value("host", "");
  std::vector<std::pair<std::string, std::string>> attach;  // volume id, device
  for (const auto& d : DisksOf(vm.vm_id)) {
    if (!d.volume_id) continue;
    std::string type = d.volume_type;
    for (const auto& vd : plan.value("vdisks", json::array())) {
      if (vd.value("id", "") == d.id || vd.value("id", "") == *d.volume_id) {
        if (!vd.value("new_volume_type", "").empty()) type = vd.value("new_volume_type", "");
      }
    }
    os::VolumeCreate vc;
    vc.size_gb = d.volume_size;
    vc.volume_type = type;
    vc.name = "cairn-restore-" + r_.id.substr(0, 8) + "-" + name + "-" + d.device;
    vc.availability_zone = plan.value("availability_zone", "");
    vc.description = "restored by Cairn from snapshot " + s_.id;
    CAIRN_ASSIGN_OR_RETURN(os::Volume volume, cloud_.CreateVolume(user_, vc));
    entry["volumes"].push_back(volume.id);
    CAIRN_RETURN_IF_ERROR(SaveLedger());
    CAIRN_RETURN_IF_ERROR(cloud_.WaitForVolume(user_, volume.id, {.statuses = {"available"}}, waits_).status());
    CAIRN_ASSIGN_OR_RETURN(std::string host, DatamoverHost(vm_host));
    json connector = {{"host", host}, {"ip", "127.0.0.1"}, {"initiator", ""}, {"platform", "x86_64"},
                      {"os_type", "linux"}, {"multipath", false}};
    CAIRN_ASSIGN_OR_RETURN(os::Attachment attachment,
                           cloud_.CreateAttachment(user_, {.volume_id = volume.id, .connector = connector}));
    entry["attachments"].push_back(attachment.id);
    CAIRN_RETURN_IF_ERROR(SaveLedger());
    rpc::DiskTask task{.job_id = jc_.job.id,
                       .host = host,
                       .kind = std::string(rpc::task_kind::kRestoreDisk),
                       .body = {{"workload", s_.workload_id},
                                {"snapshot", s_.id},
                                {"vm", vm.vm_id},
                                {"device", d.device},
                                {"connection_info", attachment.connection_info},
                                {"target_id", target_id_}}};
    auto written = ctx_.transport.Call(task, {}, &jc_.cancel);
    Status detached = cloud_.DeleteAttachment(user_, attachment.id);
    if (!written.ok()) return written.status().WithContext("volume " + d.device + " of VM " + vm.vm_name);
    CAIRN_RETURN_IF_ERROR(detached);
    entry["attachments"].erase(entry["attachments"].size() - 1);
    CAIRN_RETURN_IF_ERROR(cloud_.WaitForVolume(user_, volume.id, {.statuses = {"available"}}, waits_).status());
    bytes_ += written->value("virtual_size", uint64_t{0});
    attach.emplace_back(volume.id, d.device);
  }
  CAIRN_RETURN_IF_ERROR(CheckCancel());

  // The server.
  os::ServerCreate sc;
  sc.name = name;
  CAIRN_ASSIGN_OR_RETURN(sc.flavor_ref, FindFlavor(vm.flavor, plan));
  if (vm.metadata.value("boot", "image") == "image") {
    CAIRN_ASSIGN_OR_RETURN(sc.image_ref, BootImage(vm, def, entry));
  } else {
    return Status::NotSupported("VM " + vm.vm_name + " boots from a volume: such VMs cannot be restored yet");
  }
  sc.networks = networks;
  sc.key_name = vm.metadata.value("key_name", "");
  if (vm.metadata.contains("server_metadata") && vm.metadata["server_metadata"].is_object()) {
    for (const auto& [k, v] : vm.metadata["server_metadata"].items()) {
      if (v.is_string()) sc.metadata[k] = v.get<std::string>();
    }
  }
  sc.availability_zone = plan.value("availability_zone", oneclick ? vm.metadata.value("availability_zone", "") : "");
  if (def.contains("server") && def["server"].is_object()) {
    const json& cd = def["server"].value("config_drive", json(""));
    sc.config_drive = cd.is_string() && (cd == "True" || cd == "true");
  }
  CAIRN_ASSIGN_OR_RETURN(std::string server_id, cloud_.CreateServer(user_, sc));
  entry["server"] = server_id;
  CAIRN_RETURN_IF_ERROR(SaveLedger());
  CAIRN_RETURN_IF_ERROR(cloud_.WaitForServer(user_, server_id, {.statuses = {"ACTIVE"}}, waits_).status());
  // Ephemeral disks first (this stops and starts the VM), then the volumes,
  // so the guest meets its volumes once, already holding their data.
  CAIRN_RETURN_IF_ERROR(RestoreLocalDisks(vm, server_id));
  for (const auto& [volume_id, device] : attach) {
    CAIRN_RETURN_IF_ERROR(cloud_.AttachVolume(user_, server_id, volume_id, "/dev/" + device).status());
    CAIRN_RETURN_IF_ERROR(cloud_.WaitForVolume(user_, volume_id, {.statuses = {"in-use"}}, waits_).status());
  }
  // The temporary image is not needed once the server runs.
  for (const auto& image : entry["images"]) {
    if (Status d = cloud_.DeleteImage(user_, image.get<std::string>()); !d.ok() && !d.IsNotFound()) {
      warnings_.push_back("temporary image " + image.get<std::string>() + " not deleted: " + d.message());
    }
  }
  entry["images"] = json::array();
  entry["status"] = "available";
  entry["id"] = server_id;
  return SaveLedger();
}

Status RestoreRun::RestoreLocalDisks(const db::SnapshotVm& vm, const std::string& server_id) {
  std::vector<db::SnapshotDisk> local;
  for (const auto& d : DisksOf(vm.vm_id)) {
    if (!d.volume_id && d.device != "vda") local.push_back(d);
  }
  if (local.empty()) return Status::OK();
  CAIRN_ASSIGN_OR_RETURN(os::Token service, cloud_.ServiceToken());
  CAIRN_ASSIGN_OR_RETURN(os::Server admin_view, cloud_.GetServer(service, server_id));
  Progress(r_.progress_percent, "Writing the ephemeral disks of " + vm.vm_name);
  CAIRN_RETURN_IF_ERROR(cloud_.StopServer(user_, server_id));
  CAIRN_RETURN_IF_ERROR(cloud_.WaitForServer(user_, server_id, {.statuses = {"SHUTOFF"}}, waits_).status());
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

// In place: the VM is shut off, its volumes get the clusters that differ
// from the snapshot, its Nova disks are replaced by the snapshot's, it starts.
Status RestoreRun::InPlaceVm(const db::SnapshotVm& vm, const json& plan) {
  CAIRN_RETURN_IF_ERROR(RefreshToken());
  json& entry = ledger_.For(vm.vm_id);
  entry["name"] = vm.vm_name;
  entry["in_place"] = true;
  CAIRN_ASSIGN_OR_RETURN(os::Server server, cloud_.GetServer(user_, vm.vm_id));
  CAIRN_ASSIGN_OR_RETURN(os::Token service, cloud_.ServiceToken());
  CAIRN_ASSIGN_OR_RETURN(os::Server admin_view, cloud_.GetServer(service, vm.vm_id));
  // A volume is written back only where it is still attached: another
  // volume at the same device must not get its data.
  CAIRN_ASSIGN_OR_RETURN(std::vector<os::VolumeAttachment> attached, cloud_.ListVolumeAttachments(user_, vm.vm_id));
  for (const auto& d : DisksOf(vm.vm_id)) {
    if (!d.volume_id) continue;
    bool same = false;
    for (const auto& a : attached) {
      if (a.volume_id == *d.volume_id && a.device.size() >= d.device.size() &&
          a.device.compare(a.device.size() - d.device.size(), std::string::npos, d.device) == 0) {
        same = true;
      }
    }
    if (!same) {
      return Status::Conflict("volume " + *d.volume_id + " is no longer attached to VM " + vm.vm_name + " as " +
                              d.device + ": an in-place restore cannot write it (use a selective restore)");
    }
  }
  const bool was_running = server.status == "ACTIVE";
  Status result;
  if (was_running) {
    Progress(r_.progress_percent, "Stopping VM " + vm.vm_name);
    result = cloud_.StopServer(user_, vm.vm_id);
    if (result.ok()) result = cloud_.WaitForServer(user_, vm.vm_id, {.statuses = {"SHUTOFF"}}, waits_).status();
  }
  const bool boot_disk = plan.value("restore_boot_disk", true);
  for (const auto& d : DisksOf(vm.vm_id)) {
    if (!result.ok()) break;
    bool include = d.volume_id ? true : boot_disk;
    for (const auto& vd : plan.value("vdisks", json::array())) {
      if (vd.value("id", "") == d.id || (d.volume_id && vd.value("id", "") == *d.volume_id)) {
        include = vd.value("restore_cinder_volume", true);
      }
    }
    if (!include) continue;
    Progress(r_.progress_percent, "Writing back disk " + d.device + " of VM " + vm.vm_name);
    auto written = ctx_.transport.Call(IntoDomainDisk(vm.vm_id, d.device, admin_view), {}, &jc_.cancel);
    if (!written.ok()) {
      // Not a cancel, whatever stopped it: the disk holds a mix of old and
      // restored data, which the user must be told.
      result = Status(written.status().IsCancelled() ? ErrorCode::kUnavailable : written.status().code(),
                      "disk " + d.device + " of VM " + vm.vm_name + " is partly restored (" +
                          written.status().message() + "): restore it again");
      break;
    }
    bytes_ += written->value("bytes_written", uint64_t{0});
    entry["clusters_written"] = entry.value("clusters_written", uint64_t{0}) + written->value("clusters_written", uint64_t{0});
  }
  // The VM runs again as it did, whatever happened.
  if (was_running) {
    (void)RefreshToken();
    if (Status st = cloud_.StartServer(user_, vm.vm_id); st.ok() || st.code() == ErrorCode::kConflict) {
      (void)cloud_.WaitForServer(user_, vm.vm_id, {.statuses = {"ACTIVE"}}, waits_);
    } else if (result.ok()) {
      result = st;
    }
  }
  CAIRN_RETURN_IF_ERROR(result);
  entry["status"] = "available";
  entry["id"] = vm.vm_id;
  return SaveLedger();
}

Status RestoreRun::Run(HeldWorkloadLock& lock) {
  // A target without its marker is not the one the backups are on (an
  // unmounted share): nothing is read from it.
  CAIRN_ASSIGN_OR_RETURN(target::TargetIdentity identity, target::ReadTargetIdentity(ctx_.store));
  target_id_ = identity.id;
  CAIRN_RETURN_IF_ERROR(Prepare());
  const auto started = std::chrono::steady_clock::now();
  int included = 0;
  for (const auto& vm : vms_) included += PlanFor(r_, vm.vm_id).value("include", true) ? 1 : 0;
  if (included == 0) return Status::InvalidArgument("the restore includes none of the snapshot's VMs");
  int done = 0;
  for (const auto& vm : vms_) {
    const json plan = PlanFor(r_, vm.vm_id);
    if (!plan.value("include", true)) continue;
    CAIRN_RETURN_IF_ERROR(CheckCancel());
    r_.progress_percent = 5 + 90 * done / included;
    if (r_.restore_type == "inplace") {
      CAIRN_RETURN_IF_ERROR(InPlaceVm(vm, plan));
    } else {
      const json def = resources_.value(vm.vm_id, json::object());
      CAIRN_RETURN_IF_ERROR(RestoreVm(vm, def, plan));
    }
    ++done;
  }
  std::string warning_msg;
  for (const auto& w : warnings_) warning_msg += (warning_msg.empty() ? "" : "; ") + w;
  const int64_t seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started).count();
  // The restore becomes available and its workload unlocked in one
  // transaction: a client that sees it done can start the next job at once.
  return lock.UnlockWith("finish restore", [&](db::Executor& tx) {
    return db::RestoreRepository(tx)
                              .Update(r_.id, {.status = std::string(rs::kAvailable),
                                              .progress_percent = 100,
                                              .progress_msg = "Restored " + std::to_string(done) + " VM(s)",
                                              .warning_msg = warning_msg,
                                              .error_msg = std::string(),
                                              .uploaded_size = static_cast<int64_t>(bytes_),
                                              .time_taken = std::max<int64_t>(seconds, 1),
                                              .instances = ledger_.doc,
                                              .finished_at = ctx_.clock.Now()})
                              .status();
  });
}

std::string RestoreRun::Undo(bool everything) {
  std::string left;
  auto note = [&](const std::string& what, const Status& st) {
    if (st.ok() || st.IsNotFound()) return;
    GetLogger("engine")->warn("restore {}: {} not removed: {}", r_.id, what, st.ToString());
    left += (left.empty() ? "" : ", ") + what;
  };
  // Always a fresh token: the one of the failed step may have expired.
  if (Status refreshed = RefreshToken(); !refreshed.ok()) {
    bool created = false;
    for (const auto& e : ledger_.doc) created = created || !e.value("in_place", false);
    if (!created) return "";
    return "everything it created (no token to remove it: " + refreshed.message() + ")";
  }
  for (auto& e : ledger_.doc) {
    if (!everything && e.value("status", "") == "available") continue;
    if (e.value("in_place", false)) continue;  // nothing was created
    for (const auto& a : e.value("attachments", json::array())) note("attachment " + a.get<std::string>(), cloud_.DeleteAttachment(user_, a.get<std::string>()));
    if (!e.value("server", "").empty()) {
      const std::string server = e.value("server", "");
      Status st = cloud_.DeleteServer(user_, server);
      if (st.ok()) st = cloud_.WaitForServer(user_, server, {.gone = true}, waits_).status();
      note("server " + server, st);
    }
    for (const auto& p : e.value("ports", json::array())) note("port " + p.get<std::string>(), cloud_.DeletePort(user_, p.get<std::string>()));
    for (const auto& v : e.value("volumes", json::array())) {
      const std::string id = v.get<std::string>();
      (void)cloud_.WaitForVolume(user_, id, {.statuses = {"available", "error"}}, waits_);
      note("volume " + id, cloud_.DeleteVolume(user_, id));
    }
    for (const auto& i : e.value("images", json::array())) note("image " + i.get<std::string>(), cloud_.DeleteImage(user_, i.get<std::string>()));
    e["status"] = "removed";
  }
  (void)SaveLedger();
  return left;
}

}  // namespace

Status RunRestore(EngineContext& ctx, const JobContext& jc) {
  db::RestoreRepository restores(ctx.db);
  CAIRN_ASSIGN_OR_RETURN(db::Restore r, restores.Get(jc.job.object_id));
  if (r.status == rs::kAvailable || r.status == rs::kError || r.status == rs::kCancelled) return Status::OK();
  // The workload's lock is this job's (queued with it): released however
  // the job ends, unless another engine took the job over.
  HeldWorkloadLock lock(ctx.db, jc, r.workload_id);
  RestoreRun run(ctx, jc, r);
  Status outcome;
  if (jc.taken_over) {
    outcome = Status::Unavailable("the engine running this restore stopped (job attempt " +
                                  std::to_string(jc.job.attempts) + ")");
  } else if (r.status == rs::kCancelling || jc.cancel.load()) {
    outcome = Status::Cancelled("cancelled");
  } else {
    CAIRN_RETURN_IF_ERROR(restores.Update(r.id, {.status = std::string(rs::kExecuting), .progress_percent = 1,
                                                 .progress_msg = "Starting the " + r.restore_type + " restore"})
                              .status());
    outcome = CatchExceptions("the restore workflow", [&] { return run.Run(lock); });
  }
  if (!outcome.ok()) {
    if (jc.cancel.load() && !outcome.IsCancelled()) outcome = Status::Cancelled(outcome.message());
    // A failed oneclick/selective restore removes what it built; an
    // in-place one changed only the VM's own disks.
    StopDiskTasksOfJob(ctx, jc.job.id);
    std::string left;
    if (Status undone = CatchExceptions("the undo of the restore", [&] {
          left = run.Undo(/*everything=*/true);
          return Status::OK();
        });
        !undone.ok()) {
      left = "what its instances list (" + undone.message() + ")";
    }
    std::string message = outcome.message();
    if (!left.empty()) message += " (not removed, remove by hand: " + left + ")";
    // The restore's end and its workload's unlock are seen together (when
    // this fails, the lock's guard still unlocks).
    (void)lock.UnlockWith("end restore", [&](db::Executor& tx) {
      return db::RestoreRepository(tx)
          .Update(r.id, {.status = std::string(outcome.IsCancelled() ? rs::kCancelled : rs::kError),
                         .progress_msg = outcome.IsCancelled() ? "Cancelled" : "Failed",
                         .error_msg = outcome.IsCancelled() ? std::string() : message,
                         .finished_at = ctx.clock.Now()})
          .status();
    });
    GetLogger("engine")->warn("restore {} {}: {}", r.id, outcome.IsCancelled() ? "cancelled" : "failed", message);
  }
  return outcome;
}

}  // namespace cairn::engine
