// Where the cairn CLI finds its cloud: the OS_* environment variables, the
// --os-* options and clouds.yaml (OS_CLOUD), merged the way every OpenStack
// client merges them (options over environment over clouds.yaml).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "openstack/auth_method.h"
#include "openstack/catalog.h"

namespace cairn::cli {

// The settings of one cloud, by their os-client-config names (auth_url,
// username, password, project_name, user_domain_name, project_domain_name,
// user_id, project_id, token, application_credential_id,
// application_credential_name, application_credential_secret, auth_type,
// interface, region_name, cacert, insecure, endpoint, ...). "" means unset.
class CloudConfig {
 public:
  // The value of `key`, or "" when unset.
  std::string Get(const std::string& key) const;
  // Sets `key` unless `value` is empty.
  void Set(const std::string& key, const std::string& value);
  bool Has(const std::string& key) const { return !Get(key).empty(); }
  // Every key set, for --debug (secrets are the caller's to mask).
  const std::map<std::string, std::string>& values() const { return values_; }

  // The Keystone auth method: token (auth_type token/v3token or a token
  // given without a password), application credential
  // (v3applicationcredential or a credential id/name), else password.
  // InvalidArgument naming the missing setting (e.g. "no password: set
  // OS_PASSWORD or --os-password").
  Result<openstack::AuthMethod> Method() const;
  // The scope: none for an application credential (it carries its own),
  // else the project by id or by name and domain. InvalidArgument when a
  // password or token auth names no project.
  Result<openstack::AuthScope> Scope() const;
  // The catalog interface: interface (public, internal, admin, or the
  // publicURL forms); public when unset. InvalidArgument otherwise.
  Result<openstack::Interface> Interface() const;

 private:
  std::map<std::string, std::string> values_;
};

// Reads an environment variable; "" when unset.
using EnvLookup = std::function<std::string(const std::string& name)>;

// The clouds.yaml files searched, in order: ./clouds.yaml,
// $XDG_CONFIG_HOME/openstack (or ~/.config/openstack)/clouds.yaml,
// /etc/openstack/clouds.yaml; OS_CLIENT_CONFIG_FILE first when set.
std::vector<std::string> CloudsYamlPaths(const EnvLookup& env);

// The configuration of the cloud named `cloud` in the first of `paths` that
// exists and names it (its "auth" keys flattened; secure.yaml beside it
// merged over it). NotFound naming the cloud and the files read;
// InvalidArgument for a file that is not YAML of the clouds.yaml shape.
Result<CloudConfig> LoadCloudsYaml(const std::string& cloud, const std::vector<std::string>& paths);

// The effective configuration: clouds.yaml (when OS_CLOUD or --os-cloud
// names a cloud), then the OS_* variables, then `options` (the --os-*
// options the user gave, by their os-client-config names).
Result<CloudConfig> ResolveCloudConfig(const std::map<std::string, std::string>& options, const EnvLookup& env);

// The OS_* variable of a setting: "auth_url" -> "OS_AUTH_URL".
std::string EnvName(const std::string& key);

// The settings the CLI reads from OS_* variables and --os-* options.
const std::vector<std::string>& CloudConfigKeys();

}  // namespace cairn::cli
