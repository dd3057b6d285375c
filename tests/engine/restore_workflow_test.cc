// The restore workflow against the fake cloud (workflow_fixture.h), step by
// step: every step failing in turn and cancelled in turn (the ledger removes
// exactly what the restore created, the workload unlocks, the restore ends
// with the right status and message), a job taken over, and oneclick,
// selective and in-place restores of several VMs, their data checked.
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/workflow_fixture.h"

namespace cairn::engine::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
namespace os = openstack;

// What exists in the fake cloud, by id.
struct CloudObjects {
  std::set<std::string> servers, ports, volumes, images, attachments;
  bool operator==(const CloudObjects&) const = default;
};

std::ostream& operator<<(std::ostream& out, const CloudObjects& o) {
  auto list = [&](const char* what, const std::set<std::string>& ids) {
    out << what << ":";
    for (const auto& id : ids) out << " " << id;
    out << "; ";
  };
  list("servers", o.servers);
  list("ports", o.ports);
  list("volumes", o.volumes);
  list("images", o.images);
  list("attachments", o.attachments);
  return out;
}

class RestoreWorkflowTest : public WorkflowTest {
 protected:
  CloudObjects Objects() const {
    CloudObjects o;
    for (const auto& s : cloud_->Servers()) o.servers.insert(s.id);
    for (const auto& p : cloud_->Ports()) o.ports.insert(p.id);
    for (const auto& v : cloud_->Volumes()) o.volumes.insert(v.id);
    for (const auto& i : cloud_->Images()) o.images.insert(i.id);
    for (const auto& a : cloud_->Attachments()) o.attachments.insert(a.id);
    return o;
  }

  // vm1 (compute1): a flavor with an ephemeral disk (vdb) and a volume of
  // type "standard" at vdc; vm2 (compute2): a plain VM. Known data on each
  // disk; both in one workload with one available snapshot.
  void SnapshotTwoVms() {
    BuildCloud();
    eph_flavor_ = cloud_->AddFlavor("m1.eph", 1, 512, 4, 1);
    vm1_ = cloud_->AddServer({.name = "vm1", .flavor_id = eph_flavor_, .image_id = image_,
                              .network_ids = {network_}, .security_group_ids = {group_}, .host = "compute1"});
    volume_ = cloud_->AddVolume("data", 2);
    cloud_->AttachNow(vm1_, volume_, "vdc");
    WriteAt(DiskOf(vm1_, "vda"), 0, "vm1 boot");
    WriteAt(DiskOf(vm1_, "vdb"), 65536, "vm1 ephemeral");
    WriteAt(cloud_->VolumeFile(volume_), kGb, "vm1 volume");
    vm2_ = AddVm("vm2", "vm2 boot", "compute2");
    for (const auto& vm : {vm1_, vm2_}) {
      auto ports = cloud_->ListPorts({.id = "user:u1"}, {.device_id = vm});
      ASSERT_TRUE(ports.ok() && ports->size() == 1u);
      original_ports_[vm] = ports->front();
    }
    wid_ = AddWorkload({vm1_, vm2_});
    sid_ = QueueSnapshotOf(wid_);
    ASSERT_TRUE(RunJob(RunSnapshot, sid_).ok());
    auto s = db::SnapshotRepository(*db_).Get(sid_);
    ASSERT_TRUE(s.ok());
    ASSERT_EQ(s->status, "available") << s->error_msg;
  }

  // Runs a restore of the snapshot and answers its row.
  db::Restore Restore(const std::string& type = "oneclick", json options = json::object()) {
    if (options.empty()) options = {{"restore_type", type}, {"oneclickrestore", type == "oneclick"}};
    const std::string rid = QueueRestoreOf(sid_, type, std::move(options));
    last_outcome_ = RunJob(RunRestore, rid);
    auto r = db::RestoreRepository(*db_).Get(rid);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : db::Restore{};
  }

