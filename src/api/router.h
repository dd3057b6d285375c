// Router: maps (method, path) to a route handler.
//
//   router.Add("GET", "/v1/{project_id}/workloads/{workload_id}", ShowWorkload);
//   router.Add("GET", "/", ListVersions, {.auth_required = false});
//
// Patterns are '/'-separated segments; a segment "{name}" matches any one
// non-empty segment and binds it as path parameter `name`. Matching ignores a
// trailing slash and empty segments ("/workload_policy/" is
// "/workload_policy"). Where several patterns match a path, the one with a
// literal segment at the first place they differ wins, so
// "/workloads/detail" beats "/workloads/{workload_id}" whatever the order of
// Add; among the patterns matching the path, the best one that has the
// request's method is chosen (POST /workloads/detail reaches
// POST /workloads/{workload_id}). HEAD is served by a GET route when no HEAD
// route exists.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "api/request.h"
#include "api/response.h"
#include "common/status.h"

namespace cairn::api {

// A route handler. A non-OK Result becomes a fault (fault.h FaultFromStatus);
// an exception thrown is caught and becomes a 500 (dispatcher.h).
using Handler = std::function<Result<Response>(const Request&)>;

struct RouteOptions {
  // False for the few routes served without a token (GET / version list).
  bool auth_required = true;
};

struct Route {
  std::string method;   // upper case
  std::string pattern;  // as given to Add
  Handler handler;
  RouteOptions options{};
};

// A successful match: the route and the bound path parameters.
struct RouteMatch {
  const Route* route = nullptr;  // owned by the Router
  PathParams params;
};

class Router {
 public:
  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;

  // Adds a route. InvalidArgument when the method is not an HTTP method
  // token, the pattern does not start with '/', a parameter segment is
  // malformed ("{}", "{a", "x{a}") or repeats a name; AlreadyExists when the
  // same method has a pattern of the same shape (same literals, parameters in
  // the same places). Not thread safe: add every route before serving.
  Status Add(std::string_view method, std::string_view pattern, Handler handler, RouteOptions options = {});

  // Finds the route for a request. Thread safe once routes are added.
  // Returns the match, or the fault to answer: 404 itemNotFound when no
  // pattern matches the path, 405 badMethod (with an Allow header) when some
  // do but none for this method.
  std::variant<RouteMatch, Response> Match(std::string_view method, std::string_view path) const;

  // Every route, in the order added.
  std::vector<const Route*> Routes() const;

 private:
  struct Node;
  std::unique_ptr<Node> root_;
  std::vector<std::unique_ptr<Route>> routes_;
};

}  // namespace cairn::api
