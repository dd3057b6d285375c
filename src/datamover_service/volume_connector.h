// VolumeConnector: turns a Cinder attachment's connection_info into
// something the datamover can write on its host. One implementation per
// transport (NFS now; RBD and iSCSI can be added behind the same interface).
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace cairn::datamover_service {

class VolumeConnector {
 public:
  virtual ~VolumeConnector() = default;
  // The local path (file or block device) of the volume described by
  // `connection_info` (Cinder's, flat or with "data"). NotSupported for a
  // transport this connector does not handle; NotFound when the path is
  // not there.
  virtual Result<std::string> LocalPath(const nlohmann::json& connection_info) const = 0;
};

// Cinder's NFS backend: the volume is the file <base>/<md5 hex of export>/<name>
// on the share this host mounted (as Nova's libvirt driver finds it).
std::unique_ptr<VolumeConnector> MakeNfsConnector(std::string mount_point_base);

}  // namespace cairn::datamover_service
