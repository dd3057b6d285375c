// Settings, the global job scheduler, trusts, workload policies, quotas and
// the admin routes (metrics, audit log, node switch, reassign).
#include <gtest/gtest.h>

#include "db/policy_repository.h"
#include "db/service_repository.h"
#include "db/workload_repository.h"
#include "api_v1/api_v1_harness.h"

namespace cairn::api::testing {
namespace {

TEST_F(ApiV1Test, SettingsRoundTrip) {
  const std::string url = h.P(kProjectA, "/settings");
  json body = {{"settings", json::array({{{"name", "smtp_port"}, {"value", 587}, {"category", "email"},
                                          {"type", "email_settings"}, {"is_public", "False"}, {"is_hidden", 0}},
                                         {{"name", "hidden_one"}, {"value", true}, {"is_hidden", "True"}}})}};
  Answer created = h.Post(url, kTokMemberA, body);
  ASSERT_EQ(created.status, 200) << created.Dump();
  EXPECT_EQ(created.body["settings"][0]["value"], "587");
  EXPECT_EQ(created.body["settings"][0]["is_public"], false);
  EXPECT_EQ(created.body["settings"][1]["value"], "True");
  Answer list = h.Get(url, kTokReaderA);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body["settings"].size(), 1u);
  EXPECT_EQ(h.Get(url + "?get_hidden=True", kTokMemberA).body["settings"].size(), 2u);
  // POST /workloads/settings with no body: a map.
  Answer map = h.Do("POST", h.P(kProjectA, "/workloads/settings"), kTokMemberA);
  ASSERT_EQ(map.status, 200) << map.Dump();
  EXPECT_EQ(map.body["settings"]["smtp_port"], "587");
  Answer one = h.Get(url + "/smtp_port", kTokMemberA);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.body["setting"]["category"], "email");
  // Update with PUT.
  ASSERT_EQ(h.Put(url, kTokMemberA, {{"settings", json::array({{{"name", "smtp_port"}, {"value", "25"}}})}}).status,
            200);
  EXPECT_EQ(h.Get(url + "/smtp_port", kTokMemberA).body["setting"]["value"], "25");
  // Other projects do not see them.
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectB, "/settings/smtp_port"), kTokMemberB), 404, "itemNotFound"));
  EXPECT_TRUE(h.Get(h.P(kProjectB, "/settings"), kTokMemberB).body["settings"].empty());
  // Readers may not write.
  EXPECT_EQ(FaultMessage(h.Post(url, kTokReaderA, body)),
            "Policy doesn't allow setting:setting_create to be performed.");
  EXPECT_EQ(FaultMessage(h.Delete(url + "/smtp_port", kTokReaderA)),
            "Policy doesn't allow setting:setting_delete to be performed.");
  // Delete answers 200.
  EXPECT_EQ(h.Delete(url + "/smtp_port", kTokMemberA).status, 200);
  EXPECT_TRUE(IsFault(h.Delete(url + "/smtp_port", kTokMemberA), 404, "itemNotFound"));
  // Bad bodies.
  for (const char* text : {"", "{}", R"({"settings": 5})", R"({"settings": [{"value": 1}]})",
                           R"({"settings": [{"name": ""}]})", R"({"settings": [{"name": "x", "value": {}}]})",
                           R"({"settings": [{"name": "x", "is_public": "maybe"}]})"}) {
    EXPECT_TRUE(IsFault(h.Do("POST", url, kTokMemberA, text), 400, "badRequest")) << text;
  }
}

