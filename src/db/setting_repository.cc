#include "db/setting_repository.h"

#include <soci/soci.h>

#include "common/strings.h"
#include "db/fetch.h"
#include "db/soft_delete.h"
#include "db/sql.h"

namespace cairn::db {
namespace {

using internal::Exec;
using internal::Params;
using internal::RowReader;

constexpr std::string_view kColumns =
    "project_id, name, value, category, type, is_public, is_hidden, description, metadata, user_id, created_at,"
    " updated_at, deleted, deleted_at";

Setting ReadSetting(const soci::row& row) {
  RowReader r(row);
  Setting s;
  s.project_id = r.Text();
  s.name = r.Text();
  s.value = r.Text();
  s.category = r.Text();
  s.type = r.Text();
  s.is_public = r.Bool();
  s.is_hidden = r.Bool();
  s.description = r.Text();
  s.metadata = r.JsonValue("settings.metadata");
  s.user_id = r.Text();
  internal::ReadLifecycle(r, s);
  return s;
}

std::optional<Setting> SelectOne(soci::session& session, std::string_view project_id, std::string_view name,
                                 bool include_deleted) {
  Params p;
  std::string sql = "SELECT " + std::string(kColumns) + " FROM settings WHERE project_id = " + p.Text(project_id) +
                    " AND name = " + p.Text(name);
  if (!include_deleted) sql += " AND deleted = 0";
  return internal::QueryOne(session, sql, p, ReadSetting);
}

}  // namespace

Result<Setting> SettingRepository::Upsert(Setting s) {
  if (s.name.empty()) return Status::InvalidArgument("a setting needs a name");
  CAIRN_RETURN_IF_ERROR(db_.RunInTransaction("save setting " + s.name, [&](soci::session& session) {
    TimePoint now = internal::Now();
    std::optional<Setting> existing = SelectOne(session, s.project_id, s.name, /*include_deleted=*/true);
    s.updated_at = now;
    s.deleted = false;
    s.deleted_at.reset();
    Params p;
    if (existing) {
      s.created_at = existing->deleted ? now : existing->created_at;
      Exec(session,
           "UPDATE settings SET value = " + p.Text(s.value) + ", category = " + p.Text(s.category) +
               ", type = " + p.Text(s.type) + ", is_public = " + p.Bool(s.is_public) + ", is_hidden = " +
               p.Bool(s.is_hidden) + ", description = " + p.Text(s.description) + ", metadata = " +
               p.JsonValue(s.metadata) + ", user_id = " + p.Text(s.user_id) + ", created_at = " +
               p.Time(s.created_at) + ", updated_at = " + p.Time(now) +
               ", deleted = 0, deleted_at = NULL WHERE project_id = " + p.Text(s.project_id) +
               " AND name = " + p.Text(s.name),
           p);
    } else {
      s.created_at = now;
      Exec(session,
           internal::InsertSql("settings", kColumns,
                               {p.Text(s.project_id), p.Text(s.name), p.Text(s.value), p.Text(s.category),
                                p.Text(s.type), p.Bool(s.is_public), p.Bool(s.is_hidden), p.Text(s.description),
                                p.JsonValue(s.metadata), p.Text(s.user_id), p.Time(now), p.Time(now), "0", "NULL"}),
           p);
    }
    return Status::OK();
  }));
  return s;
}

Result<Setting> SettingRepository::Get(std::string_view project_id, std::string_view name) {
  return internal::Fetch(db_, "get setting", [&](soci::session& session) {
    return internal::Found(SelectOne(session, project_id, name, false), "setting " + std::string(name));
  });
}

Result<std::vector<Setting>> SettingRepository::List(std::string_view project_id, bool include_hidden) {
  return internal::Fetch(db_, "list settings", [&](soci::session& session) {
    Params p;
    std::string sql = "SELECT " + std::string(kColumns) + " FROM settings WHERE deleted = 0 AND project_id = " +
                      p.Text(project_id);
    if (!include_hidden) sql += " AND is_hidden = 0";
    return internal::QueryAll(session, sql + " ORDER BY name", p, ReadSetting);
  });
}

Status SettingRepository::Delete(std::string_view project_id, std::string_view name) {
  return internal::RunSoftDelete(db_, "delete setting", "settings", {{"project_id", project_id}, {"name", name}},
                                 "setting " + std::string(name));
}

Result<int64_t> SettingRepository::Purge(TimePoint older_than) {
  return internal::RunPurge(db_, "purge settings", "settings", older_than);
}

Result<bool> GlobalJobSchedulerEnabled(Executor& db) {
  auto s = SettingRepository(db).Get(kGlobalProject, kGlobalJobSchedulerSetting);
  if (!s.ok()) {
    if (s.status().code() == ErrorCode::kNotFound) return true;
    return s.status();
  }
  return AsciiLower(s->value) == "true";
}

}  // namespace cairn::db
