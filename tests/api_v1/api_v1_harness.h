// Test harness of the workloadmgr v1 routes: a synced SQLite database in a
// temp directory, the default policy, a fake token validator, fake Nova and
// Keystone directories, a ManualClock, and the Router + Dispatcher (with the
// auth middleware) driven directly with api::Request objects.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/dispatcher.h"
#include "api/policy.h"
#include "api/request.h"
#include "api/response.h"
#include "api/router.h"
#include "api/v1/auth.h"
#include "api/v1/service.h"
#include "common/time.h"
#include "db/database.h"
#include "db/models.h"

namespace cairn::api::testing {

using nlohmann::json;

// Projects (Keystone style: 32 hex digits) and users.
inline constexpr char kProjectA[] = "aaaa0000aaaa0000aaaa0000aaaa0000";
inline constexpr char kProjectB[] = "bbbb1111bbbb1111bbbb1111bbbb1111";
inline constexpr char kAdminProject[] = "adad2222adad2222adad2222adad2222";
inline constexpr char kUserA[] = "user-member-a";
inline constexpr char kUserA2[] = "user-member2-a";
inline constexpr char kUserReaderA[] = "user-reader-a";
inline constexpr char kUserB[] = "user-member-b";
inline constexpr char kUserAdmin[] = "user-admin";

// Tokens the fake validator knows.
inline constexpr char kTokMemberA[] = "tok-member-a";
inline constexpr char kTokMember2A[] = "tok-member2-a";
inline constexpr char kTokReaderA[] = "tok-reader-a";
inline constexpr char kTokMemberB[] = "tok-member-b";
inline constexpr char kTokAdmin[] = "tok-admin";

// Nova servers the fake directory knows (three per project, one that makes
// Nova "unreachable").
inline constexpr char kVmA1[] = "a1000000-0000-4000-8000-000000000001";
inline constexpr char kVmA2[] = "a1000000-0000-4000-8000-000000000002";
inline constexpr char kVmA3[] = "a1000000-0000-4000-8000-000000000003";
inline constexpr char kVmA4[] = "a1000000-0000-4000-8000-000000000004";
inline constexpr char kVmB1[] = "b1000000-0000-4000-8000-000000000001";
inline constexpr char kVmB2[] = "b1000000-0000-4000-8000-000000000002";
inline constexpr char kVmB3[] = "b1000000-0000-4000-8000-000000000003";
inline constexpr char kVmNovaDown[] = "dddddddd-0000-4000-8000-000000000000";

inline constexpr char kSerialType[] = "f82ce76f-17fe-438b-aa37-7a023058e50d";
inline constexpr char kParallelType[] = "2ddd528d-c9b4-4d7e-8722-cc395140255a";

// The project of a token.
std::string ProjectOfToken(std::string_view token);

class FakeTokenValidator final : public TokenValidator {
 public:
  explicit FakeTokenValidator(const Clock& clock) : clock_(clock) {}
  Result<openstack::Token> Validate(std::string_view token) override;
  int calls() const { return calls_; }

 private:
  const Clock& clock_;
  int calls_ = 0;
  std::mutex mu_;
};

class FakeInstances final : public InstanceDirectory {
 public:
  FakeInstances();
  Result<InstanceInfo> Get(const AuthContext& caller, std::string_view vm_id) override;
  std::map<std::string, InstanceInfo> servers;
};

class FakeIdentity final : public IdentityDirectory {
 public:
  Status ProjectExists(std::string_view project_id) override;
  Status UserExists(std::string_view user_id) override;
  Result<std::string> CreateTrust(const AuthContext& caller, std::string_view role_name) override;
  Status DeleteTrust(std::string_view trust_id) override;
  Status TrustValid(std::string_view trust_id) override;

  std::mutex mu;
  std::set<std::string> trusts;  // live Keystone trusts
  int next_trust = 0;
};

// One answer, with the body parsed back from its JSON text.
struct Answer {
  int status = 0;
  json body;  // null without a body
  std::vector<std::pair<std::string, std::string>> headers;
  std::string text;  // the body as the server would send it

