#include "db/soft_delete.h"

#include "db/fetch.h"

namespace cairn::db::internal {

void SoftDeleteRow(soci::session& session, std::string_view table, const RowKey& key, std::string_view what,
                   std::string_view extra_set) {
  TimePoint now = Now();
  Params p;
  std::string sql = "UPDATE " + std::string(table) + " SET deleted = 1, deleted_at = " + p.Time(now) +
                    ", updated_at = " + p.Time(now);
  if (!extra_set.empty()) sql += ", " + std::string(extra_set);
  sql += " WHERE ";
  for (const auto& [column, value] : key) sql += std::string(column) + " = " + p.Text(value) + " AND ";
  sql += "deleted = 0";
  if (Exec(session, sql, p) == 0) throw StatusError(Status::NotFound(std::string(what) + " not found"));
}

Status RunSoftDelete(Executor& db, std::string_view operation, std::string_view table, const RowKey& key,
                     std::string_view what, std::string_view extra_set) {
  return db.Run(operation, [&](soci::session& session) {
    SoftDeleteRow(session, table, key, what, extra_set);
    return Status::OK();
  });
}

std::string DeletedBefore(Params& params, TimePoint older_than, std::string_view extra_condition) {
  std::string condition = "deleted = 1 AND deleted_at < " + params.Time(older_than);
  if (!extra_condition.empty()) condition += " AND " + std::string(extra_condition);
  return condition;
}

int64_t PurgeDeletedRows(soci::session& session, std::string_view table, TimePoint older_than,
                         std::string_view extra_condition) {
  Params p;
  return Exec(session, "DELETE FROM " + std::string(table) + " WHERE " + DeletedBefore(p, older_than, extra_condition),
              p);
}

void PurgeChildRows(soci::session& session, std::string_view child_table, std::string_view parent_column,
                    std::string_view parent_table, TimePoint older_than, std::string_view extra_condition) {
  Params p;
  Exec(session,
       "DELETE FROM " + std::string(child_table) + " WHERE " + std::string(parent_column) + " IN (SELECT id FROM " +
           std::string(parent_table) + " WHERE " + DeletedBefore(p, older_than, extra_condition) + ")",
       p);
}

Result<int64_t> RunPurge(Executor& db, std::string_view operation, std::string_view table, TimePoint older_than) {
  return Fetch(db, operation, [&](soci::session& session) { return PurgeDeletedRows(session, table, older_than); });
}

}  // namespace cairn::db::internal
