// The cairn command line client: parses the arguments, connects to Cairn
// through Keystone and runs one command (apps/cairn/main.cc is a thin shell
// around RunCli, so the tests run the same code in process).
#pragma once

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

#include "cli/cloud_config.h"

namespace cairn::cli {

// Exit codes: 0 done, 1 the command failed (the API refused, the job ended
// in error, the cloud was unreachable), 2 the command line was wrong.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

struct CliEnvironment {
  EnvLookup env;                // the OS_* variables (and HOME, XDG_CONFIG_HOME)
  std::ostream* out = nullptr;  // the command's output
  std::ostream* err = nullptr;  // errors, progress and --debug
  bool err_is_terminal = false;  // progress as a redrawn bar, else plain lines
  std::chrono::milliseconds poll_interval{std::chrono::seconds(2)};  // --wait polling
};

// Runs `args` (without the program name). Errors are one line on err:
// "ERROR: <the API's message>" or "cairn: error: <what is wrong>".
int RunCli(const std::vector<std::string>& args, const CliEnvironment& env);

}  // namespace cairn::cli
