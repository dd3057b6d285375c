#include "openstack/options.h"

namespace cairn::openstack {
namespace {

std::string Section(std::string_view s) { return std::string(s); }

// The value of a string option, or "" when it has none.
Result<std::string> OptionalString(const Config& config, std::string_view section, std::string_view name) {
  if (!config.HasValue(section, name)) return std::string();
  return config.GetString(section, name);
}

Result<HttpClientOptions> HttpOptions(const Config& config, std::string_view section) {
  HttpClientOptions http;
  CAIRN_ASSIGN_OR_RETURN(http.cafile, OptionalString(config, section, "cafile"));
  CAIRN_ASSIGN_OR_RETURN(http.insecure, config.GetBool(section, "insecure"));
  CAIRN_ASSIGN_OR_RETURN(int64_t timeout, config.GetInt(section, "timeout"));
  http.default_timeout = std::chrono::seconds(timeout);
  return http;
}

Option Cafile(std::string_view section, std::string what) {
  return {.section = Section(section),
          .name = "cafile",
          .type = OptionType::kString,
          .default_value = std::nullopt,
          .help = "PEM file of the CA certificates that verify " + what +
                  " over HTTPS. When unset, the system's CA bundle."};
}

Option Insecure(std::string_view section) {
  return {.section = Section(section),
          .name = "insecure",
          .type = OptionType::kBool,
          .default_value = "false",
          .help = "Do not verify TLS certificates (testing only)."};
}

Option Timeout(std::string_view section, std::string what) {
  return {.section = Section(section),
          .name = "timeout",
          .type = OptionType::kInt,
          .default_value = "60",
          .help = "Seconds one HTTP request to " + what + " may take, connecting included.",
          .min = 1,
          .max = 3600};
}

}  // namespace

Status RegisterKeystoneAuthOptions(OptionRegistry& registry) {
  const std::string s = Section(kKeystoneAuthSection);
  const Option options[] = {
      {.section = s,
       .name = "auth_url",
       .type = OptionType::kString,
       .default_value = std::nullopt,
       .help = "Keystone's URL, e.g. http://keystone:5000/v3 (\"/v3\" is added when missing). Cairn "
               "authenticates its service user there and validates users' tokens."},
      {.section = s,
       .name = "username",
       .type = OptionType::kString,
       .default_value = std::nullopt,
       .help = "The service user Cairn acts as (it needs the admin role in its project)."},
      {.section = s,
       .name = "password",
       .type = OptionType::kString,
       .default_value = std::nullopt,
       .help = "The service user's password.",
       .secret = true},
      {.section = s,
       .name = "project_name",
       .type = OptionType::kString,
       .default_value = "service",
       .help = "The project the service user's token is scoped to."},
      {.section = s,
       .name = "user_domain_name",
       .type = OptionType::kString,
       .default_value = "Default",
       .help = "The domain of the service user."},
      {.section = s,
       .name = "project_domain_name",
       .type = OptionType::kString,
       .default_value = "Default",
       .help = "The domain of project_name."},
      {.section = s,
       .name = "region_name",
       .type = OptionType::kString,
       .default_value = std::nullopt,
       .help = "The region whose identity endpoints Cairn uses; when unset, any."},
      Cafile(kKeystoneAuthSection, "Keystone"),
      Insecure(kKeystoneAuthSection),
      Timeout(kKeystoneAuthSection, "Keystone"),
  };
  return registry.Register(options);
}

Status RegisterClientOptions(OptionRegistry& registry) {
  const std::string s = Section(kClientsSection);
  const Option options[] = {
      {.section = s,
       .name = "endpoint_type",
       .type = OptionType::kEnum,
       .default_value = "admin",
       .help = "The Keystone catalog interface Cairn uses to reach Nova, Cinder, Glance and Neutron.",
       .choices = {"admin", "internal", "public"}},
      {.section = s,
       .name = "region_name",
       .type = OptionType::kString,
       .default_value = std::nullopt,
       .help = "The region of the endpoints Cairn uses; when unset, [keystone_authtoken] region_name, "
               "and when that is unset too, any region."},
      Timeout(kClientsSection, "Nova, Cinder, Glance or Neutron"),
      Cafile(kClientsSection, "Nova, Cinder, Glance and Neutron"),
      Insecure(kClientsSection),
  };
  return registry.Register(options);
}

PasswordAuth ServiceCredentials::Method() const {
  return {.user_name = username, .user_domain_name = user_domain_name, .password = password};
}

ProjectScope ServiceCredentials::Scope() const {
  return {.project_name = project_name, .domain_name = project_domain_name};
}

std::string NormalizeIdentityUrl(std::string_view auth_url) {
  std::string url(auth_url);
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (!url.ends_with("/v3")) url += "/v3";
  return url;
}

Result<ServiceCredentials> ServiceCredentialsFromConfig(const Config& config) {
  const std::string_view s = kKeystoneAuthSection;
  ServiceCredentials c;
  for (const char* required : {"auth_url", "username", "password"}) {
    if (!config.HasValue(s, required)) {
      return Status::InvalidArgument("option [keystone_authtoken] " + std::string(required) + " is not set");
    }
  }
  CAIRN_ASSIGN_OR_RETURN(c.auth_url, config.GetString(s, "auth_url"));
  c.auth_url = NormalizeIdentityUrl(c.auth_url);
  CAIRN_ASSIGN_OR_RETURN(c.username, config.GetString(s, "username"));
  CAIRN_ASSIGN_OR_RETURN(c.password, config.GetString(s, "password"));
  CAIRN_ASSIGN_OR_RETURN(c.project_name, config.GetString(s, "project_name"));
  CAIRN_ASSIGN_OR_RETURN(c.user_domain_name, config.GetString(s, "user_domain_name"));
  CAIRN_ASSIGN_OR_RETURN(c.project_domain_name, config.GetString(s, "project_domain_name"));
  CAIRN_ASSIGN_OR_RETURN(c.region_name, OptionalString(config, s, "region_name"));
  CAIRN_ASSIGN_OR_RETURN(c.http, HttpOptions(config, s));
  return c;
}

Result<ClientOptions> ClientOptionsFromConfig(const Config& config) {
  const std::string_view s = kClientsSection;
  ClientOptions o;
  CAIRN_ASSIGN_OR_RETURN(std::string interface, config.GetString(s, "endpoint_type"));
  CAIRN_ASSIGN_OR_RETURN(o.interface, ParseInterface(interface));
  CAIRN_ASSIGN_OR_RETURN(o.region_name, OptionalString(config, s, "region_name"));
  if (o.region_name.empty() && config.registry().Find(kKeystoneAuthSection, "region_name") != nullptr) {
    CAIRN_ASSIGN_OR_RETURN(o.region_name, OptionalString(config, kKeystoneAuthSection, "region_name"));
  }
  CAIRN_ASSIGN_OR_RETURN(o.http, HttpOptions(config, s));
  return o;
}

}  // namespace cairn::openstack
