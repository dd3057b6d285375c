// The Glance client against the devcloud, as the demo user.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "cloud_fixture.h"
#include "openstack/glance.h"

namespace cairn::openstack {
namespace {

using devcloud::Cleanup;

TEST(GlanceDevcloudTest, SeededGuestImageHasItsProperties) {
  HttpClient http;
  const Token token = devcloud::DemoToken(http);
  GlanceClient glance(http, EndpointSelector(Interface::kPublic, "RegionOne"));
  auto images = glance.ListImages(token, "cairn-guest");
  ASSERT_TRUE(images.ok()) << images.status().ToString();
  ASSERT_EQ(images->size(), 1u);
  auto image = glance.GetImage(token, (*images)[0].id);
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(image->status, "active");
  EXPECT_EQ(image->disk_format, "qcow2");
  EXPECT_EQ(image->container_format, "bare");
  EXPECT_EQ(image->visibility, "public");
  EXPECT_GT(image->size, 0);
  EXPECT_FALSE(image->properties.at("kernel_id").empty());
  EXPECT_FALSE(image->properties.at("ramdisk_id").empty());
  EXPECT_THAT(image->properties.at("os_command_line"), ::testing::HasSubstr("cairn.fill="));
  auto all = glance.ListImages(token);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_GE(all->size(), 3u);
  EXPECT_EQ(glance.GetImage(token, "6f1b7a52-0000-4000-8000-000000000000").status().code(), ErrorCode::kNotFound);
}

TEST(GlanceDevcloudTest, CreatesUploadsAndDeletesAnImage) {
  HttpClient http;
  const Token token = devcloud::DemoToken(http);
  GlanceClient glance(http, EndpointSelector(Interface::kPublic, "RegionOne"));
  const std::string file = (std::filesystem::temp_directory_path() / (devcloud::RandomName() + ".qcow2")).string();
  Cleanup remove_file([&] { std::filesystem::remove(file); });
  ASSERT_EQ(std::system(("qemu-img create -q -f qcow2 " + file + " 16M").c_str()), 0);
  const auto file_size = static_cast<long long>(std::filesystem::file_size(file));

  const std::string name = devcloud::RandomName();
  auto image = glance.CreateImage(token, {.name = name,
                                          .disk_format = "qcow2",
                                          .container_format = "bare",
                                          .visibility = "private",
                                          .min_disk_gb = 1,
                                          .properties = {{"hw_qemu_guest_agent", "yes"}, {"cairn_test", "1"}}});
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  Cleanup undo([&] { (void)glance.DeleteImage(token, image->id); });
  EXPECT_EQ(image->status, "queued");

  ASSERT_TRUE(glance.UploadImageData(token, image->id, file).ok());
  auto active = glance.WaitForImage(token, image->id, {.timeout = std::chrono::minutes(2),
                                                       .poll_interval = std::chrono::milliseconds(500)});
  ASSERT_TRUE(active.ok()) << active.status().ToString();
  EXPECT_EQ(active->name, name);
  EXPECT_EQ(active->size, file_size);
  EXPECT_EQ(active->virtual_size, 16 << 20);
  EXPECT_EQ(active->min_disk_gb, 1);
  EXPECT_EQ(active->visibility, "private");
  EXPECT_EQ(active->owner, token.ProjectId());
  EXPECT_EQ(active->properties.at("hw_qemu_guest_agent"), "yes");
  EXPECT_EQ(active->properties.at("cairn_test"), "1");
  EXPECT_FALSE(active->checksum.empty());

  // Data twice: Glance's 409.
  EXPECT_EQ(glance.UploadImageData(token, image->id, file).code(), ErrorCode::kConflict);
  const Status missing = glance.UploadImageData(token, image->id, file + ".missing");
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound);
  EXPECT_THAT(missing.message(), ::testing::HasSubstr(file + ".missing"));

  ASSERT_TRUE(glance.DeleteImage(token, image->id).ok());
  undo.Dismiss();
  EXPECT_EQ(glance.GetImage(token, image->id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(glance.DeleteImage(token, image->id).code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace cairn::openstack
