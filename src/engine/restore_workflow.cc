// restore_create (workflows.h): oneclick, selective and inplace restores.
// The steps are RestoreRun's (restore_run.h); here: the job around them
// (start, failure, cancel, takeover), the plan, each VM in turn, the finish
// and the ledger's undo.
#include <algorithm>
#include <chrono>

#include "common/log.h"
#include "db/restore_repository.h"
#include "db/snapshot_repository.h"
#include "engine/restore_run.h"
#include "engine/workflows.h"
#include "target/identity.h"
#include "target/layout.h"

namespace cairn::engine {

using nlohmann::json;
namespace rs = db::restore_status;
namespace os = openstack;

json& RestoreLedger::For(const std::string& vm_id) {
  for (auto& e : doc) {
    if (e.value("vm_id", "") == vm_id) return e;
  }
  doc.push_back({{"vm_id", vm_id}, {"ports", json::array()}, {"volumes", json::array()},
                 {"images", json::array()}, {"attachments", json::array()}, {"status", "building"}});
  return doc.back();
}

RestoreRun::RestoreRun(EngineContext& ctx, const JobContext& jc, db::Restore restore)
    : ctx_(ctx), jc_(jc), cloud_(ctx.cloud), r_(std::move(restore)) {
  if (r_.instances.is_array()) ledger_.doc = r_.instances;
  waits_.timeout = ctx.options.server_timeout;
}

Status RestoreRun::RefreshToken() {
  CAIRN_ASSIGN_OR_RETURN(user_, cloud_.UserToken(jc_.job));
  return Status::OK();
}

Status RestoreRun::SaveLedger() {
  return db::RestoreRepository(ctx_.db).Update(r_.id, {.instances = ledger_.doc}).status();
}

void RestoreRun::Progress(const std::string& msg) {
  (void)db::RestoreRepository(ctx_.db).Update(r_.id, {.progress_percent = progress_percent_, .progress_msg = msg});
}

std::vector<db::SnapshotDisk> RestoreRun::DisksOf(const std::string& vm_id) const {
  std::vector<db::SnapshotDisk> out;
  for (const auto& d : disks_) {
    if (d.vm_id == vm_id) out.push_back(d);
  }
  return out;
}

std::string RestoreRun::ObjectName(const std::string& vm_name) const {
  return ctx_.options.restore_name_prefix + r_.id.substr(0, 8) + "-" + vm_name;
}

rpc::DiskTask RestoreRun::IntoDomainDisk(const std::string& vm_id, const std::string& device,
                                         const os::Server& target) const {
  return rpc::DiskTask{.job_id = jc_.job.id,
                       .host = target.host,
                       .kind = std::string(rpc::task_kind::kRestoreDisk),
                       .body = {{"workload", s_.workload_id},
                                {"snapshot", s_.id},
                                {"vm", vm_id},
                                {"device", device},
                                {"domain", target.instance_name},
                                {"target_id", target_id_}}};
}

Status RestoreRun::StopServer(const std::string& server_id) {
  CAIRN_RETURN_IF_ERROR(cloud_.StopServer(user_, server_id));
  return cloud_.WaitForServer(user_, server_id, {.statuses = {"SHUTOFF"}}, waits_).status();
}

// --- Plan

Status RestoreRun::Plan() {
  db::SnapshotRepository snapshots(ctx_.db);
  CAIRN_ASSIGN_OR_RETURN(s_, snapshots.Get(r_.snapshot_id));
  CAIRN_ASSIGN_OR_RETURN(vms_, snapshots.ListVms(s_.id));
  CAIRN_ASSIGN_OR_RETURN(disks_, snapshots.ListDisks(s_.id));
  control::SnapshotContents contents;
  for (const auto& vm : vms_) contents.vm_ids.insert(vm.vm_id);
  for (const auto& d : disks_) {
    contents.disk_ids.insert(d.id);
    if (d.volume_id) contents.volume_ids.insert(*d.volume_id);
  }
  // The options were checked by the API with the same parser; a row it
  // would refuse (written otherwise) fails here, before anything is made.
  CAIRN_ASSIGN_OR_RETURN(plan_, control::ParseStoredRestorePlan(r_.restore_type, r_.options, contents));
  CAIRN_ASSIGN_OR_RETURN(std::string text, ctx_.store.ReadSmall(target::layout::ResourcesDb(s_.workload_id, s_.id)));
  resources_ = json::parse(text, nullptr, false);
  if (!resources_.is_object()) {
    return Status::Corruption("resources_db of snapshot " + s_.id + " on the target is not a JSON object");
  }
  return RefreshToken();
}

// --- Each VM

Status RestoreRun::RestoreVm(const db::SnapshotVm& vm, const control::VmPlan& plan) {
  CAIRN_RETURN_IF_ERROR(RefreshToken());
  json& entry = ledger_.For(vm.vm_id);
  if (entry.value("status", "") == "available") return Status::OK();
  VmRestore r{.vm = vm,
              .plan = plan,
              .def = resources_.value(vm.vm_id, json::object()),
              .name = plan.name.empty() ? vm.vm_name : plan.name,
              .entry = entry};
  entry["name"] = r.name;
  Progress("Restoring VM " + r.name);
  CAIRN_RETURN_IF_ERROR(CreatePorts(r));
  CAIRN_RETURN_IF_ERROR(CheckCancel());
  CAIRN_RETURN_IF_ERROR(CreateVolumes(r));
  CAIRN_RETURN_IF_ERROR(CheckCancel());
  CAIRN_RETURN_IF_ERROR(CreateServer(r));
  CAIRN_RETURN_IF_ERROR(CheckCancel());
  CAIRN_RETURN_IF_ERROR(RestoreData(r));
  return FinishVm(r);
}

Status RestoreRun::FinishVm(VmRestore& r) {
  // The temporary image is not needed once the server runs.
  for (const auto& image : r.entry["images"]) {
    if (Status d = cloud_.DeleteImage(user_, image.get<std::string>()); !d.ok() && !d.IsNotFound()) {
      warnings_.push_back("temporary image " + image.get<std::string>() + " not deleted: " + d.message());
    }
  }
  r.entry["images"] = json::array();
  r.entry["status"] = "available";
  r.entry["id"] = r.server_id;
  return SaveLedger();
}

Status RestoreRun::Run(HeldWorkloadLock& lock) {
  // A target without its marker is not the one the backups are on (an
  // unmounted share): nothing is read from it.
  CAIRN_ASSIGN_OR_RETURN(target::TargetIdentity identity, target::ReadTargetIdentity(ctx_.store));
  target_id_ = identity.id;
  CAIRN_RETURN_IF_ERROR(Plan());
  const auto started = std::chrono::steady_clock::now();
  int included = 0;
  for (const auto& vm : vms_) included += plan_.For(vm.vm_id).include ? 1 : 0;
  if (included == 0) return Status::InvalidArgument("the restore includes none of the snapshot's VMs");
  int done = 0;
  for (const auto& vm : vms_) {
    const control::VmPlan plan = plan_.For(vm.vm_id);
    if (!plan.include) continue;
    CAIRN_RETURN_IF_ERROR(CheckCancel());
    progress_percent_ = 5 + 90 * done / included;
    if (plan_.type == control::RestoreType::kInplace) {
      CAIRN_RETURN_IF_ERROR(InPlaceVm(vm, plan));
    } else {
      CAIRN_RETURN_IF_ERROR(RestoreVm(vm, plan));
    }
    ++done;
  }
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
  return Finish(lock, done, seconds.count());
}

Status RestoreRun::Finish(HeldWorkloadLock& lock, int restored, int64_t seconds) {
  std::string warning_msg;
  for (const auto& w : warnings_) warning_msg += (warning_msg.empty() ? "" : "; ") + w;
  // The restore becomes available and its workload unlocked in one
  // transaction: a client that sees it done can start the next job at once.
  return lock.UnlockWith("finish restore", [&](db::Executor& tx) {
    return db::RestoreRepository(tx)
        .Update(r_.id, {.status = std::string(rs::kAvailable),
                        .progress_percent = 100,
                        .progress_msg = "Restored " + std::to_string(restored) + " VM(s)",
                        .warning_msg = warning_msg,
                        .error_msg = std::string(),
                        .uploaded_size = static_cast<int64_t>(bytes_),
                        .time_taken = std::max<int64_t>(seconds, 1),
                        .instances = ledger_.doc,
                        .finished_at = ctx_.clock.Now()})
        .status();
  });
}

// --- Undo

std::string RestoreRun::Undo(bool everything) {
  std::string left;
  auto note = [&](const std::string& what, const Status& st) {
    if (st.ok() || st.IsNotFound()) return;
    GetLogger("engine")->warn("restore {}: {} not removed: {}", r_.id, what, st.ToString());
    left += (left.empty() ? "" : ", ") + what;
  };
  // Always a fresh token: the one of the failed step may have expired.
  if (Status refreshed = RefreshToken(); !refreshed.ok()) {
    bool created = false;
    for (const auto& e : ledger_.doc) created = created || !e.value("in_place", false);
    if (!created) return "";
    return "everything it created (no token to remove it: " + refreshed.message() + ")";
  }
  for (auto& e : ledger_.doc) {
    if (!everything && e.value("status", "") == "available") continue;
    if (e.value("in_place", false)) continue;  // nothing was created
    UndoEntry(e, note);
  }
  (void)SaveLedger();
  return left;
}

// In the reverse order of the steps: the attachments of volumes being
// written, the server, its ports, the volumes, the temporary image.
void RestoreRun::UndoEntry(json& e, const std::function<void(const std::string&, const Status&)>& note) {
  auto ids = [&](const char* key) {
    std::vector<std::string> out;
    for (const auto& id : e.value(key, json::array())) out.push_back(id.get<std::string>());
    return out;
  };
  for (const auto& a : ids("attachments")) note("attachment " + a, cloud_.DeleteAttachment(user_, a));
  if (const std::string server = e.value("server", ""); !server.empty()) {
    Status st = cloud_.DeleteServer(user_, server);
    if (st.ok()) st = cloud_.WaitForServer(user_, server, {.gone = true}, waits_).status();
    note("server " + server, st);
  }
  for (const auto& p : ids("ports")) note("port " + p, cloud_.DeletePort(user_, p));
  for (const auto& id : ids("volumes")) {
    (void)cloud_.WaitForVolume(user_, id, {.statuses = {"available", "error"}}, waits_);
    note("volume " + id, cloud_.DeleteVolume(user_, id));
  }
  for (const auto& i : ids("images")) note("image " + i, cloud_.DeleteImage(user_, i));
  e["status"] = "removed";
}

// --- The job

namespace {

// A restore that failed, was cancelled or was taken over: the datamovers'
// tasks stopped, what it built removed, its end and the unlock recorded.
void EndUnfinishedRestore(EngineContext& ctx, const JobContext& jc, const db::Restore& r, RestoreRun& run,
                          HeldWorkloadLock& lock, const Status& outcome) {
  // A failed oneclick/selective restore removes what it built; an
  // in-place one changed only the VM's own disks.
  StopDiskTasksOfJob(ctx, jc.job.id);
  std::string left;
  if (Status undone = CatchExceptions("the undo of the restore", [&] {
        left = run.Undo(/*everything=*/true);
        return Status::OK();
      });
      !undone.ok()) {
    left = "what its instances list (" + undone.message() + ")";
  }
  std::string message = outcome.message();
  if (!left.empty()) message += " (not removed, remove by hand: " + left + ")";
  // The restore's end and its workload's unlock are seen together (when
  // this fails, the lock's guard still unlocks).
  (void)lock.UnlockWith("end restore", [&](db::Executor& tx) {
    return db::RestoreRepository(tx)
        .Update(r.id, {.status = std::string(outcome.IsCancelled() ? rs::kCancelled : rs::kError),
                       .progress_msg = outcome.IsCancelled() ? "Cancelled" : "Failed",
                       .error_msg = outcome.IsCancelled() ? std::string() : message,
                       .finished_at = ctx.clock.Now()})
        .status();
  });
  GetLogger("engine")->warn("restore {} {}: {}", r.id, outcome.IsCancelled() ? "cancelled" : "failed", message);
}

}  // namespace

Status RunRestore(EngineContext& ctx, const JobContext& jc) {
  db::RestoreRepository restores(ctx.db);
  CAIRN_ASSIGN_OR_RETURN(db::Restore r, restores.Get(jc.job.object_id));
  if (r.status == rs::kAvailable || r.status == rs::kError || r.status == rs::kCancelled) return Status::OK();
  // The workload's lock is this job's (queued with it): released however
  // the job ends, unless another engine took the job over.
  HeldWorkloadLock lock(ctx.db, jc, r.workload_id);
  RestoreRun run(ctx, jc, r);
  Status outcome;
  if (jc.taken_over) {
    outcome = Status::Unavailable("the engine running this restore stopped (job attempt " +
                                  std::to_string(jc.job.attempts) + ")");
  } else if (r.status == rs::kCancelling || jc.cancel.load()) {
    outcome = Status::Cancelled("cancelled");
  } else {
    CAIRN_RETURN_IF_ERROR(restores.Update(r.id, {.status = std::string(rs::kExecuting), .progress_percent = 1,
                                                 .progress_msg = "Starting the " + r.restore_type + " restore"})
                              .status());
    outcome = CatchExceptions("the restore workflow", [&] { return run.Run(lock); });
  }
  if (!outcome.ok()) {
    if (jc.cancel.load() && !outcome.IsCancelled()) outcome = Status::Cancelled(outcome.message());
    EndUnfinishedRestore(ctx, jc, r, run, lock, outcome);
  }
  return outcome;
}

}  // namespace cairn::engine
