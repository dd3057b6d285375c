// NovaClient's flavors, server create/delete/start/stop, volume attachments
// and WaitForServer against a scripted fake Nova.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "openstack/nova.h"
#include "openstack/service_fake.h"

namespace cairn::openstack {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::FakeServices;

constexpr char kServers[] = "/compute/v2.1/servers";

class NovaWriteTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(fake_.started()); }

  static std::string ServerBody(const std::string& status, const std::string& task = "null",
                                const std::string& extra = "") {
    return R"({"server": {"id": "s1", "name": "vm", "status": ")" + status + R"(", "OS-EXT-STS:task_state": )" +
           task + extra + "}}";
  }

  WaitOptions Fast() {
    return {.timeout = std::chrono::seconds(30), .poll_interval = std::chrono::seconds(1), .clock = &clock_,
            .sleep = [this](std::chrono::milliseconds d) { clock_.Advance(d); }};
  }

  FakeServices fake_;
  HttpClient http_;
  NovaClient nova_{http_, EndpointSelector(Interface::kPublic, "RegionOne")};
  Token token_ = fake_.MakeToken();
  ManualClock clock_{*ParseIso8601("2026-11-25T08:00:00Z")};
};

TEST_F(NovaWriteTest, CreateServerSendsTheBodyAndMicroversion) {
  fake_.On("POST /compute/v2.1/servers", 202,
           R"({"server": {"id": "new-1", "links": [], "OS-DCF:diskConfig": "MANUAL", "adminPass": "x",
               "security_groups": [{"name": "default"}]}})");
  auto id = nova_.CreateServer(
      token_, {.name = "vm1",
               .flavor_ref = "f1",
               .image_ref = "img1",
               .block_devices = {{.uuid = "vol1", .source_type = "volume", .destination_type = "volume",
                                  .boot_index = 1, .device_name = "/dev/vdb"}},
               .networks = {{.port = "port1", .uuid = "ignored"}, {.uuid = "net1", .fixed_ip = "10.0.0.5"}},
               .key_name = "key",
               .metadata = {{"a", "b"}},
               .availability_zone = "nova",
               .config_drive = true,
               .security_groups = {"default", "web"}});
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, "new-1");
  const auto r = fake_.last();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, kServers);
  EXPECT_EQ(r.Header("openstack-api-version"), "compute 2.79");
  EXPECT_EQ(r.Header("x-openstack-nova-api-version"), "2.79");
  EXPECT_EQ(r.Header("x-auth-token"), "tok-1");
  EXPECT_EQ(r.Header("content-type"), "application/json");
  const json expected = json::parse(R"({"server": {
      "name": "vm1", "flavorRef": "f1", "imageRef": "img1",
      "block_device_mapping_v2": [{"uuid": "vol1", "source_type": "volume", "destination_type": "volume",
                                   "boot_index": 1, "delete_on_termination": false, "device_name": "/dev/vdb"}],
      "networks": [{"port": "port1"}, {"uuid": "net1", "fixed_ip": "10.0.0.5"}],
      "key_name": "key", "metadata": {"a": "b"}, "availability_zone": "nova", "config_drive": true,
      "security_groups": [{"name": "default"}, {"name": "web"}]}})");
  EXPECT_EQ(json::parse(r.body), expected);
}

TEST_F(NovaWriteTest, CreateServerWithoutNetworksSendsNone) {
  const json body = ServerCreateBody({.name = "vm", .flavor_ref = "f"});
  EXPECT_EQ(body, json::parse(R"({"server": {"name": "vm", "flavorRef": "f", "networks": "none"}})"));
}

TEST_F(NovaWriteTest, CreateServerErrorsAreMapped) {
  fake_.On("POST /compute/v2.1/servers", 400,
           R"({"badRequest": {"code": 400, "message": "Invalid flavorRef provided."}})");
  auto id = nova_.CreateServer(token_, {.name = "vm1", .flavor_ref = "nope"});
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(id.status().message(), "nova: create server vm1: Invalid flavorRef provided. (HTTP 400)");
}

