// NovaClient's server lifecycle against the devcloud, as the demo user: a
// server from cairn-guest with m1.tiny on a port made beforehand, stop and
// start, a volume attached and detached, deleted and gone. One TCG guest:
// a few minutes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <iostream>

#include "cloud_fixture.h"
#include "openstack/cinder.h"
#include "openstack/glance.h"
#include "openstack/neutron.h"
#include "openstack/nova.h"

namespace cairn::openstack {
namespace {

using devcloud::Cleanup;

TEST(NovaServerDevcloudTest, FlavorsOfTheDevcloud) {
  HttpClient http;
  const Token token = devcloud::DemoToken(http);
  NovaClient nova(http, EndpointSelector(Interface::kPublic, "RegionOne"));
  auto flavors = nova.ListFlavors(token);
  ASSERT_TRUE(flavors.ok()) << flavors.status().ToString();
  const Flavor* eph = nullptr;
  for (const auto& f : *flavors) {
    if (f.name == "m1.eph") eph = &f;
  }
  ASSERT_NE(eph, nullptr);
  auto one = nova.GetFlavor(token, eph->id);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(one->vcpus, 1);
  EXPECT_EQ(one->ram_mb, 128);
  EXPECT_EQ(one->disk_gb, 1);
  EXPECT_EQ(one->ephemeral_gb, 1);
  EXPECT_EQ(one->swap_mb, 0);
  EXPECT_TRUE(one->is_public);
  EXPECT_EQ(nova.GetFlavor(token, "no-such-flavor").status().message(), "nova: flavor no-such-flavor not found");
}

TEST(NovaServerDevcloudTest, ServerLifecycleWithPortAndVolume) {
  HttpClient http;
  const Token token = devcloud::DemoToken(http);
  const EndpointSelector selector(Interface::kPublic, "RegionOne");
  NovaClient nova(http, selector);
  NeutronClient neutron(http, selector);
  CinderClient cinder(http, selector);
  GlanceClient glance(http, selector);
  const WaitOptions wait{.timeout = std::chrono::minutes(5), .poll_interval = std::chrono::seconds(2)};

  auto flavors = nova.ListFlavors(token);
  ASSERT_TRUE(flavors.ok()) << flavors.status().ToString();
  std::string tiny;
  for (const auto& f : *flavors) {
    if (f.name == "m1.tiny") tiny = f.id;
  }
  ASSERT_FALSE(tiny.empty());
  auto images = glance.ListImages(token, "cairn-guest");
  ASSERT_TRUE(images.ok() && images->size() == 1u) << images.status().ToString();
  auto nets = neutron.ListNetworks(token, "demo-net");
  ASSERT_TRUE(nets.ok() && nets->size() == 1u) << nets.status().ToString();

  const std::string name = devcloud::RandomName();
  auto port = neutron.CreatePort(token, {.network_id = (*nets)[0].id, .name = name});
  ASSERT_TRUE(port.ok()) << port.status().ToString();
  Cleanup undo_port([&] { (void)neutron.DeletePort(token, port->id); });

  auto server_id = nova.CreateServer(token, {.name = name,
                                             .flavor_ref = tiny,
                                             .image_ref = (*images)[0].id,
                                             .networks = {{.port = port->id}},
                                             .metadata = {{"cairn_test", "1"}}});
  ASSERT_TRUE(server_id.ok()) << server_id.status().ToString();
  const std::string id = *server_id;
  Cleanup undo_server([&] {
    (void)nova.DeleteServer(token, id);
    (void)nova.WaitForServer(token, id, {.gone = true}, wait);
  });
  auto active = nova.WaitForServer(token, id, {.statuses = {"ACTIVE"}}, wait);
  ASSERT_TRUE(active.ok()) << active.status().ToString();
  EXPECT_EQ(active->name, name);
  EXPECT_EQ(active->metadata.at("cairn_test"), "1");
  ASSERT_EQ(active->addresses.size(), 1u);
  EXPECT_EQ(active->addresses[0].addr, port->fixed_ips.at(0).ip_address);
  EXPECT_EQ(active->addresses[0].mac, port->mac_address);
  auto bound = neutron.GetPort(token, port->id);
  ASSERT_TRUE(bound.ok()) << bound.status().ToString();
  EXPECT_EQ(bound->device_id, id);
  EXPECT_EQ(bound->device_owner, "compute:nova");

  ASSERT_TRUE(nova.StopServer(token, id).ok());
  auto stopped = nova.WaitForServer(token, id, {.statuses = {"SHUTOFF"}}, wait);
  ASSERT_TRUE(stopped.ok()) << stopped.status().ToString();
  EXPECT_EQ(stopped->power_state, 4);  // shutdown
  EXPECT_EQ(nova.StopServer(token, id).code(), ErrorCode::kConflict);  // already stopped
  ASSERT_TRUE(nova.StartServer(token, id).ok());
  ASSERT_TRUE(nova.WaitForServer(token, id, {.statuses = {"ACTIVE"}}, wait).ok());

  // A volume, attached while the guest runs and detached again.
  auto volume = cinder.CreateVolume(token, {.size_gb = 1, .name = name, .volume_type = "nfs"});
  ASSERT_TRUE(volume.ok()) << volume.status().ToString();
  const std::string volume_id = volume->id;
  Cleanup undo_volume([&] {
    (void)nova.DetachVolume(token, id, volume_id);
    (void)cinder.WaitForVolume(token, volume_id, {.statuses = {"available"}}, wait);
    (void)cinder.DeleteVolume(token, volume_id);
    (void)cinder.WaitForVolume(token, volume_id, {.gone = true}, wait);
  });
  ASSERT_TRUE(cinder.WaitForVolume(token, volume_id, {.statuses = {"available"}}, wait).ok());
  auto attached = nova.AttachVolume(token, id, volume_id);
  ASSERT_TRUE(attached.ok()) << attached.status().ToString();
  std::cout << "attach answered device " << attached->device << " (id " << attached->id << ")\n";
  EXPECT_EQ(attached->volume_id, volume_id);
  EXPECT_EQ(attached->server_id, id);
  auto in_use = cinder.WaitForVolume(token, volume_id, {.statuses = {"in-use"}}, wait);
  ASSERT_TRUE(in_use.ok()) << in_use.status().ToString();
  ASSERT_EQ(in_use->attachments.size(), 1u);
  EXPECT_EQ(in_use->attachments[0].server_id, id);
  EXPECT_EQ(in_use->attachments[0].device, attached->device);
  std::cout << "cinder says device " << in_use->attachments[0].device << ", host "
            << in_use->attachments[0].host_name << "\n";
  auto list = nova.ListVolumeAttachments(token, id);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].volume_id, volume_id);
  EXPECT_EQ((*list)[0].device, attached->device);
  auto server = nova.GetServer(token, id);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  ASSERT_EQ(server->attached_volumes.size(), 1u);
  EXPECT_EQ(server->attached_volumes[0].id, volume_id);

