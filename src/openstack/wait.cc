#include "openstack/wait.h"

#include <algorithm>
#include <thread>

namespace cairn::openstack {

Status PollUntil(const WaitOptions& options, std::string_view what,
                 const std::function<Result<bool>(std::string* state)>& poll) {
  const Clock& clock = options.clock != nullptr ? *options.clock : SystemClock::Get();
  const auto sleep = options.sleep ? options.sleep
                                   : [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  const TimePoint deadline = clock.Now() + options.timeout;
  std::string state;
  for (;;) {
    CAIRN_ASSIGN_OR_RETURN(bool done, poll(&state));
    if (done) return Status::OK();
    const TimePoint now = clock.Now();
    if (now >= deadline) break;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
    sleep(std::max(std::chrono::milliseconds(1), std::min(options.poll_interval, left)));
  }
  std::string message = std::string(what) + ": timed out after " +
                        std::to_string(std::chrono::ceil<std::chrono::seconds>(options.timeout).count()) + " s";
  if (!state.empty()) message += " (last seen: " + state + ")";
  return Status::Unavailable(std::move(message));
}

}  // namespace cairn::openstack
