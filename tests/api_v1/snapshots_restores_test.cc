// Snapshots (list, show, delete, cancel) and restores (oneclick, selective,
// inplace in the forms clients send; list, show, cancel, delete).
#include <gtest/gtest.h>

#include <set>
#include <utility>

#include "common/strings.h"
#include "db/job_repository.h"
#include "db/restore_repository.h"
#include "db/snapshot_repository.h"
#include "db/workload_repository.h"
#include "api_v1/api_v1_harness.h"

namespace cairn::api::testing {
namespace {

class SnapshotsTest : public ApiV1Test {
 protected:
  void SetUp() override {
    wid_ = h.CreateWorkload(kTokMemberA, {kVmA1, kVmA2}, "alpha");
    h.MarkWorkloadAvailable(wid_);
    snap_ = h.AddAvailableSnapshot(wid_, "alpha-snap");
    auto disks = db::SnapshotRepository(h.db()).ListDisks(snap_.id);
    ASSERT_TRUE(disks.ok());
    disks_ = *disks;
  }
  std::string SnapUrl(std::string_view tail = "") const {
    return ApiHarness::P(kProjectA, "/snapshots/" + snap_.id + std::string(tail));
  }
  std::string RestoreUrl() const {
    return ApiHarness::P(kProjectA, "/workloads/" + wid_ + "/snapshots/" + snap_.id + "/restores");
  }
  const db::SnapshotDisk& BootDisk(const std::string& vm) const {
    for (const auto& d : disks_) {
      if (d.vm_id == vm && !d.volume_id) return d;
    }
    return disks_.front();
  }
  const db::SnapshotDisk& VolumeDisk() const {
    for (const auto& d : disks_) {
      if (d.volume_id) return d;
    }
    return disks_.front();
  }

  std::string wid_;
  db::Snapshot snap_;
  std::vector<db::SnapshotDisk> disks_;
};

TEST_F(SnapshotsTest, ListAndShow) {
  for (const std::string& path : {std::string("/snapshots"), std::string("/snapshots/detail"), "/workloads/" + wid_ + "/snapshots",
                                 "/workloads/" + wid_ + "/snapshots/detail", "/snapshots?workload_id=" + wid_}) {
    Answer a = h.Get(h.P(kProjectA, path), kTokReaderA);
    ASSERT_EQ(a.status, 200) << path << " " << a.Dump();
    ASSERT_EQ(a.body["snapshots"].size(), 1u) << path;
    EXPECT_EQ(a.body["snapshots"][0]["id"], snap_.id);
    EXPECT_TRUE(a.body["snapshots"][0]["pinned"].is_boolean());
  }
  Answer show = h.Get(SnapUrl(), kTokMemberA);
  ASSERT_EQ(show.status, 200) << show.Dump();
  const json& s = show.body["snapshot"];
  EXPECT_EQ(s["host"], "engine-1");
  EXPECT_TRUE(HasMicroseconds(s["created_at"])) << s["created_at"];
  ASSERT_EQ(s["instances"].size(), 2u);
  bool volume_seen = false;
  for (const auto& i : s["instances"]) {
    EXPECT_TRUE(i.contains("flavor"));
    EXPECT_TRUE(i["nics"].is_array());
    for (const auto& d : i["vdisks"]) {
      if (d.contains("volume_id")) volume_seen = true;
    }
  }
  EXPECT_TRUE(volume_seen);
  Answer under = h.Get(h.P(kProjectA, "/workloads/" + wid_ + "/snapshots/" + snap_.id), kTokMemberA);
  EXPECT_EQ(under.status, 200);
  // Bad ids and a snapshot under the wrong workload: 404.
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectA, "/snapshots/bad-id"), kTokMemberA), 404, "itemNotFound"));
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectA, "/snapshots/00000000-0000-4000-8000-000000000000"), kTokMemberA), 404,
                      "itemNotFound"));
  const std::string other = h.CreateWorkload(kTokMemberA, {kVmA3});
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectA, "/workloads/" + other + "/snapshots/" + snap_.id), kTokMemberA), 404,
                      "itemNotFound"));
  // Another project.
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectB, "/snapshots/" + snap_.id), kTokMemberB), 404, "itemNotFound"));
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectB, "/snapshots?workload_id=" + wid_), kTokMemberB), 404, "itemNotFound"));
  Answer b_all = h.Get(h.P(kProjectB, "/snapshots?all=True"), kTokMemberB);
  ASSERT_EQ(b_all.status, 200);
  EXPECT_TRUE(b_all.body["snapshots"].empty());
  Answer admin_all = h.Get(h.P(kAdminProject, "/snapshots?all=True"), kTokAdmin);
  ASSERT_EQ(admin_all.status, 200);
  EXPECT_EQ(admin_all.body["snapshots"].size(), 1u);
}

