// The [target] configuration options: where the backup target is mounted on
// this node and the free space below which preflight warns.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/config.h"
#include "common/config_schema.h"
#include "common/status.h"

namespace cairn::target {

inline constexpr std::string_view kTargetSection = "target";
inline constexpr std::string_view kDefaultTargetPath = "/var/lib/cairn/target";

// The values of the [target] options.
struct TargetOptions {
  std::string path = std::string(kDefaultTargetPath);  // the POSIX target's root directory
  uint64_t free_space_warning = uint64_t{10} << 30;    // bytes; preflight warns below it
};

// Registers [target] path (string, default /var/lib/cairn/target) and
// free_space_warning (byte size, default 10G).
Status RegisterTargetOptions(OptionRegistry& registry);

// TargetOptions from a Config holding the options of RegisterTargetOptions.
// InvalidArgument when path is empty or not absolute.
Result<TargetOptions> TargetOptionsFromConfig(const Config& config);

}  // namespace cairn::target
