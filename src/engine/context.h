// EngineContext: what every workflow of the engine works with. Owned by the
// engine process (EngineApp) and shared by its workers; every member is
// thread safe.
#pragma once

#include "common/time.h"
#include "db/database.h"
#include "engine/options.h"
#include "openstack/endpoint_selector.h"
#include "openstack/http_client.h"
#include "openstack/service_session.h"
#include "rpc/task.h"
#include "target/store.h"

namespace cairn::engine {

struct EngineContext {
  db::Database& db;
  target::Store& store;
  rpc::Transport& transport;
  // The service user (admin): only for calls that need admin rights (a
  // server's host and libvirt domain name, volume attachments for the
  // datamover's host) and to validate the users' tokens.
  openstack::ServiceSession& service;
  // Calls to OpenStack services, on the configured interface and region.
  const openstack::HttpClient& http;
  openstack::EndpointSelector selector;
  EngineOptions options;
  const Clock& clock;
};

}  // namespace cairn::engine
