#include "cli/cloud_config.h"

#include <filesystem>

#include <yaml-cpp/yaml.h>

namespace cairn::cli {
namespace {

// Old names that still work, mapped to the current ones.
const std::map<std::string, std::string>& Aliases() {
  static const std::map<std::string, std::string> aliases = {
      {"tenant_name", "project_name"},  {"tenant_id", "project_id"},       {"endpoint_type", "interface"},
      {"region", "region_name"},        {"auth_token", "token"},           {"domain_name", "default_domain_name"},
      {"domain_id", "default_domain_id"}, {"user_name", "username"},
  };
  return aliases;
}

std::string Canonical(const std::string& key) {
  auto it = Aliases().find(key);
  return it == Aliases().end() ? key : it->second;
}

bool Truthy(const std::string& v) { return v == "1" || v == "true" || v == "True" || v == "yes" || v == "TRUE"; }

// Flattens one cloud entry of clouds.yaml into `config`: scalars of the
// entry and of its "auth" map; "verify: false" becomes insecure.
Status Flatten(const YAML::Node& entry, const std::string& where, CloudConfig& config) {
  if (!entry.IsMap()) return Status::InvalidArgument(where + ": a cloud must be a mapping");
  for (const auto& kv : entry) {
    const std::string key = kv.first.as<std::string>();
    const YAML::Node& value = kv.second;
    if (key == "auth") {
      if (!value.IsMap()) return Status::InvalidArgument(where + ": 'auth' must be a mapping");
      for (const auto& a : value) {
        if (a.second.IsScalar()) config.Set(Canonical(a.first.as<std::string>()), a.second.as<std::string>());
      }
    } else if (key == "verify" && value.IsScalar()) {
      const std::string v = value.as<std::string>();
      if (v == "false" || v == "False" || v == "no") config.Set("insecure", "true");
    } else if (value.IsScalar()) {
      config.Set(Canonical(key), value.as<std::string>());
    }
  }
  return Status::OK();
}

Result<YAML::Node> LoadYaml(const std::string& path) {
  try {
    return YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(path + ": not valid YAML: " + e.what());
  }
}

}  // namespace

std::string CloudConfig::Get(const std::string& key) const {
  auto it = values_.find(key);
  return it == values_.end() ? std::string() : it->second;
}

void CloudConfig::Set(const std::string& key, const std::string& value) {
  if (!value.empty()) values_[key] = value;
}

Result<openstack::AuthMethod> CloudConfig::Method() const {
  const std::string type = Get("auth_type");
  const bool app_cred = type == "v3applicationcredential" || type == "applicationcredential" ||
                        (type.empty() && (Has("application_credential_id") || Has("application_credential_name")));
  const bool token = type == "token" || type == "v3token" || type == "admin_token" ||
                     (type.empty() && Has("token") && !Has("password") && !app_cred);
  if (!type.empty() && !app_cred && !token && type != "password" && type != "v3password") {
    return Status::InvalidArgument("auth type '" + type +
                                   "' is not supported (OS_AUTH_TYPE: password, token, v3applicationcredential)");
  }
  if (app_cred) {
    openstack::ApplicationCredentialAuth a{.id = Get("application_credential_id"),
                                           .name = Get("application_credential_name"),
                                           .user_id = Get("user_id"),
                                           .user_name = Get("username"),
                                           .user_domain_name = Get("user_domain_name"),
                                           .user_domain_id = Get("user_domain_id"),
                                           .secret = Get("application_credential_secret")};
    if (a.secret.empty()) {
      return Status::InvalidArgument(
          "no application credential secret: set OS_APPLICATION_CREDENTIAL_SECRET or "
          "--os-application-credential-secret");
    }
    if (a.id.empty() && (a.name.empty() || (a.user_id.empty() && a.user_name.empty()))) {
      return Status::InvalidArgument(
          "an application credential needs OS_APPLICATION_CREDENTIAL_ID, or its name and its user");
    }
    return openstack::AuthMethod(a);
  }
  if (token) {
    if (!Has("token")) return Status::InvalidArgument("no token: set OS_TOKEN or --os-token");
    return openstack::AuthMethod(openstack::TokenAuth{.token = Get("token")});
  }
  openstack::PasswordAuth p{.user_id = Get("user_id"),
                            .user_name = Get("username"),
                            .user_domain_name = Get("user_domain_name"),
                            .user_domain_id = Get("user_domain_id"),
                            .password = Get("password")};
  if (p.user_id.empty() && p.user_name.empty()) {
    return Status::InvalidArgument("no user: set OS_USERNAME or --os-username (or OS_CLOUD with a clouds.yaml)");
  }
  if (p.password.empty()) return Status::InvalidArgument("no password: set OS_PASSWORD or --os-password");
  if (p.user_domain_name.empty() && p.user_domain_id.empty()) {
    p.user_domain_name = Get("default_domain_name");
    p.user_domain_id = Get("default_domain_id");
  }
  return openstack::AuthMethod(p);
}

Result<openstack::AuthScope> CloudConfig::Scope() const {
  CAIRN_ASSIGN_OR_RETURN(openstack::AuthMethod method, Method());
  if (std::holds_alternative<openstack::ApplicationCredentialAuth>(method)) return openstack::AuthScope(openstack::Unscoped{});
  openstack::ProjectScope scope{.project_id = Get("project_id"),
                                .project_name = Get("project_name"),
                                .domain_name = Get("project_domain_name"),
                                .domain_id = Get("project_domain_id")};
  if (scope.project_id.empty() && scope.project_name.empty()) {
    return Status::InvalidArgument("no project: set OS_PROJECT_NAME or OS_PROJECT_ID (or --os-project-name)");
  }
  if (scope.domain_name.empty() && scope.domain_id.empty()) {
    scope.domain_name = Get("default_domain_name");
    scope.domain_id = Get("default_domain_id");
  }
  return openstack::AuthScope(scope);
}

Result<openstack::Interface> CloudConfig::Interface() const {
  const std::string text = Get("interface");
  if (text.empty()) return openstack::Interface::kPublic;
  auto parsed = openstack::ParseInterface(text);
  if (!parsed.ok()) {
    return Status::InvalidArgument("interface '" + text + "' (OS_INTERFACE, --os-interface): use public, internal or admin");
  }
  return parsed;
}

std::string EnvName(const std::string& key) {
  std::string name = "OS_";
  for (char c : key) name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

const std::vector<std::string>& CloudConfigKeys() {
  static const std::vector<std::string> keys = {
      "cloud",          "auth_url",          "auth_type",           "username",
      "user_id",        "password",          "user_domain_name",    "user_domain_id",
      "project_name",   "project_id",        "project_domain_name", "project_domain_id",
      "default_domain_name", "default_domain_id", "token",           "application_credential_id",
      "application_credential_name", "application_credential_secret", "interface", "region_name",
      "cacert",         "insecure",          "endpoint",
  };
  return keys;
}

std::vector<std::string> CloudsYamlPaths(const EnvLookup& env) {
  std::vector<std::string> paths;
  if (std::string f = env("OS_CLIENT_CONFIG_FILE"); !f.empty()) paths.push_back(f);
  paths.push_back("clouds.yaml");
  std::string config_home = env("XDG_CONFIG_HOME");
  if (config_home.empty() && !env("HOME").empty()) config_home = env("HOME") + "/.config";
  if (!config_home.empty()) paths.push_back(config_home + "/openstack/clouds.yaml");
  paths.push_back("/etc/openstack/clouds.yaml");
  return paths;
}

Result<CloudConfig> LoadCloudsYaml(const std::string& cloud, const std::vector<std::string>& paths) {
  std::string read;
  for (const auto& path : paths) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) continue;
    read += (read.empty() ? "" : ", ") + path;
    CAIRN_ASSIGN_OR_RETURN(YAML::Node root, LoadYaml(path));
    if (!root.IsMap() || !root["clouds"]) continue;
    const YAML::Node clouds = root["clouds"];
    if (!clouds.IsMap()) return Status::InvalidArgument(path + ": 'clouds' must be a mapping");
    if (!clouds[cloud]) continue;
    CloudConfig config;
    CAIRN_RETURN_IF_ERROR(Flatten(clouds[cloud], path + ": cloud " + cloud, config));
    // secure.yaml beside it holds the secrets of the same clouds.
    const std::string secure = (std::filesystem::path(path).parent_path() / "secure.yaml").string();
    if (std::filesystem::is_regular_file(secure, ec)) {
      CAIRN_ASSIGN_OR_RETURN(YAML::Node sroot, LoadYaml(secure));
      if (sroot.IsMap() && sroot["clouds"] && sroot["clouds"].IsMap() && sroot["clouds"][cloud]) {
        CAIRN_RETURN_IF_ERROR(Flatten(sroot["clouds"][cloud], secure + ": cloud " + cloud, config));
      }
    }
    return config;
  }
  return Status::NotFound("cloud '" + cloud + "' (OS_CLOUD) is not in " +
                          (read.empty() ? std::string("any clouds.yaml (none found)") : read));
}

Result<CloudConfig> ResolveCloudConfig(const std::map<std::string, std::string>& options, const EnvLookup& env) {
  auto option = [&](const std::string& key) {
    auto it = options.find(key);
    return it == options.end() ? std::string() : it->second;
  };
  CloudConfig config;
  std::string cloud = option("cloud");
  if (cloud.empty()) cloud = env("OS_CLOUD");
  if (!cloud.empty()) {
    CAIRN_ASSIGN_OR_RETURN(config, LoadCloudsYaml(cloud, CloudsYamlPaths(env)));
  }
  for (const auto& [alias, key] : Aliases()) config.Set(key, env(EnvName(alias)));
  for (const auto& key : CloudConfigKeys()) config.Set(key, env(EnvName(key)));
  for (const auto& [key, value] : options) config.Set(Canonical(key), value);
  if (Truthy(config.Get("insecure"))) {
    config.Set("insecure", "true");
  } else if (config.Has("insecure")) {
    config = [&] {
      CloudConfig c;
      for (const auto& [k, v] : config.values()) {
        if (k != "insecure") c.Set(k, v);
      }
      return c;
    }();
  }
  return config;
}

}  // namespace cairn::cli
