#include "common/config_value.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

namespace cairn {
namespace {

using ::testing::HasSubstr;

TEST(ConfigValueTest, Int) {
  EXPECT_EQ(*ParseInt("42"), 42);
  EXPECT_EQ(*ParseInt("-7"), -7);
  EXPECT_EQ(*ParseInt("+3"), 3);
  EXPECT_EQ(*ParseInt("9223372036854775807"), std::numeric_limits<int64_t>::max());
  for (const char* bad : {"", "abc", "1.5", "12abc", " 1", "0x10", "+-1", "++1", "+", "-"}) {
    Result<int64_t> r = ParseInt(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_THAT(r.status().message(), HasSubstr("is not an integer")) << bad;
    }
  }
  EXPECT_EQ(ParseInt("abc").status().message(), "\"abc\" is not an integer");
  EXPECT_EQ(ParseInt("9223372036854775808").status().code(), ErrorCode::kOutOfRange);
}

TEST(ConfigValueTest, Bool) {
  for (const char* yes : {"true", "True", "YES", "on", "1"}) EXPECT_TRUE(*ParseBool(yes)) << yes;
  for (const char* no : {"false", "FALSE", "no", "Off", "0"}) EXPECT_FALSE(*ParseBool(no)) << no;
  for (const char* bad : {"", "maybe", "2", "t"}) EXPECT_FALSE(ParseBool(bad).ok()) << bad;
  EXPECT_EQ(ParseBool("maybe").status().message(), "\"maybe\" is not a boolean (use true or false)");
}

TEST(ConfigValueTest, Float) {
  EXPECT_DOUBLE_EQ(*ParseFloat("0.5"), 0.5);
  EXPECT_DOUBLE_EQ(*ParseFloat("-2"), -2.0);
  EXPECT_DOUBLE_EQ(*ParseFloat("+1e3"), 1000.0);
  for (const char* bad : {"", "abc", "1.5x", "inf", "nan", "1e999", "+-1"}) {
    EXPECT_FALSE(ParseFloat(bad).ok()) << bad;
  }
  EXPECT_EQ(ParseFloat("x").status().message(), "\"x\" is not a number");
}

TEST(ConfigValueTest, ByteSize) {
  EXPECT_EQ(*ParseByteSize("0"), 0u);
  EXPECT_EQ(*ParseByteSize("512"), 512u);
  EXPECT_EQ(*ParseByteSize("512B"), 512u);
  EXPECT_EQ(*ParseByteSize("64K"), 64u * 1024);
  EXPECT_EQ(*ParseByteSize("64k"), 64u * 1024);
  EXPECT_EQ(*ParseByteSize("2M"), 2u << 20);
  EXPECT_EQ(*ParseByteSize("2 MiB"), 2u << 20);
  EXPECT_EQ(*ParseByteSize("1G"), 1ull << 30);
  EXPECT_EQ(*ParseByteSize("1gb"), 1ull << 30);
  EXPECT_EQ(*ParseByteSize("3T"), 3ull << 40);
  EXPECT_EQ(*ParseByteSize("1P"), 1ull << 50);
  for (const char* bad : {"", "K", "1.5G", "-1K", "2X", "1KK", "1 K B", "1iB"}) {
    Result<uint64_t> r = ParseByteSize(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_THAT(r.status().message(), HasSubstr("is not a byte size")) << bad;
    }
  }
  EXPECT_EQ(ParseByteSize("16384P").status().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(ParseByteSize("99999999999999999999").status().code(), ErrorCode::kOutOfRange);
}

TEST(ConfigValueTest, FormatByteSizeRoundTrips) {
  EXPECT_EQ(FormatByteSize(0), "0");
  EXPECT_EQ(FormatByteSize(1000), "1000");
  EXPECT_EQ(FormatByteSize(64 * 1024), "64K");
  EXPECT_EQ(FormatByteSize(3ull << 20), "3M");
  EXPECT_EQ(FormatByteSize(1ull << 60), "1024P");
  for (uint64_t v : {0ull, 1ull, 1536ull, 65536ull, 1ull << 40, 123456789ull}) {
    EXPECT_EQ(*ParseByteSize(FormatByteSize(v)), v) << v;
  }
}

TEST(ConfigValueTest, List) {
  EXPECT_EQ(ParseList(""), std::vector<std::string>{});
  EXPECT_EQ(ParseList("a"), std::vector<std::string>{"a"});
  EXPECT_EQ(ParseList(" a , b,,c, "), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(ParseList("a,\nb\nc"), (std::vector<std::string>{"a", "b", "c"}));
}

}  // namespace
}  // namespace cairn
