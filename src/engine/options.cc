#include "engine/options.h"

#include <arpa/inet.h>
#include <unistd.h>

namespace cairn::engine {
namespace {
constexpr std::string_view kSection = "engine";
constexpr std::string_view kSchedulerSection = "scheduler";
}  // namespace

std::string LocalHostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

namespace {

// The engine's own jobs: its name, workers and their leases.
Status RegisterJobOptions(OptionRegistry& registry, const std::string& section) {
  CAIRN_RETURN_IF_ERROR(registry.Register(Option{
      .section = section,
      .name = "host",
      .type = OptionType::kString,
      .default_value = "",
      .help = "The name of this engine in logs and in the jobs it claims. Empty: the host name.",
      .sample_default = "<hostname>"}));
  CAIRN_RETURN_IF_ERROR(registry.Register(Option{
      .section = section,
      .name = "workers",
      .type = OptionType::kInt,
      .default_value = "2",
      .help = "How many jobs (snapshots, restores, deletes) this engine runs at the same time.",
      .min = 1,
      .max = 256}));
  CAIRN_RETURN_IF_ERROR(registry.Register(Option{
      .section = section,
      .name = "job_lease",
      .type = OptionType::kInt,
      .default_value = "60",
      .help = "Seconds after which a job whose engine stopped heartbeating is taken over by another engine "
              "(which ends it with a clear error and cleans up what was half done).",
      .min = 5,
      .max = 86400}));
  CAIRN_RETURN_IF_ERROR(registry.Register(Option{
      .section = section,
      .name = "job_poll_interval",
      .type = OptionType::kInt,
      .default_value = "1000",
      .help = "Milliseconds an idle engine waits before it looks for new jobs again.",
      .min = 10,
      .max = 60000}));
  CAIRN_RETURN_IF_ERROR(registry.Register(Option{
      .section = section,
      .name = "max_parallel_vms",
      .type = OptionType::kInt,
      .default_value = "4",
      .help = "How many VMs of a Parallel workload are snapshotted at the same time (Serial workloads: one).",
      .min = 1,
      .max = 1024}));
  return Status::OK();
}

// How the engine reaches the datamovers and waits for OpenStack.
Status RegisterDatamoverOptions(OptionRegistry& registry, const std::string& section) {
  CAIRN_RETURN_IF_ERROR(registry.Register(Option{
      .section = section,
      .name = "datamover_transport",
      .type = OptionType::kEnum,
      .default_value = "in_process",
      .help = "How disk tasks reach the datamovers: in_process (the engine runs them itself: the all-in-one, "
              "or an engine on the compute node) or database (a cairn-datamover on each compute node takes "
              "the tasks of its host from the shared database).",
      .choices = {"in_process", "database"}}));
  CAIRN_RETURN_IF_ERROR(registry.Register(Option{
      .section = section,
      .name = "datamover_timeout",
      .type = OptionType::kInt,
      .default_value = "120",
      .help = "Seconds a datamover may stay silent (no progress, no heartbeat) before its task fails; also how "
              "long a task may wait for a datamover to take it.",
      .min = 5,
      .max = 86400}));
  CAIRN_RETURN_IF_ERROR(registry.Register(Option{
      .section = section,
      .name = "datamover_stall_timeout",
      .type = OptionType::kInt,
      .default_value = "900",
      .help = "Seconds a disk task may run without progress (no byte read or written) before it fails, naming "
              "the host and the disk, and its workload and snapshot slot are freed: a datamover stuck in a read of "
              "a hung NFS server or backup target still heartbeats. Allow for the slowest step without progress "
              "(freezing the guest's file systems, starting the backup). 0: never.",
      .min = 0,
      .max = 86400}));
  CAIRN_RETURN_IF_ERROR(registry.Register(Option{
      .section = section,
      .name = "server_timeout",
      .type = OptionType::kInt,
      .default_value = "600",
      .help = "Seconds the engine waits for Nova, Cinder and Glance to finish an operation (a server to "
              "become ACTIVE, a volume available, an image active).",
      .min = 10,
      .max = 86400}));
  return Status::OK();
}

// The caps on snapshots moving data at once.
Status RegisterSnapshotCapOptions(OptionRegistry& registry, const std::string& section) {
  CAIRN_RETURN_IF_ERROR(registry.Register(Option{
      .section = section,
      .name = "max_snapshots_per_host",
      .type = OptionType::kInt,
      .default_value = "0",
      .help = "How many snapshots may move data from one compute host at the same time (all engines "
              "together); a snapshot over the cap waits, saying so in its progress message. 0: no cap.",
      .min = 0,
      .max = 10000}));
  CAIRN_RETURN_IF_ERROR(registry.Register(Option{
      .section = section,
      .name = "max_snapshots_total",
      .type = OptionType::kInt,
      .default_value = "0",
      .help = "How many snapshots may move data in the whole cloud at the same time (all engines together); "
              "a snapshot over the cap waits. 0: no cap.",
      .min = 0,
      .max = 100000}));
  return Status::OK();
}

// [scheduler]: the scheduled snapshots.
Status RegisterSchedulerOptions(OptionRegistry& registry) {
  CAIRN_RETURN_IF_ERROR(registry.Register(Option{
      .section = std::string(kSchedulerSection),
      .name = "enabled",
      .type = OptionType::kBool,
      .default_value = "true",
      .help = "Whether this engine takes the scheduled snapshots of the workloads' job schedules (several "
              "engines may: each due run is taken by one). The global job scheduler switch of the API "
              "stops them all."}));
  CAIRN_RETURN_IF_ERROR(registry.Register(Option{
      .section = std::string(kSchedulerSection),
      .name = "interval",
      .type = OptionType::kInt,
      .default_value = "30",
      .help = "Seconds between two passes of the scheduler over the workloads: a scheduled snapshot starts "
              "at most this late.",
      .min = 1,
      .max = 3600}));
  CAIRN_RETURN_IF_ERROR(registry.Register(Option{
      .section = std::string(kSchedulerSection),
      .name = "backup_window",
      .type = OptionType::kString,
      .default_value = "",
      .help = "The hours in which scheduled snapshots may start, HH:MM-HH:MM on a 24-hour clock (may wrap "
              "past midnight: 22:00-06:00). A run due outside waits for the window; a scheduled snapshot "
              "that has not started moving data when the window closes ends in error (missed its window). "
              "Empty: any time. Snapshots users start themselves are not held by it."}));
  CAIRN_RETURN_IF_ERROR(registry.Register(Option{
      .section = std::string(kSchedulerSection),
      .name = "backup_window_timezone",
      .type = OptionType::kString,
      .default_value = "UTC",
      .help = "The time zone of backup_window (an IANA name such as Europe/Paris)."}));
  return Status::OK();
}

// What a restore creates and where it stages the boot disk.
Status RegisterRestoreOptions(OptionRegistry& registry, const std::string& section) {
  CAIRN_RETURN_IF_ERROR(registry.Register(Option{
      .section = section,
      .name = "connector_ip",
      .type = OptionType::kString,
      .default_value = "127.0.0.1",
      .help = "The IP address a restore gives Cinder as the connector's when it attaches a new volume to a "
              "datamover's host to write it (backends that export volumes to an address, such as iSCSI, need "
              "the datamover host's address; NFS volumes are reached by path whatever it is)."}));
  CAIRN_RETURN_IF_ERROR(registry.Register(Option{
      .section = section,
      .name = "restore_name_prefix",
      .type = OptionType::kString,
      .default_value = "cairn-restore-",
      .help = "The start of the names of the ports, volumes and temporary images a restore creates (followed "
              "by the first 8 characters of the restore's id and the VM's name), by which they can be found."}));
  return registry.Register(Option{
      .section = section,
      .name = "staging_dir",
      .type = OptionType::kString,
      .default_value = "/var/lib/cairn/staging",
      .help = "Where a restore builds the boot disk image it uploads to Glance (needs room for the largest "
              "boot disk; removed after the upload)."});
}

}  // namespace

Status RegisterEngineOptions(OptionRegistry& registry) {
  const std::string section(kSection);
  CAIRN_RETURN_IF_ERROR(RegisterJobOptions(registry, section));
  CAIRN_RETURN_IF_ERROR(RegisterDatamoverOptions(registry, section));
  CAIRN_RETURN_IF_ERROR(RegisterSnapshotCapOptions(registry, section));
  CAIRN_RETURN_IF_ERROR(RegisterSchedulerOptions(registry));
  return RegisterRestoreOptions(registry, section);
}

Result<EngineOptions> EngineOptionsFromConfig(const Config& config) {
  EngineOptions o;
  CAIRN_ASSIGN_OR_RETURN(o.host, config.GetString(kSection, "host"));
  if (o.host.empty()) o.host = LocalHostName();
  CAIRN_ASSIGN_OR_RETURN(int64_t workers, config.GetInt(kSection, "workers"));
  o.workers = static_cast<int>(workers);
  CAIRN_ASSIGN_OR_RETURN(int64_t lease, config.GetInt(kSection, "job_lease"));
  o.job_lease = std::chrono::seconds(lease);
  CAIRN_ASSIGN_OR_RETURN(int64_t poll, config.GetInt(kSection, "job_poll_interval"));
  o.job_poll = std::chrono::milliseconds(poll);
  CAIRN_ASSIGN_OR_RETURN(int64_t parallel, config.GetInt(kSection, "max_parallel_vms"));
  o.max_parallel_vms = static_cast<int>(parallel);
  CAIRN_ASSIGN_OR_RETURN(o.datamover_transport, config.GetString(kSection, "datamover_transport"));
  CAIRN_ASSIGN_OR_RETURN(int64_t dm_timeout, config.GetInt(kSection, "datamover_timeout"));
  o.datamover_timeout = std::chrono::seconds(dm_timeout);
  CAIRN_ASSIGN_OR_RETURN(int64_t stall_timeout, config.GetInt(kSection, "datamover_stall_timeout"));
  o.datamover_stall_timeout = std::chrono::seconds(stall_timeout);
  CAIRN_ASSIGN_OR_RETURN(int64_t server_timeout, config.GetInt(kSection, "server_timeout"));
  o.server_timeout = std::chrono::seconds(server_timeout);
  CAIRN_ASSIGN_OR_RETURN(o.staging_dir, config.GetString(kSection, "staging_dir"));
  if (o.staging_dir.empty() || o.staging_dir[0] != '/') {
    return Status::InvalidArgument("[engine] staging_dir must be an absolute path, not \"" + o.staging_dir + "\"");
  }
  CAIRN_ASSIGN_OR_RETURN(o.connector_ip, config.GetString(kSection, "connector_ip"));
  if (in6_addr a6; ::inet_pton(AF_INET, o.connector_ip.c_str(), &a6) != 1 &&
                   ::inet_pton(AF_INET6, o.connector_ip.c_str(), &a6) != 1) {
    return Status::InvalidArgument("[engine] connector_ip must be an IPv4 or IPv6 address, not \"" + o.connector_ip + "\"");
  }
  CAIRN_ASSIGN_OR_RETURN(o.restore_name_prefix, config.GetString(kSection, "restore_name_prefix"));
  if (o.restore_name_prefix.size() > 64) {
    return Status::InvalidArgument("[engine] restore_name_prefix must be at most 64 characters");
  }
  CAIRN_ASSIGN_OR_RETURN(int64_t per_host, config.GetInt(kSection, "max_snapshots_per_host"));
  o.max_snapshots_per_host = static_cast<int>(per_host);
  CAIRN_ASSIGN_OR_RETURN(int64_t total, config.GetInt(kSection, "max_snapshots_total"));
  o.max_snapshots_total = static_cast<int>(total);
  CAIRN_ASSIGN_OR_RETURN(o.run_scheduler, config.GetBool(kSchedulerSection, "enabled"));
  CAIRN_ASSIGN_OR_RETURN(int64_t interval, config.GetInt(kSchedulerSection, "interval"));
  o.scheduler_interval = std::chrono::seconds(interval);
  CAIRN_ASSIGN_OR_RETURN(std::string window, config.GetString(kSchedulerSection, "backup_window"));
  CAIRN_ASSIGN_OR_RETURN(std::string zone, config.GetString(kSchedulerSection, "backup_window_timezone"));
  CAIRN_ASSIGN_OR_RETURN(o.backup_window, ParseBackupWindow(window, zone));
  return o;
}

}  // namespace cairn::engine
