#include "db/workload_repository.h"

#include <algorithm>
#include <map>

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
    "id, project_id, user_id, name, description, workload_type_id, source_platform, status, error_msg,"
    " availability_zone, jobschedule, metadata, storage_usage, host, encryption, secret_uuid,"
    " created_at, updated_at, deleted, deleted_at";

Workload ReadWorkload(const soci::row& row) {
  RowReader r(row);
  Workload w;
  w.id = r.Text();
  w.project_id = r.Text();
  w.user_id = r.Text();
  w.name = r.Text();
  w.description = r.Text();
  w.workload_type_id = r.Text();
  w.source_platform = r.Text();
  w.status = r.Text();
  w.error_msg = r.Text();
  w.availability_zone = r.Text();
  w.jobschedule = r.JsonValue("workloads.jobschedule");
  w.metadata = r.JsonValue("workloads.metadata");
  w.storage_usage = r.Int();
  w.host = r.Text();
  w.encryption = r.Bool();
  w.secret_uuid = r.Text();
  internal::ReadLifecycle(r, w);
  return w;
}

constexpr std::string_view kVmColumns = "workload_id, vm_id, vm_name, metadata, status, created_at, updated_at";

WorkloadVm ReadVm(const soci::row& row) {
  RowReader r(row);
  WorkloadVm vm;
  vm.workload_id = r.Text();
  vm.vm_id = r.Text();
  vm.vm_name = r.Text();
  vm.metadata = r.JsonValue("workload_vms.metadata");
  vm.status = r.Text();
  vm.created_at = r.Time();
  vm.updated_at = r.Time();
  return vm;
}

std::vector<WorkloadVm> LoadVms(soci::session& session, const std::string& workload_id) {
  Params p;
  return internal::QueryAll(session,
                            "SELECT " + std::string(kVmColumns) + " FROM workload_vms WHERE workload_id = " +
                                p.Text(workload_id) + " ORDER BY created_at, vm_id",
                            p, ReadVm);
}

// Fills the VMs of many workloads with one query per chunk of workloads
// rather than one per workload (a page of a list).
void LoadVmsOf(soci::session& session, std::vector<Workload>& workloads) {
  constexpr size_t kChunk = 500;  // bound parameters per statement
  std::map<std::string, Workload*, std::less<>> by_id;
  for (Workload& w : workloads) by_id.emplace(w.id, &w);
  for (size_t first = 0; first < workloads.size(); first += kChunk) {
    std::vector<std::string> ids;
    for (size_t i = first; i < std::min(workloads.size(), first + kChunk); ++i) ids.push_back(workloads[i].id);
    Params p;
    Query(session,
          "SELECT " + std::string(kVmColumns) + " FROM workload_vms WHERE workload_id IN " + p.In(ids) +
              " ORDER BY workload_id, created_at, vm_id",
          p, [&](const soci::row& row) {
            WorkloadVm vm = ReadVm(row);
            auto it = by_id.find(vm.workload_id);
            if (it != by_id.end()) it->second->vms.push_back(std::move(vm));
          });
  }
}

void InsertVms(soci::session& session, const std::string& workload_id, std::vector<WorkloadVm>& vms,
               TimePoint now) {
  for (WorkloadVm& vm : vms) {
    vm.workload_id = workload_id;
    vm.created_at = now;
    vm.updated_at = now;
    Params p;
    Exec(session,
         internal::InsertSql("workload_vms", "workload_id, vm_id, vm_name, metadata, status, created_at, updated_at",
                             {p.Text(workload_id), p.Text(vm.vm_id), p.Text(vm.vm_name), p.JsonValue(vm.metadata),
                              p.Text(vm.status), p.Time(now), p.Time(now)}),
         p);
  }
}

std::optional<Workload> SelectOne(soci::session& session, std::string_view id, bool include_deleted) {
  Params p;
  std::string sql = "SELECT " + std::string(kColumns) + " FROM workloads WHERE id = " + p.Text(id);
  if (!include_deleted) sql += " AND deleted = 0";
  std::optional<Workload> out = internal::QueryOne(session, sql, p, ReadWorkload);
  if (out) out->vms = LoadVms(session, out->id);
  return out;
}

Workload MustGet(soci::session& session, std::string_view id, bool include_deleted) {
  return internal::Found(SelectOne(session, id, include_deleted), "workload " + std::string(id));
}

WorkloadType ReadType(const soci::row& row) {
  RowReader r(row);
  WorkloadType t;
  t.id = r.Text();
  t.name = r.Text();
  t.description = r.Text();
  t.is_public = r.Bool();
  t.metadata = r.JsonValue("workload_types.metadata");
  internal::ReadLifecycle(r, t);
  return t;
}

