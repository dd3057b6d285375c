// Shared pieces of the devcloud tests of the service clients: the demo
// user's token, clients on the public interface, and a guard that undoes
// what a test made even when an assertion ends the test early.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <utility>

#include "devcloud_env.h"
#include "openstack/http_client.h"
#include "openstack/keystone.h"
#include "openstack/token.h"

namespace cairn::openstack::devcloud {

// Runs `undo` when it goes out of scope (test end, failed ASSERT), unless
// Dismiss()ed. Not copyable.
class Cleanup {
 public:
  explicit Cleanup(std::function<void()> undo = {}) : undo_(std::move(undo)) {}
  Cleanup(const Cleanup&) = delete;
  Cleanup& operator=(const Cleanup&) = delete;
  ~Cleanup() {
    if (undo_) undo_();
  }
  void Set(std::function<void()> undo) { undo_ = std::move(undo); }
  void Dismiss() { undo_ = nullptr; }

 private:
  std::function<void()> undo_;
};

// The demo user's project-scoped token (fails the test when it cannot get one).
inline Token DemoToken(const HttpClient& http) {
  const CloudUser demo = User("demo");
  KeystoneClient keystone(http, demo.auth_url);
  auto token = keystone.Authenticate(demo.Method(), demo.Scope());
  EXPECT_TRUE(token.ok()) << token.status().ToString();
  return token.ok() ? *token : Token{};
}

}  // namespace cairn::openstack::devcloud
