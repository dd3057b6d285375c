#include "api_v1/api_v1_harness.h"

#include <stdlib.h>

#include <filesystem>

#include "api/fault.h"
#include "common/strings.h"
#include "db/job_repository.h"
#include "db/options.h"
#include "db/schema.h"
#include "db/snapshot_repository.h"
#include "db/restore_repository.h"
#include "db/workload_repository.h"
#include "target/identity.h"
#include "target/store.h"

namespace cairn::api::testing {

namespace fs = std::filesystem;

namespace {

struct Identity {
  const char* token;
  const char* user;
  const char* project;
  const char* role;
};

constexpr Identity kIdentities[] = {
    {kTokMemberA, kUserA, kProjectA, "member"},       {kTokMember2A, kUserA2, kProjectA, "member"},
    {kTokReaderA, kUserReaderA, kProjectA, "reader"}, {kTokMemberB, kUserB, kProjectB, "member"},
    {kTokAdmin, kUserAdmin, kAdminProject, "admin"},
};

// 2026-03-02T10:00:00Z: a Monday, away from any daylight saving change.
TimePoint Start() { return *ParseIso8601("2026-03-02T10:00:00Z"); }

}  // namespace

std::string ProjectOfToken(std::string_view token) {
  for (const auto& id : kIdentities) {
    if (token == id.token) return id.project;
  }
  return kProjectA;
}

Result<openstack::Token> FakeTokenValidator::Validate(std::string_view token) {
  std::lock_guard lock(mu_);
  ++calls_;
  for (const auto& id : kIdentities) {
    if (token != id.token) continue;
    openstack::Token t;
    t.id = std::string(token);
    t.issued_at = clock_.Now();
    t.expires_at = clock_.Now() + std::chrono::hours(24 * 365 * 10);
    t.user = openstack::UserRef{.id = id.user, .name = std::string(id.user) + "-name", .domain_id = "default",
                                .domain_name = "Default"};
    t.project = openstack::ProjectRef{.id = id.project, .name = std::string("name-") + id.project,
                                      .domain_id = "default", .domain_name = "Default"};
    t.roles.push_back(openstack::Role{.id = std::string("role-") + id.role, .name = id.role});
    if (std::string_view(id.role) != "reader") t.roles.push_back(openstack::Role{.id = "role-reader", .name = "reader"});
    return t;
  }
  return Status::NotFound("token is invalid or expired");
}

FakeInstances::FakeInstances() {
  auto add = [&](const char* id, const char* name, const char* project, size_t volumes) {
    servers[id] = InstanceInfo{.id = id, .name = name, .status = "ACTIVE", .project_id = project,
                               .availability_zone = "nova", .volume_count = volumes};
  };
  add(kVmA1, "vm-a1", kProjectA, 1);
  add(kVmA2, "vm-a2", kProjectA, 0);
  add(kVmA3, "vm-a3", kProjectA, 2);
  add(kVmA4, "vm-a4", kProjectA, 0);
  add(kVmB1, "vm-b1", kProjectB, 0);
  add(kVmB2, "vm-b2", kProjectB, 1);
  add(kVmB3, "vm-b3", kProjectB, 0);
}

Result<InstanceInfo> FakeInstances::Get(const AuthContext& caller, std::string_view vm_id) {
  if (vm_id == kVmNovaDown) return Status::Unavailable("nova: connection refused");
  auto it = servers.find(std::string(vm_id));
  // Nova shows a server to its project's users and to admins only.
  if (it == servers.end() || (it->second.project_id != caller.project_id() && !caller.is_admin)) {
    return Status::NotFound("server " + std::string(vm_id) + " not found");
  }
  return it->second;
}

Status FakeIdentity::ProjectExists(std::string_view project_id) {
  if (project_id == kProjectA || project_id == kProjectB || project_id == kAdminProject) return Status::OK();
  return Status::NotFound("no such project");
}

Status FakeIdentity::UserExists(std::string_view user_id) {
  for (const auto& id : kIdentities) {
    if (user_id == id.user) return Status::OK();
  }
  return Status::NotFound("no such user");
}

Result<std::string> FakeIdentity::CreateTrust(const AuthContext&, std::string_view) {
  std::lock_guard lock(mu);
  std::string id = "trust" + std::to_string(++next_trust) + "0000000000000000000000000";
  trusts.insert(id);
  return id;
}

Status FakeIdentity::DeleteTrust(std::string_view trust_id) {
  std::lock_guard lock(mu);
  return trusts.erase(std::string(trust_id)) ? Status::OK() : Status::NotFound("no such trust");
}

Status FakeIdentity::TrustValid(std::string_view trust_id) {
  std::lock_guard lock(mu);
  return trusts.contains(std::string(trust_id)) ? Status::OK() : Status::NotFound("no such trust");
}

ApiHarness::ApiHarness(const PolicyTexts& policy_overrides) : clock_(Start()) {
  std::string tmpl = (fs::temp_directory_path() / "cairn-apiv1-XXXXXX").string();
  dir_ = mkdtemp(tmpl.data());
  db::DatabaseOptions options;
  options.connection = "sqlite:///" + dir_ + "/cairn.db";
  options.pool_size = 2;
  auto db = db::Database::Open(options);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  db_ = std::move(db).value();
  auto synced = db::Sync(*db_);
  EXPECT_TRUE(synced.ok()) << synced.status().ToString();
  auto policy = PolicyEnforcer::FromTexts(policy_overrides);
  EXPECT_TRUE(policy.ok()) << policy.status().ToString();
  policy_ = std::move(policy).value();
  validator_ = std::make_unique<FakeTokenValidator>(clock_);
  service_.reset(new ApiService{.db = *db_,
                                .policy = *policy_,
                                .instances = instances_,
                                .identity = identity_,
                                .clock = clock_,
                                .limits = {}});
  // An empty backup target (initialised: it has its identity marker), for
  // the disaster-recovery routes.
  fs::create_directories(dir_ + "/target");
  if (auto store = target::OpenPosixStore(dir_ + "/target"); store.ok()) {
    EXPECT_TRUE(target::InitTargetIdentity(**store, "test").ok());
  }
  service_->open_target = [root = dir_ + "/target"] { return target::OpenPosixStore(root); };
  router_ = std::make_shared<Router>();
  Status added = AddApiRoutes(*router_, *service_);
  EXPECT_TRUE(added.ok()) << added.ToString();
  AuthOptions auth;
  PolicyEnforcer* p = policy_.get();
  auth.is_admin = [p](const openstack::Token& token) {
    Credentials creds;
    creds.user_id = token.user.id;
    creds.project_id = token.ProjectId();
    creds.roles = token.RoleNames();
    return p->IsAdmin(creds);
  };
  auto authenticator = std::make_shared<Authenticator>(*validator_, std::move(auth), clock_);
  dispatcher_ = std::make_shared<Dispatcher>(router_);
  dispatcher_->Use(MakeAuthMiddleware(authenticator));
}

ApiHarness::~ApiHarness() {
  dispatcher_.reset();
  router_.reset();
  db_.reset();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

Answer ApiHarness::Send(Request request) {
  if (request.request_id.empty()) request.request_id = "req-test-" + std::to_string(++next_request_);
  if (request.remote_addr.empty()) request.remote_addr = "127.0.0.1";
  if (!request.headers.contains("Host")) request.headers.emplace("Host", "127.0.0.1:8780");
  Response response = dispatcher_->Handle(request);
  Answer answer;
  answer.status = response.status;
  answer.headers = response.headers;
  if (response.body) {
    // As the server sends it (invalid UTF-8 replaced), then parsed back.
    answer.text = response.body->dump(-1, ' ', false, json::error_handler_t::replace);
    answer.body = json::parse(answer.text);
  }
  return answer;
}

Answer ApiHarness::Do(std::string method, std::string path_and_query, std::string_view token, std::string body) {
  Request request;
  request.method = std::move(method);
  const size_t q = path_and_query.find('?');
  request.path = path_and_query.substr(0, q);
  if (q != std::string::npos) {
    for (std::string_view pair : Split(std::string_view(path_and_query).substr(q + 1), '&')) {
      if (pair.empty()) continue;
      const size_t eq = pair.find('=');
      request.query.emplace(std::string(pair.substr(0, eq)),
                            eq == std::string_view::npos ? std::string() : std::string(pair.substr(eq + 1)));
    }
  }
  if (!token.empty()) request.headers.emplace("X-Auth-Token", std::string(token));
  request.body = std::move(body);
  return Send(std::move(request));
}

std::string ApiHarness::P(std::string_view project, std::string_view tail) {
  return "/v1/" + std::string(project) + std::string(tail);
}

json WorkloadBody(const std::vector<std::string>& vms, std::string name) {
  json instances = json::array();
  for (const auto& vm : vms) instances.push_back({{"instance-id", vm}});
  return {{"workload",
           {{"name", std::move(name)},
            {"description", "a test workload"},
            {"workload_type_id", kParallelType},
            {"source_platform", "openstack"},
            {"instances", instances},
            {"jobschedule",
             {{"enabled", true},
              {"start_date", "03/01/2026"},
              {"end_date", "No End"},
              {"start_time", "09:00 PM"},
              {"interval", "24hr"},
              {"fullbackup_interval", "-1"},
              {"retention_policy_type", "Number of Snapshots to Keep"},
              {"retention_policy_value", "30"},
              {"timezone", "UTC"}}},
            {"metadata", json::object()}}}};
}

std::string ApiHarness::CreateWorkload(std::string_view token, const std::vector<std::string>& vms, std::string name,
                                       json extra) {
  json body = WorkloadBody(vms, std::move(name));
  for (const auto& [k, v] : extra.items()) body["workload"][k] = v;
  Answer a = Post(P(ProjectOfToken(token), "/workloads"), token, body);
  EXPECT_EQ(a.status, 202) << a.Dump();
  if (a.status != 202) return "";
  return a.body["workload"]["id"].get<std::string>();
}

void ApiHarness::MarkWorkloadAvailable(const std::string& workload_id) {
  db::WorkloadUpdate update;
  update.status = "available";
  auto r = db::WorkloadRepository(*db_).Update(workload_id, update);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  // The workload's create job is over, as when an engine ran it (a queued
  // job of the workload refuses unlock and reset).
  db::JobRepository jobs(*db_);
  auto queued = jobs.List({.statuses = {"queued"}, .object_id = workload_id, .kind = "workload_create"});
  EXPECT_TRUE(queued.ok());
  for (const auto& job : queued.ok() ? *queued : std::vector<db::Job>{}) EXPECT_TRUE(jobs.CancelQueued(job.id).ok());
}

db::Snapshot ApiHarness::AddAvailableSnapshot(const std::string& workload_id, std::string name) {
  auto w = db::WorkloadRepository(*db_).Get(workload_id);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  db::SnapshotRepository snapshots(*db_);
  db::Snapshot s;
  s.workload_id = workload_id;
  s.project_id = w->project_id;
  s.user_id = w->user_id;
  s.name = std::move(name);
  s.status = "available";
  s.host = "engine-1";
  s.size = 1 << 20;
  s.restore_size = 1 << 30;
  s.finished_at = UtcNow();
  auto created = snapshots.Create(s);
  EXPECT_TRUE(created.ok()) << created.status().ToString();
  bool first = true;
  for (const auto& vm : w->vms) {
    db::SnapshotVm sv;
    sv.snapshot_id = created->id;
    sv.vm_id = vm.vm_id;
    sv.vm_name = vm.vm_name;
    sv.flavor = {{"id", "1"}, {"vcpus", 1}, {"ram", 512}, {"disk", 1}};
    EXPECT_TRUE(snapshots.PutVm(sv).ok());
    db::SnapshotDisk d;
    d.snapshot_id = created->id;
    d.vm_id = vm.vm_id;
    d.resource_id = "res-" + vm.vm_id.substr(0, 8);
    d.device = "vda";
    d.bootable = true;
    d.size = 1000;
    EXPECT_TRUE(snapshots.PutDisk(d).ok());
    if (first) {
      db::SnapshotDisk v;
      v.snapshot_id = created->id;
      v.vm_id = vm.vm_id;
      v.resource_id = "res-vol";
      v.device = "vdb";
      v.volume_id = "7e000000-0000-4000-8000-00000000000" + std::to_string(created->id.back() % 10);
      v.volume_type = "ceph";
      v.volume_size = 1;
      EXPECT_TRUE(snapshots.PutDisk(v).ok());
      first = false;
    }
  }
  return *created;
}

db::Restore ApiHarness::AddRestore(const db::Snapshot& snapshot, std::string status, std::string name) {
  db::Restore r;
  r.snapshot_id = snapshot.id;
  r.workload_id = snapshot.workload_id;
  r.project_id = snapshot.project_id;
  r.user_id = snapshot.user_id;
  r.name = std::move(name);
  r.status = std::move(status);
  auto created = db::RestoreRepository(*db_).Create(r);
  EXPECT_TRUE(created.ok()) << created.status().ToString();
  return *created;
}

size_t ApiHarness::CountWorkloads(bool include_deleted) {
  db::WorkloadFilter filter;
  filter.include_deleted = include_deleted;
  auto rows = db::WorkloadRepository(*db_).List(filter, db::Page{});
  EXPECT_TRUE(rows.ok());
  return rows.ok() ? rows->size() : 0;
}

size_t ApiHarness::CountJobs(std::string_view kind) {
  db::JobFilter filter;
  if (!kind.empty()) filter.kind = std::string(kind);
  auto rows = db::JobRepository(*db_).List(filter);
  EXPECT_TRUE(rows.ok());
  return rows.ok() ? rows->size() : 0;
}

std::string FaultMessage(const Answer& a) {
  if (!a.body.is_object() || a.body.size() != 1) return "";
  auto it = a.body.begin();
  const json& inner = it.value();
  if (it.key() != FaultName(a.status)) return "";
  if (!inner.is_object() || inner.value("code", 0) != a.status) return "";
  const json* message = inner.contains("message") ? &inner["message"] : nullptr;
  if (message == nullptr || !message->is_string()) return "";
  return message->get<std::string>();
}

::testing::AssertionResult IsFault(const Answer& a, int status, std::string_view key) {
  if (a.status != status) return ::testing::AssertionFailure() << "expected " << status << ", got " << a.Dump();
  if (!a.body.is_object() || !a.body.contains(std::string(key))) {
    return ::testing::AssertionFailure() << "expected fault key " << key << ", got " << a.Dump();
  }
  if (FaultMessage(a).empty()) return ::testing::AssertionFailure() << "bad fault shape: " << a.Dump();
  return ::testing::AssertionSuccess();
}

std::string AsciiUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

bool HasMicroseconds(const json& time) {
  if (!time.is_string()) return false;
  const std::string& t = time.get_ref<const std::string&>();
  // 2026-03-02T10:00:00.123456
  return t.size() == 26 && t[10] == 'T' && t[19] == '.' && ParseIso8601(t).ok();
}

}  // namespace cairn::api::testing
