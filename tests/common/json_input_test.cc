#include "common/json_input.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cairn {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

TEST(JsonInputTest, BoolsInEverySpellingClientsSend) {
  for (const json& yes : {json(true), json("True"), json("true"), json(" YES "), json("1"), json(1),
                          json("on")}) {
    auto r = ReadBool(yes, "enabled");
    ASSERT_TRUE(r.ok()) << yes.dump();
    EXPECT_TRUE(*r) << yes.dump();
  }
  for (const json& no : {json(false), json("False"), json("no"), json("0"), json(0), json("OFF")}) {
    auto r = ReadBool(no, "enabled");
    ASSERT_TRUE(r.ok()) << no.dump();
    EXPECT_FALSE(*r) << no.dump();
  }
  for (const json& bad : {json("maybe"), json(2), json(nullptr), json::array(), json::object(), json(0.5)}) {
    auto r = ReadBool(bad, "enabled");
    ASSERT_FALSE(r.ok()) << bad.dump();
    EXPECT_THAT(r.status().message(), HasSubstr("'enabled'"));
    EXPECT_THAT(r.status().message(), HasSubstr("expected a boolean"));
  }
}

TEST(JsonInputTest, IntsFromNumbersAndStrings) {
  EXPECT_EQ(*ReadInt(json(3), "v"), 3);
  EXPECT_EQ(*ReadInt(json("3"), "v"), 3);
  EXPECT_EQ(*ReadInt(json(" -1 "), "v"), -1);
  EXPECT_EQ(*ReadInt(json("+7"), "v"), 7);
  EXPECT_EQ(*ReadInt(json(4.0), "v"), 4);
  for (const json& bad : {json("3x"), json(""), json("+-3"), json("+"), json("1e3"), json(3.5), json(true), json("99999999999999999999"),
                          json(18446744073709551615ull)}) {
    auto r = ReadInt(bad, "v");
    ASSERT_FALSE(r.ok()) << bad.dump();
    EXPECT_THAT(r.status().message(), HasSubstr("expected an integer"));
  }
  auto low = ReadInt(json(0), "retention", 1, 10);
  ASSERT_FALSE(low.ok());
  EXPECT_THAT(low.status().message(), HasSubstr("0 is not between 1 and 10"));
  EXPECT_THAT(ReadInt(json(-2), "x", -1).status().message(), HasSubstr("-2 is not at least -1"));
}

TEST(JsonInputTest, StringsAreTextOfBoundedLength) {
  EXPECT_EQ(*ReadString(json("vm-1"), "name"), "vm-1");
  EXPECT_EQ(*ReadString(json("caf\xc3\xa9"), "name"), "caf\xc3\xa9");
  EXPECT_FALSE(ReadString(json(5), "name").ok());
  EXPECT_FALSE(ReadString(json(std::string(256, 'a')), "name").ok());
  EXPECT_TRUE(ReadString(json(std::string(255, 'a')), "name").ok());
  EXPECT_FALSE(ReadString(json(std::string("a\0b", 3)), "name").ok());
  // nlohmann refuses to parse invalid UTF-8, but a value can still be built in code.
  EXPECT_FALSE(ReadString(json(std::string("\xc3")), "name").ok());
  EXPECT_FALSE(ReadString(json(std::string("\xed\xa0\x80")), "name").ok());  // a surrogate
  EXPECT_FALSE(ReadString(json(std::string("\xc0\xaf")), "name").ok());      // overlong
  EXPECT_EQ(*ReadScalarText(json(30), "v"), "30");
  EXPECT_EQ(*ReadScalarText(json("30"), "v"), "30");
}

TEST(JsonInputTest, FindMemberSkipsNullAndNonObjects) {
  const json obj = {{"a", 1}, {"b", nullptr}};
  ASSERT_NE(FindMember(obj, "a"), nullptr);
  EXPECT_EQ(FindMember(obj, "b"), nullptr);
  EXPECT_EQ(FindMember(obj, "c"), nullptr);
  EXPECT_EQ(FindMember(json::array(), "a"), nullptr);
  EXPECT_EQ(DescribeJson(json::object()), "an object");
  EXPECT_EQ(DescribeJson(json(nullptr)), "null");
}

}  // namespace
}  // namespace cairn
