#include "db/sql.h"

#include <cmath>
#include <cstdlib>

#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "common/uuid.h"

namespace cairn::db::internal {

TimePoint Now() { return std::chrono::floor<std::chrono::microseconds>(UtcNow()); }

std::string FormatTime(TimePoint t) { return FormatIso8601(t, IsoFormat::kMicrosZ); }

TimePoint ParseTime(std::string_view text) {
  Result<TimePoint> t = ParseIso8601(text);
  if (!t.ok()) throw DataError("stored time '" + std::string(text) + "' is not ISO 8601");
  return *t;
}

std::string JsonText(const Json& value) { return value.dump(); }

Json ParseJson(std::string_view text, std::string_view column, Json fallback) {
  if (text.empty()) return fallback;
  Json value = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) throw DataError("column " + std::string(column) + " holds malformed JSON");
  return value;
}

std::string NewId() { return Uuid::Random().ToString(); }

std::string Params::Next(Param param) {
  param.name = "p" + std::to_string(params_.size());
  std::string placeholder = ":" + param.name;
  params_.push_back(std::move(param));
  return placeholder;
}

std::string Params::Text(std::string_view value) { return Next({.text = std::string(value)}); }

std::string Params::OptText(const std::optional<std::string>& value) {
  if (value) return Text(*value);
  return Next({.indicator = soci::i_null});
}

std::string Params::Int(int64_t value) { return Next({.is_int = true, .number = value}); }

std::string Params::OptTime(const std::optional<TimePoint>& value) {
  if (value) return Time(*value);
  return Next({.indicator = soci::i_null});
}

std::string Params::In(const std::vector<std::string>& values) {
  std::string out = "(";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ", ";
    out += Text(values[i]);
  }
  return out + ")";
}

void Params::BindTo(soci::statement& statement) {
  for (Param& p : params_) {
    if (p.is_int) {
      statement.exchange(soci::use(p.number, p.indicator, p.name));
    } else {
      statement.exchange(soci::use(p.text, p.indicator, p.name));
    }
  }
}

int64_t Exec(soci::session& session, const std::string& sql, Params& params) {
  soci::statement st(session);
  params.BindTo(st);
  st.alloc();
  st.prepare(sql);
  st.define_and_bind();
  st.execute(true);
  return st.get_affected_rows();
}

void Query(soci::session& session, const std::string& sql, Params& params,
           const std::function<void(const soci::row&)>& on_row) {
  soci::row row;
  soci::statement st(session);
  params.BindTo(st);
  st.exchange(soci::into(row));
  st.alloc();
  st.prepare(sql);
  st.define_and_bind();
  bool got = st.execute(true);
  while (got) {
    on_row(row);
    got = st.fetch();
  }
}

int64_t QueryInt(soci::session& session, const std::string& sql, Params& params) {
  int64_t value = 0;
  bool first = true;
  Query(session, sql, params, [&](const soci::row& row) {
    if (!first) return;
    first = false;
    value = RowReader(row).Int();
  });
  return value;
}

bool RowReader::IsNull() const {
  if (index_ >= row_.size()) throw DataError("row has fewer columns than expected");
  return row_.get_indicator(index_) == soci::i_null;
}

std::string RowReader::Text() {
  if (IsNull()) {
    ++index_;
    return {};
  }
  const soci::column_properties& props = row_.get_properties(index_);
  std::string out;
  switch (props.get_data_type()) {
    case soci::dt_string:
    case soci::dt_xml:
      out = row_.get<std::string>(index_);
      break;
    case soci::dt_integer:
      out = std::to_string(row_.get<int>(index_));
      break;
    case soci::dt_long_long:
      out = std::to_string(row_.get<long long>(index_));
      break;
    default:
      throw DataError("column " + props.get_name() + " is not text");
  }
  ++index_;
  return out;
}

std::optional<std::string> RowReader::OptText() {
  if (IsNull()) {
    ++index_;
    return std::nullopt;
  }
  return Text();
}

int64_t RowReader::Int() {
  if (IsNull()) {
    ++index_;
    return 0;
  }
  const soci::column_properties& props = row_.get_properties(index_);
  int64_t out = 0;
  switch (props.get_data_type()) {
    case soci::dt_integer:
      out = row_.get<int>(index_);
      break;
    case soci::dt_long_long:
      out = row_.get<long long>(index_);
      break;
    case soci::dt_unsigned_long_long:
      out = static_cast<int64_t>(row_.get<unsigned long long>(index_));
      break;
    case soci::dt_double:
      out = std::llround(row_.get<double>(index_));
      break;
    case soci::dt_string: {
      std::string text = row_.get<std::string>(index_);
      char* end = nullptr;
      out = std::strtoll(text.c_str(), &end, 10);
      if (end == text.c_str()) throw DataError("column " + props.get_name() + " is not a number");
      break;
    }
    default:
      throw DataError("column " + props.get_name() + " is not a number");
  }
  ++index_;
  return out;
}

TimePoint RowReader::Time() {
  std::string text = Text();
  return ParseTime(text);
}

std::optional<TimePoint> RowReader::OptTime() {
  std::optional<std::string> text = OptText();
  if (!text || text->empty()) return std::nullopt;
  return ParseTime(*text);
}

Json RowReader::JsonValue(std::string_view column, Json fallback) {
  return ParseJson(Text(), column, std::move(fallback));
}

