#include "rpc/db_transport.h"

#include <future>
#include <thread>

#include "common/log.h"
#include "db/disk_task_repository.h"

namespace cairn::rpc {
namespace {

std::string Seconds(std::chrono::seconds s) { return std::to_string(s.count()) + " s"; }

}  // namespace

Result<nlohmann::json> DbTransport::Call(DiskTask task, const ProgressFn& progress, const std::atomic<bool>* cancel) {
  db::DiskTaskRepository tasks(db_);
  db::DiskTask row;
  row.id = task.id;
  row.job_id = task.job_id;
  row.host = task.host;
  row.kind = task.kind;
  row.body = task.body;
  CAIRN_ASSIGN_OR_RETURN(db::DiskTask posted, tasks.Post(std::move(row)));
  bool cancel_sent = false;
  int64_t last_done = -1;
  StallWatch stall(options_.stall_after);
  for (;;) {
    std::this_thread::sleep_for(options_.poll_interval);
    if (cancel != nullptr && cancel->load() && !cancel_sent) {
      CAIRN_RETURN_IF_ERROR(tasks.RequestCancel(posted.id));
      cancel_sent = true;
    }
    CAIRN_ASSIGN_OR_RETURN(db::DiskTask t, tasks.Get(posted.id));
    if (progress && t.progress_total > 0 && t.progress_done != last_done) {
      last_done = t.progress_done;
      progress(static_cast<uint64_t>(t.progress_done), static_cast<uint64_t>(t.progress_total));
    }
    if (t.status == db::disk_task_status::kDone) return t.result;
    if (t.status == db::disk_task_status::kError) return Status(ErrorCodeFromName(t.error_code), t.error);
    const TimePoint now = UtcNow();
    if (t.status == db::disk_task_status::kRunning) {
      stall.Observe(static_cast<uint64_t>(t.progress_done), static_cast<uint64_t>(t.progress_total));
      if (stall.Stalled()) {
        // Its worker may be stuck in a read that never returns: it is told
        // to stop, and the task ends now whatever the worker does.
        task.id = t.id;
        const Status stalled = stall.StalledError(task);
        CAIRN_RETURN_IF_ERROR(tasks.RequestCancel(t.id));
        CAIRN_ASSIGN_OR_RETURN(bool ended, tasks.FailUnfinished(t.id, stalled.message()));
        if (ended) return stalled;
        continue;  // it ended meanwhile: its own outcome is read next
      }
    }
    if (t.status == db::disk_task_status::kQueued && now - t.created_at > options_.unclaimed_after) {
      CAIRN_RETURN_IF_ERROR(tasks.MarkStale(t.id, now, "no datamover took the task within " +
                                                           Seconds(options_.unclaimed_after) + ": is cairn-datamover "
                                                           "running on host " + t.host + "?")
                                .status());
    } else if (t.status == db::disk_task_status::kRunning && t.heartbeat_at &&
               now - *t.heartbeat_at > options_.stale_after) {
      CAIRN_RETURN_IF_ERROR(tasks.MarkStale(t.id, now - options_.stale_after,
                                            "the datamover on host " + t.host + " stopped reporting for " +
                                                Seconds(options_.stale_after) + " (it died or hangs)")
                                .status());
    }
  }
}

Result<bool> DbTaskWorker::RunOne() {
  db::DiskTaskRepository tasks(db_);
  CAIRN_ASSIGN_OR_RETURN(std::optional<db::DiskTask> claimed, tasks.ClaimNext(options_.host, options_.worker));
  if (!claimed) return false;
  const db::DiskTask& row = *claimed;
  GetLogger("datamover")->info("task {} ({}) of job {} started", row.id, row.kind, row.job_id);
  DiskTask task{.id = row.id, .job_id = row.job_id, .host = row.host, .kind = row.kind, .body = row.body};
  std::atomic<uint64_t> done{0};
  std::atomic<uint64_t> total{0};
  std::atomic<bool> cancel{false};
  auto run = std::async(std::launch::async, [&]() -> Result<nlohmann::json> {
    return handler_.Run(
        task,
        [&](uint64_t d, uint64_t t) {
          done = d;
          total = t;
        },
        cancel);
  });
  bool reporting = true;
  while (run.wait_for(options_.report_interval) != std::future_status::ready) {
    if (!reporting) continue;
    auto cancelled = tasks.Report(row.id, options_.worker, static_cast<int64_t>(done.load()),
                                  static_cast<int64_t>(total.load()));
    if (!cancelled.ok()) {
      // Someone failed the task (stale, or its progress stalled) or it
      // vanished: stop the work, and say so once (a read stuck on a hung
      // NFS server may keep this worker here until the server answers).
      GetLogger("datamover")->warn("task {}: {}; stopping it", row.id, cancelled.status().ToString());
      cancel = true;
      reporting = false;
    } else if (*cancelled) {
      cancel = true;
    }
  }
  Result<nlohmann::json> outcome = run.get();
  (void)tasks.Report(row.id, options_.worker, static_cast<int64_t>(done.load()), static_cast<int64_t>(total.load()));
  Status finish = outcome.ok() ? tasks.Finish(row.id, options_.worker, Status::OK(), *outcome)
                               : tasks.Finish(row.id, options_.worker, outcome.status());
  GetLogger("datamover")->info("task {} ended: {}", row.id, outcome.ok() ? std::string("done") : outcome.status().ToString());
  if (!finish.ok()) GetLogger("datamover")->warn("task {}: {}", row.id, finish.ToString());
  return true;
}

void DbTaskWorker::RunUntil(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    Result<bool> ran = RunOne();
    if (!ran.ok()) GetLogger("datamover")->warn("{}", ran.status().ToString());
    if (ran.ok() && *ran) continue;
    for (auto waited = std::chrono::milliseconds(0); waited < options_.poll_interval && !stop.load();
         waited += std::chrono::milliseconds(50)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

}  // namespace cairn::rpc