// Inserts `count` available snapshots of `workload_id` in one transaction.
void AddSnapshots(ApiHarness& h, const std::string& workload_id, const std::string& project_id, int count) {
  Status added = h.db().Transaction("add snapshots", [&](db::Executor& tx) -> Status {
    db::SnapshotRepository snapshots(tx);
    for (int i = 0; i < count; ++i) {
      db::Snapshot s;
      s.workload_id = workload_id;
      s.project_id = project_id;
      s.user_id = kUserA;
      s.name = "bulk-" + std::to_string(i);
      s.status = "available";
      CAIRN_RETURN_IF_ERROR(snapshots.Create(s).status());
    }
    return Status::OK();
  });
  ASSERT_TRUE(added.ok()) << added.ToString();
}

// The path and query of a next link (after the harness's http://127.0.0.1:8780).
std::string NextLinkTarget(const json& body, const std::string& key) {
  const json links = body.value(key + "_links", json::array());
  if (links.size() != 1 || links[0].value("rel", "") != "next") return "";
  const std::string href = links[0].value("href", "");
  const std::string base = "http://127.0.0.1:8780";
  return href.rfind(base, 0) == 0 ? href.substr(base.size()) : "";
}

TEST_F(SnapshotsTest, AListWithoutLimitIsOnePageWithANextLink) {
  AddSnapshots(h, wid_, kProjectA, 3000);
  ASSERT_EQ(h.service().limits.max_page_size, 1000);
  // A member's list, and an admin's list of every project, each without limit.
  for (auto [url, token] : {std::pair{h.P(kProjectA, "/snapshots/detail?workload_id=" + wid_), kTokMemberA},
                            std::pair{h.P(kAdminProject, "/snapshots?all=True"), kTokAdmin}}) {
    Answer first = h.Get(url, token);
    ASSERT_EQ(first.status, 200) << first.Dump();
    EXPECT_EQ(first.body["snapshots"].size(), 1000u) << url;
    const std::string next = NextLinkTarget(first.body, "snapshots");
    ASSERT_FALSE(next.empty()) << first.body.value("snapshots_links", json()).dump();
    EXPECT_NE(next.find("limit=1000"), std::string::npos) << next;
    EXPECT_NE(next.find("marker=" + first.body["snapshots"][999]["id"].get<std::string>()), std::string::npos) << next;
    EXPECT_NE(next.find(url.substr(url.find('?') + 1)), std::string::npos) << "the filters stay: " << next;
  }
  // Following the links (as clients do) gives every snapshot once, in pages.
  std::set<std::string> seen;
  int pages = 0;
  for (std::string url = h.P(kProjectA, "/snapshots?workload_id=" + wid_); !url.empty(); ++pages) {
    ASSERT_LT(pages, 10);
    Answer page = h.Get(url, kTokMemberA);
    ASSERT_EQ(page.status, 200) << page.Dump();
    for (const auto& s : page.body["snapshots"]) seen.insert(s["id"].get<std::string>());
    url = NextLinkTarget(page.body, "snapshots");
  }
  EXPECT_EQ(pages, 4);  // 3 full pages and the one the third page's link points to
  EXPECT_EQ(seen.size(), 3001u);  // with the fixture's snapshot
  // A larger limit is cut to the page size; a short list has no link.
  Answer big = h.Get(h.P(kProjectA, "/snapshots?limit=5000"), kTokMemberA);
  EXPECT_EQ(big.body["snapshots"].size(), 1000u);
  EXPECT_FALSE(NextLinkTarget(big.body, "snapshots").empty());
  Answer restores = h.Get(h.P(kProjectA, "/restores"), kTokMemberA);
  EXPECT_FALSE(restores.body.contains("restores_links")) << restores.Dump();
}

