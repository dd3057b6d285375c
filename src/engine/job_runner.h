// JobRunner: the engine's loop over the job queue. Claims queued jobs (and
// jobs whose engine died: the lease ran out), runs the workflow registered
// for their kind, keeps the lease alive with heartbeats while it runs,
// raises the job's cancel flag when its object is being cancelled, and
// records how the job ended.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "common/status.h"
#include "common/time.h"
#include "db/database.h"
#include "db/models.h"

namespace cairn::engine {

// What a workflow gets besides the job: its cancel flag (raised when the
// user cancels the job's object; the workflow stops, cleans up and returns
// kCancelled) and whether an earlier engine ran the job and died.
struct JobContext {
  const db::Job& job;
  const std::atomic<bool>& cancel;
  bool taken_over = false;  // attempts > 1: another engine claimed it before
  // Raised (with cancel) when this engine lost the job: its lease could not
  // be renewed, another engine may own it now. The workflow then stops
  // without touching the job's objects: cleaning up is the new owner's.
  const std::atomic<bool>* lost = nullptr;
  bool Lost() const { return lost != nullptr && lost->load(); }
  // Where RequeueAfter writes (the runner's; null: re-queueing unsupported).
  std::optional<std::chrono::milliseconds>* requeue_after = nullptr;
  // Called by a workflow that cannot run yet (its workload is busy), which
  // then returns OK: the runner hands the job back to the queue, to be
  // claimed again after `wait`, instead of ending it. A worker never waits
  // for a workload.
  void RequeueAfter(std::chrono::milliseconds wait) const {
    if (requeue_after != nullptr) *requeue_after = wait;
  }
};

// Runs one kind of job. An error Status makes the job end as error (or
// cancelled for kCancelled); the workflow itself records what the user
// sees (the snapshot's error_msg and so on).
using JobWorkflow = std::function<Status(const JobContext&)>;
// Tells whether the job's object is being cancelled (polled with the heartbeat).
using CancelProbe = std::function<bool(const db::Job&)>;

struct JobRunnerOptions {
  std::string engine_id;                      // unique per runner (RunUntil thread)
  std::chrono::seconds lease{60};             // a job not heartbeated for this long is taken over
  std::chrono::milliseconds heartbeat{5000};  // how often a running job is heartbeated
  std::chrono::milliseconds poll{1000};       // how often an idle engine looks for jobs
};

class JobRunner {
 public:
  // `db` must outlive this.
  JobRunner(db::Executor& db, JobRunnerOptions options) : db_(db), options_(std::move(options)) {}

  // Registers the workflow of a job kind, with an optional cancel probe.
  void Register(std::string kind, JobWorkflow workflow, CancelProbe probe = {});

  // Claims and runs one job; false when none was waiting. A job of a kind
  // nobody registered ends as error.
  Result<bool> RunOne();
  // Runs jobs until `stop` becomes true.
  void RunUntil(const std::atomic<bool>& stop);

 private:
  // Records how a claimed job ended: done, error, cancelled, back in the
  // queue (requeue_after), or nothing when it was lost to another engine.
  Status EndJob(const db::Job& job, const Status& outcome, bool lost,
                std::optional<std::chrono::milliseconds> requeue_after, double seconds);

  struct Entry {
    JobWorkflow workflow;
    CancelProbe probe;
  };
  db::Executor& db_;
  const JobRunnerOptions options_;
  std::map<std::string, Entry> workflows_;
};

}  // namespace cairn::engine
