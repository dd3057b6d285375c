// cairn: the command line client of Cairn (docs/user-guide.md). The logic
// lives in src/cli/.
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cli/cli_app.h"

int main(int argc, char** argv) {
  cairn::cli::CliEnvironment env;
  env.env = [](const std::string& name) {
    const char* v = std::getenv(name.c_str());
    return v ? std::string(v) : std::string();
  };
  env.out = &std::cout;
  env.err = &std::cerr;
  env.err_is_terminal = ::isatty(STDERR_FILENO) == 1;
  return cairn::cli::RunCli(std::vector<std::string>(argv + 1, argv + argc), env);
}
