// List queries: the WHERE conditions of the common list filters and the
// newest-first, marker-paginated page of a table. Internal to the db layer
// (not for other layers). Everything here may throw; Executor::Run turns
// exceptions into Status.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <soci/soci.h>

#include "common/time.h"
#include "db/models.h"
#include "db/sql.h"

namespace cairn::db::internal {

// The conditions of one statement's WHERE clause, ANDed, with the
// parameters they bind. Each filter adds its condition only when set, so a
// filter struct maps to a chain of calls.
class Conditions {
 public:
  // "deleted = 0" unless `include_deleted`.
  Conditions& LiveOnly(bool include_deleted);
  // "<column> = <value>" when `value` is set.
  Conditions& Equals(std::string_view column, const std::optional<std::string>& value);
  // "<column> IN (<values>)" when `values` is not empty.
  Conditions& In(std::string_view column, const std::vector<std::string>& values);
  // "<column> >= <from>" when `from` is set.
  Conditions& AtLeast(std::string_view column, const std::optional<TimePoint>& from);
  // "<column> <= <to>" when `to` is set.
  Conditions& AtMost(std::string_view column, const std::optional<TimePoint>& to);
  // The rows after `marker` in newest-first order (created_at, id
  // descending). InvalidArgument (as a StatusError) "marker <m> is not a
  // known <table> row" when the marker is not a row of `table` (of
  // `project_id`'s rows, when given: no existence oracle across projects).
  Conditions& After(soci::session& session, std::string_view table, const std::string& marker,
                    const std::optional<std::string>& project_id);

  // " WHERE a AND b", or "" without conditions.
  std::string Clause() const;
  // The parameters the conditions bind, for Query/Exec.
  Params& params() { return params_; }

 private:
  Params params_;
  std::vector<std::string> conditions_;
};

// The query of one page of `table` newest first: "SELECT <columns> FROM
// <table> <where> ORDER BY created_at DESC, id DESC", starting after
// `page.marker` (adds Conditions::After, with `project_id`), at most
// `page.limit` rows (0: all).
std::string ListPageSql(soci::session& session, std::string_view table, std::string_view columns,
                        Conditions& where, const Page& page, const std::optional<std::string>& project_id);

// The rows of ListPageSql's page, each decoded by `read` (a function of
// const soci::row&).
template <typename Read>
auto ListPage(soci::session& session, std::string_view table, std::string_view columns, Conditions& where,
              const Page& page, const std::optional<std::string>& project_id, Read&& read) {
  std::string sql = ListPageSql(session, table, columns, where, page, project_id);
  return QueryAll(session, sql, where.params(), std::forward<Read>(read));
}

}  // namespace cairn::db::internal
