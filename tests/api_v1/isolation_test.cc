// The isolation matrix: every route of the router, called by each identity
// against the objects of project A and of project B, in the caller's own URL
// and in the other project's. No answer to a caller outside a project shows
// that project's ids or names; the codes are the expected ones; never a 5xx.
#include <gtest/gtest.h>

#include "db/restore_repository.h"
#include "db/setting_repository.h"
#include "db/snapshot_repository.h"
#include "db/trust_repository.h"
#include "db/quota_repository.h"
#include "db/workload_repository.h"
#include "api_v1/route_fixtures.h"

namespace cairn::api::testing {
namespace {

struct Caller {
  const char* token;
  std::string project;
  bool admin;
};

const Caller kCallers[] = {
    {kTokMemberA, kProjectA, false}, {kTokMember2A, kProjectA, false}, {kTokReaderA, kProjectA, false},
    {kTokMemberB, kProjectB, false}, {kTokAdmin, kAdminProject, true},
};

// A secret of `owner` in `answer` that the request did not carry itself.
std::string LeakedSecret(const Answer& answer, const ProjectObjects& owner, const std::string& request_text) {
  for (const auto& secret : owner.Secrets()) {
    if (secret.empty() || answer.text.find(secret) == std::string::npos) continue;
    // A fault may echo what the caller sent (e.g. "Workload <id> could not be found.").
    if (answer.status >= 400 && request_text.find(secret) != std::string::npos) continue;
    return secret;
  }
  return "";
}

class IsolationTest : public ApiV1Test {
 protected:
  void SetUp() override {
    a_ = SeedProject(h, true);
    b_ = SeedProject(h, false);
  }

  // Calls every route (and each list route with the filter queries) as
  // `caller` against `objects`, checking each answer.
  void RunMatrix(const Caller& caller, const ProjectObjects& objects) {
    const bool outsider = !caller.admin && caller.project != objects.project;
    for (const Route* route : h.router().Routes()) {
      if (!route->options.auth_required) continue;
      for (const std::string& url_project : {caller.project, objects.project}) {
        std::vector<std::string> paths = {RoutePath(*route, objects, url_project)};
        if (route->method == "GET" && !NamesAnObject(*route)) {
          for (const std::string& q : {"?workload_id=" + objects.workload, "?snapshot_id=" + objects.snapshot,
                                      std::string("?all=True"), std::string("?all_workloads=True"),
                                      "?project_id=" + objects.project, "?marker=" + objects.workload}) {
            paths.push_back(paths.front() + q);
          }
        }
        for (const auto& path : paths) {
          const std::string body = ValidBody(*route, objects);
          const std::string what = std::string(caller.token) + " " + route->method + " " + path;
          Answer a = h.Do(route->method, path, caller.token, body);
          ++calls_;
          ASSERT_LT(a.status, 500) << what << " -> " << a.Dump();
          if (a.status >= 400) {
            EXPECT_FALSE(FaultMessage(a).empty()) << what << " -> " << a.Dump();
          }
          if (!caller.admin && url_project != caller.project) {
            // The auth middleware refuses another project's URL.
            EXPECT_EQ(a.status, 403) << what << " -> " << a.Dump();
            continue;
          }
          if (outsider) {
            const std::string leaked = LeakedSecret(a, objects, path + " " + body);
            EXPECT_EQ(leaked, "") << what << " -> " << a.Dump();
            if (NamesAnObject(*route)) {
              EXPECT_TRUE(a.status == 403 || a.status == 404) << what << " -> " << a.Dump();
            }
          }
          if (!caller.admin && IsAdminRoute(*route) && !(outsider && a.status == 404 && NamesAnObject(*route))) {
            EXPECT_EQ(a.status, 403) << what << " -> " << a.Dump();
            EXPECT_EQ(FaultMessage(a).rfind("Policy doesn't allow ", 0), 0u) << what << " -> " << a.Dump();
          }
          if (caller.token == std::string(kTokReaderA) && !IsReadRoute(*route) && !outsider) {
            EXPECT_EQ(a.status, 403) << what << " -> " << a.Dump();
            EXPECT_EQ(FaultMessage(a).rfind("Policy doesn't allow ", 0), 0u) << what << " -> " << a.Dump();
          }
        }
      }
    }
  }

  // The objects of `o` are as seeded (an outsider changed nothing).
  void ExpectUntouched(const ProjectObjects& o) {
    auto w = db::WorkloadRepository(h.db()).Get(o.workload);
    ASSERT_TRUE(w.ok());
    EXPECT_EQ(w->name, o.workload_name);
    EXPECT_EQ(w->project_id, o.project);
    EXPECT_EQ(w->status, "available");
    EXPECT_EQ(w->description, "a test workload");
    EXPECT_EQ(db::WorkloadRepository(h.db()).Get(o.victim_workload)->status, "creating");
    EXPECT_EQ(db::SnapshotRepository(h.db()).Get(o.snapshot)->status, "available");
    EXPECT_EQ(db::SnapshotRepository(h.db()).Get(o.victim_snapshot)->status, "available");
    EXPECT_EQ(db::RestoreRepository(h.db()).Get(o.restore)->status, "executing");
    EXPECT_TRUE(db::RestoreRepository(h.db()).Get(o.victim_restore).ok());
    EXPECT_EQ(db::SettingRepository(h.db()).Get(o.project, o.setting_name)->value, o.setting_value);
    EXPECT_TRUE(db::TrustRepository(h.db()).GetByName(o.trust).ok());
    EXPECT_EQ(db::QuotaRepository(h.db()).Get(o.quota)->allowed_value, 100);
  }

  ProjectObjects a_, b_;
  int calls_ = 0;
};

TEST_F(IsolationTest, MemberOfBAgainstA) {
  RunMatrix(kCallers[3], a_);
  ExpectUntouched(a_);
  EXPECT_GT(calls_, 100);
}

TEST_F(IsolationTest, MembersAndReaderOfAAgainstB) {
  for (int i = 0; i < 3; ++i) RunMatrix(kCallers[i], b_);
  ExpectUntouched(b_);
}

TEST_F(IsolationTest, ReaderOfAAgainstA) {
  RunMatrix(kCallers[2], a_);
  ExpectUntouched(a_);  // a reader changes nothing either
}

TEST_F(IsolationTest, MembersAgainstTheirOwnProject) {
  RunMatrix(kCallers[3], b_);
  RunMatrix(kCallers[0], a_);
  RunMatrix(kCallers[1], a_);
  // B's members never touched A.
  auto w = db::WorkloadRepository(h.db()).Get(a_.workload);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->project_id, kProjectA);
}

TEST_F(IsolationTest, AdminEverywhere) {
  RunMatrix(kCallers[4], a_);
  RunMatrix(kCallers[4], b_);
}

}  // namespace
}  // namespace cairn::api::testing
