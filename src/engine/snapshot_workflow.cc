// snapshot_create (workflows.h).
#include <algorithm>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "common/log.h"
#include "common/strings.h"
#include "db/disk_task_repository.h"
#include "db/snapshot_repository.h"
#include "db/snapshot_slot_repository.h"
#include "db/workload_repository.h"
#include "engine/backup_window.h"
#include "engine/progress.h"
#include "engine/retention.h"
#include "engine/snapshot_slots.h"
#include "control/target_metadata.h"
#include "engine/vm_capture.h"
#include "engine/workflows.h"
#include "engine/workload_lock.h"
#include "rpc/task.h"
#include "target/identity.h"
#include "target/layout.h"

namespace cairn::engine {

using control::WriteDiskMetadata;
using control::WriteSnapshotDb;
using control::WriteSnapshotResources;
using control::WriteWorkloadMetadata;

namespace {

using nlohmann::json;
namespace ss = db::snapshot_status;

// One VM's part of the snapshot.
struct VmWork {
  CapturedVm vm;
  std::optional<db::Snapshot> previous;     // the snapshot holding its previous backup
  std::optional<db::SnapshotVm> previous_vm;
  bool force_full = false;
  json result;  // the datamover's answer
};

// The workload's last available snapshot before `s`, if any.
Result<std::optional<db::Snapshot>> PreviousSnapshot(db::Executor& db, const db::Snapshot& s) {
  db::SnapshotFilter f;
  f.workload_id = s.workload_id;
  f.statuses = {std::string(ss::kAvailable)};
  CAIRN_ASSIGN_OR_RETURN(std::vector<db::Snapshot> list, db::SnapshotRepository(db).List(f));
  for (const auto& p : list) {  // newest first
    if (p.id != s.id && p.created_at <= s.created_at) return std::optional<db::Snapshot>(p);
  }
  return std::optional<db::Snapshot>();
}

// How many incrementals follow the last full among the available snapshots.
Result<int> IncrementalsSinceFull(db::Executor& db, const db::Snapshot& s) {
  db::SnapshotFilter f;
  f.workload_id = s.workload_id;
  f.statuses = {std::string(ss::kAvailable)};
  CAIRN_ASSIGN_OR_RETURN(std::vector<db::Snapshot> list, db::SnapshotRepository(db).List(f));
  int n = 0;
  for (const auto& p : list) {
    if (p.snapshot_type == db::kSnapshotTypeFull) break;
    ++n;
  }
  return n;
}

// fullbackup_interval of the workload's schedule: -1 never (only the first
// is full), 0 always full, N a full after N incrementals.
int FullBackupInterval(const db::Workload& w) {
  const json& js = w.jobschedule;
  for (const char* key : {"fullbackup_interval", "full_backup_interval"}) {
    if (!js.contains(key)) continue;
    const json& v = js[key];
    if (v.is_number_integer()) return v.get<int>();
    if (v.is_string()) {
      try {
        return std::stoi(v.get<std::string>());
      } catch (...) {
      }
    }
  }
  return -1;
}

// Ends a snapshot that failed or was cancelled: nothing of it stays on the
// target or in the tables of its disks, the checkpoints it took are dropped,
// the workload is unlocked.
void EndSnapshot(EngineContext& ctx, const db::Snapshot& s, const Status& why, const std::vector<VmWork>& work,
                 const std::string& job_id, HeldWorkloadLock& lock) {
  auto log = GetLogger("engine");
  // Disk tasks of this job that a datamover still runs (the job was taken
  // over from a dead engine) would write into the snapshot after it is
  // removed: stop them and wait for them first.
  StopDiskTasksOfJob(ctx, job_id);
  for (const auto& w : work) {
    if (!w.result.is_object() || !w.result.contains("checkpoint") || !w.result["checkpoint"].is_object()) continue;
    rpc::DiskTask task{.job_id = job_id,
                       .host = w.vm.host,
                       .kind = std::string(rpc::task_kind::kRemoveCheckpoint),
                       .body = {{"domain", w.vm.instance_name}, {"xml", w.result["checkpoint"].value("xml", "")}}};
    if (auto r = ctx.transport.Call(task, {}, nullptr); !r.ok()) {
      log->warn("snapshot {}: checkpoint of VM {} not removed: {}", s.id, w.vm.vm_id, r.status().ToString());
    }
  }
  if (Status rm = ctx.store.RemoveAll(target::layout::SnapshotDir(s.workload_id, s.id)); !rm.ok()) {
    log->warn("snapshot {}: its files on the target were not removed: {}", s.id, rm.ToString());
  }
  db::SnapshotRepository snapshots(ctx.db);
  if (auto disks = snapshots.ListDisks(s.id); disks.ok()) {
    for (const auto& d : *disks) (void)snapshots.DeleteDisk(d.id);
  }
  const bool cancelled = why.IsCancelled();
  db::SnapshotUpdate u;
  u.status = std::string(cancelled ? ss::kCancelled : ss::kError);
  u.error_msg = cancelled ? std::string() : why.message();
  u.progress_msg = cancelled ? "Cancelled" : "Failed";
  u.time_taken = std::chrono::duration_cast<std::chrono::seconds>(ctx.clock.Now() - s.created_at).count();
  u.finished_at = ctx.clock.Now();
  // The snapshot's end and its workload's unlock are seen together (when
  // this fails, the lock's guard still unlocks).
  Status ended = lock.UnlockWith("end snapshot", [&](db::Executor& tx) {
    return db::SnapshotRepository(tx).Update(s.id, u).status();
  });
  if (!ended.ok()) log->error("snapshot {}: {}", s.id, ended.ToString());
}

// A scheduled snapshot's backup window: an error once it has closed.
Status CheckBackupWindow(EngineContext& ctx, const JobContext& jc) {
  return CheckWindowOfJob(jc.job.payload, ctx.clock.Now());
}

// Holds the snapshot slots of the caps ([engine] max_snapshots_*) for one
// job while it moves data; frees them when it ends (unless the job was lost:
// its new owner holds them under the same job id).
class HeldSlots {
 public:
  HeldSlots(db::Database& db, const JobContext& jc) : db_(db), jc_(jc) {}
  ~HeldSlots() {
    if (held_ && !jc_.Lost()) (void)db::SnapshotSlotRepository(db_).Release(jc_.job.id);
  }
  HeldSlots(const HeldSlots&) = delete;
  HeldSlots& operator=(const HeldSlots&) = delete;

