#include "api/v1/api_app.h"

#include "api/server_options.h"
#include "common/log.h"
#include "db/options.h"
#include "db/schema.h"
#include "openstack/options.h"
#include "target/options.h"

namespace cairn::api {

Status RegisterAuthCacheOptions(OptionRegistry& registry) {
  CAIRN_RETURN_IF_ERROR(registry.Register(Option{
      .section = "keystone_authtoken",
      .name = "token_cache_size",
      .type = OptionType::kInt,
      .default_value = "10000",
      .help = "How many validated user tokens cairn-api keeps (least recently used ones go first). "
              "0 validates every request with Keystone.",
      .min = 0,
      .max = 10000000}));
  return registry.Register(Option{
      .section = "keystone_authtoken",
      .name = "token_cache_time",
      .type = OptionType::kInt,
      .default_value = "300",
      .help = "Seconds a validated token is trusted without asking Keystone again (never past its expiry). "
              "A token revoked in Keystone keeps working for at most this long.",
      .min = 0,
      .max = 86400});
}

Status RegisterApiAppOptions(OptionRegistry& registry) {
  CAIRN_RETURN_IF_ERROR(RegisterLoggingOptions(registry));
  CAIRN_RETURN_IF_ERROR(db::RegisterDatabaseOptions(registry));
  CAIRN_RETURN_IF_ERROR(openstack::RegisterKeystoneAuthOptions(registry));
  CAIRN_RETURN_IF_ERROR(openstack::RegisterClientOptions(registry));
  CAIRN_RETURN_IF_ERROR(RegisterApiServerOptions(registry));
  CAIRN_RETURN_IF_ERROR(target::RegisterTargetOptions(registry));  // read by the import routes
  return RegisterAuthCacheOptions(registry);
}

ApiApp::~ApiApp() { Stop(); }

Result<std::unique_ptr<ApiApp>> ApiApp::Create(const Config& config) {
  std::unique_ptr<ApiApp> app(new ApiApp());
  CAIRN_ASSIGN_OR_RETURN(db::DatabaseOptions db_options, db::DatabaseOptionsFromConfig(config));
  CAIRN_ASSIGN_OR_RETURN(app->db_, db::OpenSynced(db_options));
  CAIRN_ASSIGN_OR_RETURN(openstack::ServiceCredentials credentials, openstack::ServiceCredentialsFromConfig(config));
  CAIRN_ASSIGN_OR_RETURN(openstack::ClientOptions clients, openstack::ClientOptionsFromConfig(config));
  app->session_ = std::make_unique<openstack::ServiceSession>(std::move(credentials));
  app->http_ = std::make_unique<openstack::HttpClient>(clients.http);
  CAIRN_ASSIGN_OR_RETURN(std::string policy_file, PolicyFileFromConfig(config));
  CAIRN_ASSIGN_OR_RETURN(app->policy_, PolicyEnforcer::Create(policy_file));
  app->instances_ = std::make_unique<NovaInstanceDirectory>(
      *app->http_, openstack::EndpointSelector(clients.interface, clients.region_name));
  app->identity_ = std::make_unique<KeystoneIdentityDirectory>(*app->session_);
  app->validator_ = std::make_unique<KeystoneTokenValidator>(*app->session_);
  app->service_.reset(new ApiService{.db = *app->db_,
                                     .policy = *app->policy_,
                                     .instances = *app->instances_,
                                     .identity = *app->identity_,
                                     .clock = SystemClock::Get(),
                                     .limits = {}});
  CAIRN_ASSIGN_OR_RETURN(target::TargetOptions target_options, target::TargetOptionsFromConfig(config));
  app->service_->open_target = [path = target_options.path] { return target::OpenPosixStore(path); };

  auto router = std::make_shared<Router>();
  CAIRN_RETURN_IF_ERROR(AddApiRoutes(*router, *app->service_));
  AuthOptions auth;
  CAIRN_ASSIGN_OR_RETURN(int64_t cache_size, config.GetInt("keystone_authtoken", "token_cache_size"));
  CAIRN_ASSIGN_OR_RETURN(int64_t cache_time, config.GetInt("keystone_authtoken", "token_cache_time"));
  auth.cache_size = static_cast<size_t>(cache_size);
  auth.cache_time = std::chrono::seconds(cache_time);
  PolicyEnforcer* policy = app->policy_.get();
  auth.is_admin = [policy](const openstack::Token& token) { return policy->IsAdmin(CredentialsOfToken(token)); };
  auto authenticator = std::make_shared<Authenticator>(*app->validator_, std::move(auth));
  app->router_ = router;
  app->dispatcher_ = std::make_shared<Dispatcher>(router);
  app->dispatcher_->Use(MakeAuthMiddleware(authenticator));
  CAIRN_ASSIGN_OR_RETURN(HttpServerOptions server_options, HttpServerOptionsFromConfig(config));
  app->server_ = std::make_unique<HttpServer>(server_options, app->dispatcher_);
  return app;
}

Status ApiApp::Start() { return server_->Start(); }

void ApiApp::Stop() {
  if (server_) server_->Stop();
}

}  // namespace cairn::api
