// Routes of snapshots: list, show, delete, cancel (also under a workload).
#include "api/fault.h"
#include "api/v1/service.h"
#include "common/json_input.h"
#include "common/strings.h"
#include "control/snapshot_manager.h"
#include "db/snapshot_repository.h"
#include "db/workload_repository.h"

namespace cairn::api {
namespace {

using nlohmann::json;

Status SnapshotNotFound(std::string_view id) {
  return Status::NotFound("Snapshot " + std::string(id) + " could not be found.");
}

// A date filter: ISO 8601 ("2024-03-01T10:00:00", with or without zone) or a
// bare date ("2024-03-01", the start of that day in UTC).
Result<std::optional<TimePoint>> DateQuery(const Request& request, std::string_view name) {
  auto value = request.Query(name);
  if (!value || Trim(*value).empty()) return std::optional<TimePoint>();
  std::string text(Trim(*value));
  if (text.size() == 10) text += "T00:00:00";
  auto t = ParseIso8601(text);
  if (!t.ok()) {
    return Status::InvalidArgument("Invalid value for '" + std::string(name) + "': " + Quoted(*value) +
                                   " is not a date such as 2024-03-01T10:00:00");
  }
  return std::optional<TimePoint>(*t);
}

// Loads a snapshot the caller may see; when the route names a workload, the
// snapshot must belong to it.
Result<db::Snapshot> LoadSnapshot(ApiService& service, const Request& request) {
  const std::string& id = request.PathParam("snapshot_id");
  if (!LooksLikeId(id)) return SnapshotNotFound(id);
  auto s = db::SnapshotRepository(service.db).Get(AsciiLower(id));
  if (!s.ok()) return s.status().code() == ErrorCode::kNotFound ? SnapshotNotFound(id) : s.status();
  CAIRN_RETURN_IF_ERROR(CheckVisible(request, s->project_id, "Snapshot " + id));
  const std::string& wid = request.PathParam("workload_id");
  if (!wid.empty() && AsciiLower(wid) != s->workload_id) return SnapshotNotFound(id);
  return s;
}

Result<Response> ListSnapshots(ApiService& service, const Request& request, bool detail) {
  const std::string project = request.PathParam("project_id");
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "snapshot:snapshot_get_all", project));
  db::SnapshotFilter filter;
  filter.project_id = project;
  std::string workload_id = request.PathParam("workload_id");
  if (workload_id.empty()) workload_id = request.Query("workload_id").value_or("");
  if (!workload_id.empty()) {
    if (!LooksLikeId(workload_id)) return Status::NotFound("Workload " + workload_id + " could not be found.");
    auto w = db::WorkloadRepository(service.db).Get(AsciiLower(workload_id));
    if (!w.ok()) {
      if (w.status().code() == ErrorCode::kNotFound) return Status::NotFound("Workload " + workload_id + " could not be found.");
      return w.status();
    }
    CAIRN_RETURN_IF_ERROR(CheckVisible(request, w->project_id, "Workload " + workload_id));
    filter.workload_id = w->id;
    filter.project_id = w->project_id;
  }
  CAIRN_ASSIGN_OR_RETURN(bool all, QueryFlag(request, "all"));
  if (all && workload_id.empty() &&
      service.policy.Check("workload:workload_get_all_tenants", CallerCredentials(request),
                           {{"project_id", project}})) {
    filter.project_id.reset();
  }
  CAIRN_ASSIGN_OR_RETURN(filter.date_from, DateQuery(request, "date_from"));
  CAIRN_ASSIGN_OR_RETURN(filter.date_to, DateQuery(request, "date_to"));
  if (auto status = request.Query("status"); status && !status->empty()) filter.statuses = {*status};
  CAIRN_ASSIGN_OR_RETURN(db::Page page, PageOf(request, service.limits));
  db::SnapshotRepository snapshots(service.db);
  CAIRN_ASSIGN_OR_RETURN(auto rows, snapshots.List(filter, WithLookAhead(page)));
  const std::optional<std::string> next = CutToPage(rows, page);
  json list = json::array();
  const LinkBase base = LinkBaseOf(request);
  for (const auto& s : rows) list.push_back(SnapshotView(s, {}, {}, base, false));
  if (detail) {
    // The list's detail view is the summary plus metadata; instances only on show.
    for (size_t i = 0; i < rows.size(); ++i) list[i]["metadata"] = rows[i].metadata;
  }
  json body = {{"snapshots", std::move(list)}};
  AddNextPageLink(body, "snapshots", request, page, next);
  return Response::Json(200, std::move(body));
}