  // A failed or cancelled restore: nothing of it in the cloud, every ledger
  // entry removed, nothing staged, the workload unlocked.
  void ExpectNothingLeft(const db::Restore& r, const CloudObjects& before) {
    EXPECT_EQ(Objects(), before);
    for (const auto& e : r.instances) EXPECT_EQ(e.value("status", ""), "removed") << r.instances.dump();
    EXPECT_TRUE(std::filesystem::is_empty(dir_ / "staging"));
    EXPECT_EQ(WorkloadStatus(wid_), "available");
  }

  static json Selective(json instances, json mapping = json::array()) {
    return {{"restore_type", "selective"},
            {"type", "openstack"},
            {"openstack", {{"instances", std::move(instances)}, {"networks_mapping", {{"networks", mapping}}}}}};
  }

  std::string eph_flavor_, vm1_, vm2_, volume_, wid_, sid_;
  std::map<std::string, os::Port> original_ports_;
  Status last_outcome_;
};

// ---------------------------------------------------------------- every step failing

struct StepFailure {
  const char* name;
  std::function<void(RestoreWorkflowTest&, FakeCloud&, FakeDatamover&)> inject;
  std::string message;  // in error_msg
  json options = json::object();  // selective options (default: oneclick)
};

class RestoreStepFailureTest : public RestoreWorkflowTest, public ::testing::WithParamInterface<StepFailure> {};

TEST_P(RestoreStepFailureTest, RemovesWhatItCreatedAndUnlocks) {
  SnapshotTwoVms();
  for (const auto& vm : {vm1_, vm2_}) LoseVm(vm);
  const CloudObjects before = Objects();
  GetParam().inject(*this, *cloud_, Datamover(0));
  // A selective case names vm1 "@vm1": its id is known only now.
  std::string options = GetParam().options.dump();
  for (size_t at; (at = options.find("@vm1")) != std::string::npos;) options.replace(at, 4, vm1_);
  const db::Restore r = GetParam().options.empty() ? Restore() : Restore("selective", json::parse(options));
  EXPECT_FALSE(last_outcome_.ok());
  EXPECT_EQ(r.status, "error");
  EXPECT_THAT(r.error_msg, HasSubstr(GetParam().message));
  EXPECT_THAT(r.error_msg, ::testing::Not(HasSubstr("not removed"))) << r.error_msg;
  ExpectNothingLeft(r, before);
}

const Status kDown = Status::Unavailable("the service is down");

