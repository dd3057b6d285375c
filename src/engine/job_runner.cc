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

namespace {

// The heartbeat of a running job, on its own thread for as long as this
// lives: renews the job's lease, raises `lost` (and `cancel`) when another
// engine took the job or the lease could not be renewed for half its time,
// and raises `cancel` when the job's cancel probe says so.
class JobWatch {
 public:
  JobWatch(db::Executor& db, const JobRunnerOptions& options, const db::Job& job, const CancelProbe& probe)
      : db_(db), options_(options), job_(job), probe_(probe) {
    // A cancel that came before the claim is seen at once.
    if (probe_ && probe_(job_)) cancel = true;
    thread_ = std::thread([this] { Beat(); });
  }
  ~JobWatch() { Stop(); }
  // Ends the heartbeat (and waits for it): `lost` and `cancel` stay as they are.
  void Stop() {
    {
      std::lock_guard lock(mu_);
      finished_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  JobWatch(const JobWatch&) = delete;
  JobWatch& operator=(const JobWatch&) = delete;

  std::atomic<bool> cancel{false};
  std::atomic<bool> lost{false};

 private:
  void Beat() {
    db::JobRepository beats(db_);
    auto log = GetLogger("engine");
    auto last_renewed = std::chrono::steady_clock::now();
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, options_.heartbeat, [&] { return finished_; })) {
      lock.unlock();
      Status s = beats.Heartbeat(job_.id, options_.engine_id);
      if (s.ok()) {
        last_renewed = std::chrono::steady_clock::now();
      } else if (s.code() == ErrorCode::kConflict || s.IsNotFound()) {
        // Another engine took the job over: stop working on it.
        log->warn("job {}: {}; stopping", job_.id, s.ToString());
        Lose();
      } else if (std::chrono::steady_clock::now() - last_renewed > options_.lease / 2) {
        // The lease cannot be renewed (database trouble): another engine may
        // take the job soon, so this one stops before it could.
        log->warn("job {}: lease not renewed for {} s ({}); stopping", job_.id,
                  std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - last_renewed)
                      .count(),
                  s.ToString());
        Lose();
      }
      if (probe_ && !cancel.load() && probe_(job_)) {
        log->info("job {}: cancel requested", job_.id);
        cancel = true;
      }
      lock.lock();
    }
  }
  void Lose() {
    lost = true;
    cancel = true;
  }

  db::Executor& db_;
  const JobRunnerOptions& options_;
  const db::Job& job_;
  const CancelProbe& probe_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool finished_ = false;
  std::thread thread_;
};

// Runs `workflow` for `job`; an exception it throws is an Internal error.
Status RunWorkflow(const JobWorkflow& workflow, const JobContext& context) {
  try {
    return workflow(context);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("unexpected error in the ") + context.job.kind + " workflow: " + e.what());
  } catch (...) {
    return Status::Internal("unexpected error in the " + context.job.kind + " workflow");
  }
}

}  // namespace

Result<bool> JobRunner::RunOne() {
  db::JobRepository jobs(db_);
  CAIRN_ASSIGN_OR_RETURN(std::optional<db::Job> claimed,
                         jobs.ClaimNext(options_.engine_id, static_cast<int>(options_.lease.count())));
  if (!claimed) return false;
  const db::Job job = std::move(*claimed);
  GetLogger("engine")->info("job {} ({} of {}) claimed, attempt {}", job.id, job.kind, job.object_id, job.attempts);
  auto it = workflows_.find(job.kind);
  if (it == workflows_.end()) {
    CAIRN_RETURN_IF_ERROR(jobs.Finish(job.id, options_.engine_id, db::job_status::kError,
                                      "this engine has no workflow for jobs of kind " + job.kind));
    return true;
  }
  const auto started = std::chrono::steady_clock::now();
  Status outcome;
  std::optional<std::chrono::milliseconds> requeue_after;
  bool lost = false;
  {
    JobWatch watch(db_, options_, job, it->second.probe);
    outcome = RunWorkflow(it->second.workflow, JobContext{.job = job,
                                                          .cancel = watch.cancel,
                                                          .taken_over = job.attempts > 1,
                                                          .lost = &watch.lost,
                                                          .requeue_after = &requeue_after});
    watch.Stop();
    lost = watch.lost.load();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  CAIRN_RETURN_IF_ERROR(EndJob(job, outcome, lost, requeue_after, seconds));
  return true;
}

Status JobRunner::EndJob(const db::Job& job, const Status& outcome, bool lost,
                         std::optional<std::chrono::milliseconds> requeue_after, double seconds) {
  auto log = GetLogger("engine");
  db::JobRepository jobs(db_);
  if (lost) {
    log->warn("job {} lost to another engine after {:.1f} s", job.id, seconds);
    return Status::OK();
  }
  if (outcome.ok() && requeue_after) {
    log->info("job {} ({}) back in the queue for {} ms", job.id, job.kind, requeue_after->count());
    return jobs.Requeue(job.id, options_.engine_id, UtcNow() + *requeue_after);
  }
  std::string_view status = outcome.ok()            ? db::job_status::kDone
                            : outcome.IsCancelled() ? db::job_status::kCancelled
                                                    : db::job_status::kError;
  log->info("job {} ({}) {} in {:.1f} s{}", job.id, job.kind, status, seconds,
            outcome.ok() ? std::string() : ": " + outcome.ToString());
  return jobs.Finish(job.id, options_.engine_id, status, outcome.ok() ? "" : outcome.message());
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
