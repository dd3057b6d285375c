#include <gtest/gtest.h>

#include "db/audit_repository.h"
#include "db/policy_repository.h"
#include "db/purge.h"
#include "db/quota_repository.h"
#include "db/service_repository.h"
#include "db/setting_repository.h"
#include "db/trust_repository.h"
#include "db_test_support.h"

namespace cairn::db {
namespace {

using testing::DbTest;

class OtherRepositoriesTest : public DbTest {};

TEST_P(OtherRepositoriesTest, SettingsUpsertGetListDelete) {
  SettingRepository repo(*db_);
  CAIRN_ASSERT_OK(repo.Upsert({.project_id = std::string(kGlobalProject),
                               .name = std::string(kGlobalJobSchedulerSetting), .value = "true"}));
  CAIRN_ASSERT_OK(repo.Upsert({.project_id = "p1", .name = "smtp_port", .value = "25", .category = "email"}));
  auto first = repo.Upsert({.project_id = "p1", .name = "hidden", .value = "x", .is_hidden = true});
  CAIRN_ASSERT_OK(first);
  auto replaced = repo.Upsert({.project_id = "p1", .name = "smtp_port", .value = "587", .category = "email",
                               .metadata = {{"k", "v"}}});
  CAIRN_ASSERT_OK(replaced);
  auto got = repo.Get("p1", "smtp_port");
  CAIRN_ASSERT_OK(got);
  EXPECT_EQ(got->value, "587");
  EXPECT_EQ(got->metadata["k"], "v");
  auto global = repo.Get("", "global_job_scheduler");
  CAIRN_ASSERT_OK(global);
  EXPECT_EQ(global->value, "true");
  EXPECT_EQ(repo.Get("p2", "smtp_port").status().code(), ErrorCode::kNotFound);

  auto all = repo.List("p1");
  CAIRN_ASSERT_OK(all);
  EXPECT_EQ(all->size(), 2u);
  auto visible = repo.List("p1", /*include_hidden=*/false);
  CAIRN_ASSERT_OK(visible);
  ASSERT_EQ(visible->size(), 1u);
  EXPECT_EQ((*visible)[0].name, "smtp_port");

  CAIRN_ASSERT_OK(repo.Delete("p1", "smtp_port"));
  EXPECT_EQ(repo.Delete("p1", "smtp_port").code(), ErrorCode::kNotFound);
  EXPECT_EQ(repo.Get("p1", "smtp_port").status().code(), ErrorCode::kNotFound);
  CAIRN_ASSERT_OK(repo.Upsert({.project_id = "p1", .name = "smtp_port", .value = "2525"}));  // revived
  auto revived = repo.Get("p1", "smtp_port");
  CAIRN_ASSERT_OK(revived);
  EXPECT_EQ(revived->value, "2525");
}

TEST_P(OtherRepositoriesTest, PoliciesAndAssignments) {
  PolicyRepository repo(*db_);
  auto gold = repo.Create({.name = "gold", .field_values = {{"interval", "1hr"}, {"retention_policy_value", "7"}}});
  auto silver = repo.Create({.name = "silver"});
  CAIRN_ASSERT_OK(gold);
  CAIRN_ASSERT_OK(silver);
  auto got = repo.Get(gold->id);
  CAIRN_ASSERT_OK(got);
  EXPECT_EQ(got->field_values["interval"], "1hr");
  auto updated = repo.Update(gold->id, {.field_values = Json{{"interval", "24hr"}}});
  CAIRN_ASSERT_OK(updated);
  EXPECT_EQ(updated->field_values["interval"], "24hr");
  EXPECT_EQ(updated->name, "gold");

  CAIRN_ASSERT_OK(repo.Assign(gold->id, "p1", "Project One"));
  CAIRN_ASSERT_OK(repo.Assign(gold->id, "p1", "Renamed"));
  CAIRN_ASSERT_OK(repo.Assign(gold->id, "p2", "Two"));
  CAIRN_ASSERT_OK(repo.Assign(silver->id, "p1", "Project One"));
  EXPECT_EQ(repo.Assign("nope", "p1", "x").code(), ErrorCode::kNotFound);
  auto of_p1 = repo.AssignmentsOfProject("p1");
  CAIRN_ASSERT_OK(of_p1);
  EXPECT_EQ(of_p1->size(), 2u);
  auto of_gold = repo.AssignmentsOfPolicy(gold->id);
  CAIRN_ASSERT_OK(of_gold);
  ASSERT_EQ(of_gold->size(), 2u);
  EXPECT_EQ((*of_gold)[0].project_name, "Renamed");
  CAIRN_ASSERT_OK(repo.Unassign(gold->id, "p2"));
  of_gold = repo.AssignmentsOfPolicy(gold->id);
  CAIRN_ASSERT_OK(of_gold);
  EXPECT_EQ(of_gold->size(), 1u);

  CAIRN_ASSERT_OK(repo.SoftDelete(silver->id));
  of_p1 = repo.AssignmentsOfProject("p1");
  CAIRN_ASSERT_OK(of_p1);
  ASSERT_EQ(of_p1->size(), 1u);
  EXPECT_EQ((*of_p1)[0].policy_id, gold->id);
  auto list = repo.List();
  CAIRN_ASSERT_OK(list);
  EXPECT_EQ(list->size(), 1u);
  auto purged = repo.Purge(UtcNow() + std::chrono::hours(1));
  CAIRN_ASSERT_OK(purged);
  EXPECT_EQ(*purged, 1);
}

TEST_P(OtherRepositoriesTest, QuotaTypesAndAllowedQuotas) {
  QuotaRepository repo(*db_);
  auto types = repo.ListTypes();
  CAIRN_ASSERT_OK(types);
  ASSERT_EQ(types->size(), 5u);
  EXPECT_EQ((*types)[0].name, "Workloads");
  EXPECT_EQ((*types)[4].name, "Storage");
  EXPECT_EQ((*types)[2].id, kQuotaTypeVmsId);

  auto q = repo.Create({.project_id = "p1", .quota_type_id = std::string(kQuotaTypeWorkloadsId),
                        .allowed_value = 10, .high_watermark = 8});
  CAIRN_ASSERT_OK(q);
  EXPECT_EQ(q->quota_type_name, "Workloads");
  EXPECT_EQ(q->version, 0);
  // A second live quota of the same type for the project: Conflict.
  auto dup = repo.Create({.project_id = "p1", .quota_type_id = std::string(kQuotaTypeWorkloadsId)});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().code(), ErrorCode::kConflict) << dup.status().ToString();
  auto unknown = repo.Create({.project_id = "p1", .quota_type_id = "nope"});
  EXPECT_EQ(unknown.status().code(), ErrorCode::kNotFound);
  CAIRN_ASSERT_OK(repo.Create({.project_id = "p1", .quota_type_id = std::string(kQuotaTypeStorageId),
                               .allowed_value = 1LL << 40}));