INSTANTIATE_TEST_SUITE_P(
    EveryStep, RestoreStepFailureTest,
    ::testing::Values(
        StepFailure{"PortCreate", [](auto&, FakeCloud& c, auto&) { c.Fail("CreatePort", kDown); }, "the service is down"},
        StepFailure{"SecondVmsPortCreate", [](auto&, FakeCloud& c, auto&) { c.Fail("CreatePort", kDown, 2); },
                    "the service is down"},
        StepFailure{"VolumeCreate", [](auto&, FakeCloud& c, auto&) { c.Fail("CreateVolume", kDown); }, "the service is down"},
        StepFailure{"VolumeGoesToError", [](auto&, FakeCloud& c, auto&) { c.CreateVolumesInError(); }, "went to error"},
        StepFailure{"Attachment", [](auto&, FakeCloud& c, auto&) { c.Fail("CreateAttachment", kDown); }, "the service is down"},
        StepFailure{"DatamoverWrite",
                    [](auto&, auto&, FakeDatamover& d) { d.Fail("restore_disk", Status::IOError("disk full")); },
                    "volume vdc of VM vm1"},
        StepFailure{"Detach", [](auto&, FakeCloud& c, auto&) { c.Fail("DeleteAttachment", kDown); }, "the service is down"},
        StepFailure{"FlavorNotFound", [](auto&, auto&, auto&) {}, "no flavor with 64 vCPU",
                    json{{"restore_type", "selective"},
                         {"openstack", {{"instances", json::array({{{"id", "@vm1"}, {"flavor", {{"vcpus", 64}}}}})}}}}},
        StepFailure{"FlavorList", [](auto&, FakeCloud& c, auto&) { c.Fail("ListFlavors", kDown); }, "the service is down"},
        StepFailure{"ImageCreate", [](auto&, FakeCloud& c, auto&) { c.Fail("CreateImage", kDown); },
                    "temporary image of VM vm1"},
        StepFailure{"ImageUpload", [](auto&, FakeCloud& c, auto&) { c.Fail("UploadImageData", kDown); },
                    "upload of the boot disk of VM vm1"},
        StepFailure{"ImageKilled", [](auto&, FakeCloud& c, auto&) { c.KillUploadedImages(); }, "was killed"},
        StepFailure{"ServerCreate", [](auto&, FakeCloud& c, auto&) { c.Fail("CreateServer", kDown); }, "the service is down"},
        StepFailure{"ServerGoesToError", [](auto&, FakeCloud& c, auto&) { c.BuildServersInError("No valid host was found."); },
                    "No valid host was found."},
        StepFailure{"StopForEphemeralDisk", [](auto&, FakeCloud& c, auto&) { c.Fail("StopServer", kDown); },
                    "the service is down"},
        StepFailure{"EphemeralDiskWrite",
                    [](auto&, auto&, FakeDatamover& d) { d.Fail("restore_disk", Status::IOError("disk full"), 2); },
                    "ephemeral disk vdb of VM vm1"},
        StepFailure{"Attach", [](auto&, FakeCloud& c, auto&) { c.Fail("AttachVolume", kDown); }, "the service is down"},
        StepFailure{"SecondVmsServer", [](auto&, FakeCloud& c, auto&) { c.Fail("CreateServer", kDown, 2); },
                    "the service is down"}),
    [](const ::testing::TestParamInfo<StepFailure>& info) { return std::string(info.param.name); });

TEST_F(RestoreWorkflowTest, AnAddressStillHeldFailsBeforeAnythingIsCreated) {
  SnapshotTwoVms();
  LoseVm(vm2_);  // vm1 still holds its address
  const CloudObjects before = Objects();
  const int ports_made = cloud_->Calls("CreatePort");  // the VMs' own
  const db::Restore r = Restore();
  EXPECT_EQ(r.status, "error");
  const std::string ip = original_ports_[vm1_].fixed_ips.at(0).ip_address;
  EXPECT_THAT(r.error_msg, HasSubstr("IP " + ip + " of VM vm1 is still held by port " + original_ports_[vm1_].id +
                                     " of server " + vm1_));
  EXPECT_EQ(cloud_->Calls("CreatePort"), ports_made);
  ExpectNothingLeft(r, before);
}

// A row whose options the API would refuse (written before it checked them)
// fails at the plan step, naming the field; nothing is created.
TEST_F(RestoreWorkflowTest, StoredOptionsTheApiWouldRefuseFailAtThePlan) {
  SnapshotTwoVms();
  for (const auto& vm : {vm1_, vm2_}) LoseVm(vm);
  const CloudObjects before = Objects();
  const int ports_made = cloud_->Calls("CreatePort");
  const json nics = json::array({{{"network", {{"id", network_}}}}, {{"network", "net-2"}}});
  const db::Restore r = Restore("selective", Selective(json::array({{{"id", vm1_}, {"nics", nics}}})));
  EXPECT_EQ(r.status, "error");
  EXPECT_THAT(r.error_msg, HasSubstr("Invalid value for 'options.openstack.instances[0].nics[1].network'"));
  EXPECT_EQ(cloud_->Calls("CreatePort"), ports_made);
  ExpectNothingLeft(r, before);
}

// ---------------------------------------------------------------- cancel at each step

