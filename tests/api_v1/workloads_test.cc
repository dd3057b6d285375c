// Workload types and workloads: create (lenient input, strict output), list,
// show, update, delete, snapshot, pause/resume/unlock/reset, quotas, paging.
#include <gtest/gtest.h>

#include "db/job_repository.h"
#include "db/policy_repository.h"
#include "db/quota_repository.h"
#include "db/snapshot_repository.h"
#include "db/workload_repository.h"
#include "common/json_input.h"
#include "common/strings.h"
#include "api_v1/api_v1_harness.h"

namespace cairn::api::testing {
namespace {

TEST_F(ApiV1Test, VersionsNeedNoToken) {
  Answer a = h.Get("/", "");
  ASSERT_EQ(a.status, 200) << a.Dump();
  EXPECT_EQ(a.body["versions"][0]["id"], "v1.0");
}

TEST_F(ApiV1Test, MissingOrBadTokenIs401AndOtherProjectUrlIs403) {
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectA, "/workloads"), ""), 401, "unauthorized"));
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectA, "/workloads"), "nonsense"), 401, "unauthorized"));
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectA, "/workloads"), kTokMemberB), 403, "forbidden"));
  EXPECT_EQ(h.Get(h.P(kProjectA, "/workloads"), kTokAdmin).status, 200);
}

TEST_F(ApiV1Test, WorkloadTypes) {
  Answer list = h.Get(h.P(kProjectA, "/workload_types"), kTokReaderA);
  ASSERT_EQ(list.status, 200) << list.Dump();
  std::set<std::string> ids;
  for (const auto& t : list.body["workload_types"]) ids.insert(t["id"].get<std::string>());
  EXPECT_TRUE(ids.contains(kSerialType));
  EXPECT_TRUE(ids.contains(kParallelType));
  Answer detail = h.Get(h.P(kProjectA, "/workload_types/detail"), kTokMemberA);
  ASSERT_EQ(detail.status, 200);
  EXPECT_TRUE(detail.body["workload_types"][0].contains("metadata"));
  Answer one = h.Get(h.P(kProjectA, std::string("/workload_types/") + kSerialType), kTokMemberA);
  ASSERT_EQ(one.status, 200) << one.Dump();
  EXPECT_EQ(one.body["workload_type"]["name"], "Serial");
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectA, "/workload_types/nope"), kTokMemberA), 404, "itemNotFound"));
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectA, "/workload_types/00000000-0000-4000-8000-000000000000"), kTokMemberA),
                      404, "itemNotFound"));
}

TEST_F(ApiV1Test, CreateWorkloadRecordsAJobAndAnswers202Creating) {
  Answer a = h.Post(h.P(kProjectA, "/workloads"), kTokMemberA, WorkloadBody({kVmA1, kVmA2}, "alpha"));
  ASSERT_EQ(a.status, 202) << a.Dump();
  const json& w = a.body["workload"];
  EXPECT_EQ(w["status"], "creating");
  EXPECT_EQ(w["storage_usage"], (json{{"usage", 0}, {"snapshots", 0}}));  // the shape of show
  EXPECT_EQ(w["name"], "alpha");
  EXPECT_EQ(w["project_id"], kProjectA);
  EXPECT_EQ(w["user_id"], kUserA);
  EXPECT_EQ(w["workload_type_id"], kParallelType);
  EXPECT_TRUE(HasMicroseconds(w["created_at"])) << w["created_at"];
  EXPECT_EQ(w["links"][0]["href"], std::string("http://127.0.0.1:8780/v1/") + kProjectA + "/workloads/" +
                                       w["id"].get<std::string>());
  ASSERT_EQ(w["instances"].size(), 2u);
  EXPECT_EQ(w["instances"][0]["name"], "vm-a1");
  const json& js = w["jobschedule"];
  EXPECT_EQ(js["enabled"], true);
  EXPECT_EQ(js["interval"], "24hr");
  EXPECT_EQ(js["start_time"], "09:00 PM");
  EXPECT_EQ(js["retention_policy_value"], "30");
  EXPECT_TRUE(js.contains("nextrun"));
  EXPECT_TRUE(js["nextrun"].is_number_integer());
  // 2026-03-02T10:00 -> 21:00 the same day.
  EXPECT_EQ(js["nextrun"], 11 * 3600);

  auto jobs = db::JobRepository(h.db()).List({});
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ((*jobs)[0].kind, "workload_create");
  EXPECT_EQ((*jobs)[0].object_id, w["id"]);
  EXPECT_EQ((*jobs)[0].status, "queued");
  EXPECT_EQ((*jobs)[0].project_id, kProjectA);
  // Nothing pretends the work was done.
  auto stored = db::WorkloadRepository(h.db()).Get(w["id"].get<std::string>());
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->status, "creating");
}

