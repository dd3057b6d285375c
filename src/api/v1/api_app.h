// ApiApp: cairn-api assembled from its configuration — database, Keystone
// session, policy, Nova and Keystone directories, token authentication,
// routes and the HTTP server. cairn-api's main, cairn-aio and the tests that
// run a real API all build it the same way.
#pragma once

#include <memory>

#include "api/dispatcher.h"
#include "api/http_server.h"
#include "api/policy.h"
#include "api/router.h"
#include "api/v1/auth.h"
#include "api/v1/openstack_directories.h"
#include "api/v1/service.h"
#include "common/config.h"
#include "common/config_schema.h"
#include "db/database.h"
#include "openstack/http_client.h"
#include "openstack/service_session.h"

namespace cairn::api {

// Registers [keystone_authtoken] token_cache_size and token_cache_time.
Status RegisterAuthCacheOptions(OptionRegistry& registry);

// Registers every option cairn-api reads: logging, [database],
// [keystone_authtoken], [clients], [api] and the token cache.
Status RegisterApiAppOptions(OptionRegistry& registry);

class ApiApp {
 public:
  // Builds everything from `config` (holding RegisterApiAppOptions). The
  // database must be at the current schema version (cairn-manage db sync);
  // Keystone is not contacted until the first request.
  static Result<std::unique_ptr<ApiApp>> Create(const Config& config);
  ~ApiApp();

  // Starts serving (returns once the socket listens).
  Status Start();
  // The bound port (after Start).
  int port() const { return server_->port(); }
  // Stops serving; idempotent.
  void Stop();

  // The request pipeline without the socket (for tests).
  const Dispatcher& dispatcher() const { return *dispatcher_; }
  // Every route served (for tests that try them all).
  const Router& router() const { return *router_; }
  db::Database& database() { return *db_; }

 private:
  ApiApp() = default;

  std::unique_ptr<db::Database> db_;
  std::unique_ptr<openstack::ServiceSession> session_;
  std::unique_ptr<openstack::HttpClient> http_;
  std::unique_ptr<PolicyEnforcer> policy_;
  std::unique_ptr<NovaInstanceDirectory> instances_;
  std::unique_ptr<KeystoneIdentityDirectory> identity_;
  std::unique_ptr<KeystoneTokenValidator> validator_;
  std::unique_ptr<ApiService> service_;
  std::shared_ptr<Router> router_;
  std::shared_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace cairn::api