TEST_F(SnapshotsTest, DateFilters) {
  EXPECT_EQ(h.Get(h.P(kProjectA, "/snapshots?date_from=2000-01-01"), kTokMemberA).body["snapshots"].size(), 1u);
  EXPECT_EQ(h.Get(h.P(kProjectA, "/snapshots?date_to=2000-01-01T00:00:00"), kTokMemberA).body["snapshots"].size(),
            0u);
  for (const char* bad : {"date_from=x", "date_to=03/01/24x", "date_from=2024-13-01", "all=perhaps", "limit=-1"}) {
    EXPECT_TRUE(IsFault(h.Get(h.P(kProjectA, std::string("/snapshots?") + bad), kTokMemberA), 400, "badRequest"))
        << bad;
  }
}

TEST_F(SnapshotsTest, DeleteSnapshot) {
  EXPECT_EQ(FaultMessage(h.Delete(SnapUrl(), kTokReaderA)),
            "Policy doesn't allow snapshot:snapshot_delete to be performed.");
  EXPECT_TRUE(IsFault(h.Delete(h.P(kProjectB, "/snapshots/" + snap_.id), kTokMemberB), 404, "itemNotFound"));
  ASSERT_EQ(h.Delete(SnapUrl(), kTokMemberA).status, 202);
  EXPECT_EQ(db::SnapshotRepository(h.db()).Get(snap_.id)->status, "deleting");
  EXPECT_EQ(h.CountJobs("snapshot_delete"), 1u);
  EXPECT_TRUE(IsFault(h.Delete(SnapUrl(), kTokMemberA), 409, "conflict"));
  // The delete holds the workload's lock from its transaction on, like a
  // snapshot or a restore: the next snapshot is a 409 until it has ended,
  // not a job that an engine worker would wait for.
  EXPECT_EQ(db::WorkloadRepository(h.db()).Get(wid_)->status, "locked");
  auto jobs = db::JobRepository(h.db()).List({.kind = "snapshot_delete"});
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_TRUE(db::HoldsWorkloadLock(jobs->front()));
  EXPECT_FALSE(jobs->front().payload.contains(db::kAuthTokenKey));
  EXPECT_TRUE(IsFault(h.Do("POST", h.P(kProjectA, "/workloads/" + wid_), kTokMemberA), 409, "conflict"));
}

TEST_F(SnapshotsTest, CancelQueuedAndRunningSnapshots) {
  Answer taken = h.Do("POST", h.P(kProjectA, "/workloads/" + wid_), kTokMemberA);
  ASSERT_EQ(taken.status, 202) << taken.Dump();
  const std::string sid = taken.body["snapshot"]["id"];
  const std::string cancel = h.P(kProjectA, "/snapshots/" + sid + "/cancel");
  EXPECT_EQ(FaultMessage(h.Get(cancel, kTokReaderA)), "Policy doesn't allow snapshot:snapshot_cancel to be performed.");
  // Queued: cancelled at once and the workload unlocked.
  ASSERT_EQ(h.Get(cancel, kTokMemberA).status, 202);
  EXPECT_EQ(db::SnapshotRepository(h.db()).Get(sid)->status, "cancelled");
  EXPECT_EQ(db::WorkloadRepository(h.db()).Get(wid_)->status, "available");
  EXPECT_TRUE(IsFault(h.Get(cancel, kTokMemberA), 409, "conflict"));
  // Running: cancelling, with a cancel job for the engine.
  Answer again = h.Do("POST", h.P(kProjectA, "/workloads/" + wid_), kTokMemberA);
  ASSERT_EQ(again.status, 202);
  const std::string sid2 = again.body["snapshot"]["id"];
  // An engine takes the jobs up to the snapshot's.
  for (bool found = false; !found;) {
    auto claimed = db::JobRepository(h.db()).ClaimNext("engine-1", 60);
    ASSERT_TRUE(claimed.ok() && claimed->has_value());
    found = (*claimed)->object_id == sid2;
  }
  ASSERT_EQ(h.Do("POST", h.P(kProjectA, "/snapshots/" + sid2 + "/cancel"), kTokMemberA).status, 202);
  EXPECT_EQ(db::SnapshotRepository(h.db()).Get(sid2)->status, "cancelling");
  EXPECT_EQ(h.CountJobs("snapshot_cancel"), 1u);
}

