// The [api] options and the settings read from them.
#include "api/server_options.h"

#include <gtest/gtest.h>

namespace cairn::api {
namespace {

Config ApiConfig() {
  OptionRegistry registry;
  EXPECT_TRUE(RegisterApiServerOptions(registry).ok());
  return Config(std::move(registry));
}

TEST(ServerOptions, Defaults) {
  Config config = ApiConfig();
  auto options = HttpServerOptionsFromConfig(config);
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->bind_host, "0.0.0.0");
  EXPECT_EQ(options->bind_port, 8780);
  EXPECT_EQ(options->workers, 8u);
  EXPECT_EQ(options->max_request_body_size, 1024u * 1024u);
  EXPECT_EQ(options->client_socket_timeout, std::chrono::seconds(60));
  EXPECT_TRUE(options->tls_cert_file.empty());
  EXPECT_EQ(PolicyFileFromConfig(config).value_or(""), "/etc/cairn/policy.yaml");
}

TEST(ServerOptions, FromFile) {
  Config config = ApiConfig();
  ASSERT_TRUE(config
                  .LoadString("[api]\nbind_host = 127.0.0.1\nbind_port = 9999\nworkers = 3\n"
                              "max_request_body_size = 64K\nclient_socket_timeout = 5\n"
                              "tls_cert_file = /c.pem\ntls_key_file = /k.pem\npolicy_file = /p.json\n",
                              "cairn.conf")
                  .ok());
  auto options = HttpServerOptionsFromConfig(config);
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->bind_host, "127.0.0.1");
  EXPECT_EQ(options->bind_port, 9999);
  EXPECT_EQ(options->workers, 3u);
  EXPECT_EQ(options->max_request_body_size, 64u * 1024u);
  EXPECT_EQ(options->client_socket_timeout, std::chrono::seconds(5));
  EXPECT_EQ(options->tls_cert_file, "/c.pem");
  EXPECT_EQ(options->tls_key_file, "/k.pem");
  EXPECT_EQ(PolicyFileFromConfig(config).value_or(""), "/p.json");
}

TEST(ServerOptions, TlsFilesGoTogetherAndBoundsHold) {
  Config config = ApiConfig();
  ASSERT_TRUE(config.LoadString("[api]\ntls_cert_file = /c.pem\n", "cairn.conf").ok());
  EXPECT_EQ(HttpServerOptionsFromConfig(config).status().code(), ErrorCode::kInvalidArgument);
  Config bad = ApiConfig();
  EXPECT_FALSE(bad.LoadString("[api]\nbind_port = 70000\n", "cairn.conf").ok());
  EXPECT_FALSE(bad.LoadString("[api]\nworkers = 0\n", "cairn.conf").ok());
}

}  // namespace
}  // namespace cairn::api
