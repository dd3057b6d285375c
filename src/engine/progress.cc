#include "engine/progress.h"

#include "common/strings.h"

namespace cairn::engine {

void ProgressReporter::Update(const std::string& key, uint64_t done, uint64_t total) {
  std::unique_lock lock(mu_);
  parts_[key] = {done, total};
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < interval_) return;
  last_ = now;
  uint64_t sum_done = 0;
  uint64_t sum_total = 0;
  for (const auto& [k, p] : parts_) {
    sum_done += p.first;
    sum_total += p.second;
  }
  const int percent =
      sum_total == 0 ? from_ : from_ + static_cast<int>((to_ - from_) * static_cast<double>(sum_done) / sum_total);
  const double seconds = std::chrono::duration<double>(now - start_).count();
  std::string message = "Moving data: " + HumanBytes(sum_done) + " of " + HumanBytes(sum_total);
  if (seconds > 1) message += " (" + HumanBytes(static_cast<uint64_t>(sum_done / seconds)) + "/s)";
  lock.unlock();
  write_(percent, message, sum_done);
}

}  // namespace cairn::engine
