#include "common/config_sample.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/config.h"
#include "common/log.h"
#include "common/strings.h"
#include "temp_dir.h"

namespace cairn {
namespace {

using ::testing::HasSubstr;

OptionRegistry SampleRegistry() {
  OptionRegistry registry;
  const Option options[] = {
      {.section = "database", .name = "pool_size", .type = OptionType::kInt, .default_value = "5",
       .help = "How many connections to keep open to the database server.", .min = 1, .max = 100},
      {.name = "debug", .type = OptionType::kBool, .default_value = "false", .help = "Log debug messages."},
      {.name = "log_file", .help = "Where to log."},
      {.section = "datamover", .name = "transport", .type = OptionType::kEnum, .default_value = "nbd",
       .help = "How disks are read.", .choices = {"nbd", "file"}},
      {.section = "datamover", .name = "chunk_size", .type = OptionType::kByteSize, .default_value = "64K",
       .help = "Copy unit.", .min = 4096, .max = 1 << 30},
      {.section = "datamover", .name = "hosts", .type = OptionType::kList, .default_value = "a,b"},
      {.section = "datamover", .name = "prefix", .default_value = " padded "},
      {.section = "datamover", .name = "host", .default_value = "x", .sample_default = "<hostname>"},
  };
  EXPECT_TRUE(registry.Register(options).ok());
  return registry;
}

TEST(ConfigSampleTest, SampleLooksLikeOsloConfigGenerator) {
  const std::string sample = GenerateSampleConfig(SampleRegistry());
  EXPECT_THAT(sample, HasSubstr("\n[DEFAULT]\n\n"
                                "# Log debug messages. (boolean value)\n"
                                "#debug = false\n"
                                "\n"
                                "# Where to log. (string value)\n"
                                "#log_file = <None>\n"));
  EXPECT_THAT(sample, HasSubstr("\n[database]\n\n"
                                "# How many connections to keep open to the database server. (integer\n"
                                "# value)\n"
                                "# Minimum value: 1\n"
                                "# Maximum value: 100\n"
                                "#pool_size = 5\n"));
  EXPECT_THAT(sample, HasSubstr("# How disks are read. (enum value)\n"
                                "# Possible values: nbd, file\n"
                                "#transport = nbd\n"));
  EXPECT_THAT(sample, HasSubstr("# Copy unit. (byte size value)\n"
                                "# Minimum value: 4K\n"
                                "# Maximum value: 1G\n"
                                "# A byte count with an optional K, M, G, T or P suffix.\n"
                                "#chunk_size = 64K\n"));
  EXPECT_THAT(sample, HasSubstr("#hosts = a,b\n"));
  EXPECT_THAT(sample, HasSubstr("#prefix = \" padded \"\n"));
  EXPECT_THAT(sample, HasSubstr("#host = <hostname>\n"));
  // DEFAULT first, then the other sections by name.
  const size_t def = sample.find("[DEFAULT]"), data = sample.find("[database]"), mover = sample.find("[datamover]");
  EXPECT_LT(def, data);
  EXPECT_LT(data, mover);
  // Two blank lines between sections, as oslo-config-generator writes, and
  // one newline at the end.
  EXPECT_THAT(sample, HasSubstr("#log_file = <None>\n\n\n[database]\n"));
  EXPECT_EQ(sample.substr(sample.size() - 2), ">\n");
  // No line is wider than 70 columns.
  for (std::string_view line : Split(sample, '\n')) EXPECT_LE(line.size(), 70u) << line;
}

TEST(ConfigSampleTest, SampleLoadsAsIsAndUncommented) {
  const OptionRegistry registry = SampleRegistry();
  const std::string sample = GenerateSampleConfig(registry);
  Config as_is(registry);
  ASSERT_TRUE(as_is.LoadString(sample, "sample.conf").ok());
  EXPECT_TRUE(as_is.warnings().empty());

  // Uncommenting every "#name = default" line (except those without a real
  // default) must give the declared defaults back.
  std::string uncommented;
  for (std::string_view line : Split(sample, '\n')) {
    const bool option_line = line.size() > 1 && line[0] == '#' && line[1] != ' ' &&
                             line.find(" = ") != std::string_view::npos;
    if (option_line && line.find('<') == std::string_view::npos) line.remove_prefix(1);
    uncommented += std::string(line) + "\n";
  }
  Config loaded(registry);
  const Status s = loaded.LoadString(uncommented, "uncommented.conf");
  ASSERT_TRUE(s.ok()) << s.ToString() << "\n" << uncommented;
  EXPECT_EQ(loaded.Source("database", "pool_size")->file, "uncommented.conf");
  EXPECT_EQ(*loaded.GetInt("database", "pool_size"), 5);
  EXPECT_EQ(*loaded.GetByteSize("datamover", "chunk_size"), 65536u);
  EXPECT_EQ(*loaded.GetString("datamover", "prefix"), " padded ");
  EXPECT_EQ(*loaded.GetList("datamover", "hosts"), (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(*loaded.GetBool("DEFAULT", "debug"));
}

TEST(ConfigSampleTest, MarkdownReference) {
  const std::string md = GenerateConfigReference(SampleRegistry());
  EXPECT_THAT(md, HasSubstr("## [database]\n\n"
                            "### `pool_size`\n\n"
                            "- Type: integer\n"
                            "- Default: `5`\n"
                            "- Minimum: 1\n"
                            "- Maximum: 100\n\n"
                            "How many connections to keep open to the database server.\n"));
  EXPECT_THAT(md, HasSubstr("- Choices: `nbd`, `file`\n"));
  EXPECT_THAT(md, HasSubstr("### `log_file`\n\n- Type: string\n- Default: `<None>`\n"));
  EXPECT_EQ(md.rfind("## [DEFAULT]", 0), 0u);

  const std::string nested = GenerateConfigReference(SampleRegistry(), 3);
  EXPECT_EQ(nested.rfind("### [DEFAULT]\n\n#### `debug`\n", 0), 0u) << nested;
}

// docs/configuration.md carries the generated reference of every option the
// common layer declares (first in the sample and the reference of all of
// Cairn's options, which tests/manage/config_doc_test.cc checks whole); this
// fails when a declaration changes and the doc was not regenerated.
TEST(ConfigSampleTest, DocumentationIsUpToDate) {
  OptionRegistry registry;
  ASSERT_TRUE(RegisterLoggingOptions(registry).ok());
  const std::string doc =
      testing::TempDirectory::Read(std::string(CAIRN_SOURCE_DIR) + "/docs/configuration.md");
  ASSERT_FALSE(doc.empty()) << "docs/configuration.md not found";
  const std::string reference = GenerateConfigReference(registry, 3);
  EXPECT_THAT(doc, HasSubstr(reference)) << "update the option reference in docs/configuration.md to:\n"
                                         << reference;
  const std::string sample = "```ini\n" + GenerateSampleConfig(registry);
  EXPECT_THAT(doc, HasSubstr(sample)) << "update the sample in docs/configuration.md to:\n" << sample;
}

}  // namespace
}  // namespace cairn
