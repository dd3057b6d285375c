#include "db/quota_repository.h"

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
  internal::ReadLifecycle(r, t);
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
  internal::ReadLifecycle(r, q);
  return q;
}

AllowedQuota MustGet(soci::session& session, std::string_view id) {
  Params p;
  return internal::Found(
      internal::QueryOne(session, std::string(kQuotaSelect) + " WHERE q.deleted = 0 AND q.id = " + p.Text(id), p,
                         ReadQuota),
      "allowed quota " + std::string(id));
}

}  // namespace

Result<std::vector<QuotaType>> QuotaRepository::ListTypes() {
  return internal::Fetch(db_, "list quota types", [&](soci::session& session) {
    Params p;
    return internal::QueryAll(
        session,
        "SELECT " + std::string(kTypeColumns) + " FROM quota_types WHERE deleted = 0 ORDER BY display_order, name", p,
        ReadType);
  });
}

Result<QuotaType> QuotaRepository::GetType(std::string_view id) {
  return internal::Fetch(db_, "get quota type", [&](soci::session& session) {
    Params p;
    std::string sql =
        "SELECT " + std::string(kTypeColumns) + " FROM quota_types WHERE deleted = 0 AND id = " + p.Text(id);
    return internal::Found(internal::QueryOne(session, sql, p, ReadType), "quota type " + std::string(id));
  });
}

Result<AllowedQuota> QuotaRepository::Create(AllowedQuota q) {
  if (q.id.empty()) q.id = internal::NewId();
  return internal::FetchInTransaction(db_, "create allowed quota", [&](soci::session& session) {
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
         internal::InsertSql("allowed_quotas",
                             "id, project_id, quota_type_id, allowed_value, high_watermark, version, deleted_marker, "
                             "created_at, updated_at, deleted, deleted_at",
                             {p.Text(q.id), p.Text(q.project_id), p.Text(q.quota_type_id), p.Int(q.allowed_value),
                              p.Int(q.high_watermark), "0", "''", p.Time(now), p.Time(now), "0", "NULL"}),
         p);
    return MustGet(session, q.id);
  });
}

Result<AllowedQuota> QuotaRepository::Get(std::string_view id) {
  return internal::Fetch(db_, "get allowed quota", [&](soci::session& session) { return MustGet(session, id); });
}

Result<std::vector<AllowedQuota>> QuotaRepository::ListByProject(std::string_view project_id) {
  return internal::Fetch(db_, "list allowed quotas", [&](soci::session& session) {
    Params p;
    return internal::QueryAll(session,
                              std::string(kQuotaSelect) + " WHERE q.deleted = 0 AND q.project_id = " +
                                  p.Text(project_id) + " ORDER BY t.display_order, q.id",
                              p, ReadQuota);
  });
}

Result<std::optional<AllowedQuota>> QuotaRepository::Find(std::string_view project_id,
                                                          std::string_view quota_type_id) {
  return internal::Fetch(db_, "find allowed quota", [&](soci::session& session) {
    Params p;
    return internal::QueryOne(session,
                              std::string(kQuotaSelect) + " WHERE q.deleted = 0 AND q.project_id = " +
                                  p.Text(project_id) + " AND q.quota_type_id = " + p.Text(quota_type_id),
                              p, ReadQuota);
  });
}

Result<AllowedQuota> QuotaRepository::Update(std::string_view id, const AllowedQuotaUpdate& u) {
  return internal::FetchInTransaction(db_, "update allowed quota", [&](soci::session& session) {
    internal::SetList sets(internal::Now());
    sets.Raw("version = version + 1")
        .Set("allowed_value", u.allowed_value)
        .Set("high_watermark", u.high_watermark);
    if (internal::UpdateLiveRow(session, "allowed_quotas", id, sets) == 0) {
      throw StatusError(Status::NotFound("allowed quota " + std::string(id) + " not found"));
    }
    return MustGet(session, id);
  });
}

Status QuotaRepository::SoftDelete(std::string_view id) {
  // deleted_marker = id frees the unique key for a new live quota.
  return internal::RunSoftDelete(db_, "delete allowed quota", "allowed_quotas", {{"id", id}},
                                 "allowed quota " + std::string(id), "deleted_marker = id");
}

Result<int64_t> QuotaRepository::Purge(TimePoint older_than) {
  return internal::RunPurge(db_, "purge allowed quotas", "allowed_quotas", older_than);
}

Status EnforceQuota(Executor& db, std::string_view project_id, std::string_view quota_type_id,
                    std::string_view type_name, int64_t in_use_after) {
  CAIRN_ASSIGN_OR_RETURN(auto quota, QuotaRepository(db).Find(project_id, quota_type_id));
  if (!quota || quota->allowed_value < 0 || in_use_after <= quota->allowed_value) return Status::OK();
  return Status::OutOfRange("Quota exceeded for " + std::string(type_name) + ": allowed " +
                            std::to_string(quota->allowed_value) + ", requested " + std::to_string(in_use_after) +
                            ".");
}

}  // namespace cairn::db