  ASSERT_TRUE(nova.DetachVolume(token, id, volume_id).ok());
  ASSERT_TRUE(cinder.WaitForVolume(token, volume_id, {.statuses = {"available"}}, wait).ok());
  auto none = nova.ListVolumeAttachments(token, id);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(nova.DetachVolume(token, id, volume_id).code(), ErrorCode::kNotFound);

  ASSERT_TRUE(nova.DeleteServer(token, id).ok());
  auto gone = nova.WaitForServer(token, id, {.gone = true}, wait);
  ASSERT_TRUE(gone.ok()) << gone.status().ToString();
  undo_server.Dismiss();
  EXPECT_EQ(nova.GetServer(token, id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(nova.DeleteServer(token, id).code(), ErrorCode::kNotFound);
  // The port made beforehand outlives the server, unbound.
  auto unbound = neutron.GetPort(token, port->id);
  ASSERT_TRUE(unbound.ok()) << unbound.status().ToString();
  EXPECT_EQ(unbound->device_id, "");
}

TEST(NovaServerDevcloudTest, ServerThatCannotBuildEndsTheWaitWithItsFault) {
  // Boot from a 1500 GiB volume made from the image: beyond demo's volume
  // quota (1000 GiB), so Nova's compute cannot make the volume and the
  // server goes to ERROR without ever running.
  HttpClient http;
  const Token token = devcloud::DemoToken(http);
  const EndpointSelector selector(Interface::kPublic, "RegionOne");
  NovaClient nova(http, selector);
  GlanceClient glance(http, selector);
  const WaitOptions wait{.timeout = std::chrono::minutes(5), .poll_interval = std::chrono::seconds(2)};
  auto flavors = nova.ListFlavors(token);
  ASSERT_TRUE(flavors.ok()) << flavors.status().ToString();
  std::string tiny;
  for (const auto& f : *flavors) {
    if (f.name == "m1.tiny") tiny = f.id;
  }
  auto images = glance.ListImages(token, "cairn-guest");
  ASSERT_TRUE(images.ok() && images->size() == 1u) << images.status().ToString();

  auto id = nova.CreateServer(token, {.name = devcloud::RandomName(),
                                      .flavor_ref = tiny,
                                      .block_devices = {{.uuid = (*images)[0].id,
                                                         .source_type = "image",
                                                         .destination_type = "volume",
                                                         .boot_index = 0,
                                                         .volume_size_gb = 1500,
                                                         .delete_on_termination = true}}});
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  Cleanup undo([&] {
    (void)nova.DeleteServer(token, *id);
    (void)nova.WaitForServer(token, *id, {.gone = true}, wait);
  });
  auto server = nova.WaitForServer(token, *id, {.statuses = {"ACTIVE"}}, wait);
  ASSERT_FALSE(server.ok());
  std::cout << server.status().ToString() << std::endl;
  EXPECT_EQ(server.status().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(server.status().message(), ::testing::StartsWith("nova: server " + *id + " went to ERROR: "));
  auto error = nova.GetServer(token, *id);
  ASSERT_TRUE(error.ok()) << error.status().ToString();
  EXPECT_EQ(error->status, "ERROR");
  EXPECT_FALSE(error->fault_message.empty());
}

}  // namespace
}  // namespace cairn::openstack