TEST_F(ApiV1Test, GlobalJobScheduler) {
  const std::string url = h.P(kProjectA, "/global_job_scheduler");
  Answer get = h.Get(url, kTokReaderA);
  ASSERT_EQ(get.status, 200);
  EXPECT_EQ(get.body["global_job_scheduler"], true);
  Answer refused = h.Do("POST", url + "/disable", kTokMemberA);
  ASSERT_TRUE(IsFault(refused, 403, "forbidden"));
  EXPECT_EQ(FaultMessage(refused), "Policy doesn't allow workload:workload_disable_global_job_scheduler to be performed.");
  EXPECT_EQ(FaultMessage(h.Do("POST", h.P(kProjectA, "/global_job_scheduler/enable"), kTokMemberA)),
            "Policy doesn't allow workload:workload_enable_global_job_scheduler to be performed.");
  Answer off = h.Do("POST", h.P(kAdminProject, "/global_job_scheduler/disable"), kTokAdmin);
  ASSERT_EQ(off.status, 200) << off.Dump();
  EXPECT_EQ(off.body["global_job_scheduler"], false);
  EXPECT_EQ(h.Get(url, kTokMemberA).body["global_job_scheduler"], false);
  // The project's own settings list does not show the global switch.
  EXPECT_TRUE(h.Get(h.P(kProjectA, "/settings?get_hidden=1"), kTokMemberA).body["settings"].empty());
  ASSERT_EQ(h.Do("POST", h.P(kAdminProject, "/global_job_scheduler/enable"), kTokAdmin).status, 200);
  EXPECT_EQ(h.Get(url, kTokMemberA).body["global_job_scheduler"], true);
}

TEST_F(ApiV1Test, Trusts) {
  const std::string url = h.P(kProjectA, "/trusts");
  Answer created = h.Post(url, kTokMemberA, {{"trusts", {{"role_name", "member"}, {"is_cloud_trust", "False"}}}});
  ASSERT_EQ(created.status, 200) << created.Dump();
  ASSERT_TRUE(created.body["trust"].is_array());
  const std::string name = created.body["trust"][0]["name"];
  EXPECT_EQ(created.body["trust"][0]["metadata"]["role_name"], "member");
  EXPECT_EQ(created.body["trust"][0]["user_id"], kUserA);
  Answer list = h.Get(url, kTokReaderA);
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body["trust"].size(), 1u);
  EXPECT_EQ(h.Get(url + "/" + name, kTokMemberA).status, 200);
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectB, "/trusts/" + name), kTokMemberB), 404, "itemNotFound"));
  EXPECT_TRUE(h.Get(h.P(kProjectB, "/trusts"), kTokMemberB).body["trust"].empty());
  EXPECT_TRUE(IsFault(h.Delete(h.P(kProjectB, "/trusts/" + name), kTokMemberB), 404, "itemNotFound"));
  // Roles the caller lacks, cloud trusts for non-admins, readers.
  EXPECT_TRUE(IsFault(h.Post(url, kTokMemberA, {{"trusts", {{"role_name", "admin"}}}}), 400, "badRequest"));
  EXPECT_TRUE(IsFault(h.Post(url, kTokMemberA, {{"trusts", {{"role_name", "member"}, {"is_cloud_trust", true}}}}), 403,
                      "forbidden"));
  EXPECT_EQ(FaultMessage(h.Post(url, kTokReaderA, {{"trusts", {{"role_name", "reader"}}}})),
            "Policy doesn't allow trust:trust_create to be performed.");
  EXPECT_TRUE(IsFault(h.Do("POST", url, kTokMemberA), 400, "badRequest"));

  // scheduler_trust_validate
  const std::string wid = h.CreateWorkload(kTokMemberA, {kVmA1});
  Answer valid = h.Get(h.P(kProjectA, "/workloads/" + wid + "/scheduler_trust_validate"), kTokMemberA);
  ASSERT_EQ(valid.status, 200) << valid.Dump();
  EXPECT_EQ(valid.body["is_valid"], true);
  EXPECT_EQ(valid.body["scheduler_enabled"], true);
  EXPECT_EQ(valid.body["trust"]["name"], name);
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectB, "/workloads/" + wid + "/scheduler_trust_validate"), kTokMemberB), 404,
                      "itemNotFound"));

  EXPECT_EQ(h.Delete(url + "/" + name, kTokMemberA).status, 200);
  EXPECT_TRUE(h.identity().trusts.empty());
  EXPECT_TRUE(IsFault(h.Get(url + "/" + name, kTokMemberA), 404, "itemNotFound"));
  Answer invalid = h.Get(h.P(kProjectA, "/workloads/" + wid + "/scheduler_trust_validate"), kTokMemberA);
  EXPECT_EQ(invalid.body["is_valid"], false);
  EXPECT_TRUE(invalid.body["trust"].is_null());
}

