// Disaster recovery: rebuilding the database's records of workloads and
// their snapshots from what the backup target holds (the *_db files and the
// disk images, docs/target-layout.md), for a fresh Cairn pointed at an
// existing target, or one whose database was lost.
//
// Import only reads the target. What it records is checked against the
// target itself, not only against the JSON: a snapshot is imported when its
// snapshot_db says it is available and every disk it has is a published
// backup (image and manifest) whose image opens, and whose backing image (an
// incremental's parent, found from the image, which is what restore reads)
// belongs to a snapshot imported with it or already recorded. Anything else
// is skipped and reported, never half recorded.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "db/database.h"
#include "db/models.h"
#include "target/store.h"

namespace cairn::control {

// A workload the target holds.
struct TargetWorkload {
  db::Workload workload{};     // from workload_db and workload_vms_db
  int64_t snapshots = 0;       // snapshot directories whose snapshot_db says available
  bool in_database = false;    // a live database row has its id
};

// Every workload_<id> directory with a readable workload_db, newest first.
// Directories whose workload_db is missing or invalid are left out (logged).
Result<std::vector<TargetWorkload>> ListTargetWorkloads(db::Executor& db, target::Store& store);

// What to import.
//
// The target is untrusted: anyone who can write it can plant a workload_db
// naming any project. So the project a workload is imported into is chosen
// by the admin's request, not by the target alone: the request may restrict
// the projects taken and map a project the target names to another, and the
// project a new workload lands in must exist (ProjectExists below).
struct ImportRequest {
  // Workload ids; empty: every workload on the target not in the database.
  std::vector<std::string> workload_ids{};
  // Also take workloads already in the database, adding the snapshots on the
  // target that the database lacks (the rows it has are left as they are).
  bool upgrade = false;
  // When not empty, only workloads whose project (as the target names it;
  // the database's for a workload it has) is listed here or is a key of
  // project_mapping are imported. Import all leaves the others out (logged);
  // a workload asked for by id fails.
  std::set<std::string> project_ids{};
  // Project named by the target -> project to import into. The workload's
  // snapshots follow it; its user_id is kept.
  std::map<std::string, std::string> project_mapping{};

  // True when `project_id` passes the project_ids filter.
  bool Selects(const std::string& project_id) const;
};

// Whether a project exists (production: Keystone): OK, kNotFound when it does
// not, another error when that cannot be told (the workload then fails).
using ProjectExists = std::function<Status(std::string_view project_id)>;

// The outcome for one workload.
struct WorkloadImportResult {
  std::string workload_id{};
  std::string name{};
  std::string project_id{};             // the project it is (or would be) recorded in
  std::string project_id_on_target{};   // set when project_mapping changed it
  std::string user_id{};
  int64_t snapshots_imported = 0;
  std::vector<std::string> skipped{};  // "snapshot <id>: <why>", one per snapshot left out
  std::string schedule_note{};         // set when an enabled schedule was imported disabled
  std::string error{};                 // empty when the workload was imported
};

struct ImportReport {
  std::vector<WorkloadImportResult> imported{};
  std::vector<WorkloadImportResult> failed{};
};

// Imports the requested workloads, each in its own transaction (one that
// fails leaves no row behind and does not stop the others). An imported
// workload is "available", owned by the project its workload_db names (or
// the one request.project_mapping maps it to), which `project_exists` must
// confirm, and by the user its workload_db names, with its schedule disabled (its owner enables it again, after
// creating a trust: trusts live in the database) and its storage usage
// summed from the images. A soft-deleted row with the same id (a workload
// deleted with database_only) is replaced. Errors of the database or of a
// target that cannot be listed are returned; per-workload problems go into
// the report.
Result<ImportReport> ImportWorkloads(db::Database& db, target::Store& store, const ImportRequest& request,
                                     const ProjectExists& project_exists);

}  // namespace cairn::control
