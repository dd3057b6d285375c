// cairn-api (ApiApp, in process, on 127.0.0.1) against the devcloud's real
// Keystone and Nova: token validation, project isolation, RBAC by role,
// validation that asks Nova, jobs queued, trusts, quotas, and the catalog
// interface Cairn uses to reach Nova.
#include <httplib.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "api/v1/api_app.h"
#include "db/job_repository.h"
#include "db/restore_repository.h"
#include "db/snapshot_repository.h"
#include "db/schema.h"
#include "db/workload_repository.h"
#include "devcloud_env.h"
#include "openstack/keystone.h"
#include "support/command.h"

namespace cairn::api {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
namespace dc = openstack::devcloud;

struct Answer {
  int status = 0;
  json body;
  std::string raw;
};

std::string DevcloudScript(const std::string& name) { return std::string(CAIRN_SOURCE_DIR) + "/devcloud/" + name; }

// Runs the openstack CLI as `user`; returns its trimmed output.
std::string Os(const std::string& user, const std::string& args) {
  auto r = testing::Run(". " + dc::DevcloudDir() + "/openrc-" + user + " && openstack " + args);
  EXPECT_EQ(r.exit_code, 0) << "openstack " << args << ":\n" << r.output;
  std::string out = r.output;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  const size_t nl = out.rfind('\n');
  return nl == std::string::npos ? out : out.substr(nl + 1);
}

class ApiDevcloudTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() / ("cairn_api_devcloud_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    // Two servers, one per project (no need to wait for ACTIVE: Nova knows them at once).
    run_ = dc::RandomName();
    demo_server_ = Os("demo", "server create --flavor m1.tiny --image cairn-guest --network demo-net " + run_ +
                                  "-demo -f value -c id");
    other_server_ = Os("other", "server create --flavor m1.tiny --image cairn-guest --network other-net " + run_ +
                                    "-other -f value -c id");
    for (const char* user : {"demo", "other", "reader", "admin"}) {
      const dc::CloudUser u = dc::User(user);
      openstack::HttpClient http;
      openstack::KeystoneClient keystone(http, u.auth_url);
      auto token = keystone.Authenticate(u.Method(), u.Scope());
      ASSERT_TRUE(token.ok()) << user << ": " << token.status().ToString();
      tokens_[user] = *token;
    }
    StartApp("internal");
  }

  static void TearDownTestSuite() {
    app_.reset();
    if (!demo_server_.empty()) Os("demo", "server delete " + demo_server_);
    if (!other_server_.empty()) Os("other", "server delete " + other_server_);
    testing::Run("'" + DevcloudScript("path") + "' restore");
    std::filesystem::remove_all(dir_);
  }

  // (Re)starts the API with Cairn's service user = the devcloud admin and
  // the given catalog interface for Nova.
  static void StartApp(const std::string& interface) {
    app_.reset();
    const dc::CloudUser admin = dc::User("admin");
    const std::string conf = "[database]\nconnection = sqlite:///" + (dir_ / "cairn.db").string() +
                             "\n[keystone_authtoken]\nauth_url = " + admin.auth_url + "\nusername = " + admin.username +
                             "\npassword = " + admin.password + "\nproject_name = " + admin.project_name +
                             "\nregion_name = RegionOne\n[clients]\nendpoint_type = " + interface +
                             "\n[api]\nbind_host = 127.0.0.1\nbind_port = 0\nworkers = 4\npolicy_file = " +
                             (dir_ / "no-policy.yaml").string() + "\n";
    OptionRegistry registry;
    ASSERT_TRUE(RegisterApiAppOptions(registry).ok());
    Config config(std::move(registry));
    Status loaded = config.LoadString(conf, "test.conf");
    ASSERT_TRUE(loaded.ok()) << loaded.ToString();
    {
      auto options = db::DatabaseOptionsFromConfig(config);
      ASSERT_TRUE(options.ok());
      auto database = db::Database::Open(*options);
      ASSERT_TRUE(database.ok()) << database.status().ToString();
      ASSERT_TRUE(db::Sync(**database).ok());
    }
    auto app = ApiApp::Create(config);
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    ASSERT_TRUE((*app)->Start().ok());
    app_ = std::move(*app);
  }

  static std::string Project(const std::string& user) { return tokens_[user].ProjectId(); }

