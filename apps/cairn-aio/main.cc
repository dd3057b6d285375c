// cairn-aio: all of Cairn on one machine, in one process — cairn-api, and
// cairn-engine with its scheduler and in-process datamover — on the embedded
// defaults (SQLite, a local directory as the target; docs/admin-guide.md).
// It owns its database and target: on start it creates the target directory,
// brings the database schema up to date (what `cairn-manage db sync` does
// for the separate services) and initialises the target (what `cairn-manage
// target init` does), then serves until SIGTERM/SIGINT.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "api/v1/api_app.h"
#include "common/log.h"
#include "common/service_main.h"
#include "datamover_service/options.h"
#include "db/options.h"
#include "db/schema.h"
#include "engine/engine_app.h"
#include "engine/options.h"
#include "db/workload_repository.h"
#include "target/identity.h"
#include "target/options.h"
#include "target/store.h"

namespace {

using namespace cairn;

int Fail(const Status& s) {
  std::fprintf(stderr, "cairn-aio: %s\n", s.message().c_str());
  return 1;
}

// Every option of cairn-api and cairn-engine (which share logging, the
// database, Keystone, the clients and the target).
Status RegisterAioOptions(OptionRegistry& registry) {
  CAIRN_RETURN_IF_ERROR(api::RegisterApiAppOptions(registry));
  CAIRN_RETURN_IF_ERROR(engine::RegisterEngineOptions(registry));
  return datamover_service::RegisterDatamoverOptions(registry);
}

// Whether cairn-aio may write the identity marker of its target itself: it
// made the directory just now, or its database has no workloads (a fresh
// installation: nothing was backed up through it), or the target already
// holds workloads (an upgrade from a Cairn without markers: the backups are
// here). Otherwise an empty directory is the mount point of a share that
// is not mounted: jobs fail with a clear error until it is back.
Result<bool> MayInitialiseTarget(db::Database& database, target::Store& store, bool created) {
  if (created) return true;
  CAIRN_ASSIGN_OR_RETURN(std::vector<db::Workload> known,
                         db::WorkloadRepository(database).List({.include_deleted = true}, {.limit = 1}));
  if (known.empty()) return true;
  CAIRN_ASSIGN_OR_RETURN(std::vector<std::string> entries, store.List(""));
  return std::any_of(entries.begin(), entries.end(), [](const std::string& n) { return n.starts_with("workload_"); });
}

// Creates the target directory, migrates the database and initialises the
// target (its identity marker) when that is safe (MayInitialiseTarget).
Status Prepare(const Config& config) {
  CAIRN_ASSIGN_OR_RETURN(target::TargetOptions target, target::TargetOptionsFromConfig(config));
  std::error_code ec;
  const bool created = std::filesystem::create_directories(target.path, ec);
  if (ec) return Status::IOError("cannot create the target directory " + target.path + ": " + ec.message());
  CAIRN_ASSIGN_OR_RETURN(db::DatabaseOptions options, db::DatabaseOptionsFromConfig(config));
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<db::Database> database, db::Database::Open(options));
  CAIRN_RETURN_IF_ERROR(db::Sync(*database).status());
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<target::Store> store, target::OpenPosixStore(target.path));
  Result<target::TargetIdentity> identity = target::ReadTargetIdentity(*store);
  if (identity.ok() || identity.status().code() != ErrorCode::kUnavailable) return identity.status();
  CAIRN_ASSIGN_OR_RETURN(bool may, MayInitialiseTarget(*database, *store, created));
  if (!may) {
    GetLogger("aio")->error("{}; the database knows workloads, so cairn-aio does not initialise it: every job "
                            "fails until the target is back", identity.status().message());
    return Status::OK();
  }
  CAIRN_ASSIGN_OR_RETURN(target::TargetIdentity made, target::InitTargetIdentity(*store, "cairn-aio"));
  GetLogger("aio")->info("target {} initialised: id {}", store->Describe(), made.id);
  return Status::OK();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"cairn-aio: Cairn's API, engine, scheduler and datamover in one process"};
  std::vector<std::string> files = {"/etc/cairn/cairn.conf"};
  std::string config_dir;
  cli.add_option("--config-file", files, "Configuration file(s), applied in order")->capture_default_str();
  cli.add_option("--config-dir", config_dir, "A directory whose *.conf files are applied after the files");
  CLI11_PARSE(cli, argc, argv);

  // Before any thread exists, so that only the main thread takes them.
  BlockStopSignals();
  OptionRegistry registry;
  if (Status s = RegisterAioOptions(registry); !s.ok()) return Fail(s);
  auto config = LoadServiceConfig(std::move(registry), files, config_dir, "aio");
  if (!config.ok()) return Fail(config.status());
  if (Status s = Prepare(*config); !s.ok()) return Fail(s);

  auto api = api::ApiApp::Create(*config);
  if (!api.ok()) return Fail(api.status());
  auto engine = engine::EngineApp::Create(*config);
  if (!engine.ok()) return Fail(engine.status());
  if (Status s = (*engine)->Start(); !s.ok()) return Fail(s);
  if (Status s = (*api)->Start(); !s.ok()) return Fail(s);
  GetLogger("aio")->info("cairn-aio listening on port {}", (*api)->port());
  const int signal = WaitForStopSignal();
  GetLogger("aio")->info("cairn-aio stopping (signal {}): waiting for the running jobs", signal);
  (*api)->Stop();
  (*engine)->Stop();
  return 0;
}
