#include "api/v1/restore_options.h"

#include "common/json_input.h"
#include "common/strings.h"

namespace cairn::api {
namespace {

using nlohmann::json;

Status Bad(const std::string& field, const std::string& why) {
  return Status::InvalidArgument("Invalid value for '" + field + "': " + why);
}

}  // namespace

Result<RestoreRequest> ParseRestoreRequest(const json& body, const SnapshotContents& snapshot) {
  const json* restore = FindMember(body, "restore");
  // The minimal oneclick form comes without the wrapper: {"options": {...}}.
  if (restore == nullptr && FindMember(body, "options") != nullptr) restore = &body;
  if (restore == nullptr || !restore->is_object()) {
    return Status::InvalidArgument("The request body must contain the object 'restore'.");
  }
  RestoreRequest out;
  json options = json::object();
  if (const json* v = FindMember(*restore, "options")) {
    if (!v->is_object()) return Bad("options", "expected an object, got " + DescribeJson(*v));
    options = *v;
  }
  for (const json* src : std::initializer_list<const json*>{&options, restore}) {  // the restore's own name wins
    if (const json* v = FindMember(*src, "name")) {
      CAIRN_ASSIGN_OR_RETURN(std::string name, ReadString(*v, "name", 255));
      if (!Trim(name).empty()) out.name = name;
    }
    if (const json* v = FindMember(*src, "description")) {
      CAIRN_ASSIGN_OR_RETURN(out.description, ReadString(*v, "description", 4096));
    }
  }
  CAIRN_ASSIGN_OR_RETURN(control::ParsedRestoreOptions parsed, control::ParseRestoreOptions(options, snapshot));
  out.restore_type = std::string(control::RestoreTypeName(parsed.plan.type));
  out.options = std::move(parsed.options);
  out.plan = std::move(parsed.plan);
  return out;
}

}  // namespace cairn::api
