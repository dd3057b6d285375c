// FakeCloud: an in-memory OpenStack for the workflows' unit tests, behind the
// engine's CloudDriver. It keeps servers (with their host, libvirt domain and
// local disks as files), flavors, networks with one subnet each, ports,
// routers, security groups, volumes (files too), attachments and images, and
// moves them through their states as the services do: a created server is
// BUILD until a wait sees it ACTIVE (or ERROR, when asked), a stop is seen
// by a wait, a created volume is "creating", an image without data "queued".
// Every call can be made to fail (Fail), observed (OnCall, Calls) and the
// objects inspected, so a test can fail a workflow at each step and check
// that its undo left nothing behind.
//
// Tokens: UserToken gives a token of the job's user ("user:<user_id>"),
// ServiceToken the admin's ("service"); like Nova, GetServer shows a
// server's host and domain only to the admin. Thread safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/cloud_driver.h"

namespace cairn::engine::testing {

struct FakeCloudOptions {
  std::filesystem::path disk_dir;  // where server disks, volumes and image data live (must exist)
  uint64_t bytes_per_gb = 1 << 20;  // a "GB" of a flavor or volume is this many bytes on disk
  std::string host = "compute1";    // the host new servers run on
};

// A server's disk as the hypervisor sees it: what the datamover reads.
struct FakeDomainDisk {
  std::string device;  // "vda"
  std::filesystem::path path;
  std::string serial;  // a volume's id (its first 20 characters); "" for a local disk
  std::string volume_id;
};

class FakeCloud final : public CloudDriver {
 public:
  explicit FakeCloud(FakeCloudOptions options);

  // --- Building the cloud (answers the new object's id)
  std::string AddFlavor(const std::string& name, int vcpus, int ram_mb, int disk_gb, int ephemeral_gb = 0,
                        int swap_mb = 0);
  // A network with one IPv4 subnet 10.<n>.0.0/24 (DHCP from .10).
  std::string AddNetwork(const std::string& name);
  std::string SubnetOf(const std::string& network_id) const;
  // A router with an interface on the network's subnet.
  std::string AddRouter(const std::string& name, const std::string& network_id);
  std::string AddSecurityGroup(const std::string& name, const std::string& project_id = "p1");
  // An active image whose data is a raw disk of `size_gb` (zeros).
  std::string AddImage(const std::string& name, std::map<std::string, std::string> properties = {},
                       int size_gb = 1);
  struct ServerSpec {
    std::string name;
    std::string flavor_id;
    std::string image_id;  // "" for a server booted from a volume
    std::vector<std::string> network_ids;
    std::vector<std::string> security_group_ids;
    std::string status = "ACTIVE";
    std::string host;  // "" : options.host
    std::string project_id = "p1";
  };
  // A running server with a port (and an address) on each network and its
  // local disks (vda of the flavor's disk size, vdb for ephemeral) as files.
  std::string AddServer(const ServerSpec& spec);
  std::string AddVolume(const std::string& name, long long size_gb, const std::string& type = "standard",
                        const std::string& project_id = "p1");
  // Attaches an available volume to a server as `device` ("vdb") at once.
  void AttachNow(const std::string& server_id, const std::string& volume_id, const std::string& device);
  // Detaches a volume from a server at once.
  void DetachNow(const std::string& server_id, const std::string& volume_id);
  // Moves a server to another host (a migration).
  void MoveServer(const std::string& server_id, const std::string& host);
  void RemoveServer(const std::string& server_id);
  void RemoveImage(const std::string& image_id);