TEST_F(ApiV1Test, OnlyItsCreatorOrAnAdminDeletesATrust) {
  const std::string url = h.P(kProjectA, "/trusts");
  auto create = [&](const char* token) -> std::string {
    Answer created = h.Post(url, token, {{"trusts", {{"role_name", "member"}}}});
    EXPECT_EQ(created.status, 200) << created.Dump();
    return created.body["trust"][0].value("name", "");
  };
  const std::string mine = create(kTokMemberA);
  // A colleague (member of the same project) cannot stop A's schedules.
  Answer colleague = h.Delete(url + "/" + mine, kTokMember2A);
  EXPECT_TRUE(IsFault(colleague, 403, "forbidden")) << colleague.Dump();
  EXPECT_EQ(FaultMessage(colleague), "Policy doesn't allow trust:trust_delete to be performed.");
  EXPECT_EQ(h.Get(url + "/" + mine, kTokMember2A).status, 200);  // still there, still visible
  EXPECT_EQ(h.Delete(url + "/" + mine, kTokMemberA).status, 200);
  // An admin may delete anyone's.
  const std::string again = create(kTokMemberA);
  EXPECT_EQ(h.Delete(url + "/" + again, kTokAdmin).status, 200);
  EXPECT_TRUE(h.identity().trusts.empty());
}

TEST(ApiV1PolicyTarget, UserIdRulesCompareTheObjectsOwner) {
  // The rule the policy documentation offers for "only who created it".
  ApiHarness h({{"workload:workload_delete", "rule:admin_or_creator"},
                {"snapshot:snapshot_delete", "user_id:%(user_id)s"},
                {"workload:workload_get", "user_id:%(user_id)s"}});
  const std::string wid = h.CreateWorkload(kTokMemberA, {kVmA1});
  h.MarkWorkloadAvailable(wid);
  const db::Snapshot snap = h.AddAvailableSnapshot(wid);
  const std::string workload = h.P(kProjectA, "/workloads/" + wid);
  EXPECT_TRUE(IsFault(h.Get(workload, kTokMember2A), 403, "forbidden"));
  EXPECT_EQ(h.Get(workload, kTokMemberA).status, 200);
  EXPECT_TRUE(IsFault(h.Delete(h.P(kProjectA, "/snapshots/" + snap.id), kTokMember2A), 403, "forbidden"));
  EXPECT_TRUE(IsFault(h.Delete(workload, kTokMember2A), 403, "forbidden"));
  Answer own = h.Delete(h.P(kProjectA, "/snapshots/" + snap.id), kTokMemberA);
  EXPECT_LT(own.status, 300) << own.Dump();
  // Creating and listing check the caller, who owns what is created.
  EXPECT_NE(h.CreateWorkload(kTokMember2A, {kVmA2}), "");
}

