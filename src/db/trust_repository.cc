#include "db/trust_repository.h"

#include <soci/soci.h>

#include "db/fetch.h"
#include "db/soft_delete.h"
#include "db/sql.h"

namespace cairn::db {
namespace {

using internal::Params;
using internal::RowReader;

constexpr std::string_view kColumns =
    "id, name, project_id, user_id, value, status, metadata, created_at, updated_at, deleted, deleted_at";

Trust ReadTrust(const soci::row& row) {
  RowReader r(row);
  Trust t;
  t.id = r.Text();
  t.name = r.Text();
  t.project_id = r.Text();
  t.user_id = r.Text();
  t.value = r.Text();
  t.status = r.Text();
  t.metadata = r.JsonValue("trusts.metadata");
  internal::ReadLifecycle(r, t);
  return t;
}

}  // namespace

Result<Trust> TrustRepository::Create(Trust t) {
  if (t.name.empty()) return Status::InvalidArgument("a trust needs a name (the Keystone trust id)");
  TimePoint now = internal::StampNewRow(t);
  CAIRN_RETURN_IF_ERROR(internal::ExecStatement(db_, "create trust " + t.name, [&](Params& p) {
    return internal::InsertSql("trusts", kColumns,
                               {p.Text(t.id), p.Text(t.name), p.Text(t.project_id), p.Text(t.user_id), p.Text(t.value),
                                p.Text(t.status), p.JsonValue(t.metadata), p.Time(now), p.Time(now), "0", "NULL"});
  }).status());
  return t;
}

Result<Trust> TrustRepository::GetByName(std::string_view name) {
  return internal::Fetch(db_, "get trust", [&](soci::session& session) {
    Params p;
    return internal::Found(
        internal::QueryOne(session,
                           "SELECT " + std::string(kColumns) + " FROM trusts WHERE deleted = 0 AND name = " +
                               p.Text(name),
                           p, ReadTrust),
        "trust " + std::string(name));
  });
}

Result<std::vector<Trust>> TrustRepository::ListByProject(std::string_view project_id) {
  return internal::Fetch(db_, "list trusts", [&](soci::session& session) {
    Params p;
    return internal::QueryAll(session,
                              "SELECT " + std::string(kColumns) + " FROM trusts WHERE deleted = 0 AND project_id = " +
                                  p.Text(project_id) + " ORDER BY created_at, id",
                              p, ReadTrust);
  });
}

Status TrustRepository::Delete(std::string_view name) {
  return internal::RunSoftDelete(db_, "delete trust", "trusts", {{"name", name}}, "trust " + std::string(name));
}

Result<int64_t> TrustRepository::Purge(TimePoint older_than) {
  return internal::RunPurge(db_, "purge trusts", "trusts", older_than);
}

}  // namespace cairn::db
