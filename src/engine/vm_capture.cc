#include "engine/vm_capture.h"

#include <set>

namespace cairn::engine {
namespace {

using nlohmann::json;

std::string DeviceName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool Truthy(const std::string& v) { return v == "yes" || v == "true" || v == "True" || v == "1"; }

// The server as the user sees it, with its host and libvirt domain from the
// service user's view (admin-only attributes).
Result<CapturedVm> CaptureServer(CloudDriver& cloud, const openstack::Token& user, const std::string& vm_id,
                                 openstack::Server& server) {
  CAIRN_ASSIGN_OR_RETURN(server, cloud.GetServer(user, vm_id));
  CAIRN_ASSIGN_OR_RETURN(openstack::Token service, cloud.ServiceToken());
  CAIRN_ASSIGN_OR_RETURN(openstack::Server admin_view, cloud.GetServer(service, vm_id));
  CapturedVm vm;
  vm.vm_id = server.id;
  vm.vm_name = server.name;
  vm.status = server.status;
  vm.host = admin_view.host;
  vm.instance_name = admin_view.instance_name;
  vm.image_id = server.image_id;
  if (vm.host.empty() || vm.instance_name.empty()) {
    return Status::PermissionDenied("Nova does not show the host of server " + vm_id +
                                    " to Cairn's service user: it needs the admin role");
  }
  return vm;
}

// The server's image (may have been deleted since the server booted: a
// warning) into def["image"], and whether it asks for quiescing.
Status CaptureImage(CloudDriver& cloud, const openstack::Token& user, const openstack::Server& server,
                    CapturedVm& vm, std::vector<std::string>& warnings) {
  vm.definition["image"] = nullptr;
  if (server.image_id.empty()) return Status::OK();
  Result<openstack::Image> image = cloud.GetImage(user, server.image_id);
  if (image.ok()) {
    vm.definition["image"] = image->raw;
    auto agent = image->properties.find("hw_qemu_guest_agent");
    vm.quiesce = agent != image->properties.end() && Truthy(agent->second);
  } else if (image.status().IsNotFound()) {
    warnings.push_back("the image " + server.image_id + " of VM " + server.name +
                       " no longer exists: a restore will need another image's properties");
  } else {
    return image.status().WithContext("image of VM " + server.name);
  }
  return Status::OK();
}

// The ports of a server, their networks and subnets, the routers on those
// subnets and the security groups, each object once, into the definition's
// "ports", "networks", "subnets", "routers" and "security_groups".
class NetworkCapture {
 public:
  NetworkCapture(CloudDriver& cloud, const openstack::Token& user, json& def) : cloud_(cloud), user_(user), def_(def) {
    for (const char* key : {"ports", "networks", "subnets", "routers", "security_groups"}) def_[key] = json::array();
  }

  Status AddPort(const openstack::Port& port) {
    def_["ports"].push_back(port.raw);
    CAIRN_RETURN_IF_ERROR(AddNetwork(port.network_id));
    std::string network_name;
    for (const auto& n : def_["networks"]) {
      if (n.value("id", "") == port.network_id) network_name = n.value("name", "");
    }
    for (const auto& ip : port.fixed_ips) {
      nics.push_back({{"port_id", port.id},
                      {"network_id", port.network_id},
                      {"network_name", network_name},
                      {"subnet_id", ip.subnet_id},
                      {"ip_address", ip.ip_address},
                      {"mac_address", port.mac_address}});
      CAIRN_RETURN_IF_ERROR(AddSubnet(ip.subnet_id));
    }
    for (const auto& group_id : port.security_groups) CAIRN_RETURN_IF_ERROR(AddSecurityGroup(group_id));
    return Status::OK();
  }

  json nics = json::array();             // snapshot_vms.nics: one per fixed IP
  json security_groups = json::array();  // snapshot_vms.security_groups: {id, name}

 private:
  Status AddNetwork(const std::string& network_id) {
    if (!networks_.insert(network_id).second) return Status::OK();
    CAIRN_ASSIGN_OR_RETURN(openstack::Network net, cloud_.GetNetwork(user_, network_id));
    def_["networks"].push_back(net.raw);
    return Status::OK();
  }

  // A subnet and the routers with an interface on it.
  Status AddSubnet(const std::string& subnet_id) {
    if (subnet_id.empty() || !subnets_.insert(subnet_id).second) return Status::OK();
    CAIRN_ASSIGN_OR_RETURN(openstack::Subnet subnet, cloud_.GetSubnet(user_, subnet_id));
    def_["subnets"].push_back(subnet.raw);
    CAIRN_ASSIGN_OR_RETURN(std::vector<openstack::Port> interfaces, cloud_.ListRouterInterfacePorts(user_, subnet_id));
    for (const auto& itf : interfaces) {
      if (!routers_.insert(itf.device_id).second) continue;
      if (!routers_listed_) {
        CAIRN_ASSIGN_OR_RETURN(all_routers_, cloud_.ListRouters(user_));
        routers_listed_ = true;
      }
      for (const auto& r : all_routers_) {
        if (r.id == itf.device_id) def_["routers"].push_back(r.raw);
      }
    }
    return Status::OK();
  }