  // --- Failures and observation
  // The `nth` next call of `method` (the CloudDriver method's name, e.g.
  // "CreatePort") answers `status` instead; with `nth` 0, every call does.
  void Fail(const std::string& method, Status status, int nth = 1);
  void ClearFailures();
  // Servers created from now on go to ERROR with `fault` instead of ACTIVE.
  void BuildServersInError(std::string fault);
  // Volumes created from now on go to "error" instead of "available".
  void CreateVolumesInError();
  // Images uploaded from now on end "killed".
  void KillUploadedImages();
  // From now on Nova shows no one a server's host and libvirt domain, as
  // for a service user without the admin role.
  void HideHostsFromService();
  // Runs before every call with the method's name (e.g. to cancel a job
  // when it reaches a step). Called without the cloud's lock held.
  void OnCall(std::function<void(const std::string& method)> hook);
  int Calls(const std::string& method) const;
  std::vector<std::string> CallLog() const;

  // --- What exists
  std::optional<openstack::Server> Server(const std::string& id) const;  // as the admin sees it
  std::vector<openstack::Server> Servers() const;
  std::vector<openstack::Port> Ports() const;
  std::vector<openstack::Volume> Volumes() const;
  std::vector<openstack::Image> Images() const;
  std::vector<openstack::Attachment> Attachments() const;  // Cinder attachments for a connector
  // The connector of every attachment created, in order (removed ones too).
  std::vector<nlohmann::json> Connectors() const;
  std::optional<openstack::Server> ServerNamed(const std::string& name) const;
  // The disks of libvirt domain `instance_name` on `host` (empty when no
  // such domain runs there).
  std::vector<FakeDomainDisk> DomainDisks(const std::string& host, const std::string& instance_name) const;
  // True while that domain runs (its server is ACTIVE).
  bool DomainRunning(const std::string& host, const std::string& instance_name) const;
  // The file behind a volume (connection_info.data.path of its attachments).
  std::filesystem::path VolumeFile(const std::string& volume_id) const;
  // The file holding an image's data (as uploaded: raw or qcow2).
  std::filesystem::path ImageFile(const std::string& image_id) const;
  const FakeCloudOptions& options() const { return options_; }

  // --- CloudDriver
  Result<openstack::Token> UserToken(const db::Job& job) override;
  Result<openstack::Token> ServiceToken() override;
  Result<openstack::Server> GetServer(const openstack::Token& token, std::string_view server_id) override;
  Result<std::vector<openstack::Flavor>> ListFlavors(const openstack::Token& token) override;
  Result<std::string> CreateServer(const openstack::Token& token, const openstack::ServerCreate& create) override;
  Status DeleteServer(const openstack::Token& token, std::string_view server_id) override;
  Status StartServer(const openstack::Token& token, std::string_view server_id) override;
  Status StopServer(const openstack::Token& token, std::string_view server_id) override;
  Result<openstack::Server> WaitForServer(const openstack::Token& token, std::string_view server_id,
                                          const openstack::ServerTarget& target,
                                          const openstack::WaitOptions& options) override;
  Result<std::vector<openstack::VolumeAttachment>> ListVolumeAttachments(const openstack::Token& token,
                                                                         std::string_view server_id) override;
  Result<openstack::VolumeAttachment> AttachVolume(const openstack::Token& token, std::string_view server_id,
                                                   std::string_view volume_id, std::string_view device) override;
  Result<std::vector<openstack::Port>> ListPorts(const openstack::Token& token,
                                                 const openstack::PortFilter& filter) override;
  Result<openstack::Port> CreatePort(const openstack::Token& token, const openstack::PortCreate& create) override;
  Status DeletePort(const openstack::Token& token, std::string_view port_id) override;
  Result<openstack::Network> GetNetwork(const openstack::Token& token, std::string_view network_id) override;
  Result<openstack::Subnet> GetSubnet(const openstack::Token& token, std::string_view subnet_id) override;
  Result<std::vector<openstack::Port>> ListRouterInterfacePorts(const openstack::Token& token,
                                                                std::string_view subnet_id) override;
  Result<std::vector<openstack::Router>> ListRouters(const openstack::Token& token) override;
  Result<openstack::SecurityGroup> GetSecurityGroup(const openstack::Token& token, std::string_view group_id) override;
  Result<std::vector<openstack::SecurityGroup>> ListSecurityGroups(
      const openstack::Token& token, const openstack::SecurityGroupFilter& filter) override;
  Result<openstack::Volume> GetVolume(const openstack::Token& token, std::string_view volume_id) override;
  Result<openstack::Volume> CreateVolume(const openstack::Token& token, const openstack::VolumeCreate& create) override;
  Status DeleteVolume(const openstack::Token& token, std::string_view volume_id) override;
  Result<openstack::Volume> WaitForVolume(const openstack::Token& token, std::string_view volume_id,
                                          const openstack::VolumeTarget& target,
                                          const openstack::WaitOptions& options) override;
  Result<openstack::Attachment> CreateAttachment(const openstack::Token& token,
                                                 const openstack::AttachmentCreate& create) override;
  Status DeleteAttachment(const openstack::Token& token, std::string_view attachment_id) override;
  Result<openstack::Image> GetImage(const openstack::Token& token, std::string_view image_id) override;
  Result<openstack::Image> CreateImage(const openstack::Token& token, const openstack::ImageCreate& create) override;
  Status UploadImageData(const openstack::Token& token, std::string_view image_id, const std::string& path) override;
  Status DeleteImage(const openstack::Token& token, std::string_view image_id) override;
  Result<openstack::Image> WaitForImage(const openstack::Token& token, std::string_view image_id,
                                        const openstack::WaitOptions& options) override;

