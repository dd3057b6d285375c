// Routes of workload policies (schedule and retention templates assigned to
// projects) and of quotas.
#include <vector>

#include "api/fault.h"
#include "api/request_schema.h"
#include "api/v1/service.h"
#include "api/v1/workload_access.h"
#include "common/json_input.h"
#include "common/strings.h"
#include "db/policy_repository.h"
#include "db/quota_repository.h"
#include "db/workload_repository.h"
#include "control/job_schedule.h"

namespace cairn::api {
namespace {

using nlohmann::json;

constexpr const char* kPolicyFields[] = {"interval", "fullbackup_interval", "retention_policy_type",
                                         "retention_policy_value"};

// field_values: only the four schedule fields, each checked by the schedule
// parser and stored in its canonical form.
Result<json> ReadFieldValues(const json& value) {
  if (!value.is_object()) {
    return Status::InvalidArgument("Invalid value for 'field_values': expected an object, got " + DescribeJson(value));
  }
  json given = json::object();
  for (const auto& [key, v] : value.items()) {
    std::string name = key == "full_backup_interval" ? "fullbackup_interval" : key;
    bool known = false;
    for (const char* field : kPolicyFields) known = known || name == field;
    if (!known) {
      return Status::InvalidArgument("Invalid value for 'field_values': unknown field " + Quoted(key) +
                                     " (use interval, fullbackup_interval, retention_policy_type, retention_policy_value)");
    }
    given[name] = v;
  }
  CAIRN_ASSIGN_OR_RETURN(control::JobSchedule s, control::ParseJobSchedule(given, control::JobSchedule{}));
  const json canonical = control::JobScheduleToJson(s, TimePoint());
  json out = json::object();
  for (const auto& [key, v] : given.items()) out[key] = canonical[key];
  return out;
}

Result<db::Policy> LoadPolicy(ApiService& service, const Request& request) {
  const std::string& id = request.PathParam("policy_id");
  const Status missing = Status::NotFound("Workload policy " + id + " could not be found.");
  if (!LooksLikeId(id)) return missing;
  auto p = db::PolicyRepository(service.db).Get(AsciiLower(id));
  if (!p.ok()) return p.status().code() == ErrorCode::kNotFound ? missing : p.status();
  return p;
}

// The assignments the caller may see: all for an admin, else only those of
// the caller's own project (other projects' ids are not for other tenants).
std::vector<db::PolicyAssignment> VisibleAssignments(const Request& request,
                                                     std::vector<db::PolicyAssignment> assignments) {
  if (request.auth && request.auth->is_admin) return assignments;
  const std::string own = request.auth ? request.auth->project_id() : std::string();
  std::erase_if(assignments, [&](const db::PolicyAssignment& a) { return a.project_id != own; });
  return assignments;
}

// Live workloads that follow policy `id`, across projects. A workload's
// metadata.policy_id may be null or absent (json::value() would throw on null).
Result<std::vector<db::Workload>> WorkloadsOfPolicy(db::Executor& db, std::string_view id) {
  CAIRN_ASSIGN_OR_RETURN(auto all, db::WorkloadRepository(db).List(db::WorkloadFilter{}, db::Page{}));
  std::vector<db::Workload> out;
  for (auto& w : all) {
    const nlohmann::json* policy_id = FindMember(w.metadata, "policy_id");
    if (policy_id != nullptr && policy_id->is_string() && policy_id->get_ref<const std::string&>() == id) {
      out.push_back(std::move(w));
    }
  }
  return out;
}

Result<Response> CreatePolicy(ApiService& service, const Request& request) {
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:policy_create", request.PathParam("project_id")));
  CAIRN_ASSIGN_OR_RETURN(json body, JsonObjectBody(request));
  CAIRN_ASSIGN_OR_RETURN(json in, RequireObjectMember(body, "workload_policy"));
  db::Policy p;
  const json* name = FindMember(in, "display_name");
  if (name == nullptr) name = FindMember(in, "name");
  if (name == nullptr) return Status::InvalidArgument("Invalid value for 'workload_policy.display_name': missing");
  CAIRN_ASSIGN_OR_RETURN(p.name, ReadString(*name, "workload_policy.display_name", 255));
  const json* description = FindMember(in, "display_description");
  if (description == nullptr) description = FindMember(in, "description");
  if (description) {
    CAIRN_ASSIGN_OR_RETURN(p.description, ReadString(*description, "workload_policy.display_description", 4096));
  }
  const json* fields = FindMember(in, "field_values");
  if (fields == nullptr) return Status::InvalidArgument("Invalid value for 'workload_policy.field_values': missing");
  CAIRN_ASSIGN_OR_RETURN(p.field_values, ReadFieldValues(*fields));
  if (const json* v = FindMember(in, "metadata")) {
    if (!v->is_object()) return Status::InvalidArgument("Invalid value for 'workload_policy.metadata': expected an object");
    p.metadata = *v;
  }
  CAIRN_ASSIGN_OR_RETURN(db::Policy created, db::PolicyRepository(service.db).Create(p));
  Audit(service, request, "policy_create", "workload_policy", created.id, created.name);
  return Response::Json(200, {{"policy", PolicyView(created, {})}});
}

Result<Response> UpdatePolicy(ApiService& service, const Request& request) {
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:policy_update", request.PathParam("project_id")));
  CAIRN_ASSIGN_OR_RETURN(db::Policy p, LoadPolicy(service, request));
  CAIRN_ASSIGN_OR_RETURN(json body, JsonObjectBody(request));
  const json* in = FindMember(body, "policy");
  if (in == nullptr) in = FindMember(body, "workload_policy");
  if (in == nullptr || !in->is_object()) return Status::InvalidArgument("The request body must contain the object 'policy'.");
  db::PolicyUpdate update;
  const json* name = FindMember(*in, "display_name");
  if (name == nullptr) name = FindMember(*in, "name");
  if (name) {
    CAIRN_ASSIGN_OR_RETURN(update.name, ReadString(*name, "policy.display_name", 255));
  }
  const json* description = FindMember(*in, "display_description");
  if (description == nullptr) description = FindMember(*in, "description");
  if (description) {
    CAIRN_ASSIGN_OR_RETURN(update.description, ReadString(*description, "policy.display_description", 4096));
  }
  if (const json* v = FindMember(*in, "field_values")) {
    CAIRN_ASSIGN_OR_RETURN(json fields, ReadFieldValues(*v));
    json merged = p.field_values.is_object() ? p.field_values : json::object();
    for (const auto& [k, value] : fields.items()) merged[k] = value;
    update.field_values = merged;
  }
  if (const json* v = FindMember(*in, "metadata")) {
    if (!v->is_object()) return Status::InvalidArgument("Invalid value for 'policy.metadata': expected an object");
    update.metadata = *v;
  }
  // The policy and the schedules of the workloads that follow it change in
  // one transaction: all or nothing.
  db::Policy updated;
  CAIRN_RETURN_IF_ERROR(service.db.Transaction("update policy", [&](db::Executor& tx) -> Status {
    CAIRN_ASSIGN_OR_RETURN(updated, db::PolicyRepository(tx).Update(p.id, update));
    if (!update.field_values) return Status::OK();
    CAIRN_ASSIGN_OR_RETURN(auto workloads, WorkloadsOfPolicy(tx, p.id));
    const TimePoint now = service.clock.Now();
    for (const auto& w : workloads) {
      CAIRN_ASSIGN_OR_RETURN(control::JobSchedule s,
                             control::ParseJobSchedule(*update.field_values, StoredSchedule(w, now)));
      db::WorkloadUpdate wu;
      wu.jobschedule = StoredForm(s, now);
      CAIRN_RETURN_IF_ERROR(db::WorkloadRepository(tx).Update(w.id, wu).status());
    }
    return Status::OK();
  }));
  CAIRN_ASSIGN_OR_RETURN(auto assignments, db::PolicyRepository(service.db).AssignmentsOfPolicy(p.id));
  Audit(service, request, "policy_update", "workload_policy", p.id);
  return Response::Json(200, {{"policy", PolicyView(updated, assignments)}});
}

Result<Response> ListPolicies(ApiService& service, const Request& request) {
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:policy_list", request.PathParam("project_id")));
  db::PolicyRepository policies(service.db);
  CAIRN_ASSIGN_OR_RETURN(auto rows, policies.List());
  json out = json::array();
  for (const auto& p : rows) {
    CAIRN_ASSIGN_OR_RETURN(auto assignments, policies.AssignmentsOfPolicy(p.id));
    out.push_back(PolicyView(p, VisibleAssignments(request, std::move(assignments))));
  }
  return Response::Json(200, {{"policy_list", std::move(out)}});
}

Result<Response> ShowPolicy(ApiService& service, const Request& request) {
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:policy_get", request.PathParam("project_id")));
  CAIRN_ASSIGN_OR_RETURN(db::Policy p, LoadPolicy(service, request));
  CAIRN_ASSIGN_OR_RETURN(auto assignments, db::PolicyRepository(service.db).AssignmentsOfPolicy(p.id));
  return Response::Json(200, {{"policy", PolicyView(p, VisibleAssignments(request, std::move(assignments)))}});
}

Result<Response> DeletePolicy(ApiService& service, const Request& request) {
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:policy_delete", request.PathParam("project_id")));
  CAIRN_ASSIGN_OR_RETURN(db::Policy p, LoadPolicy(service, request));
  CAIRN_ASSIGN_OR_RETURN(auto workloads, WorkloadsOfPolicy(service.db, p.id));
  if (!workloads.empty()) {
    return Status::Conflict("Workload policy " + p.id + " is used by " + std::to_string(workloads.size()) +
                            " workload(s), e.g. " + workloads.front().id + ".");
  }
  CAIRN_RETURN_IF_ERROR(db::PolicyRepository(service.db).SoftDelete(p.id));
  Audit(service, request, "policy_delete", "workload_policy", p.id);
  return Response::NoBody(202);
}

Result<std::vector<std::string>> ReadIdList(const json& in, std::string_view key, const std::string& path) {
  std::vector<std::string> out;
  const json* v = FindMember(in, key);
  if (v == nullptr) return out;
  if (!v->is_array()) return Status::InvalidArgument("Invalid value for '" + path + "': expected a list, got " + DescribeJson(*v));
  for (size_t i = 0; i < v->size(); ++i) {
    CAIRN_ASSIGN_OR_RETURN(std::string id, ReadString((*v)[i], path + "[" + std::to_string(i) + "]", 64));
    out.push_back(std::move(id));
  }
  return out;
}

Result<Response> AssignPolicy(ApiService& service, const Request& request) {
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:policy_assign", request.PathParam("project_id")));
  CAIRN_ASSIGN_OR_RETURN(db::Policy p, LoadPolicy(service, request));
  CAIRN_ASSIGN_OR_RETURN(json body, JsonObjectBody(request));
  CAIRN_ASSIGN_OR_RETURN(json in, RequireObjectMember(body, "policy"));
  CAIRN_ASSIGN_OR_RETURN(auto add, ReadIdList(in, "add_projects", "policy.add_projects"));
  CAIRN_ASSIGN_OR_RETURN(auto remove, ReadIdList(in, "remove_projects", "policy.remove_projects"));
  db::PolicyRepository policies(service.db);
  json failed = json::array();
  for (const auto& project : add) {
    Status exists = service.identity.ProjectExists(project);
    if (exists.code() == ErrorCode::kNotFound) {
      failed.push_back(project);
      continue;
    }
    CAIRN_RETURN_IF_ERROR(exists);
    Status assigned = policies.Assign(p.id, project, "");
    if (!assigned.ok() && assigned.code() != ErrorCode::kConflict) return assigned;
  }
  for (const auto& project : remove) {
    Status removed = policies.Unassign(p.id, project);
    if (!removed.ok() && removed.code() != ErrorCode::kNotFound) return removed;
  }
  CAIRN_ASSIGN_OR_RETURN(auto assignments, policies.AssignmentsOfPolicy(p.id));
  Audit(service, request, "policy_assign", "workload_policy", p.id);
  return Response::Json(200, {{"policy", PolicyView(p, assignments)}, {"failed_ids", std::move(failed)}});
}

Result<Response> AssignedPolicies(ApiService& service, const Request& request) {
  const std::string& project = request.PathParam("assigned_project_id");
  CAIRN_RETURN_IF_ERROR(CheckVisible(request, project, "Project " + project));
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:get_assigned_policies", project));
  db::PolicyRepository policies(service.db);
  CAIRN_ASSIGN_OR_RETURN(auto rows, policies.AssignmentsOfProject(project));
  json out = json::array();
  for (const auto& a : rows) {
    auto p = policies.Get(a.policy_id);
    out.push_back({{"policy_id", a.policy_id},
                   {"policy_name", p.ok() ? p->name : std::string()},
                   {"project_id", a.project_id}});
  }
  return Response::Json(200, {{"policies", std::move(out)}});
}

// ---- quotas --------------------------------------------------------------------

Result<Response> ListQuotaTypes(ApiService& service, const Request& request) {
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:list_quota_type", request.PathParam("project_id")));
  CAIRN_ASSIGN_OR_RETURN(auto types, db::QuotaRepository(service.db).ListTypes());
  json out = json::array();
  for (const auto& t : types) out.push_back(QuotaTypeView(t));
  return Response::Json(200, {{"quota_types", std::move(out)}});
}

Result<Response> ShowQuotaType(ApiService& service, const Request& request) {
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:get_quota_type", request.PathParam("project_id")));
  const std::string& id = request.PathParam("quota_type_id");
  const Status missing = Status::NotFound("Quota type " + id + " could not be found.");
  if (!LooksLikeId(id)) return missing;
  auto t = db::QuotaRepository(service.db).GetType(AsciiLower(id));
  if (!t.ok()) return t.status().code() == ErrorCode::kNotFound ? missing : t.status();
  return Response::Json(200, {{"quota_type", QuotaTypeView(*t)}});
}

// One item of {"allowed_quotas": [...]} (POST /project_allowed_quotas/{project}).
const RequestSchema kQuotaCreate = {
    String("quota_type_id", 64).Required(),
    String("project_id", 64),
    Integer("allowed_value", -1).Required(),  // -1: unlimited
    Integer("high_watermark", -1),
};

// The members of {"allowed_quotas": {...}} of an update.
const RequestSchema kQuotaUpdate = {
    Integer("allowed_value", -1),
    Integer("high_watermark", -1),
};

Result<db::AllowedQuota> ReadQuota(const json& item, const std::string& path, std::string_view project_id) {
  CAIRN_ASSIGN_OR_RETURN(json in, ValidateRequest(item, kQuotaCreate, path));
  db::AllowedQuota q;
  q.project_id = std::string(project_id);
  q.quota_type_id = AsciiLower(in["quota_type_id"].get<std::string>());
  if (const std::string given = in.value("project_id", ""); !given.empty() && given != project_id) {
    return Status::InvalidArgument("Invalid value for '" + path + ".project_id': does not match the URL's project");
  }
  q.allowed_value = in["allowed_value"].get<int64_t>();
  q.high_watermark = in.value("high_watermark", q.allowed_value);
  if (q.allowed_value >= 0 && q.high_watermark > q.allowed_value) {
    return Status::InvalidArgument("Invalid value for '" + path + ".high_watermark': above allowed_value");
  }
  return q;
}

Result<Response> CreateQuotas(ApiService& service, const Request& request) {
  const std::string& project = request.PathParam("quota_project_id");
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:create_allowed_quota", project));
  CAIRN_ASSIGN_OR_RETURN(json body, JsonObjectBody(request));
  const json* list = FindMember(body, "allowed_quotas");
  if (list == nullptr || !list->is_array()) {
    return Status::InvalidArgument("The request body must contain the list 'allowed_quotas'.");
  }
  Status exists = service.identity.ProjectExists(project);
  if (exists.code() == ErrorCode::kNotFound) return Status::InvalidArgument("Project " + project + " does not exist.");
  CAIRN_RETURN_IF_ERROR(exists);
  std::vector<db::AllowedQuota> quotas;
  for (size_t i = 0; i < list->size(); ++i) {
    CAIRN_ASSIGN_OR_RETURN(db::AllowedQuota q, ReadQuota((*list)[i], "allowed_quotas[" + std::to_string(i) + "]", project));
    quotas.push_back(std::move(q));
  }
  json out = json::array();
  CAIRN_RETURN_IF_ERROR(service.db.Transaction("create quotas", [&](db::Executor& tx) -> Status {
    db::QuotaRepository repo(tx);
    for (auto& q : quotas) {
      auto type = repo.GetType(q.quota_type_id);
      if (!type.ok()) {
        if (type.status().code() == ErrorCode::kNotFound) {
          return Status::InvalidArgument("Quota type " + Quoted(q.quota_type_id) + " does not exist.");
        }
        return type.status();
      }
      auto created = repo.Create(q);
      if (!created.ok() && created.status().code() == ErrorCode::kConflict) {
        return Status::Conflict("Project " + project + " already has a " + type->name + " quota; update it instead.");
      }
      CAIRN_RETURN_IF_ERROR(created.status());
      CAIRN_ASSIGN_OR_RETURN(db::AllowedQuota stored, repo.Get(created->id));
      out.push_back(AllowedQuotaView(stored));
    }
    return Status::OK();
  }));
  Audit(service, request, "allowed_quota_create", "project", project);
  return Response::Json(200, {{"allowed_quotas", std::move(out)}});
}

Result<Response> ListQuotas(ApiService& service, const Request& request) {
  const std::string& project = request.PathParam("quota_project_id");
  CAIRN_RETURN_IF_ERROR(CheckVisible(request, project, "Project " + project));
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:get_allowed_quotas", project));
  CAIRN_ASSIGN_OR_RETURN(auto rows, db::QuotaRepository(service.db).ListByProject(project));
  json out = json::array();
  for (const auto& q : rows) out.push_back(AllowedQuotaView(q));
  return Response::Json(200, {{"allowed_quotas", std::move(out)}});
}

Result<db::AllowedQuota> LoadQuota(ApiService& service, const Request& request) {
  const std::string& id = request.PathParam("quota_id");
  const Status missing = Status::NotFound("Allowed quota " + id + " could not be found.");
  if (!LooksLikeId(id)) return missing;
  auto q = db::QuotaRepository(service.db).Get(AsciiLower(id));
  if (!q.ok()) return q.status().code() == ErrorCode::kNotFound ? missing : q.status();
  if (!CheckVisible(request, q->project_id, "Allowed quota").ok()) return missing;
  return q;
}

Result<Response> ShowQuota(ApiService& service, const Request& request) {
  CAIRN_ASSIGN_OR_RETURN(db::AllowedQuota q, LoadQuota(service, request));
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:get_allowed_quota", q.project_id));
  return Response::Json(200, {{"allowed_quotas", AllowedQuotaView(q)}});
}

Result<Response> UpdateQuota(ApiService& service, const Request& request) {
  CAIRN_ASSIGN_OR_RETURN(db::AllowedQuota q, LoadQuota(service, request));
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:update_allowed_quota", q.project_id));
  CAIRN_ASSIGN_OR_RETURN(json body, JsonObjectBody(request));
  const json* in = FindMember(body, "allowed_quotas");
  if (in != nullptr && in->is_array() && in->size() == 1) in = &(*in)[0];
  if (in == nullptr || !in->is_object()) return Status::InvalidArgument("The request body must contain the object 'allowed_quotas'.");
  CAIRN_ASSIGN_OR_RETURN(json given, ValidateRequest(*in, kQuotaUpdate, "allowed_quotas"));
  db::AllowedQuotaUpdate update;
  if (const json* v = FindMember(given, "allowed_value")) update.allowed_value = v->get<int64_t>();
  if (const json* v = FindMember(given, "high_watermark")) update.high_watermark = v->get<int64_t>();
  // The values not sent are read in the transaction that writes, so the
  // high_watermark <= allowed_value check holds against concurrent updates.
  db::AllowedQuota updated;
  CAIRN_RETURN_IF_ERROR(service.db.Transaction("update quota", [&](db::Executor& tx) -> Status {
    db::QuotaRepository quotas(tx);
    CAIRN_ASSIGN_OR_RETURN(db::AllowedQuota current, quotas.Get(q.id));
    const int64_t allowed = update.allowed_value.value_or(current.allowed_value);
    const int64_t high =
        update.high_watermark.value_or(update.allowed_value && !update.high_watermark ? allowed : current.high_watermark);
    if (allowed >= 0 && high > allowed) {
      return Status::InvalidArgument("Invalid value for 'allowed_quotas.high_watermark': above allowed_value");
    }
    update.high_watermark = high;
    CAIRN_ASSIGN_OR_RETURN(updated, quotas.Update(q.id, update));
    return Status::OK();
  }));
  Audit(service, request, "allowed_quota_update", "allowed_quota", q.id);
  return Response::Json(200, {{"allowed_quotas", AllowedQuotaView(updated)}});
}

Result<Response> DeleteQuota(ApiService& service, const Request& request) {
  CAIRN_ASSIGN_OR_RETURN(db::AllowedQuota q, LoadQuota(service, request));
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:delete_allowed_quota", q.project_id));
  CAIRN_RETURN_IF_ERROR(db::QuotaRepository(service.db).SoftDelete(q.id));
  Audit(service, request, "allowed_quota_delete", "allowed_quota", q.id);
  return Response::NoBody(202);
}

}  // namespace

Status AddPolicyRoutes(Router& router, ApiService& service) {
  RouteAdder add(router, service);
  CAIRN_RETURN_IF_ERROR(add("POST", "/workload_policy", CreatePolicy));
  CAIRN_RETURN_IF_ERROR(add("GET", "/workload_policy", ListPolicies));
  CAIRN_RETURN_IF_ERROR(add("GET", "/workload_policy/{policy_id}", ShowPolicy));
  CAIRN_RETURN_IF_ERROR(add("PUT", "/workload_policy/{policy_id}", UpdatePolicy));
  CAIRN_RETURN_IF_ERROR(add("DELETE", "/workload_policy/{policy_id}", DeletePolicy));
  CAIRN_RETURN_IF_ERROR(add("POST", "/workload_policy/{policy_id}/assign", AssignPolicy));
  CAIRN_RETURN_IF_ERROR(add("GET", "/workload_policy/assigned/{assigned_project_id}", AssignedPolicies));
  return Status::OK();
}

Status AddQuotaRoutes(Router& router, ApiService& service) {
  RouteAdder add(router, service);
  CAIRN_RETURN_IF_ERROR(add("GET", "/project_quota_types", ListQuotaTypes));
  CAIRN_RETURN_IF_ERROR(add("GET", "/project_quota_types/{quota_type_id}", ShowQuotaType));
  CAIRN_RETURN_IF_ERROR(add("POST", "/project_allowed_quotas/{quota_project_id}", CreateQuotas));
  CAIRN_RETURN_IF_ERROR(add("GET", "/project_allowed_quotas/{quota_project_id}", ListQuotas));
  CAIRN_RETURN_IF_ERROR(add("DELETE", "/project_allowed_quotas/{quota_id}", DeleteQuota));
  CAIRN_RETURN_IF_ERROR(add("GET", "/project_allowed_quota/{quota_id}", ShowQuota));
  CAIRN_RETURN_IF_ERROR(add("PUT", "/update_allowed_quota/{quota_id}", UpdateQuota));
  return Status::OK();
}

}  // namespace cairn::api
