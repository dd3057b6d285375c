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

}  // namespace

Result<CapturedVm> CaptureVm(EngineContext& ctx, const openstack::Token& user, const std::string& vm_id,
                             std::vector<std::string>& warnings) {
  CAIRN_ASSIGN_OR_RETURN(openstack::Server server, ctx.cloud.GetServer(user, vm_id));
  // Host and libvirt domain: admin-only attributes.
  CAIRN_ASSIGN_OR_RETURN(openstack::Token service, ctx.cloud.ServiceToken());
  CAIRN_ASSIGN_OR_RETURN(openstack::Server admin_view, ctx.cloud.GetServer(service, vm_id));
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

  json def = json::object();
  def["server"] = server.raw;
  def["host"] = vm.host;
  def["instance_name"] = vm.instance_name;
  def["key_name"] = server.key_name;
  def["metadata"] = server.metadata;
  def["availability_zone"] = server.availability_zone;
  def["flavor"] = server.raw.contains("flavor") ? server.raw["flavor"] : json::object();

  // Image (may have been deleted since the server booted).
  def["image"] = nullptr;
  if (!server.image_id.empty()) {
    Result<openstack::Image> image = ctx.cloud.GetImage(user, server.image_id);
    if (image.ok()) {
      def["image"] = image->raw;
      auto agent = image->properties.find("hw_qemu_guest_agent");
      vm.quiesce = agent != image->properties.end() && Truthy(agent->second);
    } else if (image.status().IsNotFound()) {
      warnings.push_back("the image " + server.image_id + " of VM " + server.name +
                         " no longer exists: a restore will need another image's properties");
    } else {
      return image.status().WithContext("image of VM " + server.name);
    }
  }

  // Ports, their networks and subnets, the routers on those subnets, and security groups.
  openstack::PortFilter by_device;
  by_device.device_id = server.id;
  CAIRN_ASSIGN_OR_RETURN(std::vector<openstack::Port> ports, ctx.cloud.ListPorts(user, by_device));
  json nics = json::array();
  def["ports"] = json::array();
  def["networks"] = json::array();
  def["subnets"] = json::array();
  def["routers"] = json::array();
  def["security_groups"] = json::array();
  std::set<std::string> networks, subnets, routers, groups;
  json sg_rows = json::array();
  std::vector<openstack::Router> all_routers;
  bool routers_listed = false;
  for (const auto& port : ports) {
    def["ports"].push_back(port.raw);
    std::string network_name;
    if (networks.insert(port.network_id).second) {
      CAIRN_ASSIGN_OR_RETURN(openstack::Network net, ctx.cloud.GetNetwork(user, port.network_id));
      def["networks"].push_back(net.raw);
    }
    for (const auto& n : def["networks"]) {
      if (n.value("id", "") == port.network_id) network_name = n.value("name", "");
    }
    for (const auto& ip : port.fixed_ips) {
      nics.push_back({{"port_id", port.id},
                      {"network_id", port.network_id},
                      {"network_name", network_name},
                      {"subnet_id", ip.subnet_id},
                      {"ip_address", ip.ip_address},
                      {"mac_address", port.mac_address}});
      if (ip.subnet_id.empty() || !subnets.insert(ip.subnet_id).second) continue;
      CAIRN_ASSIGN_OR_RETURN(openstack::Subnet subnet, ctx.cloud.GetSubnet(user, ip.subnet_id));
      def["subnets"].push_back(subnet.raw);
      CAIRN_ASSIGN_OR_RETURN(std::vector<openstack::Port> interfaces,
                             ctx.cloud.ListRouterInterfacePorts(user, ip.subnet_id));
      for (const auto& itf : interfaces) {
        if (!routers.insert(itf.device_id).second) continue;
        if (!routers_listed) {
          CAIRN_ASSIGN_OR_RETURN(all_routers, ctx.cloud.ListRouters(user));
          routers_listed = true;
        }
        for (const auto& r : all_routers) {
          if (r.id == itf.device_id) def["routers"].push_back(r.raw);
        }
      }
    }
    for (const auto& group_id : port.security_groups) {
      if (!groups.insert(group_id).second) continue;
      CAIRN_ASSIGN_OR_RETURN(openstack::SecurityGroup group, ctx.cloud.GetSecurityGroup(user, group_id));
      def["security_groups"].push_back(group.raw);
      sg_rows.push_back({{"id", group.id}, {"name", group.name}});
    }
  }

  // Volumes with the device Nova gave them.
  def["volumes"] = json::array();
  for (const auto& attached : server.attached_volumes) {
    CAIRN_ASSIGN_OR_RETURN(openstack::Volume volume, ctx.cloud.GetVolume(user, attached.id));
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
  def["boot"] = server.image_id.empty() ? "volume" : "image";

  db::SnapshotVm& row = vm.row;
  row.vm_id = server.id;
  row.vm_name = server.name;
  row.flavor = {{"name", server.flavor.original_name}, {"vcpus", server.flavor.vcpus},
                {"ram", server.flavor.ram_mb},          {"disk", server.flavor.disk_gb},
                {"ephemeral", server.flavor.ephemeral_gb}, {"swap", server.flavor.swap_mb},
                {"extra_specs", server.flavor.extra_specs}};
  row.security_groups = sg_rows;
  row.nics = nics;
  row.metadata = {{"host", vm.host},
                  {"instance_name", vm.instance_name},
                  {"image_id", server.image_id},
                  {"key_name", server.key_name},
                  {"availability_zone", server.availability_zone},
                  {"server_metadata", server.metadata},
                  {"boot", def["boot"]}};
  vm.definition = std::move(def);
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
