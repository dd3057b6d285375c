#include "engine/scheduler.h"

#include <thread>

#include <gtest/gtest.h>

#include "db/audit_repository.h"
#include "db/job_repository.h"
#include "db/quota_repository.h"
#include "db/schedule_run_repository.h"
#include "db/setting_repository.h"
#include "db/snapshot_repository.h"
#include "db/workload_repository.h"
#include "engine_db_fixture.h"

namespace cairn::engine {
namespace {

using nlohmann::json;

TimePoint At(const std::string& iso) { return ParseIso8601(iso).value(); }

// Hourly from 10:00 UTC on 03/01/2026.
json Hourly(bool enabled = true) {
  return {{"enabled", enabled}, {"start_date", "03/01/2026"}, {"start_time", "10:00 AM"},
          {"interval", "1hr"},  {"timezone", "UTC"}};
}

class SchedulerTest : public testing::EngineDbTest {
 protected:
  SchedulerPass Pass(Scheduler& scheduler, const std::string& at) {
    auto pass = scheduler.RunOnce(At(at));
    EXPECT_TRUE(pass.ok()) << pass.status().ToString();
    return pass.ok() ? *pass : SchedulerPass{};
  }
  std::vector<db::Snapshot> Snapshots(const std::string& wid) {
    db::SnapshotFilter f;
    f.workload_id = wid;
    auto list = db::SnapshotRepository(*db_).List(f);
    EXPECT_TRUE(list.ok());
    return list.ok() ? *list : std::vector<db::Snapshot>{};
  }
  std::vector<db::ScheduleRun> Runs(const std::string& wid) {
    auto list = db::ScheduleRunRepository(*db_).List(wid);
    EXPECT_TRUE(list.ok());
    return list.ok() ? *list : std::vector<db::ScheduleRun>{};
  }
  // Ends the workload's running snapshot: available again, as the engine does.
  void FinishSnapshot(const std::string& wid) {
    ASSERT_TRUE(db::WorkloadRepository(*db_).SetStatusIf(wid, {"locked"}, "available").ok());
  }
  Scheduler Unlimited() { return Scheduler(*db_, SchedulerOptions{}); }
};

TEST_F(SchedulerTest, CountsFromFirstSightThenQueuesEachDueRunOnceAsTheOwner) {
  const std::string wid = AddWorkload(Hourly());
  Scheduler scheduler = Unlimited();
  // First sight at 12:30 (runs were due since 03/01 10:00): none is taken.
  EXPECT_EQ(Pass(scheduler, "2026-03-02T12:30:00Z").queued, 0);
  ASSERT_EQ(Runs(wid).size(), 1u);
  EXPECT_EQ(Runs(wid)[0].status, "baseline");
  EXPECT_EQ(Pass(scheduler, "2026-03-02T12:59:59Z").queued, 0);

  SchedulerPass pass = Pass(scheduler, "2026-03-02T13:00:20Z");
  EXPECT_EQ(pass.workloads, 1);
  EXPECT_EQ(pass.queued, 1);
  auto snaps = Snapshots(wid);
  ASSERT_EQ(snaps.size(), 1u);
  EXPECT_TRUE(snaps[0].is_scheduled);
  EXPECT_EQ(snaps[0].name, "jobscheduler");
  EXPECT_EQ(snaps[0].snapshot_type, "full");
  EXPECT_EQ(snaps[0].user_id, "u1");
  EXPECT_NE(snaps[0].description.find("2026-03-02T13:00:00Z"), std::string::npos) << snaps[0].description;
  EXPECT_EQ(db::WorkloadRepository(*db_).Get(wid)->status, "locked");
  auto jobs = db::JobRepository(*db_).List({.object_id = snaps[0].id});
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ(jobs->front().kind, "snapshot_create");
  EXPECT_EQ(jobs->front().user_id, "u1");
  EXPECT_EQ(jobs->front().project_id, "p1");
  EXPECT_FALSE(jobs->front().payload.contains("auth_token"));  // the owner's trust acts
  EXPECT_EQ(jobs->front().payload.value("scheduled", false), true);
  EXPECT_FALSE(jobs->front().payload.contains("window_closes_at"));
  auto runs = Runs(wid);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].status, "queued");
  EXPECT_EQ(runs[0].snapshot_id, snaps[0].id);
  EXPECT_EQ(runs[0].due_at, At("2026-03-02T13:00:00Z"));

  // The same run is not taken twice; the next one is, once the first ended.
  EXPECT_EQ(Pass(scheduler, "2026-03-02T13:00:50Z").queued, 0);
  FinishSnapshot(wid);
  ASSERT_TRUE(db::SnapshotRepository(*db_).Update(snaps[0].id, {.status = std::string("available")}).ok());
  EXPECT_EQ(Pass(scheduler, "2026-03-02T14:00:05Z").queued, 1);
  snaps = Snapshots(wid);
  ASSERT_EQ(snaps.size(), 2u);
  EXPECT_EQ(snaps[0].snapshot_type, "incremental");
}

