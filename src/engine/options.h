// The [engine] options: who this engine is, how it takes jobs, how it
// reaches the datamovers, and the limits of its workflows.
#pragma once

#include <chrono>
#include <string>

#include "common/config.h"
#include "common/config_schema.h"
#include "common/status.h"
#include "engine/backup_window.h"

namespace cairn::engine {

struct EngineOptions {
  std::string host;                          // this engine's name; default: the host name
  int workers = 2;                           // jobs run at once by this process
  std::chrono::seconds job_lease{60};        // a job not heartbeated for this long is taken over
  std::chrono::milliseconds job_poll{1000};  // how often an idle engine looks for jobs
  int max_parallel_vms = 4;                  // VMs of one Parallel workload snapshotted at once
  std::string datamover_transport = "in_process";  // in_process | database
  std::chrono::seconds datamover_timeout{120};     // a datamover silent for this long has failed
  std::chrono::seconds datamover_stall_timeout{900};  // a task without progress for this long has failed
  std::chrono::seconds server_timeout{600};        // waits for Nova, Cinder and Glance
  std::string staging_dir = "/var/lib/cairn/staging";  // images restored for Glance uploads
  std::string connector_ip = "127.0.0.1";  // the connector's address when a restore attaches a volume to a datamover host
  std::string restore_name_prefix = "cairn-restore-";  // of the ports, volumes and images a restore creates
  int max_snapshots_per_host = 0;  // snapshots moving data at once per compute host; 0: no cap
  int max_snapshots_total = 0;     // ... in the whole cloud; 0: no cap
  // [scheduler]
  bool run_scheduler = true;                        // this engine takes scheduled snapshots
  std::chrono::seconds scheduler_interval{30};      // between two passes of the scheduler
  BackupWindow backup_window;                       // when scheduled snapshots may start
};

// Registers the [engine] and [scheduler] options.
Status RegisterEngineOptions(OptionRegistry& registry);
// EngineOptions from a Config holding the options of RegisterEngineOptions.
Result<EngineOptions> EngineOptionsFromConfig(const Config& config);
// The host name of this machine ("localhost" when it cannot be read).
std::string LocalHostName();

}  // namespace cairn::engine
