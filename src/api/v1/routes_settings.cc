// Routes of settings, the global job scheduler switch and trusts.
#include "api/fault.h"
#include "api/request_schema.h"
#include "api/v1/service.h"
#include "api/v1/workload_access.h"
#include "common/json_input.h"
#include "common/log.h"
#include "common/strings.h"
#include "db/setting_repository.h"
#include "db/trust_repository.h"
#include "db/workload_repository.h"
#include "control/job_schedule.h"

namespace cairn::api {
namespace {

using nlohmann::json;

Result<db::Setting> ReadSetting(const json& item, const std::string& path, const Request& request) {
  if (!item.is_object()) {
    return Status::InvalidArgument("Invalid value for '" + path + "': expected an object, got " + DescribeJson(item));
  }
  db::Setting s;
  s.project_id = request.PathParam("project_id");
  s.user_id = request.auth->user_id();
  const json* name = FindMember(item, "name");
  if (name == nullptr) return Status::InvalidArgument("Invalid value for '" + path + ".name': missing");
  CAIRN_ASSIGN_OR_RETURN(s.name, ReadString(*name, path + ".name", 255));
  if (Trim(s.name).empty()) return Status::InvalidArgument("Invalid value for '" + path + ".name': empty");
  if (const json* v = FindMember(item, "value")) {
    if (v->is_boolean()) {
      s.value = v->get<bool>() ? "True" : "False";
    } else {
      CAIRN_ASSIGN_OR_RETURN(s.value, ReadScalarText(*v, path + ".value", 65535));
    }
  }
  for (auto [key, target] : {std::pair{"category", &s.category}, std::pair{"type", &s.type},
                             std::pair{"description", &s.description}}) {
    if (const json* v = FindMember(item, key)) {
      CAIRN_ASSIGN_OR_RETURN(*target, ReadString(*v, path + "." + key, 4096));
    }
  }
  if (const json* v = FindMember(item, "is_public")) {
    CAIRN_ASSIGN_OR_RETURN(s.is_public, ReadBool(*v, path + ".is_public"));
  }
  if (const json* v = FindMember(item, "is_hidden")) {
    CAIRN_ASSIGN_OR_RETURN(s.is_hidden, ReadBool(*v, path + ".is_hidden"));
  }
  if (const json* v = FindMember(item, "metadata")) {
    if (!v->is_object()) return Status::InvalidArgument("Invalid value for '" + path + ".metadata': expected an object");
    s.metadata = *v;
  }
  return s;
}

// POST and PUT /settings: {"settings": [{name, value, ...}]}, each upserted.
Result<Response> PutSettings(ApiService& service, const Request& request) {
  const std::string project = request.PathParam("project_id");
  const bool create = request.method == "POST";
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, create ? "setting:setting_create" : "setting:setting_update", project));
  CAIRN_ASSIGN_OR_RETURN(json body, JsonObjectBody(request));
  const json* list = FindMember(body, "settings");
  if (list == nullptr) return Status::InvalidArgument("The request body must contain the list 'settings'.");
  json items = list->is_object() ? json::array({*list}) : *list;
  if (!items.is_array()) return Status::InvalidArgument("Invalid value for 'settings': expected a list, got " + DescribeJson(*list));
  if (items.size() > 100) return Status::InvalidArgument("Invalid value for 'settings': more than 100 settings");
  std::vector<db::Setting> parsed;
  for (size_t i = 0; i < items.size(); ++i) {
    CAIRN_ASSIGN_OR_RETURN(db::Setting s, ReadSetting(items[i], "settings[" + std::to_string(i) + "]", request));
    parsed.push_back(std::move(s));
  }
  json out = json::array();
  CAIRN_RETURN_IF_ERROR(service.db.Transaction("put settings", [&](db::Executor& tx) -> Status {
    for (auto& s : parsed) {
      CAIRN_ASSIGN_OR_RETURN(db::Setting stored, db::SettingRepository(tx).Upsert(s));
      out.push_back(SettingView(stored));
    }
    return Status::OK();
  }));
  Audit(service, request, create ? "setting_create" : "setting_update", "setting", "", std::to_string(parsed.size()));
  return Response::Json(200, {{"settings", std::move(out)}});
}

Result<Response> ListSettings(ApiService& service, const Request& request) {
  const std::string project = request.PathParam("project_id");
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "setting:setting_get_all", project));
  CAIRN_ASSIGN_OR_RETURN(bool hidden, QueryFlag(request, "get_hidden"));
  CAIRN_ASSIGN_OR_RETURN(auto rows, db::SettingRepository(service.db).List(project, hidden));
  json out = json::array();
  for (const auto& s : rows) out.push_back(SettingView(s));
  return Response::Json(200, {{"settings", std::move(out)}});
}

