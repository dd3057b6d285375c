// EngineContext: what every workflow of the engine works with. Owned by the
// engine process (EngineApp) and shared by its workers; every member is
// thread safe.
#pragma once

#include "common/time.h"
#include "db/database.h"
#include "engine/options.h"
#include "engine/cloud_driver.h"
#include "rpc/task.h"
#include "target/store.h"

namespace cairn::engine {

struct EngineContext {
  db::Database& db;
  target::Store& store;
  rpc::Transport& transport;
  // Every OpenStack call of the workflows (cloud_driver.h): as the job's
  // user, or as the service user (admin) only where admin rights are needed
  // (a server's host and libvirt domain name).
  CloudDriver& cloud;
  EngineOptions options;
  const Clock& clock;
};

}  // namespace cairn::engine