TEST_F(ApiV1Test, CreateWorkloadLenientInput) {
  json body = {{"workload",
                {{"name", "lenient"},
                 {"instances", json::array({{{"instance-id", kVmA1}}})},
                 {"unknown_key", {{"x", 1}}},
                 {"jobschedule",
                  {{"enabled", "True"},
                   {"start_date", "03/01/26"},
                   {"start_time", "14:05:00"},
                   {"interval", "1 hr"},
                   {"full_backup_interval", 3},
                   {"retention_policy_type", "Number of days to retain Snapshots"},
                   {"retention_policy_value", 3}}}}}};
  Answer a = h.Post(h.P(kProjectA, "/workloads"), kTokMemberA, body);
  ASSERT_EQ(a.status, 202) << a.Dump();
  const json& w = a.body["workload"];
  EXPECT_EQ(w["workload_type_id"], kParallelType);  // absent: Parallel
  const json& js = w["jobschedule"];
  EXPECT_EQ(js["enabled"], true);
  EXPECT_EQ(js["start_date"], "03/01/2026");
  EXPECT_EQ(js["start_time"], "02:05 PM");
  EXPECT_EQ(js["interval"], "1hr");
  EXPECT_EQ(js["fullbackup_interval"], "3");
  EXPECT_FALSE(js.contains("full_backup_interval"));
  EXPECT_EQ(js["retention_policy_type"], "Number of days to retain Snapshots");
  EXPECT_EQ(js["retention_policy_value"], "3");
  EXPECT_TRUE(js.contains("nextrun"));
  EXPECT_EQ(js["nextrun"], 5 * 60);  // hourly at :05 from 10:00
}

TEST_F(ApiV1Test, CreateWorkloadDisabledScheduleHasNoNextrun) {
  json body = WorkloadBody({kVmA1});
  body["workload"]["jobschedule"] = {{"enabled", "False"}};
  body["workload"].erase("workload_type_id");
  Answer a = h.Post(h.P(kProjectA, "/workloads"), kTokMemberA, body);
  ASSERT_EQ(a.status, 202) << a.Dump();
  EXPECT_EQ(a.body["workload"]["jobschedule"]["enabled"], false);
  EXPECT_FALSE(a.body["workload"]["jobschedule"].contains("nextrun"));
  // Serial by id, in upper case.
  json serial = WorkloadBody({kVmA2});
  serial["workload"]["workload_type_id"] = AsciiUpper(kSerialType);
  Answer b = h.Post(h.P(kProjectA, "/workloads"), kTokMemberA, serial);
  ASSERT_EQ(b.status, 202) << b.Dump();
  EXPECT_EQ(b.body["workload"]["workload_type_id"], kSerialType);
}

TEST_F(ApiV1Test, CreateWorkloadRefusals) {
  const std::string url = h.P(kProjectA, "/workloads");
  auto expect400 = [&](json body, std::string_view what) {
    Answer a = h.Post(url, kTokMemberA, body);
    EXPECT_TRUE(IsFault(a, 400, "badRequest")) << what;
    EXPECT_NE(FaultMessage(a).find(std::string(what)), std::string::npos) << a.Dump();
  };
  expect400(json::object(), "'workload'");
  json no_instances = WorkloadBody({});
  no_instances["workload"].erase("instances");
  expect400(no_instances, "instances");
  expect400(WorkloadBody({}), "at least one");
  expect400(WorkloadBody({kVmB1}), "does not exist");        // another project's server
  expect400(WorkloadBody({"not-a-uuid"}), "not a server id");
  expect400(WorkloadBody({kVmA1, kVmA1}), "twice");
  json bad_type = WorkloadBody({kVmA1});
  bad_type["workload"]["workload_type_id"] = "00000000-0000-4000-8000-000000000000";
  expect400(bad_type, "does not exist");
  json bad_schedule = WorkloadBody({kVmA1});
  bad_schedule["workload"]["jobschedule"]["interval"] = "often";
  expect400(bad_schedule, "interval");
  json bad_enabled = WorkloadBody({kVmA1});
  bad_enabled["workload"]["jobschedule"]["enabled"] = "maybe";
  expect400(bad_enabled, "enabled");
  json encrypted = WorkloadBody({kVmA1});
  encrypted["workload"]["encryption"] = true;
  expect400(encrypted, "encryption");
  EXPECT_TRUE(IsFault(h.Do("POST", url, kTokMemberA, ""), 400, "badRequest"));
  EXPECT_TRUE(IsFault(h.Do("POST", url, kTokMemberA, "{\"workload\": "), 400, "badRequest"));
  EXPECT_TRUE(IsFault(h.Do("POST", url, kTokMemberA, "[]"), 400, "badRequest"));
  // Nova down: 503, not 500.
  EXPECT_TRUE(IsFault(h.Post(url, kTokMemberA, WorkloadBody({kVmNovaDown})), 503, "serviceUnavailable"));
  // A server already protected by another workload.
  h.CreateWorkload(kTokMemberA, {kVmA1});
  expect400(WorkloadBody({kVmA1}), "already protected");
  EXPECT_EQ(h.CountWorkloads(), 1u);
  EXPECT_EQ(h.CountJobs(), 1u);
}

TEST_F(ApiV1Test, ReaderCannotCreateAndGetsThePolicyMessage) {
  Answer a = h.Post(h.P(kProjectA, "/workloads"), kTokReaderA, WorkloadBody({kVmA1}));
  ASSERT_TRUE(IsFault(a, 403, "forbidden"));
  EXPECT_EQ(FaultMessage(a), "Policy doesn't allow workload:workload_create to be performed.");
  EXPECT_EQ(h.CountWorkloads(), 0u);
}

