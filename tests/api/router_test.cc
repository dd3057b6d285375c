// Router matching, precedence, 404/405, and the Dispatcher around it.
#include "api/router.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "api/dispatcher.h"
#include "api/fault.h"

namespace cairn::api {
namespace {

// A handler answering {"route": name, "params": {...}}.
Handler Named(std::string name) {
  return [name](const Request& request) -> Result<Response> {
    nlohmann::json params = nlohmann::json::object();
    for (const auto& [key, value] : request.path_params) params[key] = value;
    return Response::Json(200, {{"route", name}, {"params", params}});
  };
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Added in an order that would mislead a first-match router.
    Add("GET", "/v1/{project_id}/workloads/{workload_id}", "show");
    Add("POST", "/v1/{project_id}/workloads/{workload_id}", "snapshot");
    Add("PUT", "/v1/{project_id}/workloads/{workload_id}", "update");
    Add("DELETE", "/v1/{project_id}/workloads/{workload_id}", "delete");
    Add("GET", "/v1/{project_id}/workloads/detail", "detail");
    Add("GET", "/v1/{project_id}/workloads", "index");
    Add("POST", "/v1/{project_id}/workloads", "create");
    Add("GET", "/v1/{project_id}/workloads/metrics/nodes", "nodes");
    Add("GET", "/v1/{project_id}/workloads/{workload_id}/snapshots/{snapshot_id}", "wl_snapshot");
    Add("GET", "/v1/{project_id}/workload_policy", "policy_list");
    Add("GET", "/", "versions");
  }
  void Add(const char* method, const char* pattern, const char* name) {
    ASSERT_TRUE(router_.Add(method, pattern, Named(name)).ok()) << pattern;
  }
  // The route name matched, or "<status>" for a fault.
  std::string Route(std::string_view method, std::string_view path, PathParams* params = nullptr) {
    auto match = router_.Match(method, path);
    if (auto* fault = std::get_if<Response>(&match)) return "<" + std::to_string(fault->status) + ">";
    const RouteMatch& found = std::get<RouteMatch>(match);
    if (params != nullptr) *params = found.params;
    Request request;
    request.path_params = found.params;
    auto response = found.route->handler(request);
    return (*response->body)["route"].get<std::string>();
  }

