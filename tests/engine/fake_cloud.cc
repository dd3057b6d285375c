#include "engine/fake_cloud.h"

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "qcow2/convert.h"
#include "qcow2/open.h"

namespace cairn::engine::testing {
namespace {

using nlohmann::json;
namespace os = openstack;

constexpr char kServiceTokenId[] = "service";

// A sparse file of `size` bytes.
void CreateSparseFile(const std::filesystem::path& path, uint64_t size) {
  std::ofstream(path, std::ios::binary | std::ios::trunc).flush();
  std::filesystem::resize_file(path, size);
}

}  // namespace

FakeCloud::FakeCloud(FakeCloudOptions options) : options_(std::move(options)) {}

// ---------------------------------------------------------------- building

std::string FakeCloud::NextId(const std::string& kind) {
  // UUID-shaped, and unique across kinds; `kind` only helps reading a test.
  (void)kind;
  ++next_id_;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%08x-0000-4000-8000-%012d", next_id_, next_id_);
  return std::string(buf);
}

std::string FakeCloud::AddFlavor(const std::string& name, int vcpus, int ram_mb, int disk_gb, int ephemeral_gb,
                                 int swap_mb) {
  std::lock_guard lock(mu_);
  os::Flavor f{.id = NextId("flavor"), .name = name, .vcpus = vcpus, .ram_mb = ram_mb, .disk_gb = disk_gb,
               .ephemeral_gb = ephemeral_gb, .swap_mb = swap_mb};
  f.raw = {{"id", f.id}, {"name", name}};
  flavors_[f.id] = f;
  return f.id;
}

std::string FakeCloud::AddNetwork(const std::string& name) {
  std::lock_guard lock(mu_);
  os::Network net{.id = NextId("network"), .name = name, .project_id = "p1", .status = "ACTIVE"};
  os::Subnet sub{.id = NextId("subnet"), .name = name + "-subnet", .network_id = net.id, .project_id = "p1"};
  sub.cidr = "10." + std::to_string(networks_.size() + 1) + ".0.0/24";
  sub.gateway_ip = "10." + std::to_string(networks_.size() + 1) + ".0.1";
  sub.enable_dhcp = true;
  net.subnets = {sub.id};
  net.raw = {{"id", net.id}, {"name", name}, {"subnets", net.subnets}};
  sub.raw = {{"id", sub.id}, {"name", sub.name}, {"network_id", net.id}, {"cidr", sub.cidr}};
  networks_[net.id] = net;
  subnets_[sub.id] = sub;
  next_host_ip_[sub.id] = 10;
  return net.id;
}

std::string FakeCloud::SubnetOf(const std::string& network_id) const {
  std::lock_guard lock(mu_);
  auto it = networks_.find(network_id);
  return it == networks_.end() || it->second.subnets.empty() ? std::string() : it->second.subnets.front();
}

std::string FakeCloud::NextIp(const std::string& subnet_id) {
  const os::Subnet& sub = subnets_.at(subnet_id);
  const std::string prefix = sub.cidr.substr(0, sub.cidr.rfind(".0/"));
  for (;;) {
    const std::string ip = prefix + "." + std::to_string(next_host_ip_[subnet_id]++);
    bool held = false;
    for (const auto& [id, p] : ports_) {
      for (const auto& f : p.fixed_ips) held = held || f.ip_address == ip;
    }
    if (!held) return ip;
  }
}

void FakeCloud::FillPortRaw(os::Port& port) {
  json ips = json::array();
  for (const auto& f : port.fixed_ips) ips.push_back({{"subnet_id", f.subnet_id}, {"ip_address", f.ip_address}});
  port.raw = {{"id", port.id},
              {"name", port.name},
              {"network_id", port.network_id},
              {"mac_address", port.mac_address},
              {"fixed_ips", ips},
              {"security_groups", port.security_groups},
              {"device_id", port.device_id},
              {"device_owner", port.device_owner}};
}

std::string FakeCloud::AddRouter(const std::string& name, const std::string& network_id) {
  std::lock_guard lock(mu_);
  os::Router r{.id = NextId("router"), .name = name, .project_id = "p1", .status = "ACTIVE"};
  r.raw = {{"id", r.id}, {"name", name}};
  routers_[r.id] = r;
  const os::Subnet& sub = subnets_.at(networks_.at(network_id).subnets.front());
  os::Port itf{.id = NextId("port"), .network_id = network_id, .project_id = "p1"};
  itf.mac_address = "fa:16:3e:00:00:01";
  itf.fixed_ips = {{.subnet_id = sub.id, .ip_address = sub.gateway_ip}};
  itf.device_id = r.id;
  itf.device_owner = "network:router_interface";
  itf.status = "ACTIVE";
  FillPortRaw(itf);
  ports_[itf.id] = itf;
  return r.id;
}

std::string FakeCloud::AddSecurityGroup(const std::string& name, const std::string& project_id) {
  std::lock_guard lock(mu_);
  os::SecurityGroup g{.id = NextId("sg"), .name = name, .project_id = project_id};
  g.raw = {{"id", g.id}, {"name", name}, {"project_id", project_id}, {"security_group_rules", json::array()}};
  groups_[g.id] = g;
  return g.id;
}

std::string FakeCloud::AddImage(const std::string& name, std::map<std::string, std::string> properties,
                                int size_gb) {
  std::lock_guard lock(mu_);
  FakeImage img;
  img.image = os::Image{.id = NextId("image"), .name = name, .status = "active", .disk_format = "raw",
                        .container_format = "bare"};
  img.image.properties = std::move(properties);
  img.file = options_.disk_dir / ("image-" + img.image.id);
  CreateSparseFile(img.file, static_cast<uint64_t>(size_gb) * options_.bytes_per_gb);
  img.image.size = static_cast<long long>(std::filesystem::file_size(img.file));
  img.image.raw = {{"id", img.image.id}, {"name", name}, {"status", "active"}, {"disk_format", "raw"}};
  for (const auto& [k, v] : img.image.properties) img.image.raw[k] = v;
  images_[img.image.id] = img;
  return img.image.id;
}

void FakeCloud::RefreshServerRaw(FakeServer& s) {
  os::Server& v = s.server;
  json volumes = json::array();
  for (const auto& a : v.attached_volumes) volumes.push_back({{"id", a.id}});
  v.raw = {{"id", v.id},
           {"name", v.name},
           {"status", v.status},
           {"flavor", {{"original_name", v.flavor.original_name}, {"vcpus", v.flavor.vcpus},
                       {"ram", v.flavor.ram_mb}, {"disk", v.flavor.disk_gb},
                       {"ephemeral", v.flavor.ephemeral_gb}, {"swap", v.flavor.swap_mb}}},
           {"image", v.image_id.empty() ? json("") : json{{"id", v.image_id}}},
           {"key_name", v.key_name},
           {"metadata", v.metadata},
           {"OS-EXT-AZ:availability_zone", v.availability_zone},
           {"os-extended-volumes:volumes_attached", volumes},
           {"config_drive", v.config_drive}};
}

void FakeCloud::BindPorts(FakeServer& s, const std::vector<os::ServerNetwork>& networks) {
  for (const auto& n : networks) {
    os::Port& port = ports_.at(n.port);
    port.device_id = s.server.id;
    port.device_owner = "compute:nova";
    port.status = "ACTIVE";
    FillPortRaw(port);
    for (const auto& f : port.fixed_ips) {
      s.server.addresses.push_back({.network = networks_.at(port.network_id).name, .addr = f.ip_address,
                                    .type = "fixed", .mac = port.mac_address});
    }
  }
}

Status FakeCloud::MaterializeDisks(FakeServer& s, const os::Flavor& flavor, const std::string& image_id) {
  const std::string domain = s.server.instance_name;
  const auto vda = options_.disk_dir / (domain + "-vda");
  const uint64_t root = std::max(1, flavor.disk_gb) * options_.bytes_per_gb;
  if (!image_id.empty() && !images_.at(image_id).file.empty()) {
    const FakeImage& img = images_.at(image_id);
    qcow2::OpenOptions open;
    open.format = img.image.disk_format == "raw" ? "raw" : "qcow2";
    auto source = qcow2::OpenDisk(img.file.string(), open);
    if (!source.ok()) return source.status().WithContext("fake nova: image " + image_id);
    qcow2::ConvertOptions convert;
    convert.format = qcow2::OutputFormat::kRaw;
    convert.threads = 1;
    convert.sync = false;
    CAIRN_RETURN_IF_ERROR(qcow2::ConvertDisk(**source, vda.string(), convert).status());
    if (std::filesystem::file_size(vda) < root) std::filesystem::resize_file(vda, root);
  } else {
    CreateSparseFile(vda, root);
  }
  s.local_disks["vda"] = vda;
  if (flavor.ephemeral_gb > 0) {
    const auto vdb = options_.disk_dir / (domain + "-vdb");
    CreateSparseFile(vdb, static_cast<uint64_t>(flavor.ephemeral_gb) * options_.bytes_per_gb);
    s.local_disks["vdb"] = vdb;
  }
  return Status::OK();
}

std::string FakeCloud::AddServer(const ServerSpec& spec) {
  std::vector<std::string> port_ids;
  for (const auto& net : spec.network_ids) {
    os::PortCreate pc{.network_id = net, .name = spec.name};
    if (!spec.security_group_ids.empty()) pc.security_groups = spec.security_group_ids;
    auto port = CreatePort(os::Token{.id = "user:u1"}, pc);
    if (port.ok()) port_ids.push_back(port->id);
  }
  std::lock_guard lock(mu_);
  FakeServer s;
  os::Server& v = s.server;
  v.id = NextId("server");
  v.name = spec.name;
  v.status = spec.status;
  v.tenant_id = spec.project_id;
  v.image_id = spec.image_id;
  v.host = spec.host.empty() ? options_.host : spec.host;
  v.instance_name = "instance-" + v.id.substr(0, 8);
  v.availability_zone = "nova";
  const os::Flavor& f = flavors_.at(spec.flavor_id);
  v.flavor = {.original_name = f.name, .vcpus = f.vcpus, .ram_mb = f.ram_mb, .disk_gb = f.disk_gb,
              .ephemeral_gb = f.ephemeral_gb, .swap_mb = f.swap_mb};
  std::vector<os::ServerNetwork> networks;
  for (const auto& p : port_ids) networks.push_back({.port = p});
  BindPorts(s, networks);
  (void)MaterializeDisks(s, f, "");
  RefreshServerRaw(s);
  const std::string id = v.id;
  servers_[id] = std::move(s);
  return id;
}

std::string FakeCloud::AddVolume(const std::string& name, long long size_gb, const std::string& type,
                                 const std::string& project_id) {
  std::lock_guard lock(mu_);
  FakeVolume fv;
  fv.volume = os::Volume{.id = NextId("volume"), .name = name, .size_gb = size_gb, .volume_type = type,
                         .status = "available", .availability_zone = "nova", .project_id = project_id};
  fv.file = options_.disk_dir / ("volume-" + fv.volume.id);
  CreateSparseFile(fv.file, static_cast<uint64_t>(size_gb) * options_.bytes_per_gb);
  fv.volume.raw = {{"id", fv.volume.id}, {"name", name}, {"size", size_gb}, {"volume_type", type}};
  const std::string id = fv.volume.id;
  volumes_[id] = std::move(fv);
  return id;
}

void FakeCloud::AttachNow(const std::string& server_id, const std::string& volume_id, const std::string& device) {
  std::lock_guard lock(mu_);
  FakeServer& s = servers_.at(server_id);
  FakeVolume& v = volumes_.at(volume_id);
  s.server.attached_volumes.push_back({.id = volume_id});
  v.volume.status = "in-use";
  v.volume.attachments.push_back({.attachment_id = NextId("attachment"), .server_id = server_id,
                                  .device = "/dev/" + device, .host_name = s.server.host});
  RefreshServerRaw(s);
}

void FakeCloud::DetachNow(const std::string& server_id, const std::string& volume_id) {
  std::lock_guard lock(mu_);
  FakeServer& s = servers_.at(server_id);
  FakeVolume& v = volumes_.at(volume_id);
  auto& mine = s.server.attached_volumes;
  mine.erase(std::remove_if(mine.begin(), mine.end(), [&](const auto& a) { return a.id == volume_id; }), mine.end());
  auto& refs = v.volume.attachments;
  refs.erase(std::remove_if(refs.begin(), refs.end(), [&](const auto& r) { return r.server_id == server_id; }),
             refs.end());
  if (refs.empty()) v.volume.status = "available";
  RefreshServerRaw(s);
}

void FakeCloud::MoveServer(const std::string& server_id, const std::string& host) {
  std::lock_guard lock(mu_);
  servers_.at(server_id).server.host = host;
}

void FakeCloud::RemoveServer(const std::string& server_id) {
  std::lock_guard lock(mu_);
  auto it = servers_.find(server_id);
  if (it == servers_.end()) return;
  DetachAll(it->second);
  servers_.erase(it);
}

void FakeCloud::RemoveImage(const std::string& image_id) {
  std::lock_guard lock(mu_);
  images_.erase(image_id);
}

// ---------------------------------------------------------------- failures, observation

void FakeCloud::Fail(const std::string& method, Status status, int nth) {
  std::lock_guard lock(mu_);
  failures_[method].push_back({.status = std::move(status), .countdown = nth});
}

void FakeCloud::ClearFailures() {
  std::lock_guard lock(mu_);
  failures_.clear();
  build_fault_.clear();
  volumes_in_error_ = false;
  kill_uploads_ = false;
}

void FakeCloud::BuildServersInError(std::string fault) {
  std::lock_guard lock(mu_);
  build_fault_ = std::move(fault);
}

void FakeCloud::CreateVolumesInError() {
  std::lock_guard lock(mu_);
  volumes_in_error_ = true;
}

void FakeCloud::KillUploadedImages() {
  std::lock_guard lock(mu_);
  kill_uploads_ = true;
}

void FakeCloud::HideHostsFromService() {
  std::lock_guard lock(mu_);
  hide_hosts_ = true;
}

void FakeCloud::OnCall(std::function<void(const std::string&)> hook) {
  std::lock_guard lock(mu_);
  hook_ = std::move(hook);
}

int FakeCloud::Calls(const std::string& method) const {
  std::lock_guard lock(mu_);
  auto it = calls_.find(method);
  return it == calls_.end() ? 0 : it->second;
}

std::vector<std::string> FakeCloud::CallLog() const {
  std::lock_guard lock(mu_);
  return call_log_;
}

Status FakeCloud::Enter(const std::string& method) {
  std::function<void(const std::string&)> hook;
  {
    std::lock_guard lock(mu_);
    ++calls_[method];
    call_log_.push_back(method);
    hook = hook_;
  }
  if (hook) hook(method);
  std::lock_guard lock(mu_);
  auto it = failures_.find(method);
  if (it == failures_.end()) return Status::OK();
  for (auto f = it->second.begin(); f != it->second.end(); ++f) {
    if (f->countdown == 0) return f->status;
    if (--f->countdown == 0) {
      Status st = f->status;
      it->second.erase(f);
      return st;
    }
  }
  return Status::OK();
}

Status FakeCloud::CheckToken(const os::Token& token) const {
  if (token.id.empty()) return Status::PermissionDenied("fake cloud: a call without a token");
  return Status::OK();
}

// ---------------------------------------------------------------- inspection

std::optional<os::Server> FakeCloud::Server(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = servers_.find(id);
  if (it == servers_.end()) return std::nullopt;
  return ViewOf(it->second, true);
}

std::optional<os::Server> FakeCloud::ServerNamed(const std::string& name) const {
  std::lock_guard lock(mu_);
  for (const auto& [id, s] : servers_) {
    if (s.server.name == name) return ViewOf(s, true);
  }
  return std::nullopt;
}

std::vector<os::Server> FakeCloud::Servers() const {
  std::lock_guard lock(mu_);
  std::vector<os::Server> out;
  for (const auto& [id, s] : servers_) out.push_back(ViewOf(s, true));
  return out;
}

std::vector<os::Port> FakeCloud::Ports() const {
  std::lock_guard lock(mu_);
  std::vector<os::Port> out;
  for (const auto& [id, p] : ports_) out.push_back(p);
  return out;
}

std::vector<os::Volume> FakeCloud::Volumes() const {
  std::lock_guard lock(mu_);
  std::vector<os::Volume> out;
  for (const auto& [id, v] : volumes_) out.push_back(v.volume);
  return out;
}

std::vector<os::Image> FakeCloud::Images() const {
  std::lock_guard lock(mu_);
  std::vector<os::Image> out;
  for (const auto& [id, i] : images_) out.push_back(i.image);
  return out;
}

std::vector<os::Attachment> FakeCloud::Attachments() const {
  std::lock_guard lock(mu_);
  std::vector<os::Attachment> out;
  for (const auto& [id, a] : attachments_) out.push_back(a);
  return out;
}

std::vector<json> FakeCloud::Connectors() const {
  std::lock_guard lock(mu_);
  return connectors_;
}

std::vector<FakeDomainDisk> FakeCloud::DomainDisks(const std::string& host, const std::string& instance_name) const {
  std::lock_guard lock(mu_);
  std::vector<FakeDomainDisk> out;
  for (const auto& [id, s] : servers_) {
    if (s.server.instance_name != instance_name || s.server.host != host) continue;
    for (const auto& [device, path] : s.local_disks) out.push_back({.device = device, .path = path, .serial = "", .volume_id = ""});
    for (const auto& a : s.server.attached_volumes) {
      const FakeVolume& v = volumes_.at(a.id);
      for (const auto& ref : v.volume.attachments) {
        if (ref.server_id != id) continue;
        out.push_back({.device = ref.device.substr(ref.device.rfind('/') + 1), .path = v.file,
                       .serial = a.id.substr(0, 20), .volume_id = a.id});
      }
    }
  }
  return out;
}

bool FakeCloud::DomainRunning(const std::string& host, const std::string& instance_name) const {
  std::lock_guard lock(mu_);
  for (const auto& [id, s] : servers_) {
    if (s.server.instance_name == instance_name && s.server.host == host) return s.server.status == "ACTIVE";
  }
  return false;
}

std::filesystem::path FakeCloud::VolumeFile(const std::string& volume_id) const {
  std::lock_guard lock(mu_);
  auto it = volumes_.find(volume_id);
  return it == volumes_.end() ? std::filesystem::path() : it->second.file;
}

std::filesystem::path FakeCloud::ImageFile(const std::string& image_id) const {
  std::lock_guard lock(mu_);
  auto it = images_.find(image_id);
  return it == images_.end() ? std::filesystem::path() : it->second.file;
}

// ---------------------------------------------------------------- identity

Result<os::Token> FakeCloud::UserToken(const db::Job& job) {
  CAIRN_RETURN_IF_ERROR(Enter("UserToken"));
  os::Token t{.id = "user:" + job.user_id};
  t.user.id = job.user_id;
  t.project = os::ProjectRef{.id = job.project_id};
  t.expires_at = UtcNow() + std::chrono::hours(1);
  return t;
}

Result<os::Token> FakeCloud::ServiceToken() {
  CAIRN_RETURN_IF_ERROR(Enter("ServiceToken"));
  os::Token t{.id = kServiceTokenId};
  t.user.id = "cairn";
  t.expires_at = UtcNow() + std::chrono::hours(1);
  return t;
}

}  // namespace cairn::engine::testing
