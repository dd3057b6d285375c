#include "db/audit_repository.h"

#include <soci/soci.h>

#include "db/fetch.h"
#include "db/list_query.h"
#include "db/sql.h"

namespace cairn::db {
namespace {

using internal::Params;
using internal::RowReader;

constexpr std::string_view kColumns =
    "id, created_at, request_id, user_id, user_name, project_id, action, object_type, object_id, details";

AuditEntry ReadEntry(const soci::row& row) {
  RowReader r(row);
  AuditEntry e;
  e.id = r.Text();
  e.created_at = r.Time();
  e.request_id = r.Text();
  e.user_id = r.Text();
  e.user_name = r.Text();
  e.project_id = r.Text();
  e.action = r.Text();
  e.object_type = r.Text();
  e.object_id = r.Text();
  e.details = r.Text();
  return e;
}

}  // namespace

Result<AuditEntry> AuditRepository::Append(AuditEntry e) {
  if (e.id.empty()) e.id = internal::NewId();
  if (e.created_at == TimePoint()) e.created_at = internal::Now();
  e.created_at = std::chrono::floor<std::chrono::microseconds>(e.created_at);
  CAIRN_RETURN_IF_ERROR(internal::ExecStatement(db_, "append audit entry", [&](Params& p) {
    return internal::InsertSql(
        "audit_log", kColumns,
        {p.Text(e.id), p.Time(e.created_at), p.Text(e.request_id), p.Text(e.user_id), p.Text(e.user_name),
         p.Text(e.project_id), p.Text(e.action), p.Text(e.object_type), p.Text(e.object_id), p.Text(e.details)});
  }).status());
  return e;
}

Result<std::vector<AuditEntry>> AuditRepository::List(std::optional<TimePoint> from, std::optional<TimePoint> to,
                                                      int limit) {
  return internal::Fetch(db_, "list audit log", [&](soci::session& session) {
    internal::Conditions where;
    where.AtLeast("created_at", from).AtMost("created_at", to);
    return internal::ListPage(session, "audit_log", kColumns, where, Page{.limit = limit, .marker = std::nullopt},
                              std::nullopt, ReadEntry);
  });
}

Result<int64_t> AuditRepository::Purge(TimePoint older_than) {
  return internal::ExecStatement(db_, "purge audit log", [&](Params& p) {
    return "DELETE FROM audit_log WHERE created_at < " + p.Time(older_than);
  });
}

}  // namespace cairn::db
