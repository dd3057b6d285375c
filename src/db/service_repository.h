// Registered services (datamover nodes, engines) and their heartbeats.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "db/database.h"
#include "db/models.h"

namespace cairn::db {

class ServiceRepository {
 public:
  // `down_after`: a service whose last heartbeat is older than this is down.
  explicit ServiceRepository(Executor& db, std::chrono::seconds down_after = std::chrono::seconds(60))
      : db_(db), down_after_(down_after) {}

  // Registers (host, binary) or updates its version and capacity, and records
  // a heartbeat at `now`. The enabled flag of an existing row is kept.
  Result<Service> Upsert(Service service, TimePoint now = UtcNow());
  // Records a heartbeat (and new capacity when not null). NotFound when not registered.
  Status Heartbeat(std::string_view host, std::string_view binary, const Json& capacity = nullptr,
                   TimePoint now = UtcNow());
  // NotFound when not registered. `up` is computed against `now`.
  Result<Service> Get(std::string_view host, std::string_view binary, TimePoint now = UtcNow());
  // All services (of one binary when not empty), by host; `up` computed against `now`.
  Result<std::vector<Service>> List(std::string_view binary = "", TimePoint now = UtcNow());
  // Enables or disables every service on `host` (of `binary` when not empty);
  // the reason is kept when disabling, cleared when enabling. NotFound when
  // nothing matched.
  Status SetEnabled(std::string_view host, std::string_view binary, bool enabled,
                    std::string_view reason = "");
  // Removes a registration. NotFound when missing.
  Status Delete(std::string_view host, std::string_view binary);

 private:
  Executor& db_;
  std::chrono::seconds down_after_;
};

}  // namespace cairn::db
