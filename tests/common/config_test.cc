#include "common/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "temp_dir.h"

namespace cairn {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// A registry with one option of every type.
OptionRegistry TestRegistry() {
  OptionRegistry registry;
  const Option options[] = {
      {.name = "debug", .type = OptionType::kBool, .default_value = "false", .help = "Debug."},
      {.name = "log_file", .help = "Log file."},
      {.name = "host", .default_value = "localhost", .help = "Host."},
      {.section = "database", .name = "connection", .default_value = "sqlite:///cairn.db"},
      {.section = "database", .name = "pool_size", .type = OptionType::kInt, .default_value = "5",
       .min = 1, .max = 100},
      {.section = "database", .name = "timeout", .type = OptionType::kFloat, .default_value = "2.5",
       .min = 0},
      {.section = "database", .name = "host", .default_value = "db.local"},
      {.section = "datamover", .name = "chunk_size", .type = OptionType::kByteSize,
       .default_value = "64K", .min = 4096},
      {.section = "datamover", .name = "hosts", .type = OptionType::kList, .default_value = "a,b"},
      {.section = "datamover", .name = "transport", .type = OptionType::kEnum,
       .default_value = "nbd", .choices = {"nbd", "file"}},
      {.section = "datamover", .name = "verify", .type = OptionType::kBool, .default_value = "true"},
      {.section = "datamover", .name = "password", .default_value = "s3cret", .secret = true},
      {.section = "api", .name = "workers", .type = OptionType::kInt, .default_value = "2"},
      {.section = "engine", .name = "workers", .type = OptionType::kInt, .default_value = "4"},
  };
  EXPECT_TRUE(registry.Register(options).ok());
  return registry;
}

TEST(ConfigTest, DefaultsWhenNothingIsLoaded) {
  const Config config(TestRegistry());
  EXPECT_FALSE(*config.GetBool("DEFAULT", "debug"));
  EXPECT_EQ(*config.GetString("database", "connection"), "sqlite:///cairn.db");
  EXPECT_EQ(*config.GetInt("database", "pool_size"), 5);
  EXPECT_DOUBLE_EQ(*config.GetFloat("database", "timeout"), 2.5);
  EXPECT_EQ(*config.GetByteSize("datamover", "chunk_size"), 65536u);
  EXPECT_THAT(*config.GetList("datamover", "hosts"), ElementsAre("a", "b"));
  EXPECT_EQ(*config.GetString("datamover", "transport"), "nbd");
  EXPECT_EQ(config.Source("database", "pool_size")->ToString(), "<default>");
  EXPECT_TRUE(config.warnings().empty());
}

TEST(ConfigTest, EveryTypeFromAFile) {
  testing::TempDirectory dir;
  const std::string path = dir.Write("cairn.conf",
                                     "[DEFAULT]\n"
                                     "debug = yes\n"
                                     "log_file = /var/log/cairn/cairn.log\n"
                                     "[database]\n"
                                     "connection = postgresql://u:p@h/cairn?x=1\n"
                                     "pool_size = 20\n"
                                     "timeout = 0.75\n"
                                     "[datamover]\n"
                                     "chunk_size = 2M\n"
                                     "hosts = c1,\n"
                                     "  c2, c3\n"
                                     "transport = file\n"
                                     "verify = off\n");
  Config config(TestRegistry());
  ASSERT_TRUE(config.LoadFile(path).ok());
  EXPECT_TRUE(*config.GetBool("DEFAULT", "debug"));
  EXPECT_EQ(*config.GetString("DEFAULT", "log_file"), "/var/log/cairn/cairn.log");
  EXPECT_EQ(*config.GetString("database", "connection"), "postgresql://u:p@h/cairn?x=1");
  EXPECT_EQ(*config.GetInt("database", "pool_size"), 20);
  EXPECT_DOUBLE_EQ(*config.GetFloat("database", "timeout"), 0.75);
  EXPECT_EQ(*config.GetByteSize("datamover", "chunk_size"), 2u << 20);
  EXPECT_THAT(*config.GetList("datamover", "hosts"), ElementsAre("c1", "c2", "c3"));
  EXPECT_EQ(*config.GetString("datamover", "transport"), "file");
  EXPECT_FALSE(*config.GetBool("datamover", "verify"));
  EXPECT_EQ(config.Source("database", "pool_size")->ToString(), path + ":6");
}

TEST(ConfigTest, LaterFilesOverrideEarlierOnes) {
  testing::TempDirectory dir;
  const std::string base = dir.Write("base.conf", "[database]\npool_size = 10\ntimeout = 1\n");
  const std::string local = dir.Write("local.conf", "[database]\npool_size = 30\n");
  Config config(TestRegistry());
  const std::vector<std::string> files = {base, local};
  ASSERT_TRUE(config.LoadFiles(files).ok());
  EXPECT_EQ(*config.GetInt("database", "pool_size"), 30);
  EXPECT_DOUBLE_EQ(*config.GetFloat("database", "timeout"), 1.0);  // only the first file set it
  EXPECT_EQ(config.Source("database", "pool_size")->ToString(), local + ":2");
}

TEST(ConfigTest, DefaultSectionIsInherited) {
  Config config(TestRegistry());
  ASSERT_TRUE(config.LoadString("[DEFAULT]\nworkers = 8\nhost = shared\n"
                                "[engine]\nworkers = 16\n",
                                "cairn.conf")
                  .ok());
  EXPECT_EQ(*config.GetInt("api", "workers"), 8);      // inherited from [DEFAULT]
  EXPECT_EQ(*config.GetInt("engine", "workers"), 16);  // set in its own section
  EXPECT_EQ(*config.GetString("DEFAULT", "host"), "shared");
  EXPECT_EQ(*config.GetString("database", "host"), "shared");  // inherited beats the declared default
  EXPECT_EQ(config.Source("api", "workers")->ToString(), "cairn.conf:2");
}

TEST(ConfigTest, SectionValueBeatsLaterDefaultSectionValue) {
  Config config(TestRegistry());
  ASSERT_TRUE(config.LoadString("[engine]\nworkers = 16\n", "a.conf").ok());
  ASSERT_TRUE(config.LoadString("[DEFAULT]\nworkers = 8\n", "b.conf").ok());
  EXPECT_EQ(*config.GetInt("engine", "workers"), 16);
  EXPECT_EQ(*config.GetInt("api", "workers"), 8);
}

TEST(ConfigTest, InvalidValueNamesFileLineAndOption) {
  testing::TempDirectory dir;
  const std::string path = dir.Write("cairn.conf",
                                     "# Cairn\n"
                                     "[DEFAULT]\n"
                                     "debug = false\n"
                                     "\n"
                                     "[database]\n"
                                     "pool_size = abc\n");
  Config config(TestRegistry());
  const Status s = config.LoadFile(path);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(s.message(), path + ":6: option [database] pool_size: \"abc\" is not an integer");
}

TEST(ConfigTest, ErrorMessagesForEachType) {
  const struct {
    const char* text;
    const char* message;
  } cases[] = {
      {"[database]\npool_size = 0\n", "c.conf:2: option [database] pool_size: 0 is below the minimum 1"},
      {"[database]\npool_size = 101\n", "c.conf:2: option [database] pool_size: 101 is above the maximum 100"},
      {"[database]\ntimeout = soon\n", "c.conf:2: option [database] timeout: \"soon\" is not a number"},
      {"[DEFAULT]\ndebug = maybe\n",
       "c.conf:2: option [DEFAULT] debug: \"maybe\" is not a boolean (use true or false)"},
      {"[datamover]\ntransport = rbd\n",
       "c.conf:2: option [datamover] transport: \"rbd\" is not one of: nbd, file"},
      {"[datamover]\nchunk_size = 1K\n", "c.conf:2: option [datamover] chunk_size: 1K is below the minimum 4K"},
      {"[datamover]\nchunk_size = lots\n",
       "c.conf:2: option [datamover] chunk_size: \"lots\" is not a byte size"},
  };
  for (const auto& c : cases) {
    Config config(TestRegistry());
    EXPECT_THAT(config.LoadString(c.text, "c.conf").message(), HasSubstr(c.message)) << c.text;
  }
}

TEST(ConfigTest, InvalidInheritedValueNamesTheDefaultLine) {
  Config config(TestRegistry());
  const Status s = config.LoadString("[DEFAULT]\n\nworkers = many\n", "cairn.conf");
  EXPECT_THAT(s.message(),
              HasSubstr("cairn.conf:3: option [api] workers (inherited from [DEFAULT]): \"many\" is not an integer"));
  EXPECT_THAT(s.message(), HasSubstr("option [engine] workers (inherited from [DEFAULT])"));
}

TEST(ConfigTest, UnknownOptionIsAnErrorWithAHint) {
  Config config(TestRegistry());
  Status s = config.LoadString("[database]\npool_sise = 5\n", "cairn.conf");
  EXPECT_EQ(s.message(), "cairn.conf:2: unknown option [database] pool_sise (did you mean pool_size?)");
  s = config.LoadString("[DEFAULT]\nnonsense = 1\n", "cairn.conf");
  EXPECT_EQ(s.message(), "cairn.conf:2: unknown option [DEFAULT] nonsense");
}

TEST(ConfigTest, UnknownSectionIsAWarning) {
  Config config(TestRegistry());
  ASSERT_TRUE(config.LoadString("[keystone_authtoken]\nauth_url = http://k\n[database]\npool_size = 7\n",
                                "cairn.conf")
                  .ok());
  EXPECT_THAT(config.warnings(), ElementsAre("cairn.conf:1: unknown section [keystone_authtoken] ignored"));
  EXPECT_EQ(*config.GetInt("database", "pool_size"), 7);
}

TEST(ConfigTest, AllErrorsAreReportedAndLoadIsAllOrNothing) {
  Config config(TestRegistry());
  ASSERT_TRUE(config.LoadString("[database]\npool_size = 9\n", "good.conf").ok());
  const Status s = config.LoadString(
      "[database]\npool_size = 50\ntimeout = x\n[datamover]\ntransport = rbd\n[extra]\nx = 1\n", "bad.conf");
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("bad.conf:3:"));
  EXPECT_THAT(s.message(), HasSubstr("bad.conf:5:"));
  EXPECT_THAT(s.message(), Not(HasSubstr("bad.conf:2:")));
  EXPECT_EQ(*config.GetInt("database", "pool_size"), 9);  // the valid line of bad.conf was not applied
  EXPECT_TRUE(config.warnings().empty());                 // nor its warnings
}

