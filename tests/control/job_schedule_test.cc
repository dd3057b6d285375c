#include "control/job_schedule.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cairn::control {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

TimePoint At(const char* iso) { return *ParseIso8601(iso); }

JobSchedule Parse(const json& input) {
  auto r = ParseJobSchedule(input, DefaultJobSchedule(At("2024-03-01T00:00:00Z")));
  EXPECT_TRUE(r.ok()) << input.dump() << ": " << r.status().ToString();
  return r.ok() ? *r : JobSchedule{};
}

std::string Error(const json& input) {
  auto r = ParseJobSchedule(input, DefaultJobSchedule(At("2024-03-01T00:00:00Z")));
  EXPECT_FALSE(r.ok()) << input.dump();
  return r.ok() ? "" : r.status().message();
}

TEST(JobScheduleTest, TheReferenceBodyIsAnsweredCanonically) {
  const json body = {{"enabled", true},
                     {"start_date", "06/05/2024"},
                     {"end_date", "No End"},
                     {"start_time", "09:00 PM"},
                     {"interval", "24hr"},
                     {"fullbackup_interval", "-1"},
                     {"retention_policy_type", "Number of Snapshots to Keep"},
                     {"retention_policy_value", "30"},
                     {"timezone", "UTC"}};
  const json out = JobScheduleToJson(Parse(body), At("2024-06-05T20:00:00Z"));
  json expected = body;
  expected["nextrun"] = 3600;
  EXPECT_EQ(out, expected);
}

TEST(JobScheduleTest, LenientSpellingsGiveOneCanonicalForm) {
  const JobSchedule a = Parse({{"enabled", "True"}, {"start_date", "03/01/24"}, {"start_time", "14:05:00"},
                               {"interval", "1 hr"}, {"full_backup_interval", 3},
                               {"retention_policy_value", 3},
                               {"retention_policy_type", "number of days to retain snapshots"}});
  EXPECT_TRUE(a.enabled);
  const json out = JobScheduleToJson(a, At("2024-01-01T00:00:00Z"));
  EXPECT_EQ(out["start_date"], "03/01/2024");
  EXPECT_EQ(out["start_time"], "02:05 PM");
  EXPECT_EQ(out["interval"], "1hr");
  EXPECT_EQ(out["fullbackup_interval"], "3");
  EXPECT_EQ(out["retention_policy_value"], "3");
  EXPECT_EQ(out["retention_policy_type"], "Number of days to retain Snapshots");
  EXPECT_EQ(out["enabled"], true);

  EXPECT_EQ(JobScheduleToJson(Parse({{"start_time", "10:02 AM"}}), TimePoint())["start_time"], "10:02 AM");
  EXPECT_EQ(JobScheduleToJson(Parse({{"start_time", "12:00am"}}), TimePoint())["start_time"], "12:00 AM");
  EXPECT_EQ(JobScheduleToJson(Parse({{"start_time", "12:30 PM"}}), TimePoint())["start_time"], "12:30 PM");
  EXPECT_EQ(JobScheduleToJson(Parse({{"interval", "30min"}}), TimePoint())["interval"], "30min");
  EXPECT_EQ(JobScheduleToJson(Parse({{"interval", "90 minutes"}}), TimePoint())["interval"], "90min");
  EXPECT_EQ(JobScheduleToJson(Parse({{"interval", "2 hours"}}), TimePoint())["interval"], "2hr");
  EXPECT_EQ(JobScheduleToJson(Parse({{"start_date", "2024-12-31"}}), TimePoint())["start_date"], "12/31/2024");
}

TEST(JobScheduleTest, EmptyObjectLeavesTheBaseAlone) {
  JobSchedule base = Parse({{"enabled", true}, {"interval", "6hr"}, {"timezone", "Europe/Paris"}});
  auto same = ParseJobSchedule(json::object(), base);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(JobScheduleToJson(*same, TimePoint()), JobScheduleToJson(base, TimePoint()));
  // nextrun and unknown keys are ignored on input.
  EXPECT_TRUE(ParseJobSchedule(json{{"nextrun", "x"}, {"color", "blue"}}, base).ok());
}

