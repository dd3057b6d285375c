// The cairn CLI in process against the v1 routes served over HTTP by the
// api_v1 harness (fake token validator and Nova), and against a scripted
// Keystone that hands out a catalog.
#include "cli/cli_app.h"

#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/http_server.h"
#include "api_v1/api_v1_harness.h"
#include "db/snapshot_repository.h"
#include "db/workload_repository.h"
#include "control/target_metadata.h"
#include "target/identity.h"
#include "support/command.h"

namespace cairn::cli {
namespace {

using api::testing::ApiHarness;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
namespace at = api::testing;

struct Outcome {
  int code = -1;
  std::string out;
  std::string err;
};

class CliAppTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api::HttpServerOptions options;
    options.bind_host = "127.0.0.1";
    options.bind_port = 0;
    options.workers = 2;
    // The in-process CLI leaves its keep-alive connection open; Stop waits
    // for idle connections up to this long at the end of each test.
    options.keep_alive_timeout = std::chrono::seconds(1);
    server_ = std::make_unique<api::HttpServer>(options, h_.dispatcher());
    ASSERT_TRUE(server_->Start().ok());
    endpoint_ = "http://127.0.0.1:" + std::to_string(server_->port()) + "/v1/" + at::kProjectA;
    vars_ = {{"OS_TOKEN", at::kTokMemberA}, {"OS_ENDPOINT", endpoint_}};
  }
  void TearDown() override { server_->Stop(); }

  Outcome Run(const std::vector<std::string>& args) {
    std::ostringstream out, err;
    CliEnvironment env{.env = [this](const std::string& n) {
                         auto it = vars_.find(n);
                         return it == vars_.end() ? std::string() : it->second;
                       },
                       .out = &out,
                       .err = &err,
                       .err_is_terminal = false,
                       .poll_interval = std::chrono::milliseconds(20)};
    Outcome o;
    o.code = RunCli(args, env);
    o.out = out.str();
    o.err = err.str();
    return o;
  }
  // Runs `args` with -f json and parses what it printed.
  json RunJson(std::vector<std::string> args) {
    args.insert(args.end(), {"-f", "json"});
    Outcome o = Run(args);
    EXPECT_EQ(o.code, 0) << o.err;
    json parsed = json::parse(o.out, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << o.out;
    return parsed;
  }
  std::string CreateWorkload(const std::string& name) {
    json w = RunJson({"workload-create", "--display-name", name, "--instance", std::string("instance-id=") + at::kVmA1});
    const std::string id = w.value("id", "");
    h_.MarkWorkloadAvailable(id);
    return id;
  }

  ApiHarness h_;
  std::unique_ptr<api::HttpServer> server_;
  std::string endpoint_;
  std::map<std::string, std::string> vars_;
};

TEST_F(CliAppTest, HelpAndUsageErrors) {
  Outcome none = Run({});
  EXPECT_EQ(none.code, kExitUsage);
  EXPECT_THAT(none.out, HasSubstr("workload-snapshot"));
  Outcome help = Run({"--help"});
  EXPECT_EQ(help.code, 0);
  Outcome unknown = Run({"workload-frobnicate"});
  EXPECT_EQ(unknown.code, kExitUsage);
  EXPECT_THAT(unknown.err, HasSubstr("cairn: error:"));
  Outcome missing = Run({"workload-show"});
  EXPECT_EQ(missing.code, kExitUsage);
  EXPECT_THAT(missing.err, HasSubstr("workload_id"));
  Outcome format = Run({"workload-list", "-f", "xml"});
  EXPECT_EQ(format.code, kExitUsage);
  EXPECT_EQ(format.err, "cairn: error: -f: 'xml' is not a format (table, json, yaml, value)\n");
}

TEST_F(CliAppTest, BadInputIsRefusedBeforeAnythingIsSent) {
  Outcome bad = Run({"workload-create", "--display-name", "x", "--instance", "server=abc"});
  EXPECT_EQ(bad.code, kExitUsage);
  EXPECT_EQ(bad.err, "cairn: error: --instance: 'server=abc' must be instance-id=<Nova server id>\n");
  Outcome schedule = Run({"workload-create", "--instance", at::kVmA1, "--jobschedule", "enabled"});
  EXPECT_EQ(schedule.code, kExitUsage);
  EXPECT_THAT(schedule.err, HasSubstr("--jobschedule: 'enabled' is not key=value"));
  Outcome no_vm = Run({"workload-create", "--display-name", "x"});
  EXPECT_EQ(no_vm.code, kExitUsage);
  EXPECT_EQ(h_.CountWorkloads(), 0u);
  Outcome file = Run({"snapshot-selective-restore", "--filename", "/nonexistent/r.json", "sid"});
  EXPECT_EQ(file.code, kExitUsage);
  EXPECT_EQ(file.err, "cairn: error: --filename: cannot read '/nonexistent/r.json'\n");
}

TEST_F(CliAppTest, WorkloadLifecycleThroughTheApi) {
  const std::string wid = CreateWorkload("web-tier");
  ASSERT_FALSE(wid.empty());
  Outcome list = Run({"workload-list"});
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("| web-tier "));
  EXPECT_THAT(list.out, HasSubstr("| ID "));
  Outcome value = Run({"workload-list", "-f", "value", "-c", "ID", "-c", "Name"});
  EXPECT_EQ(value.out, wid + " web-tier\n");