  // Waits until the job holds a slot of each of `needs`, saying what it
  // waits for in the snapshot's progress message. Stops on cancel, a lost
  // job, or a scheduled snapshot's closed backup window.
  Status Take(EngineContext& ctx, const std::string& snapshot_id, const std::vector<SlotNeed>& needs) {
    if (needs.empty()) return Status::OK();
    std::string said;
    for (;;) {
      held_ = true;  // TryTakeSlots may have taken some before it fails
      CAIRN_ASSIGN_OR_RETURN(std::optional<SlotNeed> full, TryTakeSlots(ctx.db, jc_.job.id, needs));
      if (!full) return Status::OK();
      if (jc_.cancel.load()) return Status::Cancelled("cancelled");
      if (jc_.Lost()) return Status::Cancelled("the job was taken over");
      CAIRN_RETURN_IF_ERROR(CheckBackupWindow(ctx, jc_).WithContext("waiting for a free snapshot slot"));
      const std::string message = "Waiting for a free snapshot slot: " + full->what + " already runs " +
                                  std::to_string(full->cap) + " snapshot(s)";
      if (message != said) {
        (void)db::SnapshotRepository(ctx.db).Update(snapshot_id, {.progress_msg = message});
        said = message;
      }
      std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(ctx.options.job_poll,
                                                                        std::chrono::seconds(5)));
    }
  }

