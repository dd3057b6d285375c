// cairn-engine: runs the jobs cairn-api queues (snapshots, restores,
// deletes) until SIGTERM/SIGINT (docs/engine.md). Several engines may share
// a database; each job runs on one of them.
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/log.h"
#include "common/service_main.h"
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

  // Before any thread exists, so that only the main thread takes them.
  BlockStopSignals();
  OptionRegistry registry;
  if (Status s = engine::RegisterEngineAppOptions(registry); !s.ok()) return Fail(s);
  auto config = LoadServiceConfig(std::move(registry), files, config_dir, "engine");
  if (!config.ok()) return Fail(config.status());

  auto app = engine::EngineApp::Create(*config);
  if (!app.ok()) return Fail(app.status());
  if (Status s = (*app)->Start(); !s.ok()) return Fail(s);
  const int signal = WaitForStopSignal();
  GetLogger("engine")->info("cairn-engine stopping (signal {}): waiting for the running jobs", signal);
  (*app)->Stop();
  return 0;
}
