// The cairn CLI against Cairn on the devcloud: authenticated by the real
// Keystone with the demo user's openrc (password auth), talking to the
// cairn-api of this test (--os-endpoint), whose engine snapshots a real VM.
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
  EXPECT_GT(w.value("storage_usage", 0), 0);

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
