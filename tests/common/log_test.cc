#include "common/log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "temp_dir.h"

namespace cairn {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Puts logging back on stderr after each test, as other tests expect.
class LogTest : public ::testing::Test {
 protected:
  void TearDown() override { ASSERT_TRUE(InitLogging(LogOptions{}).ok()); }
  testing::TempDirectory dir_;
};

TEST_F(LogTest, LevelNames) {
  EXPECT_EQ(*ParseLogLevel("DEBUG"), LogLevel::kDebug);
  EXPECT_EQ(*ParseLogLevel("warn"), LogLevel::kWarning);
  EXPECT_EQ(*ParseLogLevel("warning"), LogLevel::kWarning);
  EXPECT_EQ(*ParseLogLevel("error"), LogLevel::kError);
  EXPECT_FALSE(ParseLogLevel("loud").ok());
  EXPECT_EQ(LogLevelName(LogLevel::kInfo), "info");
}

TEST_F(LogTest, WritesPatternAndFiltersByLevel) {
  const std::string path = dir_.Path("cairn.log");
  auto early = GetLogger("early");  // made before InitLogging: must follow it
  ASSERT_TRUE(InitLogging({.level = LogLevel::kInfo, .file = path}).ok());
  auto log = GetLogger("qcow2");
  EXPECT_EQ(log, GetLogger("qcow2"));
  log->debug("hidden {}", 1);
  log->info("opened {} ({} bytes)", "a.qcow2", 42);
  early->warn("careful");
  const std::string text = testing::TempDirectory::Read(path);
  EXPECT_THAT(text, Not(HasSubstr("hidden")));
  EXPECT_THAT(text, HasSubstr("info qcow2: opened a.qcow2 (42 bytes)\n"));
  EXPECT_THAT(text, HasSubstr("warning early: careful\n"));
  const std::regex line(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00 \[\d+:\d+\] info qcow2: opened)");
  EXPECT_TRUE(std::regex_search(text, line)) << text;
}

TEST_F(LogTest, CreatesMissingDirectories) {
  const std::string path = dir_.Path("sub/dir/cairn.log");
  ASSERT_TRUE(InitLogging({.file = path}).ok());
  GetLogger("x")->info("in a new directory");
  EXPECT_THAT(testing::TempDirectory::Read(path), HasSubstr("in a new directory"));
}

TEST_F(LogTest, DebugLevelAndAppend) {
  const std::string path = dir_.Write("cairn.log", "existing line\n");
  ASSERT_TRUE(InitLogging({.level = LogLevel::kDebug, .file = path}).ok());
  GetLogger("engine")->debug("now visible");
  const std::string text = testing::TempDirectory::Read(path);
  EXPECT_EQ(text.rfind("existing line\n", 0), 0u);
  EXPECT_THAT(text, HasSubstr("debug engine: now visible"));
}

TEST_F(LogTest, ErrorLevelDropsWarnings) {
  const std::string path = dir_.Path("cairn.log");
  ASSERT_TRUE(InitLogging({.level = LogLevel::kError, .file = path}).ok());
  GetLogger("x")->warn("dropped");
  GetLogger("x")->error("kept");
  const std::string text = testing::TempDirectory::Read(path);
  EXPECT_THAT(text, Not(HasSubstr("dropped")));
  EXPECT_THAT(text, HasSubstr("error x: kept"));
}

TEST_F(LogTest, UnopenableFileIsAnErrorAndKeepsTheOldDestination) {
  const std::string good = dir_.Path("good.log");
  ASSERT_TRUE(InitLogging({.file = good}).ok());
  // A regular file where a directory should be: neither open nor mkdir works.
  const std::string bad = dir_.Write("not_a_dir", "") + "/cairn.log";
  const Status s = InitLogging({.file = bad});
  EXPECT_EQ(s.code(), ErrorCode::kIOError);
  EXPECT_THAT(s.message(), HasSubstr(bad));
  GetLogger("x")->info("still here");
  EXPECT_THAT(testing::TempDirectory::Read(good), HasSubstr("still here"));
}

TEST_F(LogTest, OptionsFromConfig) {
  OptionRegistry registry;
  ASSERT_TRUE(RegisterLoggingOptions(registry).ok());
  Config config(registry);
  Result<LogOptions> defaults = LogOptionsFromConfig(config);
  ASSERT_TRUE(defaults.ok()) << defaults.status().ToString();
  EXPECT_EQ(defaults->level, LogLevel::kInfo);
  EXPECT_EQ(defaults->file, "");

  ASSERT_TRUE(config.LoadString("[DEFAULT]\ndebug = true\nlog_file = /var/log/cairn/api.log\n", "c.conf").ok());
  Result<LogOptions> set = LogOptionsFromConfig(config);
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->level, LogLevel::kDebug);
  EXPECT_EQ(set->file, "/var/log/cairn/api.log");

  // Without the options registered, the lookup fails rather than guessing.
  EXPECT_FALSE(LogOptionsFromConfig(Config(OptionRegistry())).ok());
}

}  // namespace
}  // namespace cairn
