// The caps on snapshots moving data at once ([engine] max_snapshots_per_host,
// max_snapshots_total), as slots of db::SnapshotSlotRepository: a snapshot
// holds one slot of the cloud and one of each compute host its VMs run on
// while its disk tasks run.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "db/database.h"
#include "engine/context.h"
#include "engine/job_runner.h"

namespace cairn::engine {

// One slot a snapshot needs.
struct SlotNeed {
  std::string scope;  // "cloud" or "host:<name>"
  int cap = 0;
  std::string what;   // for messages: "the cloud", "host compute-1"
};

// The slots a snapshot of VMs on `hosts` needs under the caps (0: no cap),
// the cloud's first, then the hosts' by name (a fixed order, so two
// snapshots never hold each other's missing slot for long).
std::vector<SlotNeed> SlotsNeeded(int per_host, int total, const std::set<std::string>& hosts);

// One attempt to take every slot of `needs` for `job_id`, all or none
// (what it took is given back when one is full). nullopt when the job holds
// them all; else the need that was full. Slots of jobs that no longer run
// are freed first.
Result<std::optional<SlotNeed>> TryTakeSlots(db::Database& db, const std::string& job_id,
                                             const std::vector<SlotNeed>& needs);

// Holds the snapshot slots of the caps for one job while it moves data;
// frees them when destroyed (unless the job was lost: its new owner holds
// them under the same job id). `db` and `job` must outlive it.
class HeldSlots {
 public:
  HeldSlots(db::Database& db, const JobContext& job) : db_(db), jc_(job) {}
  ~HeldSlots();
  HeldSlots(const HeldSlots&) = delete;
  HeldSlots& operator=(const HeldSlots&) = delete;

  // Waits until the job holds a slot of each of `needs`, saying what it
  // waits for in snapshot `snapshot_id`'s progress message. Stops on cancel,
  // a lost job (Cancelled), or a scheduled snapshot's closed backup window.
  Status Take(EngineContext& ctx, const std::string& snapshot_id, const std::vector<SlotNeed>& needs);

 private:
  db::Database& db_;
  const JobContext& jc_;
  bool held_ = false;
};

}  // namespace cairn::engine