TEST_F(NovaWriteTest, DeleteStartStop) {
  fake_.On("DELETE /compute/v2.1/servers/s1", 204);
  EXPECT_TRUE(nova_.DeleteServer(token_, "s1").ok());
  EXPECT_EQ(fake_.last().method, "DELETE");
  const Status missing = nova_.DeleteServer(token_, "s2");
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.message(), "nova: server s2 not found");
  EXPECT_EQ(nova_.DeleteServer(token_, "").code(), ErrorCode::kNotFound);

  fake_.On("POST /compute/v2.1/servers/s1/action", 202);
  EXPECT_TRUE(nova_.StopServer(token_, "s1").ok());
  EXPECT_EQ(json::parse(fake_.last().body), json::parse(R"({"os-stop": null})"));
  fake_.On("POST /compute/v2.1/servers/s1/action", 409,
           R"({"conflictingRequest": {"code": 409, "message": "Cannot 'start' instance s1 while it is in vm_state active"}})");
  const Status conflict = nova_.StartServer(token_, "s1");
  EXPECT_EQ(json::parse(fake_.last().body), json::parse(R"({"os-start": null})"));
  EXPECT_EQ(conflict.code(), ErrorCode::kConflict);
  EXPECT_THAT(conflict.message(), HasSubstr("os-start server s1: Cannot 'start' instance"));
}

TEST_F(NovaWriteTest, VolumeAttachments) {
  fake_.On("GET /compute/v2.1/servers/s1/os-volume_attachments", 200,
           R"({"volumeAttachments": [{"id": "v1", "serverId": "s1", "volumeId": "v1", "device": "/dev/vdb",
               "tag": null, "delete_on_termination": false}]})");
  auto list = nova_.ListVolumeAttachments(token_, "s1");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].volume_id, "v1");
  EXPECT_EQ((*list)[0].server_id, "s1");
  EXPECT_EQ((*list)[0].device, "/dev/vdb");
  EXPECT_EQ(nova_.ListVolumeAttachments(token_, "s9").status().message(), "nova: server s9 not found");

  fake_.On("POST /compute/v2.1/servers/s1/os-volume_attachments", 200,
           R"({"volumeAttachment": {"id": "v2", "serverId": "s1", "volumeId": "v2", "device": "/dev/vdc",
               "tag": null, "delete_on_termination": false}})");
  auto attached = nova_.AttachVolume(token_, "s1", "v2");
  ASSERT_TRUE(attached.ok()) << attached.status().ToString();
  EXPECT_EQ(attached->device, "/dev/vdc");
  EXPECT_EQ(json::parse(fake_.last().body), json::parse(R"({"volumeAttachment": {"volumeId": "v2"}})"));
  ASSERT_TRUE(nova_.AttachVolume(token_, "s1", "v2", "/dev/vdd").ok());
  EXPECT_EQ(json::parse(fake_.last().body),
            json::parse(R"({"volumeAttachment": {"volumeId": "v2", "device": "/dev/vdd"}})"));

  fake_.On("DELETE /compute/v2.1/servers/s1/os-volume_attachments/v2", 202);
  EXPECT_TRUE(nova_.DetachVolume(token_, "s1", "v2").ok());
  const Status not_attached = nova_.DetachVolume(token_, "s1", "v3");
  EXPECT_EQ(not_attached.code(), ErrorCode::kNotFound);
  EXPECT_THAT(not_attached.message(), HasSubstr("detach volume v3 from server s1"));
}

TEST_F(NovaWriteTest, Flavors) {
  const std::string tiny = R"({"id": "f1", "name": "m1.tiny", "ram": 128, "disk": 1, "swap": "",
      "OS-FLV-EXT-DATA:ephemeral": 0, "OS-FLV-DISABLED:disabled": false, "vcpus": 1,
      "os-flavor-access:is_public": true, "rxtx_factor": 1.0, "description": null,
      "extra_specs": {"hw:mem_page_size": "small"}, "links": []})";
  fake_.On("GET /compute/v2.1/flavors/f1", 200, R"({"flavor": )" + tiny + "}");
  auto flavor = nova_.GetFlavor(token_, "f1");
  ASSERT_TRUE(flavor.ok()) << flavor.status().ToString();
  EXPECT_EQ(flavor->name, "m1.tiny");
  EXPECT_EQ(flavor->ram_mb, 128);
  EXPECT_EQ(flavor->disk_gb, 1);
  EXPECT_EQ(flavor->swap_mb, 0);
  EXPECT_EQ(flavor->vcpus, 1);
  EXPECT_TRUE(flavor->is_public);
  EXPECT_EQ(flavor->extra_specs.at("hw:mem_page_size"), "small");
  EXPECT_EQ(flavor->raw.value("rxtx_factor", 0.0), 1.0);
  EXPECT_EQ(nova_.GetFlavor(token_, "f9").status().message(), "nova: flavor f9 not found");

  // Two pages: the second asked with the last id as marker.
  fake_.On("GET /compute/v2.1/flavors/detail", 200,
           R"({"flavors": [)" + tiny + R"(], "flavors_links": [{"rel": "next", "href": "http://x/flavors/detail?marker=f1"}]})");
  fake_.On("GET /compute/v2.1/flavors/detail", 200,
           R"({"flavors": [{"id": "f2", "name": "m1.eph", "OS-FLV-EXT-DATA:ephemeral": 1}]})");
  auto all = nova_.ListFlavors(token_, /*all_access=*/true);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].ephemeral_gb, 1);
  const auto requests = fake_.requests();
  EXPECT_EQ(requests[requests.size() - 2].query, "is_public=None");
  EXPECT_EQ(requests.back().query, "is_public=None&marker=f1");
}

