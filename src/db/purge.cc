#include "db/purge.h"

#include "db/audit_repository.h"
#include "db/job_repository.h"
#include "db/policy_repository.h"
#include "db/quota_repository.h"
#include "db/restore_repository.h"
#include "db/schedule_run_repository.h"
#include "db/setting_repository.h"
#include "db/snapshot_repository.h"
#include "db/trust_repository.h"
#include "db/workload_repository.h"

namespace cairn::db {

Result<PurgeCounts> PurgeDeleted(Executor& db, TimePoint older_than) {
  PurgeCounts counts;
  // Restores first (their own soft deletes), then snapshots with their
  // children, then the workloads left without snapshots.
  CAIRN_ASSIGN_OR_RETURN(counts.restores, RestoreRepository(db).Purge(older_than));
  CAIRN_ASSIGN_OR_RETURN(counts.snapshots, SnapshotRepository(db).Purge(older_than));
  CAIRN_ASSIGN_OR_RETURN(counts.workloads, WorkloadRepository(db).Purge(older_than));
  CAIRN_ASSIGN_OR_RETURN(counts.jobs, JobRepository(db).Purge(older_than));
  CAIRN_ASSIGN_OR_RETURN(counts.settings, SettingRepository(db).Purge(older_than));
  CAIRN_ASSIGN_OR_RETURN(counts.policies, PolicyRepository(db).Purge(older_than));
  CAIRN_ASSIGN_OR_RETURN(counts.quotas, QuotaRepository(db).Purge(older_than));
  CAIRN_ASSIGN_OR_RETURN(counts.trusts, TrustRepository(db).Purge(older_than));
  CAIRN_ASSIGN_OR_RETURN(counts.audit_entries, AuditRepository(db).Purge(older_than));
  CAIRN_ASSIGN_OR_RETURN(counts.schedule_runs, ScheduleRunRepository(db).Purge(older_than));
  return counts;
}

}  // namespace cairn::db
