// Fetch and ExecStatement: run a read, or one statement, on an Executor and
// return its value, so a repository call is one expression rather than a
// variable, a Run and a return. Internal to the db layer (not for other layers).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "common/status.h"
#include "db/database.h"
#include "db/sql.h"

namespace cairn::db::internal {

// The value type a read returns.
template <typename Read>
using FetchedValue = std::decay_t<std::invoke_result_t<Read&, soci::session&>>;

// Runs `read(session)` through `run` (Executor::Run or RunInTransaction) as
// `operation` and returns its value. Use Fetch or FetchInTransaction.
template <typename Read>
Result<FetchedValue<Read>> FetchWith(Executor& db, Status (Executor::*run)(std::string_view, const Executor::Work&),
                                     std::string_view operation, Read& read) {
  std::optional<FetchedValue<Read>> out;
  CAIRN_RETURN_IF_ERROR((db.*run)(operation, [&](soci::session& session) {
    out.emplace(read(session));
    return Status::OK();
  }));
  return std::move(*out);
}

// Runs `read(session)` as `operation` (Executor::Run: no transaction of its
// own) and returns its value. A StatusError `read` throws is returned as
// is; any other exception becomes a Status starting with `operation`.
template <typename Read>
Result<FetchedValue<Read>> Fetch(Executor& db, std::string_view operation, Read&& read) {
  return FetchWith(db, &Executor::Run, operation, read);
}

// Fetch in a write transaction (Executor::RunInTransaction): for a write
// that answers with the row it wrote.
template <typename Read>
Result<FetchedValue<Read>> FetchInTransaction(Executor& db, std::string_view operation, Read&& read) {
  return FetchWith(db, &Executor::RunInTransaction, operation, read);
}

// Runs the one statement `build` returns (binding its values into the
// Params it is given) as `operation` (Executor::Run); returns how many rows
// it changed. Errors as for Fetch.
Result<int64_t> ExecStatement(Executor& db, std::string_view operation,
                              const std::function<std::string(Params&)>& build);

}  // namespace cairn::db::internal