TEST_F(ApiV1Test, ShowListAndOtherProjects) {
  const std::string wid = h.CreateWorkload(kTokMemberA, {kVmA1}, "alpha");
  const std::string wb = h.CreateWorkload(kTokMemberB, {kVmB1}, "beta");
  Answer show = h.Get(h.P(kProjectA, "/workloads/" + wid), kTokReaderA);
  ASSERT_EQ(show.status, 200) << show.Dump();
  EXPECT_EQ(show.body["workload"]["id"], wid);
  EXPECT_EQ(show.body["workload"]["storage_usage"], (json{{"usage", 0}, {"snapshots", 0}}));
  EXPECT_TRUE(show.body["workload"].contains("availability_zone"));
  EXPECT_TRUE(show.body["workload"].contains("error_msg"));
  // Upper-case id works too.
  EXPECT_EQ(h.Get(h.P(kProjectA, "/workloads/" + AsciiUpper(wid)), kTokMemberA).status, 200);
  // Another project's workload is not found (not forbidden), in either URL.
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectB, "/workloads/" + wid), kTokMemberB), 404, "itemNotFound"));
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectA, "/workloads/" + wb), kTokMemberA), 404, "itemNotFound"));
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectA, "/workloads/garbage"), kTokMemberA), 404, "itemNotFound"));
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectA, "/workloads/00000000-0000-4000-8000-000000000000"), kTokMemberA), 404,
                      "itemNotFound"));

  Answer list = h.Get(h.P(kProjectA, "/workloads"), kTokMemberA);
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body["workloads"].size(), 1u);
  EXPECT_EQ(list.body["workloads"][0]["id"], wid);
  EXPECT_FALSE(list.body["workloads"][0].contains("jobschedule"));
  Answer detail = h.Get(h.P(kProjectA, "/workloads/detail"), kTokMemberA);
  ASSERT_EQ(detail.status, 200);
  EXPECT_TRUE(detail.body["workloads"][0].contains("jobschedule"));
}

TEST_F(ApiV1Test, AllWorkloadsForAdminOnly) {
  const std::string wa = h.CreateWorkload(kTokMemberA, {kVmA1});
  const std::string wb = h.CreateWorkload(kTokMemberB, {kVmB1});
  auto ids = [](const Answer& a) {
    std::set<std::string> out;
    for (const auto& w : a.body["workloads"]) out.insert(w["id"].get<std::string>());
    return out;
  };
  Answer admin = h.Get(h.P(kAdminProject, "/workloads?all_workloads=True"), kTokAdmin);
  ASSERT_EQ(admin.status, 200) << admin.Dump();
  EXPECT_EQ(ids(admin), (std::set<std::string>{wa, wb}));
  Answer admin_b = h.Get(h.P(kAdminProject, std::string("/workloads?project_id=") + kProjectB), kTokAdmin);
  EXPECT_EQ(ids(admin_b), (std::set<std::string>{wb}));
  Answer admin_own = h.Get(h.P(kAdminProject, "/workloads"), kTokAdmin);
  EXPECT_TRUE(ids(admin_own).empty());
  // A member asking for all workloads gets only its own project's, never others'.
  Answer member = h.Get(h.P(kProjectA, "/workloads?all_workloads=True"), kTokMemberA);
  EXPECT_TRUE(member.status == 200 || member.status == 403) << member.Dump();
  if (member.status == 200) {
    EXPECT_EQ(ids(member), (std::set<std::string>{wa}));
  }
  Answer member_b = h.Get(h.P(kProjectA, std::string("/workloads?project_id=") + kProjectB), kTokMemberA);
  EXPECT_FALSE(ids(member_b).contains(wb));
  EXPECT_TRUE(IsFault(h.Get(h.P(kProjectA, "/workloads?all_workloads=maybe"), kTokMemberA), 400, "badRequest"));
}

TEST_F(ApiV1Test, Pagination) {
  std::vector<std::string> created;
  for (const char* vm : {kVmA1, kVmA2, kVmA3, kVmA4}) created.push_back(h.CreateWorkload(kTokMemberA, {vm}));
  Answer first = h.Get(h.P(kProjectA, "/workloads?limit=3"), kTokMemberA);
  ASSERT_EQ(first.status, 200) << first.Dump();
  ASSERT_EQ(first.body["workloads"].size(), 3u);
  const std::string marker = first.body["workloads"][2]["id"];
  Answer rest = h.Get(h.P(kProjectA, "/workloads?limit=3&marker=" + marker), kTokMemberA);
  ASSERT_EQ(rest.status, 200) << rest.Dump();
  ASSERT_EQ(rest.body["workloads"].size(), 1u);
  std::set<std::string> seen;
  for (const auto& w : first.body["workloads"]) seen.insert(w["id"]);
  seen.insert(rest.body["workloads"][0]["id"].get<std::string>());
  EXPECT_EQ(seen, std::set<std::string>(created.begin(), created.end()));
  EXPECT_EQ(h.Get(h.P(kProjectA, "/workloads?limit=0"), kTokMemberA).body["workloads"].size(), 4u);
  for (const char* bad : {"limit=-1", "limit=abc", "limit=1.5", "limit=99999999999999999999", "marker=garbage",
                          "marker=00000000-0000-4000-8000-000000000000"}) {
    Answer a = h.Get(h.P(kProjectA, std::string("/workloads?") + bad), kTokMemberA);
    EXPECT_TRUE(IsFault(a, 400, "badRequest")) << bad;
  }
  // Another project's id as the marker is answered as an unknown one: no oracle.
  const std::string other = h.CreateWorkload(kTokMemberB, {kVmB1});
  Answer foreign = h.Get(h.P(kProjectA, "/workloads?marker=" + other), kTokMemberA);
  EXPECT_TRUE(IsFault(foreign, 400, "badRequest")) << foreign.Dump();
}

