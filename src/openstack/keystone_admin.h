// KeystoneAdmin: the Keystone v3 resource calls Cairn needs besides tokens:
// look up users, projects, roles and domains; role assignments; trusts; and
// the deletions the registration tests need. Each call takes the token to act
// with (usually the service user's, from ServiceSession; trust creation needs
// the trustor's own token) and speaks to one identity URL (the admin endpoint
// when the catalog has one: ServiceSession::IdentityAdminUrl()).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "openstack/http_client.h"
#include "openstack/token.h"

namespace cairn::openstack {

struct User {
  std::string id{};
  std::string name{};
  std::string domain_id{};
  std::string default_project_id{};
  bool enabled = true;
};

struct Project {
  std::string id{};
  std::string name{};
  std::string domain_id{};
  std::string description{};
  bool enabled = true;
};

struct Domain {
  std::string id{};
  std::string name{};
};

// A role assignment of a user on a project (role names resolved).
struct RoleAssignment {
  std::string role_id{};
  std::string role_name{};
  std::string user_id{};
  std::string project_id{};
};

struct Trust {
  std::string id{};
  std::string trustor_user_id{};
  std::string trustee_user_id{};
  std::string project_id{};
  bool impersonation = false;
  std::vector<Role> roles{};
  std::optional<TimePoint> expires_at{};  // absent: never
};

struct TrustRequest {
  std::string trustor_user_id{};
  std::string trustee_user_id{};
  std::string project_id{};
  std::vector<std::string> role_names{};  // at least one
  bool impersonation = true;
  std::optional<TimePoint> expires_at{};
};

class KeystoneAdmin {
 public:
  // `identity_url` like "http://host:5000/v3". `http` must outlive this.
  KeystoneAdmin(const HttpClient& http, std::string_view identity_url);

  // A user by id, else by name within the domain (name or id; "" for any
  // domain, which is kConflict when the name is ambiguous). kNotFound naming it.
  Result<User> FindUser(std::string_view token, std::string_view id_or_name,
                        std::string_view domain = {}) const;
  // A project by id, else by name within the domain (as FindUser).
  Result<Project> FindProject(std::string_view token, std::string_view id_or_name,
                              std::string_view domain = {}) const;
  // A domain by id, else by name.
  Result<Domain> FindDomain(std::string_view token, std::string_view id_or_name) const;
  // A global role by id, else by name.
  Result<Role> FindRole(std::string_view token, std::string_view id_or_name) const;

  // The roles `user_id` holds on `project_id` (direct and inherited, effective).
  Result<std::vector<RoleAssignment>> ListRoleAssignments(std::string_view token, std::string_view user_id,
                                                          std::string_view project_id) const;

  // POST /v3/OS-TRUST/trusts, with the trustor's token: Keystone allows only
  // the trustor to create it, and only with roles the trustor holds on the
  // project (else kPermissionDenied).
  Result<Trust> CreateTrust(std::string_view trustor_token, const TrustRequest& request) const;
  // kNotFound when it does not exist (or was deleted).
  Result<Trust> GetTrust(std::string_view token, std::string_view trust_id) const;
  // kNotFound when it does not exist.
  Status DeleteTrust(std::string_view token, std::string_view trust_id) const;

  // Deletions, for cleaning up what tests and registration created. kNotFound
  // when it does not exist. Deleting a service deletes its endpoints.
  Status DeleteUser(std::string_view token, std::string_view user_id) const;
  Status DeleteService(std::string_view token, std::string_view service_id) const;
  Status DeleteEndpoint(std::string_view token, std::string_view endpoint_id) const;

  const std::string& identity_url() const { return identity_url_; }

 private:
  friend class KeystoneRegistrar;
  // GET/POST/... `path` (starting with "/") relative to the identity URL;
  // the answer's JSON object, or the mapped error.
  Result<nlohmann::json> Call(std::string_view method, std::string_view token, const std::string& path,
                              const nlohmann::json* body, std::string_view what) const;

  const HttpClient& http_;
  std::string identity_url_;
};

// `s` percent-encoded for a URL query value (RFC 3986 unreserved kept).
std::string UrlEncode(std::string_view s);

}  // namespace cairn::openstack