TEST_F(ApiV1Test, WorkloadPolicies) {
  // Trailing slash, admin only.
  json body = {{"workload_policy",
                {{"display_name", "gold"},
                 {"display_description", "daily"},
                 {"field_values", {{"interval", "1 hr"}, {"full_backup_interval", "2"}, {"retention_policy_value", 3}}},
                 {"metadata", json::object()}}}};
  Answer refused = h.Post(h.P(kProjectA, "/workload_policy/"), kTokMemberA, body);
  ASSERT_TRUE(IsFault(refused, 403, "forbidden"));
  EXPECT_EQ(FaultMessage(refused), "Policy doesn't allow workload:policy_create to be performed.");
  Answer created = h.Post(h.P(kAdminProject, "/workload_policy/"), kTokAdmin, body);
  ASSERT_EQ(created.status, 200) << created.Dump();
  const std::string pid = created.body["policy"]["id"];
  std::map<std::string, json> fields;
  for (const auto& f : created.body["policy"]["field_values"]) fields[f["policy_field_name"]] = f["value"];
  EXPECT_EQ(fields["interval"], "1hr");
  EXPECT_EQ(fields["fullbackup_interval"], "2");
  EXPECT_EQ(fields["retention_policy_value"], "3");
  EXPECT_TRUE(IsFault(h.Post(h.P(kAdminProject, "/workload_policy"), kTokAdmin,
                             {{"workload_policy", {{"display_name", "x"}, {"field_values", {{"colour", "red"}}}}}}),
                      400, "badRequest"));
  EXPECT_TRUE(IsFault(h.Post(h.P(kAdminProject, "/workload_policy"), kTokAdmin,
                             {{"workload_policy", {{"display_name", "x"}, {"field_values", {{"interval", "often"}}}}}}),
                      400, "badRequest"));

  // Assign to A (and an unknown project).
  Answer assigned = h.Post(h.P(kAdminProject, "/workload_policy/" + pid + "/assign"), kTokAdmin,
                           {{"policy", {{"add_projects", json::array({kProjectA, "nope"})},
                                        {"remove_projects", json::array()}}}});
  ASSERT_EQ(assigned.status, 200) << assigned.Dump();
  EXPECT_EQ(assigned.body["failed_ids"], json::array({"nope"}));
  EXPECT_EQ(assigned.body["policy"]["policy_assignments"][0]["project_id"], kProjectA);
  Answer of_a = h.Get(h.P(kProjectA, std::string("/workload_policy/assigned/") + kProjectA), kTokReaderA);
  ASSERT_EQ(of_a.status, 200) << of_a.Dump();
  EXPECT_EQ(of_a.body["policies"][0]["policy_id"], pid);
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectB, std::string("/workload_policy/assigned/") + kProjectA), kTokMemberB), 404,
                      "itemNotFound"));
  // Members list and show policies.
  Answer list = h.Get(h.P(kProjectA, "/workload_policy/"), kTokMemberA);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body["policy_list"].size(), 1u);
  EXPECT_EQ(h.Get(h.P(kProjectA, "/workload_policy/" + pid), kTokMemberA).status, 200);
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectA, "/workload_policy/nope"), kTokMemberA), 404, "itemNotFound"));

  // A workload following the policy; an update of the policy changes its schedule.
  json wl = WorkloadBody({kVmA1});
  wl["workload"]["policy_id"] = pid;
  Answer w = h.Post(h.P(kProjectA, "/workloads"), kTokMemberA, wl);
  ASSERT_EQ(w.status, 202) << w.Dump();
  EXPECT_EQ(w.body["workload"]["jobschedule"]["interval"], "1hr");
  const std::string wid = w.body["workload"]["id"];
  Answer updated = h.Put(h.P(kAdminProject, "/workload_policy/" + pid), kTokAdmin,
                         {{"policy", {{"field_values", {{"interval", "6hr"}}}}}});
  ASSERT_EQ(updated.status, 200) << updated.Dump();
  EXPECT_EQ(h.Get(h.P(kProjectA, "/workloads/" + wid), kTokMemberA).body["workload"]["jobschedule"]["interval"],
            "6hr");
  // In use: delete is 409.
  EXPECT_TRUE(IsFault(h.Delete(h.P(kAdminProject, "/workload_policy/" + pid), kTokAdmin), 409, "conflict"));
  EXPECT_EQ(FaultMessage(h.Delete(h.P(kProjectA, "/workload_policy/" + pid), kTokMemberA)),
            "Policy doesn't allow workload:policy_delete to be performed.");
}

