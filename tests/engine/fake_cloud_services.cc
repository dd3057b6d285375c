// FakeCloud's CloudDriver calls: Nova, Neutron, Cinder and Glance as the
// workflows see them (fake_cloud.h).
#include <algorithm>
#include <filesystem>
#include <fstream>

#include "engine/fake_cloud.h"

namespace cairn::engine::testing {
namespace {

namespace os = openstack;

Status NotFound(const std::string& service, const std::string& noun, std::string_view id) {
  return Status::NotFound(service + ": " + noun + " " + std::string(id) + " not found");
}

bool Listed(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

#define FAKE_ENTER(method, token)                   \
  do {                                              \
    CAIRN_RETURN_IF_ERROR(Enter(method));           \
    CAIRN_RETURN_IF_ERROR(CheckToken(token));       \
  } while (0)

// ---------------------------------------------------------------- Nova

os::Server FakeCloud::ViewOf(const FakeServer& s, bool admin) const {
  os::Server v = s.server;
  v.fault_message = v.status == "ERROR" ? s.fault : std::string();
  if (!admin) {
    v.host.clear();
    v.instance_name.clear();
    v.hypervisor_hostname.clear();
  }
  return v;
}

Result<os::Server> FakeCloud::GetServer(const os::Token& token, std::string_view server_id) {
  FAKE_ENTER("GetServer", token);
  std::lock_guard lock(mu_);
  auto it = servers_.find(std::string(server_id));
  if (it == servers_.end() || it->second.deleting) return NotFound("nova", "server", server_id);
  return ViewOf(it->second, token.id == "service" && !hide_hosts_);
}

Result<std::vector<os::Flavor>> FakeCloud::ListFlavors(const os::Token& token) {
  FAKE_ENTER("ListFlavors", token);
  std::lock_guard lock(mu_);
  std::vector<os::Flavor> out;
  for (const auto& [id, f] : flavors_) out.push_back(f);
  return out;
}

Result<std::string> FakeCloud::CreateServer(const os::Token& token, const os::ServerCreate& create) {
  FAKE_ENTER("CreateServer", token);
  std::lock_guard lock(mu_);
  auto flavor = flavors_.find(create.flavor_ref);
  if (flavor == flavors_.end()) return NotFound("nova", "flavor", create.flavor_ref);
  if (!create.image_ref.empty()) {
    auto image = images_.find(create.image_ref);
    if (image == images_.end()) return NotFound("nova", "image", create.image_ref);
    if (image->second.image.status != "active") {
      return Status::InvalidArgument("nova: image " + create.image_ref + " is not active");
    }
  }
  for (const auto& n : create.networks) {
    auto port = ports_.find(n.port);
    if (port == ports_.end()) return NotFound("nova", "port", n.port);
    if (!port->second.device_id.empty()) return Status::Conflict("nova: port " + n.port + " is in use");
  }
  FakeServer s;
  os::Server& v = s.server;
  v.id = NextId("server");
  v.name = create.name;
  v.status = "BUILD";
  v.tenant_id = token.ProjectId();
  v.image_id = create.image_ref;
  v.host = options_.host;
  v.instance_name = "instance-" + v.id.substr(0, 8);
  v.availability_zone = create.availability_zone.empty() ? "nova" : create.availability_zone;
  v.key_name = create.key_name;
  v.metadata = create.metadata;
  v.config_drive = create.config_drive ? "True" : "";
  const os::Flavor& f = flavor->second;
  v.flavor = {.original_name = f.name, .vcpus = f.vcpus, .ram_mb = f.ram_mb, .disk_gb = f.disk_gb,
              .ephemeral_gb = f.ephemeral_gb, .swap_mb = f.swap_mb};
  s.pending_status = build_fault_.empty() ? "ACTIVE" : "ERROR";
  s.fault = build_fault_;
  BindPorts(s, create.networks);
  CAIRN_RETURN_IF_ERROR(MaterializeDisks(s, f, create.image_ref));
  RefreshServerRaw(s);
  const std::string id = v.id;
  servers_[id] = std::move(s);
  return id;
}

void FakeCloud::DetachAll(FakeServer& s) {
  for (const auto& a : s.server.attached_volumes) {
    auto v = volumes_.find(a.id);
    if (v == volumes_.end()) continue;
    auto& refs = v->second.volume.attachments;
    refs.erase(std::remove_if(refs.begin(), refs.end(), [&](const auto& r) { return r.server_id == s.server.id; }),
               refs.end());
    if (refs.empty()) v->second.volume.status = "available";
  }
  s.server.attached_volumes.clear();
  for (auto& [id, port] : ports_) {
    if (port.device_id != s.server.id) continue;
    port.device_id.clear();
    port.device_owner.clear();
    FillPortRaw(port);
  }
}

Status FakeCloud::DeleteServer(const os::Token& token, std::string_view server_id) {
  FAKE_ENTER("DeleteServer", token);
  std::lock_guard lock(mu_);
  auto it = servers_.find(std::string(server_id));
  if (it == servers_.end() || it->second.deleting) return NotFound("nova", "server", server_id);
  it->second.deleting = true;
  return Status::OK();
}

Status FakeCloud::StartServer(const os::Token& token, std::string_view server_id) {
  FAKE_ENTER("StartServer", token);
  std::lock_guard lock(mu_);
  auto it = servers_.find(std::string(server_id));
  if (it == servers_.end() || it->second.deleting) return NotFound("nova", "server", server_id);
  if (it->second.server.status != "SHUTOFF" || !it->second.pending_status.empty()) {
    return Status::Conflict("nova: cannot 'os-start' server " + std::string(server_id) + " while it is in vm_state " +
                            it->second.server.status);
  }
  it->second.pending_status = "ACTIVE";
  return Status::OK();
}

Status FakeCloud::StopServer(const os::Token& token, std::string_view server_id) {
  FAKE_ENTER("StopServer", token);
  std::lock_guard lock(mu_);
  auto it = servers_.find(std::string(server_id));
  if (it == servers_.end() || it->second.deleting) return NotFound("nova", "server", server_id);
  if (it->second.server.status != "ACTIVE" || !it->second.pending_status.empty()) {
    return Status::Conflict("nova: cannot 'os-stop' server " + std::string(server_id) + " while it is in vm_state " +
                            it->second.server.status);
  }
  it->second.pending_status = "SHUTOFF";
  return Status::OK();
}

Result<os::Server> FakeCloud::WaitForServer(const os::Token& token, std::string_view server_id,
                                            const os::ServerTarget& target, const os::WaitOptions&) {
  FAKE_ENTER("WaitForServer", token);
  std::lock_guard lock(mu_);
  auto it = servers_.find(std::string(server_id));
  if (it != servers_.end() && it->second.deleting) {
    DetachAll(it->second);
    for (const auto& [device, path] : it->second.local_disks) std::filesystem::remove(path);
    servers_.erase(it);
    it = servers_.end();
  }
  if (it == servers_.end()) {
    if (target.gone) return os::Server{.id = std::string(server_id)};
    return NotFound("nova", "server", server_id);
  }
  FakeServer& s = it->second;
  if (!s.pending_status.empty()) {
    s.server.status = s.pending_status;
    s.pending_status.clear();
    RefreshServerRaw(s);
  }
  const os::Server seen = ViewOf(s, token.id == "service");
  if (Listed(target.statuses, seen.status) || (target.predicate && target.predicate(seen))) return seen;
  if (seen.status == "ERROR") {
    return Status::Unavailable("nova: server " + std::string(server_id) + " went to ERROR: " + s.fault);
  }
  return Status::Unavailable("nova: server " + std::string(server_id) + ": timed out (last seen: status " +
                             seen.status + ")");
}

Result<std::vector<os::VolumeAttachment>> FakeCloud::ListVolumeAttachments(const os::Token& token,
                                                                           std::string_view server_id) {
  FAKE_ENTER("ListVolumeAttachments", token);
  std::lock_guard lock(mu_);
  auto it = servers_.find(std::string(server_id));
  if (it == servers_.end()) return NotFound("nova", "server", server_id);
  std::vector<os::VolumeAttachment> out;
  for (const auto& a : it->second.server.attached_volumes) {
    for (const auto& ref : volumes_.at(a.id).volume.attachments) {
      if (ref.server_id == it->first) {
        out.push_back({.id = a.id, .server_id = it->first, .volume_id = a.id, .device = ref.device});
      }
    }
  }
  return out;
}

Result<os::VolumeAttachment> FakeCloud::AttachVolume(const os::Token& token, std::string_view server_id,
                                                     std::string_view volume_id, std::string_view device) {
  FAKE_ENTER("AttachVolume", token);
  std::lock_guard lock(mu_);
  auto s = servers_.find(std::string(server_id));
  if (s == servers_.end()) return NotFound("nova", "server", server_id);
  auto v = volumes_.find(std::string(volume_id));
  if (v == volumes_.end()) return NotFound("nova", "volume", volume_id);
  if (v->second.volume.status != "available") {
    return Status::Conflict("nova: volume " + std::string(volume_id) + " is " + v->second.volume.status);
  }
  const std::string dev = device.empty() ? "/dev/vdz" : std::string(device);
  s->second.server.attached_volumes.push_back({.id = std::string(volume_id)});
  v->second.volume.attachments.push_back(
      {.attachment_id = NextId("attachment"), .server_id = s->first, .device = dev, .host_name = s->second.server.host});
  v->second.volume.status = "attaching";
  v->second.pending_status = "in-use";
  RefreshServerRaw(s->second);
  return os::VolumeAttachment{.id = std::string(volume_id), .server_id = s->first,
                              .volume_id = std::string(volume_id), .device = dev};
}

// ---------------------------------------------------------------- Neutron

Result<std::vector<os::Port>> FakeCloud::ListPorts(const os::Token& token, const os::PortFilter& f) {
  FAKE_ENTER("ListPorts", token);
  std::lock_guard lock(mu_);
  std::vector<os::Port> out;
  for (const auto& [id, p] : ports_) {
    if (!f.device_id.empty() && p.device_id != f.device_id) continue;
    if (!f.network_id.empty() && p.network_id != f.network_id) continue;
    if (!f.device_owner.empty() && p.device_owner != f.device_owner) continue;
    if (!f.project_id.empty() && p.project_id != f.project_id) continue;
    if (!f.name.empty() && p.name != f.name) continue;
    bool ip_ok = f.ip_address.empty() && f.subnet_id.empty();
    for (const auto& ip : p.fixed_ips) {
      if ((f.ip_address.empty() || ip.ip_address == f.ip_address) &&
          (f.subnet_id.empty() || ip.subnet_id == f.subnet_id)) {
        ip_ok = true;
      }
    }
    if (ip_ok) out.push_back(p);
  }
  return out;
}

Result<os::Port> FakeCloud::CreatePort(const os::Token& token, const os::PortCreate& create) {
  FAKE_ENTER("CreatePort", token);
  std::lock_guard lock(mu_);
  auto net = networks_.find(create.network_id);
  if (net == networks_.end()) return NotFound("neutron", "network", create.network_id);
  os::Port port{.id = NextId("port"), .name = create.name, .network_id = create.network_id};
  port.project_id = create.project_id.empty() ? token.ProjectId() : create.project_id;
  if (port.project_id.empty()) port.project_id = "p1";
  port.status = "DOWN";
  port.mac_address = create.mac_address;
  if (port.mac_address.empty()) {
    char mac[32];
    std::snprintf(mac, sizeof mac, "fa:16:3e:%02x:%02x:%02x", (next_id_ >> 16) & 0xff, (next_id_ >> 8) & 0xff,
                  next_id_ & 0xff);
    port.mac_address = mac;
  }
  std::vector<os::FixedIp> wanted = create.fixed_ips;
  if (wanted.empty()) wanted.push_back({});
  for (auto ip : wanted) {
    if (ip.subnet_id.empty()) ip.subnet_id = net->second.subnets.front();
    if (!subnets_.count(ip.subnet_id)) return NotFound("neutron", "subnet", ip.subnet_id);
    if (ip.ip_address.empty()) ip.ip_address = NextIp(ip.subnet_id);
    for (const auto& [id, other] : ports_) {
      for (const auto& held : other.fixed_ips) {
        if (held.ip_address == ip.ip_address && other.network_id == port.network_id) {
          return Status::Conflict("neutron: IP address " + ip.ip_address + " already allocated in subnet " +
                                  ip.subnet_id);
        }
      }
    }
    port.fixed_ips.push_back(ip);
  }
  if (create.security_groups) {
    for (const auto& g : *create.security_groups) {
      if (!groups_.count(g)) return NotFound("neutron", "security group", g);
    }
    port.security_groups = *create.security_groups;
  }
  FillPortRaw(port);
  ports_[port.id] = port;
  return port;
}

Status FakeCloud::DeletePort(const os::Token& token, std::string_view port_id) {
  FAKE_ENTER("DeletePort", token);
  std::lock_guard lock(mu_);
  auto it = ports_.find(std::string(port_id));
  if (it == ports_.end()) return NotFound("neutron", "port", port_id);
  auto server = servers_.find(it->second.device_id);
  if (server != servers_.end()) {
    auto& addrs = server->second.server.addresses;
    addrs.erase(std::remove_if(addrs.begin(), addrs.end(),
                               [&](const auto& a) { return a.mac == it->second.mac_address; }),
                addrs.end());
  }
  ports_.erase(it);
  return Status::OK();
}

Result<os::Network> FakeCloud::GetNetwork(const os::Token& token, std::string_view network_id) {
  FAKE_ENTER("GetNetwork", token);
  std::lock_guard lock(mu_);
  auto it = networks_.find(std::string(network_id));
  if (it == networks_.end()) return NotFound("neutron", "network", network_id);
  return it->second;
}

Result<os::Subnet> FakeCloud::GetSubnet(const os::Token& token, std::string_view subnet_id) {
  FAKE_ENTER("GetSubnet", token);
  std::lock_guard lock(mu_);
  auto it = subnets_.find(std::string(subnet_id));
  if (it == subnets_.end()) return NotFound("neutron", "subnet", subnet_id);
  return it->second;
}

Result<std::vector<os::Port>> FakeCloud::ListRouterInterfacePorts(const os::Token& token,
                                                                  std::string_view subnet_id) {
  FAKE_ENTER("ListRouterInterfacePorts", token);
  std::lock_guard lock(mu_);
  std::vector<os::Port> out;
  for (const auto& [id, p] : ports_) {
    if (p.device_owner != "network:router_interface") continue;
    for (const auto& ip : p.fixed_ips) {
      if (ip.subnet_id == subnet_id) {
        out.push_back(p);
        break;
      }
    }
  }
  return out;
}

Result<std::vector<os::Router>> FakeCloud::ListRouters(const os::Token& token) {
  FAKE_ENTER("ListRouters", token);
  std::lock_guard lock(mu_);
  std::vector<os::Router> out;
  for (const auto& [id, r] : routers_) out.push_back(r);
  return out;
}

Result<os::SecurityGroup> FakeCloud::GetSecurityGroup(const os::Token& token, std::string_view group_id) {
  FAKE_ENTER("GetSecurityGroup", token);
  std::lock_guard lock(mu_);
  auto it = groups_.find(std::string(group_id));
  if (it == groups_.end()) return NotFound("neutron", "security group", group_id);
  return it->second;
}

Result<std::vector<os::SecurityGroup>> FakeCloud::ListSecurityGroups(const os::Token& token,
                                                                     const os::SecurityGroupFilter& filter) {
  FAKE_ENTER("ListSecurityGroups", token);
  std::lock_guard lock(mu_);
  std::vector<os::SecurityGroup> out;
  for (const auto& [id, g] : groups_) {
    if (!filter.name.empty() && g.name != filter.name) continue;
    if (!filter.project_id.empty() && g.project_id != filter.project_id) continue;
    out.push_back(g);
  }
  return out;
}

// ---------------------------------------------------------------- Cinder

Result<os::Volume> FakeCloud::GetVolume(const os::Token& token, std::string_view volume_id) {
  FAKE_ENTER("GetVolume", token);
  std::lock_guard lock(mu_);
  auto it = volumes_.find(std::string(volume_id));
  if (it == volumes_.end()) return NotFound("cinder", "volume", volume_id);
  return it->second.volume;
}

Result<os::Volume> FakeCloud::CreateVolume(const os::Token& token, const os::VolumeCreate& create) {
  FAKE_ENTER("CreateVolume", token);
  std::lock_guard lock(mu_);
  FakeVolume fv;
  fv.volume = os::Volume{.id = NextId("volume"), .name = create.name, .size_gb = create.size_gb,
                         .volume_type = create.volume_type.empty() ? "standard" : create.volume_type,
                         .status = "creating", .description = create.description};
  fv.volume.availability_zone = create.availability_zone.empty() ? "nova" : create.availability_zone;
  fv.volume.project_id = token.ProjectId();
  fv.pending_status = volumes_in_error_ ? "error" : "available";
  fv.file = options_.disk_dir / ("volume-" + fv.volume.id);
  std::ofstream(fv.file, std::ios::binary | std::ios::trunc).flush();
  std::filesystem::resize_file(fv.file, static_cast<uint64_t>(create.size_gb) * options_.bytes_per_gb);
  fv.volume.raw = {{"id", fv.volume.id}, {"name", create.name}, {"size", create.size_gb}};
  const os::Volume v = fv.volume;
  volumes_[v.id] = std::move(fv);
  return v;
}

Status FakeCloud::DeleteVolume(const os::Token& token, std::string_view volume_id) {
  FAKE_ENTER("DeleteVolume", token);
  std::lock_guard lock(mu_);
  auto it = volumes_.find(std::string(volume_id));
  if (it == volumes_.end()) return NotFound("cinder", "volume", volume_id);
  const std::string& st = it->second.volume.status;
  if (st != "available" && st != "error") {
    return Status::Conflict("cinder: volume " + std::string(volume_id) + " is " + st + ", it cannot be deleted");
  }
  for (const auto& [id, a] : attachments_) {
    if (a.volume_id == volume_id) return Status::Conflict("cinder: volume " + std::string(volume_id) + " has attachments");
  }
  std::filesystem::remove(it->second.file);
  volumes_.erase(it);
  return Status::OK();
}

Result<os::Volume> FakeCloud::WaitForVolume(const os::Token& token, std::string_view volume_id,
                                            const os::VolumeTarget& target, const os::WaitOptions&) {
  FAKE_ENTER("WaitForVolume", token);
  std::lock_guard lock(mu_);
  auto it = volumes_.find(std::string(volume_id));
  if (it == volumes_.end()) {
    if (target.gone) return os::Volume{.id = std::string(volume_id)};
    return NotFound("cinder", "volume", volume_id);
  }
  FakeVolume& v = it->second;
  if (!v.pending_status.empty()) {
    v.volume.status = v.pending_status;
    v.pending_status.clear();
  }
  if (Listed(target.statuses, v.volume.status)) return v.volume;
  if (v.volume.status.rfind("error", 0) == 0) {
    return Status::Unavailable("cinder: volume " + std::string(volume_id) + " went to " + v.volume.status);
  }
  return Status::Unavailable("cinder: volume " + std::string(volume_id) + ": timed out (last seen: status " +
                             v.volume.status + ")");
}

Result<os::Attachment> FakeCloud::CreateAttachment(const os::Token& token, const os::AttachmentCreate& create) {
  FAKE_ENTER("CreateAttachment", token);
  std::lock_guard lock(mu_);
  auto it = volumes_.find(create.volume_id);
  if (it == volumes_.end()) return NotFound("cinder", "volume", create.volume_id);
  if (it->second.volume.status != "available") {
    return Status::Conflict("cinder: volume " + create.volume_id + " is " + it->second.volume.status);
  }
  os::Attachment a{.id = NextId("attachment"), .volume_id = create.volume_id, .status = "reserved",
                   .instance = create.instance_uuid, .attach_mode = create.mode};
  a.driver_volume_type = "file";
  a.connection_info = {{"driver_volume_type", "file"}, {"data", {{"path", it->second.file.string()}}}};
  it->second.volume.status = "reserved";
  attachments_[a.id] = a;
  connectors_.push_back(create.connector);
  return a;
}

Status FakeCloud::DeleteAttachment(const os::Token& token, std::string_view attachment_id) {
  FAKE_ENTER("DeleteAttachment", token);
  std::lock_guard lock(mu_);
  auto it = attachments_.find(std::string(attachment_id));
  if (it == attachments_.end()) return NotFound("cinder", "attachment", attachment_id);
  const std::string volume_id = it->second.volume_id;
  attachments_.erase(it);
  bool more = false;
  for (const auto& [id, a] : attachments_) more = more || a.volume_id == volume_id;
  auto v = volumes_.find(volume_id);
  if (!more && v != volumes_.end() && v->second.volume.attachments.empty()) v->second.volume.status = "available";
  return Status::OK();
}

// ---------------------------------------------------------------- Glance

Result<os::Image> FakeCloud::GetImage(const os::Token& token, std::string_view image_id) {
  FAKE_ENTER("GetImage", token);
  std::lock_guard lock(mu_);
  auto it = images_.find(std::string(image_id));
  if (it == images_.end()) return NotFound("glance", "image", image_id);
  return it->second.image;
}

Result<os::Image> FakeCloud::CreateImage(const os::Token& token, const os::ImageCreate& create) {
  FAKE_ENTER("CreateImage", token);
  std::lock_guard lock(mu_);
  FakeImage img;
  img.image = os::Image{.id = NextId("image"), .name = create.name, .status = "queued",
                        .disk_format = create.disk_format, .container_format = create.container_format};
  img.image.visibility = create.visibility;
  img.image.min_ram_mb = create.min_ram_mb;
  img.image.owner = token.ProjectId();
  img.image.properties = create.properties;
  img.image.raw = {{"id", img.image.id}, {"name", create.name}, {"status", "queued"}};
  const os::Image out = img.image;
  images_[out.id] = std::move(img);
  return out;
}

Status FakeCloud::UploadImageData(const os::Token& token, std::string_view image_id, const std::string& path) {
  FAKE_ENTER("UploadImageData", token);
  std::lock_guard lock(mu_);
  auto it = images_.find(std::string(image_id));
  if (it == images_.end()) return NotFound("glance", "image", image_id);
  if (it->second.image.status != "queued") {
    return Status::Conflict("glance: image " + std::string(image_id) + " is " + it->second.image.status);
  }
  const auto file = options_.disk_dir / ("image-" + std::string(image_id));
  std::error_code ec;
  std::filesystem::copy_file(path, file, std::filesystem::copy_options::overwrite_existing, ec);
  if (ec) return Status::IOError("glance: reading " + path + ": " + ec.message());
  it->second.file = file;
  it->second.image.size = static_cast<long long>(std::filesystem::file_size(file));
  it->second.image.status = kill_uploads_ ? "killed" : "active";
  return Status::OK();
}

Status FakeCloud::DeleteImage(const os::Token& token, std::string_view image_id) {
  FAKE_ENTER("DeleteImage", token);
  std::lock_guard lock(mu_);
  auto it = images_.find(std::string(image_id));
  if (it == images_.end()) return NotFound("glance", "image", image_id);
  if (!it->second.file.empty()) std::filesystem::remove(it->second.file);
  images_.erase(it);
  return Status::OK();
}

Result<os::Image> FakeCloud::WaitForImage(const os::Token& token, std::string_view image_id,
                                          const os::WaitOptions&) {
  FAKE_ENTER("WaitForImage", token);
  std::lock_guard lock(mu_);
  auto it = images_.find(std::string(image_id));
  if (it == images_.end()) return NotFound("glance", "image", image_id);
  const std::string& st = it->second.image.status;
  if (st == "active") return it->second.image;
  if (st == "killed") return Status::Unavailable("glance: image " + std::string(image_id) + " was killed");
  return Status::Unavailable("glance: image " + std::string(image_id) + ": timed out (last seen: status " + st + ")");
}

}  // namespace cairn::engine::testing