  auto updated = repo.Update(q->id, {.allowed_value = 20});
  CAIRN_ASSERT_OK(updated);
  EXPECT_EQ(updated->allowed_value, 20);
  EXPECT_EQ(updated->high_watermark, 8);
  EXPECT_EQ(updated->version, 1);
  auto listed = repo.ListByProject("p1");
  CAIRN_ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[1].allowed_value, 1LL << 40);
  auto found = repo.Find("p1", kQuotaTypeWorkloadsId);
  CAIRN_ASSERT_OK(found);
  ASSERT_TRUE(found->has_value());

  CAIRN_ASSERT_OK(repo.SoftDelete(q->id));
  EXPECT_EQ(repo.Get(q->id).status().code(), ErrorCode::kNotFound);
  // Deleted: a new one of the same type may be created.
  CAIRN_ASSERT_OK(repo.Create({.project_id = "p1", .quota_type_id = std::string(kQuotaTypeWorkloadsId)}));
  auto purged = repo.Purge(UtcNow() + std::chrono::hours(1));
  CAIRN_ASSERT_OK(purged);
  EXPECT_EQ(*purged, 1);
}

TEST_P(OtherRepositoriesTest, Trusts) {
  TrustRepository repo(*db_);
  auto t = repo.Create({.name = "trust-1", .project_id = "p1", .user_id = "u1",
                        .metadata = {{"role_name", "member"}, {"is_cloud_trust", false}}});
  CAIRN_ASSERT_OK(t);
  auto dup = repo.Create({.name = "trust-1", .project_id = "p1"});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().code(), ErrorCode::kConflict);
  auto got = repo.GetByName("trust-1");
  CAIRN_ASSERT_OK(got);
  EXPECT_EQ(got->metadata["role_name"], "member");
  auto list = repo.ListByProject("p1");
  CAIRN_ASSERT_OK(list);
  EXPECT_EQ(list->size(), 1u);
  CAIRN_ASSERT_OK(repo.Delete("trust-1"));
  EXPECT_EQ(repo.GetByName("trust-1").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(repo.Delete("trust-1").code(), ErrorCode::kNotFound);
}

