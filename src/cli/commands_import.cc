// Disaster recovery: the workloads a backup target holds that the database
// lacks, importing them, and the workloads whose project or user is gone.
#include "cli/command.h"

namespace cairn::cli {

void AddImportCommands(CommandTable& table) {
  AddListCommand(table, "workload-get-importworkloads-list",
                 "List the workloads on the backup target that Cairn's database lacks (admin)",
                 "/workloads/get_list/import_workloads", "workloads",
                 {{"ID", "id"}, {"Name", "name"}, {"Project ID", "project_id"}, {"User ID", "user_id"},
                  {"Snapshots", "snapshots_on_target"}, {"Created At", "created_at"}});
  AddListCommand(table, "workload-get-orphaned-workloads-list",
                 "List the workloads whose project or user no longer exists in Keystone (admin)",
                 "/workloads/orphan_workloads", "workloads",
                 {{"ID", "id"}, {"Name", "name"}, {"Project ID", "project_id"}, {"User ID", "user_id"},
                  {"Orphaned", "orphaned"}});
  {
    struct Opts {
      std::vector<std::string> workloads;
      bool upgrade = false;
      std::vector<std::string> projects;
      std::vector<std::string> mappings;  // "<on target>=<into>"
    };
    auto o = std::make_shared<Opts>();
    CLI::App* sub = table.Add(
        "workload-importworkloads", "Import workloads from the backup target (admin; default: every one missing)",
        [o](CommandContext& c) -> Status {
          json body = {{"workload_ids", o->workloads}, {"upgrade", o->upgrade}};
          if (!o->projects.empty()) body["project_ids"] = o->projects;
          for (const auto& m : o->mappings) {
            const size_t eq = m.find('=');
            if (eq == std::string::npos || eq == 0 || eq + 1 == m.size()) {
              return Status::InvalidArgument("--project-mapping takes <project on the target>=<project>, got " + m);
            }
            body["project_mapping"][m.substr(0, eq)] = m.substr(eq + 1);
          }
          CAIRN_ASSIGN_OR_RETURN(json a, c.Call("POST", "/workloads/import_workloads", body));
          CAIRN_ASSIGN_OR_RETURN(json w, CommandContext::Member(a, "workloads"));
          CAIRN_ASSIGN_OR_RETURN(json details, CommandContext::Member(w, "details"));
          json rows = json::array();
          for (const json& d : details) {
            json row = d;
            row["snapshots_skipped"] = d.contains("snapshots_skipped") ? d["snapshots_skipped"].size() : 0;
            rows.push_back(std::move(row));
            if (d.contains("snapshots_skipped")) {
              for (const json& why : d["snapshots_skipped"]) {
                c.err() << "workload " << d.value("id", "") << ": " << why.get<std::string>() << "\n";
              }
            }
            if (d.contains("project_id_on_target")) {
              c.err() << "workload " << d.value("id", "") << ": project " << d.value("project_id_on_target", "")
                      << " on the target, imported into " << d.value("project_id", "") << "\n";
            }
            if (d.contains("schedule")) c.err() << "workload " << d.value("id", "") << ": " << d["schedule"].get<std::string>() << "\n";
          }
          CAIRN_RETURN_IF_ERROR(c.PrintList(rows, {{"ID", "id"},
                                                   {"Name", "name"},
                                                   {"Project ID", "project_id"},
                                                   {"Snapshots", "snapshots_imported"},
                                                   {"Skipped", "snapshots_skipped"},
                                                   {"Error", "error"}}));
          const size_t failed = w.value("failed_workloads", json::array()).size();
          if (failed > 0) {
            return Status::Conflict(std::to_string(failed) + " of " + std::to_string(details.size()) +
                                    " workloads not imported (see the Error column)");
          }
          return Status::OK();
        });
    sub->add_option("--workloadids,--workload-ids,--workload_ids", o->workloads,
                    "Workload to import (repeat; default: every workload the database lacks)");
    sub->add_flag("--upgrade", o->upgrade,
                  "Also take workloads already in the database, adding the snapshots it lacks");
    sub->add_option("--project-id,--project_id", o->projects,
                    "Import only the workloads of this project (repeat; default: every project the target names "
                    "that exists in Keystone)");
    sub->add_option("--project-mapping,--project_mapping", o->mappings,
                    "<project on the target>=<project>: import that project's workloads into another (repeat)");
  }
}

}  // namespace cairn::cli
