#include "engine/engine_app.h"

#include <unistd.h>

#include "common/log.h"
#include "datamover_service/datamover_service.h"
#include "datamover_service/options.h"
#include "db/options.h"
#include "db/schema.h"
#include "db/service_repository.h"
#include "engine/openstack_cloud.h"
#include "engine/scheduler.h"
#include "engine/workflows.h"
#include "openstack/options.h"
#include "rpc/db_transport.h"
#include "rpc/in_process_transport.h"
#include "target/options.h"

namespace cairn::engine {

struct EngineApp::Parts {
  std::unique_ptr<target::Store> store;
  std::unique_ptr<openstack::ServiceSession> session;
  std::unique_ptr<openstack::HttpClient> http;
  std::unique_ptr<CloudDriver> cloud;
  std::unique_ptr<rpc::Transport> transport;
  std::unique_ptr<datamover_service::DatamoverTaskHandler> local_datamover;  // in process only
  datamover_service::DatamoverOptions datamover_options;
  EngineOptions options;
};

Status RegisterEngineAppOptions(OptionRegistry& registry) {
  CAIRN_RETURN_IF_ERROR(RegisterLoggingOptions(registry));
  CAIRN_RETURN_IF_ERROR(db::RegisterDatabaseOptions(registry));
  CAIRN_RETURN_IF_ERROR(openstack::RegisterKeystoneAuthOptions(registry));
  CAIRN_RETURN_IF_ERROR(openstack::RegisterClientOptions(registry));
  CAIRN_RETURN_IF_ERROR(target::RegisterTargetOptions(registry));
  CAIRN_RETURN_IF_ERROR(RegisterEngineOptions(registry));
  return datamover_service::RegisterDatamoverOptions(registry);
}

EngineApp::~EngineApp() { Stop(); }

Result<std::unique_ptr<EngineApp>> EngineApp::Create(const Config& config) {
  std::unique_ptr<EngineApp> app(new EngineApp());
  app->parts_ = std::make_unique<Parts>();
  Parts& p = *app->parts_;
  CAIRN_ASSIGN_OR_RETURN(db::DatabaseOptions db_options, db::DatabaseOptionsFromConfig(config));
  CAIRN_ASSIGN_OR_RETURN(app->db_, db::OpenSynced(db_options));
  CAIRN_ASSIGN_OR_RETURN(target::TargetOptions target_options, target::TargetOptionsFromConfig(config));
  CAIRN_ASSIGN_OR_RETURN(p.store, target::OpenPosixStore(target_options.path));
  CAIRN_ASSIGN_OR_RETURN(openstack::ServiceCredentials credentials, openstack::ServiceCredentialsFromConfig(config));
  CAIRN_ASSIGN_OR_RETURN(openstack::ClientOptions clients, openstack::ClientOptionsFromConfig(config));
  CAIRN_ASSIGN_OR_RETURN(p.options, EngineOptionsFromConfig(config));
  CAIRN_ASSIGN_OR_RETURN(p.datamover_options, datamover_service::DatamoverOptionsFromConfig(config));
  p.session = std::make_unique<openstack::ServiceSession>(std::move(credentials));
  p.http = std::make_unique<openstack::HttpClient>(clients.http);
  p.cloud = std::make_unique<OpenStackCloud>(*p.session, *p.http,
                                             openstack::EndpointSelector(clients.interface, clients.region_name),
                                             *app->db_, SystemClock::Get());
  if (p.options.datamover_transport == "database") {
    p.transport = std::make_unique<rpc::DbTransport>(
        *app->db_, rpc::DbTransportOptions{.stale_after = p.options.datamover_timeout,
                                           .unclaimed_after = p.options.datamover_timeout,
                                           .stall_after = p.options.datamover_stall_timeout});
  } else {
    auto local = std::make_unique<rpc::InProcessTransport>(p.options.datamover_stall_timeout);
    p.local_datamover = std::make_unique<datamover_service::DatamoverTaskHandler>(*p.store, p.datamover_options);
    // Only this host's VMs ([datamover] host); left empty, the all-in-one
    // serves whatever host Nova names (it is the only one).
    CAIRN_ASSIGN_OR_RETURN(std::string configured_host, config.GetString("datamover", "host"));
    local->Register(configured_host.empty() ? "*" : p.datamover_options.host, *p.local_datamover);
    p.transport = std::move(local);
  }
  app->context_.reset(new EngineContext{.db = *app->db_,
                                        .store = *p.store,
                                        .transport = *p.transport,
                                        .cloud = *p.cloud,
                                        .options = p.options,
                                        .clock = SystemClock::Get()});
  // One runner per worker, each with its own id: a job taken over by a
  // sibling thread is then seen as lost like one taken by another engine.
  for (int i = 0; i < p.options.workers; ++i) {
    auto runner = std::make_unique<JobRunner>(
        *app->db_, JobRunnerOptions{.engine_id = p.options.host + ":" + std::to_string(::getpid()) + ":" +
                                                 std::to_string(i),
                                    .lease = p.options.job_lease,
                                    .heartbeat = std::max(std::chrono::milliseconds(500),
                                                          std::chrono::duration_cast<std::chrono::milliseconds>(
                                                              p.options.job_lease) / 6),
                                    .poll = p.options.job_poll});
    RegisterWorkflows(*runner, *app->context_);
    app->runners_.push_back(std::move(runner));
  }
  return app;
}

Status EngineApp::Start() {
  Parts& p = *parts_;
  if (p.local_datamover) {
    // The in-process datamover shows as a node of this host.
    CAIRN_RETURN_IF_ERROR(datamover_service::RegisterDatamover(*db_, *p.store, p.datamover_options));
    threads_.emplace_back([this] {
      db::ServiceRepository services(*db_);
      while (!stop_.load()) {
        for (int i = 0; i < 100 && !stop_.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        (void)services.Heartbeat(parts_->datamover_options.host, datamover_service::kDatamoverBinary);
      }
    });
  }
  for (int i = 0; i < p.options.workers; ++i) {
    threads_.emplace_back([this, i] { runners_[i]->RunUntil(stop_); });
  }
  if (p.options.run_scheduler) {
    threads_.emplace_back([this] {
      Scheduler scheduler(*db_, SchedulerOptions{.window = parts_->options.backup_window});
      auto log = GetLogger("scheduler");
      log->info("scheduler running: a pass every {} s, backup window {}", parts_->options.scheduler_interval.count(),
                BackupWindowText(parts_->options.backup_window));
      while (!stop_.load()) {
        Result<SchedulerPass> pass = scheduler.RunOnce(context_->clock.Now());
        if (!pass.ok()) log->warn("scheduler pass failed: {}", pass.status().ToString());
        const auto next = std::chrono::steady_clock::now() + parts_->options.scheduler_interval;
        while (!stop_.load() && std::chrono::steady_clock::now() < next) {
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
      }
    });
  }
  GetLogger("engine")->info("engine {} running {} worker(s); disk tasks {}", p.options.host, p.options.workers,
                            p.options.datamover_transport == "database" ? "through the database"
                                                                        : "in this process");
  return Status::OK();
}

void EngineApp::Stop() {
  stop_ = true;
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

Result<bool> EngineApp::RunOne() { return runners_.front()->RunOne(); }

}  // namespace cairn::engine