TEST_F(ApiV1Test, UpdateWorkloadPartialBodies) {
  const std::string wid = h.CreateWorkload(kTokMemberA, {kVmA1}, "before");
  h.MarkWorkloadAvailable(wid);
  const std::string url = h.P(kProjectA, "/workloads/" + wid + "?is_admin_dashboard=False");
  Answer before = h.Get(h.P(kProjectA, "/workloads/" + wid), kTokMemberA);
  // "jobschedule": {} leaves the schedule as it was.
  Answer a = h.Put(url, kTokMemberA, {{"workload", {{"name", "after"}, {"jobschedule", json::object()}}}});
  ASSERT_EQ(a.status, 200) << a.Dump();
  EXPECT_EQ(a.body["workload"]["name"], "after");
  EXPECT_EQ(a.body["workload"]["description"], "a test workload");
  EXPECT_EQ(a.body["workload"]["jobschedule"], before.body["workload"]["jobschedule"]);
  // Disable: nextrun goes away.
  Answer off = h.Put(url, kTokMemberA, {{"workload", {{"jobschedule", {{"enabled", "False"}}}}}});
  ASSERT_EQ(off.status, 200) << off.Dump();
  EXPECT_EQ(off.body["workload"]["jobschedule"]["enabled"], false);
  EXPECT_FALSE(off.body["workload"]["jobschedule"].contains("nextrun"));
  // Instances replace the VM set.
  Answer vms = h.Put(url, kTokMemberA,
                     {{"workload", {{"instances", json::array({{{"instance-id", kVmA2}}, {{"instance-id", kVmA3}}})}}}});
  ASSERT_EQ(vms.status, 200) << vms.Dump();
  std::set<std::string> ids;
  for (const auto& i : vms.body["workload"]["instances"]) ids.insert(i["id"]);
  EXPECT_EQ(ids, (std::set<std::string>{kVmA2, kVmA3}));
  // kVmA1 is free again.
  EXPECT_FALSE(h.CreateWorkload(kTokMemberA, {kVmA1}).empty());
  // Refusals.
  EXPECT_TRUE(IsFault(h.Put(url, kTokReaderA, {{"workload", {{"name", "x"}}}}), 403, "forbidden"));
  EXPECT_TRUE(IsFault(h.Put(url, kTokMemberA, {{"workload", {{"name", 5}}}}), 400, "badRequest"));
  EXPECT_TRUE(IsFault(h.Do("PUT", url, kTokMemberA, ""), 400, "badRequest"));
  EXPECT_TRUE(IsFault(h.Put(h.P(kProjectB, "/workloads/" + wid), kTokMemberB, {{"workload", {{"name", "x"}}}}), 404,
                      "itemNotFound"));
  Answer after = h.Get(h.P(kProjectA, "/workloads/" + wid), kTokMemberA);
  EXPECT_EQ(after.body["workload"]["name"], "after");
}

TEST_F(ApiV1Test, SnapshotWorkloadAndTheLock) {
  const std::string wid = h.CreateWorkload(kTokMemberA, {kVmA1, kVmA2});
  const std::string url = h.P(kProjectA, "/workloads/" + wid);
  // Still creating: 409.
  EXPECT_TRUE(IsFault(h.Do("POST", url, kTokMemberA), 409, "conflict"));
  h.MarkWorkloadAvailable(wid);
  // No body at all, as clients send.
  Answer first = h.Do("POST", url, kTokMemberA);
  ASSERT_EQ(first.status, 202) << first.Dump();
  const json& s = first.body["snapshot"];
  EXPECT_EQ(s["status"], "creating");
  EXPECT_EQ(s["snapshot_type"], "full");
  EXPECT_EQ(s["workload_id"], wid);
  EXPECT_EQ(s["name"], "snapshot");
  EXPECT_TRUE(HasMicroseconds(s["created_at"]));
  auto w = db::WorkloadRepository(h.db()).Get(wid);
  EXPECT_EQ(w->status, "locked");
  // A second snapshot while locked: 409.
  Answer second = h.Post(url, kTokMemberA, {{"snapshot", {{"name", "again"}}}});
  EXPECT_TRUE(IsFault(second, 409, "conflict"));
  EXPECT_NE(FaultMessage(second).find("already running"), std::string::npos);
  db::JobFilter filter;
  filter.kind = "snapshot_create";
  auto jobs = db::JobRepository(h.db()).List(filter);
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ((*jobs)[0].object_id, s["id"]);
  EXPECT_EQ((*jobs)[0].payload["full"], false);
  // Readers may not snapshot.
  Answer reader = h.Do("POST", url, kTokReaderA);
  EXPECT_EQ(FaultMessage(reader), "Policy doesn't allow workload:workload_snapshot to be performed.");
}

