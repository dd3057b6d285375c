// restore-*: the restores of snapshots.
#include "cli/command.h"

namespace cairn::cli {
namespace {

const std::vector<Column> kRestoreColumns = {{"ID", "id"},         {"Name", "name"},
                                             {"Snapshot ID", "snapshot_id"}, {"Type", "restore_type"},
                                             {"Status", "status"}, {"Created At", "created_at"},
                                             {"Size", "size"}};

}  // namespace

void AddRestoreCommands(CommandTable& table) {
  {
    auto snapshot = std::make_shared<std::string>();
    CLI::App* sub = table.Add("restore-list", "List restores", [snapshot](CommandContext& c) -> Status {
      const std::string path =
          "/restores/detail" + (snapshot->empty() ? std::string() : "?snapshot_id=" + UrlEncode(*snapshot));
      CAIRN_ASSIGN_OR_RETURN(json rows, c.ListAll(path, "restores"));
      return c.PrintList(rows, kRestoreColumns);
    });
    sub->add_option("--snapshot-id,--snapshot_id", *snapshot, "Restores of this snapshot only");
  }
  AddShowCommand(table, "restore-show", "Show a restore and the VMs it made", "restore_id", "/restores/", "restore");
  AddActionCommand(table, "restore-delete", "Delete the record of a restore (the VMs it made stay)", "restore_id",
                   "DELETE", "/restores/");
  AddActionCommand(table, "restore-cancel", "Cancel a running restore (what it built is removed)", "restore_id", "GET",
                   "/restores/", "/cancel");
}

}  // namespace cairn::cli
