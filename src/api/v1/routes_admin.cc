// Routes of the version list and of the admin views: datamover nodes and
// their switch, storage and tenant usage, the audit log, and reassigning
// workloads to another project.
#include <map>

#include "api/fault.h"
#include "api/request_schema.h"
#include "api/v1/service.h"
#include "common/json_input.h"
#include "common/strings.h"
#include "db/audit_repository.h"
#include "db/service_repository.h"
#include "db/snapshot_repository.h"
#include "db/workload_repository.h"

namespace cairn::api {
namespace {

using nlohmann::json;

std::string Humanize(int64_t bytes) {
  static constexpr const char* kUnits[] = {"Bytes", "KB", "MB", "GB", "TB", "PB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), unit == 0 ? "%.0f %s" : "%.2f %s", value, kUnits[unit]);
  return buf;
}

Result<Response> Versions(ApiService&, const Request& request) {
  LinkBase base = LinkBaseOf(request);
  json v1 = {{"id", "v1.0"},
             {"status", "CURRENT"},
             {"updated", "2026-11-25T00:00:00Z"},
             {"links", json::array({{{"rel", "self"}, {"href", base.base_url + "/v1/"}}})},
             {"media-types", json::array({{{"base", "application/json"}, {"type", "application/vnd.openstack.workloads+json;version=1"}}})}};
  return Response::Json(200, {{"versions", json::array({v1})}});
}

Result<Response> Nodes(ApiService& service, const Request& request) {
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:get_nodes", request.PathParam("project_id")));
  CAIRN_ASSIGN_OR_RETURN(auto services, db::ServiceRepository(service.db).List("", service.clock.Now()));
  json nodes = json::array();
  for (const auto& s : services) {
    nodes.push_back({{"node", s.host},
                     {"binary", s.binary},
                     {"version", s.version},
                     {"status", s.up ? "Up" : "Down"},
                     {"is_enabled", s.enabled},
                     {"disabled_reason", s.disabled_reason.empty() ? json(nullptr) : json(s.disabled_reason)},
                     {"last_heartbeat", TimeView(s.last_heartbeat)},
                     {"capacity", s.capacity}});
  }
  return Response::Json(200, {{"nodes", std::move(nodes)}});
}

// The body of POST /workloads/service/update.
const RequestSchema kNodeUpdate = {
    String("node_name", 255).Required(),
    Integer("status", 0, 1).Required(),  // 0 disables, 1 enables
    String("reason", 1024),
};

// POST /workloads/service/update {"node_name", "status": 0|1, "reason"}:
// disables (0) or enables (1) the datamover of a node.
Result<Response> UpdateNode(ApiService& service, const Request& request) {
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:change_node_status", request.PathParam("project_id")));
  CAIRN_ASSIGN_OR_RETURN(json body, JsonObjectBody(request));
  CAIRN_ASSIGN_OR_RETURN(body, ValidateRequest(body, kNodeUpdate));
  const std::string host = body["node_name"].get<std::string>();
  const int64_t enabled = body["status"].get<int64_t>();
  const std::string reason = body.value("reason", "");
  Status set = db::ServiceRepository(service.db).SetEnabled(host, "", enabled == 1, reason);
  if (set.code() == ErrorCode::kNotFound) return Status::InvalidArgument("Node " + Quoted(host) + " is not registered.");
  CAIRN_RETURN_IF_ERROR(set);
  Audit(service, request, enabled ? "node_enable" : "node_disable", "node", host, reason);
  return Response::Json(200, {{"node_name", host}, {"status", enabled}});
}

// Storage usage: what the snapshots use on the target (from the database),
// and the target's capacity as the datamovers last reported it.
Result<Response> StorageUsage(ApiService& service, const Request& request) {
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:get_storage_usage", request.PathParam("project_id")));
  CAIRN_ASSIGN_OR_RETURN(auto usage, db::SnapshotRepository(service.db).Usage(std::nullopt));
  CAIRN_ASSIGN_OR_RETURN(auto services, db::ServiceRepository(service.db).List("", service.clock.Now()));
  // A node's report may lack a member or hold it in another type: it counts
  // as 0 (json::value() would throw on a wrong type and answer 500).
  auto bytes = [](const json& capacity, std::string_view key) -> int64_t {
    const json* v = FindMember(capacity, key);
    if (v == nullptr) return 0;
    Result<int64_t> n = ReadInt(*v, key, 0);
    return n.ok() ? *n : 0;
  };
  int64_t capacity = 0, free = 0;
  for (const auto& s : services) {
    capacity = std::max(capacity, bytes(s.capacity, "target_total_bytes"));
    free = std::max(free, bytes(s.capacity, "target_free_bytes"));
  }
  json entry = {{"storage_type", "nfs"},
                {"total_capacity", capacity},
                {"total_utilization", usage.size},
                {"available_capacity", free},
                {"total_capacity_humanized", Humanize(capacity)},
                {"total_utilization_humanized", Humanize(usage.size)},
                {"snapshots", usage.snapshots}};
  return Response::Json(200, {{"storage_usage", json::array({entry})}});
}

Result<Response> TenantsUsage(ApiService& service, const Request& request) {
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:get_tenants_usage", request.PathParam("project_id")));
  CAIRN_ASSIGN_OR_RETURN(auto workloads, db::WorkloadRepository(service.db).List(db::WorkloadFilter{}, db::Page{}));
  std::map<std::string, json> per_project;
  int64_t total_vms = 0, total_bytes = 0;
  db::SnapshotRepository snapshots(service.db);
  for (const auto& w : workloads) {
    json& p = per_project[w.project_id];
    if (p.is_null()) p = {{"vms_protected", 0}, {"workloads", 0}, {"used_capacity", 0}};
    p["vms_protected"] = p["vms_protected"].get<int64_t>() + static_cast<int64_t>(w.vms.size());
    p["workloads"] = p["workloads"].get<int64_t>() + 1;
    total_vms += static_cast<int64_t>(w.vms.size());
  }
  for (auto& [project, p] : per_project) {
    CAIRN_ASSIGN_OR_RETURN(auto usage, snapshots.Usage(project));
    p["used_capacity"] = usage.size;
    p["snapshots"] = usage.snapshots;
    total_bytes += usage.size;
  }
  json tenants = json::object();
  for (auto& [project, p] : per_project) tenants[project] = p;
  return Response::Json(200, {{"global_usage", {{"vms_protected", total_vms}, {"used_capacity", total_bytes},
                                                {"used_capacity_humanized", Humanize(total_bytes)}}},
                              {"tenants_usage", std::move(tenants)}});
}

Result<Response> AuditLog(ApiService& service, const Request& request) {
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:get_auditlog", request.PathParam("project_id")));
  std::optional<TimePoint> from;
  if (auto minutes = request.Query("time_in_minutes"); minutes && !minutes->empty()) {
    CAIRN_ASSIGN_OR_RETURN(int64_t m, ReadInt(json(*minutes), "time_in_minutes", 1, 10LL * 365 * 24 * 60));
    from = service.clock.Now() - std::chrono::minutes(m);
  }
  int limit = 1000;
  if (auto l = request.Query("limit")) {
    CAIRN_ASSIGN_OR_RETURN(int64_t n, ReadInt(json(*l), "limit", 1, 100000));
    limit = static_cast<int>(n);
  }
  CAIRN_ASSIGN_OR_RETURN(auto entries, db::AuditRepository(service.db).List(from, std::nullopt, limit));
  json out = json::array();
  for (const auto& e : entries) out.push_back(AuditEntryView(e));
  return Response::Json(200, {{"auditlog", std::move(out)}});
}

// POST /workloads/reasign_workloads: [{"workload_ids": [], "old_tenant_ids": [],
// "user_id", "new_tenant_id", "migrate_cloud": false}].
Result<Response> Reassign(ApiService& service, const Request& request) {
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:workload_reassign", request.PathParam("project_id")));
  CAIRN_ASSIGN_OR_RETURN(json body, JsonBody(request));
  json items = body.is_array() ? body : json::array({body});
  json reassigned = json::array();
  struct Move {
    std::string id, project_id, user_id;
  };
  std::vector<Move> moves;
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string path = "[" + std::to_string(i) + "]";
    const json& item = items[i];
    if (!item.is_object()) return Status::InvalidArgument("Invalid value for '" + path + "': expected an object");
    const json* user = FindMember(item, "user_id");
    const json* project = FindMember(item, "new_tenant_id");
    if (user == nullptr || project == nullptr) {
      return Status::InvalidArgument("Invalid value for '" + path + "': user_id and new_tenant_id are required");
    }
    CAIRN_ASSIGN_OR_RETURN(std::string user_id, ReadString(*user, path + ".user_id", 64));
    CAIRN_ASSIGN_OR_RETURN(std::string project_id, ReadString(*project, path + ".new_tenant_id", 64));
    if (Status s = service.identity.UserExists(user_id); !s.ok()) {
      if (s.code() == ErrorCode::kNotFound) return Status::InvalidArgument("User " + Quoted(user_id) + " does not exist.");
      return s;
    }
    if (Status s = service.identity.ProjectExists(project_id); !s.ok()) {
      if (s.code() == ErrorCode::kNotFound) return Status::InvalidArgument("Project " + Quoted(project_id) + " does not exist.");
      return s;
    }
    std::vector<std::string> ids;
    if (const json* v = FindMember(item, "workload_ids")) {
      if (!v->is_array()) return Status::InvalidArgument("Invalid value for '" + path + ".workload_ids': expected a list");
      for (const auto& id : *v) {
        CAIRN_ASSIGN_OR_RETURN(std::string wid, ReadString(id, path + ".workload_ids[]", 64));
        ids.push_back(AsciiLower(wid));
      }
    }
    if (const json* v = FindMember(item, "old_tenant_ids")) {
      if (!v->is_array()) return Status::InvalidArgument("Invalid value for '" + path + ".old_tenant_ids': expected a list");
      for (const auto& t : *v) {
        CAIRN_ASSIGN_OR_RETURN(std::string old, ReadString(t, path + ".old_tenant_ids[]", 64));
        db::WorkloadFilter filter;
        filter.project_id = old;
        CAIRN_ASSIGN_OR_RETURN(auto rows, db::WorkloadRepository(service.db).List(filter, db::Page{}));
        for (const auto& w : rows) ids.push_back(w.id);
      }
    }
    for (const auto& id : ids) {
      if (!LooksLikeId(id)) return Status::InvalidArgument("Workload " + Quoted(id) + " does not exist.");
      moves.push_back(Move{id, project_id, user_id});
    }
  }
  // Every item checked: move them all in one transaction (all or nothing).
  CAIRN_RETURN_IF_ERROR(service.db.Transaction("reassign workloads", [&](db::Executor& tx) -> Status {
    for (const auto& move : moves) {
      // The workload with its snapshots and restores (each seen through its own project).
      db::WorkloadRepository repo(tx);
      if (Status moved = repo.SetOwner(move.id, move.project_id, move.user_id); !moved.ok()) {
        if (moved.code() == ErrorCode::kNotFound) return Status::InvalidArgument("Workload " + move.id + " does not exist.");
        return moved;
      }
      CAIRN_ASSIGN_OR_RETURN(db::Workload updated, repo.Get(move.id));
      reassigned.push_back({{"id", updated.id}, {"name", updated.name}, {"project_id", move.project_id},
                            {"user_id", move.user_id}});
    }
    return Status::OK();
  }));
  for (const auto& move : moves) {
    Audit(service, request, "workload_reassign", "workload", move.id, move.project_id + " " + move.user_id);
  }
  return Response::Json(200, {{"workloads", {{"reassigned_workloads", std::move(reassigned)}, {"failed_workloads", json::array()}}}});
}

}  // namespace

Status AddVersionRoutes(Router& router, ApiService& service) {
  ApiService* s = &service;
  return router.Add("GET", "/", [s](const Request& r) { return Versions(*s, r); }, RouteOptions{.auth_required = false});
}

Status AddAdminRoutes(Router& router, ApiService& service) {
  RouteAdder add(router, service);
  CAIRN_RETURN_IF_ERROR(add("GET", "/workloads/metrics/nodes", Nodes));
  CAIRN_RETURN_IF_ERROR(add("GET", "/workloads/metrics/storage_usage", StorageUsage));
  CAIRN_RETURN_IF_ERROR(add("GET", "/workloads/metrics/tenants_usage", TenantsUsage));
  CAIRN_RETURN_IF_ERROR(add("GET", "/workloads/audit/auditlog", AuditLog));
  CAIRN_RETURN_IF_ERROR(add("POST", "/workloads/service/update", UpdateNode));
  CAIRN_RETURN_IF_ERROR(add("POST", "/workloads/reasign_workloads", Reassign));
  return Status::OK();
}

}  // namespace cairn::api
