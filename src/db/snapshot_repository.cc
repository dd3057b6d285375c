#include "db/snapshot_repository.h"

#include <soci/soci.h>

#include "db/fetch.h"
#include "db/list_query.h"
#include "db/partial_update.h"
#include "db/soft_delete.h"
#include "db/sql.h"

namespace cairn::db {
namespace {

using internal::Exec;
using internal::Params;
using internal::Query;
using internal::RowReader;

constexpr std::string_view kColumns =
    "id, workload_id, project_id, user_id, name, description, snapshot_type, status, progress_percent,"
    " progress_msg, warning_msg, error_msg, size, restore_size, uploaded_size, time_taken, pinned,"
    " is_scheduled, host, metadata, finished_at, created_at, updated_at, deleted, deleted_at";

Snapshot ReadSnapshot(const soci::row& row) {
  RowReader r(row);
  Snapshot s;
  s.id = r.Text();
  s.workload_id = r.Text();
  s.project_id = r.Text();
  s.user_id = r.Text();
  s.name = r.Text();
  s.description = r.Text();
  s.snapshot_type = r.Text();
  s.status = r.Text();
  s.progress_percent = static_cast<int>(r.Int());
  s.progress_msg = r.Text();
  s.warning_msg = r.Text();
  s.error_msg = r.Text();
  s.size = r.Int();
  s.restore_size = r.Int();
  s.uploaded_size = r.Int();
  s.time_taken = r.Int();
  s.pinned = r.Bool();
  s.is_scheduled = r.Bool();
  s.host = r.Text();
  s.metadata = r.JsonValue("snapshots.metadata");
  s.finished_at = r.OptTime();
  internal::ReadLifecycle(r, s);
  return s;
}

std::optional<Snapshot> SelectOne(soci::session& session, std::string_view id, bool include_deleted) {
  Params p;
  std::string sql = "SELECT " + std::string(kColumns) + " FROM snapshots WHERE id = " + p.Text(id);
  if (!include_deleted) sql += " AND deleted = 0";
  return internal::QueryOne(session, sql, p, ReadSnapshot);
}

Snapshot MustGet(soci::session& session, std::string_view id, bool include_deleted) {
  return internal::Found(SelectOne(session, id, include_deleted), "snapshot " + std::string(id));
}

constexpr std::string_view kVmColumns =
    "snapshot_id, vm_id, vm_name, status, flavor, security_groups, nics, metadata, created_at, updated_at";

SnapshotVm ReadVm(const soci::row& row) {
  RowReader r(row);
  SnapshotVm vm;
  vm.snapshot_id = r.Text();
  vm.vm_id = r.Text();
  vm.vm_name = r.Text();
  vm.status = r.Text();
  vm.flavor = r.JsonValue("snapshot_vms.flavor");
  vm.security_groups = r.JsonValue("snapshot_vms.security_groups", Json::array());
  vm.nics = r.JsonValue("snapshot_vms.nics", Json::array());
  vm.metadata = r.JsonValue("snapshot_vms.metadata");
  vm.created_at = r.Time();
  vm.updated_at = r.Time();
  return vm;
}

constexpr std::string_view kDiskColumns =
    "id, snapshot_id, vm_id, resource_id, device, volume_id, volume_type, volume_size, bootable, format, size,"
    " path, parent_disk_snapshot_id, status, created_at, updated_at";

SnapshotDisk ReadDisk(const soci::row& row) {
  RowReader r(row);
  SnapshotDisk d;
  d.id = r.Text();
  d.snapshot_id = r.Text();
  d.vm_id = r.Text();
  d.resource_id = r.Text();
  d.device = r.Text();
  d.volume_id = r.OptText();
  d.volume_type = r.Text();
  d.volume_size = r.Int();
  d.bootable = r.Bool();
  d.format = r.Text();
  d.size = r.Int();
  d.path = r.Text();
  d.parent_disk_snapshot_id = r.OptText();
  d.status = r.Text();
  d.created_at = r.Time();
  d.updated_at = r.Time();
  return d;
}

}  // namespace

Result<Snapshot> SnapshotRepository::Create(Snapshot s) {
  const TimePoint given_created_at = s.created_at;
  TimePoint now = internal::StampNewRow(s);
  if (given_created_at != TimePoint{}) s.created_at = std::chrono::floor<std::chrono::microseconds>(given_created_at);
  CAIRN_RETURN_IF_ERROR(internal::ExecStatement(db_, "create snapshot " + s.id, [&](Params& p) {
    return internal::InsertSql("snapshots", kColumns,
                               {p.Text(s.id), p.Text(s.workload_id), p.Text(s.project_id), p.Text(s.user_id),
                                p.Text(s.name), p.Text(s.description), p.Text(s.snapshot_type), p.Text(s.status),
                                p.Int(s.progress_percent), p.Text(s.progress_msg), p.Text(s.warning_msg),
                                p.Text(s.error_msg), p.Int(s.size), p.Int(s.restore_size), p.Int(s.uploaded_size),
                                p.Int(s.time_taken), p.Bool(s.pinned), p.Bool(s.is_scheduled), p.Text(s.host),
                                p.JsonValue(s.metadata), p.OptTime(s.finished_at), p.Time(s.created_at), p.Time(now), "0",
                                "NULL"});
  }).status());
  return s;
}

Result<Snapshot> SnapshotRepository::Get(std::string_view id, bool include_deleted) {
  return internal::Fetch(db_, "get snapshot",
                         [&](soci::session& session) { return MustGet(session, id, include_deleted); });
}

Result<std::vector<Snapshot>> SnapshotRepository::List(const SnapshotFilter& filter, const Page& page) {
  return internal::Fetch(db_, "list snapshots", [&](soci::session& session) {
    internal::Conditions where;
    where.LiveOnly(filter.include_deleted)
        .Equals("project_id", filter.project_id)
        .Equals("workload_id", filter.workload_id)
        .AtLeast("created_at", filter.date_from)
        .AtMost("created_at", filter.date_to)
        .In("status", filter.statuses);
    return internal::ListPage(session, "snapshots", kColumns, where, page, filter.project_id, ReadSnapshot);
  });
}

Result<Snapshot> SnapshotRepository::Update(std::string_view id, const SnapshotUpdate& u) {
  return internal::FetchInTransaction(db_, "update snapshot " + std::string(id), [&](soci::session& session) {
    internal::SetList sets(internal::Now());
    sets.Set("name", u.name)
        .Set("description", u.description)
        .Set("snapshot_type", u.snapshot_type)
        .Set("status", u.status)
        .Set("progress_percent", u.progress_percent)
        .Set("progress_msg", u.progress_msg)
        .Set("warning_msg", u.warning_msg)
        .Set("error_msg", u.error_msg)
        .Set("size", u.size)
        .Set("restore_size", u.restore_size)
        .Set("uploaded_size", u.uploaded_size)
        .Set("time_taken", u.time_taken)
        .Set("pinned", u.pinned)
        .Set("host", u.host)
        .Set("metadata", u.metadata)
        .Set("finished_at", u.finished_at);
    internal::UpdateLiveRow(session, "snapshots", id, sets);
    return MustGet(session, id, false);
  });
}

Status SnapshotRepository::SetStatusIf(std::string_view id, const std::vector<std::string>& expected,
                                       std::string_view new_status, std::optional<std::string> error_msg) {
  return db_.Run("set snapshot status", [&](soci::session& session) {
    internal::SetStatusIfImpl(session, "snapshots", "snapshot", id, expected, new_status, error_msg);
    return Status::OK();
  });
}

Status SnapshotRepository::SoftDelete(std::string_view id) {
  return internal::RunSoftDelete(db_, "delete snapshot", "snapshots", {{"id", id}}, "snapshot " + std::string(id),
                                 internal::kSetStatusDeleted);
}

Result<SnapshotUsage> SnapshotRepository::Usage(std::optional<std::string> project_id,
                                                std::optional<std::string> workload_id) {
  SnapshotUsage usage;
  CAIRN_RETURN_IF_ERROR(db_.Run("snapshot usage", [&](soci::session& session) {
    internal::Conditions where;
    where.LiveOnly(false).Equals("project_id", project_id).Equals("workload_id", workload_id);
    Query(session, "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM snapshots" + where.Clause(), where.params(),
          [&](const soci::row& row) {
            RowReader r(row);
            usage.snapshots = r.Int();
            usage.size = r.Int();
          });
    return Status::OK();
  }));
  return usage;
}

Result<int64_t> SnapshotRepository::Purge(TimePoint older_than) {
  int64_t purged = 0;
  CAIRN_RETURN_IF_ERROR(db_.RunInTransaction("purge snapshots", [&](soci::session& session) {
    for (std::string_view child : {"restores", "snapshot_disks", "snapshot_vms"}) {
      internal::PurgeChildRows(session, child, "snapshot_id", "snapshots", older_than);
    }
    purged = internal::PurgeDeletedRows(session, "snapshots", older_than);
    return Status::OK();
  }));
  return purged;
}

Status SnapshotRepository::PutVm(SnapshotVm vm) {
  return db_.RunInTransaction("put snapshot VM", [&](soci::session& session) {
    TimePoint now = internal::Now();
    Params d;
    std::optional<std::string> created;
    Query(session,
          "SELECT created_at FROM snapshot_vms WHERE snapshot_id = " + d.Text(vm.snapshot_id) +
              " AND vm_id = " + d.Text(vm.vm_id),
          d, [&](const soci::row& row) { created = RowReader(row).Text(); });
    Params p;
    if (created) {
      Exec(session,
           "UPDATE snapshot_vms SET vm_name = " + p.Text(vm.vm_name) + ", status = " + p.Text(vm.status) +
               ", flavor = " + p.JsonValue(vm.flavor) + ", security_groups = " + p.JsonValue(vm.security_groups) +
               ", nics = " + p.JsonValue(vm.nics) + ", metadata = " + p.JsonValue(vm.metadata) +
               ", updated_at = " + p.Time(now) + " WHERE snapshot_id = " + p.Text(vm.snapshot_id) +
               " AND vm_id = " + p.Text(vm.vm_id),
           p);
    } else {
      Exec(session,
           internal::InsertSql("snapshot_vms", kVmColumns,
                               {p.Text(vm.snapshot_id), p.Text(vm.vm_id), p.Text(vm.vm_name), p.Text(vm.status),
                                p.JsonValue(vm.flavor), p.JsonValue(vm.security_groups), p.JsonValue(vm.nics),
                                p.JsonValue(vm.metadata), p.Time(now), p.Time(now)}),
           p);
    }
    return Status::OK();
  });
}

Result<std::vector<SnapshotVm>> SnapshotRepository::ListVms(std::string_view snapshot_id) {
  return internal::Fetch(db_, "list snapshot VMs", [&](soci::session& session) {
    Params p;
    return internal::QueryAll(session,
                              "SELECT " + std::string(kVmColumns) + " FROM snapshot_vms WHERE snapshot_id = " +
                                  p.Text(snapshot_id) + " ORDER BY created_at, vm_id",
                              p, ReadVm);
  });
}

Status SnapshotRepository::DeleteVm(std::string_view snapshot_id, std::string_view vm_id) {
  return db_.Run("delete snapshot VM", [&](soci::session& session) {
    Params p;
    if (Exec(session,
             "DELETE FROM snapshot_vms WHERE snapshot_id = " + p.Text(snapshot_id) + " AND vm_id = " + p.Text(vm_id),
             p) == 0) {
      return Status::NotFound("VM " + std::string(vm_id) + " of snapshot " + std::string(snapshot_id) +
                              " not found");
    }
    return Status::OK();
  });
}

Result<SnapshotDisk> SnapshotRepository::PutDisk(SnapshotDisk d) {
  if (d.id.empty()) d.id = internal::NewId();
  CAIRN_RETURN_IF_ERROR(db_.RunInTransaction("put snapshot disk " + d.id, [&](soci::session& session) {
    TimePoint now = internal::Now();
    Params q;
    std::optional<std::string> created;
    Query(session, "SELECT created_at FROM snapshot_disks WHERE id = " + q.Text(d.id), q,
          [&](const soci::row& row) { created = RowReader(row).Text(); });
    d.created_at = created ? internal::ParseTime(*created) : now;
    d.updated_at = now;
    Params p;
    if (created) {
      Exec(session,
           "UPDATE snapshot_disks SET snapshot_id = " + p.Text(d.snapshot_id) + ", vm_id = " + p.Text(d.vm_id) +
               ", resource_id = " + p.Text(d.resource_id) + ", device = " + p.Text(d.device) +
               ", volume_id = " + p.OptText(d.volume_id) + ", volume_type = " + p.Text(d.volume_type) +
               ", volume_size = " + p.Int(d.volume_size) + ", bootable = " + p.Bool(d.bootable) +
               ", format = " + p.Text(d.format) + ", size = " + p.Int(d.size) + ", path = " + p.Text(d.path) +
               ", parent_disk_snapshot_id = " + p.OptText(d.parent_disk_snapshot_id) +
               ", status = " + p.Text(d.status) + ", updated_at = " + p.Time(now) + " WHERE id = " + p.Text(d.id),
           p);
    } else {
      Exec(session,
           internal::InsertSql("snapshot_disks", kDiskColumns,
                               {p.Text(d.id), p.Text(d.snapshot_id), p.Text(d.vm_id), p.Text(d.resource_id),
                                p.Text(d.device), p.OptText(d.volume_id), p.Text(d.volume_type), p.Int(d.volume_size),
                                p.Bool(d.bootable), p.Text(d.format), p.Int(d.size), p.Text(d.path),
                                p.OptText(d.parent_disk_snapshot_id), p.Text(d.status), p.Time(now), p.Time(now)}),
           p);
    }
    return Status::OK();
  }));
  return d;
}

Result<SnapshotDisk> SnapshotRepository::GetDisk(std::string_view disk_id) {
  return internal::Fetch(db_, "get snapshot disk", [&](soci::session& session) {
    Params p;
    return internal::Found(
        internal::QueryOne(
            session, "SELECT " + std::string(kDiskColumns) + " FROM snapshot_disks WHERE id = " + p.Text(disk_id), p,
            ReadDisk),
        "snapshot disk " + std::string(disk_id));
  });
}

Result<std::vector<SnapshotDisk>> SnapshotRepository::ListDisks(std::string_view snapshot_id,
                                                                std::optional<std::string> vm_id) {
  return internal::Fetch(db_, "list snapshot disks", [&](soci::session& session) {
    Params p;
    std::string sql =
        "SELECT " + std::string(kDiskColumns) + " FROM snapshot_disks WHERE snapshot_id = " + p.Text(snapshot_id);
    if (vm_id) sql += " AND vm_id = " + p.Text(*vm_id);
    return internal::QueryAll(session, sql + " ORDER BY vm_id, device, id", p, ReadDisk);
  });
}

Status SnapshotRepository::DeleteDisk(std::string_view disk_id) {
  return db_.Run("delete snapshot disk", [&](soci::session& session) {
    Params p;
    if (Exec(session, "DELETE FROM snapshot_disks WHERE id = " + p.Text(disk_id), p) == 0) {
      return Status::NotFound("snapshot disk " + std::string(disk_id) + " not found");
    }
    return Status::OK();
  });
}

}  // namespace cairn::db
