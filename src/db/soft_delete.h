// Soft delete and purge: the one place that writes and reads the columns
// deleted (0/1), deleted_at and updated_at of the soft-deleted tables, for
// every repository. Internal to the db layer (not for other layers). The
// session functions may throw; the Executor ones return a Status.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <soci/soci.h>

#include "common/status.h"
#include "common/time.h"
#include "db/database.h"
#include "db/sql.h"

namespace cairn::db::internal {

// The columns and values that pick one row: {{"id", id}}, or
// {{"project_id", project}, {"name", name}} for a composite key.
using RowKey = std::vector<std::pair<std::string_view, std::string_view>>;

// Prepares a new row of a soft-deleted table for its INSERT: a fresh id when
// `row.id` is empty, created_at and updated_at now, live (not deleted).
// Returns that now, for the INSERT's time columns.
template <typename Row>
TimePoint StampNewRow(Row& row) {
  if (row.id.empty()) row.id = NewId();
  TimePoint now = Now();
  row.created_at = now;
  row.updated_at = now;
  row.deleted = false;
  row.deleted_at.reset();
  return now;
}

// Reads the last four columns of a soft-deleted table's row, in this order:
// created_at, updated_at, deleted, deleted_at.
template <typename Row>
void ReadLifecycle(RowReader& r, Row& row) {
  row.created_at = r.Time();
  row.updated_at = r.Time();
  row.deleted = r.Bool();
  row.deleted_at = r.OptTime();
}

// SQL for SoftDeleteRow's `extra_set` that also moves the status to "deleted".
inline constexpr std::string_view kSetStatusDeleted = "status = 'deleted'";

// Marks the live row `key` of `table` deleted: deleted = 1, deleted_at and
// updated_at now, plus `extra_set` (SQL for the SET list, e.g.
// kSetStatusDeleted) when not empty. Throws StatusError NotFound
// "<what> not found" when there is no live row with that key.
void SoftDeleteRow(soci::session& session, std::string_view table, const RowKey& key, std::string_view what,
                   std::string_view extra_set = {});

// SoftDeleteRow on its own statement, as `operation` (the prefix of other
// errors). OK, NotFound "<what> not found", or the database's error.
Status RunSoftDelete(Executor& db, std::string_view operation, std::string_view table, const RowKey& key,
                     std::string_view what, std::string_view extra_set = {});

// The condition of the rows a purge removes: "deleted = 1 AND deleted_at <
// <older_than>", and `extra_condition` when not empty. Binds into `params`.
std::string DeletedBefore(Params& params, TimePoint older_than, std::string_view extra_condition = {});

// Deletes the rows of `table` soft deleted before `older_than` (that also
// meet `extra_condition`, SQL that may name `table`'s columns); returns how many.
int64_t PurgeDeletedRows(soci::session& session, std::string_view table, TimePoint older_than,
                         std::string_view extra_condition = {});

// Deletes the rows of `child_table` whose `parent_column` is the id of a row
// PurgeDeletedRows(session, parent_table, older_than, extra_condition) would
// remove. Call it before purging the parents, in the same transaction.
void PurgeChildRows(soci::session& session, std::string_view child_table, std::string_view parent_column,
                    std::string_view parent_table, TimePoint older_than, std::string_view extra_condition = {});

// PurgeDeletedRows on its own statement, as `operation`; returns how many
// rows it removed.
Result<int64_t> RunPurge(Executor& db, std::string_view operation, std::string_view table, TimePoint older_than);

}  // namespace cairn::db::internal