TEST_P(OtherRepositoriesTest, AuditLogByTimeRange) {
  AuditRepository repo(*db_);
  TimePoint t0 = std::chrono::floor<std::chrono::microseconds>(UtcNow()) - std::chrono::hours(2);
  for (int i = 0; i < 5; ++i) {
    CAIRN_ASSERT_OK(repo.Append({.created_at = t0 + std::chrono::minutes(10 * i), .user_name = "admin",
                                 .action = "workload_create", .object_id = std::to_string(i)}));
  }
  auto all = repo.List(std::nullopt, std::nullopt);
  CAIRN_ASSERT_OK(all);
  ASSERT_EQ(all->size(), 5u);
  EXPECT_EQ((*all)[0].object_id, "4");  // newest first
  auto range = repo.List(t0 + std::chrono::minutes(10), t0 + std::chrono::minutes(30));
  CAIRN_ASSERT_OK(range);
  ASSERT_EQ(range->size(), 3u);
  EXPECT_EQ((*range)[0].object_id, "3");
  EXPECT_EQ((*range)[2].object_id, "1");
  auto limited = repo.List(std::nullopt, std::nullopt, 2);
  CAIRN_ASSERT_OK(limited);
  EXPECT_EQ(limited->size(), 2u);
  auto purged = repo.Purge(t0 + std::chrono::minutes(15));
  CAIRN_ASSERT_OK(purged);
  EXPECT_EQ(*purged, 2);
}

TEST_P(OtherRepositoriesTest, ServicesUpDownAndEnable) {
  ServiceRepository repo(*db_, std::chrono::seconds(60));
  TimePoint t0 = std::chrono::floor<std::chrono::microseconds>(UtcNow());
  auto s = repo.Upsert({.host = "compute-1", .binary = "cairn-datamover", .version = "0.1",
                        .capacity = {{"slots", 4}}}, t0);
  CAIRN_ASSERT_OK(s);
  EXPECT_TRUE(s->up);
  EXPECT_TRUE(s->enabled);
  CAIRN_ASSERT_OK(repo.SetEnabled("compute-1", "", false, "maintenance"));
  auto again = repo.Upsert({.host = "compute-1", .binary = "cairn-datamover", .version = "0.2"}, t0);
  CAIRN_ASSERT_OK(again);
  EXPECT_FALSE(again->enabled);  // kept across re-registration
  EXPECT_EQ(again->disabled_reason, "maintenance");
  EXPECT_EQ(again->version, "0.2");

  auto later = repo.Get("compute-1", "cairn-datamover", t0 + std::chrono::seconds(61));
  CAIRN_ASSERT_OK(later);
  EXPECT_FALSE(later->up);
  CAIRN_ASSERT_OK(repo.Heartbeat("compute-1", "cairn-datamover", Json{{"slots", 2}}, t0 + std::chrono::seconds(60)));
  later = repo.Get("compute-1", "cairn-datamover", t0 + std::chrono::seconds(61));
  CAIRN_ASSERT_OK(later);
  EXPECT_TRUE(later->up);
  EXPECT_EQ(later->capacity["slots"], 2);
  EXPECT_EQ(repo.Heartbeat("nope", "cairn-datamover").code(), ErrorCode::kNotFound);

  CAIRN_ASSERT_OK(repo.Upsert({.host = "engine-1", .binary = "cairn-engine"}, t0));
  auto movers = repo.List("cairn-datamover", t0);
  CAIRN_ASSERT_OK(movers);
  EXPECT_EQ(movers->size(), 1u);
  auto all = repo.List("", t0);
  CAIRN_ASSERT_OK(all);
  EXPECT_EQ(all->size(), 2u);
  CAIRN_ASSERT_OK(repo.SetEnabled("compute-1", "cairn-datamover", true));
  auto enabled = repo.Get("compute-1", "cairn-datamover");
  CAIRN_ASSERT_OK(enabled);
  EXPECT_TRUE(enabled->enabled);
  EXPECT_EQ(enabled->disabled_reason, "");
  EXPECT_EQ(repo.SetEnabled("nope", "", true).code(), ErrorCode::kNotFound);
  CAIRN_ASSERT_OK(repo.Delete("engine-1", "cairn-engine"));
}

TEST_P(OtherRepositoriesTest, PurgeDeletedCoversEveryTable) {
  CAIRN_ASSERT_OK(TrustRepository(*db_).Create({.name = "t"}));
  CAIRN_ASSERT_OK(TrustRepository(*db_).Delete("t"));
  CAIRN_ASSERT_OK(SettingRepository(*db_).Upsert({.project_id = "p", .name = "n"}));
  CAIRN_ASSERT_OK(SettingRepository(*db_).Delete("p", "n"));
  CAIRN_ASSERT_OK(AuditRepository(*db_).Append({.action = "a"}));
  auto counts = PurgeDeleted(*db_, UtcNow() + std::chrono::hours(1));
  CAIRN_ASSERT_OK(counts);
  EXPECT_EQ(counts->trusts, 1);
  EXPECT_EQ(counts->settings, 1);
  EXPECT_EQ(counts->audit_entries, 1);
  EXPECT_EQ(counts->workloads, 0);
  // A trust name is free again once purged.
  CAIRN_ASSERT_OK(TrustRepository(*db_).Create({.name = "t"}));
}

CAIRN_DB_TEST_SUITE(OtherRepositoriesTest);

}  // namespace
}  // namespace cairn::db
