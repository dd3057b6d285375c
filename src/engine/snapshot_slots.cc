#include "engine/snapshot_slots.h"

#include "db/snapshot_slot_repository.h"

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

}  // namespace cairn::engine
