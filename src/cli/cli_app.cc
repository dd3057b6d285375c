#include "cli/cli_app.h"

#include <map>

#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "common/log.h"

namespace cairn::cli {
namespace {

// "--os-auth-url" for "auth_url".
std::string FlagOf(const std::string& key) {
  std::string flag = "--os-" + key;
  for (char& c : flag) {
    if (c == '_') c = '-';
  }
  return flag;
}

}  // namespace

int RunCli(const std::vector<std::string>& args, const CliEnvironment& env) {
  std::ostream& out = *env.out;
  std::ostream& err = *env.err;
  CLI::App app("cairn: the command line client of Cairn, backup and recovery for OpenStack "
               "(workloadmgr commands; docs/user-guide.md)",
               "cairn");
  app.fallthrough();
  app.require_subcommand(0, 1);
  std::map<std::string, std::string> os_options;
  for (const auto& key : CloudConfigKeys()) {
    if (key == "insecure") continue;
    app.add_option(FlagOf(key), os_options[key], "Defaults to $" + EnvName(key))->group("Cloud");
  }
  bool insecure = false;
  app.add_flag("--insecure,--os-insecure", insecure, "Do not check TLS certificates")->group("Cloud");
  bool debug = false;
  app.add_flag("--debug", debug, "Show every HTTP exchange (secrets masked)");
  std::string format = "table";
  app.add_option("-f,--format", format, "Output format: table, json, yaml, value")->group("Output");
  std::vector<std::string> columns;
  app.add_option("-c,--column", columns, "Show this column (repeat)")->group("Output");

  CommandTable table(app);
  AddWorkloadCommands(table);
  AddSnapshotCommands(table);
  AddRestoreCommands(table);
  AddAdminCommands(table);
  AddImportCommands(table);

  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    err << "cairn: error: " << e.what() << " (cairn --help lists the commands)\n";
    return kExitUsage;
  }
  if (table.chosen() == nullptr) {
    out << app.help();
    return args.empty() ? kExitUsage : kExitOk;
  }
  auto parsed_format = ParseOutputFormat(format);
  if (!parsed_format.ok()) {
    err << "cairn: error: " << parsed_format.status().message() << "\n";
    return kExitUsage;
  }
  LogOptions log;
  log.level = debug ? LogLevel::kDebug : LogLevel::kError;
  (void)InitLogging(log);

  if (insecure) os_options["insecure"] = "true";
  std::map<std::string, std::string> given;
  for (const auto& [k, v] : os_options) {
    if (!v.empty()) given[k] = v;
  }
  std::ostream* debug_stream = debug ? &err : nullptr;
  bool connecting = false;
  auto connect = [&]() -> Result<std::unique_ptr<ApiClient>> {
    connecting = true;
    CAIRN_ASSIGN_OR_RETURN(CloudConfig config, ResolveCloudConfig(given, env.env));
    return ApiClient::Connect(config, debug_stream);
  };
  CommandContext context(connect, OutputOptions{.format = *parsed_format, .columns = columns}, out, err,
                         env.err_is_terminal, env.poll_interval);
  Status s = (*table.chosen())(context);
  out.flush();
  if (s.ok()) return kExitOk;
  // Wrong arguments found by the command itself (before it connected) are
  // usage errors; the cloud's settings and answers are failures.
  if (s.code() == ErrorCode::kInvalidArgument && !connecting) {
    err << "cairn: error: " << s.message() << "\n";
    return kExitUsage;
  }
  err << "ERROR: " << s.message() << "\n";
  return kExitFailed;
}

}  // namespace cairn::cli
