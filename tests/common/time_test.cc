#include "common/time.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

namespace cairn {
namespace {

using namespace std::chrono;
using ::testing::HasSubstr;

// 2026-11-25T08:17:17.123456789Z, built from its parts.
TimePoint Sample() {
  return sys_days(year(2026) / November / 25) + hours(8) + minutes(17) + seconds(17) + nanoseconds(123456789);
}

TEST(TimeTest, FormatsAsOpenStackDoes) {
  EXPECT_EQ(FormatIso8601(Sample()), "2026-11-25T08:17:17.123456");
  EXPECT_EQ(FormatIso8601(Sample(), IsoFormat::kMicros), "2026-11-25T08:17:17.123456");
  EXPECT_EQ(FormatIso8601(Sample(), IsoFormat::kMicrosZ), "2026-11-25T08:17:17.123456Z");
  EXPECT_EQ(FormatIso8601(Sample(), IsoFormat::kSecondsZ), "2026-11-25T08:17:17Z");
  EXPECT_EQ(FormatIso8601(TimePoint()), "1970-01-01T00:00:00.000000");
  const TimePoint before_epoch = TimePoint() - microseconds(1);
  EXPECT_EQ(FormatIso8601(before_epoch), "1969-12-31T23:59:59.999999");
  EXPECT_EQ(FormatIso8601(sys_days(year(2024) / February / 29)), "2024-02-29T00:00:00.000000");
}

TEST(TimeTest, ParsesEveryOpenStackShape) {
  const TimePoint whole = sys_days(year(2026) / November / 25) + hours(8) + minutes(17) + seconds(17);
  EXPECT_EQ(*ParseIso8601("2026-11-25T08:17:17"), whole);
  EXPECT_EQ(*ParseIso8601("2026-11-25T08:17:17Z"), whole);
  EXPECT_EQ(*ParseIso8601("2026-11-25T08:17:17.000000"), whole);
  EXPECT_EQ(*ParseIso8601("2026-11-25T08:17:17.000000Z"), whole);
  EXPECT_EQ(*ParseIso8601("2026-11-25 08:17:17"), whole);
  EXPECT_EQ(*ParseIso8601("2026-11-25t08:17:17z"), whole);
  EXPECT_EQ(*ParseIso8601("2026-11-25T08:17Z"), whole - seconds(17));
  EXPECT_EQ(*ParseIso8601("2026-11-25T08:17:17.5"), whole + milliseconds(500));
  EXPECT_EQ(*ParseIso8601("2026-11-25T08:17:17,25Z"), whole + milliseconds(250));
  EXPECT_EQ(*ParseIso8601("2026-11-25T08:17:17.123456789Z"), Sample());
  EXPECT_EQ(*ParseIso8601("2026-11-25T08:17:17.1234567891Z"), Sample());  // beyond ns: truncated
}

TEST(TimeTest, ParsesOffsets) {
  const TimePoint whole = sys_days(year(2026) / November / 25) + hours(8) + minutes(17) + seconds(17);
  EXPECT_EQ(*ParseIso8601("2026-11-25T10:17:17+02:00"), whole);
  EXPECT_EQ(*ParseIso8601("2026-11-25T10:17:17+0200"), whole);
  EXPECT_EQ(*ParseIso8601("2026-11-25T10:17:17+02"), whole);
  EXPECT_EQ(*ParseIso8601("2026-11-25T03:47:17.000-04:30"), whole);
  EXPECT_EQ(*ParseIso8601("2026-11-25T08:17:17+00:00"), whole);
  EXPECT_EQ(*ParseIso8601("2026-11-26T01:17:17+17:00"), whole);  // crosses midnight
}

TEST(TimeTest, RoundTrip) {
  for (IsoFormat format : {IsoFormat::kMicros, IsoFormat::kMicrosZ}) {
    const TimePoint t = floor<microseconds>(Sample());
    EXPECT_EQ(*ParseIso8601(FormatIso8601(t, format)), t);
  }
  const TimePoint now = UtcNow();
  EXPECT_EQ(*ParseIso8601(FormatIso8601(now)), floor<microseconds>(now));
  EXPECT_EQ(*ParseIso8601(FormatIso8601(now, IsoFormat::kSecondsZ)), floor<seconds>(now));
}

TEST(TimeTest, RejectsBadInput) {
  for (const char* bad : {
           "",
           "2026-11-25",                  // no time
           "2026-11-25T08",               // no minutes
           "26-11-25T08:17:17",           // short year
           "2026/11/25T08:17:17",         // wrong separators
           "2026-11-25X08:17:17",         // wrong T
           "2026-13-01T00:00:00",         // month 13
           "2026-02-29T00:00:00",         // not a leap year
           "2026-04-31T00:00:00",         // April has 30 days
           "2026-11-25T24:00:00",         // hour 24
           "2026-11-25T08:60:00",         // minute 60
           "2026-11-25T08:17:60",         // leap second
           "2026-11-25T08:17:17.",        // dot without digits
           "2026-11-25T08:17:17ZZ",       // trailing text
           "2026-11-25T08:17:17 UTC",     // zone name
           "2026-11-25T08:17:17+2",       // one-digit offset
           "2026-11-25T08:17:17+02:",     // offset cut short
           "2026-11-25T08:17:17+24:00",   // offset hour out of range
           "2026-11-25T08:17:17+02:60",   // offset minute out of range
           " 2026-11-25T08:17:17",        // leading space
           // Beyond a TimePoint's 64-bit nanoseconds: the conversion overflowed
           // (undefined behaviour) for a created_at read from a tampered
           // snapshot_db (found by fuzz/metadata_reader_fuzz.cc).
           "7490-03-02T10:00:00.000000",
           "2262-04-12T00:00:00Z",
           "1677-09-21T00:00:00Z",
           "0000-01-01T00:00:00",
       }) {
    Result<TimePoint> r = ParseIso8601(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
      EXPECT_THAT(r.status().message(), HasSubstr("is not an ISO 8601 time")) << bad;
    }
  }
  for (const char* edge : {"2261-12-31T23:59:59.999999999Z", "1678-01-01T00:00:00Z"}) {
    EXPECT_TRUE(ParseIso8601(edge).ok()) << edge;
  }
  EXPECT_THAT(ParseIso8601("2026-02-30T00:00:00").status().message(),
              HasSubstr("\"2026-02-30T00:00:00\" is not an ISO 8601 time (no such date"));
}

TEST(TimeTest, UtcNowIsCurrent) {
  const TimePoint a = UtcNow();
  const TimePoint b = system_clock::now();
  EXPECT_LT(abs(duration_cast<milliseconds>(b - a)).count(), 1000);
  EXPECT_GT(a, *ParseIso8601("2024-01-01T00:00:00Z"));
}

TEST(TimeTest, StopwatchMeasuresElapsedTime) {
  Stopwatch watch;
  std::this_thread::sleep_for(milliseconds(20));
  EXPECT_GE(watch.Elapsed(), milliseconds(20));
  EXPECT_GE(watch.ElapsedSeconds(), 0.02);
  watch.Restart();
  EXPECT_LT(watch.Elapsed(), milliseconds(2000));  // restarted: near zero (loose for loaded machines)
}

TEST(TimeTest, SystemClockFollowsUtcNow) {
  const Clock& clock = SystemClock::Get();
  const TimePoint before = UtcNow();
  const TimePoint now = clock.Now();
  EXPECT_LE(before, now);
  EXPECT_LE(now, UtcNow());
}

TEST(TimeTest, ManualClockMovesOnlyWhenTold) {
  ManualClock clock(Sample());
  const Clock& as_clock = clock;
  EXPECT_EQ(as_clock.Now(), Sample());
  std::this_thread::sleep_for(milliseconds(2));
  EXPECT_EQ(as_clock.Now(), Sample());
  clock.Advance(hours(25));
  EXPECT_EQ(FormatIso8601(clock.Now(), IsoFormat::kSecondsZ), "2026-11-26T09:17:17Z");
  clock.Advance(-hours(1));
  EXPECT_EQ(FormatIso8601(clock.Now(), IsoFormat::kSecondsZ), "2026-11-26T08:17:17Z");
  clock.Set(TimePoint());
  EXPECT_EQ(clock.Now(), TimePoint());
  EXPECT_EQ(ManualClock().Now(), TimePoint());
}

TEST(TimeTest, ManualClockIsThreadSafe) {
  ManualClock clock;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) clock.Advance(seconds(1));
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(clock.Now(), TimePoint() + seconds(4000));
}

}  // namespace
}  // namespace cairn
