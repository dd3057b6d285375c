// GlanceClient against a scripted fake Glance, and the streaming upload.
#include "openstack/glance.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/temp_dir.h"
#include "openstack/service_fake.h"

namespace cairn::openstack {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::FakeServices;

// cairn-guest as the devcloud's Zed Glance answers it.
constexpr char kImage[] = R"({
  "hw_qemu_guest_agent": "yes", "kernel_id": "k1", "ramdisk_id": "r1",
  "os_command_line": "console=ttyS0 quiet cairn.fill=1M", "name": "cairn-guest", "disk_format": "qcow2",
  "container_format": "bare", "visibility": "public", "size": 196624, "virtual_size": 67108864,
  "status": "active", "checksum": "0a1b", "protected": false, "min_ram": 0, "min_disk": 1,
  "owner": "admin-p", "os_hidden": false, "os_hash_algo": "sha512", "os_hash_value": "ff00",
  "id": "img1", "created_at": "2026-11-25T08:00:00Z", "updated_at": "2026-11-25T08:00:01Z",
  "tags": ["t1"], "self": "/v2/images/img1", "file": "/v2/images/img1/file", "schema": "/v2/schemas/image",
  "stores": "file", "hw_numa_nodes": 2, "empty_prop": null})";

class GlanceTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(fake_.started()); }

  FakeServices fake_;
  HttpClient http_;
  GlanceClient glance_{http_, EndpointSelector(Interface::kPublic, "RegionOne")};
  Token token_ = fake_.MakeToken();
};

TEST_F(GlanceTest, GetImageSplitsCoreFieldsAndProperties) {
  fake_.On("GET /image/v2/images/img1", 200, kImage);
  auto image = glance_.GetImage(token_, "img1");
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(image->name, "cairn-guest");
  EXPECT_EQ(image->status, "active");
  EXPECT_EQ(image->disk_format, "qcow2");
  EXPECT_EQ(image->container_format, "bare");
  EXPECT_EQ(image->size, 196624);
  EXPECT_EQ(image->virtual_size, 67108864);
  EXPECT_EQ(image->min_disk_gb, 1);
  EXPECT_EQ(image->min_ram_mb, 0);
  EXPECT_EQ(image->visibility, "public");
  EXPECT_EQ(image->owner, "admin-p");
  EXPECT_EQ(image->checksum, "0a1b");
  EXPECT_THAT(image->tags, ElementsAre("t1"));
  const std::map<std::string, std::string> expected = {
      {"hw_qemu_guest_agent", "yes"}, {"kernel_id", "k1"}, {"ramdisk_id", "r1"},
      {"os_command_line", "console=ttyS0 quiet cairn.fill=1M"}, {"os_hidden", "false"},
      {"os_hash_algo", "sha512"}, {"os_hash_value", "ff00"}, {"stores", "file"}, {"hw_numa_nodes", "2"}};
  EXPECT_EQ(image->properties, expected);
  EXPECT_EQ(image->raw, json::parse(kImage));

  fake_.On("GET /image/v2/images/img2", 404, "<html><body><h1>404 Not Found</h1>No image found with ID img2</body></html>");
  EXPECT_EQ(glance_.GetImage(token_, "img2").status().message(), "glance: image img2 not found");
}

TEST_F(GlanceTest, ListImagesFollowsNext) {
  fake_.On("GET /image/v2/images", 200,
           std::string(R"({"images": [)") + kImage + R"(], "next": "/v2/images?marker=img1&name=cairn-guest",
               "first": "/v2/images", "schema": "/v2/schemas/images"})");
  fake_.On("GET /image/v2/images", 200, R"({"images": [], "first": "/v2/images"})");
  auto images = glance_.ListImages(token_, "cairn-guest");
  ASSERT_TRUE(images.ok()) << images.status().ToString();
  ASSERT_EQ(images->size(), 1u);
  const auto requests = fake_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].query, "name=cairn-guest");
  EXPECT_EQ(requests[1].query, "marker=img1&name=cairn-guest");
}