  // An HTTP exchange with the running API as `user` ("" for no token).
  static Answer Call(const std::string& method, const std::string& path, const std::string& user,
                     const std::optional<json>& body = std::nullopt, const std::string& raw_token = "") {
    httplib::Client client("127.0.0.1", app_->port());
    client.set_read_timeout(120, 0);
    httplib::Headers headers;
    if (!user.empty()) headers.emplace("X-Auth-Token", tokens_[user].id);
    if (!raw_token.empty()) headers.emplace("X-Auth-Token", raw_token);
    const std::string text = body ? body->dump() : "";
    httplib::Result r = method == "GET"      ? client.Get(path.c_str(), headers)
                        : method == "DELETE" ? client.Delete(path.c_str(), headers)
                        : method == "PUT"    ? client.Put(path.c_str(), headers, text, "application/json")
                                             : client.Post(path.c_str(), headers, text, "application/json");
    Answer a;
    if (!r) {
      ADD_FAILURE() << method << " " << path << ": no answer (" << httplib::to_string(r.error()) << ")";
      return a;
    }
    a.status = r->status;
    a.raw = r->body;
    a.body = json::parse(r->body, nullptr, false);
    return a;
  }

  static std::string V1(const std::string& user, const std::string& rest) { return "/v1/" + Project(user) + rest; }

  static json WorkloadBody(const std::string& server, const std::string& name) {
    return {{"workload",
             {{"name", name},
              {"description", "devcloud test"},
              {"source_platform", "openstack"},
              {"instances", json::array({{{"instance-id", server}}})},
              {"jobschedule", {{"enabled", "False"}, {"fullbackup_interval", "-1"}}},
              {"metadata", json::object()}}}};
  }

  static db::Database& Db() { return app_->database(); }

  // Deletes a workload through the API and then does what the engine's delete
  // job would do with database_only: forget the row.
  static void Forget(const std::string& user, const std::string& wid) {
    EXPECT_EQ(Call("DELETE", V1(user, "/workloads/" + wid + "?database_only=True"), user).status, 202);
    EXPECT_TRUE(db::WorkloadRepository(Db()).SoftDelete(wid).ok());
  }

  static inline std::filesystem::path dir_;
  static inline std::string run_, demo_server_, other_server_;
  static inline std::map<std::string, openstack::Token> tokens_;
  static inline std::unique_ptr<ApiApp> app_;
};