class RestoreCancelTest : public RestoreWorkflowTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(RestoreCancelTest, RemovesWhatItCreated) {
  SnapshotTwoVms();
  for (const auto& vm : {vm1_, vm2_}) LoseVm(vm);
  const CloudObjects before = Objects();
  const std::string at = GetParam();
  cloud_->OnCall([this, at](const std::string& method) {
    if (method == at) cancel_ = true;
  });
  const db::Restore r = Restore();
  EXPECT_TRUE(last_outcome_.IsCancelled()) << last_outcome_.ToString();
  EXPECT_EQ(r.status, "cancelled");
  EXPECT_EQ(r.error_msg, "");
  EXPECT_GT(cloud_->Calls(at), 0);
  ExpectNothingLeft(r, before);
}

INSTANTIATE_TEST_SUITE_P(EveryStep, RestoreCancelTest,
                         ::testing::Values("ListSecurityGroups", "CreatePort", "CreateVolume", "CreateAttachment",
                                           "CreateImage", "UploadImageData", "CreateServer", "StopServer"));

TEST_F(RestoreWorkflowTest, ARestoreCancelledBeforeItStartedCreatesNothing) {
  SnapshotTwoVms();
  for (const auto& vm : {vm1_, vm2_}) LoseVm(vm);
  const CloudObjects before = Objects();
  const int ports_made = cloud_->Calls("CreatePort");
  cancel_ = true;
  const db::Restore r = Restore();
  EXPECT_EQ(r.status, "cancelled");
  EXPECT_EQ(cloud_->Calls("CreatePort"), ports_made);
  ExpectNothingLeft(r, before);
}

// ---------------------------------------------------------------- taken over

// The engine running the restore dies when it reaches a step (the `nth`
// call of `method`): nothing it does from then on reaches the cloud, so
// what it made stays, as its ledger says. The engine that takes the job
// over removes all of it, ends the restore in error and unlocks.
struct DeathPoint {
  const char* method;
  int nth = 1;
};

class RestoreTakeoverTest : public RestoreWorkflowTest, public ::testing::WithParamInterface<DeathPoint> {};

TEST_P(RestoreTakeoverTest, TheNextEngineRemovesWhatTheDeadOneCreated) {
  SnapshotTwoVms();
  for (const auto& vm : {vm1_, vm2_}) LoseVm(vm);
  const CloudObjects before = Objects();
  const std::string rid = QueueRestoreOf(sid_, "oneclick", {{"restore_type", "oneclick"}});
  json ledger_at_death;
  int seen = 0;
  cloud_->OnCall([&](const std::string& method) {
    if (method != GetParam().method || seen == GetParam().nth) return;  // died already
    if (++seen != GetParam().nth) return;
    ledger_at_death = db::RestoreRepository(*db_).Get(rid)->instances;
    for (const char* m : {"DeleteServer", "DeletePort", "DeleteVolume", "DeleteImage", "DeleteAttachment"}) {
      cloud_->Fail(m, Status::Unavailable("the engine died"), 0);
    }
    cloud_->Fail(GetParam().method, Status::Unavailable("the engine died"));
  });
  (void)RunJob(RunRestore, rid);
  ASSERT_EQ(seen, GetParam().nth) << "the restore never reached the step";
  cloud_->OnCall(nullptr);
  cloud_->ClearFailures();
  // The row and the lock as the dead engine left them.
  ASSERT_TRUE(db::RestoreRepository(*db_)
                  .Update(rid, {.status = std::string("executing"), .error_msg = std::string(),
                                .instances = ledger_at_death})
                  .ok());
  auto jobs = db::JobRepository(*db_).List({});
  ASSERT_TRUE(jobs.ok() && jobs->size() == 2u);  // the snapshot's and the restore's
  const db::Job& job = jobs->at(0).object_id == rid ? jobs->at(0) : jobs->at(1);
  ASSERT_TRUE(db::TakeWorkloadLock(*db_, wid_, job.id).ok());
  // The dead engine left what it had made (at least vm1's port).
  ASSERT_FALSE(ledger_at_death.empty());
  EXPECT_FALSE(ledger_at_death[0]["ports"].empty());
  EXPECT_NE(Objects(), before);

  const Status outcome = RunJob(RunRestore, rid, /*taken_over=*/true);
  EXPECT_EQ(outcome.code(), ErrorCode::kUnavailable);
  auto r = db::RestoreRepository(*db_).Get(rid);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, "error");
  EXPECT_THAT(r->error_msg, HasSubstr("the engine running this restore stopped"));
  EXPECT_THAT(r->error_msg, ::testing::Not(HasSubstr("not removed"))) << r->error_msg;
  ExpectNothingLeft(*r, before);
}