TEST_F(SchedulerTest, GlobalSwitchOffTakesNothingAndDisabledSchedulesAreLeftAlone) {
  const std::string wid = AddWorkload(Hourly());
  const std::string off = AddWorkload(Hourly(false));
  Scheduler scheduler = Unlimited();
  Pass(scheduler, "2026-03-02T12:30:00Z");
  db::Setting global;
  global.project_id = std::string(db::kGlobalProject);
  global.name = std::string(db::kGlobalJobSchedulerSetting);
  global.value = "false";
  ASSERT_TRUE(db::SettingRepository(*db_).Upsert(global).ok());
  SchedulerPass pass = Pass(scheduler, "2026-03-02T13:00:10Z");
  EXPECT_EQ(pass.workloads, 0);
  EXPECT_TRUE(Snapshots(wid).empty());
  // Switched on again: the run that passed meanwhile is caught up, once.
  global.value = "true";
  ASSERT_TRUE(db::SettingRepository(*db_).Upsert(global).ok());
  pass = Pass(scheduler, "2026-03-02T15:10:00Z");
  EXPECT_EQ(pass.workloads, 1);
  EXPECT_EQ(pass.queued, 1);
  EXPECT_NE(Runs(wid)[0].message.find("2 earlier run(s) passed"), std::string::npos) << Runs(wid)[0].message;
  EXPECT_EQ(Runs(wid)[0].due_at, At("2026-03-02T15:00:00Z"));
  EXPECT_TRUE(Snapshots(off).empty());
  EXPECT_TRUE(Runs(off).empty());
}

TEST_F(SchedulerTest, ABusyWorkloadOrAFullQuotaSkipsTheRunAndSaysWhy) {
  const std::string busy = AddWorkload(Hourly(), "locked");
  Scheduler scheduler = Unlimited();
  Pass(scheduler, "2026-03-02T12:30:00Z");
  SchedulerPass pass = Pass(scheduler, "2026-03-02T13:00:10Z");
  EXPECT_EQ(pass.skipped, 1);
  EXPECT_TRUE(Snapshots(busy).empty());
  auto runs = Runs(busy);
  EXPECT_EQ(runs[0].status, "skipped");
  EXPECT_NE(runs[0].message.find("a snapshot or restore is already running"), std::string::npos) << runs[0].message;
  auto audit = db::AuditRepository(*db_).List(std::nullopt, std::nullopt);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ(audit->front().action, "scheduled_snapshot_skipped");
  EXPECT_EQ(audit->front().object_id, busy);
  EXPECT_EQ(audit->front().details, runs[0].message);
  // Skipped, not retried: the next pass of the same hour does nothing more.
  EXPECT_EQ(Pass(scheduler, "2026-03-02T13:00:40Z").skipped, 0);

  const std::string full = AddWorkload(Hourly());
  db::AllowedQuota quota;
  quota.project_id = "p1";
  quota.quota_type_id = std::string(db::kQuotaTypeSnapshotsId);
  quota.allowed_value = 0;
  ASSERT_TRUE(db::QuotaRepository(*db_).Create(quota).ok());
  Pass(scheduler, "2026-03-02T13:30:00Z");
  FinishSnapshot(busy);  // the busy one is free now, but over the quota too
  pass = Pass(scheduler, "2026-03-02T14:00:10Z");
  EXPECT_EQ(pass.skipped, 2);
  EXPECT_NE(Runs(full)[0].message.find("Quota exceeded for Snapshots"), std::string::npos) << Runs(full)[0].message;
  EXPECT_TRUE(Snapshots(full).empty());
  EXPECT_EQ(db::WorkloadRepository(*db_).Get(full)->status, "available");  // nothing half done
}

