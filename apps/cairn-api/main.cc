// cairn-api: the workloadmgr REST API of Cairn (docs/api.md). Reads its
// configuration files, opens the database, and serves until SIGTERM/SIGINT.
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "api/v1/api_app.h"
#include "common/log.h"
#include "common/service_main.h"

namespace {

using namespace cairn;

int Fail(const Status& s) {
  std::fprintf(stderr, "cairn-api: %s\n", s.message().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"cairn-api: the workloadmgr REST API of Cairn"};
  std::vector<std::string> files = {"/etc/cairn/cairn.conf"};
  std::string config_dir;
  cli.add_option("--config-file", files, "Configuration file(s), applied in order")->capture_default_str();
  cli.add_option("--config-dir", config_dir, "A directory whose *.conf files are applied after the files");
  CLI11_PARSE(cli, argc, argv);

  // Before any thread exists, so that only the main thread takes them.
  BlockStopSignals();
  OptionRegistry registry;
  if (Status s = api::RegisterApiAppOptions(registry); !s.ok()) return Fail(s);
  auto config = LoadServiceConfig(std::move(registry), files, config_dir, "api");
  if (!config.ok()) return Fail(config.status());

  auto app = api::ApiApp::Create(*config);
  if (!app.ok()) return Fail(app.status());
  if (Status s = (*app)->Start(); !s.ok()) return Fail(s);
  GetLogger("api")->info("cairn-api listening on port {}", (*app)->port());
  const int signal = WaitForStopSignal();
  GetLogger("api")->info("cairn-api stopping (signal {})", signal);
  (*app)->Stop();
  return 0;
}