TEST(JobScheduleTest, BadValuesNameTheMember) {
  EXPECT_THAT(Error({{"enabled", "perhaps"}}), HasSubstr("'jobschedule.enabled'"));
  EXPECT_THAT(Error({{"start_date", "13/01/2024"}}), HasSubstr("'jobschedule.start_date'"));
  EXPECT_THAT(Error({{"start_date", "02/30/2024"}}), HasSubstr("start_date"));
  EXPECT_THAT(Error({{"start_date", 20240301}}), HasSubstr("start_date"));
  EXPECT_THAT(Error({{"start_time", "25:00"}}), HasSubstr("start_time"));
  EXPECT_THAT(Error({{"start_time", "13:00 PM"}}), HasSubstr("start_time"));
  EXPECT_THAT(Error({{"interval", "fortnightly"}}), HasSubstr("interval"));
  EXPECT_THAT(Error({{"interval", "2 weeks"}}), HasSubstr("unknown unit"));
  EXPECT_THAT(Error({{"interval", "1min"}}), HasSubstr("out of range"));
  EXPECT_THAT(Error({{"fullbackup_interval", -2}}), HasSubstr("fullbackup_interval"));
  EXPECT_THAT(Error({{"retention_policy_type", "forever"}}), HasSubstr("retention_policy_type"));
  EXPECT_THAT(Error({{"retention_policy_value", 0}}), HasSubstr("retention_policy_value"));
  EXPECT_THAT(Error({{"timezone", "Mars/Olympus"}}), HasSubstr("timezone"));
  EXPECT_THAT(Error({{"start_date", "03/10/2024"}, {"end_date", "03/01/2024"}}), HasSubstr("before start_date"));
  EXPECT_THAT(Error(json::array()), HasSubstr("expected an object"));
}

TEST(JobScheduleTest, DisabledHasNoNextRun) {
  const JobSchedule s = Parse({{"enabled", false}});
  EXPECT_FALSE(NextRun(s, At("2024-03-01T00:00:00Z")).has_value());
  EXPECT_FALSE(JobScheduleToJson(s, At("2024-03-01T00:00:00Z")).contains("nextrun"));
}

TEST(JobScheduleTest, NextRunStepsWholeIntervalsFromTheStart) {
  const JobSchedule s =
      Parse({{"enabled", true}, {"start_date", "03/01/2024"}, {"start_time", "09:00 PM"}, {"interval", "6hr"}});
  EXPECT_EQ(*NextRun(s, At("2024-02-20T00:00:00Z")), At("2024-03-01T21:00:00Z"));
  EXPECT_EQ(*NextRun(s, At("2024-03-01T21:00:00Z")), At("2024-03-02T03:00:00Z"));  // strictly after
  EXPECT_EQ(*NextRun(s, At("2024-03-01T20:59:59Z")), At("2024-03-01T21:00:00Z"));
  EXPECT_EQ(*NextRun(s, At("2024-03-05T10:30:00Z")), At("2024-03-05T15:00:00Z"));
}

TEST(JobScheduleTest, DailyRunKeepsItsWallClockTimeAcrossDaylightSaving) {
  // Europe/Paris moved from UTC+1 to UTC+2 on 2024-03-31.
  const JobSchedule s = Parse({{"enabled", true}, {"start_date", "03/29/2024"}, {"start_time", "10:00 PM"},
                               {"interval", "24hr"}, {"timezone", "Europe/Paris"}});
  EXPECT_EQ(*NextRun(s, At("2024-03-29T12:00:00Z")), At("2024-03-29T21:00:00Z"));
  EXPECT_EQ(*NextRun(s, At("2024-03-31T12:00:00Z")), At("2024-03-31T20:00:00Z"));
}

TEST(JobScheduleTest, EndDateEndsTheSchedule) {
  const JobSchedule s = Parse({{"enabled", true}, {"start_date", "03/01/2024"}, {"end_date", "03/02/2024"},
                               {"start_time", "12:00 PM"}, {"interval", "24hr"}});
  EXPECT_EQ(*NextRun(s, At("2024-03-01T13:00:00Z")), At("2024-03-02T12:00:00Z"));
  EXPECT_FALSE(NextRun(s, At("2024-03-02T13:00:00Z")).has_value());
  EXPECT_EQ(JobScheduleToJson(s, At("2024-03-01T00:00:00Z"))["end_date"], "03/02/2024");
}

}  // namespace
}  // namespace cairn::control