TEST_F(NovaWriteTest, WaitForServerUntilActive) {
  fake_.On("GET /compute/v2.1/servers/s1", 200, ServerBody("BUILD", R"("spawning")"));
  fake_.On("GET /compute/v2.1/servers/s1", 200, ServerBody("BUILD", R"("spawning")"));
  fake_.On("GET /compute/v2.1/servers/s1", 200, ServerBody("ACTIVE"));
  auto server = nova_.WaitForServer(token_, "s1", {.statuses = {"ACTIVE"}}, Fast());
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  EXPECT_EQ(server->status, "ACTIVE");
  EXPECT_EQ(fake_.requests().size(), 3u);
}

TEST_F(NovaWriteTest, WaitForServerStatusWaitsForTheTaskToEnd) {
  // Stopping: still ACTIVE with task powering-off, then SHUTOFF; then a
  // start: SHUTOFF with task powering-on must not count as SHUTOFF.
  fake_.On("GET /compute/v2.1/servers/s1", 200, ServerBody("SHUTOFF", R"("powering-on")"));
  fake_.On("GET /compute/v2.1/servers/s1", 200, ServerBody("SHUTOFF"));
  auto server = nova_.WaitForServer(token_, "s1", {.statuses = {"SHUTOFF"}}, Fast());
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  EXPECT_EQ(fake_.requests().size(), 2u);
}

TEST_F(NovaWriteTest, WaitForServerFailsOnErrorWithTheFault) {
  fake_.On("GET /compute/v2.1/servers/s1", 200,
           ServerBody("ERROR", "null",
                      R"(, "fault": {"code": 500, "created": "2026-11-25T08:00:00Z",
                          "message": "No valid host was found. There are not enough hosts available."})"));
  auto server = nova_.WaitForServer(token_, "s1", {.statuses = {"ACTIVE"}}, Fast());
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(server.status().message(),
            "nova: server s1 went to ERROR: No valid host was found. There are not enough hosts available.");
  // ERROR as a target is no failure.
  auto error = nova_.WaitForServer(token_, "s1", {.statuses = {"ERROR"}}, Fast());
  ASSERT_TRUE(error.ok()) << error.status().ToString();
  EXPECT_EQ(error->fault_message, "No valid host was found. There are not enough hosts available.");
}

TEST_F(NovaWriteTest, WaitForServerGoneAndTimeout) {
  fake_.On("GET /compute/v2.1/servers/s1", 200, ServerBody("ACTIVE", R"("deleting")"));
  fake_.On("GET /compute/v2.1/servers/s1", 404, R"({"itemNotFound": {"code": 404, "message": "gone"}})");
  auto gone = nova_.WaitForServer(token_, "s1", {.gone = true}, Fast());
  ASSERT_TRUE(gone.ok()) << gone.status().ToString();
  EXPECT_EQ(gone->id, "s1");

  // Waiting for ACTIVE, a vanished server is kNotFound.
  EXPECT_EQ(nova_.WaitForServer(token_, "s1", {.statuses = {"ACTIVE"}}, Fast()).status().code(),
            ErrorCode::kNotFound);

  fake_.On("GET /compute/v2.1/servers/s2", 200, ServerBody("BUILD", R"("spawning")"));
  auto late = nova_.WaitForServer(token_, "s2", {.statuses = {"ACTIVE"}}, Fast());
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(late.status().message(),
            "nova: wait for server s2 to be ACTIVE: timed out after 30 s (last seen: status BUILD, task spawning)");

  // A predicate.
  fake_.On("GET /compute/v2.1/servers/s3", 200, ServerBody("ACTIVE", "null", R"(, "metadata": {"k": "v"})"));
  auto matched = nova_.WaitForServer(
      token_, "s3", {.predicate = [](const Server& s) { return s.metadata.count("k") == 1; }}, Fast());
  EXPECT_TRUE(matched.ok()) << matched.status().ToString();
}

}  // namespace
}  // namespace cairn::openstack