TEST_F(SchedulerTest, OutsideTheBackupWindowARunWaitsAndALaterOneReplacesIt) {
  const std::string wid = AddWorkload(Hourly());
  Scheduler scheduler(*db_, SchedulerOptions{.window = ParseBackupWindow("22:00-06:00", "UTC").value()});
  Pass(scheduler, "2026-03-02T12:30:00Z");
  SchedulerPass pass = Pass(scheduler, "2026-03-02T13:00:10Z");
  EXPECT_EQ(pass.waiting, 1);
  EXPECT_EQ(pass.queued, 0);
  EXPECT_EQ(Runs(wid)[0].status, "waiting");
  EXPECT_NE(Runs(wid)[0].message.find("outside the backup window 22:00-06:00 UTC"), std::string::npos);
  pass = Pass(scheduler, "2026-03-02T14:00:10Z");
  EXPECT_EQ(pass.missed, 1);
  auto runs = Runs(wid);
  EXPECT_EQ(runs[0].status, "waiting");
  EXPECT_EQ(runs[1].status, "missed");
  EXPECT_NE(runs[1].message.find("did not open"), std::string::npos) << runs[1].message;
  EXPECT_TRUE(Snapshots(wid).empty());

  // 21:00's run waits; at 22:00 the window opens and 22:00's run starts
  // (21:00's was replaced), carrying when the window closes.
  Pass(scheduler, "2026-03-02T21:00:10Z");
  pass = Pass(scheduler, "2026-03-02T22:00:10Z");
  EXPECT_EQ(pass.queued, 1);
  auto snaps = Snapshots(wid);
  ASSERT_EQ(snaps.size(), 1u);
  auto jobs = db::JobRepository(*db_).List({.object_id = snaps[0].id});
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ(jobs->front().payload.value("window_closes_at", ""), "2026-03-03T06:00:00.000000Z");
  EXPECT_EQ(jobs->front().payload.value("window", ""), "22:00-06:00 UTC");
  // Such a job that has not started by then misses its window.
  EXPECT_TRUE(CheckWindowOfJob(jobs->front().payload, At("2026-03-03T05:59:59Z")).ok());
  Status late = CheckWindowOfJob(jobs->front().payload, At("2026-03-03T06:00:00Z"));
  EXPECT_EQ(late.code(), ErrorCode::kOutOfRange);
  EXPECT_NE(late.message().find("missed its backup window (22:00-06:00 UTC)"), std::string::npos) << late.message();
}

TEST_F(SchedulerTest, AWaitingRunStartsWhenTheWindowOpens) {
  const std::string wid = AddWorkload(
      {{"enabled", true}, {"start_date", "03/01/2026"}, {"start_time", "08:00 PM"}, {"interval", "24hr"}});
  Scheduler scheduler(*db_, SchedulerOptions{.window = ParseBackupWindow("22:00-23:30", "UTC").value()});
  Pass(scheduler, "2026-03-02T12:00:00Z");
  EXPECT_EQ(Pass(scheduler, "2026-03-02T20:00:30Z").waiting, 1);
  EXPECT_EQ(Pass(scheduler, "2026-03-02T21:59:30Z").waiting, 1);
  EXPECT_EQ(Pass(scheduler, "2026-03-02T22:00:30Z").queued, 1);
  EXPECT_EQ(Runs(wid)[0].due_at, At("2026-03-02T20:00:00Z"));
  EXPECT_EQ(Runs(wid)[0].status, "queued");
}

TEST_F(SchedulerTest, PauseDropsTheCountAndResumeStartsItAgain) {
  const std::string wid = AddWorkload(Hourly());
  Scheduler scheduler = Unlimited();
  Pass(scheduler, "2026-03-02T12:30:00Z");
  db::WorkloadUpdate pause;
  pause.jobschedule = Hourly(false);
  ASSERT_TRUE(db::WorkloadRepository(*db_).Update(wid, pause).ok());
  Pass(scheduler, "2026-03-02T13:00:10Z");
  EXPECT_EQ(Runs(wid)[0].status, "paused");
  db::WorkloadUpdate resume;
  resume.jobschedule = Hourly(true);
  ASSERT_TRUE(db::WorkloadRepository(*db_).Update(wid, resume).ok());
  EXPECT_EQ(Pass(scheduler, "2026-03-02T16:20:00Z").queued, 0);  // the pause's runs are not caught up
  EXPECT_EQ(Runs(wid)[0].status, "baseline");
  EXPECT_EQ(Pass(scheduler, "2026-03-02T17:00:10Z").queued, 1);
}

TEST_F(SchedulerTest, TwoSchedulersTakeEachRunOnce) {
  std::vector<std::string> ids;
  for (int i = 0; i < 8; ++i) ids.push_back(AddWorkload(Hourly()));
  Scheduler a = Unlimited();
  Scheduler b = Unlimited();
  Pass(a, "2026-03-02T12:30:00Z");
  Pass(b, "2026-03-02T12:30:01Z");
  int queued_a = 0, queued_b = 0;
  std::thread ta([&] { queued_a = Pass(a, "2026-03-02T13:00:10Z").queued; });
  std::thread tb([&] { queued_b = Pass(b, "2026-03-02T13:00:11Z").queued; });
  ta.join();
  tb.join();
  EXPECT_EQ(queued_a + queued_b, 8);
  for (const auto& wid : ids) {
    EXPECT_EQ(Snapshots(wid).size(), 1u) << wid;
    EXPECT_EQ(Runs(wid)[0].status, "queued");
  }
}

}  // namespace
}  // namespace cairn::engine
