// The frame every cairn CLI command runs in: its context (the API, the
// output options, the streams) and the table of commands.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/api_client.h"
#include "cli/cloud_config.h"
#include "cli/output.h"
#include "common/status.h"

namespace cairn::cli {

using nlohmann::json;

// What a command may use while it runs.
class CommandContext {
 public:
  // `connect` makes the ApiClient on first use (commands that fail on their
  // arguments never authenticate).
  CommandContext(std::function<Result<std::unique_ptr<ApiClient>>()> connect, OutputOptions output, std::ostream& out,
                 std::ostream& err, bool terminal, std::chrono::milliseconds poll_interval)
      : connect_(std::move(connect)), output_(std::move(output)), out_(out), err_(err), terminal_(terminal),
        poll_interval_(poll_interval) {}

  // The connected API; the connection error otherwise.
  Result<ApiClient*> Api();
  // Api()->Call(...).
  Result<json> Call(const std::string& method, const std::string& path, const std::optional<json>& body = std::nullopt);
  // `answer[key]`, or Unavailable naming the key when the API left it out.
  static Result<json> Member(const json& answer, const std::string& key);
  // Every row of the list at `path` (GET, answer key `key`): follows the
  // "<key>_links" next links (the API answers at most a page at a time) from
  // page to page, requesting `path` with each next link's query.
  Result<json> ListAll(const std::string& path, const std::string& key);

  // Prints with the user's -f/-c.
  Status PrintList(const json& rows, const std::vector<Column>& columns);
  Status PrintObject(const json& object);

  // Waits for the snapshot or restore at `path` (answer key `key`) with a
  // progress display on err(); the final object. Error when it ended in
  // error (its error_msg) or was cancelled.
  Result<json> Wait(const std::string& path, const std::string& key);

  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }

 private:
  std::function<Result<std::unique_ptr<ApiClient>>()> connect_;
  std::unique_ptr<ApiClient> api_;
  OutputOptions output_;
  std::ostream& out_;
  std::ostream& err_;
  bool terminal_;
  std::chrono::milliseconds poll_interval_;
};

using CommandRun = std::function<Status(CommandContext&)>;

// The commands of the CLI as CLI11 subcommands; the one the user chose.
class CommandTable {
 public:
  explicit CommandTable(CLI::App& app) : app_(app) {}

  // Adds the subcommand `name`; `run` is what it does once parsed. The
  // returned App takes the command's own options and positionals.
  CLI::App* Add(const std::string& name, const std::string& help, CommandRun run);

  // The command chosen by the parsed arguments, or nullptr.
  const CommandRun* chosen() const { return chosen_ ? &*chosen_ : nullptr; }

 private:
  CLI::App& app_;
  std::map<std::string, CommandRun> runs_;
  std::optional<CommandRun> chosen_;
};

// A command with one positional argument `arg` that GETs `prefix` + arg and
// shows the answer's `key`.
void AddShowCommand(CommandTable& table, const std::string& name, const std::string& help, const std::string& arg,
                    const std::string& prefix, const std::string& key);
// A command with one positional argument `arg` that sends `method` to
// `prefix` + arg + `suffix` without a body and prints nothing.
void AddActionCommand(CommandTable& table, const std::string& name, const std::string& help, const std::string& arg,
                      const std::string& method, const std::string& prefix, const std::string& suffix = "");
// A command without arguments that GETs `path` and lists the answer's `key`.
void AddListCommand(CommandTable& table, const std::string& name, const std::string& help, const std::string& path,
                    const std::string& key, const std::vector<Column>& columns);

// Parses "key=value" of option `option`; InvalidArgument naming the option.
Result<std::pair<std::string, std::string>> ParseKeyValue(const std::string& option, const std::string& text);
// Every "key=value" of a repeated option as an object of strings.
Result<json> ParseKeyValues(const std::string& option, const std::vector<std::string>& texts);
// The JSON (or YAML) file given to `option`, parsed. InvalidArgument naming
// the option and the file when it cannot be read or parsed.
Result<json> ReadJsonFile(const std::string& option, const std::string& path);

// The command groups (commands_*.cc).
void AddWorkloadCommands(CommandTable& table);
void AddSnapshotCommands(CommandTable& table);
void AddRestoreCommands(CommandTable& table);
void AddAdminCommands(CommandTable& table);
void AddImportCommands(CommandTable& table);

}  // namespace cairn::cli
