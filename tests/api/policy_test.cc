// Policy rules, the workloadmgr defaults, policy files and their reload.
#include "api/policy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "api/policy_defaults.h"

namespace cairn::api {
namespace {

namespace fs = std::filesystem;

Credentials Admin() { return {.user_id = "admin", .project_id = "admin-project", .roles = {"admin", "member", "reader"}}; }
Credentials Member() { return {.user_id = "demo", .project_id = "p1", .roles = {"member", "reader"}}; }
Credentials Reader() { return {.user_id = "reader", .project_id = "p1", .roles = {"reader"}}; }
Credentials Other() { return {.user_id = "eve", .project_id = "p2", .roles = {"member", "reader"}}; }
Credentials Backup() { return {.user_id = "bk", .project_id = "p1", .roles = {"backup"}}; }

const PolicyTarget kP1{{"project_id", "p1"}, {"user_id", "demo"}};

std::unique_ptr<PolicyEnforcer> Defaults(const PolicyTexts& overrides = {}) {
  auto enforcer = PolicyEnforcer::FromTexts(overrides);
  EXPECT_TRUE(enforcer.ok()) << enforcer.status().ToString();
  return enforcer.ok() ? std::move(enforcer).value() : nullptr;
}

// Credentials with is_admin set as the auth middleware does.
Credentials Resolved(const PolicyEnforcer& enforcer, Credentials creds) {
  creds.is_admin = enforcer.IsAdmin(creds);
  return creds;
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "cairn-policy-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string File(const std::string& name) const { return (fs::path(path_) / name).string(); }

 private:
  std::string path_;
};

void WriteFile(const std::string& path, const std::string& text, int64_t mtime_sec) {
  {
    std::ofstream out(path, std::ios::trunc);
    out << text;
  }
  // Set the modification time explicitly so a rewrite within the file
  // system's time resolution still looks changed.
  timespec times[2] = {{mtime_sec, 0}, {mtime_sec, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
}

TEST(PolicyDefaults, EveryRuleParsesAndReferencesKnownRules) {
  auto rules = PolicyRules::Parse(DefaultPolicyTexts());
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  std::set<std::string> names;
  for (const PolicyDefault& rule : DefaultPolicies()) {
    EXPECT_TRUE(names.insert(std::string(rule.name)).second) << "duplicate " << rule.name;
    EXPECT_FALSE(rule.description.empty()) << rule.name;
    std::string check(rule.check);
    for (size_t at = check.find("rule:"); at != std::string::npos; at = check.find("rule:", at + 1)) {
      size_t end = check.find_first_of(" )", at);
      std::string ref = check.substr(at + 5, end == std::string::npos ? std::string::npos : end - at - 5);
      EXPECT_TRUE(rules->Has(ref)) << rule.name << " refers to unknown rule " << ref;
    }
  }
  for (const char* name : {"default", "admin_api", "admin_or_owner", "context_is_admin", "workload:workload_create",
                           "workload:get_nodes", "snapshot:snapshot_restore", "restore:restore_delete",
                           "workload:policy_create", "workload:get_storage_usage",
                           "workload:get_import_workloads_list", "workload:workload_enable_global_job_scheduler"}) {
    EXPECT_TRUE(rules->Has(name)) << name;
  }
}

TEST(PolicyDefaults, IsAdminFromContextIsAdmin) {
  auto enforcer = Defaults();
  EXPECT_TRUE(enforcer->IsAdmin(Admin()));
  EXPECT_FALSE(enforcer->IsAdmin(Member()));
  EXPECT_FALSE(enforcer->IsAdmin(Reader()));
}

TEST(PolicyDefaults, RefusalMessageNamesTheRule) {
  auto enforcer = Defaults();
  Status status = enforcer->Enforce("workload:get_nodes", Resolved(*enforcer, Member()), kP1);
  EXPECT_EQ(status.code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(status.message(), "Policy doesn't allow workload:get_nodes to be performed.");
  EXPECT_TRUE(enforcer->Enforce("workload:get_nodes", Resolved(*enforcer, Admin()), kP1).ok());
}

TEST(PolicyDefaults, AdminOnlyRules) {
  auto enforcer = Defaults();
  for (const char* rule :
       {"workload:get_nodes", "workload:get_storage_usage", "workload:get_tenants_usage", "workload:get_auditlog",
        "workload:workload_enable_global_job_scheduler", "workload:workload_disable_global_job_scheduler",
        "workload:get_import_workloads_list", "workload:import_workloads", "workload:get_orphan_workloads_list",
        "workload:workload_reassign", "workload:create_allowed_quota", "workload:update_allowed_quota",
        "workload:delete_allowed_quota", "workload:policy_create", "workload:policy_update", "workload:policy_delete",
        "workload:policy_assign", "workload:workload_type_create", "workload:workload_type_delete",
        "workload:change_node_status"}) {
    EXPECT_TRUE(enforcer->Check(rule, Resolved(*enforcer, Admin()), kP1)) << rule;
    EXPECT_FALSE(enforcer->Check(rule, Resolved(*enforcer, Member()), kP1)) << rule;
    EXPECT_FALSE(enforcer->Check(rule, Resolved(*enforcer, Reader()), kP1)) << rule;
  }
}

const char* const kWrites[] = {"workload:workload_create",  "workload:workload_update", "workload:workload_delete",
                               "workload:workload_snapshot", "workload:workload_unlock", "workload:workload_reset",
                               "snapshot:snapshot_delete",   "snapshot:snapshot_restore", "snapshot:snapshot_cancel",
                               "restore:restore_delete",     "restore:restore_cancel",  "setting:setting_create",
                               "trust:trust_create"};
const char* const kReads[] = {"workload:workload_get",  "workload:workload_get_all", "snapshot:snapshot_get",
                              "snapshot:snapshot_get_all", "restore:restore_get",   "restore:restore_get_all",
                              "workload:workload_type_get_all", "workload:policy_list",
                              "workload:workload_get_global_job_scheduler"};

TEST(PolicyDefaults, MemberReadsAndWritesInOwnProject) {
  auto enforcer = Defaults();
  for (const char* rule : kWrites) EXPECT_TRUE(enforcer->Check(rule, Resolved(*enforcer, Member()), kP1)) << rule;
  for (const char* rule : kReads) EXPECT_TRUE(enforcer->Check(rule, Resolved(*enforcer, Member()), kP1)) << rule;
}

TEST(PolicyDefaults, ReaderReadsButCannotWrite) {
  auto enforcer = Defaults();
  for (const char* rule : kWrites) {
    Status status = enforcer->Enforce(rule, Resolved(*enforcer, Reader()), kP1);
    EXPECT_EQ(status.code(), ErrorCode::kPermissionDenied) << rule;
  }
  for (const char* rule : kReads) EXPECT_TRUE(enforcer->Check(rule, Resolved(*enforcer, Reader()), kP1)) << rule;
}

TEST(PolicyDefaults, OtherProjectGetsNothing) {
  auto enforcer = Defaults();
  for (const char* rule : kWrites) EXPECT_FALSE(enforcer->Check(rule, Resolved(*enforcer, Other()), kP1)) << rule;
  for (const char* rule : kReads) EXPECT_FALSE(enforcer->Check(rule, Resolved(*enforcer, Other()), kP1)) << rule;
}

TEST(PolicyDefaults, AdminEverywhere) {
  auto enforcer = Defaults();
  for (const char* rule : kWrites) EXPECT_TRUE(enforcer->Check(rule, Resolved(*enforcer, Admin()), kP1)) << rule;
  for (const char* rule : kReads) EXPECT_TRUE(enforcer->Check(rule, Resolved(*enforcer, Admin()), kP1)) << rule;
}

TEST(PolicyDefaults, UnknownRuleFallsBackToDefault) {
  auto enforcer = Defaults();
  EXPECT_TRUE(enforcer->Check("workload:not_a_rule", Resolved(*enforcer, Member()), kP1));
  EXPECT_FALSE(enforcer->Check("workload:not_a_rule", Resolved(*enforcer, Other()), kP1));
  auto strict = Defaults({{"default", "!"}});
  Status status = strict->Enforce("workload:not_a_rule", Resolved(*strict, Admin()), kP1);
  EXPECT_EQ(status.message(), "Policy doesn't allow workload:not_a_rule to be performed.");
}

TEST(PolicyDefaults, CustomRoleOpensCreateSnapshotRestoreDelete) {
  PolicyTexts overrides;
  const char* opened[] = {"workload:workload_create", "workload:workload_snapshot", "snapshot:snapshot_restore",
                          "workload:workload_delete", "snapshot:snapshot_delete", "restore:restore_delete"};
  for (const char* rule : opened) overrides[rule] = "role:backup";
  auto defaults = Defaults();
  auto custom = Defaults(overrides);
  for (const char* rule : opened) {
    EXPECT_FALSE(defaults->Check(rule, Resolved(*defaults, Backup()), kP1)) << rule;
    EXPECT_TRUE(custom->Check(rule, Resolved(*custom, Backup()), kP1)) << rule;
  }
  // The backup user can read what it made (reads need any role in the project).
  EXPECT_TRUE(custom->Check("workload:workload_get", Resolved(*custom, Backup()), kP1));
  EXPECT_TRUE(custom->Check("snapshot:snapshot_get", Resolved(*custom, Backup()), kP1));
  EXPECT_FALSE(custom->Check("workload:get_nodes", Resolved(*custom, Backup()), kP1));
  // Or open every write at once through member_role.
  auto wide = Defaults({{"member_role", "role:member or role:admin or role:backup"}});
  for (const char* rule : kWrites) EXPECT_TRUE(wide->Check(rule, Resolved(*wide, Backup()), kP1)) << rule;
}

TEST(PolicyDefaults, YamlRoundTrip) {
  std::string yaml = DefaultPolicyYaml();
  EXPECT_NE(yaml.find("# Take a snapshot of a workload.\n# POST /workloads/{id}\n\"workload:workload_snapshot\": "
                      "\"rule:admin_or_member\"\n"),
            std::string::npos)
      << yaml;
  auto texts = ParsePolicyText(yaml, /*json=*/false, "defaults");
  ASSERT_TRUE(texts.ok()) << texts.status().ToString();
  EXPECT_EQ(*texts, DefaultPolicyTexts());
}

TEST(PolicyFile, JsonAndYamlAndListForms) {
  auto json = ParsePolicyText(R"({"a": "role:x", "b": "", "c": [], "d": [["role:x", "role:y"], ["role:z"]]})", true, "f");
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  EXPECT_EQ(json->at("a"), "role:x");
  EXPECT_EQ(json->at("b"), "");
  EXPECT_EQ(json->at("c"), "@");
  EXPECT_EQ(json->at("d"), "((role:x) and (role:y)) or ((role:z))");
  auto rules = PolicyRules::Parse(*json);
  ASSERT_TRUE(rules.ok());
  Credentials z{.user_id = "u", .project_id = "p", .roles = {"z"}};
  Credentials x{.user_id = "u", .project_id = "p", .roles = {"x"}};
  EXPECT_TRUE(rules->Allows("d", z, {}));
  EXPECT_FALSE(rules->Allows("d", x, {}));

  auto yaml = ParsePolicyText("# comment\n\"a\": \"role:x\"\nb: role:y or role:z\nc: []\n", false, "f");
  ASSERT_TRUE(yaml.ok()) << yaml.status().ToString();
  EXPECT_EQ(yaml->at("a"), "role:x");
  EXPECT_EQ(yaml->at("b"), "role:y or role:z");
  EXPECT_EQ(yaml->at("c"), "@");
  auto empty = ParsePolicyText("# only comments\n", false, "f");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(PolicyFile, SyntaxErrorsNameTheFileAndPlace) {
  auto json = ParsePolicyText("{\"a\": \"role:x\",", true, "policy file \"p.json\"");
  ASSERT_FALSE(json.ok());
  EXPECT_NE(json.status().message().find("p.json"), std::string::npos);
  EXPECT_NE(json.status().message().find("byte"), std::string::npos);
  auto yaml = ParsePolicyText("a: role:x\nb: [unclosed\n", false, "policy file \"p.yaml\"");
  ASSERT_FALSE(yaml.ok());
  EXPECT_NE(yaml.status().message().find("p.yaml"), std::string::npos) << yaml.status().message();
  EXPECT_NE(yaml.status().message().find("line"), std::string::npos) << yaml.status().message();
  EXPECT_FALSE(ParsePolicyText("[1, 2]", true, "f").ok());
  EXPECT_FALSE(ParsePolicyText("- a\n- b\n", false, "f").ok());
  EXPECT_FALSE(ParsePolicyText("{\"a\": 5}", true, "f").ok());
  EXPECT_FALSE(ParsePolicyText("a: {b: c}\n", false, "f").ok());
}

TEST(PolicyEnforcerFile, MissingFileMeansDefaults) {
  TempDir dir;
  auto enforcer = PolicyEnforcer::Create(dir.File("absent.yaml"));
  ASSERT_TRUE(enforcer.ok()) << enforcer.status().ToString();
  EXPECT_TRUE((*enforcer)->Check("workload:workload_create", Member(), kP1));
}

TEST(PolicyEnforcerFile, BrokenFileAtStartIsAnError) {
  TempDir dir;
  WriteFile(dir.File("policy.yaml"), "\"workload:workload_create\": \"role:a or\"\n", 1000);
  auto enforcer = PolicyEnforcer::Create(dir.File("policy.yaml"));
  ASSERT_FALSE(enforcer.ok());
  EXPECT_NE(enforcer.status().message().find("policy.yaml"), std::string::npos) << enforcer.status().message();
  EXPECT_NE(enforcer.status().message().find("workload:workload_create"), std::string::npos);
}

TEST(PolicyEnforcerFile, JsonOverridesMergeOverDefaults) {
  TempDir dir;
  WriteFile(dir.File("policy.json"), R"({"workload:workload_create": "role:backup"})", 1000);
  auto enforcer = PolicyEnforcer::Create(dir.File("policy.json"));
  ASSERT_TRUE(enforcer.ok()) << enforcer.status().ToString();
  EXPECT_TRUE((*enforcer)->Check("workload:workload_create", Backup(), kP1));
  EXPECT_FALSE((*enforcer)->Check("workload:workload_create", Member(), kP1));
  EXPECT_TRUE((*enforcer)->Check("workload:workload_delete", Member(), kP1));  // untouched default
}

TEST(PolicyEnforcerFile, ReloadsWhenTheFileChangesAtMostOncePerInterval) {
  TempDir dir;
  const std::string path = dir.File("policy.yaml");
  WriteFile(path, "\"workload:workload_create\": \"role:backup\"\n", 1000);
  ManualClock clock(TimePoint(std::chrono::seconds(5000)));
  auto created = PolicyEnforcer::Create({.policy_file = path, .clock = &clock, .check_interval = std::chrono::seconds(1)});
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  const PolicyEnforcer& enforcer = **created;
  EXPECT_TRUE(enforcer.Check("workload:workload_create", Backup(), kP1));

  WriteFile(path, "\"workload:workload_create\": \"role:member\"\n", 2000);
  // Within the interval the file is not looked at.
  clock.Advance(std::chrono::milliseconds(500));
  EXPECT_TRUE(enforcer.Check("workload:workload_create", Backup(), kP1));
  clock.Advance(std::chrono::milliseconds(500));
  EXPECT_FALSE(enforcer.Check("workload:workload_create", Backup(), kP1));
  EXPECT_TRUE(enforcer.Check("workload:workload_create", Member(), kP1));

  // A broken version keeps the previous rules.
  WriteFile(path, "\"workload:workload_create\": \"(role:backup\"\n", 3000);
  clock.Advance(std::chrono::seconds(2));
  EXPECT_TRUE(enforcer.Check("workload:workload_create", Member(), kP1));
  Status status = enforcer.ReloadIfChanged();
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(enforcer.Check("workload:workload_create", Member(), kP1));

  // Fixed again: picked up.
  WriteFile(path, "\"workload:workload_create\": \"role:backup\"\n", 4000);
  EXPECT_TRUE(enforcer.ReloadIfChanged().ok());
  EXPECT_TRUE(enforcer.Check("workload:workload_create", Backup(), kP1));

  // Removed: the defaults.
  fs::remove(path);
  EXPECT_TRUE(enforcer.ReloadIfChanged().ok());
  EXPECT_TRUE(enforcer.Check("workload:workload_create", Member(), kP1));
  EXPECT_FALSE(enforcer.Check("workload:workload_create", Backup(), kP1));
}

TEST(PolicyEnforcerFile, ConcurrentChecksDuringReloads) {
  TempDir dir;
  const std::string path = dir.File("policy.yaml");
  WriteFile(path, "\"workload:workload_get\": \"@\"\n", 1000);
  auto created = PolicyEnforcer::Create({.policy_file = path, .check_interval = std::chrono::milliseconds(0)});
  ASSERT_TRUE(created.ok());
  const PolicyEnforcer& enforcer = **created;
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) allowed += enforcer.Check("workload:workload_get", Member(), kP1) ? 1 : 0;
    });
  }
  for (int i = 0; i < 20; ++i) WriteFile(path, "\"workload:workload_get\": \"@\"\n", 1001 + i);
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(allowed.load(), 800);
}

}  // namespace
}  // namespace cairn::api
