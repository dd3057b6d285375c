#include "common/uuid.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <unordered_set>

namespace cairn {
namespace {

using ::testing::HasSubstr;

TEST(UuidTest, NilByDefault) {
  const Uuid nil;
  EXPECT_TRUE(nil.IsNil());
  EXPECT_EQ(nil.ToString(), "00000000-0000-0000-0000-000000000000");
}

TEST(UuidTest, ParseAndFormatRoundTrip) {
  const std::string text = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
  Result<Uuid> id = Uuid::Parse(text);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->ToString(), text);
  EXPECT_EQ(id->bytes()[0], 0x3f);
  EXPECT_EQ(id->bytes()[15], 0x01);
  EXPECT_EQ(id->version(), 4);
  EXPECT_FALSE(id->IsNil());
}

TEST(UuidTest, UpperCaseInputFormatsLowerCase) {
  Result<Uuid> id = Uuid::Parse("3F2504E0-4F89-41D3-9A0C-0305E82C3301");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->ToString(), "3f2504e0-4f89-41d3-9a0c-0305e82c3301");
}

TEST(UuidTest, RejectsNonCanonicalText) {
  for (const char* bad : {
           "",
           "3f2504e04f8941d39a0c0305e82c3301",        // no dashes
           "{3f2504e0-4f89-41d3-9a0c-0305e82c3301}",  // braces
           "urn:uuid:3f2504e0-4f89-41d3-9a0c-0305e82c3301",
           "3f2504e0-4f89-41d3-9a0c-0305e82c330",     // short
           "3f2504e0-4f89-41d3-9a0c-0305e82c33011",   // long
           "3f2504e0-4f89-41d3-9a0c-0305e82c330g",    // not hex
           "3f2504e0-4f8941d3-9a0c--0305e82c3301",    // dashes misplaced
           " 3f2504e0-4f89-41d3-9a0c-0305e82c3301",
       }) {
    EXPECT_FALSE(Uuid::IsValid(bad)) << bad;
    EXPECT_EQ(Uuid::Parse(bad).status().code(), ErrorCode::kInvalidArgument) << bad;
  }
  EXPECT_THAT(Uuid::Parse("nope").status().message(), HasSubstr("\"nope\" is not a UUID"));
}

TEST(UuidTest, RandomIsVersion4AndUnique) {
  const std::regex canonical("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<Uuid> seen;
  for (int i = 0; i < 1000; ++i) {
    const Uuid id = Uuid::Random();
    EXPECT_EQ(id.version(), 4);
    EXPECT_TRUE(std::regex_match(id.ToString(), canonical)) << id.ToString();
    EXPECT_EQ(*Uuid::Parse(id.ToString()), id);
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(UuidTest, OrderingMatchesStrings) {
  const Uuid a = *Uuid::Parse("00000000-0000-0000-0000-0000000000ff");
  const Uuid b = *Uuid::Parse("00000000-0000-0000-0000-000000000100");
  const Uuid c = *Uuid::Parse("10000000-0000-0000-0000-000000000000");
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_LT(a.ToString(), b.ToString());
  EXPECT_NE(a, b);
  EXPECT_EQ(a, *Uuid::Parse("00000000-0000-0000-0000-0000000000FF"));
}

TEST(UuidTest, Hashable) {
  std::unordered_set<Uuid> ids;
  const Uuid id = Uuid::Random();
  ids.insert(id);
  ids.insert(id);
  ids.insert(Uuid());
  EXPECT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids.count(id), 1u);
}

}  // namespace
}  // namespace cairn
