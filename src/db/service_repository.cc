#include "db/service_repository.h"

#include <soci/soci.h>

#include "db/fetch.h"
#include "db/sql.h"

namespace cairn::db {
namespace {

using internal::Exec;
using internal::Params;
using internal::Query;
using internal::RowReader;

constexpr std::string_view kColumns =
    "host, binary_name, version, enabled, disabled_reason, capacity, last_heartbeat, created_at, updated_at";

Service ReadService(const soci::row& row, TimePoint now, std::chrono::seconds down_after) {
  RowReader r(row);
  Service s;
  s.host = r.Text();
  s.binary = r.Text();
  s.version = r.Text();
  s.enabled = r.Bool();
  s.disabled_reason = r.Text();
  s.capacity = r.JsonValue("services.capacity");
  s.last_heartbeat = r.OptTime();
  s.created_at = r.Time();
  s.updated_at = r.Time();
  s.up = s.last_heartbeat && now - *s.last_heartbeat <= down_after;
  return s;
}

}  // namespace

Result<Service> ServiceRepository::Upsert(Service s, TimePoint now) {
  if (s.host.empty() || s.binary.empty()) return Status::InvalidArgument("a service needs a host and a binary");
  now = std::chrono::floor<std::chrono::microseconds>(now);
  std::optional<Service> out;
  CAIRN_RETURN_IF_ERROR(db_.RunInTransaction("register service " + s.binary + " on " + s.host,
                                             [&](soci::session& session) {
    Params q;
    int64_t exists = internal::QueryInt(session,
                                        "SELECT COUNT(*) FROM services WHERE host = " + q.Text(s.host) +
                                            " AND binary_name = " + q.Text(s.binary),
                                        q);
    Params p;
    if (exists) {
      Exec(session,
           "UPDATE services SET version = " + p.Text(s.version) + ", capacity = " + p.JsonValue(s.capacity) +
               ", last_heartbeat = " + p.Time(now) + ", updated_at = " + p.Time(now) + " WHERE host = " +
               p.Text(s.host) + " AND binary_name = " + p.Text(s.binary),
           p);
    } else {
      Exec(session,
           internal::InsertSql(
               "services", kColumns,
               {p.Text(s.host), p.Text(s.binary), p.Text(s.version), p.Bool(s.enabled), p.Text(s.disabled_reason),
                p.JsonValue(s.capacity), p.Time(now), p.Time(now), p.Time(now)}),
           p);
    }
    Params g;
    Query(session,
          "SELECT " + std::string(kColumns) + " FROM services WHERE host = " + g.Text(s.host) +
              " AND binary_name = " + g.Text(s.binary),
          g, [&](const soci::row& row) { out = ReadService(row, now, down_after_); });
    return Status::OK();
  }));
  if (!out) return Status::Internal("service row vanished after upsert");
  return std::move(*out);
}

Status ServiceRepository::Heartbeat(std::string_view host, std::string_view binary, const Json& capacity,
                                    TimePoint now) {
  return db_.Run("service heartbeat", [&](soci::session& session) {
    now = std::chrono::floor<std::chrono::microseconds>(now);
    Params p;
    std::string sets = "last_heartbeat = " + p.Time(now) + ", updated_at = " + p.Time(now);
    if (!capacity.is_null()) sets += ", capacity = " + p.JsonValue(capacity);
    if (Exec(session,
             "UPDATE services SET " + sets + " WHERE host = " + p.Text(host) + " AND binary_name = " + p.Text(binary),
             p) == 0) {
      return Status::NotFound("service " + std::string(binary) + " on " + std::string(host) + " is not registered");
    }
    return Status::OK();
  });
}

Result<Service> ServiceRepository::Get(std::string_view host, std::string_view binary, TimePoint now) {
  return internal::Fetch(db_, "get service", [&](soci::session& session) {
    Params p;
    return internal::Found(
        internal::QueryOne(session,
                           "SELECT " + std::string(kColumns) + " FROM services WHERE host = " + p.Text(host) +
                               " AND binary_name = " + p.Text(binary),
                           p, [&](const soci::row& row) { return ReadService(row, now, down_after_); }),
        "service " + std::string(binary) + " on " + std::string(host));
  });
}

Result<std::vector<Service>> ServiceRepository::List(std::string_view binary, TimePoint now) {
  return internal::Fetch(db_, "list services", [&](soci::session& session) {
    Params p;
    std::string sql = "SELECT " + std::string(kColumns) + " FROM services";
    if (!binary.empty()) sql += " WHERE binary_name = " + p.Text(binary);
    return internal::QueryAll(session, sql + " ORDER BY host, binary_name", p,
                              [&](const soci::row& row) { return ReadService(row, now, down_after_); });
  });
}

Status ServiceRepository::SetEnabled(std::string_view host, std::string_view binary, bool enabled,
                                     std::string_view reason) {
  return db_.Run("enable service", [&](soci::session& session) {
    Params p;
    std::string sql = "UPDATE services SET enabled = " + p.Bool(enabled) + ", disabled_reason = " +
                      p.Text(enabled ? std::string_view() : reason) + ", updated_at = " + p.Time(internal::Now()) +
                      " WHERE host = " + p.Text(host);
    if (!binary.empty()) sql += " AND binary_name = " + p.Text(binary);
    if (Exec(session, sql, p) == 0) {
      return Status::NotFound("no service on host " + std::string(host));
    }
    return Status::OK();
  });
}

Status ServiceRepository::Delete(std::string_view host, std::string_view binary) {
  return db_.Run("delete service", [&](soci::session& session) {
    Params p;
    if (Exec(session, "DELETE FROM services WHERE host = " + p.Text(host) + " AND binary_name = " + p.Text(binary),
             p) == 0) {
      return Status::NotFound("service " + std::string(binary) + " on " + std::string(host) + " not found");
    }
    return Status::OK();
  });
}

}  // namespace cairn::db
