// Faults, the Status mapping, requests and body parsing.
#include "api/fault.h"

#include <gtest/gtest.h>

#include "api/request.h"

namespace cairn::api {
namespace {

TEST(Fault, OpenStackShape) {
  Response fault = BadRequestFault("Invalid input.");
  EXPECT_EQ(fault.status, 400);
  EXPECT_EQ(*fault.body, nlohmann::json::parse(R"({"badRequest": {"code": 400, "message": "Invalid input."}})"));
  EXPECT_EQ((*UnauthorizedFault().body)["unauthorized"]["code"], 401);
  EXPECT_EQ((*ForbiddenFault("no").body)["forbidden"]["code"], 403);
  EXPECT_EQ((*NotFoundFault("no").body)["itemNotFound"]["code"], 404);
  EXPECT_EQ((*ConflictFault("no").body)["conflict"]["code"], 409);
  EXPECT_EQ((*OverLimitFault("no").body)["overLimit"]["code"], 413);
  EXPECT_EQ((*ServiceUnavailableFault("no").body)["serviceUnavailable"]["code"], 503);
  EXPECT_EQ((*InternalFault("req-1").body)["computeFault"]["code"], 500);
  Response bad_method = BadMethodFault("GET, POST");
  EXPECT_EQ(bad_method.status, 405);
  EXPECT_EQ((*bad_method.body)["badMethod"]["code"], 405);
  EXPECT_EQ(bad_method.Header("ALLOW"), "GET, POST");
}

TEST(Fault, FromStatus) {
  struct Case {
    Status status;
    int http;
    const char* name;
  };
  const Case cases[] = {
      {Status::InvalidArgument("bad"), 400, "badRequest"},
      {Status::PermissionDenied("Policy doesn't allow x to be performed."), 403, "forbidden"},
      {Status::NotFound("gone"), 404, "itemNotFound"},
      {Status::Conflict("busy"), 409, "conflict"},
      {Status::AlreadyExists("dup"), 409, "conflict"},
      {Status::OutOfRange("quota"), 413, "overLimit"},
      {Status::NotSupported("no"), 501, "notImplemented"},
      {Status::Unavailable("keystone down"), 503, "serviceUnavailable"},
  };
  for (const Case& c : cases) {
    Response fault = FaultFromStatus(c.status, "req-1");
    EXPECT_EQ(fault.status, c.http) << c.name;
    EXPECT_EQ((*fault.body)[c.name]["message"], c.status.message()) << c.name;
  }
  for (const Status& internal : {Status::Internal("bug at x.cc:12"), Status::IOError("/var/lib/cairn: EIO"),
                                 Status::Corruption("bad header"), Status::Cancelled("c")}) {
    Response fault = FaultFromStatus(internal, "req-9");
    EXPECT_EQ(fault.status, 500);
    std::string message = (*fault.body)["computeFault"]["message"];
    EXPECT_EQ(message, std::string(kInternalFaultMessage) + " (request id req-9)");
  }
}

TEST(Request, HeadersAndQuery) {
  Request request;
  request.headers.emplace("X-Auth-Token", "tok");
  request.query.emplace("a", "1");
  request.query.emplace("a", "2");
  request.query.emplace("b", "x y");
  EXPECT_EQ(request.Header("x-auth-token"), "tok");
  EXPECT_EQ(request.Header("X-AUTH-TOKEN"), "tok");
  EXPECT_EQ(request.Header("missing"), std::nullopt);
  EXPECT_EQ(request.Query("a"), "1");
  EXPECT_EQ(request.QueryAll("a"), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(request.Query("b"), "x y");
  EXPECT_EQ(request.Query("c"), std::nullopt);
  EXPECT_EQ(request.PathParam("none"), "");
}

Request WithBody(std::string body) {
  Request request;
  request.body = std::move(body);
  return request;
}

TEST(RequestBody, JsonObject) {
  auto body = JsonObjectBody(WithBody(R"({"workload": {"name": "w"}})"));
  ASSERT_TRUE(body.ok());
  auto workload = RequireObjectMember(*body, "workload");
  ASSERT_TRUE(workload.ok());
  EXPECT_EQ((*workload)["name"], "w");
  auto missing = RequireObjectMember(*body, "snapshot");
  EXPECT_EQ(missing.status().message(), "The request body must contain the object 'snapshot'.");
}

TEST(RequestBody, Errors) {
  auto none = JsonObjectBody(WithBody(""));
  EXPECT_EQ(none.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(none.status().message(), "The request body is missing.");
  auto blank = JsonObjectBody(WithBody(" \r\n"));
  EXPECT_EQ(blank.status().message(), "The request body is missing.");
  auto malformed = JsonObjectBody(WithBody(R"({"a": 1,})"));
  EXPECT_EQ(malformed.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(malformed.status().message(), "Malformed request body: invalid JSON at byte 9.");
  auto list = JsonObjectBody(WithBody("[1]"));
  EXPECT_EQ(list.status().message(), "The request body must be a JSON object.");
  EXPECT_EQ(FaultFromStatus(list.status(), "").status, 400);
}

TEST(RequestBody, OptionalAndAny) {
  auto none = OptionalJsonObjectBody(WithBody(""));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto some = OptionalJsonObjectBody(WithBody(R"({"a": true})"));
  ASSERT_TRUE(some.ok());
  EXPECT_EQ((**some)["a"], true);
  EXPECT_FALSE(OptionalJsonObjectBody(WithBody("{")).ok());
  EXPECT_FALSE(OptionalJsonObjectBody(WithBody("3")).ok());
  auto list = JsonBody(WithBody(R"([{"workload_ids": []}])"));
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->is_array());
  EXPECT_FALSE(JsonBody(WithBody("")).ok());
}

}  // namespace
}  // namespace cairn::api
