#include "api/request.h"

#include <algorithm>

#include "common/json_input.h"
#include "common/strings.h"

namespace cairn::api {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Parses the body as JSON; InvalidArgument for a missing or malformed body.
Result<nlohmann::json> ParseBody(const Request& request) {
  if (request.HasNoBody()) return Status::InvalidArgument("The request body is missing.");
  // The parsed value is copied, compared and serialised recursively, which a
  // body of a few hundred kilobytes of "[" would take past the end of the stack.
  if (JsonNestsDeeperThan(request.body, kMaxBodyNesting)) {
    return Status::InvalidArgument("Malformed request body: nested deeper than " + std::to_string(kMaxBodyNesting) +
                                   " levels.");
  }
  try {
    return nlohmann::json::parse(request.body);
  } catch (const nlohmann::json::parse_error& e) {
    return Status::InvalidArgument("Malformed request body: invalid JSON at byte " + std::to_string(e.byte) + ".");
  } catch (const std::exception&) {
  }
  return Status::InvalidArgument("Malformed request body: invalid JSON.");
}

}  // namespace

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [](char x, char y) { return Lower(x) < Lower(y); });
}

std::optional<std::string> Request::Header(std::string_view name) const {
  auto it = headers.find(name);
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

const std::string& Request::PathParam(std::string_view name) const {
  static const std::string kEmpty;
  auto it = path_params.find(name);
  return it == path_params.end() ? kEmpty : it->second;
}

std::optional<std::string> Request::Query(std::string_view name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Request::QueryAll(std::string_view name) const {
  std::vector<std::string> values;
  auto [begin, end] = query.equal_range(name);
  for (auto it = begin; it != end; ++it) values.push_back(it->second);
  return values;
}

bool Request::HasNoBody() const { return Trim(body).empty(); }

Result<nlohmann::json> JsonBody(const Request& request) { return ParseBody(request); }

Result<nlohmann::json> JsonObjectBody(const Request& request) {
  CAIRN_ASSIGN_OR_RETURN(nlohmann::json body, ParseBody(request));
  if (!body.is_object()) return Status::InvalidArgument("The request body must be a JSON object.");
  return body;
}

Result<std::optional<nlohmann::json>> OptionalJsonObjectBody(const Request& request) {
  if (request.HasNoBody()) return std::optional<nlohmann::json>();
  CAIRN_ASSIGN_OR_RETURN(nlohmann::json body, JsonObjectBody(request));
  return std::optional<nlohmann::json>(std::move(body));
}

Result<nlohmann::json> RequireObjectMember(const nlohmann::json& body, std::string_view key) {
  if (body.is_object()) {
    auto it = body.find(key);
    if (it != body.end() && it->is_object()) return *it;
  }
  return Status::InvalidArgument("The request body must contain the object '" + std::string(key) + "'.");
}

}  // namespace cairn::api
