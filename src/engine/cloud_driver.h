// CloudDriver: every OpenStack call the engine's workflows make, behind one
// interface. The production driver (openstack_cloud.h) wraps the Nova,
// Neutron, Cinder, Glance and Keystone clients of openstack/; the tests'
// FakeCloud (tests/engine/fake_cloud.h) keeps servers, ports, volumes and
// images in memory, with their state transitions and injectable failures,
// so a workflow's failure and undo paths run in a unit test.
//
// Calls take the token they act with: the job's user's (UserToken) for
// everything a tenant may do, the service user's (ServiceToken) only where
// admin rights are needed (a server's host and libvirt domain). Errors are
// those of the clients (openstack/http_error.h): kNotFound for an object that
// does not exist, kPermissionDenied, kConflict, kUnavailable for a timeout.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "db/models.h"
#include "openstack/cinder.h"
#include "openstack/glance.h"
#include "openstack/neutron.h"
#include "openstack/nova.h"
#include "openstack/token.h"
#include "openstack/wait.h"

namespace cairn::engine {

class CloudDriver {
 public:
  virtual ~CloudDriver() = default;

  // --- Identity
  // A token acting as `job`'s user in its project: the user's own token
  // while it is valid for 2 more minutes, else one of a trust the user gave
  // Cairn for the project (trust-create). PermissionDenied saying what to do.
  virtual Result<openstack::Token> UserToken(const db::Job& job) = 0;
  // The service user's token (admin).
  virtual Result<openstack::Token> ServiceToken() = 0;

  // --- Compute (Nova)
  virtual Result<openstack::Server> GetServer(const openstack::Token& token, std::string_view server_id) = 0;
  virtual Result<std::vector<openstack::Flavor>> ListFlavors(const openstack::Token& token) = 0;
  // Answers the new server's id; it is BUILD until WaitForServer sees it ACTIVE.
  virtual Result<std::string> CreateServer(const openstack::Token& token, const openstack::ServerCreate& create) = 0;
  virtual Status DeleteServer(const openstack::Token& token, std::string_view server_id) = 0;
  // kConflict when the server's state does not allow it (already running, ...).
  virtual Status StartServer(const openstack::Token& token, std::string_view server_id) = 0;
  virtual Status StopServer(const openstack::Token& token, std::string_view server_id) = 0;
  // Until `target` holds (NovaClient::WaitForServer): kUnavailable when the
  // server went to ERROR or the wait timed out; kNotFound when it vanished
  // (unless target.gone).
  virtual Result<openstack::Server> WaitForServer(const openstack::Token& token, std::string_view server_id,
                                                  const openstack::ServerTarget& target,
                                                  const openstack::WaitOptions& options) = 0;
  virtual Result<std::vector<openstack::VolumeAttachment>> ListVolumeAttachments(const openstack::Token& token,
                                                                                 std::string_view server_id) = 0;
  // Asynchronous: the volume is "in-use" when done (WaitForVolume).
  virtual Result<openstack::VolumeAttachment> AttachVolume(const openstack::Token& token, std::string_view server_id,
                                                           std::string_view volume_id, std::string_view device) = 0;

  // --- Network (Neutron)
  virtual Result<std::vector<openstack::Port>> ListPorts(const openstack::Token& token,
                                                         const openstack::PortFilter& filter) = 0;
  virtual Result<openstack::Port> CreatePort(const openstack::Token& token, const openstack::PortCreate& create) = 0;
  virtual Status DeletePort(const openstack::Token& token, std::string_view port_id) = 0;
  virtual Result<openstack::Network> GetNetwork(const openstack::Token& token, std::string_view network_id) = 0;
  virtual Result<openstack::Subnet> GetSubnet(const openstack::Token& token, std::string_view subnet_id) = 0;
  // The router interface ports on `subnet_id`.
  virtual Result<std::vector<openstack::Port>> ListRouterInterfacePorts(const openstack::Token& token,
                                                                        std::string_view subnet_id) = 0;
  virtual Result<std::vector<openstack::Router>> ListRouters(const openstack::Token& token) = 0;
  virtual Result<openstack::SecurityGroup> GetSecurityGroup(const openstack::Token& token,
                                                            std::string_view group_id) = 0;
  virtual Result<std::vector<openstack::SecurityGroup>> ListSecurityGroups(
      const openstack::Token& token, const openstack::SecurityGroupFilter& filter) = 0;

  // --- Volume (Cinder)
  virtual Result<openstack::Volume> GetVolume(const openstack::Token& token, std::string_view volume_id) = 0;
  // The new volume is "creating" until WaitForVolume sees it "available".
  virtual Result<openstack::Volume> CreateVolume(const openstack::Token& token,
                                                 const openstack::VolumeCreate& create) = 0;
  virtual Status DeleteVolume(const openstack::Token& token, std::string_view volume_id) = 0;
  virtual Result<openstack::Volume> WaitForVolume(const openstack::Token& token, std::string_view volume_id,
                                                  const openstack::VolumeTarget& target,
                                                  const openstack::WaitOptions& options) = 0;
  // A Cinder attachment for a host (the connector): its connection_info
  // tells the datamover how to reach the volume.
  virtual Result<openstack::Attachment> CreateAttachment(const openstack::Token& token,
                                                         const openstack::AttachmentCreate& create) = 0;
  virtual Status DeleteAttachment(const openstack::Token& token, std::string_view attachment_id) = 0;

  // --- Image (Glance)
  virtual Result<openstack::Image> GetImage(const openstack::Token& token, std::string_view image_id) = 0;
  virtual Result<openstack::Image> CreateImage(const openstack::Token& token, const openstack::ImageCreate& create) = 0;
  // Uploads the file at `path` as the image's data.
  virtual Status UploadImageData(const openstack::Token& token, std::string_view image_id,
                                 const std::string& path) = 0;
  virtual Status DeleteImage(const openstack::Token& token, std::string_view image_id) = 0;
  // Until the image is "active"; kUnavailable when it was killed or the wait timed out.
  virtual Result<openstack::Image> WaitForImage(const openstack::Token& token, std::string_view image_id,
                                                const openstack::WaitOptions& options) = 0;
};

}  // namespace cairn::engine
