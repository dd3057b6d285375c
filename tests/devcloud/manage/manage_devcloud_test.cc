// cairn-manage against the devcloud: `register` twice (created, then all
// unchanged) with a throw-away service user and service name, and
// `preflight`: all PASS on every interface, then the right row FAILs when a
// path is cut (devcloud/path), the service password is wrong, the target is
// missing, or the database cannot be reached.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "devcloud_env.h"
#include "openstack/keystone_admin.h"
#include "openstack/keystone_registration.h"
#include "openstack/service_session.h"
#include "common/temp_dir.h"
#include "support/command.h"

namespace cairn::manage {
namespace {

namespace devcloud = openstack::devcloud;
using ::testing::HasSubstr;

const std::string kManage = CAIRN_MANAGE_BINARY;
const std::string kPathTool = std::string(CAIRN_SOURCE_DIR) + "/devcloud/path";

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// Cuts a devcloud path for the scope; restores every cut when it ends (also
// when the test fails).
class PathCut {
 public:
  explicit PathCut(const std::string& args) {
    auto r = cairn::testing::Run(kPathTool + " cut " + args);
    EXPECT_EQ(r.exit_code, 0) << r.output;
  }
  ~PathCut() {
    auto r = cairn::testing::Run(kPathTool + " restore");
    EXPECT_EQ(r.exit_code, 0) << r.output;
  }
  PathCut(const PathCut&) = delete;
  PathCut& operator=(const PathCut&) = delete;
};

// ---------------------------------------------------------------- register

class RegisterDevcloudTest : public ::testing::Test {
 protected:
  void SetUp() override {
    admin_user_ = devcloud::User("admin");
    auto token = session_.TokenId();
    ASSERT_TRUE(token.ok()) << token.status().ToString();
    token_ = *token;
    auto url = session_.IdentityAdminUrl();
    ASSERT_TRUE(url.ok()) << url.status().ToString();
    admin_ = std::make_unique<openstack::KeystoneAdmin>(session_.http(), *url);
    // A `workloads` service registered before (a kept devcloud): remember it,
    // so the test puts it back as it was instead of deleting it.
    auto existing = Get("/services?type=workloads");
    ASSERT_TRUE(existing.ok()) << existing.status().ToString();
    if (!(*existing)["services"].empty()) {
      const auto& s = (*existing)["services"][0];
      previous_ = openstack::ServiceSpec{.type = "workloads", .name = s.value("name", ""),
                                         .description = s.value("description", "")};
      previous_id_ = s.value("id", "");
      auto endpoints = Get("/endpoints?service_id=" + previous_id_);
      ASSERT_TRUE(endpoints.ok());
      for (const auto& e : (*endpoints)["endpoints"]) {
        if (e.value("region_id", "") != "RegionOne") continue;
        const std::string interface = e.value("interface", "");
        if (interface == "public") previous_urls_.public_url = e.value("url", "");
        if (interface == "internal") previous_urls_.internal_url = e.value("url", "");
        if (interface == "admin") previous_urls_.admin_url = e.value("url", "");
      }
    }
  }

  void TearDown() override {
    if (!user_id_.empty()) {
      EXPECT_TRUE(admin_->DeleteUser(token_, user_id_).ok());
    }
    if (previous_) {
      for (const auto& id : created_endpoints_) EXPECT_TRUE(admin_->DeleteEndpoint(token_, id).ok());
      const openstack::KeystoneRegistrar registrar(*admin_);
      EXPECT_TRUE(registrar.EnsureService(token_, *previous_).ok());
      EXPECT_TRUE(registrar.EnsureEndpoints(token_, previous_id_, "RegionOne", previous_urls_).ok());
    } else if (!service_id_.empty()) {
      EXPECT_TRUE(admin_->DeleteService(token_, service_id_).ok());  // and its endpoints
    }
  }

  Result<nlohmann::json> Get(const std::string& path) {
    CAIRN_ASSIGN_OR_RETURN(auto response, session_.http().Send({.method = "GET", .url = admin_->identity_url() + path,
                                                                 .headers = openstack::JsonHeaders(token_)}));
    if (response.status != 200) return Status::Unavailable("GET " + path + ": HTTP " + std::to_string(response.status));
    return nlohmann::json::parse(response.body);
  }

