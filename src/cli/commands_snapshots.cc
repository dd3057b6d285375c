// snapshot-*: the snapshots of workloads, and the restores started from one.
#include "cli/command.h"

namespace cairn::cli {
namespace {

const std::vector<Column> kSnapshotColumns = {{"ID", "id"},
                                              {"Name", "name"},
                                              {"Workload ID", "workload_id"},
                                              {"Type", "snapshot_type"},
                                              {"Status", "status"},
                                              {"Created At", "created_at"},
                                              {"Size", "size"}};

struct RestoreOpts {
  std::string snapshot_id, name, description, filename;
  bool wait = false;
};

void AddRestoreOptions(CLI::App* sub, const std::shared_ptr<RestoreOpts>& o) {
  sub->add_option("snapshot_id", o->snapshot_id, "ID of the snapshot")->required();
  sub->add_option("--display-name,--display_name,--name", o->name, "Name of the restore");
  sub->add_option("--display-description,--display_description,--description", o->description,
                  "Description of the restore");
  sub->add_flag("--wait", o->wait, "Wait until it is done, showing its progress");
}

// The options of a selective or in-place restore from --filename: the
// options object itself ({"openstack": {...}, ...}), or a whole
// {"restore": {"options": ...}} body.
Result<json> OptionsFromFile(const std::string& path, const std::string& restore_type) {
  CAIRN_ASSIGN_OR_RETURN(json file, ReadJsonFile("--filename", path));
  json options = file;
  if (file.contains("restore") && file["restore"].is_object()) options = file["restore"].value("options", json::object());
  if (!options.is_object() || !options.contains("openstack") || !options["openstack"].is_object()) {
    return Status::InvalidArgument("--filename: '" + path +
                                   "' needs an \"openstack\" object (instances, networks_mapping), "
                                   "see docs/user-guide.md");
  }
  options["type"] = "openstack";
  options["restore_type"] = restore_type;
  options["oneclickrestore"] = false;
  return options;
}

// Starts a restore of `o.snapshot_id` with `options` and prints it (after
// waiting for it with --wait).
Status StartRestore(CommandContext& c, const RestoreOpts& o, json options) {
  CAIRN_ASSIGN_OR_RETURN(json a, c.Call("GET", "/snapshots/" + UrlEncode(o.snapshot_id)));
  CAIRN_ASSIGN_OR_RETURN(json snapshot, CommandContext::Member(a, "snapshot"));
  const std::string wid = snapshot.value("workload_id", "");
  json restore = {{"options", std::move(options)}};
  restore["name"] = o.name.empty() ? "restore" : o.name;
  restore["description"] = o.description;
  const std::string under = "/workloads/" + UrlEncode(wid) + "/snapshots/" + UrlEncode(o.snapshot_id) + "/restores";
  CAIRN_ASSIGN_OR_RETURN(json r, c.Call("POST", under, json{{"restore", restore}}));
  CAIRN_ASSIGN_OR_RETURN(json created, CommandContext::Member(r, "restore"));
  if (o.wait) {
    CAIRN_ASSIGN_OR_RETURN(created, c.Wait(under + "/" + UrlEncode(created.value("id", "")), "restore"));
  }
  return c.PrintObject(created);
}

}  // namespace

void AddSnapshotCommands(CommandTable& table) {
  {
    struct Opts {
      std::string workload_id, date_from, date_to;
      bool all = false;
    };
    auto o = std::make_shared<Opts>();
    CLI::App* sub = table.Add("snapshot-list", "List snapshots", [o](CommandContext& c) -> Status {
      std::string query;
      auto add = [&](const std::string& k, const std::string& v) {
        if (!v.empty()) query += (query.empty() ? "?" : "&") + k + "=" + UrlEncode(v);
      };
      add("workload_id", o->workload_id);
      add("date_from", o->date_from);
      add("date_to", o->date_to);
      if (o->all) add("all", "True");
      CAIRN_ASSIGN_OR_RETURN(json rows, c.ListAll("/snapshots/detail" + query, "snapshots"));
      return c.PrintList(rows, kSnapshotColumns);
    });
    sub->add_option("--workload-id,--workload_id", o->workload_id, "Snapshots of this workload only");
    sub->add_option("--date-from,--date_from", o->date_from, "Taken at or after (YYYY-MM-DDTHH:MM:SS)");
    sub->add_option("--date-to,--date_to", o->date_to, "Taken at or before");
    sub->add_flag("--all", o->all, "Snapshots of every project (admin)");
  }
  AddShowCommand(table, "snapshot-show", "Show a snapshot and its VMs", "snapshot_id", "/snapshots/", "snapshot");
  AddActionCommand(table, "snapshot-delete", "Delete a snapshot (later snapshots stay restorable)", "snapshot_id",
                   "DELETE", "/snapshots/");
  AddActionCommand(table, "snapshot-cancel", "Cancel a running snapshot", "snapshot_id", "GET", "/snapshots/",
                   "/cancel");
  {
    auto o = std::make_shared<RestoreOpts>();
    CLI::App* sub = table.Add("snapshot-oneclick-restore", "Rebuild every VM of a snapshot as it was",
                              [o](CommandContext& c) {
                                json options = {{"type", "openstack"},
                                                {"oneclickrestore", true},
                                                {"restore_type", "oneclick"},
                                                {"openstack", {{"instances", json::array()}, {"zone", ""}}}};
                                return StartRestore(c, *o, std::move(options));
                              });
    AddRestoreOptions(sub, o);
  }
  for (const auto& [name, type, help] :
       {std::tuple<std::string, std::string, std::string>{
            "snapshot-selective-restore", "selective",
            "Restore chosen VMs with new names, flavors, networks or volume types (--filename)"},
        {"snapshot-inplace-restore", "inplace", "Write a snapshot's data back into the existing disks (--filename)"}}) {
    auto o = std::make_shared<RestoreOpts>();
    const std::string restore_type = type;
    CLI::App* sub = table.Add(name, help, [o, restore_type](CommandContext& c) -> Status {
      CAIRN_ASSIGN_OR_RETURN(json options, OptionsFromFile(o->filename, restore_type));
      return StartRestore(c, *o, std::move(options));
    });
    AddRestoreOptions(sub, o);
    sub->add_option("--filename", o->filename, "JSON or YAML file with the restore options")->required();
  }
}

}  // namespace cairn::cli
