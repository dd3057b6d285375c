#include "api/v1/openstack_directories.h"

#include "openstack/keystone_admin.h"
#include "openstack/nova.h"

namespace cairn::api {

Result<InstanceInfo> NovaInstanceDirectory::Get(const AuthContext& caller, std::string_view vm_id) {
  openstack::NovaClient nova(http_, selector_);
  CAIRN_ASSIGN_OR_RETURN(openstack::Server server, nova.GetServer(caller.token, vm_id));
  InstanceInfo info;
  info.id = server.id;
  info.name = server.name;
  info.status = server.status;
  info.project_id = server.tenant_id;
  info.availability_zone = server.availability_zone;
  info.volume_count = server.attached_volumes.size();
  return info;
}

Status KeystoneIdentityDirectory::ProjectExists(std::string_view project_id) {
  CAIRN_ASSIGN_OR_RETURN(std::string token, session_.TokenId());
  CAIRN_ASSIGN_OR_RETURN(std::string url, session_.IdentityAdminUrl());
  openstack::KeystoneAdmin admin(session_.http(), url);
  return admin.FindProject(token, project_id, "").status();
}

Status KeystoneIdentityDirectory::UserExists(std::string_view user_id) {
  CAIRN_ASSIGN_OR_RETURN(std::string token, session_.TokenId());
  CAIRN_ASSIGN_OR_RETURN(std::string url, session_.IdentityAdminUrl());
  openstack::KeystoneAdmin admin(session_.http(), url);
  return admin.FindUser(token, user_id, "").status();
}

Result<std::string> KeystoneIdentityDirectory::CreateTrust(const AuthContext& caller, std::string_view role_name) {
  CAIRN_ASSIGN_OR_RETURN(openstack::Token service, session_.GetToken());
  CAIRN_ASSIGN_OR_RETURN(std::string url, session_.IdentityAdminUrl());
  openstack::KeystoneAdmin admin(session_.http(), url);
  openstack::TrustRequest request;
  request.trustor_user_id = caller.user_id();
  request.trustee_user_id = service.user.id;
  request.project_id = caller.project_id();
  request.role_names = {std::string(role_name)};
  request.impersonation = true;
  CAIRN_ASSIGN_OR_RETURN(openstack::Trust trust, admin.CreateTrust(caller.token.id, request));
  return trust.id;
}

Status KeystoneIdentityDirectory::DeleteTrust(std::string_view trust_id) {
  CAIRN_ASSIGN_OR_RETURN(std::string token, session_.TokenId());
  CAIRN_ASSIGN_OR_RETURN(std::string url, session_.IdentityAdminUrl());
  return openstack::KeystoneAdmin(session_.http(), url).DeleteTrust(token, trust_id);
}

Status KeystoneIdentityDirectory::TrustValid(std::string_view trust_id) {
  CAIRN_ASSIGN_OR_RETURN(std::string token, session_.TokenId());
  CAIRN_ASSIGN_OR_RETURN(std::string url, session_.IdentityAdminUrl());
  return openstack::KeystoneAdmin(session_.http(), url).GetTrust(token, trust_id).status();
}

}  // namespace cairn::api