namespace {

enum class Kind { kConflict, kUnavailable, kNotFound, kInternal };

Kind Classify(const std::exception& error) {
  if (const auto* e = dynamic_cast<const soci::sqlite3_soci_error*>(&error)) {
    switch (e->result() & 0xff) {
      case 19: return Kind::kConflict;     // SQLITE_CONSTRAINT
      case 5:                              // SQLITE_BUSY
      case 6:                              // SQLITE_LOCKED
      case 14:                             // SQLITE_CANTOPEN
      case 10:                             // SQLITE_IOERR
      case 13: return Kind::kUnavailable;  // SQLITE_FULL
      default: break;
    }
  }
  if (const auto* e = dynamic_cast<const soci::postgresql_soci_error*>(&error)) {
    std::string state = e->sqlstate();
    if (state.rfind("23", 0) == 0) return Kind::kConflict;  // integrity constraint violation
    if (state.rfind("08", 0) == 0 || state.rfind("57P", 0) == 0 || state.rfind("53", 0) == 0 ||
        state == "40001" || state == "40P01" || state == "55P03") {
      return Kind::kUnavailable;  // connection, shutdown, resources, serialization, deadlock, lock
    }
  }
  if (const auto* e = dynamic_cast<const soci::soci_error*>(&error)) {
    switch (e->get_error_category()) {
      case soci::soci_error::constraint_violation: return Kind::kConflict;
      case soci::soci_error::connection_error: return Kind::kUnavailable;
      case soci::soci_error::no_data: return Kind::kNotFound;
      default: break;
    }
    std::string_view what = e->what();
    // MySQL: 1062 duplicate key, 1451/1452 foreign key, 2002/2003/2006/2013 connection.
    if (what.find("Duplicate entry") != std::string_view::npos ||
        what.find("foreign key constraint fails") != std::string_view::npos) {
      return Kind::kConflict;
    }
    if (what.find("Lost connection") != std::string_view::npos ||
        what.find("server has gone away") != std::string_view::npos ||
        what.find("Can't connect") != std::string_view::npos ||
        what.find("Lock wait timeout") != std::string_view::npos ||
        what.find("Deadlock found") != std::string_view::npos ||
        what.find("Cannot establish connection") != std::string_view::npos) {
      return Kind::kUnavailable;
    }
  }
  return Kind::kInternal;
}

}  // namespace

bool IsConnectionError(const std::exception& error) {
  if (dynamic_cast<const soci::sqlite3_soci_error*>(&error)) return false;
  if (const auto* e = dynamic_cast<const soci::postgresql_soci_error*>(&error)) {
    std::string state = e->sqlstate();
    if (state.rfind("08", 0) == 0 || state.rfind("57P", 0) == 0) return true;
  }
  if (const auto* e = dynamic_cast<const soci::soci_error*>(&error)) {
    if (e->get_error_category() == soci::soci_error::connection_error) return true;
    std::string_view what = e->what();
    return what.find("Lost connection") != std::string_view::npos ||
           what.find("server has gone away") != std::string_view::npos ||
           what.find("server closed the connection") != std::string_view::npos ||
           what.find("no connection to the server") != std::string_view::npos;
  }
  return false;
}

Status StatusFromException(std::string_view operation, const std::exception& error) {
  if (const auto* e = dynamic_cast<const StatusError*>(&error)) return e->status();
  std::string message = std::string(operation) + ": " + error.what();
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (dynamic_cast<const DataError*>(&error)) return Status::Corruption(message);
  if (dynamic_cast<const std::bad_cast*>(&error)) return Status::Internal(message);
  switch (Classify(error)) {
    case Kind::kConflict: return Status::Conflict(message);
    case Kind::kUnavailable: return Status::Unavailable(message);
    case Kind::kNotFound: return Status::NotFound(message);
    case Kind::kInternal: break;
  }
  return Status::Internal(message);
}

std::string InsertSql(std::string_view table, std::string_view columns, const std::vector<std::string>& values) {
  std::string sql = "INSERT INTO " + std::string(table) + " (" + std::string(columns) + ") VALUES (";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) sql += ", ";
    sql += values[i];
  }
  return sql + ")";
}

std::string LimitClause(int limit) { return limit > 0 ? " LIMIT " + std::to_string(limit) : std::string(); }

void SetStatusIfImpl(soci::session& session, std::string_view table, std::string_view what,
                     std::string_view id, const std::vector<std::string>& expected,
                     std::string_view new_status, const std::optional<std::string>& error_msg) {
  if (expected.empty()) throw StatusError(Status::InvalidArgument("SetStatusIf needs expected statuses"));
  Params p;
  std::string sql = "UPDATE " + std::string(table) + " SET status = " + p.Text(new_status) +
                    ", updated_at = " + p.Time(Now());
  if (error_msg) sql += ", error_msg = " + p.Text(*error_msg);
  sql += " WHERE id = " + p.Text(id) + " AND deleted = 0 AND status IN " + p.In(expected);
  if (Exec(session, sql, p) > 0) return;
  // Nothing changed: say why.
  Params q;
  std::optional<std::string> current;
  Query(session,
        "SELECT status FROM " + std::string(table) + " WHERE id = " + q.Text(id) + " AND deleted = 0", q,
        [&](const soci::row& row) { current = RowReader(row).Text(); });
  if (!current) throw StatusError(Status::NotFound(std::string(what) + " " + std::string(id) + " not found"));
  for (const std::string& e : expected) {
    if (e == *current) return;  // MySQL reports 0 changed rows when the value is the same
  }
  std::string list;
  for (const std::string& e : expected) list += (list.empty() ? "" : ", ") + e;
  throw StatusError(Status::Conflict(std::string(what) + " " + std::string(id) + " is " + *current +
                                     ", not " + list));
}

}  // namespace cairn::db::internal
