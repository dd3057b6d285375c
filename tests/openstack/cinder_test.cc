// CinderClient against a scripted fake Cinder: the project in the path, the
// microversion, bodies, real-shaped answers (Zed, 3.64), WaitForVolume.
#include "openstack/cinder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "openstack/service_fake.h"

namespace cairn::openstack {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using testing::FakeServices;

std::string VolumeJson(const std::string& status, const std::string& attachments = "[]") {
  return R"({"volume": {"id": "v1", "name": "data", "size": 1, "status": ")" + status + R"(",
      "availability_zone": "nova", "created_at": "2026-11-25T08:00:00.000000", "updated_at": null,
      "attachments": )" + attachments + R"(, "bootable": "true", "encrypted": false, "multiattach": false,
      "volume_type": "nfs-b", "volume_type_id": "vt2", "description": "d", "snapshot_id": null,
      "source_volid": null, "metadata": {"k": "v"}, "os-vol-tenant-attr:tenant_id": "p1",
      "volume_image_metadata": {"image_id": "img1", "kernel_id": "k1"}, "user_id": "u1",
      "consistencygroup_id": null, "group_id": null, "provider_id": null, "service_uuid": "x",
      "shared_targets": true, "cluster_name": null, "encryption_key_id": null,
      "links": []}})";
}

class CinderTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(fake_.started()); }

  WaitOptions Fast() {
    return {.timeout = std::chrono::seconds(10), .poll_interval = std::chrono::seconds(1), .clock = &clock_,
            .sleep = [this](std::chrono::milliseconds d) { clock_.Advance(d); }};
  }

  FakeServices fake_;
  HttpClient http_;
  CinderClient cinder_{http_, EndpointSelector(Interface::kPublic, "RegionOne")};
  Token token_ = fake_.MakeToken();
  ManualClock clock_{*ParseIso8601("2026-11-25T08:00:00Z")};
};

TEST_F(CinderTest, GetVolumeParsesAndPinsMicroversion) {
  fake_.On("GET /volume/v3/p1/volumes/v1", 200,
           VolumeJson("in-use", R"([{"id": "v1", "attachment_id": "a1", "volume_id": "v1", "server_id": "s1",
               "host_name": "compute1", "device": "/dev/vdb", "attached_at": "2026-11-25T08:01:00.000000"}])"));
  auto volume = cinder_.GetVolume(token_, "v1");
  ASSERT_TRUE(volume.ok()) << volume.status().ToString();
  EXPECT_EQ(fake_.last().Header("openstack-api-version"), "volume 3.64");
  EXPECT_EQ(fake_.last().Header("x-auth-token"), "tok-1");
  EXPECT_EQ(volume->name, "data");
  EXPECT_EQ(volume->size_gb, 1);
  EXPECT_EQ(volume->volume_type, "nfs-b");
  EXPECT_EQ(volume->volume_type_id, "vt2");
  EXPECT_TRUE(volume->bootable);
  EXPECT_EQ(volume->status, "in-use");
  EXPECT_EQ(volume->availability_zone, "nova");
  EXPECT_EQ(volume->project_id, "p1");
  EXPECT_EQ(volume->metadata.at("k"), "v");
  EXPECT_EQ(volume->image_metadata.at("kernel_id"), "k1");
  ASSERT_EQ(volume->attachments.size(), 1u);
  EXPECT_EQ(volume->attachments[0].attachment_id, "a1");
  EXPECT_EQ(volume->attachments[0].server_id, "s1");
  EXPECT_EQ(volume->attachments[0].device, "/dev/vdb");
  EXPECT_EQ(volume->attachments[0].host_name, "compute1");
  EXPECT_EQ(volume->raw.value("shared_targets", false), true);

  fake_.On("GET /volume/v3/p1/volumes/v2", 404,
           R"({"itemNotFound": {"code": 404, "message": "Volume v2 could not be found."}})");
  EXPECT_EQ(cinder_.GetVolume(token_, "v2").status().message(), "cinder: volume v2 not found");
}

