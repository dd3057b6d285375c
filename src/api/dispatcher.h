// Dispatcher: routes a Request, runs the middleware and the handler, and
// turns every failure into a fault answer. The HTTP server calls it for each
// request; tests can call it directly, without a socket.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "api/request.h"
#include "api/response.h"
#include "api/router.h"

namespace cairn::api {

// Runs before the handler of a matched route, in the order added (e.g. the
// auth middleware: check the token, set request.auth). Returning a Response
// answers the request with it (e.g. a 401 fault) and skips the rest;
// nullopt continues. It sees route.options (auth_required) to decide.
using Middleware = std::function<std::optional<Response>(Request& request, const Route& route)>;

class Dispatcher {
 public:
  // Routes with `router` (shared: the Dispatcher keeps it alive).
  explicit Dispatcher(std::shared_ptr<const Router> router);

  // Adds a middleware (before serving; not thread safe).
  void Use(Middleware middleware);

  // Answers `request` (its path_params are filled in). Never throws: a
  // handler's or middleware's exception is logged with the request id and
  // answered with a 500 computeFault; a non-OK handler Result is answered
  // with FaultFromStatus (internal errors logged with the request id).
  // Thread safe once set up.
  Response Handle(Request& request) const;

 private:
  std::shared_ptr<const Router> router_;
  std::vector<Middleware> middleware_;
};

}  // namespace cairn::api
