// ParallelFor: the datamover's worker pool. Work is split into numbered
// units; `threads` workers take units in order from a shared counter, so
// memory is bounded by one unit's buffers per worker whatever the disk size.
// The first error stops every worker; a cancel flag is honoured between units.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common/status.h"

namespace cairn::datamover {

// The work a worker takes at a time in backup, restore and merge: bounds each worker's
// buffers, and progress advances by it.
inline constexpr uint64_t kUnitBytes = 4 * 1024 * 1024;

// Runs `work(unit, worker)` for every unit in [0, units) on `threads` threads
// (0: one per core). Returns the first error, Cancelled when `cancel`
// becomes true, or OK.
inline Status ParallelFor(uint64_t units, int threads, const std::atomic<bool>* cancel,
                          const std::function<Status(uint64_t unit, int worker)>& work) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = static_cast<int>(std::min<uint64_t>(threads, std::max<uint64_t>(units, 1)));
  std::atomic<uint64_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  Status first;
  auto run = [&](int worker) {
    while (!failed.load(std::memory_order_relaxed)) {
      Status s;
      if (cancel != nullptr && cancel->load()) {
        s = Status::Cancelled("cancelled on request");
      } else {
        const uint64_t unit = next.fetch_add(1);
        if (unit >= units) return;
        s = work(unit, worker);
      }
      if (!s.ok()) {
        std::lock_guard lock(mu);
        if (first.ok()) first = std::move(s);
        failed = true;
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back(run, i);
  run(0);
  for (auto& t : pool) t.join();
  return first;
}

}  // namespace cairn::datamover