  devcloud::CloudUser admin_user_;
  openstack::ServiceSession session_{devcloud::User("admin").AsService()};
  std::string token_;
  std::unique_ptr<openstack::KeystoneAdmin> admin_;
  std::optional<openstack::ServiceSpec> previous_;
  std::string previous_id_;
  openstack::EndpointUrls previous_urls_;
  std::string user_id_;     // deleted at the end
  std::string service_id_;  // deleted at the end unless it existed before
  std::vector<std::string> created_endpoints_;  // deleted at the end
};

TEST_F(RegisterDevcloudTest, CreatesThenLeavesEverythingUnchanged) {
  cairn::testing::TempDirectory dir;
  const std::string name = devcloud::RandomName();
  const std::string password = "pw-" + devcloud::RandomName();
  const std::string conf = dir.Write(
      "cairn.conf", "[keystone_authtoken]\nauth_url = " + admin_user_.auth_url + "\nusername = " + name +
                        "\npassword = " + password + "\nproject_name = service\n"
                        "[keystone_registration]\nservice_name = " + name + "\n"
                        "public_endpoint = http://127.0.0.11:8780/v1/$(tenant_id)s\n"
                        "internal_endpoint = http://127.0.0.12:8780/v1/$(tenant_id)s\n"
                        "admin_endpoint = http://127.0.0.13:8780/v1/$(tenant_id)s\n");
  // First run: the admin from --os-* flags (no OS_* variables at all).
  auto first = cairn::testing::Run(
      "env -u OS_AUTH_URL -u OS_USERNAME -u OS_PASSWORD -u OS_PROJECT_NAME " + kManage + " --config-file " + conf +
      " register --os-auth-url " + admin_user_.auth_url + " --os-username " + admin_user_.username +
      " --os-password " + admin_user_.password + " --os-project-name " + admin_user_.project_name);
  const auto lines = Lines(first.output);
  // Keep the ids for the clean-up before anything can fail.
  std::smatch m;
  for (const auto& line : lines) {
    if (std::regex_search(line, m, std::regex("^created user " + name + " \\(id ([0-9a-f]+)\\)"))) user_id_ = m[1];
    if (std::regex_search(line, m, std::regex("^created service workloads \\(id ([0-9a-f]+)\\)"))) service_id_ = m[1];
    if (std::regex_search(line, m, std::regex("^created [a-z]+ endpoint \\(id ([0-9a-f]+)\\)"))) {
      created_endpoints_.push_back(m[1]);
    }
  }
  ASSERT_EQ(first.exit_code, 0) << first.output;
  ASSERT_EQ(lines.size(), 7u) << first.output;
  EXPECT_EQ(lines[0], "unchanged region (id RegionOne)");
  EXPECT_THAT(lines[1], ::testing::StartsWith("created user " + name + " (id "));
  EXPECT_EQ(lines[2], "created role assignment (id admin on project service for user " + name + ")");
  if (previous_) {
    EXPECT_THAT(lines[3], ::testing::StartsWith("updated service workloads (id " + previous_id_ + "): name"));
  } else {
    EXPECT_THAT(lines[3], ::testing::StartsWith("created service workloads (id "));
    EXPECT_FALSE(service_id_.empty());
  }
  const char* interfaces[] = {"public", "internal", "admin"};
  for (int i = 0; i < 3; ++i) {
    const std::string url = "http://127.0.0.1" + std::to_string(i + 1) + ":8780/v1/$(tenant_id)s";
    if (previous_) {
      EXPECT_THAT(lines[4 + i], HasSubstr(std::string(interfaces[i]) + " endpoint (id ")) << lines[4 + i];
    } else {
      EXPECT_THAT(lines[4 + i], ::testing::StartsWith(std::string("created ") + interfaces[i] + " endpoint (id "));
      EXPECT_THAT(lines[4 + i], ::testing::EndsWith(": " + url));
    }
  }
  ASSERT_FALSE(user_id_.empty()) << first.output;

  // Second run: the admin from the OS_* environment variables; nothing changes.
  auto second = cairn::testing::Run(
      "env OS_AUTH_URL=" + admin_user_.auth_url + " OS_USERNAME=" + admin_user_.username +
      " OS_PASSWORD=" + admin_user_.password + " OS_PROJECT_NAME=" + admin_user_.project_name +
      " OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default " + kManage + " --config-file " + conf +
      " register");
  ASSERT_EQ(second.exit_code, 0) << second.output;
  const auto again = Lines(second.output);
  ASSERT_EQ(again.size(), 7u) << second.output;
  for (const auto& line : again) EXPECT_THAT(line, ::testing::StartsWith("unchanged ")) << second.output;

  // The new service user authenticates and sees Cairn's three endpoints.
  devcloud::CloudUser service_user = admin_user_;
  service_user.username = name;
  service_user.password = password;
  service_user.project_name = "service";
  openstack::ServiceSession as_service(service_user.AsService());
  auto catalog = as_service.GetCatalog();
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  const auto* workloads = catalog->FindService("workloads");
  ASSERT_NE(workloads, nullptr);
  EXPECT_EQ(workloads->name, name);
  const std::string project = as_service.GetToken()->ProjectId();
  EXPECT_EQ(*catalog->EndpointFor("workloads", openstack::Interface::kInternal, "RegionOne"),
            "http://127.0.0.12:8780/v1/" + project);
  EXPECT_EQ(*catalog->EndpointFor("workloads", openstack::Interface::kAdmin, "RegionOne"),
            "http://127.0.0.13:8780/v1/" + project);
}

// --------------------------------------------------------------- preflight

class PreflightDevcloudTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // A cut left behind by an interrupted earlier run would fail everything.
    auto r = cairn::testing::Run(kPathTool + " restore");
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  void SetUp() override {
    std::filesystem::create_directories(dir_.Path("target"));
    database_ = "sqlite:///" + dir_.Path("cairn.db");
    auto sync = Manage("db sync");
    ASSERT_EQ(sync.exit_code, 0) << sync.output;
    auto init = Manage("target init --local");
    ASSERT_EQ(init.exit_code, 0) << init.output;
  }

