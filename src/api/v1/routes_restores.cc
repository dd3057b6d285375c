// Routes of restores: create (under a snapshot), list, show, cancel, delete.
#include "api/fault.h"
#include "api/v1/restore_options.h"
#include "api/v1/service.h"
#include "common/json_input.h"
#include "common/strings.h"
#include "control/restore_manager.h"
#include "db/restore_repository.h"
#include "db/snapshot_repository.h"

namespace cairn::api {
namespace {

using nlohmann::json;

Status RestoreNotFound(std::string_view id) {
  return Status::NotFound("Restore " + std::string(id) + " could not be found.");
}

Result<db::Snapshot> LoadSnapshotOfRoute(ApiService& service, const Request& request) {
  const std::string& id = request.PathParam("snapshot_id");
  const Status missing = Status::NotFound("Snapshot " + id + " could not be found.");
  if (!LooksLikeId(id)) return missing;
  auto s = db::SnapshotRepository(service.db).Get(AsciiLower(id));
  if (!s.ok()) return s.status().code() == ErrorCode::kNotFound ? missing : s.status();
  CAIRN_RETURN_IF_ERROR(CheckVisible(request, s->project_id, "Snapshot " + id));
  const std::string& wid = request.PathParam("workload_id");
  if (!wid.empty() && AsciiLower(wid) != s->workload_id) return missing;
  return s;
}

Result<db::Restore> LoadRestore(ApiService& service, const Request& request) {
  const std::string& id = request.PathParam("restore_id");
  if (!LooksLikeId(id)) return RestoreNotFound(id);
  auto r = db::RestoreRepository(service.db).Get(AsciiLower(id));
  if (!r.ok()) return r.status().code() == ErrorCode::kNotFound ? RestoreNotFound(id) : r.status();
  CAIRN_RETURN_IF_ERROR(CheckVisible(request, r->project_id, "Restore " + id));
  const std::string& sid = request.PathParam("snapshot_id");
  if (!sid.empty() && AsciiLower(sid) != r->snapshot_id) return RestoreNotFound(id);
  const std::string& wid = request.PathParam("workload_id");
  if (!wid.empty() && AsciiLower(wid) != r->workload_id) return RestoreNotFound(id);
  return r;
}

Result<Response> CreateRestore(ApiService& service, const Request& request) {
  CAIRN_ASSIGN_OR_RETURN(db::Snapshot s, LoadSnapshotOfRoute(service, request));
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "snapshot:snapshot_restore", s.project_id, s.user_id));
  CAIRN_ASSIGN_OR_RETURN(json body, JsonObjectBody(request));
  db::SnapshotRepository snapshots(service.db);
  SnapshotContents contents;
  CAIRN_ASSIGN_OR_RETURN(auto vms, snapshots.ListVms(s.id));
  for (const auto& vm : vms) contents.vm_ids.insert(vm.vm_id);
  CAIRN_ASSIGN_OR_RETURN(auto disks, snapshots.ListDisks(s.id));
  for (const auto& d : disks) {
    contents.disk_ids.insert(d.id);
    if (d.volume_id) contents.volume_ids.insert(*d.volume_id);
  }
  CAIRN_ASSIGN_OR_RETURN(RestoreRequest parsed, ParseRestoreRequest(body, contents));
  db::Restore r;
  r.user_id = request.auth->user_id();
  r.name = parsed.name;
  r.description = parsed.description;
  r.restore_type = parsed.restore_type;
  r.options = parsed.options;
  CAIRN_ASSIGN_OR_RETURN(db::Restore created, control::RestoreManager(service.db, service.clock)
                                                  .Create(s, std::move(r), JobOriginOf(request)));
  Audit(service, request, "snapshot_restore", "restore", created.id, s.id + " " + parsed.restore_type);
  return Response::Json(202, {{"restore", RestoreView(created, LinkBaseOf(request), true)}});
}

