#include "target/identity.h"

#include <gmock/gmock.h>

#include <fstream>

#include "target/directory_probe.h"
#include "target/store_test_support.h"

namespace cairn::target {
namespace {

using ::testing::HasSubstr;

class TargetIdentityTest : public PosixStoreTest {
 protected:
  void WriteRaw(const std::string& text) { std::ofstream(root_ + "/cairn_target") << text; }
};

TEST_F(TargetIdentityTest, AnEmptyDirectoryHasNoIdentity) {
  Result<TargetIdentity> read = ReadTargetIdentity(*store_);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(read.status().message(), HasSubstr(root_));
  EXPECT_THAT(read.status().message(), HasSubstr("not mounted"));
  EXPECT_THAT(read.status().message(), HasSubstr("cairn-manage target init"));
  EXPECT_EQ(CheckTargetIdentity(*store_).code(), ErrorCode::kUnavailable);
}

TEST_F(TargetIdentityTest, InitWritesAMarkerThatReadsBack) {
  Result<TargetIdentity> made = InitTargetIdentity(*store_, "host1 cairn-manage");
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  EXPECT_EQ(made->layout_version, kLayoutVersion);
  Result<TargetIdentity> read = ReadTargetIdentity(*store_);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->id, made->id);
  EXPECT_EQ(read->layout_version, kLayoutVersion);
  EXPECT_EQ(read->created_by, "host1 cairn-manage");
  EXPECT_TRUE(CheckTargetIdentity(*store_).ok());
  EXPECT_TRUE(CheckTargetIdentity(*store_, made->id).ok());
  // Written atomically: no temporary left beside it.
  EXPECT_EQ(RawNames(""), std::vector<std::string>{"cairn_target"});
}

TEST_F(TargetIdentityTest, InitNeverReplacesAMarker) {
  Result<TargetIdentity> first = InitTargetIdentity(*store_, "a");
  ASSERT_TRUE(first.ok());
  Result<TargetIdentity> second = InitTargetIdentity(*store_, "b");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), ErrorCode::kAlreadyExists);
  EXPECT_THAT(second.status().message(), HasSubstr(first->id));
  EXPECT_EQ(ReadTargetIdentity(*store_)->id, first->id);

  WriteRaw("garbage");
  EXPECT_EQ(InitTargetIdentity(*store_, "c").status().code(), ErrorCode::kCorruption);
}

TEST_F(TargetIdentityTest, AnotherTargetsIdIsRefused) {
  ASSERT_TRUE(InitTargetIdentity(*store_, "a").ok());
  Status other = CheckTargetIdentity(*store_, "00000000-0000-4000-8000-000000000000");
  EXPECT_EQ(other.code(), ErrorCode::kUnavailable);
  EXPECT_THAT(other.message(), HasSubstr("another share"));
}

TEST_F(TargetIdentityTest, DamagedOrHostileMarkersAreRefused) {
  const std::string good_id = "\"id\": \"0c4f2a5e-3b1d-4c8e-9f00-1a2b3c4d5e6f\"";
  const std::vector<std::string> damaged = {
      std::string(""), std::string("[]"), std::string("{\"format\": \"cairn-target\"}"),
      "{\"format\": \"other\", " + good_id + ", \"layout_version\": 1}",
      "{\"format\": \"cairn-target\", \"id\": \"../../etc\", \"layout_version\": 1}",
      "{\"format\": \"cairn-target\", " + good_id + ", \"layout_version\": \"1\"}",
      "{\"format\": \"cairn-target\", " + good_id + ", \"layout_version\": 0}",
      "{\"format\": \"cairn-target\", " + good_id + ", \"layout_version\": 1" + std::string(5000, ' ') + "}"};
  for (const std::string& text : damaged) {
    WriteRaw(text);
    Result<TargetIdentity> read = ReadTargetIdentity(*store_);
    ASSERT_FALSE(read.ok()) << text;
    EXPECT_EQ(read.status().code(), ErrorCode::kCorruption) << text << ": " << read.status().ToString();
  }
  WriteRaw("{\"format\": \"cairn-target\", " + good_id + ", \"layout_version\": 2}");
  Result<TargetIdentity> newer = ReadTargetIdentity(*store_);
  ASSERT_FALSE(newer.ok());
  EXPECT_EQ(newer.status().code(), ErrorCode::kNotSupported);
  EXPECT_THAT(newer.status().message(), HasSubstr("upgrade Cairn"));
}

TEST(DirectoryProbeMountTest, TheRootIsAMountPointAndATempDirectoryIsNot) {
  cairn::testing::TempDirectory dir;
  std::filesystem::create_directories(dir.Path("sub"));
  Result<bool> root = IsMountPoint("/");
  ASSERT_TRUE(root.ok());
  EXPECT_TRUE(*root);
  Result<bool> sub = IsMountPoint(dir.Path("sub"));
  ASSERT_TRUE(sub.ok());
  EXPECT_FALSE(*sub);
  EXPECT_FALSE(IsMountPoint(dir.Path("missing")).ok());
}

TEST(DirectoryProbeSpaceTest, CheckFreeSpaceNamesTheNeed) {
  cairn::testing::TempDirectory dir;
  EXPECT_TRUE(CheckFreeSpace(dir.Path(""), 1, "a test").ok());
  Status full = CheckFreeSpace(dir.Path(""), uint64_t{1} << 62, "staging the boot disk of VM x");
  EXPECT_EQ(full.code(), ErrorCode::kOutOfRange);
  EXPECT_THAT(full.message(), HasSubstr("staging the boot disk of VM x needs"));
  EXPECT_THAT(full.message(), HasSubstr("free in"));
}

}  // namespace
}  // namespace cairn::target
