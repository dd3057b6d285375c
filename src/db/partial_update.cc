#include "db/partial_update.h"

namespace cairn::db::internal {

int64_t UpdateLiveRow(soci::session& session, std::string_view table, std::string_view id, SetList& sets) {
  Params& p = sets.params();
  return Exec(session, "UPDATE " + std::string(table) + " SET " + sets.sql() + " WHERE id = " + p.Text(id) +
                           " AND deleted = 0",
              p);
}

}  // namespace cairn::db::internal
