// Polling an OpenStack resource until it reaches a state: the loop behind
// NovaClient::WaitForServer, CinderClient::WaitForVolume and
// GlanceClient::WaitForImage, with the clock and the sleep injectable so
// tests do not wait.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/time.h"

namespace cairn::openstack {

struct WaitOptions {
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};
  std::chrono::milliseconds poll_interval{std::chrono::seconds(2)};
  // Decides the deadline; nullptr: SystemClock::Get(). Must outlive the wait.
  const Clock* clock = nullptr;
  // Waits between polls; empty: std::this_thread::sleep_for. A test passes
  // one that advances its ManualClock.
  std::function<void(std::chrono::milliseconds)> sleep{};
};

// Calls `poll` until it answers true (done) or an error, which ends the wait
// with that error; sleeps poll_interval (never past the deadline) between
// calls. `poll` may set *state to what it saw (e.g. "status BUILD"), quoted
// in the timeout error. After `timeout` without success: kUnavailable
// "<what>: timed out after <N> s (last seen: <state>)". `poll` runs at least
// once, and once more at the deadline.
Status PollUntil(const WaitOptions& options, std::string_view what,
                 const std::function<Result<bool>(std::string* state)>& poll);

}  // namespace cairn::openstack
