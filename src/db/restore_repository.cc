#include "db/restore_repository.h"

#include <soci/soci.h>

#include "db/fetch.h"
#include "db/list_query.h"
#include "db/partial_update.h"
#include "db/soft_delete.h"
#include "db/sql.h"

namespace cairn::db {
namespace {

using internal::Params;
using internal::RowReader;

constexpr std::string_view kColumns =
    "id, snapshot_id, workload_id, project_id, user_id, name, description, restore_type, options, status,"
    " progress_percent, progress_msg, warning_msg, error_msg, size, uploaded_size, time_taken, instances,"
    " finished_at, created_at, updated_at, deleted, deleted_at";

Restore ReadRestore(const soci::row& row) {
  RowReader r(row);
  Restore x;
  x.id = r.Text();
  x.snapshot_id = r.Text();
  x.workload_id = r.Text();
  x.project_id = r.Text();
  x.user_id = r.Text();
  x.name = r.Text();
  x.description = r.Text();
  x.restore_type = r.Text();
  x.options = r.JsonValue("restores.options");
  x.status = r.Text();
  x.progress_percent = static_cast<int>(r.Int());
  x.progress_msg = r.Text();
  x.warning_msg = r.Text();
  x.error_msg = r.Text();
  x.size = r.Int();
  x.uploaded_size = r.Int();
  x.time_taken = r.Int();
  x.instances = r.JsonValue("restores.instances", Json::array());
  x.finished_at = r.OptTime();
  internal::ReadLifecycle(r, x);
  return x;
}

Restore MustGet(soci::session& session, std::string_view id, bool include_deleted) {
  Params p;
  std::string sql = "SELECT " + std::string(kColumns) + " FROM restores WHERE id = " + p.Text(id);
  if (!include_deleted) sql += " AND deleted = 0";
  return internal::Found(internal::QueryOne(session, sql, p, ReadRestore), "restore " + std::string(id));
}

}  // namespace

Result<Restore> RestoreRepository::Create(Restore x) {
  TimePoint now = internal::StampNewRow(x);
  CAIRN_RETURN_IF_ERROR(internal::ExecStatement(db_, "create restore " + x.id, [&](Params& p) {
    return internal::InsertSql("restores", kColumns,
                               {p.Text(x.id), p.Text(x.snapshot_id), p.Text(x.workload_id), p.Text(x.project_id),
                                p.Text(x.user_id), p.Text(x.name), p.Text(x.description), p.Text(x.restore_type),
                                p.JsonValue(x.options), p.Text(x.status), p.Int(x.progress_percent),
                                p.Text(x.progress_msg), p.Text(x.warning_msg), p.Text(x.error_msg), p.Int(x.size),
                                p.Int(x.uploaded_size), p.Int(x.time_taken), p.JsonValue(x.instances),
                                p.OptTime(x.finished_at), p.Time(now), p.Time(now), "0", "NULL"});
  }).status());
  return x;
}

Result<Restore> RestoreRepository::Get(std::string_view id, bool include_deleted) {
  return internal::Fetch(db_, "get restore",
                         [&](soci::session& session) { return MustGet(session, id, include_deleted); });
}

Result<std::vector<Restore>> RestoreRepository::List(const RestoreFilter& filter, const Page& page) {
  return internal::Fetch(db_, "list restores", [&](soci::session& session) {
    internal::Conditions where;
    where.LiveOnly(filter.include_deleted)
        .Equals("project_id", filter.project_id)
        .Equals("snapshot_id", filter.snapshot_id)
        .Equals("workload_id", filter.workload_id)
        .In("status", filter.statuses);
    return internal::ListPage(session, "restores", kColumns, where, page, filter.project_id, ReadRestore);
  });
}

Result<Restore> RestoreRepository::Update(std::string_view id, const RestoreUpdate& u) {
  return internal::FetchInTransaction(db_, "update restore " + std::string(id), [&](soci::session& session) {
    internal::SetList sets(internal::Now());
    sets.Set("name", u.name)
        .Set("description", u.description)
        .Set("status", u.status)
        .Set("progress_percent", u.progress_percent)
        .Set("progress_msg", u.progress_msg)
        .Set("warning_msg", u.warning_msg)
        .Set("error_msg", u.error_msg)
        .Set("size", u.size)
        .Set("uploaded_size", u.uploaded_size)
        .Set("time_taken", u.time_taken)
        .Set("instances", u.instances)
        .Set("finished_at", u.finished_at);
    internal::UpdateLiveRow(session, "restores", id, sets);
    return MustGet(session, id, false);
  });
}

Status RestoreRepository::SetStatusIf(std::string_view id, const std::vector<std::string>& expected,
                                      std::string_view new_status, std::optional<std::string> error_msg) {
  return db_.Run("set restore status", [&](soci::session& session) {
    internal::SetStatusIfImpl(session, "restores", "restore", id, expected, new_status, error_msg);
    return Status::OK();
  });
}

Status RestoreRepository::SoftDelete(std::string_view id) {
  return internal::RunSoftDelete(db_, "delete restore", "restores", {{"id", id}}, "restore " + std::string(id),
                                 internal::kSetStatusDeleted);
}

Result<int64_t> RestoreRepository::Purge(TimePoint older_than) {
  return internal::RunPurge(db_, "purge restores", "restores", older_than);
}

}  // namespace cairn::db
