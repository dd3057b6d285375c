#include "control/restore_plan.h"

#include "common/json_input.h"
#include "common/strings.h"

namespace cairn::control {
namespace {

using nlohmann::json;

Status Bad(const std::string& field, const std::string& why) {
  return Status::InvalidArgument("Invalid value for '" + field + "': " + why);
}

// --- Checking and normalising the options JSON

// Replaces the member `key` of `obj` with its boolean value when present.
Status NormaliseBool(json& obj, std::string_view key, const std::string& path) {
  if (const json* v = FindMember(obj, key)) {
    CAIRN_ASSIGN_OR_RETURN(bool b, ReadBool(*v, path + "." + std::string(key)));
    obj[std::string(key)] = b;
  }
  return Status::OK();
}

Result<std::string> RequireId(const json& obj, const std::string& path) {
  const json* v = FindMember(obj, "id");
  if (v == nullptr) return Bad(path + ".id", "missing");
  CAIRN_ASSIGN_OR_RETURN(std::string id, ReadString(*v, path + ".id", 64));
  return AsciiLower(std::string(Trim(id)));
}

Status CheckFlavor(json& flavor, const std::string& path) {
  if (!flavor.is_object()) return Bad(path, "expected an object, got " + DescribeJson(flavor));
  for (const char* key : {"vcpus", "ram", "disk", "ephemeral", "swap"}) {
    if (const json* v = FindMember(flavor, key)) {
      if (v->is_string() && Trim(v->get_ref<const std::string&>()).empty()) {
        flavor[key] = 0;
        continue;
      }
      CAIRN_ASSIGN_OR_RETURN(int64_t n, ReadInt(*v, path + "." + key, 0, 1 << 30));
      flavor[key] = n;
    }
  }
  if (const json* v = FindMember(flavor, "id")) {
    CAIRN_ASSIGN_OR_RETURN(std::string id, ReadScalarText(*v, path + ".id", 255));
    flavor["id"] = id;
  }
  return Status::OK();
}

Status CheckNicNetwork(json& nic, const std::string& p) {
  if (nic.contains("network") && nic["network"].is_null()) nic.erase("network");
  if (!nic.contains("network")) return Status::OK();
  json& net = nic["network"];
  if (!net.is_object()) return Bad(p + ".network", "expected an object, got " + DescribeJson(net));
  CAIRN_ASSIGN_OR_RETURN(std::string network_id, RequireId(net, p + ".network"));
  net["id"] = network_id;
  if (net.contains("subnet") && net["subnet"].is_null()) net.erase("subnet");
  if (net.contains("subnet")) {
    json& subnet = net["subnet"];
    if (!subnet.is_object()) {
      return Bad(p + ".network.subnet", "expected an object with an id, got " + DescribeJson(subnet));
    }
    CAIRN_ASSIGN_OR_RETURN(std::string subnet_id, RequireId(subnet, p + ".network.subnet"));
    subnet["id"] = subnet_id;
  }
  return Status::OK();
}

Status CheckNics(json& nics, const std::string& path) {
  if (!nics.is_array()) return Bad(path, "expected a list, got " + DescribeJson(nics));
  for (size_t i = 0; i < nics.size(); ++i) {
    const std::string p = path + "[" + std::to_string(i) + "]";
    json& nic = nics[i];
    if (!nic.is_object()) return Bad(p, "expected an object, got " + DescribeJson(nic));
    for (const char* key : {"id", "mac_address", "ip_address"}) {
      if (const json* v = FindMember(nic, key)) CAIRN_RETURN_IF_ERROR(ReadString(*v, p + "." + key, 255).status());
    }
    CAIRN_RETURN_IF_ERROR(CheckNicNetwork(nic, p));
  }
  return Status::OK();
}

Status CheckVdisks(json& vdisks, const std::string& p, const SnapshotContents& snapshot) {
  if (!vdisks.is_array()) return Bad(p + ".vdisks", "expected a list, got " + DescribeJson(vdisks));
  for (size_t k = 0; k < vdisks.size(); ++k) {
    const std::string dp = p + ".vdisks[" + std::to_string(k) + "]";
    json& vd = vdisks[k];
    if (!vd.is_object()) return Bad(dp, "expected an object, got " + DescribeJson(vd));
    CAIRN_ASSIGN_OR_RETURN(std::string disk_id, RequireId(vd, dp));
    if (!snapshot.disk_ids.contains(disk_id) && !snapshot.volume_ids.contains(disk_id)) {
      return Bad(dp + ".id", "disk " + disk_id + " is not in this snapshot");
    }
    vd["id"] = disk_id;
    CAIRN_RETURN_IF_ERROR(NormaliseBool(vd, "restore_cinder_volume", dp));
    for (const char* key : {"new_volume_type", "availability_zone"}) {
      if (const json* v = FindMember(vd, key)) CAIRN_RETURN_IF_ERROR(ReadString(*v, dp + "." + key, 255).status());
    }
  }
  return Status::OK();
}

// One entry of openstack.instances; counts it in `included` when it is.
Status CheckInstance(json& inst, const std::string& p, const SnapshotContents& snapshot, size_t& included) {
  if (!inst.is_object()) return Bad(p, "expected an object, got " + DescribeJson(inst));
  CAIRN_ASSIGN_OR_RETURN(std::string id, RequireId(inst, p));
  if (!snapshot.vm_ids.contains(id)) return Bad(p + ".id", "instance " + id + " is not in this snapshot");
  inst["id"] = id;
  if (!inst.contains("include") || inst["include"].is_null()) inst["include"] = true;
  CAIRN_RETURN_IF_ERROR(NormaliseBool(inst, "include", p));
  CAIRN_RETURN_IF_ERROR(NormaliseBool(inst, "restore_boot_disk", p));
  if (inst["include"].get<bool>()) ++included;
  for (const char* key : {"name", "availability_zone"}) {
    if (const json* v = FindMember(inst, key)) CAIRN_RETURN_IF_ERROR(ReadString(*v, p + "." + key, 255).status());
  }
  if (inst.contains("flavor") && !inst["flavor"].is_null()) CAIRN_RETURN_IF_ERROR(CheckFlavor(inst["flavor"], p + ".flavor"));
  if (inst.contains("nics") && !inst["nics"].is_null()) CAIRN_RETURN_IF_ERROR(CheckNics(inst["nics"], p + ".nics"));
  if (inst.contains("vdisks") && !inst["vdisks"].is_null()) CAIRN_RETURN_IF_ERROR(CheckVdisks(inst["vdisks"], p, snapshot));
  return Status::OK();
}

Status CheckInstances(json& openstack, const std::string& type, const SnapshotContents& snapshot) {
  const std::string path = "options.openstack.instances";
  json* instances = openstack.contains("instances") ? &openstack["instances"] : nullptr;
  if (instances == nullptr || instances->is_null()) {
    return Bad(path, "a " + type + " restore must list the snapshot's instances to restore");
  }
  if (!instances->is_array()) return Bad(path, "expected a list, got " + DescribeJson(*instances));
  size_t included = 0;
  for (size_t i = 0; i < instances->size(); ++i) {
    CAIRN_RETURN_IF_ERROR(CheckInstance((*instances)[i], path + "[" + std::to_string(i) + "]", snapshot, included));
  }
  if (included == 0) return Bad(path, "no instance is included");
  return Status::OK();
}

Status CheckNetworkMapping(json& openstack) {
  CAIRN_RETURN_IF_ERROR(NormaliseBool(openstack, "restore_topology", "options.openstack"));
  if (!openstack.contains("networks_mapping") || openstack["networks_mapping"].is_null()) return Status::OK();
  json& mapping = openstack["networks_mapping"];
  const std::string path = "options.openstack.networks_mapping";
  if (!mapping.is_object()) return Bad(path, "expected an object, got " + DescribeJson(mapping));
  if (!mapping.contains("networks") || mapping["networks"].is_null()) return Status::OK();
  json& networks = mapping["networks"];
  if (!networks.is_array()) return Bad(path + ".networks", "expected a list, got " + DescribeJson(networks));
  for (size_t i = 0; i < networks.size(); ++i) {
    const std::string p = path + ".networks[" + std::to_string(i) + "]";
    const json& m = networks[i];
    if (!m.is_object()) return Bad(p, "expected an object, got " + DescribeJson(m));
    for (const char* side : {"snapshot_network", "target_network"}) {
      const json* net = FindMember(m, side);
      if (net == nullptr || !net->is_object()) return Bad(p + "." + side, "expected an object with an id");
      CAIRN_RETURN_IF_ERROR(RequireId(*net, p + "." + side).status());
    }
  }
  return Status::OK();
}

// The restore type of the options (restore_type, else oneclickrestore).
Result<std::string> ReadRestoreType(json& options) {
  bool oneclick = false;
  if (const json* v = FindMember(options, "oneclickrestore")) {
    CAIRN_ASSIGN_OR_RETURN(oneclick, ReadBool(*v, "options.oneclickrestore"));
    options["oneclickrestore"] = oneclick;
  }
  std::string type;
  if (const json* v = FindMember(options, "restore_type")) {
    CAIRN_ASSIGN_OR_RETURN(type, ReadString(*v, "options.restore_type", 32));
    type = AsciiLower(std::string(Trim(type)));
  }
  if (type.empty()) type = oneclick ? "oneclick" : "";
  if (type.empty()) {
    return Bad("options.restore_type", "missing: one of \"oneclick\", \"selective\", \"inplace\"");
  }
  if (type != "oneclick" && type != "selective" && type != "inplace") {
    return Bad("options.restore_type", Quoted(type) + " is not one of \"oneclick\", \"selective\", \"inplace\"");
  }
  if (const json* v = FindMember(options, "type")) {
    CAIRN_ASSIGN_OR_RETURN(std::string platform, ReadString(*v, "options.type", 32));
    if (AsciiLower(platform) != "openstack") return Bad("options.type", "only \"openstack\" is supported");
  }
  return type;
}

// Normalises `options` in place (see ParseRestoreOptions); answers the type.
Result<std::string> NormaliseOptions(json& options, const SnapshotContents& snapshot) {
  CAIRN_ASSIGN_OR_RETURN(std::string type, ReadRestoreType(options));
  options["type"] = "openstack";
  options["restore_type"] = type;
  options["oneclickrestore"] = type == "oneclick";
  if (!options.contains("openstack") || options["openstack"].is_null()) options["openstack"] = json::object();
  json& openstack = options["openstack"];
  if (!openstack.is_object()) return Bad("options.openstack", "expected an object, got " + DescribeJson(openstack));
  if (const json* v = FindMember(openstack, "zone")) CAIRN_RETURN_IF_ERROR(ReadString(*v, "options.openstack.zone", 255).status());
  if (const json* v = FindMember(options, "zone")) CAIRN_RETURN_IF_ERROR(ReadString(*v, "options.zone", 255).status());
  if (type == "oneclick") {
    // The instances list, when given, may only name the snapshot's VMs.
    if (openstack.contains("instances") && openstack["instances"].is_array() && !openstack["instances"].empty()) {
      CAIRN_RETURN_IF_ERROR(CheckInstances(openstack, type, snapshot));
    }
  } else {
    CAIRN_RETURN_IF_ERROR(CheckInstances(openstack, type, snapshot));
  }
  if (type == "selective") CAIRN_RETURN_IF_ERROR(CheckNetworkMapping(openstack));
  return type;
}

// --- The typed plan from normalised options

std::string StringOf(const json& obj, std::string_view key) {
  const json* v = FindMember(obj, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

std::optional<int64_t> IntOf(const json& obj, std::string_view key) {
  const json* v = FindMember(obj, key);
  if (v == nullptr || !v->is_number_integer()) return std::nullopt;
  return v->get<int64_t>();
}

std::optional<bool> BoolOf(const json& obj, std::string_view key) {
  const json* v = FindMember(obj, key);
  if (v == nullptr || !v->is_boolean()) return std::nullopt;
  return v->get<bool>();
}

NicChoice NicFrom(const json& nic) {
  NicChoice out{.id = StringOf(nic, "id"),
                .mac_address = StringOf(nic, "mac_address"),
                .ip_address = StringOf(nic, "ip_address")};
  if (const json* net = FindMember(nic, "network")) {
    out.network_id = StringOf(*net, "id");
    if (const json* sub = FindMember(*net, "subnet")) out.subnet_id = StringOf(*sub, "id");
  }
  return out;
}

VmPlan VmPlanFrom(const json& inst) {
  VmPlan plan{.vm_id = StringOf(inst, "id"),
              .include = BoolOf(inst, "include").value_or(true),
              .name = StringOf(inst, "name"),
              .availability_zone = StringOf(inst, "availability_zone"),
              .restore_boot_disk = BoolOf(inst, "restore_boot_disk").value_or(true)};
  if (const json* f = FindMember(inst, "flavor")) {
    plan.flavor = FlavorChoice{.id = StringOf(*f, "id"),
                               .vcpus = IntOf(*f, "vcpus"),
                               .ram_mb = IntOf(*f, "ram"),
                               .disk_gb = IntOf(*f, "disk"),
                               .ephemeral_gb = IntOf(*f, "ephemeral"),
                               .swap_mb = IntOf(*f, "swap")};
  }
  if (const json* nics = FindMember(inst, "nics")) {
    for (const json& nic : *nics) plan.nics.push_back(NicFrom(nic));
  }
  if (const json* vdisks = FindMember(inst, "vdisks")) {
    for (const json& vd : *vdisks) {
      plan.vdisks.push_back({.id = StringOf(vd, "id"),
                             .new_volume_type = StringOf(vd, "new_volume_type"),
                             .restore_cinder_volume = BoolOf(vd, "restore_cinder_volume")});
    }
  }
  return plan;
}

// The mappings of openstack.networks_mapping.networks[] (checked for a
// selective restore; a oneclick one takes the well-formed entries as given).
std::vector<NetworkMapping> MappingsFrom(const json& openstack) {
  std::vector<NetworkMapping> out;
  const json* mapping = FindMember(openstack, "networks_mapping");
  const json* networks = mapping != nullptr ? FindMember(*mapping, "networks") : nullptr;
  if (networks == nullptr || !networks->is_array()) return out;
  for (const json& m : *networks) {
    const json* from = FindMember(m, "snapshot_network");
    const json* to = FindMember(m, "target_network");
    if (from == nullptr || to == nullptr || !from->is_object() || !to->is_object()) continue;
    if (FindMember(*from, "id") == nullptr) continue;
    const std::string target = StringOf(*to, "id");
    out.push_back({.snapshot_network_id = StringOf(*from, "id"),
                   .target_network_id = target.empty() ? StringOf(*from, "id") : target});
  }
  return out;
}

RestorePlan PlanFrom(const json& options, const std::string& type) {
  RestorePlan plan;
  plan.type = type == "selective" ? RestoreType::kSelective
              : type == "inplace" ? RestoreType::kInplace
                                  : RestoreType::kOneclick;
  const json& openstack = options.at("openstack");  // an object once normalised
  const json* instances = FindMember(openstack, "instances");
  // A oneclick list is checked only when it names VMs (and then ignored).
  if (instances != nullptr && instances->is_array() && (type != "oneclick" || !instances->empty())) {
    plan.instances_listed = true;
    for (const json& inst : *instances) plan.instances.push_back(VmPlanFrom(inst));
  }
  if (type != "inplace") plan.networks = MappingsFrom(openstack);
  return plan;
}

// What rows of older versions hold that the engine then read and the parser
// now refuses, in the form it takes: the row's restore_type; instances at
// the top of the options (selective, inplace: a oneclick restore ignores
// any list); a nic's subnet that is not an object with an id (ignored
// before the API checked it).
void UpgradeStoredOptions(json& stored, std::string_view restore_type) {
  stored["restore_type"] = std::string(restore_type);
  const json* openstack = FindMember(stored, "openstack");
  const bool listed = openstack != nullptr && openstack->is_object() && openstack->contains("instances");
  if (!listed && restore_type != "oneclick" && FindMember(stored, "instances") != nullptr) {
    if (openstack == nullptr || !openstack->is_object()) stored["openstack"] = json::object();
    stored["openstack"]["instances"] = stored["instances"];
  }
  const json* list = FindMember(stored, "openstack");
  list = list != nullptr && list->is_object() ? FindMember(*list, "instances") : nullptr;
  if (list == nullptr || !list->is_array()) return;
  for (json& inst : stored["openstack"]["instances"]) {
    if (!inst.is_object() || !inst.contains("nics") || !inst["nics"].is_array()) continue;
    for (json& nic : inst["nics"]) {
      if (!nic.is_object() || !nic.contains("network") || !nic["network"].is_object()) continue;
      json& net = nic["network"];
      if (net.contains("subnet") && (!net["subnet"].is_object() || FindMember(net["subnet"], "id") == nullptr)) {
        net.erase("subnet");
      }
    }
  }
}

}  // namespace

std::string_view RestoreTypeName(RestoreType type) {
  switch (type) {
    case RestoreType::kSelective: return "selective";
    case RestoreType::kInplace: return "inplace";
    case RestoreType::kOneclick: break;
  }
  return "oneclick";
}

std::string VmPlan::VolumeType(std::string_view disk_id, std::string_view volume_id,
                               const std::string& captured) const {
  std::string type = captured;
  for (const auto& vd : vdisks) {
    if ((vd.id == disk_id || vd.id == volume_id) && !vd.new_volume_type.empty()) type = vd.new_volume_type;
  }
  return type;
}

bool VmPlan::WritesBack(std::string_view disk_id, const std::optional<std::string>& volume_id) const {
  bool writes = volume_id ? true : restore_boot_disk;
  for (const auto& vd : vdisks) {
    if (vd.id == disk_id || (volume_id && vd.id == *volume_id)) writes = vd.restore_cinder_volume.value_or(true);
  }
  return writes;
}

VmPlan RestorePlan::For(std::string_view vm_id) const {
  if (type == RestoreType::kOneclick || !instances_listed) return VmPlan{.vm_id = std::string(vm_id)};
  for (const auto& vm : instances) {
    if (vm.vm_id == vm_id) return vm;
  }
  return VmPlan{.vm_id = std::string(vm_id), .include = false};
}

std::string RestorePlan::MappedNetwork(std::string_view network_id) const {
  for (const auto& m : networks) {
    if (m.snapshot_network_id == network_id) return m.target_network_id;
  }
  return std::string(network_id);
}

Result<ParsedRestoreOptions> ParseRestoreOptions(const json& options, const SnapshotContents& snapshot) {
  ParsedRestoreOptions out;
  out.options = options;
  CAIRN_ASSIGN_OR_RETURN(std::string type, NormaliseOptions(out.options, snapshot));
  out.plan = PlanFrom(out.options, type);
  return out;
}

Result<RestorePlan> ParseStoredRestorePlan(std::string_view restore_type, const json& options,
                                           const SnapshotContents& snapshot) {
  json stored = options.is_object() ? options : json::object();
  UpgradeStoredOptions(stored, restore_type);
  CAIRN_ASSIGN_OR_RETURN(ParsedRestoreOptions parsed, ParseRestoreOptions(stored, snapshot));
  return std::move(parsed.plan);
}

}  // namespace cairn::control
