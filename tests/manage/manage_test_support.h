// Shared helpers of the cairn-manage tests: a Config holding every option
// cairn-manage registers, loaded from INI text.
#pragma once

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "common/config.h"
#include "manage/options.h"

namespace cairn::manage {

// A Config with RegisterManageOptions and `ini` loaded (fails the test when
// it does not load).
inline Config ManageConfig(const std::string& ini) {
  OptionRegistry registry;
  Status registered = RegisterManageOptions(registry);
  EXPECT_TRUE(registered.ok()) << registered.ToString();
  Config config(std::move(registry));
  Status loaded = config.LoadString(ini, "test.conf");
  EXPECT_TRUE(loaded.ok()) << loaded.ToString();
  return config;
}

// A TCP port on 127.0.0.1 that refuses connections at once: bound (so no
// one else takes it) but not listening. Released at destruction.
class ClosedPort {
 public:
  ClosedPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port_ = ntohs(addr.sin_port);
  }
  ~ClosedPort() { ::close(fd_); }
  ClosedPort(const ClosedPort&) = delete;
  ClosedPort& operator=(const ClosedPort&) = delete;
  int port() const { return port_; }
  // "http://127.0.0.1:<port>" + path.
  std::string Url(const std::string& path = "") const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace cairn::manage
