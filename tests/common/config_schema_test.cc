#include "common/config_schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cairn {
namespace {

using ::testing::HasSubstr;

Option IntOption(std::string name, std::string default_value) {
  return {.section = "database", .name = std::move(name), .type = OptionType::kInt,
          .default_value = std::move(default_value), .help = "An int.", .min = 1, .max = 100};
}

TEST(ConfigSchemaTest, RegisterAndFind) {
  OptionRegistry registry;
  ASSERT_TRUE(registry.Register(IntOption("pool_size", "5")).ok());
  ASSERT_TRUE(registry.Register({.name = "debug", .type = OptionType::kBool, .default_value = "false"}).ok());
  const Option* option = registry.Find("database", "pool_size");
  ASSERT_NE(option, nullptr);
  EXPECT_EQ(option->type, OptionType::kInt);
  EXPECT_EQ(registry.Find("database", "debug"), nullptr);
  EXPECT_EQ(registry.Find("DEFAULT", "debug")->section, "DEFAULT");
  EXPECT_TRUE(registry.HasSection("database"));
  EXPECT_TRUE(registry.HasSection("DEFAULT"));
  EXPECT_FALSE(registry.HasSection("nova"));
  EXPECT_TRUE(registry.HasOptionNamed("pool_size"));
  EXPECT_FALSE(registry.HasOptionNamed("pool"));
  EXPECT_EQ(registry.Sections(), (std::vector<std::string>{"DEFAULT", "database"}));
}

TEST(ConfigSchemaTest, SectionsListDefaultFirstThenSorted) {
  OptionRegistry registry;
  ASSERT_TRUE(registry.Register({.section = "zeta", .name = "a"}).ok());
  ASSERT_TRUE(registry.Register({.section = "alpha", .name = "a"}).ok());
  ASSERT_TRUE(registry.Register({.name = "a"}).ok());
  ASSERT_TRUE(registry.Register({.section = "alpha", .name = "b"}).ok());
  EXPECT_EQ(registry.Sections(), (std::vector<std::string>{"DEFAULT", "alpha", "zeta"}));
  const std::vector<const Option*> alpha = registry.OptionsIn("alpha");
  ASSERT_EQ(alpha.size(), 2u);
  EXPECT_EQ(alpha[0]->name, "a");
  EXPECT_EQ(alpha[1]->name, "b");
}

TEST(ConfigSchemaTest, RejectsDuplicates) {
  OptionRegistry registry;
  ASSERT_TRUE(registry.Register(IntOption("pool_size", "5")).ok());
  const Status s = registry.Register(IntOption("pool_size", "6"));
  EXPECT_EQ(s.code(), ErrorCode::kAlreadyExists);
  EXPECT_THAT(s.message(), HasSubstr("option [database] pool_size is registered twice"));
}

TEST(ConfigSchemaTest, RejectsBadDeclarations) {
  OptionRegistry registry;
  EXPECT_THAT(registry.Register(IntOption("pool_size", "abc")).message(),
              HasSubstr("option [database] pool_size: invalid default: \"abc\" is not an integer"));
  EXPECT_THAT(registry.Register(IntOption("pool_size", "500")).message(), HasSubstr("above the maximum 100"));
  EXPECT_FALSE(registry.Register({.name = "Bad-Name"}).ok());
  EXPECT_FALSE(registry.Register({.name = ""}).ok());
  EXPECT_FALSE(registry.Register({.name = "1abc"}).ok());
  EXPECT_FALSE(registry.Register({.section = "bad section", .name = "a"}).ok());
  EXPECT_FALSE(registry.Register({.name = "e", .type = OptionType::kEnum}).ok());  // no choices
  EXPECT_FALSE(registry.Register({.name = "s", .choices = {"a"}}).ok());            // choices on a string
  EXPECT_FALSE(registry.Register({.name = "s", .min = 1}).ok());                    // bounds on a string
  EXPECT_FALSE(registry.Register({.name = "i", .type = OptionType::kInt, .min = 5, .max = 1}).ok());
  EXPECT_FALSE(registry.Register({.name = "e", .type = OptionType::kEnum, .default_value = "c",
                                  .choices = {"a", "b"}}).ok());
  EXPECT_TRUE(registry.options().empty());
}

TEST(ConfigSchemaTest, ParseOptionValueChecksTypeBoundsAndChoices) {
  const Option pool = IntOption("pool_size", "5");
  EXPECT_EQ(std::get<int64_t>(*ParseOptionValue(pool, "100")), 100);
  EXPECT_EQ(ParseOptionValue(pool, "0").status().message(), "0 is below the minimum 1");
  EXPECT_EQ(ParseOptionValue(pool, "101").status().message(), "101 is above the maximum 100");

  const Option ratio{.name = "ratio", .type = OptionType::kFloat, .min = 0, .max = 1};
  EXPECT_DOUBLE_EQ(std::get<double>(*ParseOptionValue(ratio, "0.25")), 0.25);
  EXPECT_EQ(ParseOptionValue(ratio, "1.5").status().message(), "1.5 is above the maximum 1");

  const Option chunk{.name = "chunk", .type = OptionType::kByteSize, .min = 4096, .max = 1 << 30};
  EXPECT_EQ(std::get<uint64_t>(*ParseOptionValue(chunk, "64K")), 65536u);
  EXPECT_EQ(ParseOptionValue(chunk, "1K").status().message(), "1K is below the minimum 4K");
  EXPECT_EQ(ParseOptionValue(chunk, "2G").status().message(), "2G is above the maximum 1G");

  const Option mode{.name = "mode", .type = OptionType::kEnum, .choices = {"nbd", "file"}};
  EXPECT_EQ(std::get<std::string>(*ParseOptionValue(mode, "nbd")), "nbd");
  EXPECT_EQ(ParseOptionValue(mode, "NBD").status().message(), "\"NBD\" is not one of: nbd, file");

  const Option list{.name = "hosts", .type = OptionType::kList};
  EXPECT_EQ(std::get<std::vector<std::string>>(*ParseOptionValue(list, "a, b")),
            (std::vector<std::string>{"a", "b"}));
}

TEST(ConfigSchemaTest, BoundsCompareExactlyForLargeIntegers) {
  const Option big{.name = "big", .type = OptionType::kInt, .max = 9007199254740992.0};  // 2^53
  EXPECT_TRUE(ParseOptionValue(big, "9007199254740992").ok());
  EXPECT_FALSE(ParseOptionValue(big, "9007199254740993").ok());
}

TEST(ConfigSchemaTest, SuggestsCloseNames) {
  OptionRegistry registry;
  ASSERT_TRUE(registry.Register(IntOption("pool_size", "5")).ok());
  EXPECT_EQ(registry.Suggest("database", "pool_sise"), "pool_size");
  EXPECT_EQ(registry.Suggest("database", "poolsize"), "pool_size");
  EXPECT_EQ(registry.Suggest("database", "connection"), std::nullopt);
  EXPECT_EQ(registry.Suggest("other", "pool_size"), std::nullopt);
}

TEST(ConfigSchemaTest, TypeNames) {
  EXPECT_EQ(OptionTypeName(OptionType::kInt), "integer");
  EXPECT_EQ(OptionTypeName(OptionType::kByteSize), "byte size");
}

}  // namespace
}  // namespace cairn
