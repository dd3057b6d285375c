#include "engine/backup_window.h"

#include <gtest/gtest.h>

namespace cairn::engine {
namespace {

TimePoint At(const std::string& iso) { return ParseIso8601(iso).value(); }

TEST(BackupWindowTest, ParsesAndRefusesClearly) {
  auto any = ParseBackupWindow("", "UTC");
  ASSERT_TRUE(any.ok());
  EXPECT_TRUE(any->Unlimited());
  EXPECT_EQ(BackupWindowText(*any), "any time");
  auto night = ParseBackupWindow("22:00-06:30", "Europe/Paris");
  ASSERT_TRUE(night.ok());
  EXPECT_EQ(BackupWindowText(*night), "22:00-06:30 Europe/Paris");
  for (const char* bad : {"22-06", "22:00", "22:00-6:00", "24:00-06:00", "22:60-06:00", "ab:cd-ef:gh", " 2:00-06:00"}) {
    Status s = ParseBackupWindow(bad, "UTC").status();
    EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument) << bad;
    EXPECT_NE(s.message().find("[scheduler] backup_window"), std::string::npos) << s.message();
  }
  EXPECT_NE(ParseBackupWindow("06:00-06:00", "UTC").status().message().find("empty"), std::string::npos);
  Status zone = ParseBackupWindow("22:00-06:00", "Mars/Olympus").status();
  EXPECT_EQ(zone.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(zone.message().find("Mars/Olympus"), std::string::npos);
}

TEST(BackupWindowTest, AWindowWithinADay) {
  BackupWindow w = ParseBackupWindow("01:00-05:00", "UTC").value();
  EXPECT_FALSE(InBackupWindow(w, At("2026-03-02T00:59:59Z")));
  EXPECT_TRUE(InBackupWindow(w, At("2026-03-02T01:00:00Z")));
  EXPECT_EQ(BackupWindowCloses(w, At("2026-03-02T03:10:00Z")), At("2026-03-02T05:00:00Z"));
  EXPECT_FALSE(InBackupWindow(w, At("2026-03-02T05:00:00Z")));  // the end is not in it
  EXPECT_FALSE(BackupWindowCloses(w, At("2026-03-02T12:00:00Z")).has_value());
}

TEST(BackupWindowTest, AWindowPastMidnightClosesTheNextMorning) {
  BackupWindow w = ParseBackupWindow("22:00-06:00", "UTC").value();
  EXPECT_FALSE(InBackupWindow(w, At("2026-03-02T21:59:00Z")));
  EXPECT_EQ(BackupWindowCloses(w, At("2026-03-02T22:00:00Z")), At("2026-03-03T06:00:00Z"));
  EXPECT_EQ(BackupWindowCloses(w, At("2026-03-03T02:00:00Z")), At("2026-03-03T06:00:00Z"));
  EXPECT_FALSE(InBackupWindow(w, At("2026-03-03T12:00:00Z")));
  BackupWindow any;
  EXPECT_TRUE(InBackupWindow(any, At("2026-03-03T12:00:00Z")));
  EXPECT_FALSE(BackupWindowCloses(any, At("2026-03-03T12:00:00Z")).has_value());
}

TEST(BackupWindowTest, HoursAreLocalToTheWindowsTimeZoneAcrossDaylightSaving) {
  BackupWindow w = ParseBackupWindow("22:00-06:00", "Europe/Paris").value();
  // Winter: Paris is UTC+1, so 22:00 local is 21:00 UTC.
  EXPECT_TRUE(InBackupWindow(w, At("2026-01-15T21:30:00Z")));
  EXPECT_EQ(BackupWindowCloses(w, At("2026-01-15T21:30:00Z")), At("2026-01-16T05:00:00Z"));
  // Summer: UTC+2.
  EXPECT_FALSE(InBackupWindow(w, At("2026-07-15T19:59:00Z")));
  EXPECT_TRUE(InBackupWindow(w, At("2026-07-15T20:00:00Z")));
  // The night the clocks go forward (29 March 2026, 02:00 -> 03:00): the
  // window opened at 21:00 UTC and closes at 06:00 CEST = 04:00 UTC.
  EXPECT_EQ(BackupWindowCloses(w, At("2026-03-28T23:00:00Z")), At("2026-03-29T04:00:00Z"));
}

TEST(BackupWindowTest, AJobWithoutAWindowNeverMissesIt) {
  EXPECT_TRUE(CheckWindowOfJob(nlohmann::json::object(), At("2030-01-01T00:00:00Z")).ok());
  EXPECT_TRUE(CheckWindowOfJob({{"window_closes_at", 5}}, At("2030-01-01T00:00:00Z")).ok());
}

}  // namespace
}  // namespace cairn::engine