TEST_F(ApiV1Test, SnapshotTypeFromQueryAndBody) {
  const std::string wid = h.CreateWorkload(kTokMemberA, {kVmA1});
  h.MarkWorkloadAvailable(wid);
  h.AddAvailableSnapshot(wid);
  const std::string url = h.P(kProjectA, "/workloads/" + wid);
  // A body key "full" is ignored: incremental.
  Answer a = h.Post(url, kTokMemberA, {{"snapshot", {{"name", "n"}, {"full", true}, {"is_scheduled", "False"}}}});
  ASSERT_EQ(a.status, 202) << a.Dump();
  EXPECT_EQ(a.body["snapshot"]["snapshot_type"], "incremental");
  EXPECT_EQ(a.body["snapshot"]["is_scheduled"], false);
  h.MarkWorkloadAvailable(wid);
  Answer b = h.Do("POST", url + "?full=1", kTokMemberA, R"({"snapshot": {"name": "f"}})");
  ASSERT_EQ(b.status, 202) << b.Dump();
  EXPECT_EQ(b.body["snapshot"]["snapshot_type"], "full");
  h.MarkWorkloadAvailable(wid);
  Answer c = h.Post(url, kTokMemberA, {{"snapshot", {{"snapshot_type", "full"}}}});
  ASSERT_EQ(c.status, 202) << c.Dump();
  EXPECT_EQ(c.body["snapshot"]["snapshot_type"], "full");
  h.MarkWorkloadAvailable(wid);
  EXPECT_TRUE(IsFault(h.Post(url, kTokMemberA, {{"snapshot", {{"snapshot_type", "sideways"}}}}), 400, "badRequest"));
  EXPECT_TRUE(IsFault(h.Do("POST", url + "?full=perhaps", kTokMemberA), 400, "badRequest"));
  EXPECT_TRUE(IsFault(h.Post(url, kTokMemberA, {{"snapshot", "x"}}), 400, "badRequest"));
}

TEST_F(ApiV1Test, QuotaExceededIs413) {
  auto quota = [&](std::string_view type, int64_t value) {
    db::AllowedQuota q;
    q.project_id = kProjectA;
    q.quota_type_id = std::string(type);
    q.allowed_value = value;
    q.high_watermark = value;
    ASSERT_TRUE(db::QuotaRepository(h.db()).Create(q).ok());
  };
  quota(db::kQuotaTypeWorkloadsId, 1);
  quota(db::kQuotaTypeSnapshotsId, 1);
  const std::string wid = h.CreateWorkload(kTokMemberA, {kVmA1});
  Answer over = h.Post(h.P(kProjectA, "/workloads"), kTokMemberA, WorkloadBody({kVmA2}));
  ASSERT_TRUE(IsFault(over, 413, "overLimit"));
  EXPECT_NE(FaultMessage(over).find("Workloads"), std::string::npos);
  EXPECT_EQ(h.CountWorkloads(), 1u);
  h.MarkWorkloadAvailable(wid);
  EXPECT_EQ(h.Do("POST", h.P(kProjectA, "/workloads/" + wid), kTokMemberA).status, 202);
  h.MarkWorkloadAvailable(wid);
  EXPECT_TRUE(IsFault(h.Do("POST", h.P(kProjectA, "/workloads/" + wid), kTokMemberA), 413, "overLimit"));
  // The refused snapshot left the workload available.
  EXPECT_EQ(db::WorkloadRepository(h.db()).Get(wid)->status, "available");
}

// Storage: a snapshot needs room beyond what the project's snapshots use.
TEST_F(ApiV1Test, StorageQuotaRefusesSnapshotsWhenFull) {
  const std::string wid = h.CreateWorkload(kTokMemberA, {kVmA1});
  h.MarkWorkloadAvailable(wid);
  h.AddAvailableSnapshot(wid);  // 1 MiB on the target
  db::AllowedQuota q;
  q.project_id = kProjectA;
  q.quota_type_id = std::string(db::kQuotaTypeStorageId);
  q.allowed_value = 1 << 20;
  q.high_watermark = 1 << 20;
  auto created = db::QuotaRepository(h.db()).Create(q);
  ASSERT_TRUE(created.ok());
  Answer full = h.Do("POST", h.P(kProjectA, "/workloads/" + wid), kTokMemberA);
  ASSERT_TRUE(IsFault(full, 413, "overLimit")) << full.Dump();
  EXPECT_NE(FaultMessage(full).find("Storage"), std::string::npos);
  db::AllowedQuotaUpdate more;
  more.allowed_value = 2 << 20;
  more.high_watermark = 2 << 20;
  ASSERT_TRUE(db::QuotaRepository(h.db()).Update(created->id, more).ok());
  EXPECT_EQ(h.Do("POST", h.P(kProjectA, "/workloads/" + wid), kTokMemberA).status, 202);
}

TEST_F(ApiV1Test, VmQuotaOnCreateAndModify) {
  db::AllowedQuota q;
  q.project_id = kProjectA;
  q.quota_type_id = std::string(db::kQuotaTypeVmsId);
  q.allowed_value = 2;
  q.high_watermark = 2;
  ASSERT_TRUE(db::QuotaRepository(h.db()).Create(q).ok());
  EXPECT_TRUE(IsFault(h.Post(h.P(kProjectA, "/workloads"), kTokMemberA, WorkloadBody({kVmA1, kVmA2, kVmA3})), 413,
                      "overLimit"));
  const std::string wid = h.CreateWorkload(kTokMemberA, {kVmA1, kVmA2});
  h.MarkWorkloadAvailable(wid);
  EXPECT_TRUE(IsFault(h.Put(h.P(kProjectA, "/workloads/" + wid), kTokMemberA,
                            {{"workload", {{"instances", json::array({{{"instance-id", kVmA1}},
                                                                       {{"instance-id", kVmA2}},
                                                                       {{"instance-id", kVmA3}}})}}}}),
                      413, "overLimit"));
}