// A workload whose metadata.policy_id is null (clients send it so) does not
// follow any policy, and does not make policy update or delete answer 500.
TEST_F(ApiV1Test, NullPolicyIdInMetadataIsNoPolicy) {
  db::Policy p;
  p.name = "silver";
  p.field_values = {{"interval", "12hr"}};
  auto created = db::PolicyRepository(h.db()).Create(p);
  ASSERT_TRUE(created.ok());
  json wl = WorkloadBody({kVmA1});
  wl["workload"]["metadata"] = {{"policy_id", nullptr}};
  Answer w = h.Post(h.P(kProjectA, "/workloads"), kTokMemberA, wl);
  ASSERT_EQ(w.status, 202) << w.Dump();
  const std::string wid = w.body["workload"]["id"];
  Answer updated = h.Put(h.P(kAdminProject, "/workload_policy/" + created->id), kTokAdmin,
                         {{"policy", {{"field_values", {{"interval", "6hr"}}}}}});
  ASSERT_EQ(updated.status, 200) << updated.Dump();
  EXPECT_EQ(h.Get(h.P(kProjectA, "/workloads/" + wid), kTokMemberA).body["workload"]["jobschedule"]["interval"],
            "24hr");
  Answer deleted = h.Delete(h.P(kAdminProject, "/workload_policy/" + created->id), kTokAdmin);
  EXPECT_EQ(deleted.status, 202) << deleted.Dump();
}

TEST_F(ApiV1Test, PolicyAssignmentsOfOtherProjectsStayHidden) {
  db::Policy p;
  p.name = "shared";
  p.field_values = {{"interval", "24hr"}};
  auto created = db::PolicyRepository(h.db()).Create(p);
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(db::PolicyRepository(h.db()).Assign(created->id, kProjectA, "project-a-name").ok());
  Answer list = h.Get(h.P(kProjectB, "/workload_policy"), kTokMemberB);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.text.find(kProjectA), std::string::npos) << list.Dump();
  Answer show = h.Get(h.P(kProjectB, "/workload_policy/" + created->id), kTokMemberB);
  EXPECT_EQ(show.text.find(kProjectA), std::string::npos) << show.Dump();
  // A's own members and the admin see A's assignment.
  EXPECT_NE(h.Get(h.P(kProjectA, "/workload_policy"), kTokMemberA).text.find(kProjectA), std::string::npos);
  EXPECT_NE(h.Get(h.P(kAdminProject, "/workload_policy"), kTokAdmin).text.find(kProjectA), std::string::npos);
}