TEST(ConfigTest, MalformedLineNamesFileAndLine) {
  testing::TempDirectory dir;
  const std::string path = dir.Write("cairn.conf", "[database]\npool_size 5\n");
  Config config(TestRegistry());
  const Status s = config.LoadFile(path);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr(path + ":2: expected \"key = value\""));
}

TEST(ConfigTest, MissingFileIsNotFound) {
  testing::TempDirectory dir;
  Config config(TestRegistry());
  const Status s = config.LoadFile(dir.Path("absent.conf"));
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_THAT(s.message(), HasSubstr("absent.conf"));
}

TEST(ConfigTest, LoadDirectoryReadsConfFilesInNameOrder) {
  testing::TempDirectory dir;
  dir.Write("20-local.conf", "[database]\npool_size = 20\n");
  dir.Write("10-base.conf", "[database]\npool_size = 10\ntimeout = 3\n");
  dir.Write("30-ignored.txt", "not ini at all");
  Config config(TestRegistry());
  ASSERT_TRUE(config.LoadDirectory(dir.Path("")).ok());
  EXPECT_EQ(*config.GetInt("database", "pool_size"), 20);
  EXPECT_DOUBLE_EQ(*config.GetFloat("database", "timeout"), 3.0);
  EXPECT_TRUE(config.LoadDirectory(dir.Path("nope")).IsNotFound());
}

