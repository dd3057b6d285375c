#include "api_v1/route_fixtures.h"

#include "db/models.h"
#include "db/policy_repository.h"
#include "db/quota_repository.h"
#include "db/setting_repository.h"

namespace cairn::api::testing {
namespace {

bool EndsWith(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

std::string Replace(std::string s, std::string_view from, std::string_view to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

}  // namespace

std::vector<std::string> ProjectObjects::Secrets() const {
  std::vector<std::string> out = {project,  workload,      workload_name, victim_workload, snapshot,
                                  snapshot_name, victim_snapshot, restore, restore_name, victim_restore,
                                  setting_name, setting_value, trust,    quota};
  for (const auto& vm : vms) out.push_back(vm);
  for (const auto& name : vm_names) out.push_back(name);
  return out;
}

ProjectObjects SeedProject(ApiHarness& h, bool a) {
  ProjectObjects o;
  const std::string tag = a ? "alpha" : "beta";
  o.project = a ? kProjectA : kProjectB;
  o.token = a ? kTokMemberA : kTokMemberB;
  o.user = a ? kUserA : kUserB;
  o.vms = a ? std::vector<std::string>{kVmA1, kVmA2, kVmA3} : std::vector<std::string>{kVmB1, kVmB2, kVmB3};
  o.vm_names = a ? std::vector<std::string>{"vm-a1", "vm-a2", "vm-a3"} : std::vector<std::string>{"vm-b1", "vm-b2", "vm-b3"};
  o.spare_vm = a ? kVmA4 : "";
  o.workload_name = tag + "-secret-workload";
  o.workload = h.CreateWorkload(o.token, {o.vms[0], o.vms[1]}, o.workload_name);
  h.MarkWorkloadAvailable(o.workload);
  o.victim_workload = h.CreateWorkload(o.token, {o.vms[2]}, tag + "-secret-victim");
  o.snapshot_name = tag + "-secret-snapshot";
  const db::Snapshot s = h.AddAvailableSnapshot(o.workload, o.snapshot_name);
  o.snapshot = s.id;
  o.victim_snapshot = h.AddAvailableSnapshot(o.workload, tag + "-secret-victim-snapshot").id;
  o.restore_name = tag + "-secret-restore";
  o.restore = h.AddRestore(s, "executing", o.restore_name).id;
  o.victim_restore = h.AddRestore(s, "available", tag + "-secret-victim-restore").id;
  o.setting_name = tag + "_secret_setting";
  o.setting_value = tag + "-secret-value";
  db::Setting setting;
  setting.project_id = o.project;
  setting.name = o.setting_name;
  setting.value = o.setting_value;
  setting.user_id = o.user;
  EXPECT_TRUE(db::SettingRepository(h.db()).Upsert(setting).ok());
  Answer trust = h.Post(ApiHarness::P(o.project, "/trusts"), o.token, {{"trusts", {{"role_name", "member"}}}});
  EXPECT_EQ(trust.status, 200) << trust.Dump();
  if (trust.status == 200) o.trust = trust.body["trust"][0]["name"];
  db::AllowedQuota q;
  q.project_id = o.project;
  q.quota_type_id = std::string(db::kQuotaTypeWorkloadsId);
  q.allowed_value = 100;
  q.high_watermark = 90;
  auto quota = db::QuotaRepository(h.db()).Create(q);
  EXPECT_TRUE(quota.ok()) << quota.status().ToString();
  if (quota.ok()) o.quota = quota->id;
  db::Policy p;
  p.name = tag + "-policy";
  p.field_values = {{"interval", "12hr"}};
  auto policy = db::PolicyRepository(h.db()).Create(p);
  EXPECT_TRUE(policy.ok());
  if (policy.ok()) {
    o.policy = policy->id;
    EXPECT_TRUE(db::PolicyRepository(h.db()).Assign(o.policy, o.project, "").ok());
  }
  return o;
}

std::string RoutePath(const Route& route, const ProjectObjects& o, const std::string& url_project) {
  const bool destructive = route.method == "DELETE";
  std::string p = route.pattern;
  p = Replace(p, "{project_id}", url_project);
  p = Replace(p, "{workload_id}", destructive && EndsWith(route.pattern, "/workloads/{workload_id}") ? o.victim_workload
                                                                                                   : o.workload);
  p = Replace(p, "{snapshot_id}",
              destructive && EndsWith(route.pattern, "/snapshots/{snapshot_id}") ? o.victim_snapshot : o.snapshot);
  p = Replace(p, "{restore_id}", destructive ? o.victim_restore : o.restore);
  p = Replace(p, "{workload_type_id}", kParallelType);
  p = Replace(p, "{quota_type_id}", std::string(db::kQuotaTypeVmsId));
  p = Replace(p, "{quota_project_id}", o.project);
  p = Replace(p, "{assigned_project_id}", o.project);
  p = Replace(p, "{quota_id}", o.quota);
  p = Replace(p, "{policy_id}", o.policy);
  p = Replace(p, "{trust_name}", o.trust);
  p = Replace(p, "{name}", o.setting_name);
  return p;
}

std::string ValidBody(const Route& route, const ProjectObjects& o) {
  const std::string& m = route.method;
  const std::string& p = route.pattern;
  if (m == "POST" && EndsWith(p, "/workloads")) {
    std::vector<std::string> vms;
    if (!o.spare_vm.empty()) vms.push_back(o.spare_vm);
    return WorkloadBody(vms, "corpus").dump();
  }
  if (m == "PUT" && EndsWith(p, "/workloads/{workload_id}")) {
    return json{{"workload", {{"description", "changed"}, {"jobschedule", {{"enabled", "True"}, {"interval", "1 hr"}}},
                              {"metadata", {{"k", "v"}}}}}}
        .dump();
  }
  if (m == "POST" && EndsWith(p, "/workloads/{workload_id}")) {
    return json{{"snapshot", {{"name", "s"}, {"description", "d"}, {"is_scheduled", false}}}}.dump();
  }
  if (m == "POST" && EndsWith(p, "/restores")) {
    json instance = {{"id", o.vms[0]}, {"include", true}, {"name", "x"}, {"flavor", {{"vcpus", 1}, {"ram", 512}}},
                     {"nics", json::array()}, {"vdisks", json::array()}};
    json mapping = {{"snapshot_network", {{"id", "n1"}, {"subnet", {{"id", "s1"}}}}},
                    {"target_network", {{"id", "n2"}, {"subnet", {{"id", "s2"}}}}}};
    json openstack = {{"instances", json::array({instance})},
                      {"networks_mapping", {{"networks", json::array({mapping})}}}};
    json options = {{"restore_type", "selective"}, {"type", "openstack"}, {"openstack", openstack}};
    return json{{"restore", {{"name", "r"}, {"options", options}}}}.dump();
  }
  if ((m == "POST" || m == "PUT") && EndsWith(p, "/settings")) {
    return json{{"settings", json::array({{{"name", "corpus_setting"}, {"value", "1"}, {"category", "c"},
                                           {"is_public", "False"}, {"metadata", json::object()}}})}}
        .dump();
  }
  if (m == "POST" && EndsWith(p, "/trusts")) return json{{"trusts", {{"role_name", "member"}, {"is_cloud_trust", false}}}}.dump();
  if (m == "POST" && EndsWith(p, "/workload_policy")) {
    return json{{"workload_policy",
                 {{"display_name", "corpus-policy"},
                  {"display_description", "d"},
                  {"field_values", {{"interval", "24hr"}, {"retention_policy_value", "3"}}},
                  {"metadata", json::object()}}}}
        .dump();
  }
  if (m == "PUT" && EndsWith(p, "/workload_policy/{policy_id}")) {
    return json{{"policy", {{"display_description", "changed"}, {"field_values", {{"fullbackup_interval", "2"}}}}}}.dump();
  }
  if (m == "POST" && EndsWith(p, "/assign")) {
    return json{{"policy", {{"add_projects", json::array({o.project})}, {"remove_projects", json::array()}}}}.dump();
  }
  if (m == "POST" && EndsWith(p, "/project_allowed_quotas/{quota_project_id}")) {
    return json{{"allowed_quotas", json::array({{{"quota_type_id", std::string(db::kQuotaTypeVmsId)},
                                                 {"project_id", o.project},
                                                 {"allowed_value", 50},
                                                 {"high_watermark", 40}}})}}
        .dump();
  }
  if (m == "PUT" && EndsWith(p, "/update_allowed_quota/{quota_id}")) {
    return json{{"allowed_quotas", {{"allowed_value", 100}, {"high_watermark", 80}}}}.dump();
  }
  if (m == "POST" && EndsWith(p, "/workloads/service/update")) {
    return json{{"node_name", "compute-1"}, {"status", 1}, {"reason", ""}}.dump();
  }
  if (m == "POST" && EndsWith(p, "/workloads/reasign_workloads")) {
    return json::array({{{"workload_ids", json::array({o.workload})},
                         {"old_tenant_ids", json::array()},
                         {"user_id", o.user},
                         {"new_tenant_id", o.project},
                         {"migrate_cloud", false}}})
        .dump();
  }
  return "";
}

bool IsReadRoute(const Route& route) {
  if (route.method == "GET") return !EndsWith(route.pattern, "/cancel");
  return route.method == "POST" && EndsWith(route.pattern, "/workloads/settings");
}

bool IsAdminRoute(const Route& route) {
  const std::string& p = route.pattern;
  for (const char* admin : {"/workloads/metrics/", "/workloads/audit/", "/workloads/service/update",
                            "/workloads/reasign_workloads", "/global_job_scheduler/", "/update_allowed_quota/"}) {
    if (p.find(admin) != std::string::npos) return true;
  }
  if (p.find("/workload_policy") != std::string::npos && route.method != "GET") return true;
  if (p.find("/project_allowed_quotas/") != std::string::npos && route.method != "GET") return true;
  return false;
}

bool NamesAnObject(const Route& route) {
  for (const char* param : {"{workload_id}", "{snapshot_id}", "{restore_id}", "{quota_project_id}", "{quota_id}",
                            "{assigned_project_id}", "{trust_name}", "{name}"}) {
    if (route.pattern.find(param) != std::string::npos) return true;
  }
  return false;
}

}  // namespace cairn::api::testing