TEST_F(ApiV1Test, Quotas) {
  Answer types = h.Get(h.P(kProjectA, "/project_quota_types"), kTokReaderA);
  ASSERT_EQ(types.status, 200);
  std::set<std::string> names;
  for (const auto& t : types.body["quota_types"]) names.insert(t["name"]);
  EXPECT_EQ(names, (std::set<std::string>{"Workloads", "Snapshots", "VMs", "Volumes", "Storage"}));
  EXPECT_EQ(h.Get(h.P(kProjectA, std::string("/project_quota_types/") + std::string(db::kQuotaTypeVmsId)), kTokMemberA)
                .status,
            200);

  const std::string create_url = h.P(kAdminProject, std::string("/project_allowed_quotas/") + kProjectA);
  json body = {{"allowed_quotas", json::array({{{"quota_type_id", std::string(db::kQuotaTypeWorkloadsId)},
                                                {"project_id", kProjectA},
                                                {"allowed_value", "5"},
                                                {"high_watermark", 4}}})}};
  Answer refused = h.Post(h.P(kProjectA, std::string("/project_allowed_quotas/") + kProjectA), kTokMemberA, body);
  EXPECT_EQ(FaultMessage(refused), "Policy doesn't allow workload:create_allowed_quota to be performed.");
  Answer created = h.Post(create_url, kTokAdmin, body);
  ASSERT_EQ(created.status, 200) << created.Dump();
  const std::string qid = created.body["allowed_quotas"][0]["id"];
  EXPECT_TRUE(IsFault(h.Post(create_url, kTokAdmin, body), 409, "conflict"));
  EXPECT_TRUE(IsFault(h.Post(h.P(kAdminProject, "/project_allowed_quotas/nope"), kTokAdmin, body), 400, "badRequest"));

  Answer list = h.Get(h.P(kProjectA, std::string("/project_allowed_quotas/") + kProjectA), kTokReaderA);
  ASSERT_EQ(list.status, 200) << list.Dump();
  EXPECT_EQ(list.body["allowed_quotas"].size(), 1u);
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectB, std::string("/project_allowed_quotas/") + kProjectA), kTokMemberB), 404,
                      "itemNotFound"));
  Answer one = h.Get(h.P(kProjectA, "/project_allowed_quota/" + qid), kTokMemberA);
  ASSERT_EQ(one.status, 200) << one.Dump();
  const json& q = one.body["allowed_quotas"];
  std::set<std::string> keys;
  for (const auto& [k, v] : q.items()) keys.insert(k);
  EXPECT_EQ(keys, (std::set<std::string>{"id", "project_id", "quota_type_id", "allowed_value", "high_watermark",
                                         "version", "quota_type_name"}));
  EXPECT_EQ(q["allowed_value"], 5);
  EXPECT_EQ(q["quota_type_name"], "Workloads");
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectB, "/project_allowed_quota/" + qid), kTokMemberB), 404, "itemNotFound"));

  Answer upd = h.Put(h.P(kAdminProject, "/update_allowed_quota/" + qid), kTokAdmin,
                     {{"allowed_quotas", {{"allowed_value", 10}, {"high_watermark", "8"}}}});
  ASSERT_EQ(upd.status, 200) << upd.Dump();
  EXPECT_EQ(upd.body["allowed_quotas"]["allowed_value"], 10);
  EXPECT_GT(upd.body["allowed_quotas"]["version"].get<int64_t>(), q["version"].get<int64_t>());
  EXPECT_TRUE(IsFault(h.Put(h.P(kAdminProject, "/update_allowed_quota/" + qid), kTokAdmin,
                            {{"allowed_quotas", {{"allowed_value", 2}, {"high_watermark", 3}}}}),
                      400, "badRequest"));
  // A value not sent is the stored one, read in the transaction that writes.
  EXPECT_TRUE(IsFault(h.Put(h.P(kAdminProject, "/update_allowed_quota/" + qid), kTokAdmin,
                            {{"allowed_quotas", {{"high_watermark", 11}}}}),
                      400, "badRequest"));
  Answer lower = h.Put(h.P(kAdminProject, "/update_allowed_quota/" + qid), kTokAdmin,
                       {{"allowed_quotas", {{"allowed_value", 4}}}});
  ASSERT_EQ(lower.status, 200) << lower.Dump();
  EXPECT_EQ(lower.body["allowed_quotas"]["high_watermark"], 4);
  EXPECT_EQ(FaultMessage(h.Delete(h.P(kProjectA, "/project_allowed_quotas/" + qid), kTokMemberA)),
            "Policy doesn't allow workload:delete_allowed_quota to be performed.");
  EXPECT_EQ(h.Delete(h.P(kAdminProject, "/project_allowed_quotas/" + qid), kTokAdmin).status, 202);
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectA, "/project_allowed_quota/" + qid), kTokMemberA), 404, "itemNotFound"));
}

TEST_F(ApiV1Test, AdminRoutesRefuseMembersNamingTheRule) {
  const std::map<std::string, std::string> routes = {
      {"GET /workloads/metrics/nodes", "workload:get_nodes"},
      {"GET /workloads/metrics/storage_usage", "workload:get_storage_usage"},
      {"GET /workloads/metrics/tenants_usage", "workload:get_tenants_usage"},
      {"GET /workloads/audit/auditlog", "workload:get_auditlog"},
      {"POST /workloads/service/update", "workload:change_node_status"},
      {"POST /workloads/reasign_workloads", "workload:workload_reassign"},
      {"GET /workloads/get_list/import_workloads", "workload:get_import_workloads_list"},
      {"POST /workloads/import_workloads", "workload:import_workloads"},
      {"GET /workloads/orphan_workloads", "workload:get_orphan_workloads_list"},
  };
  for (const auto& [route, rule] : routes) {
    const size_t space = route.find(' ');
    Answer a = h.Do(route.substr(0, space), h.P(kProjectA, route.substr(space + 1)), kTokMemberA, "{}");
    EXPECT_TRUE(IsFault(a, 403, "forbidden")) << route;
    EXPECT_EQ(FaultMessage(a), "Policy doesn't allow " + rule + " to be performed.") << route;
  }
}

