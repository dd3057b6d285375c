// Snapshot slots: the caps on snapshots running at once per compute host and
// in the whole cloud. A scope ("host:<name>", "cloud") has slots numbered
// 0..cap-1; a snapshot job holds at most one slot of each scope. The table's
// key (scope, slot) is what makes two engines never hand out one slot twice,
// on every backend, without locks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/time.h"
#include "db/database.h"

namespace cairn::db {

class SnapshotSlotRepository {
 public:
  explicit SnapshotSlotRepository(Executor& db) : db_(db) {}

  // Takes a free slot of `scope` for `job_id`, among 0..cap-1: true when the
  // job holds one (also when it held one already), false when all `cap` are
  // taken. Must not run inside a transaction (a taken slot is a failed insert).
  Result<bool> TryAcquire(std::string_view scope, int cap, std::string_view job_id, TimePoint now = UtcNow());
  // Frees every slot `job_id` holds.
  Status Release(std::string_view job_id);
  // Frees the slots of jobs that are no longer running (ended, or gone):
  // what a crashed engine left. Returns how many.
  Result<int64_t> ReleaseOrphans();
  // How many slots of `scope` are held.
  Result<int64_t> Held(std::string_view scope);

 private:
  Executor& db_;
};

}  // namespace cairn::db
