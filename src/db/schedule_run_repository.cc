#include "db/schedule_run_repository.h"

#include <soci/soci.h>

#include "db/fetch.h"
#include "db/sql.h"

namespace cairn::db {
namespace {

using internal::Params;
using internal::RowReader;

constexpr std::string_view kColumns = "workload_id, due_at, status, snapshot_id, message, created_at, updated_at";

ScheduleRun ReadRun(const soci::row& row) {
  RowReader r(row);
  ScheduleRun run;
  run.workload_id = r.Text();
  run.due_at = r.Time();
  run.status = r.Text();
  run.snapshot_id = r.Text();
  run.message = r.Text();
  run.created_at = r.Time();
  run.updated_at = r.Time();
  return run;
}

std::string SelectRuns(Params& p, std::string_view workload_id, int limit) {
  return "SELECT " + std::string(kColumns) + " FROM schedule_runs WHERE workload_id = " + p.Text(workload_id) +
         " ORDER BY due_at DESC" + internal::LimitClause(limit);
}

}  // namespace

Status ScheduleRunRepository::Record(ScheduleRun run) {
  const TimePoint now = internal::Now();
  return internal::ExecStatement(db_, "record schedule run", [&](Params& p) {
           return internal::InsertSql("schedule_runs", kColumns,
                                      {p.Text(run.workload_id), p.Time(run.due_at), p.Text(run.status),
                                       p.Text(run.snapshot_id), p.Text(run.message), p.Time(now), p.Time(now)});
         })
      .status();
}

Result<std::optional<ScheduleRun>> ScheduleRunRepository::Latest(std::string_view workload_id) {
  return internal::Fetch(db_, "latest schedule run", [&](soci::session& session) {
    Params p;
    return internal::QueryOne(session, SelectRuns(p, workload_id, 1), p, ReadRun);
  });
}

Result<bool> ScheduleRunRepository::UpdateIf(std::string_view workload_id, TimePoint due_at, std::string_view expected,
                                             std::string_view status, std::string_view snapshot_id,
                                             std::string_view message) {
  CAIRN_ASSIGN_OR_RETURN(int64_t changed, internal::ExecStatement(db_, "update schedule run", [&](Params& p) {
                           return "UPDATE schedule_runs SET status = " + p.Text(status) + ", snapshot_id = " +
                                  p.Text(snapshot_id) + ", message = " + p.Text(message) + ", updated_at = " +
                                  p.Time(internal::Now()) + " WHERE workload_id = " + p.Text(workload_id) +
                                  " AND due_at = " + p.Time(due_at) + " AND status = " + p.Text(expected);
                         }));
  return changed > 0;
}

Result<std::vector<ScheduleRun>> ScheduleRunRepository::List(std::string_view workload_id, int limit) {
  return internal::Fetch(db_, "list schedule runs", [&](soci::session& session) {
    Params p;
    return internal::QueryAll(session, SelectRuns(p, workload_id, limit), p, ReadRun);
  });
}

Result<int64_t> ScheduleRunRepository::Purge(TimePoint older_than) {
  return internal::ExecStatement(db_, "purge schedule runs", [&](Params& p) {
    // The inner SELECT is wrapped once more so MySQL accepts a subquery on
    // the table being deleted from.
    return "DELETE FROM schedule_runs WHERE due_at < " + p.Time(older_than) +
           " AND due_at < (SELECT latest FROM (SELECT MAX(r.due_at) AS latest FROM schedule_runs r"
           " WHERE r.workload_id = schedule_runs.workload_id) AS l)";
  });
}

}  // namespace cairn::db
