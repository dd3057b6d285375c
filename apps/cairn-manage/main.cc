// cairn-manage: the operator's tool (docs/operations.md): database schema and
// purge, registration in Keystone, the RBAC policy, and preflight checks of
// every path a deployment needs. The logic lives in src/manage/.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/config_sample.h"

#include "common/config.h"
#include "common/log.h"
#include "db/database.h"
#include "db/options.h"
#include "manage/db_commands.h"
#include "manage/options.h"
#include "manage/policy_commands.h"
#include "manage/preflight.h"
#include "manage/register.h"
#include "manage/target_commands.h"
#include "target/options.h"

namespace {

using namespace cairn;

int Fail(const Status& s) {
  std::fflush(stdout);
  std::fprintf(stderr, "cairn-manage: %s\n", s.message().c_str());
  return 1;
}

// Loads the configuration the way cairn-api does. Log lines go to stderr:
// warnings and errors (only errors with `quiet`, for preflight, whose table
// already says everything) unless [DEFAULT] debug or log_file ask otherwise.
Result<Config> LoadConfig(const std::vector<std::string>& files, const std::string& config_dir, bool quiet) {
  OptionRegistry registry;
  CAIRN_RETURN_IF_ERROR(manage::RegisterManageOptions(registry));
  Config config(std::move(registry));
  CAIRN_RETURN_IF_ERROR(config.LoadFiles(files));
  if (!config_dir.empty()) CAIRN_RETURN_IF_ERROR(config.LoadDirectory(config_dir));
  CAIRN_ASSIGN_OR_RETURN(LogOptions log_options, LogOptionsFromConfig(config));
  if (log_options.level == LogLevel::kInfo && log_options.file.empty()) {
    log_options.level = quiet ? LogLevel::kError : LogLevel::kWarning;
  }
  CAIRN_RETURN_IF_ERROR(InitLogging(log_options));
  for (const auto& warning : config.warnings()) GetLogger("manage")->warn("{}", warning);
  return config;
}

Result<std::unique_ptr<db::Database>> OpenDatabase(const Config& config) {
  CAIRN_ASSIGN_OR_RETURN(db::DatabaseOptions options, db::DatabaseOptionsFromConfig(config));
  options.pool_size = 1;
  return db::Database::Open(options);
}

std::string HostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"cairn-manage: the operator's tool of Cairn"};
  cli.require_subcommand(1);
  std::vector<std::string> files = {"/etc/cairn/cairn.conf"};
  std::string config_dir;
  cli.add_option("--config-file", files, "Configuration file(s), applied in order")->capture_default_str();
  cli.add_option("--config-dir", config_dir, "A directory whose *.conf files are applied after the files");

  auto* db_cmd = cli.add_subcommand("db", "The database schema and purge");
  db_cmd->require_subcommand(1);
  auto* db_sync = db_cmd->add_subcommand("sync", "Apply the missing schema migrations");
  auto* db_version = db_cmd->add_subcommand("version", "Print the current and the latest schema version");
  auto* db_purge = db_cmd->add_subcommand("purge", "Remove rows soft deleted long ago");
  int64_t age_in_days = 0;
  db_purge->add_option("--age-in-days", age_in_days, "Remove what was deleted more than N days ago")
      ->required()
      ->check(CLI::NonNegativeNumber);

  auto* register_cmd = cli.add_subcommand("register", "Register Cairn's service user, service and endpoints in Keystone");
  manage::AdminCredentials admin;
  register_cmd->add_option("--os-auth-url", admin.auth_url, "Keystone URL of the admin (default: $OS_AUTH_URL)");
  register_cmd->add_option("--os-username", admin.username, "Keystone admin user (default: $OS_USERNAME)");
  register_cmd->add_option("--os-password", admin.password, "Its password (default: $OS_PASSWORD)");
  register_cmd->add_option("--os-project-name", admin.project_name, "Its project (default: $OS_PROJECT_NAME)");
  register_cmd->add_option("--os-user-domain-name", admin.user_domain_name,
                           "Its domain (default: $OS_USER_DOMAIN_NAME, else Default)");
  register_cmd->add_option("--os-project-domain-name", admin.project_domain_name,
                           "The project's domain (default: $OS_PROJECT_DOMAIN_NAME, else Default)");
  register_cmd->add_option("--os-cacert", admin.cafile, "CA bundle for HTTPS to Keystone (default: $OS_CACERT)");
  register_cmd->add_flag("--insecure", admin.insecure, "Skip TLS verification (testing only)");

  auto* policy_cmd = cli.add_subcommand("policy", "The RBAC policy");
  policy_cmd->require_subcommand(1);
  auto* policy_defaults = policy_cmd->add_subcommand("defaults", "Print the default rules as a policy file");
  auto* policy_check = policy_cmd->add_subcommand("check", "Check a policy file");
  std::string policy_file;
  policy_check->add_option("--file", policy_file, "The policy file (YAML, or JSON for *.json)")->required();

  auto* config_cmd = cli.add_subcommand("config", "The configuration options");
  config_cmd->require_subcommand(1);
  auto* config_sample = config_cmd->add_subcommand("sample", "Print a sample cairn.conf with every option and its default");
  auto* config_reference = config_cmd->add_subcommand("reference", "Print the option reference (Markdown)");
  auto* target_cmd = cli.add_subcommand("target", "The backup target's identity marker");
  target_cmd->require_subcommand(1);
  auto* target_init = target_cmd->add_subcommand(
      "init", "Initialise the target at [target] path: write its identity marker (once, after mounting it)");
  bool target_local = false;
  target_init->add_flag("--local", target_local,
                        "The target is a directory on this host's own disks, not a mount point");
  auto* target_show = target_cmd->add_subcommand("show", "Print the identity marker of the target at [target] path");
  auto* preflight_cmd = cli.add_subcommand("preflight", "Check every path the deployment needs from this node");
  bool json = false;
  preflight_cmd->add_flag("--json", json, "Machine-readable output");

  CLI11_PARSE(cli, argc, argv);

  // The config and policy commands need no configuration.
  if (config_sample->parsed() || config_reference->parsed()) {
    OptionRegistry registry;
    if (Status s = manage::RegisterManageOptions(registry); !s.ok()) return Fail(s);
    std::cout << (config_sample->parsed() ? GenerateSampleConfig(registry) : GenerateConfigReference(registry));
    return 0;
  }
  if (policy_defaults->parsed()) {
    manage::PolicyDefaults(std::cout);
    return 0;
  }
  if (policy_check->parsed()) {
    const Status s = manage::PrintPolicyCheck(policy_file, manage::CheckPolicyFile(policy_file), std::cout);
    return s.ok() ? 0 : 1;
  }

  auto config = LoadConfig(files, config_dir, preflight_cmd->parsed());
  if (!config.ok()) return Fail(config.status());

  if (db_cmd->parsed()) {
    auto db = OpenDatabase(*config);
    if (!db.ok()) return Fail(db.status());
    Status s;
    if (db_sync->parsed()) s = manage::DbSync(**db, std::cout);
    if (db_version->parsed()) s = manage::DbVersion(**db, std::cout);
    if (db_purge->parsed()) s = manage::DbPurge(**db, age_in_days, UtcNow(), std::cout);
    return s.ok() ? 0 : Fail(s);
  }
  if (register_cmd->parsed()) {
    auto plan = manage::RegistrationPlanFromConfig(*config);
    if (!plan.ok()) return Fail(plan.status());
    auto credentials = manage::ResolveAdminCredentials(admin, [](const char* name) { return std::getenv(name); });
    if (!credentials.ok()) return Fail(credentials.status());
    auto outcomes = manage::Register(*credentials, *plan, std::cout);
    return outcomes.ok() ? 0 : Fail(outcomes.status());
  }
  if (target_cmd->parsed()) {
    auto target_options = target::TargetOptionsFromConfig(*config);
    if (!target_options.ok()) return Fail(target_options.status());
    Status s = target_show->parsed()
                   ? manage::TargetShow(target_options->path, std::cout)
                   : manage::TargetInit({.path = target_options->path, .local = target_local, .host = HostName()},
                                        std::cout);
    return s.ok() ? 0 : Fail(s);
  }
  if (preflight_cmd->parsed()) {
    const manage::PreflightReport report = manage::RunPreflight(*config);
    std::cout << (json ? manage::FormatJson(report) : manage::FormatTable(report));
    return report.ok() ? 0 : 1;
  }
  return 0;
}
