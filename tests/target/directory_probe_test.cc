// The target directory checks of preflight: a directory, a missing path, a
// regular file, a path below a file, a directory nobody (not even root) can
// create files in, and the [target] options.
#include "target/directory_probe.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/config.h"
#include "common/temp_dir.h"
#include "target/options.h"

namespace cairn::target {
namespace {

TEST(DirectoryProbeTest, ADirectoryPassesEveryCheckAndKeepsNoProbeFile) {
  cairn::testing::TempDirectory dir;
  EXPECT_TRUE(CheckIsDirectory(dir.Path("")).ok());
  Status s = ProbeWritable(dir.Path(""));
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(std::filesystem::is_empty(dir.Path("")));
  auto space = GetSpaceInfo(dir.Path(""));
  ASSERT_TRUE(space.ok()) << space.status().ToString();
  EXPECT_GT(space->total_bytes, 0u);
  EXPECT_LE(space->available_bytes, space->total_bytes);
}

TEST(DirectoryProbeTest, MissingPathIsNotFound) {
  cairn::testing::TempDirectory dir;
  Status s = CheckIsDirectory(dir.Path("missing"));
  EXPECT_EQ(s.code(), ErrorCode::kNotFound) << s.ToString();
  EXPECT_NE(s.message().find("missing does not exist"), std::string::npos) << s.message();
  Status write = ProbeWritable(dir.Path("missing"));
  EXPECT_FALSE(write.ok());
  EXPECT_NE(write.message().find("create " + dir.Path("missing") + "/.cairn-probe-"), std::string::npos)
      << write.message();
  auto space = GetSpaceInfo(dir.Path("missing"));
  EXPECT_FALSE(space.ok());
  EXPECT_NE(space.status().message().find("statvfs"), std::string::npos);
}

TEST(DirectoryProbeTest, RegularFileIsNotADirectory) {
  cairn::testing::TempDirectory dir;
  const std::string file = dir.Write("file", "x");
  Status s = CheckIsDirectory(file);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("is not a directory"), std::string::npos);
  // Below a regular file: does not exist.
  EXPECT_EQ(CheckIsDirectory(file + "/sub").code(), ErrorCode::kNotFound);
  Status write = ProbeWritable(file);
  EXPECT_FALSE(write.ok());
  EXPECT_NE(write.message().find("create "), std::string::npos) << write.message();
}

TEST(DirectoryProbeTest, ADirectoryRootCannotWriteInFails) {
  // procfs refuses new files to everyone, root included (the tests run as root).
  ASSERT_TRUE(CheckIsDirectory("/proc").ok());
  Status s = ProbeWritable("/proc");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("create /proc/.cairn-probe-"), std::string::npos) << s.message();
}

Config TargetConfig() {
  OptionRegistry registry;
  EXPECT_TRUE(RegisterTargetOptions(registry).ok());
  return Config(std::move(registry));
}

TEST(TargetOptionsTest, DefaultsAndValues) {
  Config config = TargetConfig();
  auto defaults = TargetOptionsFromConfig(config);
  ASSERT_TRUE(defaults.ok()) << defaults.status().ToString();
  EXPECT_EQ(defaults->path, "/var/lib/cairn/target");
  EXPECT_EQ(defaults->free_space_warning, uint64_t{10} << 30);
  ASSERT_TRUE(config.LoadString("[target]\npath = /mnt/backup\nfree_space_warning = 2M\n", "t.conf").ok());
  auto set = TargetOptionsFromConfig(config);
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->path, "/mnt/backup");
  EXPECT_EQ(set->free_space_warning, 2u << 20);
}

TEST(TargetOptionsTest, RelativePathIsRefused) {
  Config config = TargetConfig();
  ASSERT_TRUE(config.LoadString("[target]\npath = backup\n", "t.conf").ok());
  auto options = TargetOptionsFromConfig(config);
  EXPECT_EQ(options.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(options.status().message().find("[target] path"), std::string::npos);
}

}  // namespace
}  // namespace cairn::target