INSTANTIATE_TEST_SUITE_P(EveryStep, RestoreTakeoverTest,
                         ::testing::Values(DeathPoint{"CreateVolume"}, DeathPoint{"CreateAttachment"},
                                           DeathPoint{"DeleteAttachment"}, DeathPoint{"CreateImage"},
                                           DeathPoint{"UploadImageData"}, DeathPoint{"CreateServer"},
                                           DeathPoint{"StopServer"}, DeathPoint{"AttachVolume"},
                                           DeathPoint{"CreatePort", 2}, DeathPoint{"CreateServer", 2}),
                         [](const ::testing::TestParamInfo<DeathPoint>& info) {
                           return std::string(info.param.method) + std::to_string(info.param.nth);
                         });

// ---------------------------------------------------------------- oneclick, selective, in place

TEST_F(RestoreWorkflowTest, OneclickBringsBackSeveralVmsAsTheyWere) {
  SnapshotTwoVms();
  for (const auto& vm : {vm1_, vm2_}) LoseVm(vm);
  const size_t images_before = cloud_->Images().size();
  const db::Restore r = Restore();
  ASSERT_EQ(r.status, "available") << r.error_msg;
  EXPECT_EQ(r.progress_percent, 100);
  EXPECT_EQ(r.progress_msg, "Restored 2 VM(s)");
  EXPECT_GT(r.uploaded_size, 0);
  EXPECT_EQ(WorkloadStatus(wid_), "available");
  auto back1 = cloud_->ServerNamed("vm1");
  auto back2 = cloud_->ServerNamed("vm2");
  ASSERT_TRUE(back1 && back2);
  for (const auto* back : {&*back1, &*back2}) EXPECT_EQ(back->status, "ACTIVE") << back->name;
  EXPECT_EQ(back1->flavor.original_name, "m1.eph");
  EXPECT_EQ(back2->flavor.original_name, "m1.small");
  // The same addresses, MACs and security groups, on ports named after the restore.
  for (const auto& [old_id, server] : {std::pair{vm1_, *back1}, std::pair{vm2_, *back2}}) {
    auto ports = cloud_->ListPorts({.id = "user:u1"}, {.device_id = server.id});
    ASSERT_TRUE(ports.ok() && ports->size() == 1u) << server.name;
    const os::Port& was = original_ports_[old_id];
    EXPECT_EQ(ports->front().fixed_ips.at(0).ip_address, was.fixed_ips.at(0).ip_address);
    EXPECT_EQ(ports->front().mac_address, was.mac_address);
    EXPECT_EQ(ports->front().security_groups, std::vector<std::string>{group_});
    EXPECT_EQ(ports->front().name, "cairn-restore-" + r.id.substr(0, 8) + "-" + server.name);
  }
  // Every disk holds the snapshot's data.
  EXPECT_EQ(ReadAt(DiskOf(back1->id, "vda"), 0, 8), "vm1 boot");
  EXPECT_EQ(ReadAt(DiskOf(back1->id, "vdb"), 65536, 13), "vm1 ephemeral");
  EXPECT_EQ(ReadAt(DiskOf(back2->id, "vda"), 0, 8), "vm2 boot");
  ASSERT_EQ(back1->attached_volumes.size(), 1u);
  const std::string new_volume = back1->attached_volumes[0].id;
  EXPECT_EQ(ReadAt(cloud_->VolumeFile(new_volume), kGb, 10), "vm1 volume");
  auto volume = cloud_->GetVolume({.id = "user:u1"}, new_volume);
  ASSERT_TRUE(volume.ok());
  EXPECT_EQ(volume->volume_type, "standard");
  EXPECT_EQ(volume->size_gb, 2);
  // The ledger names what was made; no temporary image or attachment is left.
  ASSERT_EQ(r.instances.size(), 2u);
  EXPECT_EQ(r.instances[0].value("id", ""), back1->id);
  EXPECT_EQ(r.instances[0]["volumes"], json::array({new_volume}));
  EXPECT_EQ(r.instances[0]["images"], json::array());
  EXPECT_EQ(r.instances[1].value("status", ""), "available");
  EXPECT_EQ(cloud_->Images().size(), images_before);
  EXPECT_TRUE(cloud_->Attachments().empty());
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "staging"));
}