  std::string Dump() const { return std::to_string(status) + " " + text; }
};

// A request to send: the path may carry "?a=b&c" (no percent decoding).
struct Call {
  std::string method = "GET";
  std::string path;
  std::string token;
  std::string body;  // raw
};

class ApiHarness {
 public:
  // The default policy with `policy_overrides` merged in (as a policy file would).
  explicit ApiHarness(const PolicyTexts& policy_overrides = {});
  ~ApiHarness();

  // Sends a request through the dispatcher (auth middleware + route).
  Answer Send(Request request);
  Answer Do(std::string method, std::string path_and_query, std::string_view token, std::string body = {});
  Answer Get(std::string path, std::string_view token) { return Do("GET", std::move(path), token); }
  Answer Post(std::string path, std::string_view token, const json& body) {
    return Do("POST", std::move(path), token, body.dump());
  }
  Answer Put(std::string path, std::string_view token, const json& body) {
    return Do("PUT", std::move(path), token, body.dump());
  }
  Answer Delete(std::string path, std::string_view token) { return Do("DELETE", std::move(path), token); }

  // "/v1/<project>" + tail.
  static std::string P(std::string_view project, std::string_view tail);

  // Creates a workload through the API as `token` (in its project) and
  // returns its id ("" and a test failure when refused).
  std::string CreateWorkload(std::string_view token, const std::vector<std::string>& vms,
                             std::string name = "wl", json extra = json::object());
  // What an engine would do: the workload becomes available.
  void MarkWorkloadAvailable(const std::string& workload_id);
  // A finished snapshot of a workload (as an engine would record it), with
  // one VM row and one disk (a boot disk) per VM of the workload, plus a
  // volume disk for the first VM. Returns the snapshot.
  db::Snapshot AddAvailableSnapshot(const std::string& workload_id, std::string name = "snap");
  // A restore row in `status`.
  db::Restore AddRestore(const db::Snapshot& snapshot, std::string status, std::string name = "restore");

  size_t CountWorkloads(bool include_deleted = true);
  size_t CountJobs(std::string_view kind = "");

  db::Database& db() { return *db_; }
  ManualClock& clock() { return clock_; }
  ApiService& service() { return *service_; }
  const Router& router() const { return *router_; }
  FakeIdentity& identity() { return identity_; }
  FakeInstances& instances() { return instances_; }
  PolicyEnforcer& policy() { return *policy_; }
  std::shared_ptr<Dispatcher> dispatcher() { return dispatcher_; }

 private:
  std::string dir_;
  ManualClock clock_;
  std::unique_ptr<db::Database> db_;
  std::unique_ptr<PolicyEnforcer> policy_;
  FakeInstances instances_;
  FakeIdentity identity_;
  std::unique_ptr<FakeTokenValidator> validator_;
  std::unique_ptr<ApiService> service_;
  std::shared_ptr<Router> router_;
  std::shared_ptr<Dispatcher> dispatcher_;
  int next_request_ = 0;
};

// A fixture giving each test a fresh harness.
class ApiV1Test : public ::testing::Test {
 protected:
  ApiHarness h;
};

// Checks the OpenStack fault shape {"<key>": {"code": status, "message": "..."}}
// with a non-empty message; returns the message ("" on failure).
std::string FaultMessage(const Answer& answer);
// Expects a fault of `status` with fault key `key`.
::testing::AssertionResult IsFault(const Answer& answer, int status, std::string_view key);

// A valid workload create body.
json WorkloadBody(const std::vector<std::string>& vms, std::string name = "wl");

// `s` in upper case (ASCII).
std::string AsciiUpper(std::string_view s);

// The seconds of "YYYY-MM-DDTHH:MM:SS.ffffff" (created_at with microseconds).
bool HasMicroseconds(const json& time);

}  // namespace cairn::api::testing