 private:
  struct FakeServer {
    openstack::Server server;     // status is the visible one
    std::string pending_status;   // what a wait will see it become ("" none)
    std::string fault;            // the fault of a server going to ERROR
    bool deleting = false;
    std::map<std::string, std::filesystem::path> local_disks;  // device -> file
  };
  struct FakeVolume {
    openstack::Volume volume;
    std::string pending_status;
    std::filesystem::path file;
  };
  struct FakeImage {
    openstack::Image image;
    std::filesystem::path file;  // "" until uploaded
  };
  struct FakeFailure {
    Status status;
    int countdown = 1;  // 0: always
  };

  // Counts the call, runs the hook, answers an injected failure if any.
  Status Enter(const std::string& method);
  Status CheckToken(const openstack::Token& token) const;
  std::string NextId(const std::string& kind);
  std::string NextIp(const std::string& subnet_id);
  openstack::Server ViewOf(const FakeServer& s, bool admin) const;
  void RefreshServerRaw(FakeServer& s);
  void BindPorts(FakeServer& s, const std::vector<openstack::ServerNetwork>& networks);
  Status MaterializeDisks(FakeServer& s, const openstack::Flavor& flavor, const std::string& image_id);
  void DetachAll(FakeServer& s);
  static void FillPortRaw(openstack::Port& port);

  FakeCloudOptions options_;
  mutable std::mutex mu_;
  int next_id_ = 0;
  std::map<std::string, openstack::Flavor> flavors_;
  std::map<std::string, openstack::Network> networks_;
  std::map<std::string, openstack::Subnet> subnets_;
  std::map<std::string, openstack::Router> routers_;
  std::map<std::string, openstack::SecurityGroup> groups_;
  std::map<std::string, openstack::Port> ports_;
  std::map<std::string, FakeServer> servers_;
  std::map<std::string, FakeVolume> volumes_;
  std::map<std::string, openstack::Attachment> attachments_;
  std::vector<nlohmann::json> connectors_;
  std::map<std::string, FakeImage> images_;
  std::map<std::string, std::vector<FakeFailure>> failures_;
  std::map<std::string, int> calls_;
  std::vector<std::string> call_log_;
  std::function<void(const std::string&)> hook_;
  std::string build_fault_;
  bool volumes_in_error_ = false;
  bool kill_uploads_ = false;
  bool hide_hosts_ = false;
  std::map<std::string, int> next_host_ip_;
};

}  // namespace cairn::engine::testing
