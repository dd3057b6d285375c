#include "control/workload_import.h"

#include <algorithm>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "common/json_input.h"
#include "common/log.h"
#include "datamover/catalog.h"
#include "db/snapshot_repository.h"
#include "db/workload_repository.h"
#include "control/target_metadata.h"
#include "target/identity.h"
#include "target/layout.h"

namespace cairn::control {
namespace {

using nlohmann::json;
namespace layout = target::layout;
namespace ss = db::snapshot_status;

constexpr std::string_view kWorkloadPrefix = "workload_";
constexpr std::string_view kSnapshotPrefix = "snapshot_";
constexpr std::string_view kVmPrefix = "vm_id_";
constexpr size_t kMaxJsonNesting = 64;

// The id after `prefix` in a directory name, or "" when the name has another shape.
std::string IdAfter(std::string_view name, std::string_view prefix) {
  if (name.size() <= prefix.size() || name.substr(0, prefix.size()) != prefix) return "";
  std::string id(name.substr(prefix.size()));
  return layout::ValidateId("id", id).ok() ? id : "";
}

Result<json> ReadJsonFile(target::Store& store, const std::string& path) {
  CAIRN_ASSIGN_OR_RETURN(std::string text, store.ReadSmall(path, 16 << 20));
  if (JsonNestsDeeperThan(text, kMaxJsonNesting)) {
    return Status::InvalidArgument(path + " nests deeper than " + std::to_string(kMaxJsonNesting) + " levels");
  }
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return Status::InvalidArgument(path + " is not valid JSON");
  return value;
}

// The workload of directory workload_<id>: workload_db, with the VM list of
// workload_vms_db when there is one.
Result<db::Workload> ReadWorkload(target::Store& store, const std::string& id) {
  CAIRN_ASSIGN_OR_RETURN(json value, ReadJsonFile(store, layout::WorkloadDb(id)));
  Result<db::Workload> w = WorkloadFromJson(value);
  if (!w.ok()) return w.status().WithContext(layout::WorkloadDb(id));
  if (w->id != id) return Status::InvalidArgument(layout::WorkloadDb(id) + " describes workload " + w->id);
  CAIRN_ASSIGN_OR_RETURN(bool has_vms, store.Exists(layout::WorkloadVmsDb(id)));
  if (has_vms) {
    CAIRN_ASSIGN_OR_RETURN(json vms, ReadJsonFile(store, layout::WorkloadVmsDb(id)));
    Result<db::Workload> with_vms = WorkloadFromJson(json{{"id", id}, {"instances", vms}});
    if (!with_vms.ok()) return with_vms.status().WithContext(layout::WorkloadVmsDb(id));
    w->vms = std::move(with_vms->vms);
  }
  return w;
}

// The snapshot directories of a workload: snapshot ids, sorted.
Result<std::vector<std::string>> SnapshotIds(target::Store& store, const std::string& workload_id) {
  CAIRN_ASSIGN_OR_RETURN(std::vector<std::string> entries, store.List(layout::WorkloadDir(workload_id)));
  std::vector<std::string> ids;
  for (const auto& name : entries) {
    if (std::string id = IdAfter(name, kSnapshotPrefix); !id.empty()) ids.push_back(id);
  }
  return ids;
}

// One disk backup as the target holds it: its row (path and size from the
// image), and the store path of the image its image is backed by.
struct TargetDisk {
  db::SnapshotDisk row;
  std::optional<std::string> backing;  // nullopt: a standalone (full) image
};

// A snapshot as the target holds it, checked.
struct TargetSnapshot {
  db::Snapshot snapshot;
  std::vector<db::SnapshotVm> vms;
  std::vector<TargetDisk> disks;
};

Result<db::Snapshot> ReadSnapshotDb(target::Store& store, const std::string& workload_id, const std::string& id) {
  CAIRN_ASSIGN_OR_RETURN(json value, ReadJsonFile(store, layout::SnapshotDb(workload_id, id)));
  Result<db::Snapshot> s = SnapshotFromJson(value);
  if (!s.ok()) return s.status().WithContext(layout::SnapshotDb(workload_id, id));
  if (s->id != id || s->workload_id != workload_id) {
    return Status::InvalidArgument("snapshot_db describes snapshot " + s->id + " of workload " + s->workload_id);
  }
  return s;
}

// One disk of a snapshot: its disk_db checked against the published backup
// beside it, with the path of the image's backing file.
Result<TargetDisk> ReadDisk(target::Store& store, const db::Snapshot& s, const std::string& vm_id,
                                  const std::string& dir_name) {
  std::string resource, device;
  if (!layout::ParseDiskDirName(dir_name, resource, device)) {
    return Status::InvalidArgument("unexpected directory " + dir_name + " in VM " + vm_id);
  }
  const std::string dir = layout::DiskDir(s.workload_id, s.id, vm_id, resource, device);
  CAIRN_ASSIGN_OR_RETURN(json value, ReadJsonFile(store, layout::DiskDb(dir)));
  Result<db::SnapshotDisk> disk = SnapshotDiskFromJson(value);
  if (!disk.ok()) return disk.status().WithContext(layout::DiskDb(dir));
  if (disk->vm_id != vm_id || disk->device != device || disk->resource_id != resource) {
    return Status::InvalidArgument(layout::DiskDb(dir) + " describes disk " + disk->device + " of VM " + disk->vm_id);
  }
  CAIRN_ASSIGN_OR_RETURN(datamover::DiskBackup backup,
                         datamover::FindDiskBackup(store, {s.workload_id, s.id, vm_id, device}));
  if (backup.image_id != disk->id) {
    return Status::InvalidArgument(layout::DiskDb(dir) + " names image " + disk->id + ", the directory holds " +
                                   backup.image_id);
  }
  // Through the store first: it refuses symbolic links inside the tree.
  CAIRN_ASSIGN_OR_RETURN(auto file, store.OpenForRead(backup.image_path()));
  CAIRN_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  Result<std::unique_ptr<qcow2::Disk>> image = datamover::OpenBackupImage(store, backup, /*follow_backing=*/false);
  if (!image.ok()) return image.status().WithContext("image " + backup.image_path());
  CAIRN_ASSIGN_OR_RETURN(std::optional<std::string> backing, datamover::BackingImagePath(store, backup.image_path()));
  disk->snapshot_id = s.id;
  disk->path = backup.image_path();
  disk->size = static_cast<int64_t>(size);
  disk->status = "available";
  disk->parent_disk_snapshot_id.reset();  // set from `backing` once the parent is known
  if (backing) {
    const std::string prefix = layout::WorkloadDir(s.workload_id) + "/";
    if (backing->compare(0, prefix.size(), prefix) != 0) {
      return Status::InvalidArgument("image " + backup.image_path() + " is backed by " + *backing +
                                     ", outside its workload");
    }
  }
  return TargetDisk{.row = std::move(*disk), .backing = std::move(backing)};
}

// Reads and checks one snapshot: its snapshot_db says available and every
// disk directory holds a published, openable backup.
Result<TargetSnapshot> ReadSnapshot(target::Store& store, const std::string& workload_id, const std::string& id) {
  TargetSnapshot out;
  CAIRN_ASSIGN_OR_RETURN(out.snapshot, ReadSnapshotDb(store, workload_id, id));
  db::Snapshot& s = out.snapshot;
  if (s.status == ss::kMounted) s.status = std::string(ss::kAvailable);
  if (s.status != ss::kAvailable) {
    return Status::Conflict("its snapshot_db says " + s.status + ", not available");
  }
  CAIRN_ASSIGN_OR_RETURN(json vms, ReadJsonFile(store, layout::SnapshotVmsDb(workload_id, id)));
  if (!vms.is_array()) return Status::InvalidArgument(layout::SnapshotVmsDb(workload_id, id) + " is not a list");
  for (const json& item : vms) {
    Result<db::SnapshotVm> vm = SnapshotVmFromJson(item);
    if (!vm.ok()) return vm.status().WithContext(layout::SnapshotVmsDb(workload_id, id));
    vm->snapshot_id = id;
    out.vms.push_back(std::move(*vm));
  }
  CAIRN_ASSIGN_OR_RETURN(std::vector<std::string> entries, store.List(layout::SnapshotDir(workload_id, id)));
  for (const auto& name : entries) {
    const std::string vm_id = IdAfter(name, kVmPrefix);
    if (vm_id.empty()) continue;
    CAIRN_ASSIGN_OR_RETURN(std::vector<std::string> disk_dirs, store.List(layout::VmDir(workload_id, id, vm_id)));
    for (const auto& dir_name : disk_dirs) {
      CAIRN_ASSIGN_OR_RETURN(TargetDisk disk, ReadDisk(store, s, vm_id, dir_name));
      out.disks.push_back(std::move(disk));
    }
  }
  if (out.disks.empty()) return Status::Conflict("it has no disk backups");
  if (out.vms.empty()) return Status::Conflict("its snapshot_vms_db lists no VM");
  for (const auto& vm : out.vms) {
    const bool has_disk = std::any_of(out.disks.begin(), out.disks.end(),
                                      [&](const TargetDisk& d) { return d.row.vm_id == vm.vm_id; });
    if (!has_disk) return Status::Conflict("VM " + vm.vm_id + " has no disk backups");
  }
  for (const auto& d : out.disks) {
    const bool listed = std::any_of(out.vms.begin(), out.vms.end(),
                                    [&](const db::SnapshotVm& vm) { return vm.vm_id == d.row.vm_id; });
    if (!listed) return Status::Conflict("disk " + d.row.device + " belongs to VM " + d.row.vm_id +
                                         ", which its snapshot_vms_db does not list");
  }
  int64_t size = 0;
  for (const auto& d : out.disks) size += d.row.size;
  s.size = size;
  s.progress_percent = 100;
  s.progress_msg = "imported from the backup target";
  return out;
}

// The project a workload the target names as `on_target` is recorded in:
// refused when the request does not select it, mapped as the request says,
// and confirmed to exist.
Result<std::string> DestinationProject(const ImportRequest& request, const ProjectExists& project_exists,
                                       const std::string& on_target) {
  if (!request.Selects(on_target)) {
    return Status::PermissionDenied("its project " + on_target + " is not among the requested project_ids");
  }
  auto mapped = request.project_mapping.find(on_target);
  const std::string project = mapped == request.project_mapping.end() ? on_target : mapped->second;
  Status exists = project_exists(project);
  if (exists.IsNotFound()) {
    if (mapped != request.project_mapping.end()) {
      return Status::NotFound("project " + project + " (mapped from " + on_target + ") does not exist in Keystone");
    }
    return Status::NotFound("its project " + project +
                            " does not exist in Keystone (map it to another with project_mapping)");
  }
  if (!exists.ok()) return exists.WithContext("checking project " + project);
  return project;
}

// The owner of a workload to import: a live row's (the database's owner
// stands; the filter still applies), else DestinationProject's, set in `w`
// and `result`.
Status ChooseProject(const ImportRequest& request, const ProjectExists& project_exists, const db::Workload* live_row,
                     db::Workload& w, WorkloadImportResult& result) {
  if (live_row != nullptr) {
    if (!request.Selects(live_row->project_id)) {
      return Status::PermissionDenied("its project " + live_row->project_id +
                                      " is not among the requested project_ids");
    }
    result.project_id = live_row->project_id;
    result.user_id = live_row->user_id;
    return Status::OK();
  }
  CAIRN_ASSIGN_OR_RETURN(std::string project, DestinationProject(request, project_exists, w.project_id));
  if (project != w.project_id) {
    result.project_id_on_target = w.project_id;
    result.project_id = project;
    w.project_id = std::move(project);
  }
  return Status::OK();
}

// The snapshots of a workload the database records (deleted ones too) and
// the images of its live ones, by store path: what the target's snapshots
// may be backed by already (an upgrade).
struct RecordedBackups {
  std::map<std::string, std::string> images;  // image path -> disk id
  std::set<std::string> snapshots;
};

Result<RecordedBackups> ReadRecordedBackups(db::SnapshotRepository& snapshots, const std::string& workload_id) {
  RecordedBackups out;
  db::SnapshotFilter f;
  f.workload_id = workload_id;
  f.include_deleted = true;
  CAIRN_ASSIGN_OR_RETURN(std::vector<db::Snapshot> recorded, snapshots.List(f));
  for (const auto& s : recorded) {
    out.snapshots.insert(s.id);
    if (s.deleted) continue;
    CAIRN_ASSIGN_OR_RETURN(std::vector<db::SnapshotDisk> disks, snapshots.ListDisks(s.id));
    for (const auto& d : disks) out.images[d.path] = d.id;
  }
  return out;
}

// The target's snapshots of the workload the database does not record, as
// `owner` (project and user) owns them; those that cannot be read are
// skipped in `result`.
Result<std::vector<TargetSnapshot>> ReadNewSnapshots(target::Store& store, const std::string& workload_id,
                                                     const std::set<std::string>& recorded, const db::Workload& owner,
                                                     WorkloadImportResult& result) {
  std::vector<TargetSnapshot> pending;
  CAIRN_ASSIGN_OR_RETURN(std::vector<std::string> ids, SnapshotIds(store, workload_id));
  for (const auto& id : ids) {
    if (recorded.count(id) != 0) continue;
    Result<TargetSnapshot> s = ReadSnapshot(store, workload_id, id);
    if (!s.ok()) {
      result.skipped.push_back("snapshot " + id + ": " + s.status().message());
      continue;
    }
    s->snapshot.project_id = owner.project_id;
    s->snapshot.user_id = owner.user_id;
    pending.push_back(std::move(*s));
  }
  return pending;
}

// Skips (in `result`) the snapshots of `pending` with a disk id recorded for
// another snapshot: it is not taken over (those of the deleted workload this
// import replaces, when `replaces_deleted`, go with it).
void DropTakenDisks(db::SnapshotRepository& snapshots, const std::string& workload_id, bool replaces_deleted,
                    std::vector<TargetSnapshot>& pending, WorkloadImportResult& result) {
  for (auto it = pending.begin(); it != pending.end();) {
    std::string taken;
    for (const auto& d : it->disks) {
      auto other = snapshots.GetDisk(d.row.id);
      if (!other.ok()) continue;
      auto owner = snapshots.Get(other->snapshot_id, /*include_deleted=*/true);
      if (replaces_deleted && owner.ok() && owner->workload_id == workload_id) continue;
      taken = "disk image " + d.row.id + " is already recorded for snapshot " + other->snapshot_id;
      break;
    }
    if (taken.empty()) {
      ++it;
    } else {
      result.skipped.push_back("snapshot " + it->snapshot.id + ": " + taken);
      it = pending.erase(it);
    }
  }
}

// The snapshots of `pending` to import, parents before children, by the
// backing chains themselves: each pass takes the snapshots whose backing
// images are all known (`known_images`, which grows with them; each disk's
// parent is set from it). Those left are skipped in `result`, naming the
// image they miss.
std::vector<TargetSnapshot> OrderByChains(std::vector<TargetSnapshot> pending,
                                          std::map<std::string, std::string>& known_images,
                                          WorkloadImportResult& result) {
  std::vector<TargetSnapshot> chosen;
  for (bool progress = true; progress && !pending.empty();) {
    progress = false;
    for (auto it = pending.begin(); it != pending.end();) {
      const bool ready = std::all_of(it->disks.begin(), it->disks.end(), [&](const TargetDisk& d) {
        return !d.backing || known_images.count(*d.backing) != 0;
      });
      if (!ready) {
        ++it;
        continue;
      }
      for (auto& d : it->disks) {
        if (d.backing) d.row.parent_disk_snapshot_id = known_images[*d.backing];
        known_images[d.row.path] = d.row.id;
      }
      chosen.push_back(std::move(*it));
      it = pending.erase(it);
      progress = true;
    }
  }
  for (const auto& s : pending) {
    for (const auto& d : s.disks) {
      if (d.backing && known_images.count(*d.backing) == 0) {
        result.skipped.push_back("snapshot " + s.snapshot.id + ": disk " + d.row.device + " of VM " + d.row.vm_id +
                                 " is backed by " + *d.backing + ", which no imported snapshot has");
        break;
      }
    }
  }
  return chosen;
}

// A workload new to the database as it will be recorded: available, its
// schedule disabled (said in `result` when it was enabled: the trust it ran
// with is not on this cloud), its storage use that of `chosen`.
void PrepareNewWorkload(db::WorkloadRepository& workloads, const std::vector<TargetSnapshot>& chosen,
                        db::Workload& w, WorkloadImportResult& result) {
  w.status = std::string(db::workload_status::kAvailable);
  w.host.clear();
  w.secret_uuid.clear();
  if (!workloads.GetType(w.workload_type_id).ok()) w.workload_type_id = std::string(db::kParallelWorkloadTypeId);
  if (!w.jobschedule.is_object()) w.jobschedule = json::object();
  const json* enabled = FindMember(w.jobschedule, "enabled");
  const Result<bool> was_enabled = enabled ? ReadBool(*enabled, "enabled") : Result<bool>(false);
  if (!was_enabled.ok() || *was_enabled) {
    result.schedule_note = "its schedule was imported disabled: create a trust and enable it again";
  }
  w.jobschedule["enabled"] = false;
  int64_t usage = 0;
  for (const auto& s : chosen) usage += s.snapshot.size;
  w.storage_usage = usage;
}

// Records the import in one transaction: the workload when it is new
// (`live` false; replacing its deleted row when `replaces_row`), the chosen
// snapshots with their VMs and disks, and a live workload's storage use.
Status RecordImport(db::Database& db, const std::string& workload_id, bool live, bool replaces_row,
                    const db::Workload& w, const std::vector<TargetSnapshot>& chosen) {
  return db.Transaction("import workload " + workload_id, [&](db::Executor& tx) -> Status {
    db::WorkloadRepository tx_workloads(tx);
    db::SnapshotRepository tx_snapshots(tx);
    if (!live) {
      if (replaces_row) CAIRN_RETURN_IF_ERROR(tx_workloads.Erase(workload_id));
      CAIRN_RETURN_IF_ERROR(tx_workloads.Create(w).status());
    }
    for (const auto& s : chosen) {
      CAIRN_RETURN_IF_ERROR(tx_snapshots.Create(s.snapshot).status());
      for (const auto& vm : s.vms) CAIRN_RETURN_IF_ERROR(tx_snapshots.PutVm(vm));
      for (const auto& d : s.disks) CAIRN_RETURN_IF_ERROR(tx_snapshots.PutDisk(d.row).status());
    }
    if (live) {
      CAIRN_ASSIGN_OR_RETURN(db::SnapshotUsage usage, tx_snapshots.Usage(std::nullopt, workload_id));
      CAIRN_RETURN_IF_ERROR(tx_workloads.Update(workload_id, {.storage_usage = usage.size}).status());
    }
    return Status::OK();
  });
}

// Imports one workload (see ImportWorkloads); fills `result`.
Status ImportOne(db::Database& db, target::Store& store, const std::string& workload_id, const ImportRequest& request,
                 const ProjectExists& project_exists, WorkloadImportResult& result) {
  CAIRN_ASSIGN_OR_RETURN(bool exists, store.Exists(layout::WorkloadDir(workload_id)));
  if (!exists) return Status::NotFound("not found on the backup target " + store.Describe());
  CAIRN_ASSIGN_OR_RETURN(db::Workload w, ReadWorkload(store, workload_id));
  if (w.project_id.empty() || w.user_id.empty()) {
    return Status::InvalidArgument(layout::WorkloadDb(workload_id) + " names no project_id or no user_id");
  }
  result.name = w.name;
  result.project_id = w.project_id;
  result.user_id = w.user_id;

  db::WorkloadRepository workloads(db);
  db::SnapshotRepository snapshots(db);
  Result<db::Workload> row = workloads.Get(workload_id, /*include_deleted=*/true);
  if (!row.ok() && !row.status().IsNotFound()) return row.status();
  const bool live = row.ok() && !row->deleted;
  if (live && !request.upgrade) {
    return Status::AlreadyExists("already in the database (import with upgrade to add the snapshots it lacks)");
  }
  CAIRN_RETURN_IF_ERROR(ChooseProject(request, project_exists, live ? &*row : nullptr, w, result));
  // The snapshots belong to the workload's owner (the database's, when it
  // has the workload: it may have been reassigned since).
  const db::Workload& owner = live ? *row : w;
  RecordedBackups recorded;
  if (live) {
    CAIRN_ASSIGN_OR_RETURN(recorded, ReadRecordedBackups(snapshots, workload_id));
  }
  CAIRN_ASSIGN_OR_RETURN(std::vector<TargetSnapshot> pending,
                         ReadNewSnapshots(store, workload_id, recorded.snapshots, owner, result));
  DropTakenDisks(snapshots, workload_id, /*replaces_deleted=*/!live && row.ok(), pending, result);
  const std::vector<TargetSnapshot> chosen = OrderByChains(std::move(pending), recorded.images, result);
  if (!live) PrepareNewWorkload(workloads, chosen, w, result);
  CAIRN_RETURN_IF_ERROR(RecordImport(db, workload_id, live, row.ok(), w, chosen));
  result.snapshots_imported = static_cast<int64_t>(chosen.size());
  return Status::OK();
}

}  // namespace

Result<std::vector<TargetWorkload>> ListTargetWorkloads(db::Executor& db, target::Store& store) {
  CAIRN_RETURN_IF_ERROR(target::CheckTargetIdentity(store));
  CAIRN_ASSIGN_OR_RETURN(std::vector<std::string> entries, store.List(""));
  std::vector<TargetWorkload> out;
  db::WorkloadRepository workloads(db);
  for (const auto& name : entries) {
    const std::string id = IdAfter(name, kWorkloadPrefix);
    if (id.empty()) continue;
    Result<db::Workload> w = ReadWorkload(store, id);
    if (!w.ok()) {
      GetLogger("engine")->warn("import: {} left out: {}", name, w.status().ToString());
      continue;
    }
    TargetWorkload item{.workload = std::move(*w)};
    Result<db::Workload> row = workloads.Get(id);
    if (!row.ok() && !row.status().IsNotFound()) return row.status();
    item.in_database = row.ok();
    CAIRN_ASSIGN_OR_RETURN(std::vector<std::string> ids, SnapshotIds(store, id));
    for (const auto& sid : ids) {
      Result<db::Snapshot> s = ReadSnapshotDb(store, id, sid);
      if (s.ok() && (s->status == ss::kAvailable || s->status == ss::kMounted)) ++item.snapshots;
    }
    out.push_back(std::move(item));
  }
  std::sort(out.begin(), out.end(), [](const TargetWorkload& a, const TargetWorkload& b) {
    return std::tie(b.workload.created_at, b.workload.id) < std::tie(a.workload.created_at, a.workload.id);
  });
  return out;
}

bool ImportRequest::Selects(const std::string& project_id) const {
  return project_ids.empty() || project_ids.count(project_id) != 0 || project_mapping.count(project_id) != 0;
}

Result<ImportReport> ImportWorkloads(db::Database& db, target::Store& store, const ImportRequest& request,
                                     const ProjectExists& project_exists) {
  CAIRN_RETURN_IF_ERROR(target::CheckTargetIdentity(store));  // not an unmounted share's mount point
  std::vector<std::string> ids = request.workload_ids;
  if (ids.empty()) {
    CAIRN_ASSIGN_OR_RETURN(std::vector<TargetWorkload> all, ListTargetWorkloads(db, store));
    for (const auto& t : all) {
      if (t.in_database && !request.upgrade) continue;
      // Import all takes the requested projects only (a live workload is
      // checked against its database row in ImportOne).
      if (!t.in_database && !request.Selects(t.workload.project_id)) {
        GetLogger("engine")->info("import: workload {} of project {} left out: project not requested", t.workload.id,
                                  t.workload.project_id);
        continue;
      }
      ids.push_back(t.workload.id);
    }
  }
  ImportReport report;
  std::set<std::string> seen;
  for (const auto& id : ids) {
    if (!seen.insert(id).second) continue;
    WorkloadImportResult result{.workload_id = id};
    Status s = layout::ValidateId("workload id", id);
    if (s.ok()) s = ImportOne(db, store, id, request, project_exists, result);
    if (s.ok()) {
      GetLogger("engine")->info("import: workload {} ({}) imported into project {}{} with {} snapshots{}", id,
                                result.name, result.project_id,
                                result.project_id_on_target.empty()
                                    ? ""
                                    : " (mapped from " + result.project_id_on_target + ")",
                                result.snapshots_imported,
                                result.skipped.empty() ? "" : ", " + std::to_string(result.skipped.size()) + " skipped");
      for (const auto& why : result.skipped) GetLogger("engine")->warn("import: workload {}: {}", id, why);
      report.imported.push_back(std::move(result));
    } else {
      result.error = s.message();
      GetLogger("engine")->warn("import: workload {}{} not imported: {}", id,
                                result.project_id.empty() ? "" : " of project " + result.project_id,
                                s.ToString());
      report.failed.push_back(std::move(result));
    }
  }
  return report;
}

}  // namespace cairn::control
