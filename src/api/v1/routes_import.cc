// Routes of disaster recovery: the workloads the backup target holds that the
// database lacks, importing them (control/workload_import.h, run here on the
// API node: it only reads small files and writes rows), and the workloads
// whose project or user no longer exists in Keystone (to reassign).
#include <map>

#include "api/fault.h"
#include "api/request_schema.h"
#include "api/v1/service.h"
#include "api/v1/workload_access.h"
#include "common/json_input.h"
#include "common/strings.h"
#include "db/workload_repository.h"
#include "control/workload_import.h"
#include "target/layout.h"

namespace cairn::api {
namespace {

using nlohmann::json;

Result<std::unique_ptr<target::Store>> OpenTarget(ApiService& service) {
  if (!service.open_target) return Status::Unavailable("This API server has no backup target configured.");
  Result<std::unique_ptr<target::Store>> store = service.open_target();
  if (!store.ok()) {
    return Status::Unavailable("The backup target is not available on this API server ([target] path): " +
                               store.status().message());
  }
  return store;
}

// GET /workloads/get_list/import_workloads: {"workloads": [detail views]} of
// the workloads on the target without a live database row, each with
// "project_exists" (whether Keystone knows the project its workload_db names:
// import takes such a workload only into an existing project).
Result<Response> ListImportable(ApiService& service, const Request& request) {
  CAIRN_RETURN_IF_ERROR(
      Authorize(service, request, "workload:get_import_workloads_list", request.PathParam("project_id")));
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<target::Store> store, OpenTarget(service));
  CAIRN_ASSIGN_OR_RETURN(std::vector<control::TargetWorkload> found, control::ListTargetWorkloads(service.db, *store));
  const LinkBase base = LinkBaseOf(request);
  const TimePoint now = service.clock.Now();
  std::map<std::string, bool> project_exists;
  json list = json::array();
  for (auto& t : found) {
    if (t.in_database) continue;
    auto known = project_exists.find(t.workload.project_id);
    if (known == project_exists.end()) {
      const std::string& project = t.workload.project_id;
      Status s = project.empty() ? Status::NotFound("no project") : service.identity.ProjectExists(project);
      if (!s.ok() && !s.IsNotFound()) return s;
      known = project_exists.emplace(t.workload.project_id, s.ok()).first;
    }
    t.workload.status = std::string(db::workload_status::kAvailable);
    json view = WorkloadView(t.workload, ScheduleView(t.workload, now), base, true);
    view["snapshots_on_target"] = t.snapshots;
    view["project_exists"] = known->second;
    list.push_back(std::move(view));
  }
  return Response::Json(200, {{"workloads", std::move(list)}});
}

json ResultView(const control::WorkloadImportResult& r) {
  json view = {{"id", r.workload_id},
               {"name", r.name},
               {"project_id", r.project_id},
               {"user_id", r.user_id},
               {"snapshots_imported", r.snapshots_imported},
               {"snapshots_skipped", r.skipped}};
  if (!r.project_id_on_target.empty()) view["project_id_on_target"] = r.project_id_on_target;
  if (!r.schedule_note.empty()) view["schedule"] = r.schedule_note;
  if (!r.error.empty()) view["error"] = r.error;
  return view;
}

// The body of POST /workloads/import_workloads (see Import).
const RequestSchema kImportRequest = {
    ListOf("workload_ids", String("workload_id", 128)),
    Bool("upgrade"),
    ListOf("project_ids", String("project_id").NotBlank()),
    MapOf("project_mapping", String("project_id").NotBlank()),
};

// The import a validated body asks for.
Result<control::ImportRequest> ReadImportRequest(const json& in) {
  control::ImportRequest import;
  for (const json& id : in.value("workload_ids", json::array())) {
    // Any id the target's layout allows (the list shows them as they are).
    CAIRN_RETURN_IF_ERROR(target::layout::ValidateId("workload_ids[]", id.get<std::string>()));
    import.workload_ids.push_back(id.get<std::string>());
  }
  import.upgrade = in.value("upgrade", false);
  for (const json& id : in.value("project_ids", json::array())) import.project_ids.insert(id.get<std::string>());
  const json mapping = in.value("project_mapping", json::object());
  for (const auto& [from, to] : mapping.items()) import.project_mapping[from] = to.get<std::string>();
  return import;
}

// POST /workloads/import_workloads {"workload_ids": [], "upgrade": false,
// "project_ids": [], "project_mapping": {"<on target>": "<into>"}} (no body:
// every workload the database lacks, into the projects the target names
// that exist in Keystone) answers {"workloads": {"imported_workloads":
// [ids], "failed_workloads": [ids], "details": [...]}}.
Result<Response> Import(ApiService& service, const Request& request) {
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:import_workloads", request.PathParam("project_id")));
  CAIRN_ASSIGN_OR_RETURN(std::optional<json> body, OptionalJsonObjectBody(request));
  control::ImportRequest import;
  if (body) {
    CAIRN_ASSIGN_OR_RETURN(json in, ValidateRequest(*body, kImportRequest));
    CAIRN_ASSIGN_OR_RETURN(import, ReadImportRequest(in));
  }
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<target::Store> store, OpenTarget(service));
  const control::ProjectExists project_exists = [&service](std::string_view id) {
    return service.identity.ProjectExists(id);
  };
  CAIRN_ASSIGN_OR_RETURN(control::ImportReport report,
                         control::ImportWorkloads(service.db, *store, import, project_exists));
  json imported = json::array(), failed = json::array(), details = json::array();
  for (const auto& r : report.imported) {
    imported.push_back(r.workload_id);
    details.push_back(ResultView(r));
    Audit(service, request, "workload_import", "workload", r.workload_id,
          "into project " + r.project_id +
              (r.project_id_on_target.empty() ? "" : " (mapped from " + r.project_id_on_target + ")") + ", " +
              std::to_string(r.snapshots_imported) + " snapshots, " + std::to_string(r.skipped.size()) + " skipped");
  }
  for (const auto& r : report.failed) {
    failed.push_back(r.workload_id);
    details.push_back(ResultView(r));
  }
  return Response::Json(200, {{"workloads",
                               {{"imported_workloads", std::move(imported)},
                                {"failed_workloads", std::move(failed)},
                                {"details", std::move(details)}}}});
}

