// PollUntil: the loop behind every Wait* call, on a ManualClock.
#include "openstack/wait.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cairn::openstack {
namespace {

using ::testing::HasSubstr;

class WaitTest : public ::testing::Test {
 protected:
  WaitOptions Options(std::chrono::milliseconds timeout, std::chrono::milliseconds interval) {
    return {.timeout = timeout, .poll_interval = interval, .clock = &clock_, .sleep = [this](std::chrono::milliseconds d) {
              sleeps_.push_back(d);
              clock_.Advance(d);
            }};
  }

  ManualClock clock_{*ParseIso8601("2026-11-25T08:00:00Z")};
  std::vector<std::chrono::milliseconds> sleeps_;
};

TEST_F(WaitTest, DoneAtOnceDoesNotSleep) {
  int polls = 0;
  EXPECT_TRUE(PollUntil(Options(std::chrono::seconds(10), std::chrono::seconds(1)), "x", [&](std::string*) {
    ++polls;
    return Result<bool>(true);
  }).ok());
  EXPECT_EQ(polls, 1);
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(WaitTest, PollsEveryIntervalUntilDone) {
  int polls = 0;
  EXPECT_TRUE(PollUntil(Options(std::chrono::seconds(10), std::chrono::seconds(2)), "x", [&](std::string*) {
    return Result<bool>(++polls == 4);
  }).ok());
  EXPECT_EQ(polls, 4);
  EXPECT_EQ(sleeps_, std::vector<std::chrono::milliseconds>(3, std::chrono::seconds(2)));
}

TEST_F(WaitTest, TimesOutWithTheLastState) {
  int polls = 0;
  Status s = PollUntil(Options(std::chrono::seconds(5), std::chrono::seconds(2)), "nova: wait for server s1",
                       [&](std::string* state) {
                         *state = "status BUILD " + std::to_string(++polls);
                         return Result<bool>(false);
                       });
  EXPECT_EQ(s.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(s.message(), "nova: wait for server s1: timed out after 5 s (last seen: status BUILD 4)");
  // 0, 2, 4, then a last poll at the deadline (5): never sleeps past it.
  EXPECT_EQ(sleeps_, (std::vector<std::chrono::milliseconds>{std::chrono::seconds(2), std::chrono::seconds(2),
                                                             std::chrono::seconds(1)}));
}

TEST_F(WaitTest, AnErrorEndsTheWait) {
  int polls = 0;
  Status s = PollUntil(Options(std::chrono::seconds(60), std::chrono::seconds(1)), "x", [&](std::string*) {
    if (++polls == 2) return Result<bool>(Status::Unavailable("server went to ERROR"));
    return Result<bool>(false);
  });
  EXPECT_EQ(s.code(), ErrorCode::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr("ERROR"));
  EXPECT_EQ(polls, 2);
}

}  // namespace
}  // namespace cairn::openstack
