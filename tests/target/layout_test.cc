#include "target/layout.h"

#include <gtest/gtest.h>

namespace cairn::target::layout {
namespace {

TEST(LayoutTest, PathsFollowTheWorkloadmgrLayout) {
  EXPECT_EQ(WorkloadDb("w1"), "workload_w1/workload_db");
  EXPECT_EQ(SnapshotDb("w1", "s1"), "workload_w1/snapshot_s1/snapshot_db");
  EXPECT_EQ(DiskDir("w1", "s1", "v1", "r1", "vda"), "workload_w1/snapshot_s1/vm_id_v1/vm_res_id_r1_vda");
  EXPECT_EQ(DiskImage(DiskDir("w1", "s1", "v1", "r1", "vda"), "d1"),
            "workload_w1/snapshot_s1/vm_id_v1/vm_res_id_r1_vda/d1");
  EXPECT_EQ(DiskManifest("x/y", "d1"), "x/y/d1.manifest");
}

TEST(LayoutTest, RelativeBackingPaths) {
  const std::string a = DiskImage(DiskDir("w", "s1", "v", "r1", "vda"), "d1");
  const std::string b = DiskImage(DiskDir("w", "s2", "v", "r2", "vda"), "d2");
  EXPECT_EQ(RelativePath(b, a), "../../../snapshot_s1/vm_id_v/vm_res_id_r1_vda/d1");
  EXPECT_EQ(RelativePath("a/b/img", "a/b/base"), "base");
  EXPECT_EQ(RelativePath("img", "base"), "base");
}

TEST(LayoutTest, ValidatesIdsAndDevices) {
  EXPECT_TRUE(ValidateId("workload id", "2ddd528d-c9b4-4d7e-8722-cc395140255a").ok());
  EXPECT_FALSE(ValidateId("workload id", "").ok());
  EXPECT_FALSE(ValidateId("workload id", "../etc").ok());
  EXPECT_FALSE(ValidateId("workload id", "a/b").ok());
  EXPECT_NE(ValidateId("snapshot id", "a b").message().find("snapshot id"), std::string::npos);
  EXPECT_TRUE(ValidateDevice("vda").ok());
  EXPECT_FALSE(ValidateDevice("vd_a").ok());
  EXPECT_FALSE(ValidateDevice("").ok());
}

TEST(LayoutTest, ParsesDiskDirNames) {
  std::string res, dev;
  ASSERT_TRUE(ParseDiskDirName("vm_res_id_1b2c-3d_vdb", res, dev));
  EXPECT_EQ(res, "1b2c-3d");
  EXPECT_EQ(dev, "vdb");
  ASSERT_TRUE(ParseDiskDirName("vm_res_id_a_b_vda", res, dev));
  EXPECT_EQ(res, "a_b");
  EXPECT_FALSE(ParseDiskDirName("vm_id_x", res, dev));
  EXPECT_FALSE(ParseDiskDirName("vm_res_id_vda", res, dev));
}

}  // namespace
}  // namespace cairn::target::layout
