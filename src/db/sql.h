// Internal helpers of the db layer (not for other layers): statement
// parameters, execution, row decoding, the mapping of SOCI exceptions to
// Status. Everything here may throw; Executor::Run turns exceptions into Status.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <soci/soci.h>

#include "common/status.h"
#include "common/time.h"
#include "db/models.h"
#include "db/url.h"

namespace cairn::db::internal {

// Thrown when a stored value cannot be decoded (bad JSON, bad time): Corruption.
class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Thrown by repository code to return a specific Status from inside a callback.
class StatusError : public std::runtime_error {
 public:
  explicit StatusError(Status status) : std::runtime_error(status.message()), status_(std::move(status)) {}
  const Status& status() const { return status_; }

 private:
  Status status_;
};

// The current time truncated to what the database stores (microseconds).
TimePoint Now();
// ISO 8601 UTC with microseconds and 'Z': sorts as text.
std::string FormatTime(TimePoint t);
// Parses FormatTime's output (or any ISO 8601); DataError otherwise.
TimePoint ParseTime(std::string_view text);
// Compact JSON text of `value`.
std::string JsonText(const Json& value);
// Parses stored JSON; empty text is `fallback`. DataError when malformed.
Json ParseJson(std::string_view text, std::string_view column, Json fallback = Json::object());
// A fresh random UUID string.
std::string NewId();

// The named parameters of one statement, bound by name (":p0", ":p1", ...).
// Values are copied and live as long as the Params.
class Params {
 public:
  std::string Text(std::string_view value);
  std::string OptText(const std::optional<std::string>& value);  // NULL when nullopt
  std::string Int(int64_t value);
  std::string Bool(bool value) { return Int(value ? 1 : 0); }
  std::string Time(TimePoint value) { return Text(FormatTime(value)); }
  std::string OptTime(const std::optional<TimePoint>& value);
  std::string JsonValue(const Json& value) { return Text(JsonText(value)); }
  // "(:pA, :pB, ...)" for an IN list; `values` must not be empty.
  std::string In(const std::vector<std::string>& values);

  void BindTo(soci::statement& statement);

 private:
  struct Param {
    std::string name{};
    bool is_int = false;
    std::string text{};
    long long number = 0;
    soci::indicator indicator = soci::i_ok;
  };
  std::string Next(Param param);
  std::deque<Param> params_;  // deque: stable addresses for SOCI's bindings
};

// Executes a statement; returns the number of rows it changed.
int64_t Exec(soci::session& session, const std::string& sql, Params& params);
inline int64_t Exec(soci::session& session, const std::string& sql) {
  Params none;
  return Exec(session, sql, none);
}
// Runs a query, calling `on_row` for each row.
void Query(soci::session& session, const std::string& sql, Params& params,
           const std::function<void(const soci::row&)>& on_row);
// The first column of the first row as an integer (0 when there is no row or it is NULL).
int64_t QueryInt(soci::session& session, const std::string& sql, Params& params);

// The first row of a query decoded by `read` (a function of const
// soci::row&), or nullopt when there is no row.
template <typename Read>
auto QueryOne(soci::session& session, const std::string& sql, Params& params, Read&& read)
    -> std::optional<std::decay_t<std::invoke_result_t<Read&, const soci::row&>>> {
  std::optional<std::decay_t<std::invoke_result_t<Read&, const soci::row&>>> out;
  Query(session, sql, params, [&](const soci::row& row) {
    if (!out) out.emplace(read(row));
  });
  return out;
}

// Every row of a query decoded by `read`, in the query's order.
template <typename Read>
auto QueryAll(soci::session& session, const std::string& sql, Params& params, Read&& read)
    -> std::vector<std::decay_t<std::invoke_result_t<Read&, const soci::row&>>> {
  std::vector<std::decay_t<std::invoke_result_t<Read&, const soci::row&>>> out;
  Query(session, sql, params, [&](const soci::row& row) { out.push_back(read(row)); });
  return out;
}

// The row a query by key found, or a StatusError NotFound "<what> not found".
template <typename Row>
Row Found(std::optional<Row> row, std::string_view what) {
  if (!row) throw StatusError(Status::NotFound(std::string(what) + " not found"));
  return std::move(*row);
}

// Reads the columns of a row in order.
class RowReader {
 public:
  explicit RowReader(const soci::row& row) : row_(row) {}
  std::string Text();                    // NULL: ""
  std::optional<std::string> OptText();  // NULL: nullopt
  int64_t Int();                         // NULL: 0
  bool Bool() { return Int() != 0; }
  TimePoint Time();
  std::optional<TimePoint> OptTime();
  Json JsonValue(std::string_view column, Json fallback = Json::object());

 private:
  bool IsNull() const;
  const soci::row& row_;
  size_t index_ = 0;
};

// The Status for an exception thrown while doing `operation`.
Status StatusFromException(std::string_view operation, const std::exception& error);
// True when the exception means the connection is broken (worth a reconnect).
bool IsConnectionError(const std::exception& error);

// "INSERT INTO <table> (<columns>) VALUES (<values>)": each value is a
// placeholder from Params or an SQL literal ("NULL", "0", "''"), in the
// order of `columns`.
std::string InsertSql(std::string_view table, std::string_view columns, const std::vector<std::string>& values);

// "LIMIT n" clause text, or "" for 0.
std::string LimitClause(int limit);

// Shared body of SetStatusIf for tables with id, status, error_msg, deleted.
void SetStatusIfImpl(soci::session& session, std::string_view table, std::string_view what,
                     std::string_view id, const std::vector<std::string>& expected,
                     std::string_view new_status, const std::optional<std::string>& error_msg);

}  // namespace cairn::db::internal
