#include "manage/target_commands.h"

#include "target/directory_probe.h"
#include "target/identity.h"
#include "target/store.h"

namespace cairn::manage {
namespace {

void PrintIdentity(const target::TargetIdentity& identity, std::ostream& out) {
  out << "target id: " << identity.id << "\n"
      << "layout version: " << identity.layout_version << "\n"
      << "created: " << identity.created_at << " by " << identity.created_by << "\n";
}

}  // namespace

Status TargetInit(const TargetInitOptions& options, std::ostream& out) {
  CAIRN_RETURN_IF_ERROR(target::CheckIsDirectory(options.path));
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<target::Store> store, target::OpenPosixStore(options.path));
  Result<target::TargetIdentity> existing = target::ReadTargetIdentity(*store);
  if (existing.ok()) {
    out << options.path << " is already initialised\n";
    PrintIdentity(*existing, out);
    return Status::OK();
  }
  if (existing.status().code() != ErrorCode::kUnavailable) return existing.status();
  CAIRN_ASSIGN_OR_RETURN(bool mount_point, target::IsMountPoint(options.path));
  if (!mount_point && !options.local) {
    return Status::InvalidArgument(
        options.path + " is not a mount point: if the target's share should be mounted there, mount it and run "
                       "this again; if the target is a directory on this host's own disks, pass --local");
  }
  CAIRN_ASSIGN_OR_RETURN(std::vector<std::string> entries, store->List(""));
  size_t workloads = 0;
  for (const auto& name : entries) {
    if (name.starts_with("workload_")) ++workloads;
  }
  CAIRN_ASSIGN_OR_RETURN(target::TargetIdentity made,
                         target::InitTargetIdentity(*store, options.host + " cairn-manage target init"));
  out << "initialised " << options.path << (mount_point ? " (a mount point)" : " (a local directory)") << "\n";
  PrintIdentity(made, out);
  if (workloads > 0) out << workloads << " workload(s) already on the target are kept\n";
  return Status::OK();
}

Status TargetShow(const std::string& path, std::ostream& out) {
  CAIRN_RETURN_IF_ERROR(target::CheckIsDirectory(path));
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<target::Store> store, target::OpenPosixStore(path));
  CAIRN_ASSIGN_OR_RETURN(target::TargetIdentity identity, target::ReadTargetIdentity(*store));
  out << path << "\n";
  PrintIdentity(identity, out);
  return Status::OK();
}

}  // namespace cairn::manage
