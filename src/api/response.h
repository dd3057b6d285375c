// Response: what a route handler answers.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace cairn::api {

struct Response {
  int status = 200;
  // The JSON body (sent with Content-Type: application/json); nullopt sends
  // an empty body.
  std::optional<nlohmann::json> body;
  // Extra headers (e.g. Location, Allow); the server adds
  // x-openstack-request-id and Content-Type itself.
  std::vector<std::pair<std::string, std::string>> headers;

  // A JSON answer.
  static Response Json(int status, nlohmann::json body) {
    return Response{.status = status, .body = std::move(body), .headers = {}};
  }
  // An answer without a body (202 Accepted, 204 No Content...).
  static Response NoBody(int status) { return Response{.status = status, .body = std::nullopt, .headers = {}}; }

  // Adds a header; returns *this for chaining.
  Response& WithHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  // The first value of header `name` (any case), or nullopt.
  std::optional<std::string> Header(std::string_view name) const;
};

}  // namespace cairn::api
