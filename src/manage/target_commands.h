// `cairn-manage target init|show`: the backup target's identity marker
// (target/identity.h). Init is the one documented way a new target gets its
// marker; it refuses a directory that is not a mount point unless the
// operator says the target is a local directory, so a marker is never
// written into the empty mount point of a share that is not mounted.
#pragma once

#include <ostream>
#include <string>

#include "common/status.h"

namespace cairn::manage {

struct TargetInitOptions {
  std::string path;    // [target] path
  bool local = false;  // the target is a directory on this host's own file systems
  std::string host;    // who initialises it (recorded in the marker)
};

// Writes the marker of the target at options.path and prints its id. When
// the target already has one it prints that one and succeeds (a second run
// changes nothing). InvalidArgument, writing nothing, when the directory is
// not a mount point and `local` is false. Workloads already on the target
// (written by a Cairn without markers) are kept and counted.
Status TargetInit(const TargetInitOptions& options, std::ostream& out);

// Prints the marker of the target at `path`; the error of
// target::ReadTargetIdentity when it has none.
Status TargetShow(const std::string& path, std::ostream& out);

}  // namespace cairn::manage