// POST /workloads/settings (clients send no body): the settings as a map.
Result<Response> SettingsMap(ApiService& service, const Request& request) {
  const std::string project = request.PathParam("project_id");
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:get_settings", project));
  CAIRN_ASSIGN_OR_RETURN(auto rows, db::SettingRepository(service.db).List(project, false));
  json out = json::object();
  for (const auto& s : rows) out[s.name] = s.value;
  return Response::Json(200, {{"settings", std::move(out)}});
}

Result<Response> ShowSetting(ApiService& service, const Request& request) {
  const std::string project = request.PathParam("project_id");
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "setting:setting_get", project));
  const std::string& name = request.PathParam("name");
  auto s = db::SettingRepository(service.db).Get(project, name);
  if (!s.ok()) {
    if (s.status().code() == ErrorCode::kNotFound) return Status::NotFound("Setting " + Quoted(name) + " could not be found.");
    return s.status();
  }
  return Response::Json(200, {{"setting", SettingView(*s)}});
}

Result<Response> DeleteSetting(ApiService& service, const Request& request) {
  const std::string project = request.PathParam("project_id");
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "setting:setting_delete", project));
  const std::string& name = request.PathParam("name");
  Status deleted = db::SettingRepository(service.db).Delete(project, name);
  if (deleted.code() == ErrorCode::kNotFound) return Status::NotFound("Setting " + Quoted(name) + " could not be found.");
  CAIRN_RETURN_IF_ERROR(deleted);
  Audit(service, request, "setting_delete", "setting", name);
  return Response::NoBody(200);
}

Result<Response> GetScheduler(ApiService& service, const Request& request) {
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:workload_get_global_job_scheduler",
                                  request.PathParam("project_id")));
  CAIRN_ASSIGN_OR_RETURN(bool enabled, db::GlobalJobSchedulerEnabled(service.db));
  return Response::Json(200, {{"global_job_scheduler", enabled}});
}

Result<Response> SetScheduler(ApiService& service, const Request& request, bool enabled) {
  CAIRN_RETURN_IF_ERROR(Authorize(service, request,
                                  enabled ? "workload:workload_enable_global_job_scheduler"
                                          : "workload:workload_disable_global_job_scheduler",
                                  request.PathParam("project_id")));
  db::Setting s;
  s.project_id = std::string(db::kGlobalProject);
  s.name = std::string(db::kGlobalJobSchedulerSetting);
  s.value = enabled ? "true" : "false";
  s.category = "job_scheduler";
  s.type = "boolean";
  s.is_hidden = true;
  s.user_id = request.auth->user_id();
  CAIRN_RETURN_IF_ERROR(db::SettingRepository(service.db).Upsert(s).status());
  Audit(service, request, enabled ? "global_job_scheduler_enable" : "global_job_scheduler_disable", "setting",
        s.name);
  return Response::Json(200, {{"global_job_scheduler", enabled}});
}

// ---- trusts --------------------------------------------------------------------

// The members of {"trusts": {...}} of POST /trusts.
const RequestSchema kTrustCreate = {
    String("role_name", 255).NotBlank(),
    Bool("is_cloud_trust"),
};

Result<Response> CreateTrust(ApiService& service, const Request& request) {
  const std::string project = request.PathParam("project_id");
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "trust:trust_create", project));
  CAIRN_ASSIGN_OR_RETURN(json body, JsonObjectBody(request));
  CAIRN_ASSIGN_OR_RETURN(json in, RequireObjectMember(body, "trusts"));
  CAIRN_ASSIGN_OR_RETURN(in, ValidateRequest(in, kTrustCreate, "trusts"));
  const std::string role = in.value("role_name", "member");
  const bool cloud = in.value("is_cloud_trust", false);
  if (cloud && !request.auth->is_admin) {
    return Status::PermissionDenied("Only an admin can create a cloud trust.");
  }
  if (!request.auth->token.HasRole(role)) {
    return Status::InvalidArgument("Invalid value for 'trusts.role_name': you do not hold the role " + Quoted(role) +
                                   " on this project");
  }
  CAIRN_ASSIGN_OR_RETURN(std::string trust_id, service.identity.CreateTrust(*request.auth, role));
  db::Trust t;
  t.name = trust_id;
  t.value = trust_id;
  t.project_id = project;
  t.user_id = request.auth->user_id();
  t.metadata = {{"role_name", role}, {"is_cloud_trust", cloud}};
  auto stored = db::TrustRepository(service.db).Create(t);
  if (!stored.ok()) {
    (void)service.identity.DeleteTrust(trust_id);  // do not leave it behind in Keystone
    return stored.status();
  }
  Audit(service, request, "trust_create", "trust", trust_id, role);
  return Response::Json(200, {{"trust", json::array({TrustView(*stored)})}});
}