  // cairn-manage with a configuration for the devcloud's admin as the
  // service user, on `interface`, plus `extra` lines (later values win).
  cairn::testing::CommandResult Manage(const std::string& args, const std::string& interface = "internal",
                                       const std::string& extra = "") {
    const devcloud::CloudUser admin = devcloud::User("admin");
    const std::string conf = dir_.Write(
        "cairn.conf", "[keystone_authtoken]\nauth_url = " + admin.auth_url + "\nusername = " + admin.username +
                          "\npassword = " + admin.password + "\nproject_name = " + admin.project_name +
                          "\nregion_name = RegionOne\n[clients]\nendpoint_type = " + interface +
                          "\n[database]\nconnection = " + database_ + "\n[target]\npath = " + dir_.Path("target") +
                          "\nfree_space_warning = 0\n");
    const std::string override_conf = dir_.Write("override.conf", extra);
    return cairn::testing::Run("(" + kManage + " --config-file " + conf + " --config-file " + override_conf + " " +
                               args + " 2>/dev/null)");
  }

  // Runs `preflight --json`; returns check -> result, and the exit code.
  std::map<std::string, std::string> Preflight(int* exit_code, const std::string& interface = "internal",
                                               const std::string& extra = "") {
    auto r = Manage("preflight --json", interface, extra);
    *exit_code = r.exit_code;
    std::map<std::string, std::string> results;
    const auto doc = nlohmann::json::parse(r.output, nullptr, false);
    EXPECT_FALSE(doc.is_discarded()) << r.output;
    if (doc.is_discarded()) return results;
    for (const auto& c : doc["checks"]) {
      results[c["check"].get<std::string>()] = c["result"].get<std::string>();
      if (c["result"] == "FAIL") last_fixes_[c["check"].get<std::string>()] = c["fix"].get<std::string>();
    }
    last_output_ = r.output;
    return results;
  }

  static std::map<std::string, std::string> AllPass(const std::string& interface) {
    std::map<std::string, std::string> m;
    for (const char* check : {"keystone", "service user", "keystone admin endpoint", "database", "database schema",
                              "target directory", "target write", "target free space", "target identity"}) {
      m[check] = "PASS";
    }
    for (const char* type : {"compute", "volumev3", "image", "network"}) m[std::string(type) + " (" + interface + ")"] = "PASS";
    return m;
  }

