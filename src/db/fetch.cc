#include "db/fetch.h"

namespace cairn::db::internal {

Result<int64_t> ExecStatement(Executor& db, std::string_view operation,
                              const std::function<std::string(Params&)>& build) {
  return Fetch(db, operation, [&](soci::session& session) {
    Params p;
    std::string sql = build(p);
    return Exec(session, sql, p);
  });
}

}  // namespace cairn::db::internal