TEST_F(CinderTest, CreateAndDeleteVolume) {
  fake_.On("POST /volume/v3/p1/volumes", 202, VolumeJson("creating"));
  auto volume = cinder_.CreateVolume(token_, {.size_gb = 1,
                                              .name = "data",
                                              .volume_type = "nfs-b",
                                              .availability_zone = "nova",
                                              .description = "d",
                                              .metadata = {{"k", "v"}}});
  ASSERT_TRUE(volume.ok()) << volume.status().ToString();
  EXPECT_EQ(volume->status, "creating");
  EXPECT_EQ(json::parse(fake_.last().body), json::parse(R"({"volume": {"size": 1, "name": "data",
      "volume_type": "nfs-b", "availability_zone": "nova", "description": "d", "metadata": {"k": "v"}}})"));

  fake_.On("POST /volume/v3/p1/volumes", 413,
           R"({"overLimit": {"code": 413, "message": "VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota."}})");
  auto over = cinder_.CreateVolume(token_, {.size_gb = 5000, .name = "big"});
  EXPECT_EQ(over.status().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(over.status().message(), HasSubstr("cinder: create volume big: VolumeSizeExceedsAvailableQuota"));

  fake_.On("DELETE /volume/v3/p1/volumes/v1", 202);
  EXPECT_TRUE(cinder_.DeleteVolume(token_, "v1").ok());
  fake_.On("DELETE /volume/v3/p1/volumes/v3", 400,
           R"({"badRequest": {"code": 400, "message": "Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer."}})");
  EXPECT_EQ(cinder_.DeleteVolume(token_, "v3").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(cinder_.DeleteVolume(token_, "v9").message(), "cinder: volume v9 not found");
}

TEST_F(CinderTest, VolumeTypes) {
  fake_.On("GET /volume/v3/p1/types", 200, R"({"volume_types": [
      {"id": "vt1", "name": "nfs", "is_public": true, "description": null, "qos_specs_id": null,
       "extra_specs": {"volume_backend_name": "nfs"}, "os-volume-type-access:is_public": true},
      {"id": "vt2", "name": "nfs-b", "is_public": false, "description": "second", "extra_specs": {}}]})");
  auto types = cinder_.ListVolumeTypes(token_);
  ASSERT_TRUE(types.ok()) << types.status().ToString();
  ASSERT_EQ(types->size(), 2u);
  EXPECT_EQ((*types)[0].extra_specs.at("volume_backend_name"), "nfs");
  EXPECT_TRUE((*types)[0].is_public);
  EXPECT_FALSE((*types)[1].is_public);
  EXPECT_EQ((*types)[1].description, "second");
}

