#include "common/strings.h"

#include <gtest/gtest.h>

namespace cairn {
namespace {

TEST(StringsTest, Trim) {
  EXPECT_EQ(Trim("  a b \t\r\n"), "a b");
  EXPECT_EQ(Trim(" \t "), "");
  EXPECT_EQ(Trim(""), "");
}

TEST(StringsTest, SplitKeepsEmptyPieces) {
  EXPECT_EQ(Split("a,,b", ','), (std::vector<std::string_view>{"a", "", "b"}));
  EXPECT_EQ(Split("", ','), (std::vector<std::string_view>{""}));
  EXPECT_EQ(Split("a,", ','), (std::vector<std::string_view>{"a", ""}));
}

TEST(StringsTest, JoinAndLower) {
  EXPECT_EQ(Join({"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(Join({}, ", "), "");
  EXPECT_EQ(AsciiLower("YeS-1"), "yes-1");
}

TEST(StringsTest, QuotedEscapesAndCuts) {
  EXPECT_EQ(Quoted("a\"b\n"), "\"a\\\"b\\n\"");
  EXPECT_EQ(Quoted("abcdef", 3), "\"abc...\"");
}

TEST(StringsTest, EditDistance) {
  EXPECT_EQ(EditDistance("pool_size", "pool_size"), 0u);
  EXPECT_EQ(EditDistance("pool_sise", "pool_size"), 1u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
}

TEST(StringsTest, WrapText) {
  EXPECT_EQ(WrapText("aa bb cc", 5), (std::vector<std::string>{"aa bb", "cc"}));
  EXPECT_EQ(WrapText("averyverylongword x", 5), (std::vector<std::string>{"averyverylongword", "x"}));
  EXPECT_EQ(WrapText("a\nb", 80), (std::vector<std::string>{"a", "b"}));
}

TEST(StringsTest, HumanBytes) {
  EXPECT_EQ(HumanBytes(0), "0 B");
  EXPECT_EQ(HumanBytes(1023), "1023 B");
  EXPECT_EQ(HumanBytes(1536), "1.5 KiB");
  EXPECT_EQ(HumanBytes(uint64_t{3} << 30), "3.0 GiB");
  EXPECT_EQ(HumanBytes(uint64_t{1} << 62), "4096.0 PiB");  // the largest unit
}

}  // namespace
}  // namespace cairn
