// The write operations on restores: create (under an available snapshot),
// cancel and delete, each one transaction with its job.
//
// Errors: Conflict (409) naming the snapshot's, workload's or restore's
// status; others are the database's.
#pragma once

#include "common/status.h"
#include "common/time.h"
#include "control/job_origin.h"
#include "db/database.h"
#include "db/models.h"

namespace cairn::control {

class RestoreManager {
 public:
  // `db` and `clock` must outlive the manager.
  RestoreManager(db::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // Records a restore of `snapshot` and queues its restore_create job, which
  // holds the workload's lock. `restore` carries what the request chose
  // (name, description, restore_type, options, user_id); the snapshot,
  // workload, project and size are set here. Conflict when the snapshot is
  // no longer available (read in the same transaction, so a concurrent
  // delete cannot slip in between) or the workload is not available.
  Result<db::Restore> Create(const db::Snapshot& snapshot, db::Restore restore, const JobOrigin& origin);

  // Cancels a running `restore`: while its restore_create job is still queued
  // the job is dropped, the restore cancelled and its workload unlocked;
  // else it goes to cancelling and a restore_cancel job is queued. Conflict
  // when the restore is not running.
  Status Cancel(const db::Restore& restore, const JobOrigin& origin);

  // Forgets a finished (available, failed or cancelled) restore; the servers
  // it built stay. Conflict while it runs.
  Status Delete(const db::Restore& restore);

 private:
  db::Database& db_;
  const Clock& clock_;
};

}  // namespace cairn::control
