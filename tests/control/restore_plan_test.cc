// The typed restore plan (control/restore_plan.h) as the engine reads it
// from a stored row: the API's normalised options parse again to the same
// plan, rows of older versions still parse, and the plan answers what the
// steps ask (which VMs, which network, which volume type, which disks).
// The 400s of bad options are tested through the API (tests/api_v1).
#include <gtest/gtest.h>

#include "control/restore_plan.h"

namespace cairn::control {
namespace {

using nlohmann::json;

const SnapshotContents kSnapshot{.vm_ids = {"vm-a", "vm-b"}, .disk_ids = {"disk-1", "disk-2"}, .volume_ids = {"vol-1"}};

TEST(RestorePlanTest, TheApisNormalisedOptionsParseAgainToTheSamePlan) {
  const json request = {
      {"restore_type", "Selective"},
      {"openstack",
       {{"instances", json::array({{{"id", " VM-A "},
                                    {"include", "True"},
                                    {"name", "copy"},
                                    {"flavor", {{"vcpus", "2"}, {"ram", ""}}},
                                    {"nics", json::array({{{"ip_address", "10.0.0.5"},
                                                           {"network", {{"id", "NET-2"}, {"subnet", {{"id", "SUB-2"}}}}}}})},
                                    {"vdisks", json::array({{{"id", "vol-1"}, {"new_volume_type", "fast"}}})}},
                                   {{"id", "vm-b"}, {"include", 0}}})},
        {"networks_mapping", {{"networks", json::array({{{"snapshot_network", {{"id", "net-1"}}},
                                                         {"target_network", {{"id", "net-2"}}}}})}}}}}};
  auto parsed = ParseRestoreOptions(request, kSnapshot);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->options["restore_type"], "selective");
  EXPECT_EQ(parsed->options["openstack"]["instances"][0]["id"], "vm-a");
  EXPECT_EQ(parsed->options["openstack"]["instances"][0]["flavor"]["vcpus"], 2);
  auto again = ParseStoredRestorePlan("selective", parsed->options, kSnapshot);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  auto reparsed = ParseRestoreOptions(parsed->options, kSnapshot);
  EXPECT_EQ(reparsed->options, parsed->options);

  const RestorePlan& plan = *again;
  EXPECT_EQ(plan.type, RestoreType::kSelective);
  const VmPlan a = plan.For("vm-a");
  EXPECT_TRUE(a.include);
  EXPECT_EQ(a.name, "copy");
  ASSERT_TRUE(a.flavor);
  EXPECT_EQ(a.flavor->vcpus, 2);
  EXPECT_EQ(a.flavor->ram_mb, 0);
  EXPECT_FALSE(a.flavor->disk_gb);
  ASSERT_EQ(a.nics.size(), 1u);
  EXPECT_EQ(a.nics[0].network_id, "net-2");
  EXPECT_EQ(a.nics[0].subnet_id, "sub-2");
  EXPECT_EQ(a.nics[0].ip_address, "10.0.0.5");
  EXPECT_EQ(a.VolumeType("disk-2", "vol-1", "standard"), "fast");
  EXPECT_EQ(a.VolumeType("disk-1", "vol-9", "standard"), "standard");
  EXPECT_FALSE(plan.For("vm-b").include);
  EXPECT_FALSE(plan.For("vm-c").include);  // not listed
  EXPECT_EQ(plan.MappedNetwork("net-1"), "net-2");
  EXPECT_EQ(plan.MappedNetwork("net-3"), "net-3");
}

TEST(RestorePlanTest, OneclickRestoresEveryVmAsItWas) {
  const json options = {{"oneclickrestore", true},
                        {"openstack", {{"instances", json::array({{{"id", "vm-a"}, {"name", "ignored"}}})}}}};
  auto plan = ParseStoredRestorePlan("oneclick", options, kSnapshot);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->type, RestoreType::kOneclick);
  for (const char* vm : {"vm-a", "vm-b"}) {
    EXPECT_TRUE(plan->For(vm).include) << vm;
    EXPECT_EQ(plan->For(vm).name, "") << vm;
  }
}

// A row of an older version: no restore_type in its options, the list at
// their top. The row's restore_type decides.
TEST(RestorePlanTest, ARowOfAnOlderVersionStillParses) {
  const json options = {{"instances", json::array({{{"id", "vm-b"}, {"restore_boot_disk", false}}})}};
  auto plan = ParseStoredRestorePlan("inplace", options, kSnapshot);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->type, RestoreType::kInplace);
  EXPECT_FALSE(plan->For("vm-a").include);
  const VmPlan b = plan->For("vm-b");
  EXPECT_TRUE(b.include);
  EXPECT_FALSE(b.WritesBack("disk-1", std::nullopt));
  EXPECT_TRUE(b.WritesBack("disk-2", "vol-1"));
  auto empty = ParseStoredRestorePlan("oneclick", json::object(), kSnapshot);
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TRUE(empty->For("vm-a").include);
  // A oneclick restore ignores a list at the top, whatever it holds.
  auto oneclick = ParseStoredRestorePlan("oneclick", {{"instances", json::array({{{"instance-id", "x"}}})}}, kSnapshot);
  ASSERT_TRUE(oneclick.ok()) << oneclick.status().ToString();
  EXPECT_TRUE(oneclick->For("vm-b").include);
  // A subnet the API did not check yet (a name, no id) was ignored.
  const json nics = json::array({{{"network", {{"id", "net-2"}, {"subnet", "sub-by-name"}}}},
                                 {{"network", {{"id", "net-3"}, {"subnet", json::object()}}}}});
  auto old_nics = ParseStoredRestorePlan(
      "selective", {{"openstack", {{"instances", json::array({{{"id", "vm-a"}, {"nics", nics}}})}}}}, kSnapshot);
  ASSERT_TRUE(old_nics.ok()) << old_nics.status().ToString();
  ASSERT_EQ(old_nics->For("vm-a").nics.size(), 2u);
  EXPECT_EQ(old_nics->For("vm-a").nics[0].network_id, "net-2");
  EXPECT_EQ(old_nics->For("vm-a").nics[0].subnet_id, "");
}

TEST(RestorePlanTest, InPlaceVdisksChooseTheDisksWrittenBack) {
  const json options = {
      {"restore_type", "inplace"},
      {"openstack",
       {{"instances", json::array({{{"id", "vm-a"},
                                    {"restore_boot_disk", false},
                                    {"vdisks", json::array({{{"id", "vol-1"}, {"restore_cinder_volume", "no"}},
                                                            {{"id", "disk-2"}}})}}})}}}};
  auto plan = ParseStoredRestorePlan("inplace", options, kSnapshot);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  const VmPlan a = plan->For("vm-a");
  EXPECT_FALSE(a.WritesBack("disk-1", "vol-1"));    // restore_cinder_volume false
  EXPECT_TRUE(a.WritesBack("disk-2", std::nullopt));  // named without a choice: written
  EXPECT_FALSE(a.WritesBack("disk-3", std::nullopt));  // a Nova disk, restore_boot_disk false
}

TEST(RestorePlanTest, StoredOptionsTheApiRefusesAreRefusedNamingTheField) {
  const json options = {{"openstack", {{"instances", json::array({{{"id", "vm-z"}}})}}}};
  auto plan = ParseStoredRestorePlan("selective", options, kSnapshot);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().message(),
            "Invalid value for 'options.openstack.instances[0].id': instance vm-z is not in this snapshot");
}

}  // namespace
}  // namespace cairn::control
