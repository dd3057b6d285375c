#include "db/snapshot_slot_repository.h"

#include <soci/soci.h>

#include "db/fetch.h"
#include "db/sql.h"

namespace cairn::db {
namespace {

using internal::Params;

}  // namespace

Result<bool> SnapshotSlotRepository::TryAcquire(std::string_view scope, int cap, std::string_view job_id,
                                                TimePoint now) {
  CAIRN_ASSIGN_OR_RETURN(int64_t held, internal::Fetch(db_, "find snapshot slot", [&](soci::session& session) {
                           Params p;
                           return internal::QueryInt(session,
                                                     "SELECT COUNT(*) FROM snapshot_slots WHERE scope = " +
                                                         p.Text(scope) + " AND job_id = " + p.Text(job_id),
                                                     p);
                         }));
  if (held > 0) return true;
  now = std::chrono::floor<std::chrono::microseconds>(now);
  for (int slot = 0; slot < cap; ++slot) {
    Result<int64_t> inserted = internal::ExecStatement(db_, "take snapshot slot", [&](Params& p) {
      return internal::InsertSql("snapshot_slots", "scope, slot, job_id, acquired_at",
                                 {p.Text(scope), p.Int(slot), p.Text(job_id), p.Time(now)});
    });
    if (inserted.ok()) return true;
    if (inserted.status().code() != ErrorCode::kConflict) return inserted.status();
  }
  return false;
}

Status SnapshotSlotRepository::Release(std::string_view job_id) {
  return internal::ExecStatement(db_, "release snapshot slots", [&](Params& p) {
           return "DELETE FROM snapshot_slots WHERE job_id = " + p.Text(job_id);
         })
      .status();
}

Result<int64_t> SnapshotSlotRepository::ReleaseOrphans() {
  return internal::ExecStatement(db_, "release orphaned snapshot slots", [&](Params& p) {
    return "DELETE FROM snapshot_slots WHERE job_id NOT IN (SELECT id FROM jobs WHERE status = " +
           p.Text(job_status::kRunning) + ")";
  });
}

Result<int64_t> SnapshotSlotRepository::Held(std::string_view scope) {
  return internal::Fetch(db_, "count snapshot slots", [&](soci::session& session) {
    Params p;
    return internal::QueryInt(session, "SELECT COUNT(*) FROM snapshot_slots WHERE scope = " + p.Text(scope), p);
  });
}

}  // namespace cairn::db