// A node whose capacity report holds a member of the wrong type (or none)
// counts as 0 instead of making storage_usage answer 500.
TEST_F(ApiV1Test, StorageUsageToleratesOddCapacityReports) {
  db::Service odd;
  odd.host = "compute-odd";
  odd.binary = "cairn-datamover";
  odd.version = "1";
  odd.capacity = {{"target_total_bytes", "lots"}, {"target_free_bytes", json::array()}};
  ASSERT_TRUE(db::ServiceRepository(h.db()).Upsert(odd).ok());
  db::Service good;
  good.host = "compute-good";
  good.binary = "cairn-datamover";
  good.version = "1";
  good.capacity = {{"target_total_bytes", int64_t{1} << 40}};
  ASSERT_TRUE(db::ServiceRepository(h.db()).Upsert(good).ok());
  Answer usage = h.Get(h.P(kAdminProject, "/workloads/metrics/storage_usage"), kTokAdmin);
  ASSERT_EQ(usage.status, 200) << usage.Dump();
  EXPECT_EQ(usage.body["storage_usage"][0]["total_capacity"], int64_t{1} << 40);
  EXPECT_EQ(usage.body["storage_usage"][0]["available_capacity"], 0);
}

TEST_F(ApiV1Test, AdminMetricsAndAudit) {
  const std::string wa = h.CreateWorkload(kTokMemberA, {kVmA1, kVmA2});
  h.CreateWorkload(kTokMemberB, {kVmB1});
  db::Service node;
  node.host = "compute-1";
  node.binary = "cairn-datamover";
  node.version = "1";
  node.capacity = {{"target_total_bytes", int64_t{1} << 40}, {"target_free_bytes", int64_t{1} << 39}};
  ASSERT_TRUE(db::ServiceRepository(h.db()).Upsert(node).ok());

  Answer nodes = h.Get(h.P(kAdminProject, "/workloads/metrics/nodes"), kTokAdmin);
  ASSERT_EQ(nodes.status, 200) << nodes.Dump();
  EXPECT_EQ(nodes.body["nodes"][0]["node"], "compute-1");
  EXPECT_EQ(nodes.body["nodes"][0]["status"], "Up");
  Answer usage = h.Get(h.P(kAdminProject, "/workloads/metrics/storage_usage"), kTokAdmin);
  ASSERT_EQ(usage.status, 200);
  EXPECT_EQ(usage.body["storage_usage"][0]["total_capacity_humanized"], "1.00 TB");
  Answer tenants = h.Get(h.P(kAdminProject, "/workloads/metrics/tenants_usage"), kTokAdmin);
  ASSERT_EQ(tenants.status, 200);
  EXPECT_EQ(tenants.body["tenants_usage"][kProjectA]["vms_protected"], 2);
  EXPECT_EQ(tenants.body["global_usage"]["vms_protected"], 3);

  Answer off = h.Post(h.P(kAdminProject, "/workloads/service/update"), kTokAdmin,
                      {{"node_name", "compute-1"}, {"status", "0"}, {"reason", "maintenance"}});
  ASSERT_EQ(off.status, 200) << off.Dump();
  EXPECT_EQ(h.Get(h.P(kAdminProject, "/workloads/metrics/nodes"), kTokAdmin).body["nodes"][0]["is_enabled"], false);
  EXPECT_TRUE(IsFault(h.Post(h.P(kAdminProject, "/workloads/service/update"), kTokAdmin,
                             {{"node_name", "nowhere"}, {"status", 1}}),
                      400, "badRequest"));
  EXPECT_TRUE(IsFault(h.Post(h.P(kAdminProject, "/workloads/service/update"), kTokAdmin,
                             {{"node_name", "compute-1"}, {"status", 2}}),
                      400, "badRequest"));

  Answer audit = h.Get(h.P(kAdminProject, "/workloads/audit/auditlog?time_in_minutes=60"), kTokAdmin);
  ASSERT_EQ(audit.status, 200) << audit.Dump();
  ASSERT_TRUE(audit.body["auditlog"].is_array());
  bool found = false;
  for (const auto& e : audit.body["auditlog"]) found = found || (e["object_id"] == wa && e["action"] == "workload_create");
  EXPECT_TRUE(found) << audit.Dump();
  EXPECT_TRUE(IsFault(h.Get(h.P(kAdminProject, "/workloads/audit/auditlog?time_in_minutes=-5"), kTokAdmin), 400,
                      "badRequest"));
}

