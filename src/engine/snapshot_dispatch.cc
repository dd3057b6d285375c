// The dispatch step of a snapshot (snapshot_steps.h): one vm_backup disk
// task per VM, run by the datamover of the VM's host.
#include <algorithm>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "db/snapshot_repository.h"
#include "engine/progress.h"
#include "engine/snapshot_steps.h"
#include "rpc/task.h"

namespace cairn::engine {
namespace {

using nlohmann::json;

// Raises `abort_all` once the job's cancel flag is raised, checking every
// 100 ms until destroyed: the running disk tasks watch `abort_all`.
class CancelMirror {
 public:
  CancelMirror(const std::atomic<bool>& cancel, std::atomic<bool>& abort_all)
      : cancel_(&cancel), abort_all_(&abort_all), thread_([this] { Watch(); }) {}
  ~CancelMirror() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  CancelMirror(const CancelMirror&) = delete;
  CancelMirror& operator=(const CancelMirror&) = delete;

 private:
  void Watch() {
    std::unique_lock lock(mu_);
    while (!done_) {
      if (cancel_->load()) *abort_all_ = true;
      wake_.wait_for(lock, std::chrono::milliseconds(100), [this] { return done_; });
    }
  }
  const std::atomic<bool>* cancel_;
  std::atomic<bool>* abort_all_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool done_ = false;   // guarded by mu_
  std::thread thread_;  // last: starts once the members above are set
};

// The VMs' disk tasks of one snapshot.
class VmBackupDispatch {
 public:
  VmBackupDispatch(SnapshotRun& run, const std::string& target_id)
      : run_(run),
        target_id_(target_id),
        progress_(
            [this](int percent, const std::string& message, uint64_t done) {
              (void)db::SnapshotRepository(run_.ctx.db)
                  .Update(run_.snapshot.id, {.progress_percent = percent,
                                             .progress_msg = message,
                                             .uploaded_size = static_cast<int64_t>(done)});
            },
            5, 95) {}

  Status Run(std::vector<VmSnapshot>& vms, size_t at_once) {
    CancelMirror mirror(run_.jc.cancel, abort_all_);
    for (size_t begin = 0; begin < vms.size(); begin += at_once) {
      if (!RunBatch(vms, begin, std::min(vms.size(), begin + at_once))) break;
      if (run_.Cancelled()) return Status::Cancelled("cancelled");
    }
    return first_error_;
  }

 private:
  // Runs the VMs [begin, end) at once and waits for them all; false when one failed.
  bool RunBatch(std::vector<VmSnapshot>& vms, size_t begin, size_t end) {
    std::vector<std::future<Status>> running;
    for (size_t i = begin; i < end; ++i) {
      running.push_back(std::async(std::launch::async, [this, &vms, i] { return BackUp(vms[i]); }));
    }
    bool failed = false;
    for (auto& f : running) {
      Status st = f.get();
      if (st.ok()) continue;
      failed = true;
      // The VM that failed, not the ones it stopped, says why.
      if (first_error_.ok() || (first_error_.IsCancelled() && !st.IsCancelled())) first_error_ = st;
    }
    return !failed;
  }

  // One VM's task; its first failure stops the other VMs' tasks.
  Status BackUp(VmSnapshot& item) {
    rpc::DiskTask task{.job_id = run_.jc.job.id,
                       .host = item.vm.host,
                       .kind = std::string(rpc::task_kind::kVmBackup),
                       .body = VmBackupBody(run_.snapshot, item, target_id_)};
    auto result = run_.ctx.transport.Call(
        task, [&](uint64_t done, uint64_t total) { progress_.Update(item.vm.vm_id, done, total); }, &abort_all_);
    Status st = result.ok() ? ParseVmBackupAnswer(*result, item.answer.emplace()) : result.status();
    if (st.ok()) return st;
    abort_all_ = true;
    if (st.IsCancelled()) return st;
    return Status(st.code(), "VM " + item.vm.vm_name + " (" + item.vm.vm_id + ") on host " + item.vm.host + ": " +
                                 st.message());
  }

  SnapshotRun& run_;
  const std::string target_id_;
  ProgressReporter progress_;
  // Raised by the job's cancel or by the first VM that fails: the other
  // VMs' disk tasks stop too.
  std::atomic<bool> abort_all_{false};
  Status first_error_;  // written by the dispatching thread only
};

}  // namespace

size_t VmsAtOnce(const db::Workload& workload, const EngineOptions& options) {
  if (workload.workload_type_id == db::kSerialWorkloadTypeId) return 1;
  return static_cast<size_t>(std::max(1, options.max_parallel_vms));
}

json VmBackupBody(const db::Snapshot& snapshot, const VmSnapshot& vm, const std::string& target_id) {
  json body = {{"workload", snapshot.workload_id},  {"snapshot", snapshot.id},
               {"vm", vm.vm.vm_id},                 {"domain", vm.vm.instance_name},
               {"force_full", vm.force_full},       {"quiesce", vm.vm.quiesce},
               {"previous_snapshot", nullptr},      {"previous_checkpoint", nullptr},
               {"target_id", target_id}};
  if (!vm.force_full && vm.previous) {
    body["previous_snapshot"] = vm.previous->id;
    body["previous_checkpoint"] = vm.PreviousCheckpoint();
  }
  return body;
}

Status DispatchVmBackups(SnapshotRun& run, std::vector<VmSnapshot>& vms, size_t at_once,
                         const std::string& target_id) {
  CAIRN_RETURN_IF_ERROR(db::SnapshotRepository(run.ctx.db)
                            .Update(run.snapshot.id, {.progress_percent = 5, .progress_msg = "Backing up the disks"})
                            .status());
  VmBackupDispatch dispatch(run, target_id);
  return dispatch.Run(vms, std::max<size_t>(at_once, 1));
}

}  // namespace cairn::engine
