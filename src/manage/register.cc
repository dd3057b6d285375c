#include "manage/register.h"

#include "common/strings.h"
#include "manage/options.h"
#include "openstack/keystone_admin.h"
#include "openstack/service_session.h"

namespace cairn::manage {

Result<AdminCredentials> ResolveAdminCredentials(AdminCredentials flags,
                                                 const std::function<const char*(const char*)>& getenv) {
  const auto fill = [&](std::string& field, const char* variable) {
    if (!field.empty()) return;
    const char* value = getenv(variable);
    if (value != nullptr) field = value;
  };
  fill(flags.auth_url, "OS_AUTH_URL");
  fill(flags.username, "OS_USERNAME");
  fill(flags.password, "OS_PASSWORD");
  fill(flags.project_name, "OS_PROJECT_NAME");
  fill(flags.cafile, "OS_CACERT");
  // The domains have defaults; the environment wins over a default.
  if (const char* v = getenv("OS_USER_DOMAIN_NAME"); v != nullptr && *v != '\0' && flags.user_domain_name == "Default") {
    flags.user_domain_name = v;
  }
  if (const char* v = getenv("OS_PROJECT_DOMAIN_NAME"); v != nullptr && *v != '\0' && flags.project_domain_name == "Default") {
    flags.project_domain_name = v;
  }
  if (const char* v = getenv("OS_INSECURE"); v != nullptr) {
    const std::string s = AsciiLower(v);
    if (s == "true" || s == "1" || s == "yes") flags.insecure = true;
  }
  const std::pair<const std::string*, const char*> required[] = {{&flags.auth_url, "--os-auth-url or OS_AUTH_URL"},
                                                                 {&flags.username, "--os-username or OS_USERNAME"},
                                                                 {&flags.password, "--os-password or OS_PASSWORD"},
                                                                 {&flags.project_name, "--os-project-name or OS_PROJECT_NAME"}};
  for (const auto& [field, name] : required) {
    if (field->empty()) return Status::InvalidArgument(std::string("Keystone admin credentials: set ") + name);
  }
  return flags;
}

Result<RegistrationPlan> RegistrationPlanFromConfig(const Config& config) {
  RegistrationPlan plan;
  const std::string_view ks = openstack::kKeystoneAuthSection;
  const auto optional = [&](std::string_view section, std::string_view name) -> std::string {
    auto v = config.GetString(section, name);
    return v.ok() ? *v : std::string();
  };
  plan.user.name = optional(ks, "username");
  plan.user.password = optional(ks, "password");
  if (plan.user.name.empty() || plan.user.password.empty()) {
    return Status::InvalidArgument("the service user is not configured: set [keystone_authtoken] username and password");
  }
  plan.user.project = optional(ks, "project_name");
  plan.user.domain = optional(ks, "user_domain_name");
  plan.user.project_domain = optional(ks, "project_domain_name");
  plan.user.role = "admin";

  plan.service.type = "workloads";
  plan.service.name = optional(kRegistrationSection, "service_name");
  plan.service.description = "Cairn: backup and recovery of OpenStack workloads (workloadmgr API)";
  plan.region = optional(kRegistrationSection, "region_name");
  plan.urls.public_url = optional(kRegistrationSection, "public_endpoint");
  plan.urls.internal_url = optional(kRegistrationSection, "internal_endpoint");
  plan.urls.admin_url = optional(kRegistrationSection, "admin_endpoint");
  if (plan.service.name.empty()) return Status::InvalidArgument("[keystone_registration] service_name is empty");
  if (plan.region.empty()) return Status::InvalidArgument("[keystone_registration] region_name is empty");
  if (plan.urls.public_url.empty() && plan.urls.internal_url.empty() && plan.urls.admin_url.empty()) {
    return Status::InvalidArgument(
        "no endpoint to register: set [keystone_registration] public_endpoint, internal_endpoint and admin_endpoint");
  }
  return plan;
}

Result<std::vector<openstack::EnsureOutcome>> Register(const AdminCredentials& admin, const RegistrationPlan& plan,
                                                       std::ostream& out) {
  openstack::ServiceCredentials credentials;
  credentials.auth_url = openstack::NormalizeIdentityUrl(admin.auth_url);
  credentials.username = admin.username;
  credentials.password = admin.password;
  credentials.project_name = admin.project_name;
  credentials.user_domain_name = admin.user_domain_name;
  credentials.project_domain_name = admin.project_domain_name;
  credentials.region_name = plan.region;
  credentials.http.cafile = admin.cafile;
  credentials.http.insecure = admin.insecure;
  openstack::ServiceSession session(std::move(credentials));
  auto token = session.TokenId();
  if (!token.ok()) return token.status().WithContext("authenticate as the Keystone admin " + admin.username);
  CAIRN_ASSIGN_OR_RETURN(const std::string identity_url, session.IdentityAdminUrl());
  const openstack::KeystoneAdmin keystone(session.http(), identity_url);
  const openstack::KeystoneRegistrar registrar(keystone);

  std::vector<openstack::EnsureOutcome> outcomes;
  const auto report = [&](openstack::EnsureOutcome outcome) {
    out << outcome.ToString() << "\n";
    outcomes.push_back(std::move(outcome));
  };
  CAIRN_ASSIGN_OR_RETURN(auto region, registrar.EnsureRegion(*token, plan.region));
  report(std::move(region));
  CAIRN_ASSIGN_OR_RETURN(auto user, registrar.EnsureServiceUser(*token, plan.user));
  for (auto& o : user) report(std::move(o));
  CAIRN_ASSIGN_OR_RETURN(auto service, registrar.EnsureService(*token, plan.service));
  const std::string service_id = service.id;
  report(std::move(service));
  CAIRN_ASSIGN_OR_RETURN(auto endpoints, registrar.EnsureEndpoints(*token, service_id, plan.region, plan.urls));
  for (auto& o : endpoints) report(std::move(o));
  return outcomes;
}

}  // namespace cairn::manage
