#include "api/dispatcher.h"

#include <exception>
#include <utility>

#include "api/fault.h"
#include "common/log.h"

namespace cairn::api {

Dispatcher::Dispatcher(std::shared_ptr<const Router> router) : router_(std::move(router)) {}

void Dispatcher::Use(Middleware middleware) { middleware_.push_back(std::move(middleware)); }

Response Dispatcher::Handle(Request& request) const {
  auto log = GetLogger("api");
  try {
    std::variant<RouteMatch, Response> match = router_->Match(request.method, request.path);
    if (Response* fault = std::get_if<Response>(&match)) return std::move(*fault);
    RouteMatch& found = std::get<RouteMatch>(match);
    request.path_params = std::move(found.params);
    for (const Middleware& middleware : middleware_) {
      if (std::optional<Response> answer = middleware(request, *found.route)) return std::move(*answer);
    }
    Result<Response> result = found.route->handler(request);
    if (result.ok()) return std::move(result).value();
    const Status& status = result.status();
    if (IsClientVisible(status.code())) {
      log->info("{} {} {} refused: {}", request.request_id, request.method, request.path, status.ToString());
    } else {
      log->error("{} {} {} failed: {}", request.request_id, request.method, request.path, status.ToString());
    }
    return FaultFromStatus(status, request.request_id);
  } catch (const std::exception& e) {
    log->error("{} {} {} threw: {}", request.request_id, request.method, request.path, e.what());
  } catch (...) {
    log->error("{} {} {} threw a non-standard exception", request.request_id, request.method, request.path);
  }
  return InternalFault(request.request_id);
}

}  // namespace cairn::api
