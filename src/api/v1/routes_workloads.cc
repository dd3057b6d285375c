// Routes of workload types and workloads: CRUD, snapshot, pause, resume,
// unlock, reset.
#include <set>

#include "api/fault.h"
#include "api/request_schema.h"
#include "api/v1/service.h"
#include "api/v1/workload_access.h"
#include "common/json_input.h"
#include "common/strings.h"
#include "control/job_schedule.h"
#include "control/snapshot_manager.h"
#include "control/workload_manager.h"
#include "db/policy_repository.h"
#include "db/snapshot_repository.h"
#include "db/workload_repository.h"

namespace cairn::api {
namespace {

using nlohmann::json;
namespace ws = db::workload_status;

constexpr size_t kMaxName = 255;
constexpr size_t kMaxDescription = 4096;

// The members of {"workload": {...}} on create (POST /workloads). The
// instances' items (server ids, with Nova), metadata's values, the policy and
// the schedule's members are read by ReadInstances, ReadMetadata,
// ReadPolicyId and ParseJobSchedule, in their clients' spellings.
const RequestSchema kWorkloadCreate = {
    String("name", kMaxName),
    String("description", kMaxDescription),
    String("workload_type_id", 64),
    String("source_platform", 64),
    Bool("encryption"),
    String("availability_zone", kMaxName),
    Object("metadata"),
    String("policy_id", 64),
    Object("jobschedule"),
    ListOf("instances", Any("instance")).Required(),
};

// The members of {"workload": {...}} on update (PUT /workloads/{id}); every
// one optional. instances is checked after the workload's status (a 409
// comes first), by ReadInstances.
const RequestSchema kWorkloadUpdate = {
    String("name", kMaxName),
    String("description", kMaxDescription),
    Object("metadata"),
    Object("jobschedule"),
    String("policy_id", 64),
};

// The members of {"snapshot": {...}} of a snapshot request (POST /workloads/{id}).
const RequestSchema kSnapshotCreate = {
    String("name", kMaxName),
    String("description", kMaxDescription),
    Bool("is_scheduled"),
    OneOf("snapshot_type", {"full", "incremental"}),
};

// The text of validated member `key` of `in`, if present.
std::optional<std::string> TextOf(const json& in, std::string_view key) {
  const json* v = FindMember(in, key);
  return v ? std::optional<std::string>(v->get<std::string>()) : std::nullopt;
}

// The detail view every answer about one workload gives (create, show,
// update): with the snapshots' storage use as {usage, snapshots}.
Result<json> DetailView(ApiService& service, const Request& request, const db::Workload& w) {
  const TimePoint now = service.clock.Now();
  json view = WorkloadView(w, ScheduleView(w, now), LinkBaseOf(request), true);
  CAIRN_ASSIGN_OR_RETURN(auto usage, db::SnapshotRepository(service.db).Usage(std::nullopt, w.id));
  view["storage_usage"] = {{"usage", usage.size}, {"snapshots", usage.snapshots}};
  return view;
}

// Reads the "instances" list of a workload body into VM rows, checking each
// server with Nova as the caller, that it belongs to the workload's project
// (an admin's Nova shows every project's servers) and that no other live
// workload has it.
Result<std::vector<db::WorkloadVm>> ReadInstances(ApiService& service, const Request& request,
                                                  const json& list, std::string_view project_id,
                                                  std::string_view own_workload_id) {
  if (!list.is_array()) {
    return Status::InvalidArgument("Invalid value for 'instances': expected a list, got " + DescribeJson(list));
  }
  if (list.empty()) return Status::InvalidArgument("Invalid value for 'instances': a workload needs at least one instance");
  if (list.size() > service.limits.max_instances_per_workload) {
    return Status::InvalidArgument("Invalid value for 'instances': more than " +
                                   std::to_string(service.limits.max_instances_per_workload) + " instances");
  }
  std::vector<db::WorkloadVm> vms;
  std::set<std::string> seen;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string field = "instances[" + std::to_string(i) + "]";
    const json& item = list[i];
    const json* id_value = FindMember(item, "instance-id");
    if (id_value == nullptr) id_value = FindMember(item, "instance_id");
    if (id_value == nullptr) id_value = FindMember(item, "id");
    if (!item.is_object() || id_value == nullptr) {
      return Status::InvalidArgument("Invalid value for '" + field + "': expected {\"instance-id\": <server id>}");
    }
    CAIRN_ASSIGN_OR_RETURN(std::string vm_id, ReadString(*id_value, field + ".instance-id", 64));
    if (!LooksLikeId(vm_id)) {
      return Status::InvalidArgument("Invalid value for '" + field + ".instance-id': " + Quoted(vm_id) +
                                     " is not a server id");
    }
    vm_id = AsciiLower(vm_id);
    if (!seen.insert(vm_id).second) {
      return Status::InvalidArgument("Instance " + vm_id + " is listed twice");
    }
    auto server = service.instances.Get(*request.auth, vm_id);
    if (!server.ok()) {
      if (server.status().code() == ErrorCode::kNotFound) {
        return Status::InvalidArgument("Instance " + vm_id + " does not exist.");
      }
      return server.status();
    }
    if (!server->project_id.empty() && server->project_id != project_id) {
      return Status::InvalidArgument("Instance " + vm_id + " belongs to another project than the workload's (" +
                                     std::string(project_id) + ").");
    }
    CAIRN_ASSIGN_OR_RETURN(auto owner, db::WorkloadRepository(service.db).FindByVm(vm_id));
    if (owner && owner->id != own_workload_id) {
      return Status::InvalidArgument("Instance " + vm_id + " is already protected by workload " + owner->id + ".");
    }
    db::WorkloadVm vm;
    vm.vm_id = vm_id;
    vm.vm_name = server->name;
    vm.metadata = json::object();
    if (const json* md = FindMember(item, "metadata"); md && md->is_object()) vm.metadata = *md;
    vms.push_back(std::move(vm));
  }
  return vms;
}

Result<json> ReadMetadata(const json& value) {
  if (!value.is_object()) {
    return Status::InvalidArgument("Invalid value for 'metadata': expected an object, got " + DescribeJson(value));
  }
  if (value.size() > 128) return Status::InvalidArgument("Invalid value for 'metadata': more than 128 keys");
  json out = json::object();
  for (const auto& [key, v] : value.items()) {
    if (key.empty() || key.size() > 255) return Status::InvalidArgument("Invalid key in 'metadata': " + Quoted(key));
    if (v.is_object() || v.is_array()) {
      return Status::InvalidArgument("Invalid value for 'metadata." + key + "': expected text, got " + DescribeJson(v));
    }
    if (v.is_null()) {
      out[key] = nullptr;
      continue;
    }
    CAIRN_ASSIGN_OR_RETURN(std::string text,
                           v.is_boolean() ? Result<std::string>(v.get<bool>() ? "True" : "False")
                                          : ReadScalarText(v, "metadata." + key, 65535));
    out[key] = std::move(text);
  }
  return out;
}

// Applies a workload policy's field values over a schedule.
Result<control::JobSchedule> ApplyPolicy(const db::Policy& policy, const control::JobSchedule& schedule) {
  json fields = json::object();
  for (const char* key : {"interval", "fullbackup_interval", "retention_policy_type", "retention_policy_value"}) {
    if (const json* v = FindMember(policy.field_values, key)) fields[key] = *v;
  }
  return control::ParseJobSchedule(fields, schedule);
}

// Checks the policy_id of a create/update against the project's assigned
// policies: a project with policies must choose one of them.
Result<std::optional<db::Policy>> ChoosePolicy(ApiService& service, std::string_view project_id,
                                               const std::optional<std::string>& policy_id) {
  db::PolicyRepository policies(service.db);
  CAIRN_ASSIGN_OR_RETURN(auto assigned, policies.AssignmentsOfProject(project_id));
  if (!policy_id) {
    if (assigned.empty()) return std::optional<db::Policy>();
    std::vector<std::string> ids;
    for (const auto& a : assigned) ids.push_back(a.policy_id);
    return Status::InvalidArgument("Project " + std::string(project_id) +
                                   " has workload policies assigned; choose one with policy_id: " + Join(ids, ", "));
  }
  for (const auto& a : assigned) {
    if (a.policy_id == *policy_id) {
      CAIRN_ASSIGN_OR_RETURN(db::Policy p, policies.Get(*policy_id));
      return std::optional<db::Policy>(std::move(p));
    }
  }
  return Status::InvalidArgument("Workload policy " + Quoted(*policy_id) + " is not assigned to project " +
                                 std::string(project_id) + ".");
}

Result<std::optional<std::string>> ReadPolicyId(const json& body) {
  const json* v = FindMember(body, "policy_id");
  if (v == nullptr) return std::optional<std::string>();
  CAIRN_ASSIGN_OR_RETURN(std::string id, ReadString(*v, "policy_id", 64));
  if (Trim(id).empty()) return std::optional<std::string>();
  if (!LooksLikeId(id)) return Status::InvalidArgument("Invalid value for 'policy_id': " + Quoted(id) + " is not an id");
  return std::optional<std::string>(AsciiLower(id));
}

// The workload type a validated create body names (by id, any case): none
// when it names none (the default type then). 400 when there is no such type.
Result<std::optional<std::string>> ReadWorkloadType(ApiService& service, const json& in) {
  const std::string type_id = TextOf(in, "workload_type_id").value_or("");
  if (Trim(type_id).empty()) return std::optional<std::string>();
  auto type = LooksLikeId(type_id) ? db::WorkloadRepository(service.db).GetType(AsciiLower(type_id))
                                   : Result<db::WorkloadType>(Status::NotFound(""));
  if (!type.ok()) {
    if (type.status().code() != ErrorCode::kNotFound) return type.status();
    return Status::InvalidArgument("Workload type " + Quoted(type_id) + " does not exist.");
  }
  return std::optional<std::string>(type->id);
}

Result<Response> CreateWorkload(ApiService& service, const Request& request) {
  const std::string project = request.PathParam("project_id");
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:workload_create", project));
  CAIRN_ASSIGN_OR_RETURN(json body, JsonObjectBody(request));
  CAIRN_ASSIGN_OR_RETURN(json in, RequireObjectMember(body, "workload"));
  const TimePoint now = service.clock.Now();

  CAIRN_ASSIGN_OR_RETURN(in, ValidateRequest(in, kWorkloadCreate));

  db::Workload w;
  w.project_id = project;
  w.user_id = request.auth->user_id();
  w.name = TextOf(in, "name").value_or("workload");
  w.description = TextOf(in, "description").value_or("");
  CAIRN_ASSIGN_OR_RETURN(std::optional<std::string> type_id, ReadWorkloadType(service, in));
  if (type_id) w.workload_type_id = *type_id;
  if (const auto platform = TextOf(in, "source_platform"); platform && !platform->empty() &&
                                                            AsciiLower(*platform) != "openstack") {
    return Status::InvalidArgument("Invalid value for 'source_platform': only \"openstack\" is supported");
  }
  if (const json* v = FindMember(in, "encryption"); v && v->get<bool>()) {
    return Status::InvalidArgument("Invalid value for 'encryption': encrypted workloads are not supported yet");
  }
  w.availability_zone = TextOf(in, "availability_zone").value_or("");
  if (const json* v = FindMember(in, "metadata")) {
    CAIRN_ASSIGN_OR_RETURN(w.metadata, ReadMetadata(*v));
  }
  CAIRN_ASSIGN_OR_RETURN(std::optional<std::string> policy_id, ReadPolicyId(in));
  if (!policy_id && w.metadata.contains("policy_id") && w.metadata["policy_id"].is_string()) {
    CAIRN_ASSIGN_OR_RETURN(policy_id, ReadPolicyId(json{{"policy_id", w.metadata["policy_id"]}}));
  }

  control::JobSchedule schedule = control::DefaultJobSchedule(now);
  if (const json* v = FindMember(in, "jobschedule")) {
    CAIRN_ASSIGN_OR_RETURN(schedule, control::ParseJobSchedule(*v, schedule));
  }
  CAIRN_ASSIGN_OR_RETURN(auto policy, ChoosePolicy(service, project, policy_id));
  if (policy) {
    CAIRN_ASSIGN_OR_RETURN(schedule, ApplyPolicy(*policy, schedule));
    w.metadata["policy_id"] = policy->id;
  }
  w.jobschedule = StoredForm(schedule, now);

  CAIRN_ASSIGN_OR_RETURN(w.vms, ReadInstances(service, request, in["instances"], project, ""));

  CAIRN_ASSIGN_OR_RETURN(db::Workload created,
                         control::WorkloadManager(service.db, service.clock).Create(w, JobOriginOf(request)));
  Audit(service, request, "workload_create", "workload", created.id, created.name);
  CAIRN_ASSIGN_OR_RETURN(json view, DetailView(service, request, created));
  return Response::Json(202, {{"workload", std::move(view)}});
}

Result<Response> ListWorkloads(ApiService& service, const Request& request, bool detail) {
  const std::string project = request.PathParam("project_id");
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:workload_get_all", project));
  db::WorkloadFilter filter;
  filter.project_id = project;
  CAIRN_ASSIGN_OR_RETURN(bool all, QueryFlag(request, "all_workloads"));
  const auto p = request.Query("project_id");
  if ((all || (p && !p->empty())) &&
      service.policy.Check("workload:workload_get_all_tenants", CallerCredentials(request), {{"project_id", project}})) {
    if (all) filter.project_id.reset();
    if (p && !p->empty()) filter.project_id = *p;
  }
  // An empty ?name= or ?status= filters nothing (as on snapshots), not on "".
  if (auto name = request.Query("name"); name && !name->empty()) filter.name = *name;
  if (auto status = request.Query("status"); status && !status->empty()) filter.statuses = {*status};
  CAIRN_ASSIGN_OR_RETURN(db::Page page, PageOf(request, service.limits));
  CAIRN_ASSIGN_OR_RETURN(auto rows, db::WorkloadRepository(service.db).List(filter, WithLookAhead(page)));
  const std::optional<std::string> next = CutToPage(rows, page);
  const TimePoint now = service.clock.Now();
  json list = json::array();
  const LinkBase base = LinkBaseOf(request);
  // Only the detail view shows the schedule (computing it parses and evaluates it).
  for (const auto& w : rows) list.push_back(WorkloadView(w, detail ? ScheduleView(w, now) : json(), base, detail));
  json body = {{"workloads", std::move(list)}};
  AddNextPageLink(body, "workloads", request, page, next);
  return Response::Json(200, std::move(body));
}

Result<Response> ShowWorkload(ApiService& service, const Request& request) {
  CAIRN_ASSIGN_OR_RETURN(db::Workload w, LoadWorkload(service, request, request.PathParam("workload_id")));
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:workload_get", w.project_id, w.user_id));
  CAIRN_ASSIGN_OR_RETURN(json view, DetailView(service, request, w));
  return Response::Json(200, {{"workload", std::move(view)}});
}

Result<Response> UpdateWorkload(ApiService& service, const Request& request) {
  CAIRN_ASSIGN_OR_RETURN(db::Workload w, LoadWorkload(service, request, request.PathParam("workload_id")));
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:workload_update", w.project_id, w.user_id));
  CAIRN_ASSIGN_OR_RETURN(json body, JsonObjectBody(request));
  CAIRN_ASSIGN_OR_RETURN(json in, RequireObjectMember(body, "workload"));
  if (w.status == ws::kDeleting) return Status::Conflict("Workload " + w.id + " is being deleted.");
  CAIRN_ASSIGN_OR_RETURN(in, ValidateRequest(in, kWorkloadUpdate));
  const TimePoint now = service.clock.Now();
  db::WorkloadUpdate update;
  update.name = TextOf(in, "name");
  update.description = TextOf(in, "description");
  json metadata = w.metadata;
  bool metadata_changed = false;
  json given_metadata = json::object();
  if (const json* v = FindMember(in, "metadata")) {
    CAIRN_ASSIGN_OR_RETURN(given_metadata, ReadMetadata(*v));
    for (const auto& [k, value] : given_metadata.items()) metadata[k] = value;
    metadata_changed = true;
  }
  control::JobSchedule schedule = StoredSchedule(w, now);
  bool schedule_changed = false;
  if (const json* v = FindMember(in, "jobschedule")) {
    CAIRN_ASSIGN_OR_RETURN(schedule, control::ParseJobSchedule(*v, schedule));
    schedule_changed = true;
  }
  CAIRN_ASSIGN_OR_RETURN(std::optional<std::string> policy_id, ReadPolicyId(in));
  // As on create, metadata.policy_id chooses a policy too: it is checked
  // against the project's assigned policies, never stored unchecked.
  if (!policy_id) {
    CAIRN_ASSIGN_OR_RETURN(policy_id, ReadPolicyId(given_metadata));
  }
  if (policy_id) {
    CAIRN_ASSIGN_OR_RETURN(auto policy, ChoosePolicy(service, w.project_id, policy_id));
    CAIRN_ASSIGN_OR_RETURN(schedule, ApplyPolicy(*policy, schedule));
    metadata["policy_id"] = policy->id;
    metadata_changed = schedule_changed = true;
  }
  if (schedule_changed) update.jobschedule = StoredForm(schedule, now);
  if (metadata_changed) update.metadata = metadata;
  if (const json* v = FindMember(in, "instances")) {
    if (w.status != ws::kAvailable && w.status != ws::kError) {
      return Status::Conflict("Workload " + w.id + " is " + w.status + ": its instances can change only when it is available.");
    }
    CAIRN_ASSIGN_OR_RETURN(update.vms, ReadInstances(service, request, *v, w.project_id, w.id));
  }
  CAIRN_ASSIGN_OR_RETURN(db::Workload updated, control::WorkloadManager(service.db, service.clock).Modify(w.id, update));
  Audit(service, request, "workload_update", "workload", w.id);
  CAIRN_ASSIGN_OR_RETURN(json view, DetailView(service, request, updated));
  return Response::Json(200, {{"workload", std::move(view)}});
}

Result<Response> DeleteWorkload(ApiService& service, const Request& request) {
  CAIRN_ASSIGN_OR_RETURN(db::Workload w, LoadWorkload(service, request, request.PathParam("workload_id")));
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:workload_delete", w.project_id, w.user_id));
  CAIRN_ASSIGN_OR_RETURN(bool database_only, QueryFlag(request, "database_only"));
  CAIRN_RETURN_IF_ERROR(
      control::WorkloadManager(service.db, service.clock).Delete(w, database_only, JobOriginOf(request)));
  Audit(service, request, "workload_delete", "workload", w.id, database_only ? "database_only" : "");
  return Response::NoBody(202);
}

Result<Response> SnapshotWorkload(ApiService& service, const Request& request) {
  CAIRN_ASSIGN_OR_RETURN(db::Workload w, LoadWorkload(service, request, request.PathParam("workload_id")));
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:workload_snapshot", w.project_id, w.user_id));
  CAIRN_ASSIGN_OR_RETURN(std::optional<json> body, OptionalJsonObjectBody(request));
  json in = json::object();
  if (body) {
    if (const json* s = FindMember(*body, "snapshot")) {
      if (!s->is_object()) return Status::InvalidArgument("Invalid value for 'snapshot': expected an object");
      in = *s;
    }
  }
  CAIRN_ASSIGN_OR_RETURN(in, ValidateRequest(in, kSnapshotCreate));
  db::Snapshot s;
  s.workload_id = w.id;
  s.project_id = w.project_id;
  s.user_id = request.auth->user_id();
  s.name = TextOf(in, "name").value_or("snapshot");
  s.description = TextOf(in, "description").value_or("");
  if (const json* v = FindMember(in, "is_scheduled")) s.is_scheduled = v->get<bool>();
  CAIRN_ASSIGN_OR_RETURN(bool full, QueryFlag(request, "full"));
  if (TextOf(in, "snapshot_type") == "full") full = true;
  CAIRN_ASSIGN_OR_RETURN(db::Snapshot created,
                         control::SnapshotManager(service.db, service.clock).Create(w, s, full, JobOriginOf(request)));
  Audit(service, request, "workload_snapshot", "snapshot", created.id, w.id);
  return Response::Json(202, {{"snapshot", SnapshotView(created, {}, {}, LinkBaseOf(request), false)}});
}

// pause / resume: switch the workload's schedule off or on.
Result<Response> SetScheduleEnabled(ApiService& service, const Request& request, bool enabled) {
  CAIRN_ASSIGN_OR_RETURN(db::Workload w, LoadWorkload(service, request, request.PathParam("workload_id")));
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, enabled ? "workload:workload_resume" : "workload:workload_pause",
                                  w.project_id, w.user_id));
  const TimePoint now = service.clock.Now();
  control::JobSchedule schedule = StoredSchedule(w, now);
  schedule.enabled = enabled;
  db::WorkloadUpdate update;
  update.jobschedule = StoredForm(schedule, now);
  CAIRN_RETURN_IF_ERROR(control::WorkloadManager(service.db, service.clock).Modify(w.id, update).status());
  Audit(service, request, enabled ? "workload_resume" : "workload_pause", "workload", w.id);
  return Response::NoBody(202);
}