constexpr std::string_view kTypeColumns =
    "id, name, description, is_public, metadata, created_at, updated_at, deleted, deleted_at";

}  // namespace

Result<Workload> WorkloadRepository::Create(Workload w) {
  const TimePoint given_created_at = w.created_at;
  TimePoint now = internal::StampNewRow(w);
  if (given_created_at != TimePoint{}) w.created_at = std::chrono::floor<std::chrono::microseconds>(given_created_at);
  CAIRN_RETURN_IF_ERROR(db_.RunInTransaction("create workload " + w.id, [&](soci::session& session) {
    Params p;
    std::string sql = internal::InsertSql("workloads", kColumns,
                                          {p.Text(w.id), p.Text(w.project_id), p.Text(w.user_id), p.Text(w.name),
                                           p.Text(w.description), p.Text(w.workload_type_id),
                                           p.Text(w.source_platform), p.Text(w.status), p.Text(w.error_msg),
                                           p.Text(w.availability_zone), p.JsonValue(w.jobschedule),
                                           p.JsonValue(w.metadata), p.Int(w.storage_usage), p.Text(w.host),
                                           p.Bool(w.encryption), p.Text(w.secret_uuid), p.Time(w.created_at), p.Time(now), "0",
                                           "NULL"});
    Exec(session, sql, p);
    InsertVms(session, w.id, w.vms, now);
    return Status::OK();
  }));
  return w;
}

Result<Workload> WorkloadRepository::Get(std::string_view id, bool include_deleted) {
  return internal::Fetch(db_, "get workload",
                         [&](soci::session& session) { return MustGet(session, id, include_deleted); });
}

Result<std::vector<Workload>> WorkloadRepository::List(const WorkloadFilter& filter, const Page& page) {
  return internal::Fetch(db_, "list workloads", [&](soci::session& session) {
    internal::Conditions where;
    where.LiveOnly(filter.include_deleted)
        .Equals("project_id", filter.project_id)
        .Equals("name", filter.name)
        .In("status", filter.statuses);
    std::vector<Workload> out =
        internal::ListPage(session, "workloads", kColumns, where, page, filter.project_id, ReadWorkload);
    LoadVmsOf(session, out);
    return out;
  });
}

Result<Workload> WorkloadRepository::Update(std::string_view id, const WorkloadUpdate& u) {
  return internal::FetchInTransaction(db_, "update workload " + std::string(id), [&](soci::session& session) {
    TimePoint now = internal::Now();
    internal::SetList sets(now);
    sets.Set("name", u.name)
        .Set("description", u.description)
        .Set("jobschedule", u.jobschedule)
        .Set("metadata", u.metadata)
        .Set("status", u.status)
        .Set("error_msg", u.error_msg)
        .Set("availability_zone", u.availability_zone)
        .Set("storage_usage", u.storage_usage)
        .Set("host", u.host)
        .Set("project_id", u.project_id)
        .Set("user_id", u.user_id);
    if (internal::UpdateLiveRow(session, "workloads", id, sets) == 0) {
      MustGet(session, id, false);  // NotFound, or unchanged (MySQL counts changed rows)
    }
    if (u.vms) {
      Params d;
      Exec(session, "DELETE FROM workload_vms WHERE workload_id = " + d.Text(id), d);
      std::vector<WorkloadVm> vms = *u.vms;
      InsertVms(session, std::string(id), vms, now);
    }
    return MustGet(session, id, false);
  });
}

Status WorkloadRepository::SetStatusIf(std::string_view id, const std::vector<std::string>& expected,
                                       std::string_view new_status, std::optional<std::string> error_msg) {
  return db_.Run("set workload status", [&](soci::session& session) {
    internal::SetStatusIfImpl(session, "workloads", "workload", id, expected, new_status, error_msg);
    return Status::OK();
  });
}

Status WorkloadRepository::SoftDelete(std::string_view id) {
  return internal::RunSoftDelete(db_, "delete workload", "workloads", {{"id", id}}, "workload " + std::string(id),
                                 internal::kSetStatusDeleted);
}

Status WorkloadRepository::SetOwner(std::string_view id, std::string_view project_id, std::string_view user_id) {
  return db_.RunInTransaction("set owner of workload " + std::string(id), [&](soci::session& session) -> Status {
    MustGet(session, id, false);  // NotFound when missing or deleted
    const TimePoint now = internal::Now();
    for (const auto& [table, key] : {std::pair{"workloads", "id"}, std::pair{"snapshots", "workload_id"},
                                     std::pair{"restores", "workload_id"}}) {
      Params p;
      Exec(session,
           "UPDATE " + std::string(table) + " SET project_id = " + p.Text(project_id) + ", user_id = " +
               p.Text(user_id) + ", updated_at = " + p.Time(now) + " WHERE " + key + " = " + p.Text(id),
           p);
    }
    return Status::OK();
  });
}

