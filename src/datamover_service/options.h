// The [datamover] options of a datamover service (cairn-datamover serve, or
// the in-process datamover of an engine / the all-in-one).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "common/config.h"
#include "common/config_schema.h"
#include "common/status.h"
#include "qcow2/format.h"

namespace cairn::datamover_service {

struct DatamoverOptions {
  std::string host;  // the compute host it serves (Nova's host name); default: the host name
  std::string libvirt_uri = "qemu:///system";
  int task_workers = 2;  // disk tasks run at once
  int threads = 0;       // copy threads per disk; 0: one per core
  std::optional<qcow2::CompressionType> compression;  // of the images written
  std::string nfs_mount_point_base = "/var/lib/nova/mnt";  // where Cinder NFS shares are mounted on this host
  std::chrono::seconds heartbeat{10};
};

// Registers the [datamover] options.
Status RegisterDatamoverOptions(OptionRegistry& registry);
// DatamoverOptions from a Config holding the options of RegisterDatamoverOptions.
Result<DatamoverOptions> DatamoverOptionsFromConfig(const Config& config);

}  // namespace cairn::datamover_service
