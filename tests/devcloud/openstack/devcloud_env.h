// The devcloud's credentials for the tests: $DEVCLOUD_DIR/openrc-USER
// (default DEVCLOUD_DIR=/var/tmp/cairn-devcloud), as docs/devcloud.md describes.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <string>

#include "openstack/auth_method.h"
#include "openstack/options.h"

namespace cairn::openstack::devcloud {

inline std::string DevcloudDir() {
  const char* dir = std::getenv("DEVCLOUD_DIR");
  return dir != nullptr && *dir != '\0' ? dir : "/var/tmp/cairn-devcloud";
}

// The OS_* variables of `user`'s openrc file; empty when it cannot be read.
inline std::map<std::string, std::string> ReadOpenrc(const std::string& user) {
  std::map<std::string, std::string> vars;
  std::ifstream in(DevcloudDir() + "/openrc-" + user);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("export ", 0) == 0) line = line.substr(7);
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    vars[line.substr(0, eq)] = value;
  }
  return vars;
}

// A user of the devcloud as the tests need it.
struct CloudUser {
  std::string auth_url;
  std::string username;
  std::string password;
  std::string project_name;
  std::string user_domain_name;
  std::string project_domain_name;
  std::string region;

  PasswordAuth Method() const {
    return {.user_name = username, .user_domain_name = user_domain_name, .password = password};
  }
  ProjectScope Scope() const { return {.project_name = project_name, .domain_name = project_domain_name}; }
  ServiceCredentials AsService() const {
    ServiceCredentials c;
    c.auth_url = auth_url;
    c.username = username;
    c.password = password;
    c.project_name = project_name;
    c.user_domain_name = user_domain_name;
    c.project_domain_name = project_domain_name;
    c.region_name = region;
    c.http.default_timeout = std::chrono::seconds(60);
    return c;
  }
};

// Reads openrc-`user`; fails the test (no silent skip) when it is missing.
inline CloudUser User(const std::string& user) {
  auto vars = ReadOpenrc(user);
  EXPECT_FALSE(vars["OS_AUTH_URL"].empty()) << "no " << DevcloudDir() << "/openrc-" << user
                                            << ": is the devcloud up (devcloud/up && devcloud/seed)?";
  return {vars["OS_AUTH_URL"],          vars["OS_USERNAME"],           vars["OS_PASSWORD"],
          vars["OS_PROJECT_NAME"],      vars["OS_USER_DOMAIN_NAME"],   vars["OS_PROJECT_DOMAIN_NAME"],
          vars["OS_REGION_NAME"]};
}

// "cairn-test-" and 8 random hex digits.
inline std::string RandomName() {
  std::random_device rd;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(rd()));
  return std::string("cairn-test-") + buf;
}

}  // namespace cairn::openstack::devcloud