// The VMs quota of an update is checked in the transaction that writes it: a
// refused update changes nothing (not even the name sent with it), and a swap
// that keeps the count within the quota passes.
TEST_F(ApiV1Test, VmQuotaOnModifyIsAllOrNothing) {
  const std::string wid = h.CreateWorkload(kTokMemberA, {kVmA1, kVmA2}, "before");
  h.MarkWorkloadAvailable(wid);
  db::AllowedQuota q;
  q.project_id = kProjectA;
  q.quota_type_id = std::string(db::kQuotaTypeVmsId);
  q.allowed_value = 2;
  q.high_watermark = 2;
  ASSERT_TRUE(db::QuotaRepository(h.db()).Create(q).ok());
  EXPECT_TRUE(IsFault(h.Put(h.P(kProjectA, "/workloads/" + wid), kTokMemberA,
                            {{"workload", {{"name", "after"},
                                           {"instances", json::array({{{"instance-id", kVmA1}},
                                                                      {{"instance-id", kVmA2}},
                                                                      {{"instance-id", kVmA3}}})}}}}),
                      413, "overLimit"));
  auto w = db::WorkloadRepository(h.db()).Get(wid);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->name, "before");
  EXPECT_EQ(w->vms.size(), 2u);
  Answer swap = h.Put(h.P(kProjectA, "/workloads/" + wid), kTokMemberA,
                      {{"workload", {{"instances", json::array({{{"instance-id", kVmA1}}, {{"instance-id", kVmA3}}})}}}});
  ASSERT_EQ(swap.status, 200) << swap.Dump();
  w = db::WorkloadRepository(h.db()).Get(wid);
  ASSERT_TRUE(w.ok());
  std::set<std::string> vms;
  for (const auto& vm : w->vms) vms.insert(vm.vm_id);
  EXPECT_EQ(vms, (std::set<std::string>{kVmA1, kVmA3}));
}

TEST_F(ApiV1Test, DeleteWorkload) {
  const std::string wid = h.CreateWorkload(kTokMemberA, {kVmA1});
  EXPECT_TRUE(IsFault(h.Delete(h.P(kProjectA, "/workloads/" + wid), kTokReaderA), 403, "forbidden"));
  EXPECT_TRUE(IsFault(h.Delete(h.P(kProjectB, "/workloads/" + wid), kTokMemberB), 404, "itemNotFound"));
  Answer a = h.Delete(h.P(kProjectA, "/workloads/" + wid + "?database_only=True"), kTokMemberA);
  ASSERT_EQ(a.status, 202) << a.Dump();
  auto w = db::WorkloadRepository(h.db()).Get(wid);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->status, "deleting");  // the engine deletes it
  db::JobFilter filter;
  filter.kind = "workload_delete";
  auto jobs = db::JobRepository(h.db()).List(filter);
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ((*jobs)[0].payload["database_only"], true);
  // Twice: 409.
  EXPECT_TRUE(IsFault(h.Delete(h.P(kProjectA, "/workloads/" + wid), kTokMemberA), 409, "conflict"));
  EXPECT_TRUE(IsFault(h.Delete(h.P(kProjectA, "/workloads/" + wid + "?database_only=perhaps"), kTokMemberA), 400,
                      "badRequest"));
}

TEST_F(ApiV1Test, DeleteWhileLockedIs409) {
  const std::string wid = h.CreateWorkload(kTokMemberA, {kVmA1});
  h.MarkWorkloadAvailable(wid);
  ASSERT_EQ(h.Do("POST", h.P(kProjectA, "/workloads/" + wid), kTokMemberA).status, 202);
  Answer a = h.Delete(h.P(kProjectA, "/workloads/" + wid), kTokMemberA);
  ASSERT_TRUE(IsFault(a, 409, "conflict"));
  EXPECT_NE(FaultMessage(a).find("locked"), std::string::npos) << a.Dump();
}

// instances change only on an available or failed workload (docs/api.md).
TEST_F(ApiV1Test, InstancesChangeOnlyWhenAvailableOrError) {
  const std::string wid = h.CreateWorkload(kTokMemberA, {kVmA1});
  const std::string url = h.P(kProjectA, "/workloads/" + wid);
  const json body = {{"workload", {{"instances", json::array({{{"instance-id", kVmA2}}})}}}};
  EXPECT_TRUE(IsFault(h.Put(url, kTokMemberA, body), 409, "conflict"));  // still creating
  db::WorkloadUpdate failed;
  failed.status = "error";
  ASSERT_TRUE(db::WorkloadRepository(h.db()).Update(wid, failed).ok());
  Answer a = h.Put(url, kTokMemberA, body);
  ASSERT_EQ(a.status, 200) << a.Dump();
  ASSERT_EQ(a.body["workload"]["instances"].size(), 1u);
}

// unlock: locked or error -> available; 409 in other states (docs/api.md).
TEST_F(ApiV1Test, UnlockFromErrorAndRefusedWhileCreating) {
  const std::string wid = h.CreateWorkload(kTokMemberA, {kVmA1});
  const std::string url = h.P(kProjectA, "/workloads/" + wid + "/unlock");
  EXPECT_TRUE(IsFault(h.Do("POST", url, kTokMemberA), 409, "conflict"));
  // The create job failed on an engine: the workload is in error.
  db::JobRepository jobs(h.db());
  auto create = jobs.ClaimNext("engine-1", 60);
  ASSERT_TRUE(create.ok() && create->has_value());
  ASSERT_TRUE(jobs.Finish((*create)->id, "engine-1", "error", "VM gone").ok());
  db::WorkloadUpdate failed;
  failed.status = "error";
  ASSERT_TRUE(db::WorkloadRepository(h.db()).Update(wid, failed).ok());
  ASSERT_EQ(h.Do("POST", url, kTokMemberA).status, 202);
  EXPECT_EQ(db::WorkloadRepository(h.db()).Get(wid)->status, "available");
}

