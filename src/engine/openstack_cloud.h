// The production CloudDriver: Nova, Neutron, Cinder and Glance reached
// through the Keystone catalog of each call's token, on the configured
// interface and region; Keystone for the service user's token and the
// trusts that act for a job's user when its own token has expired.
#pragma once

#include "common/time.h"
#include "db/database.h"
#include "engine/cloud_driver.h"
#include "openstack/endpoint_selector.h"
#include "openstack/http_client.h"
#include "openstack/service_session.h"

namespace cairn::engine {

class OpenStackCloud final : public CloudDriver {
 public:
  // Every reference must outlive this. `db` holds the trusts (UserToken).
  OpenStackCloud(openstack::ServiceSession& service, const openstack::HttpClient& http,
                 openstack::EndpointSelector selector, db::Database& db, const Clock& clock)
      : service_(service), db_(db), clock_(clock), nova_(http, selector), neutron_(http, selector),
        cinder_(http, selector), glance_(http, selector) {}

  Result<openstack::Token> UserToken(const db::Job& job) override;
  Result<openstack::Token> ServiceToken() override { return service_.GetToken(); }

  Result<openstack::Server> GetServer(const openstack::Token& t, std::string_view id) override {
    return nova_.GetServer(t, id);
  }
  Result<std::vector<openstack::Flavor>> ListFlavors(const openstack::Token& t) override {
    return nova_.ListFlavors(t);
  }
  Result<std::string> CreateServer(const openstack::Token& t, const openstack::ServerCreate& c) override {
    return nova_.CreateServer(t, c);
  }
  Status DeleteServer(const openstack::Token& t, std::string_view id) override { return nova_.DeleteServer(t, id); }
  Status StartServer(const openstack::Token& t, std::string_view id) override { return nova_.StartServer(t, id); }
  Status StopServer(const openstack::Token& t, std::string_view id) override { return nova_.StopServer(t, id); }
  Result<openstack::Server> WaitForServer(const openstack::Token& t, std::string_view id,
                                          const openstack::ServerTarget& target,
                                          const openstack::WaitOptions& options) override {
    return nova_.WaitForServer(t, id, target, options);
  }
  Result<std::vector<openstack::VolumeAttachment>> ListVolumeAttachments(const openstack::Token& t,
                                                                         std::string_view id) override {
    return nova_.ListVolumeAttachments(t, id);
  }
  Result<openstack::VolumeAttachment> AttachVolume(const openstack::Token& t, std::string_view server_id,
                                                   std::string_view volume_id, std::string_view device) override {
    return nova_.AttachVolume(t, server_id, volume_id, device);
  }

  Result<std::vector<openstack::Port>> ListPorts(const openstack::Token& t,
                                                 const openstack::PortFilter& filter) override {
    return neutron_.ListPorts(t, filter);
  }
  Result<openstack::Port> CreatePort(const openstack::Token& t, const openstack::PortCreate& c) override {
    return neutron_.CreatePort(t, c);
  }
  Status DeletePort(const openstack::Token& t, std::string_view id) override { return neutron_.DeletePort(t, id); }
  Result<openstack::Network> GetNetwork(const openstack::Token& t, std::string_view id) override {
    return neutron_.GetNetwork(t, id);
  }
  Result<openstack::Subnet> GetSubnet(const openstack::Token& t, std::string_view id) override {
    return neutron_.GetSubnet(t, id);
  }
  Result<std::vector<openstack::Port>> ListRouterInterfacePorts(const openstack::Token& t,
                                                                std::string_view subnet_id) override {
    return neutron_.ListRouterInterfacePorts(t, subnet_id);
  }
  Result<std::vector<openstack::Router>> ListRouters(const openstack::Token& t) override {
    return neutron_.ListRouters(t);
  }
  Result<openstack::SecurityGroup> GetSecurityGroup(const openstack::Token& t, std::string_view id) override {
    return neutron_.GetSecurityGroup(t, id);
  }
  Result<std::vector<openstack::SecurityGroup>> ListSecurityGroups(
      const openstack::Token& t, const openstack::SecurityGroupFilter& filter) override {
    return neutron_.ListSecurityGroups(t, filter);
  }

  Result<openstack::Volume> GetVolume(const openstack::Token& t, std::string_view id) override {
    return cinder_.GetVolume(t, id);
  }
  Result<openstack::Volume> CreateVolume(const openstack::Token& t, const openstack::VolumeCreate& c) override {
    return cinder_.CreateVolume(t, c);
  }
  Status DeleteVolume(const openstack::Token& t, std::string_view id) override { return cinder_.DeleteVolume(t, id); }
  Result<openstack::Volume> WaitForVolume(const openstack::Token& t, std::string_view id,
                                          const openstack::VolumeTarget& target,
                                          const openstack::WaitOptions& options) override {
    return cinder_.WaitForVolume(t, id, target, options);
  }
  Result<openstack::Attachment> CreateAttachment(const openstack::Token& t,
                                                 const openstack::AttachmentCreate& c) override {
    return cinder_.CreateAttachment(t, c);
  }
  Status DeleteAttachment(const openstack::Token& t, std::string_view id) override {
    return cinder_.DeleteAttachment(t, id);
  }

  Result<openstack::Image> GetImage(const openstack::Token& t, std::string_view id) override {
    return glance_.GetImage(t, id);
  }
  Result<openstack::Image> CreateImage(const openstack::Token& t, const openstack::ImageCreate& c) override {
    return glance_.CreateImage(t, c);
  }
  Status UploadImageData(const openstack::Token& t, std::string_view id, const std::string& path) override {
    return glance_.UploadImageData(t, id, path);
  }
  Status DeleteImage(const openstack::Token& t, std::string_view id) override { return glance_.DeleteImage(t, id); }
  Result<openstack::Image> WaitForImage(const openstack::Token& t, std::string_view id,
                                        const openstack::WaitOptions& options) override {
    return glance_.WaitForImage(t, id, options);
  }

 private:
  openstack::ServiceSession& service_;
  db::Database& db_;
  const Clock& clock_;
  openstack::NovaClient nova_;
  openstack::NeutronClient neutron_;
  openstack::CinderClient cinder_;
  openstack::GlanceClient glance_;
};

}  // namespace cairn::engine