// [engine] connector_ip and restore_name_prefix reach Cinder and the names.
TEST_F(RestoreWorkflowTest, TheConnectorAddressAndTheNamePrefixAreOptions) {
  options_.connector_ip = "192.0.2.7";
  options_.restore_name_prefix = "dr-";
  MakeContext();
  SnapshotTwoVms();
  for (const auto& vm : {vm1_, vm2_}) LoseVm(vm);
  const db::Restore r = Restore();
  ASSERT_EQ(r.status, "available") << r.error_msg;
  ASSERT_EQ(cloud_->Connectors().size(), 1u);
  EXPECT_EQ(cloud_->Connectors()[0].value("ip", ""), "192.0.2.7");
  EXPECT_EQ(cloud_->Connectors()[0].value("host", ""), "compute1");
  auto back1 = cloud_->ServerNamed("vm1");
  ASSERT_TRUE(back1);
  auto volume = cloud_->GetVolume({.id = "user:u1"}, back1->attached_volumes.at(0).id);
  EXPECT_EQ(volume->name, "dr-" + r.id.substr(0, 8) + "-vm1-vdc");
  for (const auto& p : cloud_->Ports()) {
    if (p.device_id == back1->id) {
      EXPECT_EQ(p.name, "dr-" + r.id.substr(0, 8) + "-vm1");
    }
  }
}

TEST_F(RestoreWorkflowTest, TheDefaultConnectorAddressIsTheLoopback) {
  SnapshotTwoVms();
  for (const auto& vm : {vm1_, vm2_}) LoseVm(vm);
  ASSERT_EQ(Restore().status, "available");
  ASSERT_EQ(cloud_->Connectors().size(), 1u);
  EXPECT_EQ(cloud_->Connectors()[0].value("ip", ""), "127.0.0.1");
}

// Selective: vm1 as a new VM under another name and flavor, on the mapped
// network at a chosen address, its volume of a new type; vm2 left out; the
// originals untouched.
TEST_F(RestoreWorkflowTest, SelectiveMapsNetworksChangesTypesAndLeavesVmsOut) {
  SnapshotTwoVms();
  const std::string net2 = cloud_->AddNetwork("net2");
  const std::string big = cloud_->AddFlavor("m1.big", 2, 1024, 8, 1);
  const CloudObjects before = Objects();
  const json instances = json::array(
      {{{"id", vm1_},
        {"include", "True"},
        {"name", "vm1-copy"},
        {"flavor", {{"id", big}}},
        {"nics", json::array({{{"ip_address", "10.2.0.77"}, {"network", {{"id", net2}}}}})},
        {"vdisks", json::array({{{"id", volume_}, {"new_volume_type", "fast"}}})}},
       {{"id", vm2_}, {"include", false}}});
  const json mapping = json::array({{{"snapshot_network", {{"id", network_}}}, {"target_network", {{"id", net2}}}}});
  const db::Restore r = Restore("selective", Selective(instances, mapping));
  ASSERT_EQ(r.status, "available") << r.error_msg;
  EXPECT_EQ(r.progress_msg, "Restored 1 VM(s)");
  auto copy = cloud_->ServerNamed("vm1-copy");
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->flavor.original_name, "m1.big");
  auto ports = cloud_->ListPorts({.id = "user:u1"}, {.device_id = copy->id});
  ASSERT_TRUE(ports.ok() && ports->size() == 1u);
  EXPECT_EQ(ports->front().network_id, net2);
  EXPECT_EQ(ports->front().fixed_ips.at(0).ip_address, "10.2.0.77");
  ASSERT_EQ(copy->attached_volumes.size(), 1u);
  auto volume = cloud_->GetVolume({.id = "user:u1"}, copy->attached_volumes[0].id);
  EXPECT_EQ(volume->volume_type, "fast");
  EXPECT_EQ(ReadAt(cloud_->VolumeFile(volume->id), kGb, 10), "vm1 volume");
  EXPECT_EQ(ReadAt(DiskOf(copy->id, "vdb"), 65536, 13), "vm1 ephemeral");
  // vm2 was left out; the originals run on.
  EXPECT_EQ(cloud_->Servers().size(), before.servers.size() + 1);
  EXPECT_EQ(cloud_->Server(vm1_)->status, "ACTIVE");
  EXPECT_EQ(cloud_->Server(vm2_)->status, "ACTIVE");
  ASSERT_EQ(r.instances.size(), 1u);
  EXPECT_EQ(r.instances[0].value("vm_id", ""), vm1_);
}

