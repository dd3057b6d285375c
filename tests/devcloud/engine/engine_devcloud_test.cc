// The product end to end against the devcloud: cairn-api and cairn-engine
// (with its in-process datamover) in this process, the real Keystone, Nova,
// Neutron, Cinder, Glance and libvirt. A tenant protects a VM with a volume,
// takes a full and an incremental snapshot while the guest writes known
// data, deletes the VM and gets it back with a one-click restore; every
// image written passes qemu-img check and holds exactly the guest's data.
#include "engine_fixture.h"

namespace cairn::engine_testing {
namespace {

class EngineDevcloudTest : public CairnDevcloudFixture {
 protected:
  static void SetUpTestSuite() { StartCairn("in_process"); }
};

TEST_F(EngineDevcloudTest, FullIncrementalAndOneClickRestoreAreExact) {
  // A VM with a root disk, an ephemeral disk (vdb) and a volume (vdc); the
  // guest writes 1 MiB of known data per disk and generation.
  GuestVm vm = BootGuest(run_ + "-vm", "m1.eph");
  const std::string seed = vm.seed;
  const std::string vol = vm.vol_key();
  const std::string ip = Os("demo", "port list --server " + vm.server + " -f value -c 'Fixed IP Addresses'");
  const std::string mac = Os("demo", "port list --server " + vm.server + " -f value -c 'MAC Address'");
  const std::string wid = CreateWorkload(vm.server, run_ + "-wl");

  // Full snapshot.
  json full = Snapshot(wid, "full");
  ASSERT_EQ(full["status"], "available") << full.dump();
  EXPECT_EQ(full["snapshot_type"], "full");
  const std::string sid1 = full["id"];
  for (const char* dev : {"vda", "vdb", "vdc"}) ExpectImageChecks(SnapshotImage(wid, sid1, vm.server, dev));
  EXPECT_TRUE(SameData(Bytes(SnapshotImage(wid, sid1, vm.server, "vda"), 0, kMiB), Fill(seed + "/vda", kMiB)));
  EXPECT_TRUE(SameData(Bytes(SnapshotImage(wid, sid1, vm.server, "vdb"), 0, kMiB), Fill(seed + "/vdb", kMiB)));
  EXPECT_TRUE(SameData(Bytes(SnapshotImage(wid, sid1, vm.server, "vdc"), 0, kMiB), Fill(seed + "/" + vol, kMiB)));
  EXPECT_EQ(CheckpointCount(DomainOf(vm.server)), 0);

  // The guest writes a second generation on every disk; incremental snapshot.
  Os("demo", "server reboot --hard --wait " + vm.server);
  for (const std::string& id : {std::string("vda"), std::string("vdb"), vol}) WaitConsole(vm.server, "id=" + id + " gen=2");
  json incr = Snapshot(wid, "incr");
  ASSERT_EQ(incr["status"], "available") << incr.dump();
  EXPECT_EQ(incr["snapshot_type"], "incremental") << incr.dump();
  const std::string sid2 = incr["id"];
  std::map<std::string, std::string> key = {{"vda", seed + "/vda"}, {"vdb", seed + "/vdb"}, {"vdc", seed + "/" + vol}};
  for (const auto& [dev, k] : key) {
    const std::string image = SnapshotImage(wid, sid2, vm.server, dev);
    ExpectImageChecks(image);
    // About the changed data only: 1 MiB and the 4 KiB marker (64 KiB clusters).
    EXPECT_LT(std::filesystem::file_size(image), 3 * kMiB) << dev;
    EXPECT_TRUE(SameData(Bytes(image, 0, kMiB), Fill(k, kMiB))) << dev;
    EXPECT_TRUE(SameData(Bytes(image, kMiB, kMiB), Fill(k + "/2", kMiB))) << dev;
  }

  // The VM is lost; one click brings it back.
  Os("demo", "server remove volume " + vm.server + " " + vm.volume);
  Os("demo", "server delete --wait " + vm.server);

  // And Cairn's records of it too (a delete from the database only): an
  // admin imports the workload back from the target, and the restores below
  // run from the imported rows.
  Call("DELETE", V1("/workloads/" + wid + "?database_only=True"), std::nullopt, 202);
  for (int i = 0; i < 60 && Call("GET", V1("/workloads/" + wid)).contains("workload"); ++i) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  const std::string admin_v1 = "/v1/" + tokens_["admin"].ProjectId();
  json importable = CallAs("admin", "GET", admin_v1 + "/workloads/get_list/import_workloads", std::nullopt, 200);
  ASSERT_EQ(importable["workloads"].size(), 1u) << importable.dump();
  EXPECT_EQ(importable["workloads"][0]["id"], wid);
  EXPECT_EQ(importable["workloads"][0]["snapshots_on_target"], 2);
  json imported = CallAs("admin", "POST", admin_v1 + "/workloads/import_workloads",
                         json{{"workload_ids", json::array({wid})}}, 200);
  ASSERT_EQ(imported["workloads"]["imported_workloads"], json::array({wid})) << imported.dump();
  EXPECT_EQ(imported["workloads"]["details"][0]["snapshots_imported"], 2) << imported.dump();
  EXPECT_EQ(Call("GET", V1("/snapshots/" + sid2))["snapshot"].value("status", ""), "available");
  json restored = Restore(wid, sid2, {{"restore_type", "oneclick"}, {"oneclickrestore", true}});
  ASSERT_EQ(restored["status"], "available") << restored.dump();
  ASSERT_TRUE(restored["instances"].is_array() && !restored["instances"].empty()) << restored.dump();
  const std::string new_server = restored["instances"][0].value("id", "");
  ASSERT_FALSE(new_server.empty()) << restored.dump();
  EXPECT_EQ(Os("demo", "server show " + new_server + " -f value -c status"), "ACTIVE");
  EXPECT_EQ(Os("demo", "port list --server " + new_server + " -f value -c 'Fixed IP Addresses'"), ip);
  EXPECT_EQ(Os("demo", "port list --server " + new_server + " -f value -c 'MAC Address'"), mac);
  EXPECT_THAT(OsAll("demo", "server show " + new_server + " -f json -c flavor"), HasSubstr("m1.eph"));
  EXPECT_THAT(OsAll("demo", "server show " + new_server + " -f json -c security_groups"), HasSubstr("default"));
  // The restored disks hold the incremental's data (the guest, seeing the
  // same seed, adds generation 3 after it).
  WaitConsole(new_server, "id=vdb gen=3");
  const std::string instance_dir = dc::DevcloudDir() + "/data/nova/instances/" + new_server;
  EXPECT_TRUE(SameData(Bytes(instance_dir + "/disk", 0, kMiB, "qcow2"), Fill(seed + "/vda", kMiB)));
  EXPECT_TRUE(SameData(Bytes(instance_dir + "/disk", kMiB, kMiB, "qcow2"), Fill(seed + "/vda/2", kMiB)));
  EXPECT_TRUE(SameData(Bytes(instance_dir + "/disk.eph0", 0, kMiB, "qcow2"), Fill(seed + "/vdb", kMiB)));
  EXPECT_TRUE(SameData(Bytes(instance_dir + "/disk.eph0", kMiB, kMiB, "qcow2"), Fill(seed + "/vdb/2", kMiB)));
  ASSERT_EQ(restored["instances"][0]["volumes"].size(), 1u) << restored.dump();
  const std::string new_volume = restored["instances"][0]["volumes"][0];
  EXPECT_EQ(Os("demo", "volume show " + new_volume + " -f value -c type"), "nfs");
  EXPECT_EQ(Os("demo", "volume show " + new_volume + " -f value -c size"), "1");
  // The new volume's serial differs, so the guest starts generation 1 of a
  // new key at 0; what it leaves alone is the snapshot's data.
  WaitConsole(new_server, "id=" + new_volume.substr(0, 20) + " gen=1");
  EXPECT_TRUE(SameData(Bytes(VolumeFile(new_volume), kMiB, kMiB, "raw"), Fill(seed + "/" + vol + "/2", kMiB)));
  EXPECT_TRUE(SameData(Bytes(VolumeFile(new_volume), 0, kMiB, "raw"), Fill(seed + "/" + new_volume.substr(0, 20), kMiB)));
  // The full restores too (no volume this time: the original IP is taken,
  // so it is refused with a clear message and leaves nothing behind).
  json refused = Restore(wid, sid1, {{"restore_type", "oneclick"}, {"oneclickrestore", true}});
  EXPECT_EQ(refused["status"], "error") << refused.dump();
  EXPECT_THAT(refused.value("error_msg", ""), HasSubstr("is still held by port")) << refused.dump();
  // Once the restored VM is gone too, the full comes back as well.
  Os("demo", "server remove volume " + new_server + " " + new_volume);
  Os("demo", "server delete --wait " + new_server);
  // Nova keeps ports it did not create: the restore's port goes by hand.
  for (const auto& port : restored["instances"][0].value("ports", json::array())) {
    Os("demo", "port delete " + port.get<std::string>());
  }
  json from_full = Restore(wid, sid1, {{"restore_type", "oneclick"}, {"oneclickrestore", true}});
  ASSERT_EQ(from_full["status"], "available") << from_full.dump();
  const std::string full_server = from_full["instances"][0].value("id", "");
  WaitConsole(full_server, "id=vdb gen=2");
  const std::string full_dir = dc::DevcloudDir() + "/data/nova/instances/" + full_server;
  EXPECT_TRUE(SameData(Bytes(full_dir + "/disk", 0, kMiB, "qcow2"), Fill(seed + "/vda", kMiB)));
  EXPECT_TRUE(SameData(Bytes(full_dir + "/disk.eph0", 0, kMiB, "qcow2"), Fill(seed + "/vdb", kMiB)));
  EXPECT_EQ(from_full["instances"][0]["volumes"].size(), 1u);
  EXPECT_EQ(Os("demo", "port list --server " + full_server + " -f value -c 'Fixed IP Addresses'"), ip);
  // No temporary image is left in Glance.
  EXPECT_THAT(OsAll("demo", "image list -f value -c Name"), ::testing::Not(HasSubstr("cairn-restore-")));
}

TEST_F(EngineDevcloudTest, NovaStillManagesAProtectedVmAndInPlaceAndSelectiveRestoresWork) {
  GuestVm vm = BootGuest(run_ + "-life");
  const std::string wid = CreateWorkload(vm.server, run_ + "-life-wl");
  const std::string domain = DomainOf(vm.server);
  json s1 = Snapshot(wid, "s1");
  ASSERT_EQ(s1["status"], "available") << s1.dump();
  EXPECT_EQ(CheckpointCount(domain), 0) << "checkpoint metadata must not stay in libvirt";

  // Nova stops and starts it; the guest writes generation 2; the next snapshot is exact.
  Os("demo", "server stop " + vm.server);
  for (int i = 0; i < 120 && Os("demo", "server show " + vm.server + " -f value -c status") != "SHUTOFF"; ++i) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  Os("demo", "server start " + vm.server);
  WaitConsole(vm.server, "dev=vda id=vda gen=2");
  WaitConsole(vm.server, "dev=vdb id=" + vm.vol_key() + " gen=2");
  json s2 = Snapshot(wid, "s2");
  ASSERT_EQ(s2["status"], "available") << s2.dump();
  EXPECT_EQ(s2["snapshot_type"], "incremental");
  const std::string sid2 = s2["id"];
  const std::string vda2 = SnapshotImage(wid, sid2, vm.server, "vda");
  const std::string vdb2 = SnapshotImage(wid, sid2, vm.server, "vdb");
  ExpectImageChecks(vda2);
  ExpectImageChecks(vdb2);
  EXPECT_TRUE(SameData(Bytes(vda2, kMiB, kMiB), Fill(vm.seed + "/vda/2", kMiB)));
  EXPECT_TRUE(SameData(Bytes(vdb2, 0, kMiB), Fill(vm.seed + "/" + vm.vol_key(), kMiB)));
  EXPECT_TRUE(SameData(Bytes(vdb2, kMiB, kMiB), Fill(vm.seed + "/" + vm.vol_key() + "/2", kMiB)));
  EXPECT_EQ(CheckpointCount(domain), 0);

  // The guest scribbles (generation 3); in place brings back the data of s2,
  // writing only the clusters of the volume that differ.
  Os("demo", "server reboot --hard --wait " + vm.server);
  WaitConsole(vm.server, "dev=vdb id=" + vm.vol_key() + " gen=3");
  json inplace = Restore(wid, sid2,
                         {{"restore_type", "inplace"},
                          {"type", "openstack"},
                          {"openstack", {{"instances", json::array({{{"id", vm.server},
                                                                    {"include", true},
                                                                    {"restore_boot_disk", true}}})}}}});
  ASSERT_EQ(inplace["status"], "available") << inplace.dump();
  ASSERT_FALSE(inplace["instances"].empty());
  // 1 MiB of generation 3 and the marker: 17 clusters of 64 KiB differ on the volume,
  // a little more on the boot disk (replaced whole, counted in 64 KiB units).
  EXPECT_GT(inplace["instances"][0].value("clusters_written", 0), 0);
  EXPECT_EQ(Os("demo", "server show " + vm.server + " -f value -c status"), "ACTIVE");
  // After the restart the guest finds generation 2 again and writes 3 after
  // it (Nova starts a new console log when it starts the VM), never 4.
  const std::string console = WaitConsole(vm.server, "dev=vdb id=" + vm.vol_key() + " gen=3");
  EXPECT_THAT(console, ::testing::Not(HasSubstr(" gen=4 "))) << console;
  EXPECT_TRUE(SameData(Bytes(VolumeFile(vm.volume), 0, kMiB, "raw"), Fill(vm.seed + "/" + vm.vol_key(), kMiB)));
  EXPECT_TRUE(SameData(Bytes(VolumeFile(vm.volume), kMiB, kMiB, "raw"), Fill(vm.seed + "/" + vm.vol_key() + "/2", kMiB)));

  // Selective: the VM of s1 as a new VM on another network with another flavor, the original untouched.
  const std::string net = Os("demo", "network create -f value -c id " + run_ + "-net2");
  Os("demo", "subnet create --network " + net + " --subnet-range 10.97.0.0/24 --gateway none -f value -c id " + run_ + "-sub2");
  const std::string old_net = Os("demo", "network show demo-net -f value -c id");
  json selective = Restore(wid, s1["id"],
                           {{"restore_type", "selective"},
                            {"type", "openstack"},
                            {"openstack",
                             {{"instances", json::array({{{"id", vm.server},
                                                          {"include", true},
                                                          {"name", run_ + "-sel"},
                                                          {"flavor", {{"id", Os("demo", "flavor show m1.eph -f value -c id")}}}}})},
                              {"networks_mapping",
                               {{"networks", json::array({{{"snapshot_network", {{"id", old_net}}},
                                                           {"target_network", {{"id", net}}}}})}}}}}});
  ASSERT_EQ(selective["status"], "available") << selective.dump();
  const std::string sel = selective["instances"][0].value("id", "");
  EXPECT_THAT(OsAll("demo", "server show " + sel + " -f json -c flavor"), HasSubstr("m1.eph"));
  EXPECT_THAT(Os("demo", "port list --server " + sel + " -f value -c 'Fixed IP Addresses'"), HasSubstr("10.97.0."));
  EXPECT_EQ(Os("demo", "server show " + vm.server + " -f value -c status"), "ACTIVE");

  // Nova deletes the protected VM cleanly: its libvirt domain goes too.
  Os("demo", "server remove volume " + vm.server + " " + vm.volume);
  Os("demo", "server delete --wait " + vm.server);
  EXPECT_NE(testing::Run("virsh dominfo " + domain + " >/dev/null 2>&1").exit_code, 0)
      << "the domain of a deleted protected VM stayed defined";
  Os("demo", "server delete --wait " + sel);
  for (const auto& port : selective["instances"][0].value("ports", json::array())) {
    Os("demo", "port delete " + port.get<std::string>());
  }
  // Neutron frees the deleted servers' ports a moment later.
  for (int i = 0; i < 30 && testing::Run(". " + dc::DevcloudDir() + "/openrc-demo && openstack network delete " + net +
                                         " >/dev/null 2>&1").exit_code != 0;
       ++i) {
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
  EXPECT_NE(testing::Run(". " + dc::DevcloudDir() + "/openrc-demo && openstack network show " + net + " >/dev/null 2>&1")
                .exit_code,
            0)
      << "network " << net << " could not be deleted";
}

TEST_F(EngineDevcloudTest, CancelAndAVanishingVmLeaveNothingBehind) {
  GuestVm vm = BootGuest(run_ + "-cancel");
  const std::string wid = CreateWorkload(vm.server, run_ + "-cancel-wl");
  // Cancel right after the start.
  json s = Call("POST", V1("/workloads/" + wid), json{{"snapshot", {{"name", "c"}}}}, 202);
  const std::string sid = s["snapshot"]["id"];
  for (int i = 0; i < 50; ++i) {
    const std::string status = Call("GET", V1("/snapshots/" + sid))["snapshot"].value("status", "");
    if (status != "creating") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  Call("GET", V1("/snapshots/" + sid + "/cancel"));
  json cancelled = WaitFor(V1("/snapshots/" + sid), "snapshot", {"cancelled", "available", "error"});
  if (cancelled["status"] == "cancelled") {
    EXPECT_FALSE(std::filesystem::exists(dir_ / "target" / ("workload_" + wid) / ("snapshot_" + sid)));
  }
  EXPECT_EQ(CheckpointCount(DomainOf(vm.server)), 0);
  // The next snapshot works.
  json next = Snapshot(wid, "after-cancel");
  EXPECT_EQ(next["status"], "available") << next.dump();

  // The VM disappears while its snapshot runs: the snapshot ends in error
  // with a message, and nothing of it stays on the target.
  Os("demo", "server remove volume " + vm.server + " " + vm.volume);
  json s3 = Call("POST", V1("/workloads/" + wid), json{{"snapshot", {{"name", "gone"}}}}, 202);
  Os("demo", "server delete " + vm.server);
  const std::string sid3 = s3["snapshot"]["id"];
  json gone = WaitFor(V1("/snapshots/" + sid3), "snapshot", {"available", "error"});
  if (gone["status"] == "error") {
    EXPECT_FALSE(gone.value("error_msg", "").empty());
    EXPECT_FALSE(std::filesystem::exists(dir_ / "target" / ("workload_" + wid) / ("snapshot_" + sid3)));
  }
  EXPECT_EQ(Call("GET", V1("/workloads/" + wid))["workload"].value("status", ""), "available");
  // Deleting the workload removes its data from the target.
  Call("DELETE", V1("/workloads/" + wid), std::nullopt, 202);
  for (int i = 0; i < 60 && std::filesystem::exists(dir_ / "target" / ("workload_" + wid)); ++i) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "target" / ("workload_" + wid)));
}


// Cold migration: Nova's libvirt driver refuses to migrate to the same host
// (UnableToMigrateToSelf, then NoValidHost on the one-host devcloud), so the
// migration path (migrate_disk_and_power_off, finish_migration: the domain
// undefined and defined again, the disks moved through <instance>_resize) is
// exercised by resizes, which take the same path with another flavor, twice.
TEST_F(EngineDevcloudTest, NovaResizesAProtectedVmBackAndForth) {
  const std::string flavor = run_ + "-f2";
  Os("admin", "flavor create --vcpus 1 --ram 160 --disk 1 --public " + flavor);
  GuestVm vm = BootGuest(run_ + "-mig");
  const std::string wid = CreateWorkload(vm.server, run_ + "-mig-wl");
  json s1 = Snapshot(wid, "before");
  ASSERT_EQ(s1["status"], "available") << s1.dump();
  auto wait_status = [&](const std::string& want) {
    for (int i = 0; i < 300 && Os("demo", "server show " + vm.server + " -f value -c status") != want; ++i) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    return Os("demo", "server show " + vm.server + " -f value -c status");
  };
  // Resize (the guest boots again: generation 2), confirmed.
  Os("demo", "server resize --flavor " + flavor + " " + vm.server);
  ASSERT_EQ(wait_status("VERIFY_RESIZE"), "VERIFY_RESIZE");
  Os("demo", "server resize confirm " + vm.server);
  ASSERT_EQ(wait_status("ACTIVE"), "ACTIVE");
  WaitConsole(vm.server, "dev=vda id=vda gen=2");
  json s2 = Snapshot(wid, "after-resize");
  ASSERT_EQ(s2["status"], "available") << s2.dump();
  const std::string vda2 = SnapshotImage(wid, s2["id"], vm.server, "vda");
  ExpectImageChecks(vda2);
  EXPECT_TRUE(SameData(Bytes(vda2, 0, kMiB), Fill(vm.seed + "/vda", kMiB)));
  EXPECT_TRUE(SameData(Bytes(vda2, kMiB, kMiB), Fill(vm.seed + "/vda/2", kMiB)));
  // Back to the first flavor (generation 3), confirmed.
  Os("demo", "server resize --flavor m1.tiny " + vm.server);
  ASSERT_EQ(wait_status("VERIFY_RESIZE"), "VERIFY_RESIZE");
  Os("demo", "server resize confirm " + vm.server);
  ASSERT_EQ(wait_status("ACTIVE"), "ACTIVE");
  WaitConsole(vm.server, "dev=vda id=vda gen=3");
  WaitConsole(vm.server, "dev=vdb id=" + vm.vol_key() + " gen=3");
  json s3 = Snapshot(wid, "after-second-resize");
  ASSERT_EQ(s3["status"], "available") << s3.dump();
  const std::string vda3 = SnapshotImage(wid, s3["id"], vm.server, "vda");
  const std::string vdb3 = SnapshotImage(wid, s3["id"], vm.server, "vdb");
  ExpectImageChecks(vda3);
  ExpectImageChecks(vdb3);
  EXPECT_TRUE(SameData(Bytes(vda3, 2 * kMiB, kMiB), Fill(vm.seed + "/vda/3", kMiB)));
  EXPECT_TRUE(SameData(Bytes(vdb3, 0, kMiB), Fill(vm.seed + "/" + vm.vol_key(), kMiB)));
  EXPECT_TRUE(SameData(Bytes(vdb3, 2 * kMiB, kMiB), Fill(vm.seed + "/" + vm.vol_key() + "/3", kMiB)));
  const std::string domain = DomainOf(vm.server);
  EXPECT_EQ(CheckpointCount(domain), 0);
  Os("demo", "server remove volume " + vm.server + " " + vm.volume);
  Os("demo", "server delete --wait " + vm.server);
  EXPECT_NE(testing::Run("virsh dominfo " + domain + " >/dev/null 2>&1").exit_code, 0);
  Os("admin", "flavor delete " + flavor);
}

}  // namespace
}  // namespace cairn::engine_testing
