// ProgressReporter: sums the bytes of several disk tasks and writes the
// percentage and a message to the snapshot or restore row, at most every
// `interval` (and always on Finish), between `from` and `to` percent.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace cairn::engine {

class ProgressReporter {
 public:
  // `write(percent, message, bytes_done)` stores the progress.
  using Writer = std::function<void(int percent, const std::string& message, uint64_t done)>;
  ProgressReporter(Writer write, int from, int to, std::chrono::milliseconds interval = std::chrono::seconds(2))
      : write_(std::move(write)), from_(from), to_(to), interval_(interval) {}

  // Progress of part `key` (a VM, a disk). Thread safe.
  void Update(const std::string& key, uint64_t done, uint64_t total);

 private:
  Writer write_;
  const int from_;
  const int to_;
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::map<std::string, std::pair<uint64_t, uint64_t>> parts_;
  std::chrono::steady_clock::time_point last_{};
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace cairn::engine
