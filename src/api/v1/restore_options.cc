#include "api/v1/restore_options.h"

#include "common/json_input.h"
#include "common/strings.h"

namespace cairn::api {
namespace {

using nlohmann::json;

Status Bad(const std::string& field, const std::string& why) {
  return Status::InvalidArgument("Invalid value for '" + field + "': " + why);
}

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

Status CheckNics(json& nics, const std::string& path) {
  if (!nics.is_array()) return Bad(path, "expected a list, got " + DescribeJson(nics));
  for (size_t i = 0; i < nics.size(); ++i) {
    const std::string p = path + "[" + std::to_string(i) + "]";
    json& nic = nics[i];
    if (!nic.is_object()) return Bad(p, "expected an object, got " + DescribeJson(nic));
    for (const char* key : {"id", "mac_address", "ip_address"}) {
      if (const json* v = FindMember(nic, key)) CAIRN_RETURN_IF_ERROR(ReadString(*v, p + "." + key, 255).status());
    }
    if (nic.contains("network") && nic["network"].is_null()) nic.erase("network");
    if (nic.contains("network")) {
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
    }
  }
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
    const std::string p = path + "[" + std::to_string(i) + "]";
    json& inst = (*instances)[i];
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
    if (inst.contains("vdisks") && !inst["vdisks"].is_null()) {
      json& vdisks = inst["vdisks"];
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
    }
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

}  // namespace

Result<RestoreRequest> ParseRestoreRequest(const json& body, const SnapshotContents& snapshot) {
  const json* restore = FindMember(body, "restore");
  // The minimal oneclick form comes without the wrapper: {"options": {...}}.
  if (restore == nullptr && FindMember(body, "options") != nullptr) restore = &body;
  if (restore == nullptr || !restore->is_object()) {
    return Status::InvalidArgument("The request body must contain the object 'restore'.");
  }
  RestoreRequest out;
  json options = json::object();
  if (const json* v = FindMember(*restore, "options")) {
    if (!v->is_object()) return Bad("options", "expected an object, got " + DescribeJson(*v));
    options = *v;
  }
  for (const json* src : std::initializer_list<const json*>{&options, restore}) {  // the restore's own name wins
    if (const json* v = FindMember(*src, "name")) {
      CAIRN_ASSIGN_OR_RETURN(std::string name, ReadString(*v, "name", 255));
      if (!Trim(name).empty()) out.name = name;
    }
    if (const json* v = FindMember(*src, "description")) {
      CAIRN_ASSIGN_OR_RETURN(out.description, ReadString(*v, "description", 4096));
    }
  }
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
  out.restore_type = type;
  out.options = std::move(options);
  return out;
}

}  // namespace cairn::api