  cairn::testing::TempDirectory dir_;
  std::string database_;
  std::string last_output_;
  std::map<std::string, std::string> last_fixes_;
};

TEST_F(PreflightDevcloudTest, AllPassOnEveryInterface) {
  for (const std::string interface : {"public", "internal", "admin"}) {
    int code = -1;
    EXPECT_EQ(Preflight(&code, interface), AllPass(interface)) << last_output_;
    EXPECT_EQ(code, 0) << last_output_;
  }
  // The table, too.
  auto table = Manage("preflight");
  EXPECT_EQ(table.exit_code, 0) << table.output;
  EXPECT_THAT(table.output, HasSubstr("compute (internal)"));
  EXPECT_THAT(table.output, HasSubstr("http://127.0.0.12:8774/"));
  EXPECT_THAT(table.output, HasSubstr("13 checks: 13 passed, 0 warnings, 0 failed, 0 skipped"));
}

TEST_F(PreflightDevcloudTest, PublicPathCutFailsKeystoneAndTheServiceUser) {
  PathCut cut("public");
  int code = -1;
  auto results = Preflight(&code);
  EXPECT_EQ(code, 1);
  auto expected = AllPass("internal");
  expected["keystone"] = "FAIL";
  expected["service user"] = "FAIL";
  expected["keystone admin endpoint"] = "SKIP";
  for (const char* type : {"compute", "volumev3", "image", "network"}) expected[std::string(type) + " (internal)"] = "SKIP";
  EXPECT_EQ(results, expected) << last_output_;
  EXPECT_THAT(last_fixes_["keystone"], HasSubstr("auth_url"));
}

TEST_F(PreflightDevcloudTest, InternalPathOfNovaCutFailsComputeOnly) {
  PathCut cut("internal nova");
  int code = -1;
  auto results = Preflight(&code);
  EXPECT_EQ(code, 1);
  auto expected = AllPass("internal");
  expected["compute (internal)"] = "FAIL";
  EXPECT_EQ(results, expected) << last_output_;
  EXPECT_THAT(last_fixes_["compute (internal)"], HasSubstr("[clients] endpoint_type"));
  // The same cloud on the public interface is fine.
  EXPECT_EQ(Preflight(&code, "public"), AllPass("public")) << last_output_;
  EXPECT_EQ(code, 0);
}

TEST_F(PreflightDevcloudTest, InternalPathCutFailsEveryServiceOnIt) {
  PathCut cut("internal");
  int code = -1;
  auto results = Preflight(&code);
  EXPECT_EQ(code, 1);
  auto expected = AllPass("internal");
  for (const char* type : {"compute", "volumev3", "image", "network"}) expected[std::string(type) + " (internal)"] = "FAIL";
  EXPECT_EQ(results, expected) << last_output_;
}

TEST_F(PreflightDevcloudTest, AdminPathOfKeystoneCutFailsTheAdminEndpoint) {
  PathCut cut("admin keystone");
  int code = -1;
  auto results = Preflight(&code);
  EXPECT_EQ(code, 1);
  auto expected = AllPass("internal");
  expected["keystone admin endpoint"] = "FAIL";
  EXPECT_EQ(results, expected) << last_output_;
  EXPECT_THAT(last_output_, HasSubstr("http://127.0.0.13:5000/v3"));
}

TEST_F(PreflightDevcloudTest, AdminPathCutFailsTheAdminInterface) {
  PathCut cut("admin");
  int code = -1;
  auto results = Preflight(&code, "admin");
  EXPECT_EQ(code, 1);
  auto expected = AllPass("admin");
  expected["keystone admin endpoint"] = "FAIL";
  for (const char* type : {"compute", "volumev3", "image", "network"}) expected[std::string(type) + " (admin)"] = "FAIL";
  EXPECT_EQ(results, expected) << last_output_;
}

TEST_F(PreflightDevcloudTest, WrongServicePasswordFailsTheServiceUser) {
  int code = -1;
  auto results = Preflight(&code, "internal", "[keystone_authtoken]\npassword = wrong-" + devcloud::RandomName() + "\n");
  EXPECT_EQ(code, 1);
  EXPECT_EQ(results["keystone"], "PASS") << last_output_;
  EXPECT_EQ(results["service user"], "FAIL") << last_output_;
  EXPECT_EQ(results["compute (internal)"], "SKIP") << last_output_;
  EXPECT_EQ(results["target write"], "PASS") << last_output_;
  EXPECT_THAT(last_fixes_["service user"], HasSubstr("password"));
}

TEST_F(PreflightDevcloudTest, MissingTargetFailsTheTargetRow) {
  int code = -1;
  auto results = Preflight(&code, "internal", "[target]\npath = " + dir_.Path("no-such-target") + "\n");
  EXPECT_EQ(code, 1);
  auto expected = AllPass("internal");
  expected["target directory"] = "FAIL";
  expected["target write"] = "SKIP";
  expected["target free space"] = "SKIP";
  expected["target identity"] = "SKIP";
  EXPECT_EQ(results, expected) << last_output_;
}

TEST_F(PreflightDevcloudTest, UnreachableDatabaseFailsTheDatabaseRow) {
  // A loopback port bound but not listening: connections are refused.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string url = "postgresql://cairn:pw@127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/cairn";
  int code = -1;
  auto results = Preflight(&code, "internal", "[database]\nconnection = " + url + "\nconnect_timeout = 5\n");
  ::close(fd);
  EXPECT_EQ(code, 1);
  auto expected = AllPass("internal");
  expected["database"] = "FAIL";
  expected["database schema"] = "SKIP";
  EXPECT_EQ(results, expected) << last_output_;
  EXPECT_THAT(last_fixes_["database"], HasSubstr("[database] connection"));
}

}  // namespace
}  // namespace cairn::manage
