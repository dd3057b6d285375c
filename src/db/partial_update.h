// Partial updates: the SET list of an UPDATE built from a repository's
// update struct (nullopt: unchanged), and the UPDATE of one live row.
// Internal to the db layer (not for other layers). May throw; Executor::Run
// turns exceptions into Status.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include <soci/soci.h>

#include "common/time.h"
#include "db/models.h"
#include "db/sql.h"

namespace cairn::db::internal {

// The assignments of one UPDATE's SET list, with the parameters they bind.
class SetList {
 public:
  // Starts with "updated_at = <now>".
  explicit SetList(TimePoint now) : sql_("updated_at = " + params_.Time(now)) {}

  // Adds "<column> = <value>" when `value` is set. T: std::string, int,
  // int64_t, bool, Json or TimePoint.
  template <typename T>
  SetList& Set(std::string_view column, const std::optional<T>& value) {
    if (!value) return *this;
    std::string placeholder;
    if constexpr (std::is_same_v<T, std::string>) {
      placeholder = params_.Text(*value);
    } else if constexpr (std::is_same_v<T, bool>) {
      placeholder = params_.Bool(*value);
    } else if constexpr (std::is_integral_v<T>) {
      placeholder = params_.Int(static_cast<int64_t>(*value));
    } else if constexpr (std::is_same_v<T, Json>) {
      placeholder = params_.JsonValue(*value);
    } else {
      static_assert(std::is_same_v<T, TimePoint>, "SetList::Set: unsupported column type");
      placeholder = params_.Time(*value);
    }
    sql_ += ", " + std::string(column) + " = " + placeholder;
    return *this;
  }
  // Adds an assignment written in SQL, e.g. "version = version + 1".
  SetList& Raw(std::string_view assignment) {
    sql_ += ", " + std::string(assignment);
    return *this;
  }

  // "updated_at = :p0, <column> = :p1, ...".
  const std::string& sql() const { return sql_; }
  // The parameters the assignments bind (more may be added for the WHERE).
  Params& params() { return params_; }

 private:
  Params params_;
  std::string sql_;
};

// "UPDATE <table> SET <sets> WHERE id = <id> AND deleted = 0"; returns how
// many rows changed (0 when there is no live row, or, on MySQL, when no
// value changed).
int64_t UpdateLiveRow(soci::session& session, std::string_view table, std::string_view id, SetList& sets);

}  // namespace cairn::db::internal