TEST_F(CinderTest, WaitForVolume) {
  fake_.On("GET /volume/v3/p1/volumes/v1", 200, VolumeJson("creating"));
  fake_.On("GET /volume/v3/p1/volumes/v1", 200, VolumeJson("available"));
  auto ready = cinder_.WaitForVolume(token_, "v1", {.statuses = {"available"}}, Fast());
  ASSERT_TRUE(ready.ok()) << ready.status().ToString();
  EXPECT_EQ(ready->status, "available");

  fake_.On("GET /volume/v3/p1/volumes/v2", 200, VolumeJson("error"));
  auto failed = cinder_.WaitForVolume(token_, "v2", {.statuses = {"available"}}, Fast());
  EXPECT_EQ(failed.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(failed.status().message(), "cinder: volume v2 went to error");

  fake_.On("GET /volume/v3/p1/volumes/v3", 200, VolumeJson("deleting"));
  fake_.On("GET /volume/v3/p1/volumes/v3", 404, R"({"itemNotFound": {"code": 404, "message": "x"}})");
  EXPECT_TRUE(cinder_.WaitForVolume(token_, "v3", {.gone = true}, Fast()).ok());
  EXPECT_EQ(cinder_.WaitForVolume(token_, "v3", {.statuses = {"available"}}, Fast()).status().code(),
            ErrorCode::kNotFound);

  fake_.On("GET /volume/v3/p1/volumes/v4", 200, VolumeJson("creating"));
  auto late = cinder_.WaitForVolume(token_, "v4", {.statuses = {"available"}}, Fast());
  EXPECT_EQ(late.status().message(),
            "cinder: wait for volume v4 to be available: timed out after 10 s (last seen: status creating)");
}

TEST_F(CinderTest, AttachmentsWithFlatConnectionInfo) {
  // As the devcloud's Zed NFS backend answers it.
  fake_.On("POST /volume/v3/p1/attachments", 200, R"({"attachment": {
      "id": "a1", "status": "reserved", "instance": null, "volume_id": "v1", "attached_at": "",
      "detached_at": "", "attach_mode": "rw",
      "connection_info": {"export": "127.0.0.1:/srv/nfs-export-b", "name": "volume-v1", "options": null,
        "format": "raw", "qos_specs": null, "access_mode": "rw", "encrypted": false, "cacheable": false,
        "driver_volume_type": "nfs", "mount_point_base": "/var/lib/cinder/mnt", "attachment_id": "a1"}}})");
  const json connector = {{"host", "h1"}, {"ip", "127.0.0.1"}, {"initiator", ""}, {"platform", "x86_64"},
                          {"os_type", "linux"}, {"multipath", false}};
  auto attachment = cinder_.CreateAttachment(token_, {.volume_id = "v1", .connector = connector, .instance_uuid = "s1"});
  ASSERT_TRUE(attachment.ok()) << attachment.status().ToString();
  EXPECT_EQ(fake_.last().Header("openstack-api-version"), "volume 3.64");
  EXPECT_EQ(json::parse(fake_.last().body), (json{{"attachment", {{"volume_uuid", "v1"}, {"mode", "rw"},
                                                                   {"connector", connector},
                                                                   {"instance_uuid", "s1"}}}}));
  EXPECT_EQ(attachment->id, "a1");
  EXPECT_EQ(attachment->status, "reserved");
  EXPECT_EQ(attachment->attach_mode, "rw");
  EXPECT_EQ(attachment->instance, "");
  EXPECT_EQ(attachment->driver_volume_type, "nfs");
  EXPECT_EQ(attachment->connection_data.value("name", ""), "volume-v1");
  EXPECT_EQ(attachment->connection_data.value("export", ""), "127.0.0.1:/srv/nfs-export-b");
  EXPECT_FALSE(attachment->connection_data.contains("driver_volume_type"));
  EXPECT_EQ(attachment->connection_info.value("driver_volume_type", ""), "nfs");

  // Without connector: a reservation, no connection_info.
  fake_.On("POST /volume/v3/p1/attachments", 200, R"({"attachment": {"id": "a2", "status": "reserved",
      "instance": "s1", "volume_id": "v1", "attach_mode": "ro", "connection_info": {}}})");
  auto reserved = cinder_.CreateAttachment(token_, {.volume_id = "v1", .mode = "ro"});
  ASSERT_TRUE(reserved.ok()) << reserved.status().ToString();
  EXPECT_EQ(json::parse(fake_.last().body), json::parse(R"({"attachment": {"volume_uuid": "v1", "mode": "ro"}})"));
  EXPECT_EQ(reserved->driver_volume_type, "");

  fake_.On("POST /volume/v3/p1/attachments/a1/action", 204);
  EXPECT_TRUE(cinder_.CompleteAttachment(token_, "a1").ok());
  EXPECT_EQ(json::parse(fake_.last().body), json::parse(R"({"os-complete": null})"));
  fake_.On("DELETE /volume/v3/p1/attachments/a1", 200, R"({"attachments": []})");
  EXPECT_TRUE(cinder_.DeleteAttachment(token_, "a1").ok());
  EXPECT_EQ(cinder_.DeleteAttachment(token_, "a9").message(), "cinder: attachment a9 not found");
  fake_.On("POST /volume/v3/p1/attachments", 404,
           R"({"itemNotFound": {"code": 404, "message": "Volume v9 could not be found."}})");
  EXPECT_EQ(cinder_.CreateAttachment(token_, {.volume_id = "v9"}).status().message(), "cinder: volume v9 not found");
}

TEST_F(CinderTest, NestedConnectionInfoIsReadToo) {
  auto a = ParseAttachment(json::parse(R"({"id": "a1", "connection_info": {"driver_volume_type": "iscsi",
      "data": {"target_iqn": "iqn.x", "target_lun": 1}}})"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->driver_volume_type, "iscsi");
  EXPECT_EQ(a->connection_data, json::parse(R"({"target_iqn": "iqn.x", "target_lun": 1})"));
}

}  // namespace
}  // namespace cairn::openstack
