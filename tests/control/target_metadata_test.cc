#include "control/target_metadata.h"

#include <gtest/gtest.h>

#include "support/assert_ok.h"
#include "support/command.h"
#include "target/layout.h"

namespace cairn::control {
namespace {

using nlohmann::json;

TEST(TargetMetadataTest, WritesTheWorkloadmgrLayout) {
  cairn::testing::TempDir dir;
  auto store = target::OpenPosixStore(dir.path().string());
  ASSERT_CAIRN_OK(store);
  db::Workload w;
  w.id = "11111111-1111-4111-8111-111111111111";
  w.name = "wl";
  w.vms.push_back({.vm_id = "vm-1", .vm_name = "one"});
  ASSERT_CAIRN_OK(WriteWorkloadMetadata(**store, w));
  db::Snapshot s;
  s.id = "22222222-2222-4222-8222-222222222222";
  s.workload_id = w.id;
  s.status = "available";
  db::SnapshotVm vm;
  vm.snapshot_id = s.id;
  vm.vm_id = "vm-1";
  json resources = {{"vm-1",
                     {{"networks", json::array({{{"id", "net-1"}, {"name", "demo-net"}}})},
                      {"ports", json::array({{{"id", "port-1"}}})},
                      {"subnets", json::array({{{"id", "../escape"}}})},  // not a safe id: skipped
                      {"security_groups", json::array({{{"id", "sg-1"}, {"name", "default"}}})}}}};
  ASSERT_CAIRN_OK(WriteSnapshotResources(**store, s, {vm}, resources));
  ASSERT_CAIRN_OK(WriteSnapshotDb(**store, s));

  auto read = [&](const std::string& path) {
    auto text = (*store)->ReadSmall(path);
    EXPECT_TRUE(text.ok()) << path;
    return text.ok() ? json::parse(*text) : json();
  };
  EXPECT_EQ(read(target::layout::WorkloadDb(w.id))["name"], "wl");
  EXPECT_EQ(read(target::layout::WorkloadVmsDb(w.id))[0]["vm_id"], "vm-1");
  EXPECT_EQ(read(target::layout::SnapshotDb(w.id, s.id))["status"], "available");
  EXPECT_EQ(read(target::layout::SnapshotVmsDb(w.id, s.id))[0]["vm_id"], "vm-1");
  EXPECT_EQ(read(target::layout::ResourcesDb(w.id, s.id))["vm-1"]["networks"][0]["name"], "demo-net");
  EXPECT_EQ(read(target::layout::NetworkDir(w.id, s.id) + "/network_net-1_db")["name"], "demo-net");
  EXPECT_EQ(read(target::layout::NetworkDir(w.id, s.id) + "/port_port-1_db")["id"], "port-1");
  EXPECT_EQ(read(target::layout::SecurityGroupDir(w.id, s.id) + "/security_group_sg-1_db")["name"], "default");
  auto names = (*store)->List(target::layout::NetworkDir(w.id, s.id));
  ASSERT_CAIRN_OK(names);
  EXPECT_EQ(names->size(), 2u);
}

}  // namespace
}  // namespace cairn::control