TEST(ConfigTest, OverrideBeatsFiles) {
  Config config(TestRegistry());
  ASSERT_TRUE(config.SetOverride("database", "pool_size", "42").ok());
  ASSERT_TRUE(config.LoadString("[database]\npool_size = 10\n", "cairn.conf").ok());
  EXPECT_EQ(*config.GetInt("database", "pool_size"), 42);
  EXPECT_EQ(config.Source("database", "pool_size")->ToString(), "<override>");
  EXPECT_THAT(config.SetOverride("database", "pool_size", "x").message(),
              HasSubstr("option [database] pool_size: \"x\" is not an integer"));
  EXPECT_TRUE(config.SetOverride("database", "nope", "1").IsNotFound());
  EXPECT_EQ(*config.GetInt("database", "pool_size"), 42);
}

TEST(ConfigTest, LookupErrors) {
  const Config config(TestRegistry());
  EXPECT_TRUE(config.GetInt("database", "nope").status().IsNotFound());
  EXPECT_THAT(config.GetInt("database", "nope").status().message(),
              HasSubstr("no option [database] nope is registered"));
  EXPECT_EQ(config.GetString("database", "pool_size").status().message(),
            "option [database] pool_size has type integer, not string");
  EXPECT_EQ(config.GetBool("database", "pool_size").status().code(), ErrorCode::kInvalidArgument);
  // An option without a default that nobody set.
  EXPECT_FALSE(config.HasValue("DEFAULT", "log_file"));
  EXPECT_EQ(config.Source("DEFAULT", "log_file"), std::nullopt);
  EXPECT_EQ(config.GetString("DEFAULT", "log_file").status().message(),
            "option [DEFAULT] log_file is not set and has no default");
}

TEST(ConfigTest, DumpHidesSecrets) {
  Config config(TestRegistry());
  ASSERT_TRUE(config.LoadString("[datamover]\npassword = hunter2\n", "c.conf").ok());
  const std::vector<std::string> dump = config.Dump();
  EXPECT_THAT(dump, ::testing::Contains("[datamover] password = ****  (c.conf:2)"));
  EXPECT_THAT(dump, ::testing::Contains("[database] pool_size = \"5\"  (<default>)"));
  EXPECT_THAT(dump, ::testing::Contains("[DEFAULT] log_file = <None>"));
  for (const std::string& line : dump) EXPECT_THAT(line, Not(HasSubstr("hunter2")));
}

TEST(ConfigTest, ConfigIsAValue) {
  Config a(TestRegistry());
  ASSERT_TRUE(a.LoadString("[database]\npool_size = 10\n", "a.conf").ok());
  Config b = a;
  ASSERT_TRUE(b.LoadString("[database]\npool_size = 20\n", "b.conf").ok());
  EXPECT_EQ(*a.GetInt("database", "pool_size"), 10);
  EXPECT_EQ(*b.GetInt("database", "pool_size"), 20);
}

}  // namespace
}  // namespace cairn
