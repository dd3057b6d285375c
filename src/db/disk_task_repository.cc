#include "db/disk_task_repository.h"

#include <soci/soci.h>

#include "db/fetch.h"
#include "db/sql.h"

namespace cairn::db {
namespace {

using internal::Exec;
using internal::Params;
using internal::Query;
using internal::RowReader;
namespace dts = disk_task_status;

constexpr std::string_view kColumns =
    "id, job_id, host, kind, body, status, claimed_by, heartbeat_at, progress_done, progress_total,"
    " cancel_requested, result, error_code, error, created_at, updated_at";

DiskTask ReadTask(const soci::row& row) {
  RowReader r(row);
  DiskTask t;
  t.id = r.Text();
  t.job_id = r.Text();
  t.host = r.Text();
  t.kind = r.Text();
  t.body = r.JsonValue("disk_tasks.body");
  t.status = r.Text();
  t.claimed_by = r.Text();
  t.heartbeat_at = r.OptTime();
  t.progress_done = r.Int();
  t.progress_total = r.Int();
  t.cancel_requested = r.Int() != 0;
  t.result = r.JsonValue("disk_tasks.result");
  t.error_code = r.Text();
  t.error = r.Text();
  t.created_at = r.Time();
  t.updated_at = r.Time();
  return t;
}

std::optional<DiskTask> SelectOne(soci::session& session, std::string_view id) {
  Params p;
  return internal::QueryOne(session, "SELECT " + std::string(kColumns) + " FROM disk_tasks WHERE id = " + p.Text(id),
                            p, ReadTask);
}

Status NotHeld(soci::session& session, std::string_view id, std::string_view worker) {
  std::optional<DiskTask> task = SelectOne(session, id);
  if (!task) return Status::NotFound("disk task " + std::string(id) + " not found");
  return Status::Conflict("disk task " + std::string(id) + " is " + task->status + ", not running for " +
                          std::string(worker));
}

}  // namespace

Result<DiskTask> DiskTaskRepository::Post(DiskTask t) {
  if (t.id.empty()) t.id = internal::NewId();
  const TimePoint now = internal::Now();
  t.status = std::string(dts::kQueued);
  t.claimed_by.clear();
  t.heartbeat_at.reset();
  t.progress_done = t.progress_total = 0;
  t.cancel_requested = false;
  t.result = Json::object();
  t.error_code.clear();
  t.error.clear();
  t.created_at = t.updated_at = now;
  CAIRN_RETURN_IF_ERROR(internal::ExecStatement(db_, "post disk task " + t.kind, [&](Params& p) {
    return internal::InsertSql("disk_tasks", kColumns,
                               {p.Text(t.id), p.Text(t.job_id), p.Text(t.host), p.Text(t.kind), p.JsonValue(t.body),
                                p.Text(t.status), "''", "NULL", "0", "0", "0", p.JsonValue(t.result), "''", "''",
                                p.Time(now), p.Time(now)});
  }).status());
  return t;
}

Result<std::optional<DiskTask>> DiskTaskRepository::ClaimNext(std::string_view host, std::string_view worker,
                                                                TimePoint now) {
  if (worker.empty()) return Status::InvalidArgument("ClaimNext needs a worker id");
  now = std::chrono::floor<std::chrono::microseconds>(now);
  std::optional<DiskTask> claimed;
  CAIRN_RETURN_IF_ERROR(db_.Run("claim a disk task", [&](soci::session& session) {
    for (int round = 0; round < 20 && !claimed; ++round) {
      Params p;
      std::vector<std::string> ids;
      Query(session,
            "SELECT id FROM disk_tasks WHERE host = " + p.Text(host) + " AND status = " + p.Text(dts::kQueued) +
                " ORDER BY created_at, id" + internal::LimitClause(8),
            p, [&](const soci::row& row) { ids.push_back(RowReader(row).Text()); });
      if (ids.empty()) return Status::OK();
      for (const std::string& id : ids) {
        Params u;
        if (Exec(session,
                 "UPDATE disk_tasks SET status = " + u.Text(dts::kRunning) + ", claimed_by = " + u.Text(worker) +
                     ", heartbeat_at = " + u.Time(now) + ", updated_at = " + u.Time(now) + " WHERE id = " +
                     u.Text(id) + " AND status = " + u.Text(dts::kQueued),
                 u) == 1) {
          claimed = SelectOne(session, id);
          break;
        }
      }
    }
    return Status::OK();
  }));
  return claimed;
}

Result<bool> DiskTaskRepository::Report(std::string_view id, std::string_view worker, int64_t done, int64_t total,
                                        TimePoint now) {
  bool cancel = false;
  CAIRN_RETURN_IF_ERROR(db_.Run("report disk task progress", [&](soci::session& session) {
    Params p;
    const TimePoint t = std::chrono::floor<std::chrono::microseconds>(now);
    if (Exec(session,
             "UPDATE disk_tasks SET progress_done = " + p.Int(done) + ", progress_total = " + p.Int(total) +
                 ", heartbeat_at = " + p.Time(t) + ", updated_at = " + p.Time(t) + " WHERE id = " + p.Text(id) +
                 " AND status = " + p.Text(dts::kRunning) + " AND claimed_by = " + p.Text(worker),
             p) == 0) {
      return NotHeld(session, id, worker);
    }
    Params q;
    cancel = internal::QueryInt(session, "SELECT cancel_requested FROM disk_tasks WHERE id = " + q.Text(id), q) != 0;
    return Status::OK();
  }));
  return cancel;
}

Status DiskTaskRepository::Finish(std::string_view id, std::string_view worker, const Status& outcome,
                                  const Json& result) {
  return db_.Run("finish disk task", [&](soci::session& session) {
    Params p;
    const std::string status(outcome.ok() ? dts::kDone : dts::kError);
    if (Exec(session,
             "UPDATE disk_tasks SET status = " + p.Text(status) + ", result = " + p.JsonValue(result) +
                 ", error_code = " + p.Text(outcome.ok() ? "" : ErrorCodeName(outcome.code())) + ", error = " +
                 p.Text(outcome.message()) + ", updated_at = " + p.Time(internal::Now()) + " WHERE id = " +
                 p.Text(id) + " AND status = " + p.Text(dts::kRunning) + " AND claimed_by = " + p.Text(worker),
             p) > 0) {
      return Status::OK();
    }
    return NotHeld(session, id, worker);
  });
}

Status DiskTaskRepository::RequestCancel(std::string_view id) {
  return db_.Run("cancel disk task", [&](soci::session& session) {
    Params p;
    const TimePoint now = internal::Now();
    if (Exec(session,
             "UPDATE disk_tasks SET status = " + p.Text(dts::kError) + ", error_code = " +
                 p.Text(ErrorCodeName(ErrorCode::kCancelled)) + ", error = " + p.Text("cancelled before it started") +
                 ", cancel_requested = 1, updated_at = " + p.Time(now) + " WHERE id = " + p.Text(id) +
                 " AND status = " + p.Text(dts::kQueued),
             p) > 0) {
      return Status::OK();
    }
    Params u;
    Exec(session,
         "UPDATE disk_tasks SET cancel_requested = 1, updated_at = " + u.Time(now) + " WHERE id = " + u.Text(id) +
             " AND status = " + u.Text(dts::kRunning),
         u);
    if (!SelectOne(session, id)) return Status::NotFound("disk task " + std::string(id) + " not found");
    return Status::OK();
  });
}

Result<bool> DiskTaskRepository::MarkStale(std::string_view id, TimePoint stale_before, std::string_view reason) {
  CAIRN_ASSIGN_OR_RETURN(int64_t n, internal::ExecStatement(db_, "fail stale disk task", [&](Params& p) {
    return "UPDATE disk_tasks SET status = " + p.Text(dts::kError) + ", error_code = " +
           p.Text(ErrorCodeName(ErrorCode::kUnavailable)) + ", error = " + p.Text(reason) + ", updated_at = " +
           p.Time(internal::Now()) + " WHERE id = " + p.Text(id) + " AND (status = " + p.Text(dts::kQueued) +
           " OR (status = " + p.Text(dts::kRunning) + " AND heartbeat_at < " + p.Time(stale_before) + "))";
  }));
  return n > 0;
}

Result<bool> DiskTaskRepository::FailUnfinished(std::string_view id, std::string_view reason) {
  CAIRN_ASSIGN_OR_RETURN(int64_t n, internal::ExecStatement(db_, "fail stalled disk task", [&](Params& p) {
    return "UPDATE disk_tasks SET status = " + p.Text(dts::kError) + ", error_code = " +
           p.Text(ErrorCodeName(ErrorCode::kUnavailable)) + ", error = " + p.Text(reason) + ", updated_at = " +
           p.Time(internal::Now()) + " WHERE id = " + p.Text(id) + " AND status IN " +
           p.In({std::string(dts::kQueued), std::string(dts::kRunning)});
  }));
  return n > 0;
}

Result<DiskTask> DiskTaskRepository::Get(std::string_view id) {
  return internal::Fetch(db_, "get disk task", [&](soci::session& session) {
    return internal::Found(SelectOne(session, id), "disk task " + std::string(id));
  });
}

Result<std::vector<DiskTask>> DiskTaskRepository::ListUnfinished(std::string_view job_id) {
  return internal::Fetch(db_, "list disk tasks", [&](soci::session& session) {
    Params p;
    return internal::QueryAll(session,
                              "SELECT " + std::string(kColumns) + " FROM disk_tasks WHERE job_id = " + p.Text(job_id) +
                                  " AND status IN " + p.In({std::string(dts::kQueued), std::string(dts::kRunning)}) +
                                  " ORDER BY created_at, id",
                              p, ReadTask);
  });
}

Result<int64_t> DiskTaskRepository::FailRunningOnHost(std::string_view host, std::string_view reason) {
  return internal::ExecStatement(db_, "fail abandoned disk tasks", [&](Params& p) {
    return "UPDATE disk_tasks SET status = " + p.Text(dts::kError) + ", error_code = " +
           p.Text(ErrorCodeName(ErrorCode::kUnavailable)) + ", error = " + p.Text(reason) + ", updated_at = " +
           p.Time(internal::Now()) + " WHERE host = " + p.Text(host) + " AND status = " + p.Text(dts::kRunning);
  });
}

Result<int64_t> DiskTaskRepository::Purge(TimePoint older_than) {
  return internal::ExecStatement(db_, "purge disk tasks", [&](Params& p) {
    return "DELETE FROM disk_tasks WHERE status IN " +
           p.In({std::string(dts::kDone), std::string(dts::kError)}) + " AND updated_at < " + p.Time(older_than);
  });
}

}  // namespace cairn::db
