// The Cinder client against the devcloud, as the demo user: a volume, its
// attachment with a connector (what the datamover will do), the NFS
// connection_info.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "cloud_fixture.h"
#include "openstack/cinder.h"

namespace cairn::openstack {
namespace {

using devcloud::Cleanup;
using ::testing::Contains;
using ::testing::HasSubstr;

std::string HostName() {
  char name[256] = {0};
  gethostname(name, sizeof name - 1);
  return name;
}

// The volume's file under $DEVCLOUD_DIR/data/cinder/mnt/<md5 of share>/, or "".
std::string VolumeFileOnHost(const std::string& file_name) {
  std::error_code ec;
  for (const auto& dir : std::filesystem::directory_iterator(devcloud::DevcloudDir() + "/data/cinder/mnt", ec)) {
    const auto path = dir.path() / file_name;
    if (std::filesystem::exists(path, ec)) return path.string();
  }
  return "";
}

TEST(CinderDevcloudTest, VolumeTypesAndUnknownVolume) {
  HttpClient http;
  const Token token = devcloud::DemoToken(http);
  CinderClient cinder(http, EndpointSelector(Interface::kPublic, "RegionOne"));
  auto types = cinder.ListVolumeTypes(token);
  ASSERT_TRUE(types.ok()) << types.status().ToString();
  std::vector<std::string> names;
  for (const auto& t : *types) names.push_back(t.name);
  EXPECT_THAT(names, Contains("nfs"));
  EXPECT_THAT(names, Contains("nfs-b"));
  auto missing = cinder.GetVolume(token, "6f1b7a52-0000-4000-8000-000000000000");
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "cinder: volume 6f1b7a52-0000-4000-8000-000000000000 not found");
}

TEST(CinderDevcloudTest, VolumeAttachmentWithConnectorGivesNfsConnectionInfo) {
  HttpClient http;
  const Token token = devcloud::DemoToken(http);
  CinderClient cinder(http, EndpointSelector(Interface::kPublic, "RegionOne"));
  const WaitOptions wait{.timeout = std::chrono::minutes(3), .poll_interval = std::chrono::seconds(1)};

  const std::string name = devcloud::RandomName();
  auto created = cinder.CreateVolume(token, {.size_gb = 1,
                                             .name = name,
                                             .volume_type = "nfs-b",
                                             .description = "cairn devcloud test",
                                             .metadata = {{"cairn_test", "1"}}});
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  const std::string id = created->id;
  Cleanup undo_volume([&] {
    (void)cinder.DeleteVolume(token, id);
    (void)cinder.WaitForVolume(token, id, {.gone = true}, wait);
  });
  auto volume = cinder.WaitForVolume(token, id, {.statuses = {"available"}}, wait);
  ASSERT_TRUE(volume.ok()) << volume.status().ToString();
  EXPECT_EQ(volume->name, name);
  EXPECT_EQ(volume->size_gb, 1);
  EXPECT_EQ(volume->volume_type, "nfs-b");
  EXPECT_FALSE(volume->volume_type_id.empty());  // 3.63
  EXPECT_FALSE(volume->bootable);
  EXPECT_EQ(volume->availability_zone, "nova");
  EXPECT_EQ(volume->metadata.at("cairn_test"), "1");
  EXPECT_TRUE(volume->attachments.empty());
  EXPECT_EQ(volume->raw.value("id", ""), id);

  const nlohmann::json connector = {{"host", HostName()}, {"ip", "127.0.0.1"},      {"initiator", ""},
                                    {"platform", "x86_64"}, {"os_type", "linux"}, {"multipath", false}};
  auto attachment = cinder.CreateAttachment(token, {.volume_id = id, .connector = connector, .mode = "rw"});
  ASSERT_TRUE(attachment.ok()) << attachment.status().ToString();
  Cleanup undo_attachment([&] { (void)cinder.DeleteAttachment(token, attachment->id); });
  std::cout << "attachment " << attachment->raw.dump(2) << std::endl;
  EXPECT_EQ(attachment->volume_id, id);
  EXPECT_EQ(attachment->attach_mode, "rw");
  ASSERT_TRUE(attachment->connection_info.is_object()) << attachment->raw.dump();
  EXPECT_EQ(attachment->driver_volume_type, "nfs");
  const nlohmann::json& data = attachment->connection_data;
  EXPECT_EQ(data.value("name", ""), "volume-" + id);
  EXPECT_FALSE(data.value("export", "").empty());
  EXPECT_EQ(data.value("format", ""), "raw");
  const std::string file = VolumeFileOnHost("volume-" + id);
  EXPECT_FALSE(file.empty()) << "volume-" << id << " under " << devcloud::DevcloudDir() << "/data/cinder/mnt";
  std::cout << "volume file on the host: " << file << std::endl;

  ASSERT_TRUE(cinder.CompleteAttachment(token, attachment->id).ok());
  auto in_use = cinder.WaitForVolume(token, id, {.statuses = {"in-use"}}, wait);
  ASSERT_TRUE(in_use.ok()) << in_use.status().ToString();
  ASSERT_EQ(in_use->attachments.size(), 1u);
  EXPECT_EQ(in_use->attachments[0].attachment_id, attachment->id);
  auto got = cinder.GetAttachment(token, attachment->id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->status, "attached");

  // An attached volume cannot be deleted.
  EXPECT_FALSE(cinder.DeleteVolume(token, id).ok());

  ASSERT_TRUE(cinder.DeleteAttachment(token, attachment->id).ok());
  undo_attachment.Dismiss();
  auto available = cinder.WaitForVolume(token, id, {.statuses = {"available"}}, wait);
  ASSERT_TRUE(available.ok()) << available.status().ToString();
  EXPECT_TRUE(available->attachments.empty());
  EXPECT_EQ(cinder.DeleteAttachment(token, attachment->id).code(), ErrorCode::kNotFound);

  ASSERT_TRUE(cinder.DeleteVolume(token, id).ok());
  auto gone = cinder.WaitForVolume(token, id, {.gone = true}, wait);
  ASSERT_TRUE(gone.ok()) << gone.status().ToString();
  undo_volume.Dismiss();
  EXPECT_EQ(cinder.GetVolume(token, id).status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace cairn::openstack
