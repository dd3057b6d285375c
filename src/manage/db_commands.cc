#include "manage/db_commands.h"

#include <chrono>
#include <utility>

#include "db/schema.h"

namespace cairn::manage {

Status DbSync(db::Database& db, std::ostream& out) {
  CAIRN_ASSIGN_OR_RETURN(const int version, db::Sync(db));
  out << "database at schema version " << version << "\n";
  return Status::OK();
}

Status DbVersion(db::Database& db, std::ostream& out) {
  CAIRN_ASSIGN_OR_RETURN(const int current, db::CurrentSchemaVersion(db));
  const int latest = db::LatestSchemaVersion();
  out << "current schema version: " << current << "\n";
  out << "latest schema version: " << latest << "\n";
  if (current < latest) out << "run `cairn-manage db sync` to upgrade\n";
  if (current > latest) out << "the database is newer than this Cairn: upgrade Cairn\n";
  return Status::OK();
}

Status DbPurge(db::Database& db, int64_t age_in_days, TimePoint now, std::ostream& out) {
  if (age_in_days < 0) return Status::InvalidArgument("--age-in-days must not be negative");
  const TimePoint older_than = now - std::chrono::days(age_in_days);
  CAIRN_ASSIGN_OR_RETURN(const db::PurgeCounts counts, db::PurgeDeleted(db, older_than));
  const std::pair<const char*, int64_t> rows[] = {
      {"snapshots", counts.snapshots}, {"restores", counts.restores}, {"workloads", counts.workloads},
      {"jobs", counts.jobs},           {"settings", counts.settings}, {"policies", counts.policies},
      {"quotas", counts.quotas},       {"trusts", counts.trusts},     {"audit_entries", counts.audit_entries},
      {"schedule_runs", counts.schedule_runs}};
  int64_t total = 0;
  out << "purged rows deleted before " << FormatIso8601(older_than, IsoFormat::kSecondsZ) << ":\n";
  for (const auto& [name, n] : rows) {
    out << "  " << name << ": " << n << "\n";
    total += n;
  }
  out << "  total: " << total << "\n";
  return Status::OK();
}

}  // namespace cairn::manage
