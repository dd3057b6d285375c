// workload-*, workload-type-*: the workloads of a project and their snapshots.
#include "cli/command.h"

namespace cairn::cli {
namespace {

const std::vector<Column> kWorkloadColumns = {{"ID", "id"},
                                              {"Name", "name"},
                                              {"Workload Type", "workload_type_id"},
                                              {"Project ID", "project_id"},
                                              {"Status", "status"},
                                              {"Created At", "created_at"}};

const std::vector<Column> kTypeColumns = {{"ID", "id"}, {"Name", "name"}, {"Description", "description"}};

// The options workload-create and workload-modify share.
struct WorkloadOptions {
  std::string name, description, type_id, policy_id, source_platform;
  std::vector<std::string> instances, jobschedule, metadata;
  bool name_set = false, description_set = false;
};

void AddWorkloadOptions(CLI::App* sub, const std::shared_ptr<WorkloadOptions>& o) {
  sub->add_option("--display-name,--display_name,--name", o->name, "Name of the workload");
  sub->add_option("--display-description,--display_description,--description", o->description,
                  "Description of the workload");
  sub->add_option("--instance", o->instances, "instance-id=<Nova server id> (repeat for each VM)");
  sub->add_option("--jobschedule", o->jobschedule,
                  "key=value of the schedule (repeat): enabled, start_date, start_time, interval, end_date, "
                  "timezone, fullbackup_interval, retention_policy_type, retention_policy_value");
  sub->add_option("--metadata", o->metadata, "key=value (repeat)");
  sub->add_option("--policy-id,--policy_id", o->policy_id, "Workload policy to follow");
}

// The instances of --instance instance-id=ID (a bare ID is taken too).
Result<json> InstancesOf(const std::vector<std::string>& texts) {
  json out = json::array();
  for (const auto& t : texts) {
    if (t.find('=') == std::string::npos) {
      out.push_back({{"instance-id", t}});
      continue;
    }
    CAIRN_ASSIGN_OR_RETURN(auto kv, ParseKeyValue("--instance", t));
    if (kv.first != "instance-id" && kv.first != "instance_id" && kv.first != "id") {
      return Status::InvalidArgument("--instance: '" + t + "' must be instance-id=<Nova server id>");
    }
    if (kv.second.empty()) return Status::InvalidArgument("--instance: '" + t + "' has no server id");
    out.push_back({{"instance-id", kv.second}});
  }
  return out;
}

// The workload body of create or modify: only what the user gave.
Result<json> WorkloadBody(const WorkloadOptions& o, CLI::App* sub) {
  json w = json::object();
  if (sub->count("--display-name")) w["name"] = o.name;
  if (sub->count("--display-description")) w["description"] = o.description;
  if (!o.instances.empty()) {
    CAIRN_ASSIGN_OR_RETURN(w["instances"], InstancesOf(o.instances));
  }
  if (!o.jobschedule.empty()) {
    CAIRN_ASSIGN_OR_RETURN(w["jobschedule"], ParseKeyValues("--jobschedule", o.jobschedule));
  }
  if (!o.metadata.empty()) {
    CAIRN_ASSIGN_OR_RETURN(w["metadata"], ParseKeyValues("--metadata", o.metadata));
  }
  if (!o.policy_id.empty()) w["policy_id"] = o.policy_id;
  return w;
}

}  // namespace

void AddWorkloadCommands(CommandTable& table) {
  AddListCommand(table, "workload-type-list", "List the workload types (Serial, Parallel)", "/workload_types/detail",
                 "workload_types", kTypeColumns);
  AddShowCommand(table, "workload-type-show", "Show a workload type", "workload_type_id", "/workload_types/",
                 "workload_type");
  {
    struct Opts {
      bool all = false;
      std::string project_id;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* sub = table.Add("workload-list", "List the workloads of the project", [o](CommandContext& c) -> Status {
      std::string path = "/workloads/detail";
      std::string sep = "?";
      if (o->all) {
        path += sep + "all_workloads=True";
        sep = "&";
      }
      if (!o->project_id.empty()) path += sep + "project_id=" + UrlEncode(o->project_id);
      CAIRN_ASSIGN_OR_RETURN(json rows, c.ListAll(path, "workloads"));
      return c.PrintList(rows, kWorkloadColumns);
    });
    sub->add_flag("--all,--all-workloads,--all_workloads", o->all, "Workloads of every project (admin)");
    sub->add_option("--project-id,--project_id", o->project_id, "Workloads of this project (admin)");
  }
  AddShowCommand(table, "workload-show", "Show a workload", "workload_id", "/workloads/", "workload");
  {
    auto o = std::make_shared<WorkloadOptions>();
    auto sub_ptr = std::make_shared<CLI::App*>(nullptr);
    CLI::App* sub = table.Add("workload-create", "Protect VMs in a new workload", [o, sub_ptr](CommandContext& c) -> Status {
      CAIRN_ASSIGN_OR_RETURN(json w, WorkloadBody(*o, *sub_ptr));
      if (!w.contains("instances") || w["instances"].empty()) {
        return Status::InvalidArgument("--instance: a workload needs at least one VM (--instance instance-id=<id>)");
      }
      if (!o->type_id.empty()) w["workload_type_id"] = o->type_id;
      w["source_platform"] = o->source_platform.empty() ? "openstack" : o->source_platform;
      if (!w.contains("jobschedule")) w["jobschedule"] = {{"enabled", false}};
      if (!w.contains("metadata")) w["metadata"] = json::object();
      CAIRN_ASSIGN_OR_RETURN(json a, c.Call("POST", "/workloads", json{{"workload", w}}));
      CAIRN_ASSIGN_OR_RETURN(json created, CommandContext::Member(a, "workload"));
      return c.PrintObject(created);
    });
    *sub_ptr = sub;
    AddWorkloadOptions(sub, o);
    sub->add_option("--workload-type-id,--workload_type_id", o->type_id, "Serial or Parallel type id (default Parallel)");
    sub->add_option("--source-platform,--source_platform", o->source_platform, "openstack (the default)");
  }
  {
    auto o = std::make_shared<WorkloadOptions>();
    auto id = std::make_shared<std::string>();
    auto sub_ptr = std::make_shared<CLI::App*>(nullptr);
    CLI::App* sub = table.Add("workload-modify", "Change a workload's name, VMs, schedule or metadata",
                              [o, id, sub_ptr](CommandContext& c) -> Status {
                                CAIRN_ASSIGN_OR_RETURN(json w, WorkloadBody(*o, *sub_ptr));
                                if (w.empty()) {
                                  return Status::InvalidArgument(
                                      "nothing to change: give --display-name, --display-description, --instance, "
                                      "--jobschedule, --metadata or --policy-id");
                                }
                                CAIRN_ASSIGN_OR_RETURN(json a,
                                                       c.Call("PUT", "/workloads/" + UrlEncode(*id), json{{"workload", w}}));
                                CAIRN_ASSIGN_OR_RETURN(json updated, CommandContext::Member(a, "workload"));
                                return c.PrintObject(updated);
                              });
    *sub_ptr = sub;
    sub->add_option("workload_id", *id, "ID of the workload")->required();
    AddWorkloadOptions(sub, o);
  }
  {
    struct Opts {
      std::string id;
      bool database_only = false;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* sub = table.Add("workload-delete", "Delete a workload and its snapshots", [o](CommandContext& c) {
      return c.Call("DELETE", "/workloads/" + UrlEncode(o->id) + (o->database_only ? "?database_only=True" : ""))
          .status();
    });
    sub->add_option("workload_id", o->id, "ID of the workload")->required();
    sub->add_flag("--database-only,--database_only", o->database_only,
                  "Forget the workload but keep its data on the backup target");
  }
  AddActionCommand(table, "workload-unlock", "Unlock a workload whose job died", "workload_id", "POST", "/workloads/", "/unlock");
  AddActionCommand(table, "workload-reset", "Drop change tracking: the next snapshot is a full one", "workload_id", "POST", "/workloads/", "/reset");
  AddActionCommand(table, "workload-pause", "Pause the workload's schedule", "workload_id", "POST", "/workloads/", "/pause");
  AddActionCommand(table, "workload-resume", "Resume the workload's schedule", "workload_id", "POST", "/workloads/", "/resume");
  {
    struct Opts {
      std::string id, name, description;
      bool full = false, wait = false;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* sub = table.Add("workload-snapshot", "Take a snapshot of a workload", [o](CommandContext& c) -> Status {
      json s = {{"is_scheduled", false}};
      if (!o->name.empty()) s["name"] = o->name;
      if (!o->description.empty()) s["description"] = o->description;
      CAIRN_ASSIGN_OR_RETURN(json a, c.Call("POST", "/workloads/" + UrlEncode(o->id) + (o->full ? "?full=1" : ""),
                                            json{{"snapshot", s}}));
      CAIRN_ASSIGN_OR_RETURN(json snapshot, CommandContext::Member(a, "snapshot"));
      if (o->wait) {
        CAIRN_ASSIGN_OR_RETURN(snapshot, c.Wait("/snapshots/" + UrlEncode(snapshot.value("id", "")), "snapshot"));
      }
      return c.PrintObject(snapshot);
    });
    sub->add_option("workload_id", o->id, "ID of the workload")->required();
    sub->add_flag("--full", o->full, "A full snapshot, whatever the schedule says");
    sub->add_option("--display-name,--display_name,--name", o->name, "Name of the snapshot");
    sub->add_option("--display-description,--display_description,--description", o->description,
                    "Description of the snapshot");
    sub->add_flag("--wait", o->wait, "Wait until it is done, showing its progress");
  }
  {
    auto id = std::make_shared<std::string>();
    CLI::App* sub = table.Add("workload-scheduler-trust-check", "Check the trust the workload's schedule runs under",
                              [id](CommandContext& c) -> Status {
                                CAIRN_ASSIGN_OR_RETURN(
                                    json a, c.Call("GET", "/workloads/" + UrlEncode(*id) + "/scheduler_trust_validate"));
                                return c.PrintObject(a);
                              });
    sub->add_option("workload_id", *id, "ID of the workload")->required();
  }
}

}  // namespace cairn::cli
