// The cairn CLI against Cairn on the devcloud: authenticated by the real
// Keystone with the demo user's openrc (password auth), talking to the
// cairn-api of this test (--os-endpoint), whose engine snapshots a real VM.
#include <ctime>
#include <sstream>

#include "engine_fixture.h"

namespace cairn::engine_testing {
namespace {

class CliDevcloudTest : public CairnDevcloudFixture {
 protected:
  static void SetUpTestSuite() { StartCairn("in_process"); }

  // Runs the cairn CLI as the devcloud's demo user; exit code and output
  // (stdout, then stderr).
  static testing::CommandResult Cairn(const std::string& args, std::string* err = nullptr) {
    const std::string err_file = (dir_ / "cli.err").string();
    // stderr to its own file, inside the subshell (Run adds 2>&1 outside).
    auto r = testing::Run("(. " + dc::DevcloudDir() + "/openrc-demo && '" CAIRN_CLI_BINARY "' --os-endpoint " +
                          "'http://127.0.0.1:" + std::to_string(api_->port()) + "/v1/%(project_id)s' " + args +
                          " 2>'" + err_file + "')");
    std::ifstream in(err_file);
    std::stringstream text;
    text << in.rdbuf();
    if (err) *err = text.str();
    EXPECT_EQ(r.exit_code, 0) << "cairn " << args << ":\n" << r.output << text.str();
    return r;
  }
};

TEST_F(CliDevcloudTest, ProtectsAndSnapshotsAVmWithProgress) {
  GuestVm vm = BootGuest(run_ + "-cli");
  const std::string wid =
      Trim(Cairn("workload-create --display-name " + run_ + "-cli-wl --instance instance-id=" + vm.server +
                 " -f value -c id")
               .output);
  ASSERT_EQ(wid.size(), 36u) << wid;
  EXPECT_EQ(WaitFor(V1("/workloads/" + wid), "workload", {"available", "error"})["status"], "available");

  std::string progress;
  const std::string status =
      Trim(Cairn("workload-snapshot " + wid + " --full --display-name by-cli --wait -f value -c status", &progress)
               .output);
  EXPECT_EQ(status, "available") << progress;
  // Not a terminal: plain progress lines, the last one at 100%.
  EXPECT_THAT(progress, HasSubstr("executing"));
  EXPECT_THAT(progress, HasSubstr("100%"));

  const std::string listed = Trim(Cairn("snapshot-list --workload_id " + wid + " -f value -c Name -c Type").output);
  EXPECT_EQ(listed, "by-cli full");
  const std::string shown = Cairn("workload-show " + wid + " -f json").output;
  json w = json::parse(shown, nullptr, false);
  ASSERT_TRUE(w.is_object()) << shown;
  EXPECT_EQ(w["instances"][0].value("id", ""), vm.server);
  EXPECT_GT(w["storage_usage"].value("usage", 0), 0) << shown;

  // Retention of one snapshot: the next snapshot (an incremental) makes the
  // first expire; its delete merges the full into the incremental, which
  // then stands alone and still checks.
  Cairn("workload-modify " + wid + " --jobschedule retention_policy_value=1 -f value -c id");
  const std::string second =
      Trim(Cairn("workload-snapshot " + wid + " --display-name second --wait -f value -c id").output);
  std::string left;
  for (int i = 0; i < 120; ++i) {
    left = Trim(Cairn("snapshot-list --workload_id " + wid + " -f value -c ID").output);
    if (left == second) break;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  EXPECT_EQ(left, second);
  EXPECT_EQ(Trim(Cairn("snapshot-show " + second + " -f value -c snapshot_type").output), "incremental");
  const std::string image = SnapshotImage(wid, second, vm.server, "vda");
  ExpectImageChecks(image);
  auto info = testing::Run("qemu-img info -U --output=json '" + image + "'");
  EXPECT_EQ(info.output.find("backing-filename"), std::string::npos) << info.output;
  EXPECT_EQ(Call("GET", V1("/workloads/" + wid))["workload"].value("status", ""), "available");

  // A scheduled snapshot runs as the demo user through the trust the user
  // created. The scheduler counts from the pass that first sees the
  // schedule, so the first run is set to the next whole minute (or the one
  // after, when this one is nearly over).
  const std::string trust = Trim(Cairn("trust-create member -f value -c Name").output);
  ASSERT_FALSE(trust.empty());
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const auto into_minute = now - std::chrono::floor<std::chrono::minutes>(now);
  const auto first_run =
      std::chrono::floor<std::chrono::minutes>(now) + std::chrono::minutes(into_minute > std::chrono::seconds(45) ? 2 : 1);
  const std::time_t first_t = std::chrono::system_clock::to_time_t(first_run);
  std::tm utc{};
  gmtime_r(&first_t, &utc);
  char day[16], clock[8];
  std::strftime(day, sizeof day, "%m/%d/%Y", &utc);
  std::strftime(clock, sizeof clock, "%H:%M", &utc);
  Cairn("workload-modify " + wid + " --jobschedule enabled=True --jobschedule start_date=" + day +
        " --jobschedule start_time=" + clock + " --jobschedule interval=5min --jobschedule timezone=UTC" +
        " --jobschedule retention_policy_value=5 -f value -c id");
  std::string scheduled;
  for (int i = 0; i < 300 && scheduled.find("jobscheduler available") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    scheduled = Cairn("snapshot-list --workload_id " + wid + " -f value -c Name -c Status").output;
    if (scheduled.find("jobscheduler error") != std::string::npos) break;
  }
  Cairn("workload-pause " + wid);
  EXPECT_THAT(scheduled, HasSubstr("jobscheduler available"));
  json snaps = Call("GET", V1("/snapshots/detail?workload_id=" + wid))["snapshots"];
  for (const auto& snap : snaps) {
    if (snap.value("name", "") != "jobscheduler") continue;
    EXPECT_TRUE(snap["error_msg"].is_null() || snap["error_msg"] == "") << snap.dump();
    EXPECT_EQ(snap.value("snapshot_type", ""), "incremental");
  }
  Cairn("trust-delete " + trust);

  // A wrong password is one line from Keystone's refusal.
  auto r = testing::Run(". " + dc::DevcloudDir() + "/openrc-demo && OS_PASSWORD=wrong '" CAIRN_CLI_BINARY
                        "' workload-list 2>&1");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("ERROR: authentication at "));

  Cairn("workload-delete " + wid);
  for (int i = 0; i < 60 && std::filesystem::exists(dir_ / "target" / ("workload_" + wid)); ++i) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "target" / ("workload_" + wid)));
}

}  // namespace
}  // namespace cairn::engine_testing
