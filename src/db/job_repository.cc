#include "db/job_repository.h"

#include <soci/soci.h>

#include "db/fetch.h"
#include "db/list_query.h"
#include "db/sql.h"
#include "db/workload_repository.h"

namespace cairn::db {
namespace {

using internal::Exec;
using internal::Params;
using internal::Query;
using internal::RowReader;

constexpr std::string_view kColumns =
    "id, kind, object_id, workload_id, project_id, user_id, payload, status, claimed_by, claimed_at,"
    " heartbeat_at, attempts, error, created_at, updated_at, not_before, lease_seconds";

// How many candidates ClaimNext looks at per round, and how many rounds.
constexpr int kClaimBatch = 8;
constexpr int kClaimRounds = 20;

Job ReadJob(const soci::row& row) {
  RowReader r(row);
  Job j;
  j.id = r.Text();
  j.kind = r.Text();
  j.object_id = r.Text();
  j.workload_id = r.Text();
  j.project_id = r.Text();
  j.user_id = r.Text();
  j.payload = r.JsonValue("jobs.payload");
  j.status = r.Text();
  j.claimed_by = r.Text();
  j.claimed_at = r.OptTime();
  j.heartbeat_at = r.OptTime();
  j.attempts = static_cast<int>(r.Int());
  j.error = r.Text();
  j.created_at = r.Time();
  j.updated_at = r.Time();
  j.not_before = r.OptTime();
  j.lease_seconds = static_cast<int>(r.Int());
  return j;
}

std::optional<Job> SelectOne(soci::session& session, std::string_view id) {
  Params p;
  return internal::QueryOne(session, "SELECT " + std::string(kColumns) + " FROM jobs WHERE id = " + p.Text(id), p,
                            ReadJob);
}

// Removes the requesting user's token (kAuthTokenKey) from the payload of job
// `id`: called in the statement's session by every change that ends a job.
void DropToken(soci::session& session, std::string_view id) {
  std::optional<Job> ended = SelectOne(session, id);
  if (!ended || !ended->payload.is_object() || !ended->payload.contains(kAuthTokenKey)) return;
  ended->payload.erase(std::string(kAuthTokenKey));
  Params u;
  Exec(session, "UPDATE jobs SET payload = " + u.JsonValue(ended->payload) + " WHERE id = " + u.Text(id), u);
}

// Why a job held by `engine_id` could not be changed.
Status NotHeld(soci::session& session, std::string_view id, std::string_view engine_id) {
  std::optional<Job> job = SelectOne(session, id);
  if (!job) return Status::NotFound("job " + std::string(id) + " not found");
  return Status::Conflict("job " + std::string(id) + " is " + job->status +
                          (job->claimed_by.empty() ? std::string() : " for " + job->claimed_by) + ", not running for " +
                          std::string(engine_id));
}

}  // namespace

Result<Job> JobRepository::Enqueue(Job j) {
  if (j.id.empty()) j.id = internal::NewId();
  TimePoint now = internal::Now();
  j.status = std::string(job_status::kQueued);
  j.claimed_by.clear();
  j.claimed_at.reset();
  j.heartbeat_at.reset();
  j.attempts = 0;
  j.error.clear();
  j.created_at = now;
  j.updated_at = now;
  j.not_before.reset();
  j.lease_seconds = 0;
  CAIRN_RETURN_IF_ERROR(internal::ExecStatement(db_, "enqueue job " + j.kind, [&](Params& p) {
    return internal::InsertSql("jobs", kColumns,
                               {p.Text(j.id), p.Text(j.kind), p.Text(j.object_id), p.Text(j.workload_id),
                                p.Text(j.project_id), p.Text(j.user_id), p.JsonValue(j.payload), p.Text(j.status), "''",
                                "NULL", "NULL", "0", "''", p.Time(now), p.Time(now), "NULL", "0"});
  }).status());
  return j;
}

Result<std::optional<Job>> JobRepository::ClaimNext(std::string_view engine_id, int lease_seconds, TimePoint now) {
  if (engine_id.empty()) return Status::InvalidArgument("ClaimNext needs an engine id");
  now = std::chrono::floor<std::chrono::microseconds>(now);
  std::optional<Job> claimed;
  CAIRN_RETURN_IF_ERROR(db_.Run("claim a job", [&](soci::session& session) {
    const std::string stale = internal::FormatTime(now - std::chrono::seconds(lease_seconds));
    for (int round = 0; round < kClaimRounds && !claimed; ++round) {
      // Candidates: the oldest queued jobs (a re-queued one once its
      // not_before has come), and running ones whose lease ran out.
      Params p;
      std::vector<Job> candidates;
      Query(session,
            "SELECT " + std::string(kColumns) + " FROM jobs WHERE (status = " + p.Text(job_status::kQueued) +
                " AND (not_before IS NULL OR not_before <= " + p.Time(now) + ")) OR (status = " + p.Text(job_status::kRunning) + " AND heartbeat_at < " + p.Text(stale) +
                ") ORDER BY created_at, id" + internal::LimitClause(kClaimBatch),
            p, [&](const soci::row& row) { candidates.push_back(ReadJob(row)); });
      if (candidates.empty()) return Status::OK();
      for (const Job& c : candidates) {
        // Compare-and-set on what we saw: only one claimer's UPDATE matches.
        Params u;
        std::string sql = "UPDATE jobs SET status = " + u.Text(job_status::kRunning) +
                          ", claimed_by = " + u.Text(engine_id) + ", claimed_at = " + u.Time(now) +
                          ", heartbeat_at = " + u.Time(now) + ", attempts = attempts + 1, lease_seconds = " +
                          u.Int(lease_seconds) + ", updated_at = " + u.Time(now) + " WHERE id = " + u.Text(c.id) + " AND status = " + u.Text(c.status) +
                          " AND claimed_by = " + u.Text(c.claimed_by);
        if (c.heartbeat_at) {
          sql += " AND heartbeat_at = " + u.Time(*c.heartbeat_at);
        } else {
          sql += " AND heartbeat_at IS NULL";
        }
        if (Exec(session, sql, u) == 1) {
          claimed = SelectOne(session, c.id);
          break;
        }
      }
    }
    return Status::OK();
  }));
  return claimed;
}

Status JobRepository::Heartbeat(std::string_view job_id, std::string_view engine_id, TimePoint now) {
  return db_.Run("job heartbeat", [&](soci::session& session) {
    Params p;
    TimePoint t = std::chrono::floor<std::chrono::microseconds>(now);
    if (Exec(session,
             "UPDATE jobs SET heartbeat_at = " + p.Time(t) + ", updated_at = " + p.Time(t) + " WHERE id = " +
                 p.Text(job_id) + " AND status = " + p.Text(job_status::kRunning) + " AND claimed_by = " +
                 p.Text(engine_id),
             p) > 0) {
      return Status::OK();
    }
    return NotHeld(session, job_id, engine_id);
  });
}

Status JobRepository::Finish(std::string_view job_id, std::string_view engine_id, std::string_view status,
                             std::string_view error) {
  if (status != job_status::kDone && status != job_status::kError && status != job_status::kCancelled) {
    return Status::InvalidArgument("a job finishes as done, error or cancelled, not " + std::string(status));
  }
  return db_.Run("finish job", [&](soci::session& session) {
    Params p;
    if (Exec(session,
             "UPDATE jobs SET status = " + p.Text(status) + ", error = " + p.Text(error) + ", updated_at = " +
                 p.Time(internal::Now()) + " WHERE id = " + p.Text(job_id) + " AND status = " +
                 p.Text(job_status::kRunning) + " AND claimed_by = " + p.Text(engine_id),
             p) > 0) {
      // The requesting user's token is only needed while the job runs.
      DropToken(session, job_id);
      return Status::OK();
    }
    return NotHeld(session, job_id, engine_id);
  });
}

Status JobRepository::Requeue(std::string_view job_id, std::string_view engine_id, TimePoint not_before) {
  return db_.Run("requeue job", [&](soci::session& session) {
    Params p;
    if (Exec(session,
             "UPDATE jobs SET status = " + p.Text(job_status::kQueued) +
                 ", claimed_by = '', claimed_at = NULL, heartbeat_at = NULL, attempts = attempts - 1, not_before = " +
                 p.Time(std::chrono::floor<std::chrono::microseconds>(not_before)) + ", updated_at = " +
                 p.Time(internal::Now()) + " WHERE id = " + p.Text(job_id) + " AND status = " +
                 p.Text(job_status::kRunning) + " AND claimed_by = " + p.Text(engine_id),
             p) > 0) {
      return Status::OK();
    }
    return NotHeld(session, job_id, engine_id);
  });
}

Status JobRepository::EndAbandoned(std::string_view job_id, std::string_view error, TimePoint now) {
  return db_.Run("end abandoned job", [&](soci::session& session) {
    std::optional<Job> job = SelectOne(session, job_id);
    if (!job) return Status::NotFound("job " + std::string(job_id) + " not found");
    if (!EngineGone(*job, now)) {
      return Status::Conflict("job " + std::string(job_id) + " is " + job->status +
                              (job->claimed_by.empty() ? std::string() : " on engine " + job->claimed_by) +
                              ", which is alive");
    }
    Params p;
    // Compare-and-set on the heartbeat seen: an engine that took the job
    // over meanwhile keeps it.
    if (Exec(session,
             "UPDATE jobs SET status = " + p.Text(job_status::kError) + ", error = " + p.Text(error) +
                 ", updated_at = " + p.Time(internal::Now()) + " WHERE id = " + p.Text(job_id) + " AND status = " +
                 p.Text(job_status::kRunning) + " AND claimed_by = " + p.Text(job->claimed_by) +
                 " AND heartbeat_at = " + p.Time(*job->heartbeat_at),
             p) == 0) {
      return Status::Conflict("job " + std::string(job_id) + " was taken over by another engine meanwhile");
    }
    DropToken(session, job_id);
    return Status::OK();
  });
}

Status JobRepository::CancelQueued(std::string_view job_id) {
  return db_.Run("cancel job", [&](soci::session& session) {
    Params p;
    if (Exec(session,
             "UPDATE jobs SET status = " + p.Text(job_status::kCancelled) + ", updated_at = " +
                 p.Time(internal::Now()) + " WHERE id = " + p.Text(job_id) + " AND status = " +
                 p.Text(job_status::kQueued),
             p) > 0) {
      DropToken(session, job_id);
      return Status::OK();
    }
    std::optional<Job> job = SelectOne(session, job_id);
    if (!job) return Status::NotFound("job " + std::string(job_id) + " not found");
    return Status::Conflict("job " + std::string(job_id) + " is " + job->status + ", not queued");
  });
}

Result<Job> JobRepository::Get(std::string_view job_id) {
  return internal::Fetch(db_, "get job", [&](soci::session& session) {
    return internal::Found(SelectOne(session, job_id), "job " + std::string(job_id));
  });
}

Result<std::vector<Job>> JobRepository::List(const JobFilter& filter) {
  return internal::Fetch(db_, "list jobs", [&](soci::session& session) {
    internal::Conditions where;
    where.In("status", filter.statuses)
        .Equals("object_id", filter.object_id)
        .Equals("workload_id", filter.workload_id)
        .Equals("kind", filter.kind);
    return internal::QueryAll(session,
                              "SELECT " + std::string(kColumns) + " FROM jobs" + where.Clause() +
                                  " ORDER BY created_at, id" + internal::LimitClause(filter.limit),
                              where.params(), ReadJob);
  });
}

Result<int64_t> JobRepository::Purge(TimePoint older_than) {
  return internal::ExecStatement(db_, "purge jobs", [&](Params& p) {
    return "DELETE FROM jobs WHERE status IN " +
           p.In({std::string(job_status::kDone), std::string(job_status::kError),
                 std::string(job_status::kCancelled)}) +
           " AND updated_at < " + p.Time(older_than);
  });
}

bool JobActsAsUser(std::string_view kind) {
  return kind == job_kind::kSnapshotCreate || kind == job_kind::kRestoreCreate || kind == job_kind::kWorkloadCreate;
}

bool EngineGone(const Job& job, TimePoint now) {
  return job.status == job_status::kRunning && job.heartbeat_at && job.lease_seconds > 0 &&
         *job.heartbeat_at < now - std::chrono::seconds(job.lease_seconds);
}

bool HoldsWorkloadLock(const Job& job) {
  return job.payload.is_object() && job.payload.value(std::string(kHoldsWorkloadLockKey), false) == true;
}

Result<std::vector<Job>> JobRepository::ActiveOfWorkload(std::string_view workload_id) {
  JobFilter filter;
  filter.workload_id = std::string(workload_id);
  filter.statuses = {std::string(job_status::kQueued), std::string(job_status::kRunning)};
  return List(filter);
}

Status LockWorkloadForJob(Executor& tx, std::string_view workload_id, Job& job) {
  WorkloadRepository workloads(tx);
  Status set = workloads.SetStatusIf(workload_id, {std::string(workload_status::kAvailable)}, workload_status::kLocked);
  if (set.code() == ErrorCode::kConflict) {
    CAIRN_ASSIGN_OR_RETURN(Workload w, workloads.Get(workload_id));
    return Status::Conflict("Workload " + w.id + " is " + w.status +
                            (w.status == workload_status::kLocked
                                 ? ": a snapshot or restore is already running (or a snapshot delete)."
                                 : ": it must be available."));
  }
  CAIRN_RETURN_IF_ERROR(set);
  if (!job.payload.is_object()) job.payload = Json::object();
  job.payload[std::string(kHoldsWorkloadLockKey)] = true;
  return Status::OK();
}

Status TakeWorkloadLock(Database& db, std::string_view workload_id, std::string_view job_id) {
  return db.Transaction("take workload lock", [&](Executor& tx) -> Status {
    CAIRN_ASSIGN_OR_RETURN(Job job, JobRepository(tx).Get(job_id));
    CAIRN_RETURN_IF_ERROR(LockWorkloadForJob(tx, workload_id, job));
    return internal::ExecStatement(tx, "mark the workload lock's job", [&](Params& p) {
             return "UPDATE jobs SET payload = " + p.JsonValue(job.payload) + " WHERE id = " + p.Text(job_id);
           })
        .status();
  });
}

}  // namespace cairn::db
