// Fetch: runs a read on an Executor and returns its value, so a repository
// read is one expression rather than a variable, a Run and a return.
// Internal to the db layer (not for other layers).
#pragma once

#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "common/status.h"
#include "db/database.h"

namespace cairn::db::internal {

// Runs `read(session)` as `operation` (Executor::Run: no transaction of its
// own) and returns its value. A StatusError `read` throws is returned as
// is; any other exception becomes a Status starting with `operation`.
template <typename Read>
auto Fetch(Executor& db, std::string_view operation, Read&& read)
    -> Result<std::decay_t<std::invoke_result_t<Read&, soci::session&>>> {
  std::optional<std::decay_t<std::invoke_result_t<Read&, soci::session&>>> out;
  CAIRN_RETURN_IF_ERROR(db.Run(operation, [&](soci::session& session) {
    out.emplace(read(session));
    return Status::OK();
  }));
  return std::move(*out);
}

}  // namespace cairn::db::internal