TEST_F(GlanceTest, CreateImageBody) {
  fake_.On("POST /image/v2/images", 201, R"({"id": "new", "name": "restored", "status": "queued",
      "disk_format": "qcow2", "container_format": "bare", "visibility": "private", "size": null,
      "kernel_id": "k1"})");
  auto image = glance_.CreateImage(token_, {.name = "restored",
                                            .disk_format = "qcow2",
                                            .container_format = "bare",
                                            .visibility = "private",
                                            .min_disk_gb = 1,
                                            .properties = {{"kernel_id", "k1"}, {"hw_qemu_guest_agent", "yes"}}});
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(image->id, "new");
  EXPECT_EQ(image->status, "queued");
  EXPECT_EQ(image->size, 0);
  EXPECT_EQ(fake_.last().Header("content-type"), "application/json");
  EXPECT_EQ(json::parse(fake_.last().body), json::parse(R"({"name": "restored", "disk_format": "qcow2",
      "container_format": "bare", "visibility": "private", "min_disk": 1, "kernel_id": "k1",
      "hw_qemu_guest_agent": "yes"})"));

  fake_.On("POST /image/v2/images", 403,
           "<html><body><h1>403 Forbidden</h1>Attribute &#x27;owner&#x27; is reserved.</body></html>");
  auto refused = glance_.CreateImage(token_, {.name = "x"});
  EXPECT_EQ(refused.status().code(), ErrorCode::kPermissionDenied);

  fake_.On("DELETE /image/v2/images/new", 204);
  EXPECT_TRUE(glance_.DeleteImage(token_, "new").ok());
  EXPECT_EQ(glance_.DeleteImage(token_, "gone").message(), "glance: image gone not found");
}

TEST_F(GlanceTest, UploadStreamsTheFile) {
  cairn::testing::TempDirectory dir;
  std::string data(3 << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 7919) >> 5);
  const std::string path = dir.Write("disk.qcow2", data);
  fake_.On("PUT /image/v2/images/img1/file", 204);
  ASSERT_TRUE(glance_.UploadImageData(token_, "img1", path).ok());
  const auto r = fake_.last();
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.Header("content-type"), "application/octet-stream");
  EXPECT_EQ(r.Header("content-length"), std::to_string(data.size()));
  EXPECT_EQ(r.Header("x-auth-token"), "tok-1");
  EXPECT_TRUE(r.body == data) << "uploaded " << r.body.size() << " bytes";

  // An empty file is an empty body.
  const std::string empty = dir.Write("empty", "");
  ASSERT_TRUE(glance_.UploadImageData(token_, "img1", empty).ok());
  EXPECT_EQ(fake_.last().body, "");

  fake_.On("PUT /image/v2/images/img1/file", 409,
           "<html><body><h1>409 Conflict</h1>Image status transition from active to saving is not allowed</body></html>");
  const Status twice = glance_.UploadImageData(token_, "img1", path);
  EXPECT_EQ(twice.code(), ErrorCode::kConflict);
  EXPECT_THAT(twice.message(), HasSubstr("Image status transition"));
  EXPECT_EQ(glance_.UploadImageData(token_, "img9", path).message(), "glance: image img9 not found");

  const Status missing = glance_.UploadImageData(token_, "img1", path + ".missing");
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound);
  EXPECT_THAT(missing.message(), HasSubstr(path + ".missing"));
  EXPECT_EQ(glance_.UploadImageData(token_, "img1", dir.Path("")).code(), ErrorCode::kIOError);
}

TEST_F(GlanceTest, UploadRequestRefusesABodyToo) {
  auto r = http_.Send({.method = "PUT", .url = fake_.Url("/x"), .body = "b", .upload_file = "/etc/hostname"});
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
}

TEST_F(GlanceTest, WaitForImage) {
  WaitOptions fast{.timeout = std::chrono::seconds(5), .poll_interval = std::chrono::seconds(1)};
  ManualClock clock(*ParseIso8601("2026-11-25T08:00:00Z"));
  fast.clock = &clock;
  fast.sleep = [&clock](std::chrono::milliseconds d) { clock.Advance(d); };
  fake_.On("GET /image/v2/images/i1", 200, R"({"id": "i1", "status": "saving"})");
  fake_.On("GET /image/v2/images/i1", 200, R"({"id": "i1", "status": "active"})");
  auto image = glance_.WaitForImage(token_, "i1", fast);
  ASSERT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_EQ(image->status, "active");
  fake_.On("GET /image/v2/images/i2", 200, R"({"id": "i2", "status": "killed"})");
  EXPECT_EQ(glance_.WaitForImage(token_, "i2", fast).status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(glance_.WaitForImage(token_, "i3", fast).status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace cairn::openstack