Result<Response> ShowSnapshot(ApiService& service, const Request& request) {
  CAIRN_ASSIGN_OR_RETURN(db::Snapshot s, LoadSnapshot(service, request));
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "snapshot:snapshot_get", s.project_id, s.user_id));
  db::SnapshotRepository snapshots(service.db);
  CAIRN_ASSIGN_OR_RETURN(auto vms, snapshots.ListVms(s.id));
  CAIRN_ASSIGN_OR_RETURN(auto disks, snapshots.ListDisks(s.id));
  return Response::Json(200, {{"snapshot", SnapshotView(s, vms, disks, LinkBaseOf(request), true)}});
}

Result<Response> DeleteSnapshot(ApiService& service, const Request& request) {
  CAIRN_ASSIGN_OR_RETURN(db::Snapshot s, LoadSnapshot(service, request));
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "snapshot:snapshot_delete", s.project_id, s.user_id));
  // The delete locks the workload like a snapshot or a restore (a running
  // one reads the chains the merge rewrites): 409 while the workload is
  // locked; the workload is available again once the snapshot is gone.
  CAIRN_RETURN_IF_ERROR(control::SnapshotManager(service.db, service.clock).Delete(s, JobOriginOf(request)));
  Audit(service, request, "snapshot_delete", "snapshot", s.id);
  return Response::NoBody(202);
}

// Cancels a snapshot (SnapshotManager::Cancel): at once while its job is
// still queued, else the engine running it stops and cleans.
Result<Response> CancelSnapshot(ApiService& service, const Request& request) {
  CAIRN_ASSIGN_OR_RETURN(db::Snapshot s, LoadSnapshot(service, request));
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "snapshot:snapshot_cancel", s.project_id, s.user_id));
  CAIRN_RETURN_IF_ERROR(control::SnapshotManager(service.db, service.clock).Cancel(s, JobOriginOf(request)));
  Audit(service, request, "snapshot_cancel", "snapshot", s.id);
  return Response::NoBody(202);
}

}  // namespace

Status AddSnapshotRoutes(Router& router, ApiService& service) {
  RouteAdder add(router, service);
  auto list = [](ApiService& sv, const Request& r) { return ListSnapshots(sv, r, false); };
  auto detail = [](ApiService& sv, const Request& r) { return ListSnapshots(sv, r, true); };
  CAIRN_RETURN_IF_ERROR(add("GET", "/snapshots", list));
  CAIRN_RETURN_IF_ERROR(add("GET", "/snapshots/detail", detail));
  CAIRN_RETURN_IF_ERROR(add("GET", "/snapshots/{snapshot_id}", ShowSnapshot));
  CAIRN_RETURN_IF_ERROR(add("DELETE", "/snapshots/{snapshot_id}", DeleteSnapshot));
  CAIRN_RETURN_IF_ERROR(add("GET", "/snapshots/{snapshot_id}/cancel", CancelSnapshot));
  CAIRN_RETURN_IF_ERROR(add("POST", "/snapshots/{snapshot_id}/cancel", CancelSnapshot));
  CAIRN_RETURN_IF_ERROR(add("GET", "/workloads/{workload_id}/snapshots", list));
  CAIRN_RETURN_IF_ERROR(add("GET", "/workloads/{workload_id}/snapshots/detail", detail));
  CAIRN_RETURN_IF_ERROR(add("GET", "/workloads/{workload_id}/snapshots/{snapshot_id}", ShowSnapshot));
  CAIRN_RETURN_IF_ERROR(add("DELETE", "/workloads/{workload_id}/snapshots/{snapshot_id}", DeleteSnapshot));
  return Status::OK();
}

}  // namespace cairn::api
