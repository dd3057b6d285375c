// The production InstanceDirectory and IdentityDirectory: Nova and Keystone
// reached through the Keystone catalog (service.h declares the interfaces).
#pragma once

#include "api/v1/service.h"
#include "openstack/endpoint_selector.h"
#include "openstack/http_client.h"
#include "openstack/service_session.h"

namespace cairn::api {

// Asks Nova, as the caller (their token and catalog), on the interface and
// region of `selector`.
class NovaInstanceDirectory final : public InstanceDirectory {
 public:
  // `http` must outlive this.
  NovaInstanceDirectory(const openstack::HttpClient& http, openstack::EndpointSelector selector)
      : http_(http), selector_(std::move(selector)) {}
  Result<InstanceInfo> Get(const AuthContext& caller, std::string_view vm_id) override;

 private:
  const openstack::HttpClient& http_;
  openstack::EndpointSelector selector_;
};

// Asks Keystone with the service user's token on the identity admin URL
// (ServiceSession::IdentityAdminUrl); trusts are created with the caller's
// own token, as Keystone requires.
class KeystoneIdentityDirectory final : public IdentityDirectory {
 public:
  // `session` must outlive this.
  explicit KeystoneIdentityDirectory(openstack::ServiceSession& session) : session_(session) {}
  Status ProjectExists(std::string_view project_id) override;
  Status UserExists(std::string_view user_id) override;
  Result<std::string> CreateTrust(const AuthContext& caller, std::string_view role_name) override;
  Status DeleteTrust(std::string_view trust_id) override;
  Status TrustValid(std::string_view trust_id) override;

 private:
  openstack::ServiceSession& session_;
};

}  // namespace cairn::api