Result<Response> ListRestores(ApiService& service, const Request& request, bool detail) {
  const std::string project = request.PathParam("project_id");
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "restore:restore_get_all", project));
  db::RestoreFilter filter;
  filter.project_id = project;
  std::string snapshot_id = request.PathParam("snapshot_id");
  if (snapshot_id.empty()) snapshot_id = request.Query("snapshot_id").value_or("");
  if (!snapshot_id.empty()) {
    if (!LooksLikeId(snapshot_id)) return Status::NotFound("Snapshot " + snapshot_id + " could not be found.");
    Request scoped = request;
    scoped.path_params["snapshot_id"] = snapshot_id;
    CAIRN_ASSIGN_OR_RETURN(db::Snapshot s, LoadSnapshotOfRoute(service, scoped));
    filter.snapshot_id = s.id;
    filter.project_id = s.project_id;
  }
  CAIRN_ASSIGN_OR_RETURN(bool all, QueryFlag(request, "all"));
  if (all && snapshot_id.empty() &&
      service.policy.Check("workload:workload_get_all_tenants", CallerCredentials(request), {{"project_id", project}})) {
    filter.project_id.reset();
  }
  CAIRN_ASSIGN_OR_RETURN(db::Page page, PageOf(request, service.limits));
  CAIRN_ASSIGN_OR_RETURN(auto rows, db::RestoreRepository(service.db).List(filter, WithLookAhead(page)));
  const std::optional<std::string> next = CutToPage(rows, page);
  json list = json::array();
  const LinkBase base = LinkBaseOf(request);
  for (const auto& r : rows) list.push_back(RestoreView(r, base, detail));
  json body = {{"restores", std::move(list)}};
  AddNextPageLink(body, "restores", request, page, next);
  return Response::Json(200, std::move(body));
}

Result<Response> ShowRestore(ApiService& service, const Request& request) {
  CAIRN_ASSIGN_OR_RETURN(db::Restore r, LoadRestore(service, request));
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "restore:restore_get", r.project_id, r.user_id));
  return Response::Json(200, {{"restore", RestoreView(r, LinkBaseOf(request), true)}});
}

Result<Response> DeleteRestore(ApiService& service, const Request& request) {
  CAIRN_ASSIGN_OR_RETURN(db::Restore r, LoadRestore(service, request));
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "restore:restore_delete", r.project_id, r.user_id));
  // Deleting a restore forgets its record; the servers it built stay.
  CAIRN_RETURN_IF_ERROR(control::RestoreManager(service.db, service.clock).Delete(r));
  Audit(service, request, "restore_delete", "restore", r.id);
  return Response::NoBody(202);
}

Result<Response> CancelRestore(ApiService& service, const Request& request) {
  CAIRN_ASSIGN_OR_RETURN(db::Restore r, LoadRestore(service, request));
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "restore:restore_cancel", r.project_id, r.user_id));
  CAIRN_RETURN_IF_ERROR(control::RestoreManager(service.db, service.clock).Cancel(r, JobOriginOf(request)));
  Audit(service, request, "restore_cancel", "restore", r.id);
  return Response::NoBody(202);
}

}  // namespace

Status AddRestoreRoutes(Router& router, ApiService& service) {
  RouteAdder add(router, service);
  auto list = [](ApiService& sv, const Request& r) { return ListRestores(sv, r, false); };
  auto detail = [](ApiService& sv, const Request& r) { return ListRestores(sv, r, true); };
  const std::string under = "/workloads/{workload_id}/snapshots/{snapshot_id}/restores";
  CAIRN_RETURN_IF_ERROR(add("POST", under, CreateRestore));
  CAIRN_RETURN_IF_ERROR(add("GET", under, list));
  CAIRN_RETURN_IF_ERROR(add("GET", under + "/detail", detail));
  CAIRN_RETURN_IF_ERROR(add("GET", under + "/{restore_id}", ShowRestore));
  CAIRN_RETURN_IF_ERROR(add("DELETE", under + "/{restore_id}", DeleteRestore));
  CAIRN_RETURN_IF_ERROR(add("GET", "/restores", list));
  CAIRN_RETURN_IF_ERROR(add("GET", "/restores/detail", detail));
  CAIRN_RETURN_IF_ERROR(add("GET", "/restores/{restore_id}", ShowRestore));
  CAIRN_RETURN_IF_ERROR(add("DELETE", "/restores/{restore_id}", DeleteRestore));
  CAIRN_RETURN_IF_ERROR(add("GET", "/restores/{restore_id}/cancel", CancelRestore));
  CAIRN_RETURN_IF_ERROR(add("POST", "/restores/{restore_id}/cancel", CancelRestore));
  return Status::OK();
}

}  // namespace cairn::api