Status WorkloadRepository::Erase(std::string_view id) {
  return db_.RunInTransaction("erase workload " + std::string(id), [&](soci::session& session) -> Status {
    Params q;
    std::optional<int> deleted;
    Query(session, "SELECT deleted FROM workloads WHERE id = " + q.Text(id), q,
          [&](const soci::row& row) { deleted = static_cast<int>(RowReader(row).Int()); });
    if (!deleted) return Status::OK();
    if (*deleted == 0) return Status::Conflict("workload " + std::string(id) + " is live: only a deleted one is erased");
    const std::string of_snapshots = "snapshot_id IN (SELECT id FROM snapshots WHERE workload_id = ";
    for (std::string_view child : {"restores", "snapshot_disks", "snapshot_vms"}) {
      Params p;
      Exec(session, "DELETE FROM " + std::string(child) + " WHERE " + of_snapshots + p.Text(id) + ")", p);
    }
    for (std::string_view table : {"snapshots", "workload_vms"}) {
      Params p;
      Exec(session, "DELETE FROM " + std::string(table) + " WHERE workload_id = " + p.Text(id), p);
    }
    Params p;
    Exec(session, "DELETE FROM workloads WHERE id = " + p.Text(id), p);
    return Status::OK();
  });
}

Result<std::optional<Workload>> WorkloadRepository::FindByVm(std::string_view vm_id) {
  return internal::Fetch(db_, "find workload of VM", [&](soci::session& session) -> std::optional<Workload> {
    Params p;
    std::optional<std::string> id = internal::QueryOne(
        session,
        "SELECT w.id FROM workloads w JOIN workload_vms v ON v.workload_id = w.id WHERE v.vm_id = " + p.Text(vm_id) +
            " AND w.deleted = 0 ORDER BY w.created_at LIMIT 1",
        p, [](const soci::row& row) { return RowReader(row).Text(); });
    if (!id) return std::nullopt;
    return SelectOne(session, *id, false);
  });
}

Result<WorkloadCounts> WorkloadRepository::CountByProject(std::string_view project_id) {
  WorkloadCounts counts;
  CAIRN_RETURN_IF_ERROR(db_.Run("count workloads", [&](soci::session& session) {
    Params p;
    counts.workloads = internal::QueryInt(
        session, "SELECT COUNT(*) FROM workloads WHERE deleted = 0 AND project_id = " + p.Text(project_id), p);
    Params q;
    counts.vms = internal::QueryInt(session,
                                    "SELECT COUNT(*) FROM workload_vms v JOIN workloads w ON w.id = v.workload_id"
                                    " WHERE w.deleted = 0 AND w.project_id = " + q.Text(project_id),
                                    q);
    return Status::OK();
  }));
  return counts;
}

Result<int64_t> WorkloadRepository::Purge(TimePoint older_than) {
  int64_t purged = 0;
  CAIRN_RETURN_IF_ERROR(db_.RunInTransaction("purge workloads", [&](soci::session& session) {
    // Only the workloads left without snapshots (SnapshotRepository::Purge runs first).
    constexpr std::string_view kNoSnapshots =
        "NOT EXISTS (SELECT 1 FROM snapshots s WHERE s.workload_id = workloads.id)";
    internal::PurgeChildRows(session, "workload_vms", "workload_id", "workloads", older_than, kNoSnapshots);
    purged = internal::PurgeDeletedRows(session, "workloads", older_than, kNoSnapshots);
    return Status::OK();
  }));
  return purged;
}

Result<std::vector<WorkloadType>> WorkloadRepository::ListTypes() {
  return internal::Fetch(db_, "list workload types", [&](soci::session& session) {
    Params p;
    return internal::QueryAll(
        session, "SELECT " + std::string(kTypeColumns) + " FROM workload_types WHERE deleted = 0 ORDER BY name", p,
        ReadType);
  });
}

Result<WorkloadType> WorkloadRepository::GetType(std::string_view id) {
  return internal::Fetch(db_, "get workload type", [&](soci::session& session) {
    Params p;
    return internal::Found(
        internal::QueryOne(session,
                           "SELECT " + std::string(kTypeColumns) + " FROM workload_types WHERE deleted = 0 AND id = " +
                               p.Text(id),
                           p, ReadType),
        "workload type " + std::string(id));
  });
}

}  // namespace cairn::db
