// `cairn-manage register`: Cairn's service user, service, region and
// endpoints in Keystone, made idempotently with openstack::KeystoneRegistrar
// while authenticated as a Keystone admin (the service user may not exist yet).
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "common/config.h"
#include "common/status.h"
#include "openstack/keystone_registration.h"
#include "openstack/options.h"

namespace cairn::manage {

// The Keystone admin `register` acts as: the --os-* flags, else the OS_*
// environment variables, as the openstack CLI reads them.
struct AdminCredentials {
  std::string auth_url{};
  std::string username{};
  std::string password{};
  std::string project_name{};
  std::string user_domain_name = "Default";
  std::string project_domain_name = "Default";
  std::string cafile{};
  bool insecure = false;
};

// Fills the fields of `flags` that are empty from OS_AUTH_URL, OS_USERNAME,
// OS_PASSWORD, OS_PROJECT_NAME, OS_USER_DOMAIN_NAME, OS_PROJECT_DOMAIN_NAME
// and OS_CACERT as `getenv` answers them (nullptr: unset); OS_INSECURE=true
// turns on insecure. InvalidArgument naming the flag and variable when
// auth_url, username, password or project_name stays empty.
Result<AdminCredentials> ResolveAdminCredentials(AdminCredentials flags,
                                                 const std::function<const char*(const char*)>& getenv);

// What `register` makes sure exists, from the configuration.
struct RegistrationPlan {
  std::string region{};
  openstack::ServiceUserSpec user{};
  openstack::ServiceSpec service{};
  openstack::EndpointUrls urls{};
};

// The plan from [keystone_authtoken] (username, password, project_name,
// user_domain_name, project_domain_name; role admin) and
// [keystone_registration] (service_name, region_name, *_endpoint; type
// workloads). InvalidArgument when the service user is not configured or no
// endpoint URL is set.
Result<RegistrationPlan> RegistrationPlanFromConfig(const Config& config);

// Authenticates as `admin` and ensures the region, the service user (and its
// role), the service and its endpoints, in that order. Every outcome is
// printed as it comes ("created service workloads (id ...)", ...) to `out`
// and returned. Stops at the first error (what was done stays done).
Result<std::vector<openstack::EnsureOutcome>> Register(const AdminCredentials& admin, const RegistrationPlan& plan,
                                                       std::ostream& out);

}  // namespace cairn::manage