  json shown = RunJson({"workload-show", wid});
  EXPECT_EQ(shown["name"], "web-tier");
  EXPECT_EQ(shown["instances"].size(), 1u);

  json modified = RunJson({"workload-modify", wid, "--display-name", "web", "--jobschedule", "enabled=True",
                           "--jobschedule", "interval=1 hr", "--jobschedule", "start_time=10:00 PM"});
  EXPECT_EQ(modified["name"], "web");
  EXPECT_EQ(modified["jobschedule"]["enabled"], true);
  EXPECT_EQ(modified["jobschedule"]["interval"], "1hr");

  json snapshot = RunJson({"workload-snapshot", wid, "--full", "--display-name", "first"});
  EXPECT_EQ(snapshot["name"], "first");
  EXPECT_EQ(snapshot["snapshot_type"], "full");
  // The API refuses a second snapshot while the workload is locked: one
  // line with the API's own message, exit code 1.
  Outcome locked = Run({"workload-snapshot", wid});
  EXPECT_EQ(locked.code, kExitFailed);
  EXPECT_THAT(locked.err, HasSubstr("ERROR: "));
  EXPECT_THAT(locked.err, HasSubstr("(HTTP 409)"));
  EXPECT_EQ(std::count(locked.err.begin(), locked.err.end(), '\n'), 1);

  Outcome missing = Run({"workload-show", "00000000-0000-4000-8000-000000000000"});
  EXPECT_EQ(missing.code, kExitFailed);
  EXPECT_THAT(missing.err, HasSubstr("(HTTP 404)"));

  json types = RunJson({"workload-type-list"});
  EXPECT_EQ(types.size(), 2u);
}

TEST_F(CliAppTest, ListsFollowTheNextLinksToTheEnd) {
  h_.service().limits.max_page_size = 2;  // the API answers two rows a page
  const std::string wid = CreateWorkload("db");
  std::set<std::string> added;
  for (int i = 0; i < 5; ++i) added.insert(h_.AddAvailableSnapshot(wid, "s" + std::to_string(i)).id);
  json list = RunJson({"snapshot-list", "--workload_id", wid});
  std::set<std::string> listed;
  for (const auto& row : list) listed.insert(row["ID"].get<std::string>());
  EXPECT_EQ(listed, added);
  EXPECT_EQ(list.size(), 5u);
  h_.CreateWorkload(at::kTokMemberA, {at::kVmA2}, "two");
  h_.CreateWorkload(at::kTokMemberA, {at::kVmA3}, "three");
  EXPECT_EQ(RunJson({"workload-list"}).size(), 3u);
}

