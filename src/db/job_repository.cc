#include "db/job_repository.h"

#include <soci/soci.h>

#include "db/fetch.h"
#include "db/list_query.h"
#include "db/sql.h"

namespace cairn::db {
namespace {

using internal::Exec;
using internal::Params;
using internal::Query;
using internal::RowReader;

constexpr std::string_view kColumns =
    "id, kind, object_id, workload_id, project_id, user_id, payload, status, claimed_by, claimed_at,"
    " heartbeat_at, attempts, error, created_at, updated_at";

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
  return j;
}

std::optional<Job> SelectOne(soci::session& session, std::string_view id) {
  Params p;
  return internal::QueryOne(session, "SELECT " + std::string(kColumns) + " FROM jobs WHERE id = " + p.Text(id), p,
                            ReadJob);
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
  CAIRN_RETURN_IF_ERROR(internal::ExecStatement(db_, "enqueue job " + j.kind, [&](Params& p) {
    return internal::InsertSql("jobs", kColumns,
                               {p.Text(j.id), p.Text(j.kind), p.Text(j.object_id), p.Text(j.workload_id),
                                p.Text(j.project_id), p.Text(j.user_id), p.JsonValue(j.payload), p.Text(j.status), "''",
                                "NULL", "NULL", "0", "''", p.Time(now), p.Time(now)});
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
      // Candidates: the oldest queued jobs, and running ones whose lease ran out.
      Params p;
      std::vector<Job> candidates;
      Query(session,
            "SELECT " + std::string(kColumns) + " FROM jobs WHERE status = " + p.Text(job_status::kQueued) +
                " OR (status = " + p.Text(job_status::kRunning) + " AND heartbeat_at < " + p.Text(stale) +
                ") ORDER BY created_at, id" + internal::LimitClause(kClaimBatch),
            p, [&](const soci::row& row) { candidates.push_back(ReadJob(row)); });
      if (candidates.empty()) return Status::OK();
      for (const Job& c : candidates) {
        // Compare-and-set on what we saw: only one claimer's UPDATE matches.
        Params u;
        std::string sql = "UPDATE jobs SET status = " + u.Text(job_status::kRunning) +
                          ", claimed_by = " + u.Text(engine_id) + ", claimed_at = " + u.Time(now) +
                          ", heartbeat_at = " + u.Time(now) + ", attempts = attempts + 1, updated_at = " +
                          u.Time(now) + " WHERE id = " + u.Text(c.id) + " AND status = " + u.Text(c.status) +
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
      // The requesting user's token (kAuthTokenKey) is only needed while
      // the job runs: it does not stay in the table.
      std::optional<Job> done = SelectOne(session, job_id);
      if (done && done->payload.is_object() && done->payload.contains(kAuthTokenKey)) {
        done->payload.erase(std::string(kAuthTokenKey));
        Params u;
        Exec(session, "UPDATE jobs SET payload = " + u.JsonValue(done->payload) + " WHERE id = " + u.Text(job_id), u);
      }
      return Status::OK();
    }
    return NotHeld(session, job_id, engine_id);
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

}  // namespace cairn::db
