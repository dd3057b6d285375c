#include "datamover_service/volume_connector.h"

#include <fstream>

#include <gtest/gtest.h>

#include "support/command.h"

namespace cairn::datamover_service {
namespace {

using nlohmann::json;

TEST(NfsConnectorTest, FindsTheVolumeFileUnderTheMd5OfTheExport) {
  cairn::testing::TempDir dir;
  // md5("127.0.0.1:/srv/nfs") = the directory Nova and Cinder mount the share on.
  const std::string share = "127.0.0.1:/srv/nfs";
  auto md5 = cairn::testing::Run("printf '%s' '" + share + "' | md5sum | cut -d' ' -f1");
  std::string hash = md5.output.substr(0, 32);
  std::filesystem::create_directories(dir.path() / hash);
  std::ofstream(dir.path() / hash / "volume-abc") << "x";
  auto connector = MakeNfsConnector(dir.path().string());
  // Flat, as the attachments API answers, and nested under "data".
  json flat = {{"driver_volume_type", "nfs"}, {"export", share}, {"name", "volume-abc"}};
  json nested = {{"driver_volume_type", "nfs"}, {"data", {{"export", share}, {"name", "volume-abc"}}}};
  for (const json& info : {flat, nested}) {
    auto path = connector->LocalPath(info);
    ASSERT_TRUE(path.ok()) << path.status().ToString();
    EXPECT_EQ(*path, (dir.path() / hash / "volume-abc").string());
  }
}

TEST(NfsConnectorTest, RefusesOtherTransportsAndBadNames) {
  auto connector = MakeNfsConnector("/nonexistent");
  EXPECT_EQ(connector->LocalPath({{"driver_volume_type", "rbd"}}).status().code(), ErrorCode::kNotSupported);
  EXPECT_EQ(connector->LocalPath({{"driver_volume_type", "nfs"}, {"export", "h:/x"}, {"name", "../../etc/passwd"}})
                .status()
                .code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(connector->LocalPath({{"driver_volume_type", "nfs"}, {"export", "h:/x"}, {"name", "volume-1"},
                                  {"format", "qcow2"}})
                .status()
                .code(),
            ErrorCode::kNotSupported);
  EXPECT_EQ(connector->LocalPath({{"driver_volume_type", nullptr}}).status().code(), ErrorCode::kNotSupported);
  auto missing = connector->LocalPath({{"driver_volume_type", "nfs"}, {"export", "h:/x"}, {"name", "volume-1"}});
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.status().message().find("is the share mounted"), std::string::npos);
}

}  // namespace
}  // namespace cairn::datamover_service