Result<Response> ListTrusts(ApiService& service, const Request& request) {
  const std::string project = request.PathParam("project_id");
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "trust:trust_get_all", project));
  CAIRN_ASSIGN_OR_RETURN(auto rows, db::TrustRepository(service.db).ListByProject(project));
  json out = json::array();
  for (const auto& t : rows) out.push_back(TrustView(t));
  return Response::Json(200, {{"trust", std::move(out)}});
}

Result<db::Trust> LoadTrust(ApiService& service, const Request& request) {
  const std::string& name = request.PathParam("trust_name");
  const Status missing = Status::NotFound("Trust " + Quoted(name) + " could not be found.");
  auto t = db::TrustRepository(service.db).GetByName(name);
  if (!t.ok()) return t.status().code() == ErrorCode::kNotFound ? missing : t.status();
  if (!CheckVisible(request, t->project_id, "Trust").ok()) return missing;
  return t;
}

Result<Response> ShowTrust(ApiService& service, const Request& request) {
  CAIRN_ASSIGN_OR_RETURN(db::Trust t, LoadTrust(service, request));
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "trust:trust_get", t.project_id, t.user_id));
  return Response::Json(200, {{"trust", TrustView(t)}});
}

Result<Response> DeleteTrust(ApiService& service, const Request& request) {
  CAIRN_ASSIGN_OR_RETURN(db::Trust t, LoadTrust(service, request));
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "trust:trust_delete", t.project_id, t.user_id));
  Status deleted = service.identity.DeleteTrust(t.name);
  if (!deleted.ok() && deleted.code() != ErrorCode::kNotFound) return deleted;
  CAIRN_RETURN_IF_ERROR(db::TrustRepository(service.db).Delete(t.name));
  Audit(service, request, "trust_delete", "trust", t.name);
  return Response::NoBody(200);
}

// GET /workloads/{wid}/scheduler_trust_validate: can scheduled snapshots of
// this workload run? They need a valid trust of the workload's owner.
Result<Response> ValidateSchedulerTrust(ApiService& service, const Request& request) {
  CAIRN_ASSIGN_OR_RETURN(db::Workload w, LoadWorkload(service, request, request.PathParam("workload_id")));
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:scheduler_trust_validate", w.project_id, w.user_id));
  CAIRN_ASSIGN_OR_RETURN(auto trusts, db::TrustRepository(service.db).ListByProject(w.project_id));
  json trust = nullptr;
  bool valid = false;
  for (const auto& t : trusts) {
    if (t.user_id != w.user_id) continue;
    trust = TrustView(t);
    valid = service.identity.TrustValid(t.name).ok();
    if (valid) break;
  }
  CAIRN_ASSIGN_OR_RETURN(bool global, db::GlobalJobSchedulerEnabled(service.db));
  const bool enabled = global && StoredSchedule(w, service.clock.Now()).enabled;
  return Response::Json(200, {{"trust", trust}, {"is_valid", valid}, {"scheduler_enabled", enabled}});
}

}  // namespace

Status AddSettingRoutes(Router& router, ApiService& service) {
  RouteAdder add(router, service);
  CAIRN_RETURN_IF_ERROR(add("POST", "/settings", PutSettings));
  CAIRN_RETURN_IF_ERROR(add("PUT", "/settings", PutSettings));
  CAIRN_RETURN_IF_ERROR(add("GET", "/settings", ListSettings));
  CAIRN_RETURN_IF_ERROR(add("GET", "/settings/{name}", ShowSetting));
  CAIRN_RETURN_IF_ERROR(add("DELETE", "/settings/{name}", DeleteSetting));
  CAIRN_RETURN_IF_ERROR(add("POST", "/workloads/settings", SettingsMap));
  CAIRN_RETURN_IF_ERROR(add("GET", "/global_job_scheduler", GetScheduler));
  CAIRN_RETURN_IF_ERROR(add("POST", "/global_job_scheduler/enable",
                            [](ApiService& sv, const Request& r) { return SetScheduler(sv, r, true); }));
  CAIRN_RETURN_IF_ERROR(add("POST", "/global_job_scheduler/disable",
                            [](ApiService& sv, const Request& r) { return SetScheduler(sv, r, false); }));
  CAIRN_RETURN_IF_ERROR(add("POST", "/trusts", CreateTrust));
  CAIRN_RETURN_IF_ERROR(add("GET", "/trusts", ListTrusts));
  CAIRN_RETURN_IF_ERROR(add("GET", "/trusts/{trust_name}", ShowTrust));
  CAIRN_RETURN_IF_ERROR(add("DELETE", "/trusts/{trust_name}", DeleteTrust));
  CAIRN_RETURN_IF_ERROR(add("GET", "/workloads/{workload_id}/scheduler_trust_validate", ValidateSchedulerTrust));
  return Status::OK();
}

}  // namespace cairn::api