TEST_F(ApiDevcloudTest, VersionsNeedNoTokenEverythingElseDoes) {
  Answer versions = Call("GET", "/", "");
  EXPECT_EQ(versions.status, 200);
  EXPECT_EQ(versions.body["versions"][0]["id"], "v1.0");
  Answer none = Call("GET", V1("demo", "/workloads"), "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.body["unauthorized"]["code"], 401);
  Answer garbage = Call("GET", V1("demo", "/workloads"), "", std::nullopt, "gAAAAAgarbage");
  EXPECT_EQ(garbage.status, 401);
}

TEST_F(ApiDevcloudTest, RevokedTokenIsRefused) {
  const dc::CloudUser u = dc::User("demo");
  openstack::HttpClient http;
  openstack::KeystoneClient keystone(http, u.auth_url);
  auto token = keystone.Authenticate(u.Method(), u.Scope());
  ASSERT_TRUE(token.ok());
  ASSERT_TRUE(keystone.RevokeToken(token->id, token->id).ok());
  Answer a = Call("GET", V1("demo", "/workloads"), "", std::nullopt, token->id);
  EXPECT_EQ(a.status, 401) << a.raw;
}

TEST_F(ApiDevcloudTest, WorkloadLifecycleIsolatedBetweenProjects) {
  // demo protects its own server; the job is queued and the workload stays "creating".
  Answer created = Call("POST", V1("demo", "/workloads"), "demo", WorkloadBody(demo_server_, run_ + "-wl"));
  ASSERT_EQ(created.status, 202) << created.raw;
  const std::string wid = created.body["workload"]["id"];
  EXPECT_EQ(created.body["workload"]["status"], "creating");
  db::JobFilter jobs;
  jobs.object_id = wid;
  auto queued = db::JobRepository(Db()).List(jobs);
  ASSERT_TRUE(queued.ok());
  ASSERT_EQ(queued->size(), 1u);
  EXPECT_EQ((*queued)[0].status, "queued");

  // other cannot name demo's server (Nova hides it) nor see demo's workload.
  Answer stolen = Call("POST", V1("other", "/workloads"), "other", WorkloadBody(demo_server_, run_ + "-x"));
  EXPECT_EQ(stolen.status, 400) << stolen.raw;
  EXPECT_THAT(stolen.body["badRequest"]["message"].get<std::string>(), HasSubstr("does not exist"));
  Answer list = Call("GET", V1("other", "/workloads/detail"), "other");
  ASSERT_EQ(list.status, 200);
  EXPECT_THAT(list.raw, ::testing::Not(HasSubstr(wid)));
  EXPECT_EQ(Call("GET", V1("other", "/workloads/" + wid), "other").status, 404);
  Answer cross = Call("GET", V1("demo", "/workloads/" + wid), "other");
  EXPECT_EQ(cross.status, 403) << cross.raw;

  // The reader of demo reads but cannot write.
  Answer read = Call("GET", V1("reader", "/workloads/" + wid), "reader");
  EXPECT_EQ(read.status, 200) << read.raw;
  Answer write = Call("POST", V1("reader", "/workloads"), "reader", WorkloadBody(demo_server_, "r"));
  EXPECT_EQ(write.status, 403) << write.raw;
  EXPECT_EQ(write.body["forbidden"]["message"], "Policy doesn't allow workload:workload_create to be performed.");

  // The admin sees every project's workloads; members do not get admin views.
  Answer all = Call("GET", V1("admin", "/workloads?all_workloads=True"), "admin");
  ASSERT_EQ(all.status, 200);
  EXPECT_THAT(all.raw, HasSubstr(wid));
  EXPECT_EQ(Call("GET", V1("demo", "/workloads/metrics/nodes"), "demo").status, 403);
  EXPECT_EQ(Call("GET", V1("admin", "/workloads/metrics/nodes"), "admin").status, 200);

  // Once the engine made it available: one snapshot at a time.
  ASSERT_TRUE(db::WorkloadRepository(Db()).SetStatusIf(wid, {"creating"}, "available").ok());
  Answer snap = Call("POST", V1("demo", "/workloads/" + wid), "demo",
                     json{{"snapshot", {{"name", "s1"}, {"is_scheduled", "False"}}}});
  ASSERT_EQ(snap.status, 202) << snap.raw;
  EXPECT_EQ(snap.body["snapshot"]["snapshot_type"], "full");
  Answer second = Call("POST", V1("demo", "/workloads/" + wid + "?full=1"), "demo");
  EXPECT_EQ(second.status, 409) << second.raw;
  const std::string sid = snap.body["snapshot"]["id"];
  EXPECT_EQ(Call("GET", V1("other", "/snapshots/" + sid), "other").status, 404);
  // Cancel while queued: cancelled at once, the workload free again.
  EXPECT_EQ(Call("GET", V1("demo", "/snapshots/" + sid + "/cancel"), "demo").status, 202);
  EXPECT_EQ(Call("GET", V1("demo", "/snapshots/" + sid), "demo").body["snapshot"]["status"], "cancelled");
  EXPECT_EQ(Call("GET", V1("demo", "/workloads/" + wid), "demo").body["workload"]["status"], "available");

  Forget("demo", wid);
}

TEST_F(ApiDevcloudTest, QuotaSetByAdminIsEnforced) {
  Answer types = Call("GET", V1("admin", "/project_quota_types"), "admin");
  ASSERT_EQ(types.status, 200);
  std::string workloads_type;
  for (const auto& t : types.body["quota_types"]) {
    if (t["name"] == "Workloads") workloads_type = t["id"];
  }
  ASSERT_FALSE(workloads_type.empty()) << types.raw;
  const json quota = {{"allowed_quotas", json::array({{{"quota_type_id", workloads_type}, {"project_id", Project("other")},
                                                      {"allowed_value", 0}, {"high_watermark", 0}}})}};
  EXPECT_EQ(Call("POST", V1("other", "/project_allowed_quotas/" + Project("other")), "other", quota).status, 403);
  Answer set = Call("POST", V1("admin", "/project_allowed_quotas/" + Project("other")), "admin", quota);
  ASSERT_EQ(set.status, 200) << set.raw;
  const std::string quota_id = set.body["allowed_quotas"][0]["id"];
  Answer over = Call("POST", V1("other", "/workloads"), "other", WorkloadBody(other_server_, run_ + "-q"));
  EXPECT_EQ(over.status, 413) << over.raw;
  EXPECT_THAT(over.body["overLimit"]["message"].get<std::string>(), HasSubstr("Workloads"));
  EXPECT_EQ(Call("DELETE", V1("admin", "/project_allowed_quotas/" + quota_id), "admin").status, 202);
  Answer ok = Call("POST", V1("other", "/workloads"), "other", WorkloadBody(other_server_, run_ + "-q"));
  EXPECT_EQ(ok.status, 202) << ok.raw;
  if (ok.status == 202) Forget("other", ok.body["workload"]["id"]);
}

TEST_F(ApiDevcloudTest, TrustIsCreatedInKeystoneAndDeleted) {
  Answer created = Call("POST", V1("demo", "/trusts"), "demo", json{{"trusts", {{"role_name", "member"}}}});
  ASSERT_EQ(created.status, 200) << created.raw;
  const std::string trust_id = created.body["trust"][0]["name"];
  Answer list = Call("GET", V1("demo", "/trusts"), "demo");
  EXPECT_THAT(list.raw, HasSubstr(trust_id));
  EXPECT_THAT(Call("GET", V1("other", "/trusts"), "other").raw, ::testing::Not(HasSubstr(trust_id)));
  EXPECT_EQ(Os("admin", "trust show " + trust_id + " -f value -c id"), trust_id);
  EXPECT_EQ(Call("DELETE", V1("demo", "/trusts/" + trust_id), "demo").status, 200);
  auto r = testing::Run(". " + dc::DevcloudDir() + "/openrc-admin && openstack trust show " + trust_id);
  EXPECT_NE(r.exit_code, 0) << "trust still in Keystone: " << r.output;
}

// Cairn reaches Nova on the configured catalog interface only: with the
// public and admin paths to Nova cut, "internal" works and "public" does not.
TEST_F(ApiDevcloudTest, NovaIsReachedOnTheConfiguredInterface) {
  ASSERT_EQ(testing::Run("'" + DevcloudScript("path") + "' cut public nova").exit_code, 0);
  ASSERT_EQ(testing::Run("'" + DevcloudScript("path") + "' cut admin nova").exit_code, 0);
  Answer internal = Call("POST", V1("other", "/workloads"), "other", WorkloadBody(other_server_, run_ + "-i"));
  EXPECT_EQ(internal.status, 202) << internal.raw;
  StartApp("public");
  Answer pub = Call("POST", V1("other", "/workloads"), "other", WorkloadBody(other_server_, run_ + "-p"));
  EXPECT_EQ(pub.status, 503) << pub.raw;
  testing::Run("'" + DevcloudScript("path") + "' restore");
  StartApp("internal");
  if (internal.status == 202) Forget("other", internal.body["workload"]["id"]);
}

// Every route, tried with the real tokens of a member of another project, a
// reader and an admin against the objects of project demo. The outsider never
// sees demo's ids or names and is refused demo's URLs; the reader changes
// nothing; nobody gets a 5xx.
TEST_F(ApiDevcloudTest, IsolationMatrixWithRealTokens) {
  // demo's objects: a workload (via the API), a snapshot and a restore (as the
  // engine would record them), a setting and a trust (via the API).
  Answer created = Call("POST", V1("demo", "/workloads"), "demo", WorkloadBody(demo_server_, run_ + "-secret-wl"));
  ASSERT_EQ(created.status, 202) << created.raw;
  const std::string wid = created.body["workload"]["id"];
  ASSERT_TRUE(db::WorkloadRepository(Db()).SetStatusIf(wid, {"creating"}, "available").ok());
  db::Snapshot snap;
  snap.workload_id = wid;
  snap.project_id = Project("demo");
  snap.user_id = tokens_["demo"].user.id;
  snap.name = run_ + "-secret-snap";
  snap.status = "available";
  auto s = db::SnapshotRepository(Db()).Create(snap);
  ASSERT_TRUE(s.ok());
  db::Restore restore;
  restore.snapshot_id = s->id;
  restore.workload_id = wid;
  restore.project_id = Project("demo");
  restore.user_id = snap.user_id;
  restore.name = run_ + "-secret-restore";
  restore.status = "available";
  auto r = db::RestoreRepository(Db()).Create(restore);
  ASSERT_TRUE(r.ok());
  const std::string setting = run_ + "-secret-setting";
  ASSERT_EQ(Call("POST", V1("demo", "/settings"), "demo", json{{"settings", json::array({{{"name", setting}, {"value", "v"}}})}}).status, 200);
  Answer trust = Call("POST", V1("demo", "/trusts"), "demo", json{{"trusts", {{"role_name", "member"}}}});
  ASSERT_EQ(trust.status, 200) << trust.raw;
  const std::string trust_id = trust.body["trust"][0]["name"];
  const std::vector<std::string> secrets = {wid, s->id, r->id, run_ + "-secret", trust_id};

  auto fill = [&](std::string pattern, const std::string& url_project) {
    const std::map<std::string, std::string> values = {
        {"{project_id}", url_project},    {"{workload_id}", wid},       {"{snapshot_id}", s->id},
        {"{restore_id}", r->id},          {"{name}", setting},          {"{trust_name}", trust_id},
        {"{quota_project_id}", Project("demo")}, {"{assigned_project_id}", Project("demo")},
        {"{quota_id}", wid},              {"{policy_id}", wid},         {"{quota_type_id}", wid},
        {"{workload_type_id}", "2ddd528d-c9b4-4d7e-8722-cc395140255a"}};
    for (const auto& [key, value] : values) {
      for (size_t at = pattern.find(key); at != std::string::npos; at = pattern.find(key)) pattern.replace(at, key.size(), value);
    }
    EXPECT_EQ(pattern.find('{'), std::string::npos) << pattern;
    return pattern;
  };
  db::JobFilter all_jobs;
  const size_t jobs_before = db::JobRepository(Db()).List(all_jobs)->size();
  size_t calls = 0;
  for (const std::string user : {"other", "reader"}) {
    for (const Route* route : app_->router().Routes()) {
      if (!route->options.auth_required) continue;
      for (const std::string& url_project : {Project(user), Project("demo")}) {
        const std::string path = fill(route->pattern, url_project);
        const std::string what = user + " " + route->method + " " + path;
        Answer a = Call(route->method == "HEAD" ? "GET" : route->method, path, user, json::object());
        ++calls;
        ASSERT_LT(a.status, 500) << what << " -> " << a.raw;
        if (user == "other") {
          if (url_project == Project("demo")) {
            EXPECT_EQ(a.status, 403) << what << " -> " << a.raw;
          }
          for (const auto& secret : secrets) {
            // A fault may echo an id the caller sent; nothing else may show one.
            if (a.status >= 400 && path.find(secret) != std::string::npos) continue;
            EXPECT_EQ(a.raw.find(secret), std::string::npos) << what << " leaked " << secret << ": " << a.raw;
          }
        } else if (route->method != "GET" && route->method != "HEAD" &&
                   route->pattern.find("/workloads/settings") == std::string::npos) {
          EXPECT_TRUE(a.status == 403 || a.status == 404 || a.status == 400) << what << " -> " << a.raw;
        }
      }
    }
  }
  std::cout << "isolation matrix: " << calls << " calls with real tokens\n";
  // Neither the outsider nor the reader changed anything of demo's.
  EXPECT_EQ(db::JobRepository(Db()).List(all_jobs)->size(), jobs_before);
  EXPECT_EQ(db::WorkloadRepository(Db()).Get(wid)->status, "available");
  EXPECT_EQ(db::SnapshotRepository(Db()).Get(s->id)->status, "available");
  EXPECT_EQ(db::RestoreRepository(Db()).Get(r->id)->status, "available");
  EXPECT_EQ(Call("GET", V1("demo", "/trusts/" + trust_id), "demo").status, 200);
  EXPECT_EQ(Call("GET", V1("demo", "/settings/" + setting), "demo").status, 200);
  // The admin may look at demo's objects from its own project.
  EXPECT_EQ(Call("GET", V1("admin", "/workloads/" + wid), "admin").status, 200);
  EXPECT_EQ(Call("GET", V1("admin", "/snapshots/" + s->id), "admin").status, 200);

  EXPECT_EQ(Call("DELETE", V1("demo", "/trusts/" + trust_id), "demo").status, 200);
  ASSERT_TRUE(db::RestoreRepository(Db()).SoftDelete(r->id).ok());
  ASSERT_TRUE(db::SnapshotRepository(Db()).SoftDelete(s->id).ok());
  Forget("demo", wid);
}

}  // namespace
}  // namespace cairn::api
