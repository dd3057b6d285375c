#include "db/policy_repository.h"

#include <soci/soci.h>

#include "db/fetch.h"
#include "db/partial_update.h"
#include "db/soft_delete.h"
#include "db/sql.h"

namespace cairn::db {
namespace {

using internal::Exec;
using internal::Params;
using internal::RowReader;

constexpr std::string_view kColumns =
    "id, name, description, field_values, metadata, status, created_at, updated_at, deleted, deleted_at";

Policy ReadPolicy(const soci::row& row) {
  RowReader r(row);
  Policy x;
  x.id = r.Text();
  x.name = r.Text();
  x.description = r.Text();
  x.field_values = r.JsonValue("workload_policies.field_values");
  x.metadata = r.JsonValue("workload_policies.metadata");
  x.status = r.Text();
  internal::ReadLifecycle(r, x);
  return x;
}

Policy MustGet(soci::session& session, std::string_view id) {
  Params p;
  std::string sql =
      "SELECT " + std::string(kColumns) + " FROM workload_policies WHERE deleted = 0 AND id = " + p.Text(id);
  return internal::Found(internal::QueryOne(session, sql, p, ReadPolicy), "policy " + std::string(id));
}

PolicyAssignment ReadAssignment(const soci::row& row) {
  RowReader r(row);
  PolicyAssignment a;
  a.policy_id = r.Text();
  a.project_id = r.Text();
  a.project_name = r.Text();
  a.created_at = r.Time();
  a.updated_at = r.Time();
  return a;
}

// The assignments of live policies that meet `condition` (on "a."), bound in `p`.
std::vector<PolicyAssignment> ReadAssignments(soci::session& session, const std::string& condition, Params& p) {
  return internal::QueryAll(
      session,
      "SELECT a.policy_id, a.project_id, a.project_name, a.created_at, a.updated_at FROM policy_assignments a"
      " JOIN workload_policies w ON w.id = a.policy_id WHERE w.deleted = 0 AND " + condition +
          " ORDER BY a.project_id, a.policy_id",
      p, ReadAssignment);
}

}  // namespace

Result<Policy> PolicyRepository::Create(Policy x) {
  TimePoint now = internal::StampNewRow(x);
  CAIRN_RETURN_IF_ERROR(internal::ExecStatement(db_, "create policy " + x.name, [&](Params& p) {
    return internal::InsertSql("workload_policies", kColumns,
                               {p.Text(x.id), p.Text(x.name), p.Text(x.description), p.JsonValue(x.field_values),
                                p.JsonValue(x.metadata), p.Text(x.status), p.Time(now), p.Time(now), "0", "NULL"});
  }).status());
  return x;
}

Result<Policy> PolicyRepository::Get(std::string_view id) {
  return internal::Fetch(db_, "get policy", [&](soci::session& session) { return MustGet(session, id); });
}

Result<std::vector<Policy>> PolicyRepository::List() {
  return internal::Fetch(db_, "list policies", [&](soci::session& session) {
    Params p;
    return internal::QueryAll(
        session, "SELECT " + std::string(kColumns) + " FROM workload_policies WHERE deleted = 0 ORDER BY name, id", p,
        ReadPolicy);
  });
}

Result<Policy> PolicyRepository::Update(std::string_view id, const PolicyUpdate& u) {
  return internal::FetchInTransaction(db_, "update policy " + std::string(id), [&](soci::session& session) {
    internal::SetList sets(internal::Now());
    sets.Set("name", u.name)
        .Set("description", u.description)
        .Set("field_values", u.field_values)
        .Set("metadata", u.metadata)
        .Set("status", u.status);
    internal::UpdateLiveRow(session, "workload_policies", id, sets);
    return MustGet(session, id);
  });
}

Status PolicyRepository::SoftDelete(std::string_view id) {
  return db_.RunInTransaction("delete policy", [&](soci::session& session) {
    internal::SoftDeleteRow(session, "workload_policies", {{"id", id}}, "policy " + std::string(id));
    Params d;
    Exec(session, "DELETE FROM policy_assignments WHERE policy_id = " + d.Text(id), d);
    return Status::OK();
  });
}

Status PolicyRepository::Assign(std::string_view policy_id, std::string_view project_id,
                                 std::string_view project_name) {
  return db_.RunInTransaction("assign policy", [&](soci::session& session) {
    MustGet(session, policy_id);
    TimePoint now = internal::Now();
    Params q;
    int64_t exists = internal::QueryInt(session,
                                        "SELECT COUNT(*) FROM policy_assignments WHERE policy_id = " +
                                            q.Text(policy_id) + " AND project_id = " + q.Text(project_id),
                                        q);
    Params u;
    if (exists) {
      Exec(session,
           "UPDATE policy_assignments SET project_name = " + u.Text(project_name) + ", updated_at = " + u.Time(now) +
               " WHERE policy_id = " + u.Text(policy_id) + " AND project_id = " + u.Text(project_id),
           u);
    } else {
      Exec(session,
           internal::InsertSql("policy_assignments", "policy_id, project_id, project_name, created_at, updated_at",
                               {u.Text(policy_id), u.Text(project_id), u.Text(project_name), u.Time(now), u.Time(now)}),
           u);
    }
    return Status::OK();
  });
}

Status PolicyRepository::Unassign(std::string_view policy_id, std::string_view project_id) {
  Result<int64_t> removed = internal::ExecStatement(db_, "unassign policy", [&](Params& p) {
    return "DELETE FROM policy_assignments WHERE policy_id = " + p.Text(policy_id) + " AND project_id = " +
           p.Text(project_id);
  });
  return removed.status();
}

Result<std::vector<PolicyAssignment>> PolicyRepository::AssignmentsOfProject(std::string_view project_id) {
  return internal::Fetch(db_, "list policy assignments", [&](soci::session& session) {
    Params p;
    return ReadAssignments(session, "a.project_id = " + p.Text(project_id), p);
  });
}

Result<std::vector<PolicyAssignment>> PolicyRepository::AssignmentsOfPolicy(std::string_view policy_id) {
  return internal::Fetch(db_, "list policy assignments", [&](soci::session& session) {
    Params p;
    return ReadAssignments(session, "a.policy_id = " + p.Text(policy_id), p);
  });
}

Result<int64_t> PolicyRepository::Purge(TimePoint older_than) {
  int64_t purged = 0;
  CAIRN_RETURN_IF_ERROR(db_.RunInTransaction("purge policies", [&](soci::session& session) {
    internal::PurgeChildRows(session, "policy_assignments", "policy_id", "workload_policies", older_than);
    purged = internal::PurgeDeletedRows(session, "workload_policies", older_than);
    return Status::OK();
  }));
  return purged;
}

}  // namespace cairn::db
