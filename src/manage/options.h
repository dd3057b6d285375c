// The configuration cairn-manage reads: everything cairn-api reads, the
// [target] options and [keystone_registration] (what `register` puts in
// Keystone).
#pragma once

#include <string>
#include <string_view>

#include "common/config.h"
#include "common/config_schema.h"
#include "common/status.h"

namespace cairn::manage {

inline constexpr std::string_view kRegistrationSection = "keystone_registration";

// Registers [keystone_registration] service_name (default workloadmgr),
// region_name (default RegionOne), public_endpoint, internal_endpoint and
// admin_endpoint (URL templates, unset by default).
Status RegisterKeystoneRegistrationOptions(OptionRegistry& registry);

// Registers every option cairn-manage reads: api::RegisterApiAppOptions,
// target::RegisterTargetOptions and RegisterKeystoneRegistrationOptions.
Status RegisterManageOptions(OptionRegistry& registry);

}  // namespace cairn::manage
