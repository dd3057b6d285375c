#include "datamover_service/options.h"

#include <unistd.h>

namespace cairn::datamover_service {
namespace {

constexpr std::string_view kSection = "datamover";

std::string HostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

}  // namespace

Status RegisterDatamoverOptions(OptionRegistry& registry) {
  const std::string section(kSection);
  CAIRN_RETURN_IF_ERROR(registry.Register(Option{
      .section = section,
      .name = "host",
      .type = OptionType::kString,
      .default_value = "",
      .help = "The compute host this datamover serves, as Nova names it (a server's OS-EXT-SRV-ATTR:host): "
              "the engine sends the disk tasks of that host's VMs here. Empty: the host name.",
      .sample_default = "<hostname>"}));
  CAIRN_RETURN_IF_ERROR(registry.Register(Option{
      .section = section,
      .name = "libvirt_uri",
      .type = OptionType::kString,
      .default_value = "qemu:///system",
      .help = "The libvirt connection of the compute host's VMs."}));
  CAIRN_RETURN_IF_ERROR(registry.Register(Option{
      .section = section,
      .name = "task_workers",
      .type = OptionType::kInt,
      .default_value = "2",
      .help = "Disk tasks (one VM's backup, one disk's restore) this datamover runs at the same time.",
      .min = 1,
      .max = 64}));
  CAIRN_RETURN_IF_ERROR(registry.Register(Option{
      .section = section,
      .name = "threads",
      .type = OptionType::kInt,
      .default_value = "0",
      .help = "Copy threads per disk. 0: one per core.",
      .min = 0,
      .max = 256}));
  CAIRN_RETURN_IF_ERROR(registry.Register(Option{
      .section = section,
      .name = "compression",
      .type = OptionType::kEnum,
      .default_value = "none",
      .help = "Compression of the clusters of the qcow2 images written to the target: none, zstd or zlib "
              "(readable by qemu-img either way).",
      .choices = {"none", "zstd", "zlib"}}));
  CAIRN_RETURN_IF_ERROR(registry.Register(Option{
      .section = section,
      .name = "nfs_mount_point_base",
      .type = OptionType::kString,
      .default_value = "/var/lib/nova/mnt",
      .help = "Where this host mounts Cinder's NFS shares (Nova's [libvirt] nfs_mount_point_base): a volume "
              "of the NFS backend is the file <base>/<md5 of the export>/<name>."}));
  return registry.Register(Option{
      .section = section,
      .name = "heartbeat_interval",
      .type = OptionType::kInt,
      .default_value = "10",
      .help = "Seconds between the datamover's heartbeats in the services table (nodes are shown down after "
              "60 s without one).",
      .min = 1,
      .max = 3600});
}

Result<DatamoverOptions> DatamoverOptionsFromConfig(const Config& config) {
  DatamoverOptions o;
  CAIRN_ASSIGN_OR_RETURN(o.host, config.GetString(kSection, "host"));
  if (o.host.empty()) o.host = HostName();
  CAIRN_ASSIGN_OR_RETURN(o.libvirt_uri, config.GetString(kSection, "libvirt_uri"));
  CAIRN_ASSIGN_OR_RETURN(int64_t workers, config.GetInt(kSection, "task_workers"));
  o.task_workers = static_cast<int>(workers);
  CAIRN_ASSIGN_OR_RETURN(int64_t threads, config.GetInt(kSection, "threads"));
  o.threads = static_cast<int>(threads);
  CAIRN_ASSIGN_OR_RETURN(std::string compression, config.GetString(kSection, "compression"));
  if (compression == "zstd") o.compression = qcow2::CompressionType::kZstd;
  if (compression == "zlib") o.compression = qcow2::CompressionType::kZlib;
  CAIRN_ASSIGN_OR_RETURN(o.nfs_mount_point_base, config.GetString(kSection, "nfs_mount_point_base"));
  CAIRN_ASSIGN_OR_RETURN(int64_t heartbeat, config.GetInt(kSection, "heartbeat_interval"));
  o.heartbeat = std::chrono::seconds(heartbeat);
  return o;
}

}  // namespace cairn::datamover_service