Result<Response> UnlockWorkload(ApiService& service, const Request& request) {
  CAIRN_ASSIGN_OR_RETURN(db::Workload w, LoadWorkload(service, request, request.PathParam("workload_id")));
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:workload_unlock", w.project_id, w.user_id));
  CAIRN_RETURN_IF_ERROR(control::WorkloadManager(service.db, service.clock).Unlock(w));
  Audit(service, request, "workload_unlock", "workload", w.id);
  return Response::NoBody(202);
}

// Queues a reset (WorkloadManager::Reset): an admin's reset may end the
// jobs of engines that stopped.
Result<Response> ResetWorkload(ApiService& service, const Request& request) {
  CAIRN_ASSIGN_OR_RETURN(db::Workload w, LoadWorkload(service, request, request.PathParam("workload_id")));
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:workload_reset", w.project_id, w.user_id));
  const bool admin = request.auth && request.auth->is_admin;
  CAIRN_ASSIGN_OR_RETURN(std::vector<std::string> ended,
                         control::WorkloadManager(service.db, service.clock).Reset(w, admin, JobOriginOf(request)));
  Audit(service, request, "workload_reset", "workload", w.id,
        ended.empty() ? std::string() : "ended jobs of stopped engines: " + Join(ended, ", "));
  return Response::NoBody(202);
}