// GET /workloads/orphan_workloads: {"workloads": [views]} of the live
// workloads whose project or user Keystone no longer knows.
Result<Response> ListOrphans(ApiService& service, const Request& request) {
  CAIRN_RETURN_IF_ERROR(
      Authorize(service, request, "workload:get_orphan_workloads_list", request.PathParam("project_id")));
  CAIRN_ASSIGN_OR_RETURN(std::vector<db::Workload> rows, db::WorkloadRepository(service.db).List({}, db::Page{}));
  std::map<std::string, bool> project_exists, user_exists;
  auto exists = [](std::map<std::string, bool>& cache, const std::string& id,
                   const std::function<Status(std::string_view)>& check) -> Result<bool> {
    if (id.empty()) return false;
    if (auto it = cache.find(id); it != cache.end()) return it->second;
    Status s = check(id);
    if (!s.ok() && !s.IsNotFound()) return s;
    return cache[id] = s.ok();
  };
  const LinkBase base = LinkBaseOf(request);
  const TimePoint now = service.clock.Now();
  json list = json::array();
  for (const auto& w : rows) {
    CAIRN_ASSIGN_OR_RETURN(bool project_ok, exists(project_exists, w.project_id, [&](std::string_view id) {
                             return service.identity.ProjectExists(id);
                           }));
    CAIRN_ASSIGN_OR_RETURN(bool user_ok, exists(user_exists, w.user_id, [&](std::string_view id) {
                             return service.identity.UserExists(id);
                           }));
    if (project_ok && user_ok) continue;
    json view = WorkloadView(w, ScheduleView(w, now), base, true);
    view["orphaned"] = project_ok ? "user" : (user_ok ? "project" : "project and user");
    list.push_back(std::move(view));
  }
  return Response::Json(200, {{"workloads", std::move(list)}});
}

}  // namespace

Status AddImportRoutes(Router& router, ApiService& service) {
  RouteAdder add(router, service);
  CAIRN_RETURN_IF_ERROR(add("GET", "/workloads/get_list/import_workloads", ListImportable));
  CAIRN_RETURN_IF_ERROR(add("POST", "/workloads/import_workloads", Import));
  CAIRN_RETURN_IF_ERROR(add("GET", "/workloads/orphan_workloads", ListOrphans));
  return Status::OK();
}

}  // namespace cairn::api