TEST_F(CliAppTest, SnapshotsAndRestores) {
  const std::string wid = CreateWorkload("db");
  const db::Snapshot s = h_.AddAvailableSnapshot(wid, "nightly");
  json list = RunJson({"snapshot-list", "--workload_id", wid});
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["ID"], s.id);
  EXPECT_EQ(list[0]["Status"], "available");
  json shown = RunJson({"snapshot-show", s.id, "-c", "name", "-c", "instances"});
  EXPECT_EQ(shown["name"], "nightly");
  EXPECT_FALSE(shown["instances"].empty());

  json restore = RunJson({"snapshot-oneclick-restore", s.id, "--display-name", "back"});
  EXPECT_EQ(restore["name"], "back");
  EXPECT_EQ(restore["restore_type"], "oneclick");
  json restores = RunJson({"restore-list", "--snapshot_id", s.id});
  ASSERT_EQ(restores.size(), 1u);
  EXPECT_EQ(restores[0]["ID"], restore["id"]);

  // A selective restore from a YAML file.
  h_.MarkWorkloadAvailable(wid);
  const std::string file = ::testing::TempDir() + "/cairn-cli-selective-" + std::to_string(::getpid()) + ".yaml";
  std::ofstream(file) << "openstack:\n  instances:\n    - id: " << at::kVmA1 << "\n      include: true\n      name: copy\n";
  json selective = RunJson({"snapshot-selective-restore", s.id, "--filename", file});
  EXPECT_EQ(selective["restore_type"], "selective");
  std::filesystem::remove(file);
}