TEST_F(ApiV1Test, Reassign) {
  const std::string wa = h.CreateWorkload(kTokMemberA, {kVmA1});
  h.MarkWorkloadAvailable(wa);
  const db::Snapshot snap = h.AddAvailableSnapshot(wa);
  const db::Restore restore = h.AddRestore(snap, "available");
  const std::string url = h.P(kAdminProject, "/workloads/reasign_workloads");
  json body = json::array({{{"workload_ids", json::array({wa})}, {"migrate_cloud", false},
                            {"old_tenant_ids", json::array()}, {"user_id", kUserB}, {"new_tenant_id", kProjectB}}});
  Answer bad_user = h.Post(url, kTokAdmin, json::array({{{"workload_ids", json::array({wa})}, {"user_id", "ghost"},
                                                           {"new_tenant_id", kProjectB}}}));
  EXPECT_TRUE(IsFault(bad_user, 400, "badRequest"));
  Answer bad_project = h.Post(url, kTokAdmin, json::array({{{"workload_ids", json::array({wa})}, {"user_id", kUserB},
                                                              {"new_tenant_id", "ghost"}}}));
  EXPECT_TRUE(IsFault(bad_project, 400, "badRequest"));
  Answer a = h.Post(url, kTokAdmin, body);
  ASSERT_EQ(a.status, 200) << a.Dump();
  EXPECT_EQ(a.body["workloads"]["reassigned_workloads"][0]["id"], wa);
  EXPECT_EQ(h.Get(h.P(kProjectB, "/workloads/" + wa), kTokMemberB).status, 200);
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectA, "/workloads/" + wa), kTokMemberA), 404, "itemNotFound"));
  // Its snapshots and restores go with it (each is seen through its own project).
  EXPECT_EQ(h.Get(h.P(kProjectB, "/snapshots/" + snap.id), kTokMemberB).status, 200);
  EXPECT_EQ(h.Get(h.P(kProjectB, "/restores/" + restore.id), kTokMemberB).status, 200);
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectA, "/snapshots/" + snap.id), kTokMemberA), 404, "itemNotFound"));
}

TEST_F(ApiV1Test, ReassignIsAllOrNothing) {
  const std::string wa = h.CreateWorkload(kTokMemberA, {kVmA1});
  // One good id and one unknown one: a 400, and nothing moved.
  json body = json::array({{{"workload_ids", json::array({wa, "00000000-0000-4000-8000-000000000000"})},
                            {"user_id", kUserB}, {"new_tenant_id", kProjectB}}});
  EXPECT_TRUE(IsFault(h.Post(h.P(kAdminProject, "/workloads/reasign_workloads"), kTokAdmin, body), 400, "badRequest"));
  EXPECT_EQ(db::WorkloadRepository(h.db()).Get(wa)->project_id, kProjectA);
}

}  // namespace
}  // namespace cairn::api::testing