TEST_F(SnapshotsTest, OneclickRestoreAsTheDashboardSendsIt) {
  json body = {{"restore",
                {{"name", "one click"},
                 {"description", "d"},
                 {"options",
                  {{"name", "inner"},
                   {"description", "inner d"},
                   {"oneclickrestore", "True"},
                   {"restore_type", "oneclick"},
                   {"type", "openstack"},
                   {"vmware", json::object()},
                   {"restore_options", json::object()},
                   {"openstack", {{"instances", json::array()}, {"zone", ""}}}}}}}};
  Answer a = h.Post(RestoreUrl(), kTokMemberA, body);
  ASSERT_EQ(a.status, 202) << a.Dump();
  const json& r = a.body["restore"];
  EXPECT_EQ(r["name"], "one click");
  EXPECT_EQ(r["status"], "created");
  EXPECT_EQ(r["restore_type"], "oneclick");
  EXPECT_EQ(r["options"]["oneclickrestore"], true);
  EXPECT_EQ(r["snapshot_id"], snap_.id);
  EXPECT_TRUE(HasMicroseconds(r["created_at"]));
  EXPECT_EQ(db::WorkloadRepository(h.db()).Get(wid_)->status, "locked");
  db::JobFilter filter;
  filter.kind = "restore_create";
  auto jobs = db::JobRepository(h.db()).List(filter);
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ((*jobs)[0].object_id, r["id"]);
  EXPECT_EQ((*jobs)[0].status, "queued");
  // The workload is locked: a second restore is 409.
  EXPECT_TRUE(IsFault(h.Post(RestoreUrl(), kTokMemberA, body), 409, "conflict"));
  // Clients poll it under the snapshot.
  Answer poll = h.Get(RestoreUrl() + "/" + r["id"].get<std::string>(), kTokMemberA);
  ASSERT_EQ(poll.status, 200) << poll.Dump();
  EXPECT_TRUE(poll.body["restore"]["instances"].is_array());
  EXPECT_TRUE(poll.body["restore"].contains("uploaded_size"));
  EXPECT_TRUE(poll.body["restore"].contains("error_msg"));
}

TEST_F(SnapshotsTest, MinimalOneclickRestoreGetsTheDefaultName) {
  json options = {{"openstack", json::object()}, {"type", "openstack"}, {"oneclickrestore", true},
                  {"restore_type", "oneclick"}};
  Answer a = h.Post(RestoreUrl(), kTokMemberA, {{"restore", {{"options", options}}}});
  ASSERT_EQ(a.status, 202) << a.Dump();
  EXPECT_EQ(a.body["restore"]["name"], "restore");
}

TEST_F(SnapshotsTest, MinimalOneclickRestoreWithoutTheRestoreWrapper) {
  json options = {{"openstack", json::object()}, {"type", "openstack"}, {"oneclickrestore", true},
                  {"restore_type", "oneclick"}};
  Answer a = h.Post(RestoreUrl(), kTokMemberA, {{"options", options}});
  ASSERT_EQ(a.status, 202) << a.Dump();
  EXPECT_EQ(a.body["restore"]["name"], "restore");
  EXPECT_EQ(a.body["restore"]["restore_type"], "oneclick");
}

TEST_F(SnapshotsTest, SelectiveRestore) {
  json instances = json::array();
  instances.push_back({{"id", kVmA1},
                       {"include", "True"},
                       {"name", "restored"},
                       {"restore_boot_disk", "False"},
                       {"flavor", {{"vcpus", "2"}, {"ram", 1024}, {"disk", ""}}},
                       {"nics", json::array({{{"mac_address", ""}, {"network", {{"id", "net-1"}, {"subnet", {{"id", "sub"}}}}}}})},
                       {"vdisks", json::array({{{"id", BootDisk(kVmA1).id}, {"new_volume_type", "ceph"}}})}});
  instances.push_back({{"id", AsciiUpper(kVmA2)}, {"include", false}});
  json body = {{"restore",
                {{"options",
                  {{"restore_type", "selective"},
                   {"type", "openstack"},
                   {"openstack",
                    {{"instances", instances},
                     {"restore_topology", "true"},
                     {"networks_mapping", {{"networks", json::array()}}}}}}}}}};
  Answer a = h.Post(RestoreUrl(), kTokMemberA, body);
  ASSERT_EQ(a.status, 202) << a.Dump();
  const json& opts = a.body["restore"]["options"];
  EXPECT_EQ(a.body["restore"]["restore_type"], "selective");
  EXPECT_EQ(opts["oneclickrestore"], false);
  EXPECT_EQ(opts["openstack"]["instances"][0]["include"], true);
  EXPECT_EQ(opts["openstack"]["instances"][0]["restore_boot_disk"], false);
  EXPECT_EQ(opts["openstack"]["instances"][0]["flavor"]["vcpus"], 2);
  EXPECT_EQ(opts["openstack"]["instances"][1]["id"], kVmA2);
  EXPECT_EQ(opts["openstack"]["restore_topology"], true);
}