TEST_F(ApiV1Test, PauseResumeUnlockReset) {
  const std::string wid = h.CreateWorkload(kTokMemberA, {kVmA1});
  h.MarkWorkloadAvailable(wid);
  const std::string base = h.P(kProjectA, "/workloads/" + wid);
  ASSERT_EQ(h.Do("POST", base + "/pause", kTokMemberA).status, 202);
  Answer paused = h.Get(base, kTokMemberA);
  EXPECT_EQ(paused.body["workload"]["jobschedule"]["enabled"], false);
  EXPECT_FALSE(paused.body["workload"]["jobschedule"].contains("nextrun"));
  ASSERT_EQ(h.Do("POST", base + "/resume", kTokMemberA).status, 202);
  Answer resumed = h.Get(base, kTokMemberA);
  EXPECT_EQ(resumed.body["workload"]["jobschedule"]["enabled"], true);
  EXPECT_TRUE(resumed.body["workload"]["jobschedule"].contains("nextrun"));
  EXPECT_EQ(FaultMessage(h.Do("POST", base + "/pause", kTokReaderA)),
            "Policy doesn't allow workload:workload_pause to be performed.");
  // A locked workload whose snapshot is queued: unlock and reset are 409s
  // naming the job (the lock is the job's; docs/api.md).
  Answer taken = h.Do("POST", base, kTokMemberA);
  ASSERT_EQ(taken.status, 202);
  const std::string sid = taken.body["snapshot"]["id"];
  for (const char* action : {"/unlock", "/reset"}) {
    Answer refused = h.Do("POST", base + action, kTokMemberA);
    EXPECT_TRUE(IsFault(refused, 409, "conflict")) << action << " " << refused.Dump();
    EXPECT_NE(FaultMessage(refused).find("snapshot_create of " + sid), std::string::npos) << FaultMessage(refused);
  }
  EXPECT_EQ(db::WorkloadRepository(h.db()).Get(wid)->status, "locked");
  EXPECT_EQ(h.CountJobs("workload_reset"), 0u);
  // Once the job has ended (here: cancelled while queued), both work.
  ASSERT_EQ(h.Do("POST", h.P(kProjectA, "/snapshots/" + sid + "/cancel"), kTokMemberA).status, 202);
  ASSERT_EQ(h.Do("POST", base + "/unlock", kTokMemberA).status, 202);
  EXPECT_EQ(db::WorkloadRepository(h.db()).Get(wid)->status, "available");
  // Reset queues a job, no body needed.
  ASSERT_EQ(h.Do("POST", base + "/reset", kTokMemberA).status, 202);
  EXPECT_EQ(h.CountJobs("workload_reset"), 1u);
  EXPECT_TRUE(IsFault(h.Do("POST", h.P(kProjectB, "/workloads/" + wid + "/reset"), kTokMemberB), 404,
                      "itemNotFound"));
  EXPECT_EQ(h.CountJobs("workload_reset"), 1u);
}

// A job whose engine stopped (its lease ran out, no engine took it over):
// an admin's reset ends it and cleans up; a member's reset, and an admin's
// while the engine is alive, are 409s.
TEST_F(ApiV1Test, AdminResetEndsTheJobOfAStoppedEngine) {
  const std::string wid = h.CreateWorkload(kTokMemberA, {kVmA1});
  h.MarkWorkloadAvailable(wid);
  const std::string base = h.P(kProjectA, "/workloads/" + wid);
  ASSERT_EQ(h.Do("POST", base, kTokMemberA).status, 202);
  db::JobRepository jobs(h.db());
  auto alive = jobs.ClaimNext("engine-1:1:0", 60, h.clock().Now());
  ASSERT_TRUE(alive.ok() && alive->has_value());
  EXPECT_TRUE(IsFault(h.Do("POST", base + "/reset", kTokAdmin), 409, "conflict"));
  // The engine stops: no heartbeat for longer than its lease.
  h.clock().Advance(std::chrono::minutes(5));
  EXPECT_TRUE(IsFault(h.Do("POST", base + "/reset", kTokMemberA), 409, "conflict"));
  EXPECT_TRUE(IsFault(h.Do("POST", base + "/unlock", kTokAdmin), 409, "conflict"));
  Answer reset = h.Do("POST", base + "/reset", kTokAdmin);
  ASSERT_EQ(reset.status, 202) << reset.Dump();
  auto ended = jobs.Get((*alive)->id);
  EXPECT_EQ(ended->status, "error");
  EXPECT_NE(ended->error.find("engine-1:1:0"), std::string::npos) << ended->error;
  EXPECT_FALSE(ended->payload.contains(db::kAuthTokenKey));
  EXPECT_EQ(h.CountJobs("workload_reset"), 1u);
  // The dead engine, should it come back, has lost the job.
  EXPECT_EQ(jobs.Heartbeat((*alive)->id, "engine-1:1:0").code(), ErrorCode::kConflict);
}

