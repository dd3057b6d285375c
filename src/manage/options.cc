#include "manage/options.h"

#include "api/v1/api_app.h"
#include "datamover_service/options.h"
#include "engine/options.h"
#include "target/options.h"

namespace cairn::manage {

Status RegisterKeystoneRegistrationOptions(OptionRegistry& registry) {
  const std::string section(kRegistrationSection);
  CAIRN_RETURN_IF_ERROR(registry.Register(Option{
      .section = section,
      .name = "service_name",
      .type = OptionType::kString,
      .default_value = "workloadmgr",
      .help = "Name of the Keystone service (type `workloads`) that `cairn-manage register` creates or corrects."}));
  CAIRN_RETURN_IF_ERROR(registry.Register(Option{
      .section = section,
      .name = "region_name",
      .type = OptionType::kString,
      .default_value = "RegionOne",
      .help = "Region of the endpoints `cairn-manage register` creates (created in Keystone when missing)."}));
  for (const std::string_view interface : {"public", "internal", "admin"}) {
    CAIRN_RETURN_IF_ERROR(registry.Register(Option{
        .section = section,
        .name = std::string(interface) + "_endpoint",
        .type = OptionType::kString,
        .help = "URL of the " + std::string(interface) +
                " endpoint `cairn-manage register` publishes, e.g. http://HOST:8780/v1/$(tenant_id)s. "
                "Unset: that interface's endpoint is left as it is."}));
  }
  return Status::OK();
}

Status RegisterManageOptions(OptionRegistry& registry) {
  CAIRN_RETURN_IF_ERROR(api::RegisterApiAppOptions(registry));  // with [target]
  // What cairn-engine and cairn-datamover read too, so that the sample and
  // the reference cover every service.
  CAIRN_RETURN_IF_ERROR(engine::RegisterEngineOptions(registry));
  CAIRN_RETURN_IF_ERROR(datamover_service::RegisterDatamoverOptions(registry));
  return RegisterKeystoneRegistrationOptions(registry);
}

}  // namespace cairn::manage
