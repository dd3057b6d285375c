// setting-*, trust-*, policy-*, quota commands, the global job scheduler and
// the administrator's views (nodes, storage usage, audit log, reassign).
#include "cli/command.h"

namespace cairn::cli {
namespace {

const std::vector<Column> kSettingColumns = {{"Name", "name"}, {"Value", "value"}, {"Category", "category"},
                                             {"Type", "type"},  {"Is Public", "is_public"}, {"Is Hidden", "is_hidden"}};
const std::vector<Column> kTrustColumns = {{"Name", "name"}, {"Project ID", "project_id"}, {"User ID", "user_id"},
                                           {"Role", "metadata"}, {"Status", "status"}};
const std::vector<Column> kPolicyColumns = {{"ID", "id"}, {"Name", "name"}, {"Description", "description"},
                                            {"Status", "status"}};
const std::vector<Column> kQuotaTypeColumns = {{"ID", "id"}, {"Name", "name"}, {"Description", "description"}};
const std::vector<Column> kQuotaColumns = {{"ID", "id"},
                                           {"Project ID", "project_id"},
                                           {"Quota Type", "quota_type_name"},
                                           {"Allowed Value", "allowed_value"},
                                           {"High Watermark", "high_watermark"}};

// The options of setting-create and setting-update.
struct SettingOpts {
  std::string name, value, description, category, type;
  std::vector<std::string> metadata;
  bool is_public = false, is_hidden = false;
};

void AddSettingCommand(CommandTable& table, const std::string& name, const std::string& method) {
  auto o = std::make_shared<SettingOpts>();
  CLI::App* sub = table.Add(name, method == "POST" ? "Create a setting" : "Change a setting",
                            [o, method](CommandContext& c) -> Status {
                              json s = {{"name", o->name}, {"value", o->value}, {"is_public", o->is_public},
                                        {"is_hidden", o->is_hidden}};
                              if (!o->description.empty()) s["description"] = o->description;
                              if (!o->category.empty()) s["category"] = o->category;
                              if (!o->type.empty()) s["type"] = o->type;
                              if (!o->metadata.empty()) {
                                CAIRN_ASSIGN_OR_RETURN(s["metadata"], ParseKeyValues("--metadata", o->metadata));
                              }
                              CAIRN_ASSIGN_OR_RETURN(json a, c.Call(method, "/settings", json{{"settings", json::array({s})}}));
                              CAIRN_ASSIGN_OR_RETURN(json rows, CommandContext::Member(a, "settings"));
                              return c.PrintList(rows, kSettingColumns);
                            });
  sub->add_option("name", o->name, "Name of the setting")->required();
  sub->add_option("value", o->value, "Its value")->required();
  sub->add_option("--description", o->description, "What it is for");
  sub->add_option("--category", o->category, "Its category");
  sub->add_option("--type", o->type, "Its type");
  sub->add_flag("--is-public,--is_public", o->is_public, "Visible to every project");
  sub->add_flag("--is-hidden,--is_hidden", o->is_hidden, "Hidden from the list unless asked for");
  sub->add_option("--metadata", o->metadata, "key=value (repeat)");
}

// The options of policy-create and policy-update.
struct PolicyOpts {
  std::string id, name, description, interval, retention_type, retention_value, fullbackup_interval;
  std::vector<std::string> metadata;
};

void AddPolicyOptions(CLI::App* sub, const std::shared_ptr<PolicyOpts>& o) {
  sub->add_option("--display-name,--display_name,--name", o->name, "Name of the policy");
  sub->add_option("--display-description,--display_description,--description", o->description, "Its description");
  sub->add_option("--interval", o->interval, "Time between snapshots, e.g. 24hr");
  sub->add_option("--retention-policy-type,--retention_policy_type", o->retention_type,
                  "\"Number of Snapshots to Keep\" or \"Number of days to retain Snapshots\"");
  sub->add_option("--retention-policy-value,--retention_policy_value", o->retention_value, "How many (or days)");
  sub->add_option("--fullbackup-interval,--fullbackup_interval", o->fullbackup_interval,
                  "-1 only the first is full, 0 always full, N a full after N incrementals");
  sub->add_option("--metadata", o->metadata, "key=value (repeat)");
}

Result<json> PolicyBody(const PolicyOpts& o) {
  json fields = json::object();
  if (!o.interval.empty()) fields["interval"] = o.interval;
  if (!o.retention_type.empty()) fields["retention_policy_type"] = o.retention_type;
  if (!o.retention_value.empty()) fields["retention_policy_value"] = o.retention_value;
  if (!o.fullbackup_interval.empty()) fields["fullbackup_interval"] = o.fullbackup_interval;
  json p = json::object();
  if (!o.name.empty()) p["display_name"] = o.name;
  if (!o.description.empty()) p["display_description"] = o.description;
  if (!fields.empty()) p["field_values"] = fields;
  if (!o.metadata.empty()) {
    CAIRN_ASSIGN_OR_RETURN(p["metadata"], ParseKeyValues("--metadata", o.metadata));
  }
  return p;
}

Result<int64_t> ParseInt(const std::string& option, const std::string& text) {
  try {
    size_t used = 0;
    const long long v = std::stoll(text, &used);
    if (used == text.size()) return static_cast<int64_t>(v);
  } catch (...) {
  }
  return Status::InvalidArgument(option + ": '" + text + "' is not a whole number");
}

void AddSettingsAndTrusts(CommandTable& table) {
  AddSettingCommand(table, "setting-create", "POST");
  AddSettingCommand(table, "setting-update", "PUT");
  {
    auto hidden = std::make_shared<bool>(false);
    CLI::App* sub = table.Add("setting-list", "List the settings", [hidden](CommandContext& c) -> Status {
      CAIRN_ASSIGN_OR_RETURN(json a, c.Call("GET", std::string("/settings") + (*hidden ? "?get_hidden=True" : "")));
      CAIRN_ASSIGN_OR_RETURN(json rows, CommandContext::Member(a, "settings"));
      return c.PrintList(rows, kSettingColumns);
    });
    sub->add_flag("--get-hidden,--get_hidden", *hidden, "Hidden settings too");
  }
  AddShowCommand(table, "setting-show", "Show a setting", "setting_name", "/settings/", "setting");
  AddActionCommand(table, "setting-delete", "Delete a setting", "setting_name", "DELETE", "/settings/");

  {
    struct Opts {
      std::string role;
      bool cloud = false;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* sub = table.Add("trust-create", "Let Cairn act for you in scheduled snapshots (a Keystone trust)",
                              [o](CommandContext& c) -> Status {
                                CAIRN_ASSIGN_OR_RETURN(
                                    json a, c.Call("POST", "/trusts",
                                                   json{{"trusts", {{"role_name", o->role}, {"is_cloud_trust", o->cloud}}}}));
                                CAIRN_ASSIGN_OR_RETURN(json rows, CommandContext::Member(a, "trust"));
                                return c.PrintList(rows, kTrustColumns);
                              });
    sub->add_option("role_name", o->role, "The role the trust delegates (e.g. member)")->required();
    sub->add_flag("--is-cloud-trust,--is_cloud_trust", o->cloud, "A trust of the cloud administrator");
  }
  AddListCommand(table, "trust-list", "List your trusts", "/trusts", "trust", kTrustColumns);
  AddShowCommand(table, "trust-show", "Show a trust", "trust_id", "/trusts/", "trust");
  AddActionCommand(table, "trust-delete", "Delete a trust", "trust_id", "DELETE", "/trusts/");

  for (const auto& [name, path, help] :
       {std::tuple<std::string, std::string, std::string>{"get-global-job-scheduler", "",
                                                           "Whether scheduled snapshots run at all"},
        {"enable-global-job-scheduler", "/enable", "Let scheduled snapshots run (admin)"},
        {"disable-global-job-scheduler", "/disable", "Stop every scheduled snapshot (admin)"}}) {
    const std::string suffix = path;
    table.Add(name, help, [suffix](CommandContext& c) -> Status {
      CAIRN_ASSIGN_OR_RETURN(json a, c.Call(suffix.empty() ? "GET" : "POST", "/global_job_scheduler" + suffix));
      return c.PrintObject(a);
    });
  }
}

void AddPoliciesAndQuotas(CommandTable& table) {
  {
    auto o = std::make_shared<PolicyOpts>();
    CLI::App* sub = table.Add("policy-create", "Create a workload policy (admin)", [o](CommandContext& c) -> Status {
      if (o->name.empty()) return Status::InvalidArgument("--display-name: a policy needs a name");
      CAIRN_ASSIGN_OR_RETURN(json p, PolicyBody(*o));
      if (!p.contains("field_values")) p["field_values"] = json::object();
      CAIRN_ASSIGN_OR_RETURN(json a, c.Call("POST", "/workload_policy", json{{"workload_policy", p}}));
      CAIRN_ASSIGN_OR_RETURN(json created, CommandContext::Member(a, "policy"));
      return c.PrintObject(created);
    });
    AddPolicyOptions(sub, o);
  }
  {
    auto o = std::make_shared<PolicyOpts>();
    CLI::App* sub = table.Add("policy-update", "Change a workload policy (admin)", [o](CommandContext& c) -> Status {
      CAIRN_ASSIGN_OR_RETURN(json p, PolicyBody(*o));
      if (p.empty()) return Status::InvalidArgument("nothing to change: give --display-name, --interval, ...");
      CAIRN_ASSIGN_OR_RETURN(json a, c.Call("PUT", "/workload_policy/" + UrlEncode(o->id), json{{"policy", p}}));
      CAIRN_ASSIGN_OR_RETURN(json updated, CommandContext::Member(a, "policy"));
      return c.PrintObject(updated);
    });
    sub->add_option("policy_id", o->id, "ID of the policy")->required();
    AddPolicyOptions(sub, o);
  }
  AddListCommand(table, "policy-list", "List the workload policies", "/workload_policy", "policy_list", kPolicyColumns);
  AddShowCommand(table, "policy-show", "Show a workload policy", "policy_id", "/workload_policy/", "policy");
  AddActionCommand(table, "policy-delete", "Delete a workload policy (admin)", "policy_id", "DELETE", "/workload_policy/");
  {
    struct Opts {
      std::string id;
      std::vector<std::string> add, remove;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* sub = table.Add("policy-assign", "Assign a policy to projects, or take it away (admin)",
                              [o](CommandContext& c) -> Status {
                                if (o->add.empty() && o->remove.empty()) {
                                  return Status::InvalidArgument("give --add_project or --remove_project");
                                }
                                CAIRN_ASSIGN_OR_RETURN(
                                    json a, c.Call("POST", "/workload_policy/" + UrlEncode(o->id) + "/assign",
                                                   json{{"policy", {{"add_projects", o->add}, {"remove_projects", o->remove}}}}));
                                return c.PrintObject(a);
                              });
    sub->add_option("policy_id", o->id, "ID of the policy")->required();
    sub->add_option("--add-project,--add_project", o->add, "Project to assign it to (repeat)");
    sub->add_option("--remove-project,--remove_project", o->remove, "Project to take it from (repeat)");
  }
  {
    auto project = std::make_shared<std::string>();
    CLI::App* sub = table.Add("policy-list-assigned-policies", "The policies assigned to a project",
                              [project](CommandContext& c) -> Status {
                                CAIRN_ASSIGN_OR_RETURN(json a,
                                                       c.Call("GET", "/workload_policy/assigned/" + UrlEncode(*project)));
                                CAIRN_ASSIGN_OR_RETURN(json rows, CommandContext::Member(a, "policies"));
                                return c.PrintList(rows, {{"Policy ID", "policy_id"}, {"Name", "policy_name"},
                                                          {"Project ID", "project_id"}});
                              });
    sub->add_option("project_id", *project, "ID of the project")->required();
  }

  AddListCommand(table, "project-quota-type-list", "List the quota types", "/project_quota_types", "quota_types",
          kQuotaTypeColumns);
  AddShowCommand(table, "project-quota-type-show", "Show a quota type", "quota_type_id", "/project_quota_types/", "quota_type");
  {
    struct Opts {
      std::string project, type, allowed, watermark;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* sub = table.Add("project-allowed-quota-create", "Set a project's quota (admin)",
                              [o](CommandContext& c) -> Status {
                                CAIRN_ASSIGN_OR_RETURN(int64_t allowed, ParseInt("--allowed-value", o->allowed));
                                int64_t watermark = allowed;
                                if (!o->watermark.empty()) {
                                  CAIRN_ASSIGN_OR_RETURN(watermark, ParseInt("--high-watermark", o->watermark));
                                }
                                json q = {{"project_id", o->project},
                                          {"quota_type_id", o->type},
                                          {"allowed_value", allowed},
                                          {"high_watermark", watermark}};
                                CAIRN_ASSIGN_OR_RETURN(json a, c.Call("POST", "/project_allowed_quotas/" + UrlEncode(o->project),
                                                                      json{{"allowed_quotas", json::array({q})}}));
                                CAIRN_ASSIGN_OR_RETURN(json rows, CommandContext::Member(a, "allowed_quotas"));
                                return c.PrintList(rows, kQuotaColumns);
                              });
    sub->add_option("--project-id,--project_id", o->project, "The project")->required();
    sub->add_option("--quota-type-id,--quota_type_id", o->type, "The quota type (project-quota-type-list)")->required();
    sub->add_option("--allowed-value,--allowed_value", o->allowed, "The limit")->required();
    sub->add_option("--high-watermark,--high_watermark", o->watermark, "Warn from here (default: the limit)");
  }
  {
    auto project = std::make_shared<std::string>();
    CLI::App* sub = table.Add("project-allowed-quota-list", "List a project's quotas", [project](CommandContext& c) -> Status {
      CAIRN_ASSIGN_OR_RETURN(json a, c.Call("GET", "/project_allowed_quotas/" + UrlEncode(*project)));
      CAIRN_ASSIGN_OR_RETURN(json rows, CommandContext::Member(a, "allowed_quotas"));
      return c.PrintList(rows, kQuotaColumns);
    });
    sub->add_option("project_id", *project, "ID of the project")->required();
  }
  AddShowCommand(table, "project-allowed-quota-show", "Show a quota", "quota_id", "/project_allowed_quota/", "allowed_quotas");
  {
    struct Opts {
      std::string id, allowed, watermark;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* sub = table.Add("project-allowed-quota-update", "Change a quota (admin)", [o](CommandContext& c) -> Status {
      json q = json::object();
      if (!o->allowed.empty()) {
        CAIRN_ASSIGN_OR_RETURN(int64_t v, ParseInt("--allowed-value", o->allowed));
        q["allowed_value"] = v;
      }
      if (!o->watermark.empty()) {
        CAIRN_ASSIGN_OR_RETURN(int64_t v, ParseInt("--high-watermark", o->watermark));
        q["high_watermark"] = v;
      }
      if (q.empty()) return Status::InvalidArgument("nothing to change: give --allowed-value or --high-watermark");
      CAIRN_ASSIGN_OR_RETURN(json a, c.Call("PUT", "/update_allowed_quota/" + UrlEncode(o->id), json{{"allowed_quotas", q}}));
      CAIRN_ASSIGN_OR_RETURN(json updated, CommandContext::Member(a, "allowed_quotas"));
      return c.PrintObject(updated);
    });
    sub->add_option("quota_id", o->id, "ID of the quota")->required();
    sub->add_option("--allowed-value,--allowed_value", o->allowed, "The limit");
    sub->add_option("--high-watermark,--high_watermark", o->watermark, "Warn from here");
  }
  AddActionCommand(table, "project-allowed-quota-delete", "Delete a quota (admin)", "quota_id", "DELETE", "/project_allowed_quotas/");
}

void AddMetrics(CommandTable& table) {
  AddListCommand(table, "workload-get-nodes", "The datamover nodes and whether they are up (admin)",
          "/workloads/metrics/nodes", "nodes",
          {{"Node", "node"}, {"Status", "status"}, {"Enabled", "is_enabled"}, {"Version", "version"},
           {"Last Heartbeat", "last_heartbeat"}});
  AddListCommand(table, "workload-get-storage-usage", "Usage of the backup target (admin)", "/workloads/metrics/storage_usage",
          "storage_usage",
          {{"Storage Type", "storage_type"}, {"Total", "total_capacity_humanized"}, {"Used", "total_utilization_humanized"},
           {"Snapshots", "snapshots"}});
  {
    auto o = std::make_shared<std::string>();
    CLI::App* sub = table.Add("workload-get-auditlog", "What was done, by whom (admin)", [o](CommandContext& c) -> Status {
      CAIRN_ASSIGN_OR_RETURN(json a, c.Call("GET", "/workloads/audit/auditlog" +
                                                      (o->empty() ? std::string() : "?time_in_minutes=" + UrlEncode(*o))));
      CAIRN_ASSIGN_OR_RETURN(json rows, CommandContext::Member(a, "auditlog"));
      return c.PrintList(rows, {{"Timestamp", "timestamp"}, {"User", "user_name"}, {"Project", "project_id"},
                                {"Action", "action"}, {"Object", "object_id"}});
    });
    sub->add_option("--time-in-minutes,--time_in_minutes", *o, "Only the last N minutes");
  }
  {
    struct Opts {
      std::string node, reason;
      bool enable = false, disable = false;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* sub = table.Add("workload-service-update", "Enable or disable a datamover node (admin)",
                              [o](CommandContext& c) -> Status {
                                if (o->enable == o->disable) return Status::InvalidArgument("give --enable or --disable");
                                json body = {{"node_name", o->node}, {"status", o->enable ? 1 : 0}};
                                if (!o->reason.empty()) body["reason"] = o->reason;
                                CAIRN_ASSIGN_OR_RETURN(json a, c.Call("POST", "/workloads/service/update", body));
                                return c.PrintObject(a);
                              });
    sub->add_option("node_name", o->node, "The node (workload-get-nodes)")->required();
    sub->add_flag("--enable", o->enable, "Take disk tasks again");
    sub->add_flag("--disable", o->disable, "Take no new disk tasks");
    sub->add_option("--reason", o->reason, "Why (shown with the node)");
  }
  {
    struct Opts {
      std::vector<std::string> workloads, old_projects;
      std::string new_project, user;
      bool migrate = false;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* sub = table.Add("workload-reassign-workloads", "Move workloads to another project and user (admin)",
                              [o](CommandContext& c) -> Status {
                                if (o->workloads.empty() && o->old_projects.empty()) {
                                  return Status::InvalidArgument("give --workload_ids or --old_tenant_ids");
                                }
                                json entry = {{"workload_ids", o->workloads},
                                              {"old_tenant_ids", o->old_projects},
                                              {"new_tenant_id", o->new_project},
                                              {"user_id", o->user},
                                              {"migrate_cloud", o->migrate}};
                                CAIRN_ASSIGN_OR_RETURN(json a, c.Call("POST", "/workloads/reasign_workloads", json::array({entry})));
                                CAIRN_ASSIGN_OR_RETURN(json w, CommandContext::Member(a, "workloads"));
                                return c.PrintObject(w);
                              });
    sub->add_option("--workload-ids,--workload_ids", o->workloads, "Workload to move (repeat)");
    sub->add_option("--old-tenant-ids,--old_tenant_ids", o->old_projects, "Move every workload of this project (repeat)");
    sub->add_option("--new-tenant-id,--new_tenant_id", o->new_project, "The project they move to")->required();
    sub->add_option("--user-id,--user_id", o->user, "Their new owner")->required();
    sub->add_flag("--migrate-cloud,--migrate_cloud", o->migrate, "They come from another cloud");
  }
}

}  // namespace

void AddAdminCommands(CommandTable& table) {
  AddSettingsAndTrusts(table);
  AddPoliciesAndQuotas(table);
  AddMetrics(table);
}

}  // namespace cairn::cli
