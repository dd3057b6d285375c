// The progress of a snapshot or restore the CLI waits for (--wait): a bar
// with percent, bytes, rate and ETA on a terminal, plain lines otherwise.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace cairn::cli {

// One reading of a job: what the API's snapshot or restore object says.
struct ProgressSample {
  int percent = 0;
  uint64_t bytes = 0;   // uploaded_size so far
  std::string status;
  std::string message;  // progress_msg
};

// ProgressSample from a snapshot or restore object.
ProgressSample SampleOf(const nlohmann::json& object);

// Keeps the history of a job's readings and turns them into what is shown.
class ProgressView {
 public:
  // `terminal`: redraw one line with a bar (carriage return), else print a
  // line only when the percent, status or message changed.
  explicit ProgressView(bool terminal) : terminal_(terminal) {}

  // The text for `sample` taken `elapsed` after the wait began: "" when a
  // plain-lines view has nothing new to say. The bar is 30 characters;
  // rate is bytes over elapsed time; ETA is from the percent (shown from 1%).
  std::string Render(const ProgressSample& sample, std::chrono::milliseconds elapsed);

 private:
  bool terminal_;
  ProgressSample last_{};
  bool first_ = true;
};

// Polls `get()` every `interval` until the object's status is one of
// available, error, cancelled (snapshots and restores), writing the
// progress to `out`. Returns the last object. A failed poll is retried
// (three in a row end the wait with that error).
Result<nlohmann::json> WaitWithProgress(const std::function<Result<nlohmann::json>()>& get, std::ostream& out,
                                        bool terminal, std::chrono::milliseconds interval);

}  // namespace cairn::cli
