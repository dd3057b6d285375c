// The configuration of the OpenStack client layer:
//
//   [keystone_authtoken]  the service user Cairn authenticates as, and how to
//                         reach Keystone (auth_url);
//   [clients]             how to reach the other services (Nova, Cinder,
//                         Glance, Neutron): which catalog interface and region.
//
// The options and their meaning are listed in docs/openstack-clients.md.
#pragma once

#include <chrono>
#include <string>

#include "common/config.h"
#include "common/config_schema.h"
#include "common/status.h"
#include "openstack/auth_method.h"
#include "openstack/catalog.h"
#include "openstack/http_client.h"

namespace cairn::openstack {

inline constexpr std::string_view kKeystoneAuthSection = "keystone_authtoken";
inline constexpr std::string_view kClientsSection = "clients";

// Registers [keystone_authtoken] auth_url, username, password (secret),
// project_name, user_domain_name, project_domain_name, region_name, cafile,
// insecure, timeout.
Status RegisterKeystoneAuthOptions(OptionRegistry& registry);

// Registers [clients] endpoint_type (admin|internal|public, default admin),
// region_name, timeout, cafile, insecure.
Status RegisterClientOptions(OptionRegistry& registry);

// The service user and the way to Keystone, from [keystone_authtoken].
struct ServiceCredentials {
  std::string auth_url{};  // e.g. http://keystone:5000/v3 ("/v3" added when missing)
  std::string username{};
  std::string password{};
  std::string project_name = "service";
  std::string user_domain_name = "Default";
  std::string project_domain_name = "Default";
  std::string region_name{};  // region of the identity endpoints; "" any
  HttpClientOptions http{};   // cafile, insecure, timeout

  PasswordAuth Method() const;
  ProjectScope Scope() const;
};

// How service calls choose their endpoint, from [clients].
struct ClientOptions {
  Interface interface = Interface::kAdmin;
  std::string region_name{};  // "" any region
  HttpClientOptions http{};
};

// Reads [keystone_authtoken]. InvalidArgument naming the option when
// auth_url, username or password is not set.
Result<ServiceCredentials> ServiceCredentialsFromConfig(const Config& config);

// Reads [clients]. region_name falls back to [keystone_authtoken]
// region_name when that is registered and set.
Result<ClientOptions> ClientOptionsFromConfig(const Config& config);

// `auth_url` without trailing slashes and with "/v3" appended unless it ends
// with "/v3" already.
std::string NormalizeIdentityUrl(std::string_view auth_url);

}  // namespace cairn::openstack
