#include "engine/job_runner.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/log.h"
#include "db/job_repository.h"

namespace cairn::engine {

void JobRunner::Register(std::string kind, JobWorkflow workflow, CancelProbe probe) {
  workflows_[std::move(kind)] = Entry{std::move(workflow), std::move(probe)};
}

Result<bool> JobRunner::RunOne() {
  db::JobRepository jobs(db_);
  CAIRN_ASSIGN_OR_RETURN(std::optional<db::Job> claimed,
                         jobs.ClaimNext(options_.engine_id, static_cast<int>(options_.lease.count())));
  if (!claimed) return false;
  const db::Job job = std::move(*claimed);
  auto log = GetLogger("engine");
  log->info("job {} ({} of {}) claimed, attempt {}", job.id, job.kind, job.object_id, job.attempts);

  auto it = workflows_.find(job.kind);
  if (it == workflows_.end()) {
    CAIRN_RETURN_IF_ERROR(jobs.Finish(job.id, options_.engine_id, db::job_status::kError,
                                      "this engine has no workflow for jobs of kind " + job.kind));
    return true;
  }
  const Entry& entry = it->second;

  // Heartbeat (and cancel probe) beside the workflow.
  std::atomic<bool> cancel{false};
  std::atomic<bool> lost{false};
  std::mutex mu;
  std::condition_variable cv;
  bool finished = false;
  std::thread beat([&] {
    db::JobRepository beats(db_);
    auto last_renewed = std::chrono::steady_clock::now();
    std::unique_lock lock(mu);
    while (!cv.wait_for(lock, options_.heartbeat, [&] { return finished; })) {
      lock.unlock();
      Status s = beats.Heartbeat(job.id, options_.engine_id);
      if (s.ok()) {
        last_renewed = std::chrono::steady_clock::now();
      } else if (s.code() == ErrorCode::kConflict || s.IsNotFound()) {
        // Another engine took the job over: stop working on it.
        log->warn("job {}: {}; stopping", job.id, s.ToString());
        lost = true;
        cancel = true;
      } else if (std::chrono::steady_clock::now() - last_renewed > options_.lease / 2) {
        // The lease cannot be renewed (database trouble): another engine may
        // take the job soon, so this one stops before it could.
        log->warn("job {}: lease not renewed for {} s ({}); stopping", job.id,
                  std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - last_renewed)
                      .count(),
                  s.ToString());
        lost = true;
        cancel = true;
      }
      if (entry.probe && !cancel.load() && entry.probe(job)) {
        log->info("job {}: cancel requested", job.id);
        cancel = true;
      }
      lock.lock();
    }
  });
  // A cancel that came before the claim is seen at once.
  if (entry.probe && entry.probe(job)) cancel = true;

  const auto started = std::chrono::steady_clock::now();
  Status outcome;
  std::optional<std::chrono::milliseconds> requeue_after;
  try {
    outcome = entry.workflow(JobContext{.job = job,
                                        .cancel = cancel,
                                        .taken_over = job.attempts > 1,
                                        .lost = &lost,
                                        .requeue_after = &requeue_after});
  } catch (const std::exception& e) {
    outcome = Status::Internal(std::string("unexpected error in the ") + job.kind + " workflow: " + e.what());
  } catch (...) {
    outcome = Status::Internal("unexpected error in the " + job.kind + " workflow");
  }
  {
    std::lock_guard lock(mu);
    finished = true;
  }
  cv.notify_all();
  beat.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (lost.load()) {
    log->warn("job {} lost to another engine after {:.1f} s", job.id, seconds);
    return true;
  }
  if (outcome.ok() && requeue_after) {
    log->info("job {} ({}) back in the queue for {} ms", job.id, job.kind, requeue_after->count());
    CAIRN_RETURN_IF_ERROR(jobs.Requeue(job.id, options_.engine_id, UtcNow() + *requeue_after));
    return true;
  }
  std::string_view status = outcome.ok()            ? db::job_status::kDone
                            : outcome.IsCancelled() ? db::job_status::kCancelled
                                                    : db::job_status::kError;
  log->info("job {} ({}) {} in {:.1f} s{}", job.id, job.kind, status, seconds,
            outcome.ok() ? std::string() : ": " + outcome.ToString());
  CAIRN_RETURN_IF_ERROR(jobs.Finish(job.id, options_.engine_id, status, outcome.ok() ? "" : outcome.message()));
  return true;
}

void JobRunner::RunUntil(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    Result<bool> ran = RunOne();
    if (!ran.ok()) GetLogger("engine")->warn("{}", ran.status().ToString());
    if (ran.ok() && *ran) continue;
    for (auto waited = std::chrono::milliseconds(0); waited < options_.poll && !stop.load();
         waited += std::chrono::milliseconds(50)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

}  // namespace cairn::engine
