#include "engine/snapshot_slots.h"

#include <algorithm>
#include <thread>

#include "db/snapshot_repository.h"
#include "db/snapshot_slot_repository.h"
#include "engine/backup_window.h"

namespace cairn::engine {

std::vector<SlotNeed> SlotsNeeded(int per_host, int total, const std::set<std::string>& hosts) {
  std::vector<SlotNeed> needs;
  if (total > 0) needs.push_back({.scope = "cloud", .cap = total, .what = "the cloud"});
  if (per_host > 0) {
    for (const std::string& host : hosts) {
      needs.push_back({.scope = "host:" + host, .cap = per_host, .what = "host " + host});
    }
  }
  return needs;
}

Result<std::optional<SlotNeed>> TryTakeSlots(db::Database& db, const std::string& job_id,
                                             const std::vector<SlotNeed>& needs) {
  if (needs.empty()) return std::optional<SlotNeed>();
  db::SnapshotSlotRepository slots(db);
  CAIRN_RETURN_IF_ERROR(slots.ReleaseOrphans().status());
  for (const SlotNeed& need : needs) {
    CAIRN_ASSIGN_OR_RETURN(bool taken, slots.TryAcquire(need.scope, need.cap, job_id));
    if (!taken) {
      CAIRN_RETURN_IF_ERROR(slots.Release(job_id));
      return std::optional<SlotNeed>(need);
    }
  }
  return std::optional<SlotNeed>();
}

HeldSlots::~HeldSlots() {
  if (held_ && !jc_.Lost()) (void)db::SnapshotSlotRepository(db_).Release(jc_.job.id);
}

Status HeldSlots::Take(EngineContext& ctx, const std::string& snapshot_id, const std::vector<SlotNeed>& needs) {
  if (needs.empty()) return Status::OK();
  std::string said;
  for (;;) {
    held_ = true;  // TryTakeSlots may have taken some before it fails
    CAIRN_ASSIGN_OR_RETURN(std::optional<SlotNeed> full, TryTakeSlots(ctx.db, jc_.job.id, needs));
    if (!full) return Status::OK();
    if (jc_.cancel.load()) return Status::Cancelled("cancelled");
    if (jc_.Lost()) return Status::Cancelled("the job was taken over");
    CAIRN_RETURN_IF_ERROR(
        CheckWindowOfJob(jc_.job.payload, ctx.clock.Now()).WithContext("waiting for a free snapshot slot"));
    const std::string message = "Waiting for a free snapshot slot: " + full->what + " already runs " +
                                std::to_string(full->cap) + " snapshot(s)";
    if (message != said) {
      (void)db::SnapshotRepository(ctx.db).Update(snapshot_id, {.progress_msg = message});
      said = message;
    }
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(ctx.options.job_poll, std::chrono::seconds(5)));
  }
}

}  // namespace cairn::engine
