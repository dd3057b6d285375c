// The fixture of the engine's devcloud tests (engine_devcloud_test.cc,
// processes_devcloud_test.cc): Cairn started on the devcloud, and helpers to
// boot guests that write known data, call the API and read disk images.
#pragma once

#include <httplib.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "api/v1/api_app.h"
#include "db/schema.h"
#include "devcloud_env.h"
#include "datamover_service/options.h"
#include "engine/engine_app.h"
#include "engine/options.h"
#include "target/identity.h"
#include "target/options.h"
#include "target/store.h"
#include "openstack/keystone.h"
#include "support/command.h"

namespace cairn::engine_testing {

using nlohmann::json;
using ::testing::HasSubstr;
namespace dc = openstack::devcloud;

inline constexpr uint64_t kMiB = 1 << 20;

inline std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Runs the openstack CLI as `user`; returns the last line of its output.
inline std::string Os(const std::string& user, const std::string& args, bool expect_ok = true) {
  auto r = testing::Run(". " + dc::DevcloudDir() + "/openrc-" + user + " && openstack " + args + " 2>&1");
  if (expect_ok) {
    EXPECT_EQ(r.exit_code, 0) << "openstack " << args << ":\n" << r.output;
  }
  std::string out = Trim(r.output);
  const size_t nl = out.rfind('\n');
  return nl == std::string::npos ? out : out.substr(nl + 1);
}
inline std::string OsAll(const std::string& user, const std::string& args) {
  return testing::Run(". " + dc::DevcloudDir() + "/openrc-" + user + " && openstack " + args + " 2>&1").output;
}

// The bytes the guest writes for `key` (devcloud/guest/fill.c).
inline std::string Fill(const std::string& key, uint64_t size) {
  auto r = testing::Run("'" + dc::DevcloudDir() + "/guest/cairn-fill' gen '" + key + "' " + std::to_string(size) +
                        " | base64 -w0");
  EXPECT_EQ(r.exit_code, 0);
  return Trim(r.output);
}
// `size` bytes at `offset` of a disk image (any format qemu-img reads), base64.
inline std::string Bytes(const std::string& image, uint64_t offset, uint64_t size, const std::string& format = "") {
  const std::string raw = ::testing::TempDir() + "/cairn-bytes-" + std::to_string(::getpid()) + ".raw";
  auto c = testing::Run("qemu-img convert -U " + (format.empty() ? "" : "-f " + format + " ") + "-O raw '" + image +
                        "' '" + raw + "' 2>&1");
  EXPECT_EQ(c.exit_code, 0) << c.output;
  auto r = testing::Run("dd if='" + raw + "' bs=1M iflag=skip_bytes,count_bytes skip=" + std::to_string(offset) +
                        " count=" + std::to_string(size) + " status=none | base64 -w0; rm -f '" + raw + "'");
  return Trim(r.output);
}
// Equal data, without printing megabytes of it when it is not: the sizes
// and the first byte that differs.
inline ::testing::AssertionResult SameData(const std::string& got, const std::string& want) {
  if (got == want) return ::testing::AssertionSuccess();
  size_t at = 0;
  while (at < got.size() && at < want.size() && got[at] == want[at]) ++at;
  return ::testing::AssertionFailure() << "data differs (base64 lengths " << got.size() << " and " << want.size()
                                       << ", first difference at base64 offset " << at << ")";
}

inline void ExpectImageChecks(const std::string& image) {
  auto r = testing::Run("qemu-img check -U '" + image + "' 2>&1");
  EXPECT_EQ(r.exit_code, 0) << image << ":\n" << r.output;
}

// Cairn on the devcloud: cairn-api in this process and, with the in-process
// transport, cairn-engine too; with the database transport the engine and
// the datamover are the real programs, started by the test.
class CairnDevcloudFixture : public ::testing::Test {
 protected:
  // Starts the API (and the in-process engine when `transport` is in_process).
  static void StartCairn(const std::string& transport) {
    dir_ = std::filesystem::temp_directory_path() / ("cairn_engine_devcloud_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "target");
    {
      // A new local target gets its identity marker (cairn-manage target
      // init --local does the same); jobs refuse a target without one.
      auto store = target::OpenPosixStore((dir_ / "target").string());
      ASSERT_TRUE(store.ok()) << store.status().ToString();
      auto identity = target::InitTargetIdentity(**store, "devcloud test");
      ASSERT_TRUE(identity.ok() || identity.status().code() == ErrorCode::kAlreadyExists)
          << identity.status().ToString();
    }
    run_ = dc::RandomName();
    for (const char* user : {"demo", "admin"}) {
      const dc::CloudUser u = dc::User(user);
      openstack::HttpClient http;
      openstack::KeystoneClient keystone(http, u.auth_url);
      auto token = keystone.Authenticate(u.Method(), u.Scope());
      ASSERT_TRUE(token.ok()) << user << ": " << token.status().ToString();
      tokens_[user] = *token;
    }
    const dc::CloudUser admin = dc::User("admin");
    const std::string conf =
        "[database]\nconnection = sqlite:///" + (dir_ / "cairn.db").string() + "\n[keystone_authtoken]\nauth_url = " +
        admin.auth_url + "\nusername = " + admin.username + "\npassword = " + admin.password +
        "\nproject_name = " + admin.project_name + "\nregion_name = RegionOne\n[clients]\nendpoint_type = internal\n" +
        "[api]\nbind_host = 127.0.0.1\nbind_port = 0\nworkers = 4\npolicy_file = " + (dir_ / "none.yaml").string() +
        "\n[target]\npath = " + (dir_ / "target").string() + "\n[engine]\nworkers = 2\njob_poll_interval = 200\n" +
        "staging_dir = " + (dir_ / "staging").string() + "\ndatamover_transport = " + transport +
        "\ndatamover_timeout = 10\njob_lease = 8\n[scheduler]\ninterval = 1\n[datamover]\nhost = devcloud\n" +
        "heartbeat_interval = 2\n" +
        "nfs_mount_point_base = " + dc::DevcloudDir() + "/data/cinder/mnt\n";
    conf_file_ = (dir_ / "cairn.conf").string();
    std::ofstream(conf_file_) << conf;
    OptionRegistry api_registry;
    ASSERT_TRUE(api::RegisterApiAppOptions(api_registry).ok());
    ASSERT_TRUE(engine::RegisterEngineOptions(api_registry).ok());
    ASSERT_TRUE(datamover_service::RegisterDatamoverOptions(api_registry).ok());
    Config config(std::move(api_registry));
    Status loaded = config.LoadString(conf, "test.conf");
    ASSERT_TRUE(loaded.ok()) << loaded.ToString();
    {
      auto options = db::DatabaseOptionsFromConfig(config);
      ASSERT_TRUE(options.ok());
      auto database = db::Database::Open(*options);
      ASSERT_TRUE(database.ok()) << database.status().ToString();
      ASSERT_TRUE(db::Sync(**database).ok());
    }
    auto api = api::ApiApp::Create(config);
    ASSERT_TRUE(api.ok()) << api.status().ToString();
    ASSERT_TRUE((*api)->Start().ok());
    api_ = std::move(*api);
    if (transport != "in_process") return;
    auto engine = engine::EngineApp::Create(config);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    ASSERT_TRUE((*engine)->Start().ok());
    engine_ = std::move(*engine);
  }

  static void TearDownTestSuite() {
    engine_.reset();
    api_.reset();
    for (const auto& server : servers_) Os("demo", "server delete --wait " + server, false);
    for (const auto& volume : volumes_) Os("demo", "volume delete " + volume, false);
    for (const auto& port : ports_) Os("demo", "port delete " + port, false);
    std::filesystem::remove_all(dir_);
  }

  static std::string Project() { return tokens_["demo"].ProjectId(); }
  static std::string V1(const std::string& rest) { return "/v1/" + Project() + rest; }

  static json Call(const std::string& method, const std::string& path, const std::optional<json>& body = std::nullopt,
                   int expect = 0) {
    return CallAs("demo", method, path, body, expect);
  }
  // Call as the devcloud user `user` (demo or admin).
  static json CallAs(const std::string& user, const std::string& method, const std::string& path,
                     const std::optional<json>& body = std::nullopt, int expect = 0) {
    httplib::Client client("127.0.0.1", api_->port());
    client.set_read_timeout(120, 0);
    httplib::Headers headers{{"X-Auth-Token", tokens_[user].id}};
    const std::string text = body ? body->dump() : "";
    httplib::Result r = method == "GET"      ? client.Get(path.c_str(), headers)
                        : method == "DELETE" ? client.Delete(path.c_str(), headers)
                                             : client.Post(path.c_str(), headers, text, "application/json");
    EXPECT_TRUE(r) << method << " " << path;
    if (!r) return json();
    if (expect != 0) {
      EXPECT_EQ(r->status, expect) << method << " " << path << ": " << r->body;
    }
    return r->body.empty() ? json() : json::parse(r->body, nullptr, false);
  }

  // Polls GET path until .key.status is one of `done`; returns the object.
  static json WaitFor(const std::string& path, const std::string& key, const std::set<std::string>& done,
                      std::chrono::seconds timeout = std::chrono::seconds(600)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    json last;
    while (std::chrono::steady_clock::now() < deadline) {
      last = Call("GET", path);
      if (last.contains(key) && done.count(last[key].value("status", ""))) return last[key];
      std::this_thread::sleep_for(std::chrono::seconds(2));
    }
    ADD_FAILURE() << "timed out waiting for " << path << ": " << last.dump();
    return last.contains(key) ? last[key] : json();
  }

  // Waits until the server's console log holds `needle` at least `times` times.
  static std::string WaitConsole(const std::string& server, const std::string& needle, int times = 1,
                                 std::chrono::seconds timeout = std::chrono::seconds(300)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string log;
    while (std::chrono::steady_clock::now() < deadline) {
      log = OsAll("demo", "console log show " + server);
      int found = 0;
      for (size_t pos = log.find(needle); pos != std::string::npos; pos = log.find(needle, pos + 1)) ++found;
      if (found >= times) return log;
      std::this_thread::sleep_for(std::chrono::seconds(3));
    }
    ADD_FAILURE() << "console of " << server << " never showed " << times << " x " << needle << ":\n" << log;
    return log;
  }

  static std::string NovaDisk(const std::string& server) {
    return dc::DevcloudDir() + "/data/nova/instances/" + server + "/disk";
  }
  static std::string VolumeFile(const std::string& volume) {
    auto r = testing::Run("ls " + dc::DevcloudDir() + "/data/cinder/mnt/*/volume-" + volume + " | head -1");
    return Trim(r.output);
  }
  // The image of `device` of VM `vm` in a snapshot, from the snapshot's disks on the target.
  static std::string SnapshotImage(const std::string& workload, const std::string& snapshot, const std::string& vm,
                                   const std::string& device) {
    const auto vm_dir = dir_ / "target" / ("workload_" + workload) / ("snapshot_" + snapshot) / ("vm_id_" + vm);
    for (const auto& e : std::filesystem::directory_iterator(vm_dir)) {
      const std::string name = e.path().filename().string();
      if (name.size() > device.size() && name.compare(name.size() - device.size() - 1, std::string::npos, "_" + device) == 0) {
        for (const auto& f : std::filesystem::directory_iterator(e.path())) {
          const std::string fname = f.path().filename().string();
          if (fname.find('.') == std::string::npos && fname != "disk_db") return f.path().string();
        }
      }
    }
    ADD_FAILURE() << "no image of " << device << " in " << vm_dir;
    return "";
  }

  // A VM of the demo project booted from cairn-guest (config drive, a fixed
  // seed, 1 MiB per disk and generation) with a 1 GiB volume attached,
  // both written by the guest.
  struct GuestVm {
    std::string server, volume, seed;
    std::string volume_dev = "vdb";  // vdc with m1.eph (its ephemeral disk is vdb)
    std::string vol_key() const { return volume.substr(0, 20); }
  };
  static GuestVm BootGuest(const std::string& name, const std::string& flavor = "m1.tiny") {
    GuestVm vm;
    vm.seed = name + "-seed";
    if (flavor == "m1.eph") vm.volume_dev = "vdc";
    vm.server = Os("demo", "server create --flavor " + flavor + " --image cairn-guest --network demo-net "
                           "--config-drive true --property cairn_seed=" + vm.seed +
                           " --property cairn_fill=1M --wait -f value -c id " + name);
    servers_.push_back(vm.server);
    WaitConsole(vm.server, "CAIRN-READY");
    vm.volume = Os("demo", "volume create --size 1 --type nfs -f value -c id " + name + "-vol");
    volumes_.push_back(vm.volume);
    for (int i = 0; i < 60 && Os("demo", "volume show " + vm.volume + " -f value -c status") != "available"; ++i) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    Os("demo", "server add volume " + vm.server + " " + vm.volume);
    WaitConsole(vm.server, "CAIRN-DISK dev=" + vm.volume_dev + " id=" + vm.vol_key() + " gen=1");
    return vm;
  }
  static std::string CreateWorkload(const std::string& server, const std::string& name) {
    json wl = Call("POST", V1("/workloads"),
                   json{{"workload",
                         {{"name", name},
                          {"instances", json::array({{{"instance-id", server}}})},
                          {"jobschedule", {{"enabled", false}}}}}},
                   202);
    const std::string wid = wl["workload"].value("id", "");
    EXPECT_EQ(WaitFor(V1("/workloads/" + wid), "workload", {"available", "error"})["status"], "available");
    return wid;
  }
  // Takes a snapshot and waits for its end; returns it.
  static json Snapshot(const std::string& wid, const std::string& name, bool full = false) {
    json s = Call("POST", V1("/workloads/" + wid + (full ? "?full=1" : "")), json{{"snapshot", {{"name", name}}}}, 202);
    return WaitFor(V1("/snapshots/" + s["snapshot"].value("id", "")), "snapshot", {"available", "error", "cancelled"});
  }
  static json Restore(const std::string& wid, const std::string& sid, const json& options) {
    json r = Call("POST", V1("/workloads/" + wid + "/snapshots/" + sid + "/restores"),
                  json{{"restore", {{"name", "r"}, {"options", options}}}}, 202);
    json done = WaitFor(V1("/restores/" + r["restore"].value("id", "")), "restore", {"available", "error", "cancelled"});
    for (const auto& i : done.value("instances", json::array())) {
      if (!i.value("in_place", false) && !i.value("id", "").empty()) servers_.push_back(i.value("id", ""));
      for (const auto& v : i.value("volumes", json::array())) volumes_.push_back(v);
      for (const auto& p : i.value("ports", json::array())) ports_.push_back(p);
    }
    return done;
  }
  static std::string DomainOf(const std::string& server) {
    return Os("admin", "server show " + server + " -f value -c OS-EXT-SRV-ATTR:instance_name");
  }
  static int CheckpointCount(const std::string& domain) {
    auto r = testing::Run("virsh checkpoint-list --name " + domain + " 2>/dev/null | grep -c . || true");
    return std::atoi(r.output.c_str());
  }

  static inline std::filesystem::path dir_;
  static inline std::string run_, conf_file_;
  static inline std::map<std::string, openstack::Token> tokens_;
  static inline std::unique_ptr<api::ApiApp> api_;
  static inline std::unique_ptr<engine::EngineApp> engine_;
  static inline std::vector<std::string> servers_, volumes_, ports_;
};

}  // namespace cairn::engine_testing