TEST_F(CliAppTest, WaitShowsProgressUntilTheSnapshotIsDone) {
  const std::string wid = CreateWorkload("waited");
  // An engine's part, played by a thread: the snapshot moves, then ends.
  std::atomic<bool> stop = false;
  std::thread engine([&] {
    db::SnapshotRepository snapshots(h_.db());
    std::string sid;
    while (!stop && sid.empty()) {
      auto l = snapshots.List({});
      if (l.ok() && !l->empty()) sid = l->front().id;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (stop) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
    (void)snapshots.Update(sid, {.status = std::string("executing"), .progress_percent = 40,
                                 .progress_msg = std::string("Backing up the disks"), .uploaded_size = 4 << 20});
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    (void)snapshots.Update(sid, {.status = std::string("available"), .progress_percent = 100,
                                 .progress_msg = std::string("done"), .uploaded_size = 10 << 20});
  });
  Outcome o = Run({"workload-snapshot", wid, "--wait", "-f", "value", "-c", "status"});
  stop = true;
  engine.join();
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_EQ(o.out, "available\n");
  EXPECT_THAT(o.err, HasSubstr(" 40%  4.0 MiB"));
  EXPECT_THAT(o.err, HasSubstr("executing: Backing up the disks"));
  EXPECT_THAT(o.err, HasSubstr("100%  10.0 MiB"));
}

TEST_F(CliAppTest, WaitFailsWithTheJobsError) {
  const std::string wid = CreateWorkload("fails");
  std::thread engine([&] {
    db::SnapshotRepository snapshots(h_.db());
    for (int i = 0; i < 500; ++i) {
      auto l = snapshots.List({});
      if (l.ok() && !l->empty()) {
        (void)snapshots.Update(l->front().id, {.status = std::string("error"),
                                               .error_msg = std::string("the datamover on host c1 stopped reporting")});
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  Outcome o = Run({"workload-snapshot", wid, "--wait"});
  engine.join();
  EXPECT_EQ(o.code, kExitFailed);
  EXPECT_THAT(o.err, HasSubstr("failed: the datamover on host c1 stopped reporting\n"));
}

TEST_F(CliAppTest, ImportListAndImportFromTheTarget) {
  cairn::testing::TempDir target;
  h_.service().open_target = [root = target.str()] { return target::OpenPosixStore(root); };
  auto store = target::OpenPosixStore(target.str());
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(target::InitTargetIdentity(**store, "test").ok());
  db::Workload w{.id = "7e57a11d-0000-4000-8000-000000000001", .project_id = at::kProjectA, .user_id = at::kUserA,
                 .name = "lost"};
  w.created_at = UtcNow();
  ASSERT_TRUE(control::WriteWorkloadMetadata(**store, w).ok());
  vars_ = {{"OS_TOKEN", at::kTokAdmin},
           {"OS_ENDPOINT", endpoint_.substr(0, endpoint_.rfind('/') + 1) + at::kAdminProject}};
  Outcome list = Run({"workload-get-importworkloads-list", "-f", "value", "-c", "ID", "-c", "Name"});
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_EQ(list.out, w.id + " lost\n");
  Outcome imported = Run({"workload-importworkloads", "--workloadids", w.id, "-f", "value", "-c", "ID", "-c", "Error"});
  ASSERT_EQ(imported.code, 0) << imported.err;
  EXPECT_EQ(imported.out, w.id + " \n");
  EXPECT_TRUE(db::WorkloadRepository(h_.db()).Get(w.id).ok());
  Outcome again = Run({"workload-importworkloads", "--workloadids", w.id});
  EXPECT_NE(again.code, 0);
  EXPECT_NE(again.out.find("already in the database"), std::string::npos) << again.out;
  EXPECT_NE(again.err.find("1 of 1 workloads not imported"), std::string::npos) << again.err;
  // A workload whose project Keystone does not know, mapped to project A.
  db::Workload stray{.id = "7e57a11d-0000-4000-8000-000000000002", .project_id = "0000dead0000dead0000dead0000dead",
                     .user_id = at::kUserA, .name = "stray"};
  stray.created_at = UtcNow();
  ASSERT_TRUE(control::WriteWorkloadMetadata(**store, stray).ok());
  Outcome bad_map = Run({"workload-importworkloads", "--project-mapping", "0000dead0000dead0000dead0000dead"});
  EXPECT_NE(bad_map.code, 0);
  EXPECT_THAT(bad_map.err, HasSubstr("--project-mapping takes"));
  Outcome unmapped = Run({"workload-importworkloads", "-f", "value", "-c", "ID", "-c", "Error"});
  EXPECT_NE(unmapped.code, 0);
  EXPECT_THAT(unmapped.out, HasSubstr("does not exist in Keystone"));
  Outcome mapped = Run({"workload-importworkloads", "--project-mapping",
                        std::string("0000dead0000dead0000dead0000dead=") + at::kProjectA, "-f", "value", "-c", "ID"});
  ASSERT_EQ(mapped.code, 0) << mapped.err;
  EXPECT_EQ(mapped.out, stray.id + "\n");
  EXPECT_THAT(mapped.err, HasSubstr("imported into " + std::string(at::kProjectA)));
  EXPECT_EQ(db::WorkloadRepository(h_.db()).Get(stray.id)->project_id, at::kProjectA);
  Outcome member = Run({"workload-get-orphaned-workloads-list"});
  EXPECT_EQ(member.code, 0) << member.err;
}

TEST_F(CliAppTest, DebugShowsTheExchangeWithTheTokenMasked) {
  Outcome o = Run({"--debug", "workload-list"});
  EXPECT_EQ(o.code, 0);
  EXPECT_THAT(o.err, HasSubstr("REQ: GET " + endpoint_ + "/workloads/detail"));
  EXPECT_THAT(o.err, HasSubstr("X-Auth-Token: ***"));
  EXPECT_THAT(o.err, HasSubstr("RESP: 200"));
  EXPECT_THAT(o.err, Not(HasSubstr(at::kTokMemberA)));
}

TEST_F(CliAppTest, UnreachableApiIsOneLine) {
  vars_["OS_ENDPOINT"] = "http://127.0.0.1:9/v1/x";
  Outcome o = Run({"workload-list"});
  EXPECT_EQ(o.code, kExitFailed);
  EXPECT_EQ(o.err.rfind("ERROR: ", 0), 0u) << o.err;
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1);
}

// A Keystone stand-in: POST /v3/auth/tokens checks the password and answers
// the member token of project A with a catalog whose workloads endpoint is
// the harness on public and a closed port on internal.
class KeystoneCliTest : public CliAppTest {
 protected:
  void SetUp() override {
    CliAppTest::SetUp();
    keystone_.Post("/v3/auth/tokens", [this](const httplib::Request& req, httplib::Response& res) {
      json body = json::parse(req.body, nullptr, false);
      const json password = body["auth"]["identity"].value("password", json::object());
      if (password.value("user", json::object()).value("password", "") != "secret") {
        res.status = 401;
        res.set_content(R"({"error": {"code": 401, "message": "The request you have made requires authentication.", "title": "Unauthorized"}})",
                        "application/json");
        return;
      }
      const std::string base = "http://127.0.0.1:" + std::to_string(server_->port()) + "/v1/%(tenant_id)s";
      json token = {{"token",
                     {{"expires_at", "2099-01-01T00:00:00.000000Z"},
                      {"issued_at", "2026-12-06T00:00:00.000000Z"},
                      {"methods", {"password"}},
                      {"user", {{"id", at::kUserA}, {"name", "demo"}, {"domain", {{"id", "default"}, {"name", "Default"}}}}},
                      {"project", {{"id", at::kProjectA}, {"name", "demo"}, {"domain", {{"id", "default"}, {"name", "Default"}}}}},
                      {"roles", {{{"id", "r1"}, {"name", "member"}}}},
                      {"catalog",
                       {{{"type", "workloads"},
                         {"name", "workloadmgr"},
                         {"id", "svc"},
                         {"endpoints",
                          {{{"id", "e1"}, {"interface", "public"}, {"region_id", "RegionOne"}, {"url", base}},
                           {{"id", "e2"}, {"interface", "internal"}, {"region_id", "RegionOne"},
                            {"url", "http://127.0.0.1:9/v1/%(tenant_id)s"}}}}}}}}}};
      res.status = 201;
      res.set_header("X-Subject-Token", at::kTokMemberA);
      res.set_content(token.dump(), "application/json");
    });
    keystone_.set_keep_alive_timeout(1);  // stop() waits for idle connections this long
    keystone_port_ = keystone_.bind_to_any_port("127.0.0.1");
    keystone_thread_ = std::thread([this] { keystone_.listen_after_bind(); });
    vars_ = {{"OS_AUTH_URL", "http://127.0.0.1:" + std::to_string(keystone_port_) + "/v3"},
             {"OS_USERNAME", "demo"},
             {"OS_PASSWORD", "secret"},
             {"OS_PROJECT_NAME", "demo"},
             {"OS_USER_DOMAIN_NAME", "Default"},
             {"OS_PROJECT_DOMAIN_NAME", "Default"}};
  }
  void TearDown() override {
    keystone_.stop();
    keystone_thread_.join();
    CliAppTest::TearDown();
  }

  httplib::Server keystone_;
  int keystone_port_ = 0;
  std::thread keystone_thread_;
};

TEST_F(KeystoneCliTest, FindsCairnInTheCatalogOnTheChosenInterface) {
  Outcome o = Run({"workload-type-list", "-f", "value", "-c", "Name"});
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("Serial"));
  // The internal endpoint is closed: the CLI went there.
  vars_["OS_INTERFACE"] = "internal";
  Outcome internal = Run({"workload-type-list"});
  EXPECT_EQ(internal.code, kExitFailed);
  EXPECT_THAT(internal.err, HasSubstr("127.0.0.1:9"));
  // No admin endpoint at all.
  Outcome admin = Run({"--os-interface", "admin", "workload-type-list"});
  EXPECT_EQ(admin.code, kExitFailed);
  EXPECT_THAT(admin.err, HasSubstr("Cairn's endpoint"));
}

TEST_F(KeystoneCliTest, WrongPasswordAndMissingSettings) {
  vars_["OS_PASSWORD"] = "wrong";
  Outcome o = Run({"workload-list"});
  EXPECT_EQ(o.code, kExitFailed);
  EXPECT_THAT(o.err, HasSubstr("authentication at http://127.0.0.1:"));
  vars_.erase("OS_PASSWORD");
  Outcome none = Run({"workload-list"});
  EXPECT_EQ(none.code, kExitFailed);
  EXPECT_EQ(none.err, "ERROR: no password: set OS_PASSWORD or --os-password\n");
  Outcome given = Run({"--os-password", "secret", "workload-list"});
  EXPECT_EQ(given.code, 0) << given.err;
}

}  // namespace
}  // namespace cairn::cli