  Status AddSecurityGroup(const std::string& group_id) {
    if (!groups_.insert(group_id).second) return Status::OK();
    CAIRN_ASSIGN_OR_RETURN(openstack::SecurityGroup group, cloud_.GetSecurityGroup(user_, group_id));
    def_["security_groups"].push_back(group.raw);
    security_groups.push_back({{"id", group.id}, {"name", group.name}});
    return Status::OK();
  }

  CloudDriver& cloud_;
  const openstack::Token& user_;
  json& def_;
  std::set<std::string> networks_, subnets_, routers_, groups_;
  std::vector<openstack::Router> all_routers_;  // listed at the first router interface
  bool routers_listed_ = false;
};

// The attached volumes with the device Nova gave them, into vm.volumes and
// the definition's "volumes".
Status CaptureVolumes(CloudDriver& cloud, const openstack::Token& user, const openstack::Server& server,
                      CapturedVm& vm) {
  json& def = vm.definition;
  def["volumes"] = json::array();
  for (const auto& attached : server.attached_volumes) {
    CAIRN_ASSIGN_OR_RETURN(openstack::Volume volume, cloud.GetVolume(user, attached.id));
    CapturedVolume v;
    v.id = volume.id;
    v.volume_type = volume.volume_type;
    v.size_gb = volume.size_gb;
    v.bootable = volume.bootable;
    v.name = volume.name;
    for (const auto& a : volume.attachments) {
      if (a.server_id == server.id) v.device = DeviceName(a.device);
    }
    json raw = volume.raw;
    raw["cairn_device"] = v.device;
    def["volumes"].push_back(raw);
    vm.volumes.push_back(std::move(v));
  }
  return Status::OK();
}

// The VM's snapshot_vms row (without snapshot_id).
db::SnapshotVm SnapshotVmRow(const openstack::Server& server, const CapturedVm& vm, const NetworkCapture& network) {
  db::SnapshotVm row;
  row.vm_id = server.id;
  row.vm_name = server.name;
  row.flavor = {{"name", server.flavor.original_name}, {"vcpus", server.flavor.vcpus},
                {"ram", server.flavor.ram_mb},          {"disk", server.flavor.disk_gb},
                {"ephemeral", server.flavor.ephemeral_gb}, {"swap", server.flavor.swap_mb},
                {"extra_specs", server.flavor.extra_specs}};
  row.security_groups = network.security_groups;
  row.nics = network.nics;
  row.metadata = {{"host", vm.host},
                  {"instance_name", vm.instance_name},
                  {"image_id", server.image_id},
                  {"key_name", server.key_name},
                  {"availability_zone", server.availability_zone},
                  {"server_metadata", server.metadata},
                  {"boot", vm.definition["boot"]}};
  return row;
}

}  // namespace

Result<CapturedVm> CaptureVm(EngineContext& ctx, const openstack::Token& user, const std::string& vm_id,
                             std::vector<std::string>& warnings) {
  openstack::Server server;
  CAIRN_ASSIGN_OR_RETURN(CapturedVm vm, CaptureServer(ctx.cloud, user, vm_id, server));
  json& def = vm.definition;
  def = json::object();
  def["server"] = server.raw;
  def["host"] = vm.host;
  def["instance_name"] = vm.instance_name;
  def["key_name"] = server.key_name;
  def["metadata"] = server.metadata;
  def["availability_zone"] = server.availability_zone;
  def["flavor"] = server.raw.contains("flavor") ? server.raw["flavor"] : json::object();
  CAIRN_RETURN_IF_ERROR(CaptureImage(ctx.cloud, user, server, vm, warnings));

  openstack::PortFilter by_device;
  by_device.device_id = server.id;
  CAIRN_ASSIGN_OR_RETURN(std::vector<openstack::Port> ports, ctx.cloud.ListPorts(user, by_device));
  NetworkCapture network(ctx.cloud, user, def);
  for (const auto& port : ports) CAIRN_RETURN_IF_ERROR(network.AddPort(port));

  CAIRN_RETURN_IF_ERROR(CaptureVolumes(ctx.cloud, user, server, vm));
  def["boot"] = server.image_id.empty() ? "volume" : "image";
  vm.row = SnapshotVmRow(server, vm, network);
  return vm;
}

const CapturedVolume* VolumeOfDisk(const CapturedVm& vm, const std::string& device, const std::string& serial) {
  if (!serial.empty()) {
    for (const auto& v : vm.volumes) {
      if (v.id.rfind(serial, 0) == 0) return &v;
    }
  }
  for (const auto& v : vm.volumes) {
    if (!v.device.empty() && v.device == device) return &v;
  }
  return nullptr;
}

}  // namespace cairn::engine
