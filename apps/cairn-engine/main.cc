// cairn-engine: runs the jobs cairn-api queues (snapshots, restores,
// deletes) until SIGTERM/SIGINT (docs/engine.md). Several engines may share
// a database; each job runs on one of them.
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/log.h"
#include "engine/engine_app.h"

namespace {

using namespace cairn;

int Fail(const Status& s) {
  std::fprintf(stderr, "cairn-engine: %s\n", s.message().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"cairn-engine: the workflows of Cairn (snapshots, restores, deletes)"};
  std::vector<std::string> files = {"/etc/cairn/cairn.conf"};
  std::string config_dir;
  cli.add_option("--config-file", files, "Configuration file(s), applied in order")->capture_default_str();
  cli.add_option("--config-dir", config_dir, "A directory whose *.conf files are applied after the files");
  CLI11_PARSE(cli, argc, argv);

  OptionRegistry registry;
  if (Status s = engine::RegisterEngineAppOptions(registry); !s.ok()) return Fail(s);
  Config config(std::move(registry));
  if (Status s = config.LoadFiles(files); !s.ok()) return Fail(s);
  if (!config_dir.empty()) {
    if (Status s = config.LoadDirectory(config_dir); !s.ok()) return Fail(s);
  }
  auto log_options = LogOptionsFromConfig(config);
  if (!log_options.ok()) return Fail(log_options.status());
  if (Status s = InitLogging(*log_options); !s.ok()) return Fail(s);
  for (const auto& warning : config.warnings()) GetLogger("engine")->warn("{}", warning);

  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  auto app = engine::EngineApp::Create(config);
  if (!app.ok()) return Fail(app.status());
  if (Status s = (*app)->Start(); !s.ok()) return Fail(s);
  int signal = 0;
  sigwait(&stop, &signal);
  GetLogger("engine")->info("cairn-engine stopping (signal {}): waiting for the running jobs", signal);
  (*app)->Stop();
  return 0;
}