  Router router_;
};

TEST_F(RouterTest, ParametersAreBound) {
  PathParams params;
  EXPECT_EQ(Route("GET", "/v1/p1/workloads/w1", &params), "show");
  EXPECT_EQ(params, (PathParams{{"project_id", "p1"}, {"workload_id", "w1"}}));
  EXPECT_EQ(Route("GET", "/v1/p1/workloads/w1/snapshots/s1", &params), "wl_snapshot");
  EXPECT_EQ(params.at("snapshot_id"), "s1");
}

TEST_F(RouterTest, LiteralsBeatParameters) {
  EXPECT_EQ(Route("GET", "/v1/p1/workloads/detail"), "detail");
  EXPECT_EQ(Route("GET", "/v1/p1/workloads/metrics/nodes"), "nodes");
  // A method only the parameter route has still reaches it.
  EXPECT_EQ(Route("POST", "/v1/p1/workloads/detail"), "snapshot");
}

TEST_F(RouterTest, TrailingSlashAndEmptySegments) {
  EXPECT_EQ(Route("GET", "/v1/p1/workload_policy/"), "policy_list");
  EXPECT_EQ(Route("GET", "/v1/p1/workloads/"), "index");
  EXPECT_EQ(Route("GET", "/v1//p1/workloads"), "index");
  EXPECT_EQ(Route("GET", "/"), "versions");
  EXPECT_EQ(Route("GET", ""), "versions");
}

TEST_F(RouterTest, MethodsAreCaseInsensitiveAndHeadUsesGet) {
  EXPECT_EQ(Route("get", "/v1/p1/workloads"), "index");
  EXPECT_EQ(Route("HEAD", "/v1/p1/workloads"), "index");
}

TEST_F(RouterTest, NotFoundIsItemNotFound) {
  auto match = router_.Match("GET", "/v1/p1/nothing");
  ASSERT_TRUE(std::holds_alternative<Response>(match));
  const Response& fault = std::get<Response>(match);
  EXPECT_EQ(fault.status, 404);
  EXPECT_EQ((*fault.body)["itemNotFound"]["code"], 404);
  EXPECT_EQ(Route("GET", "/v1/p1/workloads/w1/extra/deep"), "<404>");
  EXPECT_EQ(Route("GET", "/v2"), "<404>");
}

TEST_F(RouterTest, WrongMethodIsBadMethodWithAllow) {
  auto match = router_.Match("PATCH", "/v1/p1/workloads/w1");
  ASSERT_TRUE(std::holds_alternative<Response>(match));
  const Response& fault = std::get<Response>(match);
  EXPECT_EQ(fault.status, 405);
  EXPECT_EQ((*fault.body)["badMethod"]["code"], 405);
  EXPECT_EQ(fault.Header("allow"), "DELETE, GET, HEAD, POST, PUT");
  // Allow covers every pattern matching the path.
  auto detail = router_.Match("DELETE", "/v1/p1/workloads");
  ASSERT_TRUE(std::holds_alternative<Response>(detail));
  EXPECT_EQ(std::get<Response>(detail).Header("Allow"), "GET, HEAD, POST");
}

TEST(RouterAdd, RejectsMalformedAndDuplicateRoutes) {
  Router router;
  auto ok = [](const Request&) -> Result<Response> { return Response::NoBody(204); };
  EXPECT_TRUE(router.Add("GET", "/a/{id}", ok).ok());
  EXPECT_EQ(router.Add("GET", "/a/{other}", ok).code(), ErrorCode::kAlreadyExists);
  EXPECT_TRUE(router.Add("POST", "/a/{other}", ok).ok());
  EXPECT_EQ(router.Add("GET", "a/b", ok).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(router.Add("GET", "/a/{}", ok).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(router.Add("GET", "/a/{x", ok).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(router.Add("GET", "/a/x{y}", ok).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(router.Add("GET", "/{x}/{x}", ok).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(router.Add("G ET", "/b", ok).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(router.Routes().size(), 2u);
}

TEST(RouterAdd, AuthFlagIsKept) {
  Router router;
  auto ok = [](const Request&) -> Result<Response> { return Response::NoBody(204); };
  ASSERT_TRUE(router.Add("GET", "/", ok, {.auth_required = false}).ok());
  ASSERT_TRUE(router.Add("GET", "/v1/{project_id}/x", ok).ok());
  auto root = router.Match("GET", "/");
  ASSERT_TRUE(std::holds_alternative<RouteMatch>(root));
  EXPECT_FALSE(std::get<RouteMatch>(root).route->options.auth_required);
  EXPECT_TRUE(std::get<RouteMatch>(router.Match("GET", "/v1/p/x")).route->options.auth_required);
}

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto router = std::make_shared<Router>();
    ASSERT_TRUE(router->Add("GET", "/ok/{id}", Named("ok")).ok());
    ASSERT_TRUE(router->Add("GET", "/public", Named("public"), {.auth_required = false}).ok());
    ASSERT_TRUE(router->Add("GET", "/missing", [](const Request&) -> Result<Response> {
      return Status::NotFound("Workload w1 could not be found.");
    }).ok());
    ASSERT_TRUE(router->Add("GET", "/broken", [](const Request&) -> Result<Response> {
      return Status::Internal("invariant x broke at /secret/path");
    }).ok());
    ASSERT_TRUE(router->Add("GET", "/throws", [](const Request&) -> Result<Response> {
      throw std::runtime_error("boom with internal detail");
    }).ok());
    dispatcher_ = std::make_unique<Dispatcher>(router);
  }
  Response Get(std::string path) {
    Request request;
    request.method = "GET";
    request.path = std::move(path);
    request.request_id = "req-test";
    return dispatcher_->Handle(request);
  }
  std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(DispatcherTest, HandlerResultsAndStatusMapping) {
  Response ok = Get("/ok/7");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ((*ok.body)["params"]["id"], "7");
  Response missing = Get("/missing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ((*missing.body)["itemNotFound"]["message"], "Workload w1 could not be found.");
  Response broken = Get("/broken");
  EXPECT_EQ(broken.status, 500);
  std::string message = (*broken.body)["computeFault"]["message"];
  EXPECT_EQ(message.find("secret"), std::string::npos);
  EXPECT_NE(message.find("req-test"), std::string::npos);
  EXPECT_EQ(Get("/nowhere").status, 404);
}

TEST_F(DispatcherTest, ExceptionsBecome500) {
  Response thrown = Get("/throws");
  EXPECT_EQ(thrown.status, 500);
  std::string message = (*thrown.body)["computeFault"]["message"];
  EXPECT_EQ(message.find("boom"), std::string::npos);
  EXPECT_NE(message.find("req-test"), std::string::npos);
}

TEST_F(DispatcherTest, MiddlewareSeesRouteAndMayAnswer) {
  std::vector<std::string> seen;
  dispatcher_->Use([&seen](Request& request, const Route& route) -> std::optional<Response> {
    seen.push_back(route.pattern);
    if (route.options.auth_required && !request.Header("X-Auth-Token")) return UnauthorizedFault();
    return std::nullopt;
  });
  EXPECT_EQ(Get("/ok/1").status, 401);
  EXPECT_EQ(Get("/public").status, 200);
  Request with_token;
  with_token.method = "GET";
  with_token.path = "/ok/2";
  with_token.headers.emplace("x-auth-token", "t");
  EXPECT_EQ(dispatcher_->Handle(with_token).status, 200);
  EXPECT_EQ(seen, (std::vector<std::string>{"/ok/{id}", "/public", "/ok/{id}"}));
  // No middleware runs for an unknown path.
  EXPECT_EQ(Get("/nowhere").status, 404);
  EXPECT_EQ(seen.size(), 3u);
}

TEST_F(DispatcherTest, MiddlewareExceptionBecomes500) {
  dispatcher_->Use([](Request&, const Route&) -> std::optional<Response> { throw std::logic_error("mw"); });
  EXPECT_EQ(Get("/ok/1").status, 500);
}

}  // namespace
}  // namespace cairn::api