// nics[].network.subnet is an object with an id: anything else is a 400
// naming it (it made the engine's restore throw), and nothing is queued.
TEST_F(SnapshotsTest, SelectiveRestoreWithAMalformedSubnetIs400) {
  auto body_with = [&](const json& subnet) {
    json nic = {{"network", {{"id", "net-1"}, {"subnet", subnet}}}};
    json instances = json::array({{{"id", kVmA1}, {"nics", json::array({nic})}}});
    return json{{"restore",
                 {{"options", {{"restore_type", "selective"}, {"openstack", {{"instances", instances}}}}}}}};
  };
  for (const json& subnet : {json("sub-1"), json(5), json::array({"sub-1"}), json::object(),
                             json{{"id", json::object()}}}) {
    Answer a = h.Post(RestoreUrl(), kTokMemberA, body_with(subnet));
    EXPECT_TRUE(IsFault(a, 400, "badRequest")) << subnet.dump() << " " << a.Dump();
    EXPECT_NE(FaultMessage(a).find("options.openstack.instances[0].nics[0].network.subnet"), std::string::npos)
        << a.Dump();
  }
  EXPECT_EQ(h.CountJobs("restore_create"), 0u);
  EXPECT_EQ(db::WorkloadRepository(h.db()).Get(wid_)->status, "available");
  // A null subnet is no subnet; an id is kept.
  Answer none = h.Post(RestoreUrl(), kTokMemberA, body_with(nullptr));
  ASSERT_EQ(none.status, 202) << none.Dump();
  EXPECT_FALSE(none.body["restore"]["options"]["openstack"]["instances"][0]["nics"][0]["network"].contains("subnet"));
}

TEST_F(SnapshotsTest, InplaceRestoreAndRefusals) {
  json inplace = {{"restore",
                   {{"name", "in place"},
                    {"options",
                     {{"restore_type", "inplace"},
                      {"type", "openstack"},
                      {"zone", "nova"},
                      {"openstack",
                       {{"instances", json::array({{{"id", kVmA1},
                                                    {"include", true},
                                                    {"restore_boot_disk", true},
                                                    {"vdisks", json::array({{{"id", *VolumeDisk().volume_id},
                                                                             {"restore_cinder_volume", "True"},
                                                                             {"new_volume_type", "ceph"}}})}}})}}}}}}}};
  auto bad = [&](std::function<void(json&)> change, std::string_view what) {
    json b = inplace;
    change(b);
    Answer a = h.Post(RestoreUrl(), kTokMemberA, b);
    EXPECT_TRUE(IsFault(a, 400, "badRequest")) << what;
    EXPECT_NE(FaultMessage(a).find(std::string(what)), std::string::npos) << a.Dump();
  };
  json& inst = inplace["restore"]["options"]["openstack"]["instances"][0];
  (void)inst;
  bad([](json& b) { b["restore"]["options"]["restore_type"] = "sideways"; }, "restore_type");
  bad([](json& b) { b["restore"]["options"]["openstack"]["instances"][0]["id"] = kVmB1; }, "not in this snapshot");
  bad([](json& b) { b["restore"]["options"]["openstack"]["instances"][0]["include"] = false; }, "no instance");
  bad([](json& b) { b["restore"]["options"]["openstack"]["instances"][0]["vdisks"][0]["id"] = "x"; },
      "not in this snapshot");
  bad([](json& b) { b["restore"]["options"]["openstack"]["instances"] = "all"; }, "expected a list");
  bad([](json& b) { b["restore"]["options"]["type"] = "vmware"; }, "openstack");
  bad([](json& b) { b["restore"].erase("options"); }, "restore_type");
  // options.type does not choose the restore type (restore_options.h).
  bad([](json& b) { b["restore"]["options"].erase("restore_type"); }, "restore_type");
  EXPECT_TRUE(IsFault(h.Do("POST", RestoreUrl(), kTokMemberA, ""), 400, "badRequest"));
  EXPECT_EQ(FaultMessage(h.Post(RestoreUrl(), kTokReaderA, inplace)),
            "Policy doesn't allow snapshot:snapshot_restore to be performed.");
  EXPECT_TRUE(IsFault(h.Post(h.P(kProjectB, "/workloads/" + wid_ + "/snapshots/" + snap_.id + "/restores"),
                             kTokMemberB, inplace),
                      404, "itemNotFound"));
  EXPECT_EQ(h.CountJobs("restore_create"), 0u);
  Answer ok = h.Post(RestoreUrl(), kTokMemberA, inplace);
  ASSERT_EQ(ok.status, 202) << ok.Dump();
  EXPECT_EQ(ok.body["restore"]["options"]["openstack"]["instances"][0]["vdisks"][0]["restore_cinder_volume"], true);
}

