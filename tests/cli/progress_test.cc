#include "cli/progress.h"

#include <sstream>

#include <gtest/gtest.h>

namespace cairn::cli {
namespace {

using namespace std::chrono_literals;

TEST(ProgressTest, PlainLinesOnlyWhenSomethingChanged) {
  ProgressView view(/*terminal=*/false);
  ProgressSample s{.percent = 0, .bytes = 0, .status = "executing", .message = "Capturing"};
  EXPECT_EQ(view.Render(s, 1000ms), "  0%  0 B  0 B/s  executing: Capturing\n");
  EXPECT_EQ(view.Render(s, 3000ms), "");
  s.percent = 25;
  s.bytes = 256ull << 20;
  EXPECT_EQ(view.Render(s, 4000ms), " 25%  256.0 MiB  64.0 MiB/s  ETA 0:12  executing: Capturing\n");
  s.percent = 100;
  s.status = "available";
  s.message = "done";
  EXPECT_EQ(view.Render(s, 8000ms), "100%  256.0 MiB  32.0 MiB/s  available: done\n");
}

TEST(ProgressTest, TerminalRedrawsOneLineWithABar) {
  ProgressView view(/*terminal=*/true);
  ProgressSample s{.percent = 50, .bytes = 1024, .status = "executing", .message = ""};
  EXPECT_EQ(view.Render(s, 1000ms), "\r[###############...............]  50%  1.0 KiB  1.0 KiB/s  ETA 0:01  executing\x1b[K");
  s.status = "available";
  s.percent = 100;
  const std::string last = view.Render(s, 2000ms);
  EXPECT_EQ(last.substr(0, 33), "\r[##############################]");
  EXPECT_EQ(last.back(), '\n');
}

TEST(ProgressTest, WaitEndsOnAFinalStatusAndToleratesTwoFailedPolls) {
  std::vector<Result<nlohmann::json>> answers;
  answers.push_back(nlohmann::json{{"status", "executing"}, {"progress_percent", 10}});
  answers.push_back(Status::Unavailable("blip"));
  answers.push_back(Status::Unavailable("blip"));
  answers.push_back(nlohmann::json{{"status", "available"}, {"progress_percent", 100}, {"id", "s"}});
  size_t next = 0;
  std::ostringstream out;
  auto r = WaitWithProgress([&] { return answers[next++]; }, out, false, 1ms);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)["id"], "s");
  EXPECT_EQ(next, 4u);

  std::vector<Result<nlohmann::json>> failing(3, Status::Unavailable("down"));
  next = 0;
  auto f = WaitWithProgress([&] { return failing[next++]; }, out, false, 1ms);
  EXPECT_EQ(f.status().message(), "down");
}

}  // namespace
}  // namespace cairn::cli
