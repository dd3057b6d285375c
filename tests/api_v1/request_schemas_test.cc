// The routes' declared request schemas at work: every declared member is
// checked with the uniform message naming it, undeclared members are
// accepted and ignored (clients send keys Cairn does not use), and the route
// reads the canonical values.
#include <gtest/gtest.h>

#include "api_v1/api_v1_harness.h"
#include "db/snapshot_repository.h"

namespace cairn::api::testing {
namespace {

TEST_F(ApiV1Test, WorkloadCreateSchemaAcceptsUnknownMembersAndNamesTheBadOne) {
  const std::string url = h.P(kProjectA, "/workloads");
  json body = WorkloadBody({kVmA1});
  body["workload"]["no_such_member"] = {{"anything", 1}};
  body["workload"]["encryption"] = "False";  // a string boolean, read as false
  Answer ok = h.Post(url, kTokMemberA, body);
  ASSERT_EQ(ok.status, 202) << ok.Dump();

  json bad = WorkloadBody({kVmA2});
  bad["workload"]["availability_zone"] = 42;
  Answer refused = h.Post(url, kTokMemberA, bad);
  EXPECT_TRUE(IsFault(refused, 400, "badRequest"));
  EXPECT_EQ(FaultMessage(refused), "Invalid value for 'availability_zone': expected a string, got 42");
  json no_instances = WorkloadBody({kVmA2});
  no_instances["workload"].erase("instances");
  EXPECT_EQ(FaultMessage(h.Post(url, kTokMemberA, no_instances)), "'instances' is required");
}

TEST_F(ApiV1Test, SnapshotSchemaReadsTheCanonicalTypeAndRefusesOthers) {
  const std::string wid = h.CreateWorkload(kTokMemberA, {kVmA1});
  h.MarkWorkloadAvailable(wid);
  const std::string url = h.P(kProjectA, "/workloads/" + wid);
  Answer bad = h.Post(url, kTokMemberA, {{"snapshot", {{"snapshot_type", "sideways"}}}});
  EXPECT_TRUE(IsFault(bad, 400, "badRequest"));
  EXPECT_EQ(FaultMessage(bad), "Invalid value for 'snapshot_type': expected \"full\" or \"incremental\"");
  Answer full = h.Post(url, kTokMemberA, {{"snapshot", {{"snapshot_type", "FULL"}, {"is_scheduled", "1"}, {"full", 0}}}});
  ASSERT_EQ(full.status, 202) << full.Dump();
  auto s = db::SnapshotRepository(h.db()).Get(full.body["snapshot"]["id"].get<std::string>());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->snapshot_type, "full");
  EXPECT_TRUE(s->is_scheduled);
}

TEST_F(ApiV1Test, NodeUpdateAndTrustSchemasNameTheMember) {
  const std::string nodes = h.P(kAdminProject, "/workloads/service/update");
  EXPECT_EQ(FaultMessage(h.Post(nodes, kTokAdmin, {{"node_name", "compute-1"}})), "'status' is required");
  EXPECT_EQ(FaultMessage(h.Post(nodes, kTokAdmin, {{"node_name", "compute-1"}, {"status", 2}})).rfind(
                "Invalid value for 'status'", 0),
            0u);
  const std::string trusts = h.P(kProjectA, "/trusts");
  Answer blank = h.Post(trusts, kTokMemberA, {{"trusts", {{"role_name", " "}}}});
  EXPECT_TRUE(IsFault(blank, 400, "badRequest"));
  EXPECT_EQ(FaultMessage(blank), "Invalid value for 'trusts.role_name': empty");
}

}  // namespace
}  // namespace cairn::api::testing