 private:
  db::Database& db_;
  const JobContext& jc_;
  bool held_ = false;
};

Status SnapshotSteps(EngineContext& ctx, const JobContext& jc, db::Snapshot& s, std::vector<VmWork>& work,
                     std::vector<std::string>& warnings, HeldWorkloadLock& lock) {
  db::SnapshotRepository snapshots(ctx.db);
  // Nothing is written to a target without its marker (an unmounted share).
  CAIRN_ASSIGN_OR_RETURN(target::TargetIdentity target_identity, target::ReadTargetIdentity(ctx.store));
  CAIRN_RETURN_IF_ERROR(CheckBackupWindow(ctx, jc));
  CAIRN_ASSIGN_OR_RETURN(db::Workload w, db::WorkloadRepository(ctx.db).Get(s.workload_id));
  CAIRN_ASSIGN_OR_RETURN(openstack::Token user, ctx.cloud.UserToken(jc.job));
  const auto started = std::chrono::steady_clock::now();

  // Full or incremental.
  CAIRN_ASSIGN_OR_RETURN(std::optional<db::Snapshot> previous, PreviousSnapshot(ctx.db, s));
  bool full = s.snapshot_type == db::kSnapshotTypeFull || !previous || jc.job.payload.value("full", false);
  if (!full) {
    const int interval = FullBackupInterval(w);
    CAIRN_ASSIGN_OR_RETURN(int since, IncrementalsSinceFull(ctx.db, s));
    if (interval == 0 || (interval > 0 && since >= interval)) full = true;
  }
  // The previous snapshot's VMs: what an incremental builds on, and the
  // checkpoints whose bitmaps this snapshot makes obsolete (also after a full).
  std::vector<db::SnapshotVm> previous_vms;
  if (previous) {
    CAIRN_ASSIGN_OR_RETURN(previous_vms, snapshots.ListVms(previous->id));
  }

  // 1. Capture the VMs.
  CAIRN_RETURN_IF_ERROR(snapshots.Update(s.id, {.snapshot_type = std::string(full ? db::kSnapshotTypeFull
                                                                                   : db::kSnapshotTypeIncremental),
                                                 .status = std::string(ss::kExecuting),
                                                 .progress_percent = 2,
                                                 .progress_msg = "Capturing the definitions of " +
                                                                 std::to_string(w.vms.size()) + " VM(s)",
                                                 .host = ctx.options.host})
                            .status());
  s.snapshot_type = std::string(full ? db::kSnapshotTypeFull : db::kSnapshotTypeIncremental);
  if (w.vms.empty()) return Status::InvalidArgument("workload " + w.id + " has no VMs");
  json resources = json::object();
  std::vector<db::SnapshotVm> vm_rows;
  for (const auto& wvm : w.vms) {
    if (jc.cancel.load()) return Status::Cancelled("cancelled");
    Result<CapturedVm> captured = CaptureVm(ctx, user, wvm.vm_id, warnings);
    if (!captured.ok()) {
      if (captured.status().IsNotFound()) {
        return Status::NotFound("VM " + wvm.vm_id + " (" + wvm.vm_name + ") no longer exists: " +
                                captured.status().message());
      }
      return captured.status().WithContext("VM " + wvm.vm_name);
    }
    VmWork item;
    item.vm = std::move(*captured);
    item.force_full = full;
    for (const auto& pv : previous_vms) {
      if (pv.vm_id != item.vm.vm_id) continue;
      item.previous = previous;
      item.previous_vm = pv;
    }
    if (!full && !item.previous) {
      item.force_full = true;  // new in the workload: nothing to be incremental on
    } else if (!full && item.previous_vm) {
      const std::string old_host = item.previous_vm->metadata.value("host", "");
      if (!old_host.empty() && old_host != item.vm.host) {
        item.force_full = true;
        warnings.push_back("VM " + item.vm.vm_name + " moved from host " + old_host + " to " + item.vm.host +
                           ": its change tracking stayed behind, so this is a full backup of it");
      }
    }
    resources[item.vm.vm_id] = item.vm.definition;
    db::SnapshotVm row = item.vm.row;
    row.snapshot_id = s.id;
    vm_rows.push_back(row);
    work.push_back(std::move(item));
  }
  CAIRN_RETURN_IF_ERROR(WriteWorkloadMetadata(ctx.store, w));
  CAIRN_RETURN_IF_ERROR(WriteSnapshotResources(ctx.store, s, vm_rows, resources));

  // The caps on snapshots moving data at once: wait for a slot of the cloud
  // and of each host the VMs run on.
  std::set<std::string> hosts;
  for (const auto& item : work) hosts.insert(item.vm.host);
  HeldSlots slots(ctx.db, jc);
  CAIRN_RETURN_IF_ERROR(slots.Take(
      ctx, s.id, SlotsNeeded(ctx.options.max_snapshots_per_host, ctx.options.max_snapshots_total, hosts)));
  CAIRN_RETURN_IF_ERROR(CheckBackupWindow(ctx, jc));

  // 2. Disk data, through the datamover of each VM's host.
  ProgressReporter progress(
      [&](int percent, const std::string& message, uint64_t done) {
        (void)snapshots.Update(s.id, {.progress_percent = percent,
                                      .progress_msg = message,
                                      .uploaded_size = static_cast<int64_t>(done)});
      },
      5, 95);
  CAIRN_RETURN_IF_ERROR(snapshots.Update(s.id, {.progress_percent = 5, .progress_msg = "Backing up the disks"}).status());
  const bool serial = w.workload_type_id == db::kSerialWorkloadTypeId;
  const size_t cap = serial ? 1 : static_cast<size_t>(std::max(1, ctx.options.max_parallel_vms));
  std::atomic<bool> failed{false};
  // Raised by the job's cancel or by the first VM that fails: the other
  // VMs' disk tasks stop too.
  std::atomic<bool> abort_all{false};
  std::atomic<bool> disks_done{false};
  std::thread mirror([&] {
    while (!disks_done.load()) {
      if (jc.cancel.load()) abort_all = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  struct JoinMirror {
    std::atomic<bool>& done;
    std::thread& t;
    ~JoinMirror() {
      done = true;
      if (t.joinable()) t.join();
    }
  } join_mirror{disks_done, mirror};
  auto backup_one = [&](VmWork& item) -> Status {
    json body = {{"workload", s.workload_id}, {"snapshot", s.id},           {"vm", item.vm.vm_id},
                 {"domain", item.vm.instance_name}, {"force_full", item.force_full}, {"quiesce", item.vm.quiesce},
                 {"previous_snapshot", nullptr},    {"previous_checkpoint", nullptr},
                 {"target_id", target_identity.id}};
    if (!item.force_full && item.previous) {
      body["previous_snapshot"] = item.previous->id;
      if (item.previous_vm && item.previous_vm->metadata.contains("checkpoint")) {
        body["previous_checkpoint"] = item.previous_vm->metadata["checkpoint"];
      }
    }
    rpc::DiskTask task{.job_id = jc.job.id, .host = item.vm.host, .kind = std::string(rpc::task_kind::kVmBackup),
                       .body = body};
    auto result = ctx.transport.Call(
        task, [&](uint64_t done, uint64_t total) { progress.Update(item.vm.vm_id, done, total); }, &abort_all);
    if (!result.ok()) {
      abort_all = true;
      if (result.status().IsCancelled()) return result.status();
      return Status(result.status().code(), "VM " + item.vm.vm_name + " (" + item.vm.vm_id + ") on host " +
                                                item.vm.host + ": " + result.status().message());
    }
    item.result = std::move(*result);
    return Status::OK();
  };
  // Runs at most `cap` VMs at once; the first failure cancels the others.
  Status first_error;
  std::mutex error_mu;
  for (size_t begin = 0; begin < work.size(); begin += cap) {
    std::vector<std::future<Status>> running;
    for (size_t i = begin; i < std::min(work.size(), begin + cap); ++i) {
      running.push_back(std::async(std::launch::async, [&, i] { return backup_one(work[i]); }));
    }
    for (auto& f : running) {
      Status st = f.get();
      if (!st.ok()) {
        std::lock_guard lock(error_mu);
        // The VM that failed, not the ones it stopped, says why.
        if (first_error.ok() || (first_error.IsCancelled() && !st.IsCancelled())) first_error = st;
        failed = true;
      }
    }
    if (failed.load()) break;
    if (jc.cancel.load()) return Status::Cancelled("cancelled");
  }
  if (!first_error.ok()) return first_error;

  // 3. Record the disks and VMs, drop the checkpoints no backup needs now.
  int64_t size = 0;
  int64_t restore_size = 0;
  std::vector<db::SnapshotDisk> disk_rows;
  for (size_t i = 0; i < work.size(); ++i) {
    VmWork& item = work[i];
    db::SnapshotVm& row = vm_rows[i];
    for (const auto& wmsg : item.result.value("warnings", json::array())) {
      warnings.push_back("VM " + item.vm.vm_name + ": " + wmsg.get<std::string>());
    }
    std::vector<db::SnapshotDisk> previous_disks;
    if (item.previous) {
      CAIRN_ASSIGN_OR_RETURN(previous_disks, snapshots.ListDisks(item.previous->id, item.vm.vm_id));
    }
    // Every volume of the VM must have come back as a disk: one the
    // datamover cannot read (a network disk such as RBD) fails the snapshot
    // rather than leave a snapshot that restores without it.
    for (const auto& volume : item.vm.volumes) {
      bool found = false;
      for (const auto& d : item.result.value("disks", json::array())) {
        if (VolumeOfDisk(item.vm, d.value("device", ""), d.value("serial", "")) == &volume) found = true;
      }
      if (!found) {
        return Status::NotSupported("volume " + volume.id + " of VM " + item.vm.vm_name + " (attached as " +
                                    volume.device + ") was not backed up: on host " + item.vm.host +
                                    " it is not a file or block device (network disks such as RBD are not "
                                    "supported yet)");
      }
    }
    json disks_meta = json::array();
    for (const auto& d : item.result.value("disks", json::array())) {
      db::SnapshotDisk disk;
      disk.id = d.value("image_id", "");
      disk.snapshot_id = s.id;
      disk.vm_id = item.vm.vm_id;
      disk.resource_id = d.value("resource", "");
      disk.device = d.value("device", "");
      disk.format = "qcow2";
      disk.size = d.value("image_file_size", int64_t{0});
      disk.path = d.value("image_path", "");
      disk.volume_size = d.value("virtual_size", int64_t{0});
      if (const CapturedVolume* v = VolumeOfDisk(item.vm, disk.device, d.value("serial", ""))) {
        disk.volume_id = v->id;
        disk.volume_type = v->volume_type;
        disk.volume_size = v->size_gb;
        disk.bootable = v->bootable;
      } else {
        disk.bootable = disk.device == "vda" && !item.vm.image_id.empty();
      }
      if (d.value("incremental", false)) {
        for (const auto& pd : previous_disks) {
          if (pd.device == disk.device) disk.parent_disk_snapshot_id = pd.id;
        }
      }
      if (!d.value("warning", std::string()).empty()) {
        warnings.push_back("VM " + item.vm.vm_name + " disk " + disk.device + ": " + d.value("warning", ""));
      }
      size += disk.size;
      restore_size += d.value("virtual_size", int64_t{0});
      disks_meta.push_back({{"device", disk.device},
                            {"volume_id", disk.volume_id ? json(*disk.volume_id) : json(nullptr)},
                            {"virtual_size", d.value("virtual_size", int64_t{0})},
                            {"driver_type", d.value("driver_type", "")},
                            {"incremental", d.value("incremental", false)},
                            {"mode", d.value("mode", "")}});
      CAIRN_ASSIGN_OR_RETURN(db::SnapshotDisk stored, snapshots.PutDisk(disk));
      disk_rows.push_back(stored);
    }
    row.metadata["disks"] = disks_meta;
    row.metadata["quiesced"] = item.result.value("quiesced", false);
    if (item.result.contains("checkpoint") && item.result["checkpoint"].is_object()) {
      row.metadata["checkpoint"] = item.result["checkpoint"];
    }
    CAIRN_RETURN_IF_ERROR(snapshots.PutVm(row));
  }
  CAIRN_RETURN_IF_ERROR(WriteDiskMetadata(ctx.store, s, disk_rows));
  CAIRN_RETURN_IF_ERROR(WriteSnapshotResources(ctx.store, s, vm_rows, resources));

  // Bitmaps of the previous checkpoints are not needed any more (the next
  // incremental starts from this snapshot's). They go before the snapshot is
  // published: their removal redefines the checkpoint in libvirt for a
  // moment, and once a client sees the snapshot available nothing of Cairn
  // may touch the VM (Nova refuses to delete or resize a domain with
  // checkpoint metadata). Should the snapshot still be cancelled after this,
  // the next one is a full, with a warning. Failing to drop one costs only
  // space in the disk: a warning in the log.
  for (const auto& item : work) {
    if (!item.previous_vm || !item.previous_vm->metadata.contains("checkpoint")) continue;
    const json& old = item.previous_vm->metadata["checkpoint"];
    if (!old.is_object() || old.value("xml", "").empty()) continue;
    rpc::DiskTask task{.job_id = jc.job.id,
                       .host = item.vm.host,
                       .kind = std::string(rpc::task_kind::kRemoveCheckpoint),
                       .body = {{"domain", item.vm.instance_name}, {"xml", old.value("xml", "")}}};
    if (auto r = ctx.transport.Call(task, {}, nullptr); !r.ok()) {
      GetLogger("engine")->warn("VM {}: the bitmaps of checkpoint {} stay in its disks: {}", item.vm.vm_id,
                                old.value("name", ""), r.status().ToString());
    }
  }
  // 4. Publish. The job must still be this engine's; the values first, the
  // target's snapshot_db, and last the status, by compare-and-set from
  // executing (a cancel that came meanwhile wins). After that nothing fails
  // the snapshot.
  if (jc.Lost() || jc.cancel.load()) return Status::Cancelled("cancelled");
  const int64_t seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started).count();
  std::string warning_msg;
  for (const auto& wmsg : warnings) warning_msg += (warning_msg.empty() ? "" : "; ") + wmsg;
  CAIRN_ASSIGN_OR_RETURN(db::Snapshot done, snapshots.Update(s.id, {.progress_percent = 100,
                                                                    .progress_msg = "Snapshot of " +
                                                                                    std::to_string(work.size()) +
                                                                                    " VM(s) done",
                                                                    .warning_msg = warning_msg,
                                                                    .error_msg = std::string(),
                                                                    .size = size,
                                                                    .restore_size = restore_size,
                                                                    .uploaded_size = size,
                                                                    .time_taken = std::max<int64_t>(seconds, 1),
                                                                    .finished_at = ctx.clock.Now()}));
  done.status = std::string(ss::kAvailable);
  CAIRN_RETURN_IF_ERROR(WriteSnapshotDb(ctx.store, done));
  // The snapshot becomes available and its workload unlocked in one
  // transaction: a client that sees the snapshot available can take the
  // next one at once.
  Status published = lock.UnlockWith("publish snapshot", [&](db::Executor& tx) {
    return db::SnapshotRepository(tx).SetStatusIf(s.id, {std::string(ss::kExecuting)}, ss::kAvailable);
  });
  if (published.code() == ErrorCode::kConflict) return Status::Cancelled("cancelled");
  CAIRN_RETURN_IF_ERROR(published);
  s = done;

  if (auto usage = snapshots.Usage(std::nullopt, s.workload_id); usage.ok()) {
    (void)db::WorkloadRepository(ctx.db).Update(s.workload_id, {.storage_usage = usage->size});
  }
  return Status::OK();
}

}  // namespace

void StopDiskTasksOfJob(EngineContext& ctx, const std::string& job_id) {
  db::DiskTaskRepository tasks(ctx.db);
  const auto deadline = std::chrono::steady_clock::now() + ctx.options.datamover_timeout + std::chrono::seconds(5);
  bool asked = false;
  while (std::chrono::steady_clock::now() < deadline) {
    auto left = tasks.ListUnfinished(job_id);
    if (!left.ok() || left->empty()) return;
    for (const auto& t : *left) {
      if (!asked) (void)tasks.RequestCancel(t.id);
      // A datamover that stopped reporting will not end it: fail it.
      (void)tasks.MarkStale(t.id, UtcNow() - ctx.options.datamover_timeout,
                            "the datamover on host " + t.host + " stopped reporting");
    }
    asked = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  GetLogger("engine")->warn("job {}: disk tasks still running after the cancel", job_id);
}

Status RunSnapshot(EngineContext& ctx, const JobContext& jc) {
  db::SnapshotRepository snapshots(ctx.db);
  CAIRN_ASSIGN_OR_RETURN(db::Snapshot s, snapshots.Get(jc.job.object_id));
  if (s.status == ss::kAvailable || s.status == ss::kError || s.status == ss::kCancelled) {
    return Status::OK();  // already ended (cancelled while queued, or finished by an earlier engine)
  }
  // The workload's lock is this job's (queued with it): released however
  // the job ends, unless another engine took the job over.
  HeldWorkloadLock lock(ctx.db, jc, s.workload_id);
  std::vector<VmWork> work;
  std::vector<std::string> warnings;
  Status outcome;
  if (jc.taken_over) {
    outcome = Status::Unavailable("the engine running this snapshot stopped (job attempt " +
                                  std::to_string(jc.job.attempts) + "); take a new snapshot");
  } else if (s.status == ss::kCancelling || jc.cancel.load()) {
    outcome = Status::Cancelled("cancelled");
  } else {
    outcome = CatchExceptions("the snapshot workflow", [&] { return SnapshotSteps(ctx, jc, s, work, warnings, lock); });
  }
  if (outcome.ok()) {
    GetLogger("engine")->info("snapshot {} available: {} bytes in {} s", s.id, s.size, s.time_taken);
    // Retention: the snapshots the workload's policy no longer keeps are
    // deleted by their own jobs. Failing here costs space, not this snapshot.
    auto expired = ApplyRetention(ctx.db, s.workload_id, jc.job.user_id, ctx.clock.Now());
    if (!expired.ok()) {
      GetLogger("engine")->warn("snapshot {}: retention not applied: {}", s.id, expired.status().ToString());
    } else if (!expired->empty()) {
      GetLogger("engine")->info("workload {}: retention deletes {} snapshot(s): {}", s.workload_id, expired->size(),
                                Join(*expired, ", "));
    }
    return Status::OK();
  }
  if (jc.Lost()) {
    // Another engine owns the job now: it ends the snapshot and cleans up.
    GetLogger("engine")->warn("snapshot {}: job lost to another engine; leaving it to that one", s.id);
    return outcome;
  }
  if (jc.cancel.load() && !outcome.IsCancelled()) outcome = Status::Cancelled(outcome.message());
  GetLogger("engine")->warn("snapshot {} {}: {}", s.id, outcome.IsCancelled() ? "cancelled" : "failed",
                            outcome.ToString());
  const Status ended = CatchExceptions("the end of the snapshot", [&] {
    EndSnapshot(ctx, s, outcome, work, jc.job.id, lock);
    return Status::OK();
  });
  if (!ended.ok()) GetLogger("engine")->error("snapshot {}: {}", s.id, ended.ToString());
  return outcome;
}

bool SnapshotIsCancelling(EngineContext& ctx, const db::Job& job) {
  auto s = db::SnapshotRepository(ctx.db).Get(job.object_id);
  return s.ok() && (s->status == ss::kCancelling || s->status == ss::kCancelled);
}

}  // namespace cairn::engine
