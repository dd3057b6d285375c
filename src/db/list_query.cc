#include "db/list_query.h"

namespace cairn::db::internal {

Conditions& Conditions::LiveOnly(bool include_deleted) {
  if (!include_deleted) conditions_.push_back("deleted = 0");
  return *this;
}

Conditions& Conditions::Equals(std::string_view column, const std::optional<std::string>& value) {
  if (value) conditions_.push_back(std::string(column) + " = " + params_.Text(*value));
  return *this;
}

Conditions& Conditions::In(std::string_view column, const std::vector<std::string>& values) {
  if (!values.empty()) conditions_.push_back(std::string(column) + " IN " + params_.In(values));
  return *this;
}

Conditions& Conditions::AtLeast(std::string_view column, const std::optional<TimePoint>& from) {
  if (from) conditions_.push_back(std::string(column) + " >= " + params_.Time(*from));
  return *this;
}

Conditions& Conditions::AtMost(std::string_view column, const std::optional<TimePoint>& to) {
  if (to) conditions_.push_back(std::string(column) + " <= " + params_.Time(*to));
  return *this;
}

Conditions& Conditions::After(soci::session& session, std::string_view table, const std::string& marker,
                              const std::optional<std::string>& project_id) {
  Params lookup;
  std::optional<std::string> created_at;
  std::string sql = "SELECT created_at FROM " + std::string(table) + " WHERE id = " + lookup.Text(marker);
  // A marker outside the listed project is as unknown as a made-up one: a
  // caller cannot learn that another project's id exists.
  if (project_id) sql += " AND project_id = " + lookup.Text(*project_id);
  Query(session, sql, lookup, [&](const soci::row& row) { created_at = RowReader(row).Text(); });
  if (!created_at) {
    throw StatusError(Status::InvalidArgument("marker " + marker + " is not a known " + std::string(table) +
                                              " row"));
  }
  std::string c1 = params_.Text(*created_at);
  std::string c2 = params_.Text(*created_at);
  std::string id = params_.Text(marker);
  conditions_.push_back("(created_at < " + c1 + " OR (created_at = " + c2 + " AND id < " + id + "))");
  return *this;
}

std::string Conditions::Clause() const {
  if (conditions_.empty()) return {};
  std::string out = " WHERE ";
  for (size_t i = 0; i < conditions_.size(); ++i) {
    if (i) out += " AND ";
    out += conditions_[i];
  }
  return out;
}

std::string ListPageSql(soci::session& session, std::string_view table, std::string_view columns,
                        Conditions& where, const Page& page, const std::optional<std::string>& project_id) {
  if (page.marker) where.After(session, table, *page.marker, project_id);
  return "SELECT " + std::string(columns) + " FROM " + std::string(table) + where.Clause() +
         " ORDER BY created_at DESC, id DESC" + LimitClause(page.limit);
}

}  // namespace cairn::db::internal
