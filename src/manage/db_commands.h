// `cairn-manage db sync|version|purge`: thin wrappers over db/schema.h and
// db/purge.h that print what they did.
#pragma once

#include <ostream>

#include "common/status.h"
#include "common/time.h"
#include "db/database.h"
#include "db/purge.h"

namespace cairn::manage {

// Applies the missing migrations (db::Sync) and prints
// "database at schema version N".
Status DbSync(db::Database& db, std::ostream& out);

// Prints "current schema version: N" and "latest schema version: M" (and a
// hint to run `db sync` when they differ). OK whatever the versions.
Status DbVersion(db::Database& db, std::ostream& out);

// Removes rows soft deleted more than `age_in_days` days before `now`
// (db::PurgeDeleted) and prints one "<table>: N" line per kind plus the total.
// InvalidArgument for a negative age.
Status DbPurge(db::Database& db, int64_t age_in_days, TimePoint now, std::ostream& out);

}  // namespace cairn::manage
