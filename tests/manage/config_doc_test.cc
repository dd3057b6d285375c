// docs/configuration.md carries the sample and the reference of every option
// that cairn-api and cairn-manage read; this fails when a declaration changes
// and the page was not regenerated (cairn-manage config sample / reference).
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/config_sample.h"
#include "manage/options.h"

namespace cairn::manage {
namespace {

using ::testing::HasSubstr;

std::string ReadDoc() {
  std::ifstream in(std::string(CAIRN_SOURCE_DIR) + "/docs/configuration.md");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ConfigDocTest, EveryOptionIsDocumented) {
  OptionRegistry registry;
  ASSERT_TRUE(RegisterManageOptions(registry).ok());
  const std::string doc = ReadDoc();
  ASSERT_FALSE(doc.empty()) << "docs/configuration.md not found";
  const std::string reference = GenerateConfigReference(registry, 3);
  EXPECT_THAT(doc, HasSubstr(reference)) << "update the option reference in docs/configuration.md to:\n"
                                         << reference;
  const std::string sample = "```ini\n" + GenerateSampleConfig(registry) + "```\n";
  EXPECT_THAT(doc, HasSubstr(sample)) << "update the sample in docs/configuration.md to:\n" << sample;
  // Sections every service needs are there.
  for (const char* section : {"[database]", "[keystone_authtoken]", "[clients]", "[api]", "[target]"}) {
    EXPECT_THAT(reference, HasSubstr(std::string("### ") + section)) << section;
  }
}

}  // namespace
}  // namespace cairn::manage