TEST_F(SnapshotsTest, RestoreOfUnavailableSnapshotIs409) {
  ASSERT_TRUE(db::SnapshotRepository(h.db()).SetStatusIf(snap_.id, {"available"}, "error").ok());
  json body = {{"restore", {{"options", {{"oneclickrestore", true}}}}}};
  Answer a = h.Post(RestoreUrl(), kTokMemberA, body);
  EXPECT_TRUE(IsFault(a, 409, "conflict"));
  EXPECT_NE(FaultMessage(a).find("only an available snapshot"), std::string::npos) << a.Dump();
  // Checked in the transaction that would record the restore: nothing is
  // recorded and the workload is not left locked.
  EXPECT_EQ(h.CountJobs("restore_create"), 0u);
  auto w = db::WorkloadRepository(h.db()).Get(wid_);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->status, "available");
}

TEST_F(SnapshotsTest, RestoreListShowCancelDelete) {
  db::Restore done = h.AddRestore(snap_, "available", "alpha-restore");
  db::Restore running = h.AddRestore(snap_, "executing", "running-restore");
  for (const std::string& path : {std::string("/restores"), std::string("/restores/detail"),
                                 "/restores?snapshot_id=" + snap_.id,
                                 "/workloads/" + wid_ + "/snapshots/" + snap_.id + "/restores"}) {
    Answer a = h.Get(h.P(kProjectA, path), kTokReaderA);
    ASSERT_EQ(a.status, 200) << path << a.Dump();
    EXPECT_EQ(a.body["restores"].size(), 2u) << path;
  }
  Answer show = h.Get(h.P(kProjectA, "/restores/" + done.id), kTokReaderA);
  ASSERT_EQ(show.status, 200);
  EXPECT_EQ(show.body["restore"]["name"], "alpha-restore");
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectB, "/restores/" + done.id), kTokMemberB), 404, "itemNotFound"));
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectB, "/restores?snapshot_id=" + snap_.id), kTokMemberB), 404, "itemNotFound"));
  EXPECT_TRUE(h.Get(h.P(kProjectB, "/restores"), kTokMemberB).body["restores"].empty());
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectA, "/restores/zzz"), kTokMemberA), 404, "itemNotFound"));
  // Cancel the running one.
  EXPECT_EQ(FaultMessage(h.Get(h.P(kProjectA, "/restores/" + running.id + "/cancel"), kTokReaderA)),
            "Policy doesn't allow restore:restore_cancel to be performed.");
  ASSERT_EQ(h.Get(h.P(kProjectA, "/restores/" + running.id + "/cancel"), kTokMemberA).status, 202);
  EXPECT_EQ(db::RestoreRepository(h.db()).Get(running.id)->status, "cancelling");
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectA, "/restores/" + done.id + "/cancel"), kTokMemberA), 409, "conflict"));
  // Delete: a running one is 409, a finished one goes.
  EXPECT_TRUE(IsFault(h.Delete(h.P(kProjectA, "/restores/" + running.id), kTokMemberA), 409, "conflict"));
  EXPECT_EQ(FaultMessage(h.Delete(h.P(kProjectA, "/restores/" + done.id), kTokReaderA)),
            "Policy doesn't allow restore:restore_delete to be performed.");
  EXPECT_TRUE(IsFault(h.Delete(h.P(kProjectB, "/restores/" + done.id), kTokMemberB), 404, "itemNotFound"));
  ASSERT_EQ(h.Delete(RestoreUrl() + "/" + done.id, kTokMemberA).status, 202);
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectA, "/restores/" + done.id), kTokMemberA), 404, "itemNotFound"));
}

}  // namespace
}  // namespace cairn::api::testing
