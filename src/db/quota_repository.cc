#include "db/quota_repository.h"

#include <soci/soci.h>

#include "db/soft_delete.h"
#include "db/sql.h"

namespace cairn::db {
namespace {

using internal::Exec;
using internal::Params;
using internal::Query;
using internal::RowReader;
using internal::StatusError;

constexpr std::string_view kTypeColumns =
    "id, name, description, display_order, created_at, updated_at, deleted, deleted_at";

constexpr std::string_view kQuotaSelect =
    "SELECT q.id, q.project_id, q.quota_type_id, q.allowed_value, q.high_watermark, q.version, t.name,"
    " q.created_at, q.updated_at, q.deleted, q.deleted_at FROM allowed_quotas q"
    " JOIN quota_types t ON t.id = q.quota_type_id";

QuotaType ReadType(const soci::row& row) {
  RowReader r(row);
  QuotaType t;
  t.id = r.Text();
  t.name = r.Text();
  t.description = r.Text();
  t.display_order = static_cast<int>(r.Int());
  t.created_at = r.Time();
  t.updated_at = r.Time();
  t.deleted = r.Bool();
  t.deleted_at = r.OptTime();
  return t;
}

AllowedQuota ReadQuota(const soci::row& row) {
  RowReader r(row);
  AllowedQuota q;
  q.id = r.Text();
  q.project_id = r.Text();
  q.quota_type_id = r.Text();
  q.allowed_value = r.Int();
  q.high_watermark = r.Int();
  q.version = r.Int();
  q.quota_type_name = r.Text();
  q.created_at = r.Time();
  q.updated_at = r.Time();
  q.deleted = r.Bool();
  q.deleted_at = r.OptTime();
  return q;
}

AllowedQuota MustGet(soci::session& session, std::string_view id) {
  Params p;
  std::optional<AllowedQuota> out;
  Query(session, std::string(kQuotaSelect) + " WHERE q.deleted = 0 AND q.id = " + p.Text(id), p,
        [&](const soci::row& row) { out = ReadQuota(row); });
  if (!out) throw StatusError(Status::NotFound("allowed quota " + std::string(id) + " not found"));
  return std::move(*out);
}

}  // namespace

Result<std::vector<QuotaType>> QuotaRepository::ListTypes() {
  std::vector<QuotaType> out;
  CAIRN_RETURN_IF_ERROR(db_.Run("list quota types", [&](soci::session& session) {
    Params p;
    Query(session,
          "SELECT " + std::string(kTypeColumns) + " FROM quota_types WHERE deleted = 0 ORDER BY display_order, name", p,
          [&](const soci::row& row) { out.push_back(ReadType(row)); });
    return Status::OK();
  }));
  return out;
}

Result<QuotaType> QuotaRepository::GetType(std::string_view id) {
  std::optional<QuotaType> out;
  CAIRN_RETURN_IF_ERROR(db_.Run("get quota type", [&](soci::session& session) {
    Params p;
    Query(session,
          "SELECT " + std::string(kTypeColumns) + " FROM quota_types WHERE deleted = 0 AND id = " + p.Text(id), p,
          [&](const soci::row& row) { out = ReadType(row); });
    return Status::OK();
  }));
  if (!out) return Status::NotFound("quota type " + std::string(id) + " not found");
  return std::move(*out);
}

Result<AllowedQuota> QuotaRepository::Create(AllowedQuota q) {
  if (q.id.empty()) q.id = internal::NewId();
  AllowedQuota out;
  CAIRN_RETURN_IF_ERROR(db_.RunInTransaction("create allowed quota", [&](soci::session& session) {
    Params t;
    if (internal::QueryInt(session,
                           "SELECT COUNT(*) FROM quota_types WHERE deleted = 0 AND id = " + t.Text(q.quota_type_id),
                           t) == 0) {
      throw StatusError(Status::NotFound("quota type " + q.quota_type_id + " not found"));
    }
    TimePoint now = internal::Now();
    Params p;
    // The unique key (project_id, quota_type_id, deleted_marker) refuses a second live quota.
    Exec(session,
         "INSERT INTO allowed_quotas (id, project_id, quota_type_id, allowed_value, high_watermark, version,"
         " deleted_marker, created_at, updated_at, deleted, deleted_at) VALUES (" +
             p.Text(q.id) + ", " + p.Text(q.project_id) + ", " + p.Text(q.quota_type_id) + ", " +
             p.Int(q.allowed_value) + ", " + p.Int(q.high_watermark) + ", 0, '', " + p.Time(now) + ", " +
             p.Time(now) + ", 0, NULL)",
         p);
    out = MustGet(session, q.id);
    return Status::OK();
  }));
  return out;
}

Result<AllowedQuota> QuotaRepository::Get(std::string_view id) {
  AllowedQuota out;
  CAIRN_RETURN_IF_ERROR(db_.Run("get allowed quota", [&](soci::session& session) {
    out = MustGet(session, id);
    return Status::OK();
  }));
  return out;
}

Result<std::vector<AllowedQuota>> QuotaRepository::ListByProject(std::string_view project_id) {
  std::vector<AllowedQuota> out;
  CAIRN_RETURN_IF_ERROR(db_.Run("list allowed quotas", [&](soci::session& session) {
    Params p;
    Query(session,
          std::string(kQuotaSelect) + " WHERE q.deleted = 0 AND q.project_id = " + p.Text(project_id) +
              " ORDER BY t.display_order, q.id",
          p, [&](const soci::row& row) { out.push_back(ReadQuota(row)); });
    return Status::OK();
  }));
  return out;
}

Result<std::optional<AllowedQuota>> QuotaRepository::Find(std::string_view project_id,
                                                          std::string_view quota_type_id) {
  std::optional<AllowedQuota> out;
  CAIRN_RETURN_IF_ERROR(db_.Run("find allowed quota", [&](soci::session& session) {
    Params p;
    Query(session,
          std::string(kQuotaSelect) + " WHERE q.deleted = 0 AND q.project_id = " + p.Text(project_id) +
              " AND q.quota_type_id = " + p.Text(quota_type_id),
          p, [&](const soci::row& row) { out = ReadQuota(row); });
    return Status::OK();
  }));
  return out;
}

Result<AllowedQuota> QuotaRepository::Update(std::string_view id, const AllowedQuotaUpdate& u) {
  AllowedQuota out;
  CAIRN_RETURN_IF_ERROR(db_.RunInTransaction("update allowed quota", [&](soci::session& session) {
    Params p;
    std::string sets = "updated_at = " + p.Time(internal::Now()) + ", version = version + 1";
    if (u.allowed_value) sets += ", allowed_value = " + p.Int(*u.allowed_value);
    if (u.high_watermark) sets += ", high_watermark = " + p.Int(*u.high_watermark);
    if (Exec(session, "UPDATE allowed_quotas SET " + sets + " WHERE id = " + p.Text(id) + " AND deleted = 0", p) ==
        0) {
      throw StatusError(Status::NotFound("allowed quota " + std::string(id) + " not found"));
    }
    out = MustGet(session, id);
    return Status::OK();
  }));
  return out;
}

Status QuotaRepository::SoftDelete(std::string_view id) {
  // deleted_marker = id frees the unique key for a new live quota.
  return internal::RunSoftDelete(db_, "delete allowed quota", "allowed_quotas", {{"id", id}},
                                 "allowed quota " + std::string(id), "deleted_marker = id");
}

Result<int64_t> QuotaRepository::Purge(TimePoint older_than) {
  return internal::RunPurge(db_, "purge allowed quotas", "allowed_quotas", older_than);
}

}  // namespace cairn::db
