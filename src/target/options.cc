#include "target/options.h"

namespace cairn::target {

Status RegisterTargetOptions(OptionRegistry& registry) {
  CAIRN_RETURN_IF_ERROR(registry.Register(Option{
      .section = std::string(kTargetSection),
      .name = "path",
      .type = OptionType::kString,
      .default_value = std::string(kDefaultTargetPath),
      .help = "The backup target's root directory on this node (a local directory or an NFS mount). "
              "It must exist and be writable by Cairn; `cairn-manage preflight` checks both. The engines "
              "and datamovers write it; cairn-api reads it for the disaster-recovery import."}));
  return registry.Register(Option{
      .section = std::string(kTargetSection),
      .name = "free_space_warning",
      .type = OptionType::kByteSize,
      .default_value = "10G",
      .help = "`cairn-manage preflight` warns when the target has less free space than this.",
      .min = 0});
}

Result<TargetOptions> TargetOptionsFromConfig(const Config& config) {
  TargetOptions options;
  CAIRN_ASSIGN_OR_RETURN(options.path, config.GetString(kTargetSection, "path"));
  CAIRN_ASSIGN_OR_RETURN(options.free_space_warning, config.GetByteSize(kTargetSection, "free_space_warning"));
  if (options.path.empty() || options.path.front() != '/') {
    return Status::InvalidArgument("option [target] path: \"" + options.path + "\" is not an absolute path");
  }
  return options;
}

}  // namespace cairn::target
