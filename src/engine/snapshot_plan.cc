// The plan steps of a snapshot (snapshot_steps.h): full or incremental, for
// the snapshot and for each of its VMs.
#include "db/snapshot_repository.h"
#include "engine/snapshot_steps.h"

namespace cairn::engine {
namespace {

using nlohmann::json;
namespace ss = db::snapshot_status;

// The workload's available snapshots, newest first.
Result<std::vector<db::Snapshot>> AvailableSnapshots(db::Executor& db, const std::string& workload_id) {
  db::SnapshotFilter f;
  f.workload_id = workload_id;
  f.statuses = {std::string(ss::kAvailable)};
  return db::SnapshotRepository(db).List(f);
}

// The workload's last available snapshot before `s`, if any.
std::optional<db::Snapshot> PreviousSnapshot(const std::vector<db::Snapshot>& available, const db::Snapshot& s) {
  for (const auto& p : available) {
    if (p.id != s.id && p.created_at <= s.created_at) return p;
  }
  return std::nullopt;
}

// How many incrementals follow the last full among the available snapshots.
int IncrementalsSinceFull(const std::vector<db::Snapshot>& available) {
  int n = 0;
  for (const auto& p : available) {
    if (p.snapshot_type == db::kSnapshotTypeFull) break;
    ++n;
  }
  return n;
}

// Plans one VM: the previous snapshot's backup of it (also kept in a full:
// its checkpoint's bitmaps become obsolete), and whether it is a full.
void PlanVm(const SnapshotBase& base, VmSnapshot& item) {
  item.force_full = base.full;
  for (const auto& pv : base.previous_vms) {
    if (pv.vm_id != item.vm.vm_id) continue;
    item.previous = base.previous;
    item.previous_vm = pv;
  }
  if (base.full) return;
  if (!item.previous_vm) {
    item.force_full = true;  // new in the workload: nothing to be incremental on
    return;
  }
  const std::string old_host = item.previous_vm->metadata.value("host", "");
  if (!old_host.empty() && old_host != item.vm.host) {
    item.force_full = true;
    item.warnings.push_back("VM " + item.vm.vm_name + " moved from host " + old_host + " to " + item.vm.host +
                            ": its change tracking stayed behind, so this is a full backup of it");
  }
}

}  // namespace

int FullBackupInterval(const db::Workload& workload) {
  const json& js = workload.jobschedule;
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

Result<SnapshotBase> ChooseSnapshotBase(db::Executor& db, const db::Snapshot& snapshot, const db::Workload& workload,
                                        const db::Job& job) {
  CAIRN_ASSIGN_OR_RETURN(std::vector<db::Snapshot> available, AvailableSnapshots(db, snapshot.workload_id));
  SnapshotBase base;
  base.previous = PreviousSnapshot(available, snapshot);
  base.full = snapshot.snapshot_type == db::kSnapshotTypeFull || !base.previous || job.payload.value("full", false);
  if (!base.full) {
    const int interval = FullBackupInterval(workload);
    if (interval == 0 || (interval > 0 && IncrementalsSinceFull(available) >= interval)) base.full = true;
  }
  if (base.previous) {
    CAIRN_ASSIGN_OR_RETURN(base.previous_vms, db::SnapshotRepository(db).ListVms(base.previous->id));
  }
  return base;
}

void PlanVmBackups(SnapshotRun& run, const SnapshotBase& base, std::vector<VmSnapshot>& vms) {
  for (VmSnapshot& item : vms) {
    PlanVm(base, item);
    for (auto& w : item.warnings) run.warnings.push_back(std::move(w));
    item.warnings.clear();
  }
}

nlohmann::json VmSnapshot::PreviousCheckpoint() const {
  if (!previous_vm || !previous_vm->metadata.contains("checkpoint")) return nullptr;
  return previous_vm->metadata["checkpoint"];
}

}  // namespace cairn::engine
