#include "target/store_path.h"

#include <gtest/gtest.h>

namespace cairn::target {
namespace {

using namespace std::string_literals;

TEST(StorePathTest, SplitsValidPaths) {
  auto parts = SplitStorePath("workload_w/snapshot_s/vm_id_v/disk.manifest", false);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  EXPECT_EQ(*parts, (std::vector<std::string>{"workload_w", "snapshot_s", "vm_id_v", "disk.manifest"}));
  auto one = SplitStorePath("a", false);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, std::vector<std::string>{"a"});
}

TEST(StorePathTest, EmptyPathIsTheRootOnlyWhereAllowed) {
  auto root = SplitStorePath("", true);
  ASSERT_TRUE(root.ok());
  EXPECT_TRUE(root->empty());
  EXPECT_EQ(SplitStorePath("", false).status().code(), ErrorCode::kInvalidArgument);
}

TEST(StorePathTest, RejectsEscapesAndMalformedPaths) {
  for (const std::string& bad : {"/etc/passwd"s, "/"s, "a//b"s, "a/"s, "/a"s, "."s, ".."s, "./a"s, "a/./b"s, "a/.."s,
                                 "../a"s, "a/../../b"s, "a\0b"s, ".hidden"s, "a/.tmp"s, "a/b/.lock"s}) {
    auto parts = SplitStorePath(bad, true);
    ASSERT_FALSE(parts.ok()) << "accepted " << QuotePath(bad);
    EXPECT_EQ(parts.status().code(), ErrorCode::kInvalidArgument) << QuotePath(bad);
    EXPECT_NE(parts.status().message().find(QuotePath(bad)), std::string::npos) << parts.status().message();
  }
}

TEST(StorePathTest, NamesWithDotsInsideAreFine) {
  EXPECT_TRUE(SplitStorePath("a/b.c/d..e/f.", false).ok());
}

TEST(StorePathTest, QuotesControlBytes) {
  EXPECT_EQ(QuotePath("a\0b\n"s), "'a\\0b\\x0a'");
  EXPECT_EQ(QuotePath("plain/path"), "'plain/path'");
}

}  // namespace
}  // namespace cairn::target