Result<Response> ListWorkloadTypes(ApiService& service, const Request& request, bool detail) {
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:workload_type_get_all", request.PathParam("project_id")));
  CAIRN_ASSIGN_OR_RETURN(auto types, db::WorkloadRepository(service.db).ListTypes());
  json list = json::array();
  const LinkBase base = LinkBaseOf(request);
  for (const auto& t : types) list.push_back(WorkloadTypeView(t, base, detail));
  return Response::Json(200, {{"workload_types", std::move(list)}});
}

Result<Response> ShowWorkloadType(ApiService& service, const Request& request) {
  CAIRN_RETURN_IF_ERROR(Authorize(service, request, "workload:workload_type_get", request.PathParam("project_id")));
  const std::string& id = request.PathParam("workload_type_id");
  const Status missing = Status::NotFound("Workload type " + id + " could not be found.");
  if (!LooksLikeId(id)) return missing;
  auto type = db::WorkloadRepository(service.db).GetType(AsciiLower(id));
  if (!type.ok()) return type.status().code() == ErrorCode::kNotFound ? missing : type.status();
  return Response::Json(200, {{"workload_type", WorkloadTypeView(*type, LinkBaseOf(request), true)}});
}

}  // namespace

Status AddWorkloadRoutes(Router& router, ApiService& service) {
  RouteAdder add(router, service);
  CAIRN_RETURN_IF_ERROR(add("GET", "/workload_types", [](ApiService& sv, const Request& r) { return ListWorkloadTypes(sv, r, false); }));
  CAIRN_RETURN_IF_ERROR(add("GET", "/workload_types/detail", [](ApiService& sv, const Request& r) { return ListWorkloadTypes(sv, r, true); }));
  CAIRN_RETURN_IF_ERROR(add("GET", "/workload_types/{workload_type_id}", ShowWorkloadType));
  CAIRN_RETURN_IF_ERROR(add("GET", "/workloads", [](ApiService& sv, const Request& r) { return ListWorkloads(sv, r, false); }));
  CAIRN_RETURN_IF_ERROR(add("GET", "/workloads/detail", [](ApiService& sv, const Request& r) { return ListWorkloads(sv, r, true); }));
  CAIRN_RETURN_IF_ERROR(add("POST", "/workloads", CreateWorkload));
  CAIRN_RETURN_IF_ERROR(add("GET", "/workloads/{workload_id}", ShowWorkload));
  CAIRN_RETURN_IF_ERROR(add("PUT", "/workloads/{workload_id}", UpdateWorkload));
  CAIRN_RETURN_IF_ERROR(add("DELETE", "/workloads/{workload_id}", DeleteWorkload));
  CAIRN_RETURN_IF_ERROR(add("POST", "/workloads/{workload_id}", SnapshotWorkload));
  CAIRN_RETURN_IF_ERROR(add("POST", "/workloads/{workload_id}/pause", [](ApiService& sv, const Request& r) { return SetScheduleEnabled(sv, r, false); }));
  CAIRN_RETURN_IF_ERROR(add("POST", "/workloads/{workload_id}/resume", [](ApiService& sv, const Request& r) { return SetScheduleEnabled(sv, r, true); }));
  CAIRN_RETURN_IF_ERROR(add("POST", "/workloads/{workload_id}/unlock", UnlockWorkload));
  CAIRN_RETURN_IF_ERROR(add("POST", "/workloads/{workload_id}/reset", ResetWorkload));
  return Status::OK();
}

}  // namespace cairn::api