// The user's token is stored only in the jobs that act as the user, and is
// dropped however the job ends (here: a queued snapshot cancelled).
TEST_F(ApiV1Test, OnlyJobsActingAsTheUserCarryTheirToken) {
  const std::string wid = h.CreateWorkload(kTokMemberA, {kVmA1});
  h.MarkWorkloadAvailable(wid);
  const std::string base = h.P(kProjectA, "/workloads/" + wid);
  Answer taken = h.Do("POST", base, kTokMemberA);
  ASSERT_EQ(taken.status, 202);
  const std::string sid = taken.body["snapshot"]["id"];
  ASSERT_EQ(h.Do("POST", h.P(kProjectA, "/snapshots/" + sid + "/cancel"), kTokMemberA).status, 202);
  ASSERT_EQ(h.Do("POST", base + "/reset", kTokAdmin).status, 202);
  auto all = db::JobRepository(h.db()).List();
  ASSERT_TRUE(all.ok());
  // workload_create (ended by the harness), snapshot_create (cancelled while
  // queued), workload_reset (queued).
  ASSERT_EQ(all->size(), 3u);
  for (const auto& job : *all) {
    if (job.status == "queued") {
      EXPECT_EQ(job.payload.contains(db::kAuthTokenKey), db::JobActsAsUser(job.kind)) << job.kind;
    } else {
      EXPECT_FALSE(job.payload.contains(db::kAuthTokenKey)) << job.kind << " " << job.status;
    }
  }
}

TEST_F(ApiV1Test, PolicyIdOnCreate) {
  db::Policy p;
  p.name = "gold";
  p.field_values = {{"interval", "12hr"}, {"retention_policy_value", "7"}};
  auto created = db::PolicyRepository(h.db()).Create(p);
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(db::PolicyRepository(h.db()).Assign(created->id, kProjectA, "").ok());
  // Policies assigned: a create without one is a 400 naming them.
  Answer none = h.Post(h.P(kProjectA, "/workloads"), kTokMemberA, WorkloadBody({kVmA1}));
  ASSERT_TRUE(IsFault(none, 400, "badRequest"));
  EXPECT_NE(FaultMessage(none).find(created->id), std::string::npos);
  json body = WorkloadBody({kVmA1});
  body["workload"]["policy_id"] = created->id;
  Answer a = h.Post(h.P(kProjectA, "/workloads"), kTokMemberA, body);
  ASSERT_EQ(a.status, 202) << a.Dump();
  EXPECT_EQ(a.body["workload"]["metadata"]["policy_id"], created->id);
  EXPECT_EQ(a.body["workload"]["jobschedule"]["interval"], "12hr");
  EXPECT_EQ(a.body["workload"]["jobschedule"]["retention_policy_value"], "7");
  // Project B has no policy: an unassigned policy id is refused.
  json b = WorkloadBody({kVmB1});
  b["workload"]["policy_id"] = created->id;
  EXPECT_TRUE(IsFault(h.Post(h.P(kProjectB, "/workloads"), kTokMemberB, b), 400, "badRequest"));
}

// On update, metadata.policy_id is checked like policy_id: a policy not
// assigned to the project is refused, an assigned one applies its values.
TEST_F(ApiV1Test, PolicyIdInMetadataOnUpdateIsChecked) {
  db::Policy p;
  p.name = "gold";
  p.field_values = {{"interval", "12hr"}};
  auto created = db::PolicyRepository(h.db()).Create(p);
  ASSERT_TRUE(created.ok());
  const std::string wb = h.CreateWorkload(kTokMemberB, {kVmB1});
  const std::string url = h.P(kProjectB, "/workloads/" + wb);
  const json body = {{"workload", {{"metadata", {{"policy_id", created->id}}}}}};
  EXPECT_TRUE(IsFault(h.Put(url, kTokMemberB, body), 400, "badRequest"));
  auto w = db::WorkloadRepository(h.db()).Get(wb);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(FindMember(w->metadata, "policy_id"), nullptr);
  ASSERT_TRUE(db::PolicyRepository(h.db()).Assign(created->id, kProjectB, "").ok());
  Answer a = h.Put(url, kTokMemberB, body);
  ASSERT_EQ(a.status, 200) << a.Dump();
  EXPECT_EQ(a.body["workload"]["metadata"]["policy_id"], created->id);
  EXPECT_EQ(a.body["workload"]["jobschedule"]["interval"], "12hr");
}

// An admin's Nova shows every project's servers: a workload still protects
// only servers of its own project.
TEST_F(ApiV1Test, AdminCannotPutAnotherProjectsServerInAWorkload) {
  Answer foreign = h.Post(h.P(kAdminProject, "/workloads"), kTokAdmin, WorkloadBody({kVmB1}));
  EXPECT_TRUE(IsFault(foreign, 400, "badRequest")) << foreign.Dump();
  EXPECT_NE(FaultMessage(foreign).find("another project"), std::string::npos);
  // Acting in B's URL, the admin creates B's workload.
  Answer for_b = h.Post(h.P(kProjectB, "/workloads"), kTokAdmin, WorkloadBody({kVmB1}));
  ASSERT_EQ(for_b.status, 202) << for_b.Dump();
  EXPECT_EQ(for_b.body["workload"]["project_id"], kProjectB);
  // Nor on update.
  const std::string wa = h.CreateWorkload(kTokMemberA, {kVmA1});
  h.MarkWorkloadAvailable(wa);
  EXPECT_TRUE(IsFault(h.Put(h.P(kProjectA, "/workloads/" + wa), kTokAdmin,
                            {{"workload", {{"instances", json::array({{{"instance-id", kVmB2}}})}}}}),
                      400, "badRequest"));
}

TEST_F(ApiV1Test, EmptyListFiltersFilterNothing) {
  h.CreateWorkload(kTokMemberA, {kVmA1});
  Answer a = h.Get(h.P(kProjectA, "/workloads?status=&name="), kTokMemberA);
  ASSERT_EQ(a.status, 200) << a.Dump();
  EXPECT_EQ(a.body["workloads"].size(), 1u);
}

}  // namespace
}  // namespace cairn::api::testing