// Selective without a nic for the mapped network: an address from DHCP on it.
TEST_F(RestoreWorkflowTest, SelectiveOnAMappedNetworkTakesAnAddressFromDhcp) {
  SnapshotTwoVms();
  const std::string net2 = cloud_->AddNetwork("net2");
  const json mapping = json::array({{{"snapshot_network", {{"id", network_}}}, {"target_network", {{"id", net2}}}}});
  const db::Restore r = Restore("selective", Selective(json::array({{{"id", vm2_}, {"name", "vm2-b"}}}), mapping));
  ASSERT_EQ(r.status, "available") << r.error_msg;
  auto copy = cloud_->ServerNamed("vm2-b");
  ASSERT_TRUE(copy);
  auto ports = cloud_->ListPorts({.id = "user:u1"}, {.device_id = copy->id});
  ASSERT_TRUE(ports.ok() && ports->size() == 1u);
  EXPECT_EQ(ports->front().network_id, net2);
  EXPECT_THAT(ports->front().fixed_ips.at(0).ip_address, ::testing::StartsWith("10.2.0."));
  EXPECT_NE(ports->front().mac_address, original_ports_[vm2_].mac_address);
}

// In place: both VMs' disks get the snapshot's data back, they run again, nothing is created.
TEST_F(RestoreWorkflowTest, InPlaceWritesBackTheDisksOfSeveralVms) {
  SnapshotTwoVms();
  WriteAt(DiskOf(vm1_, "vda"), 0, "scribble");
  WriteAt(DiskOf(vm1_, "vdb"), 65536, "scribble-scrib");
  WriteAt(cloud_->VolumeFile(volume_), kGb, "scribble!!");
  WriteAt(DiskOf(vm2_, "vda"), 0, "scribble");
  const CloudObjects before = Objects();
  const json instances = json::array({{{"id", vm1_}, {"include", true}, {"restore_boot_disk", true}},
                                      {{"id", vm2_}, {"include", true}}});
  const db::Restore r =
      Restore("inplace", {{"restore_type", "inplace"}, {"openstack", {{"instances", instances}}}});
  ASSERT_EQ(r.status, "available") << r.error_msg;
  EXPECT_EQ(Objects(), before);
  EXPECT_EQ(ReadAt(DiskOf(vm1_, "vda"), 0, 8), "vm1 boot");
  EXPECT_EQ(ReadAt(DiskOf(vm1_, "vdb"), 65536, 13), "vm1 ephemeral");
  EXPECT_EQ(ReadAt(cloud_->VolumeFile(volume_), kGb, 10), "vm1 volume");
  EXPECT_EQ(ReadAt(DiskOf(vm2_, "vda"), 0, 8), "vm2 boot");
  for (const auto& vm : {vm1_, vm2_}) EXPECT_EQ(cloud_->Server(vm)->status, "ACTIVE");
  ASSERT_EQ(r.instances.size(), 2u);
  EXPECT_GT(r.instances[0].value("clusters_written", 0), 0);
  EXPECT_TRUE(r.instances[0].value("in_place", false));
  EXPECT_EQ(r.instances[0].value("id", ""), vm1_);
  EXPECT_EQ(WorkloadStatus(wid_), "available");
}

// In place, what the plan leaves out stays as it is: vm1's volume
// (restore_cinder_volume false), vm2's Nova disk (restore_boot_disk false).
TEST_F(RestoreWorkflowTest, InPlaceWritesOnlyTheDisksChosen) {
  SnapshotTwoVms();
  WriteAt(DiskOf(vm1_, "vda"), 0, "scribble");
  WriteAt(cloud_->VolumeFile(volume_), kGb, "scribble!!");
  WriteAt(DiskOf(vm2_, "vda"), 0, "scribble");
  const json instances =
      json::array({{{"id", vm1_}, {"vdisks", json::array({{{"id", volume_}, {"restore_cinder_volume", false}}})}},
                   {{"id", vm2_}, {"restore_boot_disk", false}}});
  const db::Restore r =
      Restore("inplace", {{"restore_type", "inplace"}, {"openstack", {{"instances", instances}}}});
  ASSERT_EQ(r.status, "available") << r.error_msg;
  EXPECT_EQ(ReadAt(DiskOf(vm1_, "vda"), 0, 8), "vm1 boot");
  EXPECT_EQ(ReadAt(cloud_->VolumeFile(volume_), kGb, 10), "scribble!!");
  EXPECT_EQ(ReadAt(DiskOf(vm2_, "vda"), 0, 8), "scribble");
}

// Another volume at the device of the snapshot's volume must not get its
// data: refused before the VM is stopped.
TEST_F(RestoreWorkflowTest, InPlaceRefusesAVolumeNoLongerAttached) {
  SnapshotTwoVms();
  const std::string other = cloud_->AddVolume("other", 2);
  cloud_->DetachNow(vm1_, volume_);
  cloud_->AttachNow(vm1_, other, "vdc");
  WriteAt(cloud_->VolumeFile(other), kGb, "other data");
  const json instances = json::array({{{"id", vm1_}}});
  const db::Restore r = Restore("inplace", {{"restore_type", "inplace"}, {"openstack", {{"instances", instances}}}});
  EXPECT_EQ(r.status, "error");
  EXPECT_THAT(r.error_msg, HasSubstr("volume " + volume_ + " is no longer attached to VM vm1 as vdc"));
  EXPECT_EQ(ReadAt(cloud_->VolumeFile(other), kGb, 10), "other data");
  EXPECT_EQ(cloud_->Calls("StopServer"), 0);
  EXPECT_EQ(cloud_->Server(vm1_)->status, "ACTIVE");
  EXPECT_EQ(WorkloadStatus(wid_), "available");
}

TEST_F(RestoreWorkflowTest, InPlaceWhoseWriteFailsSaysTheDiskIsPartlyRestoredAndRestartsTheVm) {
  SnapshotTwoVms();
  WriteAt(DiskOf(vm1_, "vda"), 0, "scribble");
  Datamover(0).Fail("restore_disk", Status::IOError("disk full"));
  const json instances = json::array({{{"id", vm1_}}});
  const db::Restore r = Restore("inplace", {{"restore_type", "inplace"}, {"openstack", {{"instances", instances}}}});
  EXPECT_EQ(r.status, "error");
  EXPECT_THAT(r.error_msg, HasSubstr("disk vda of VM vm1 is partly restored (disk full): restore it again"));
  EXPECT_EQ(cloud_->Server(vm1_)->status, "ACTIVE");
  EXPECT_EQ(WorkloadStatus(wid_), "available");
}

}  // namespace
}  // namespace cairn::engine::testing
