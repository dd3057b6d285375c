#include "api/router.h"

#include <algorithm>
#include <map>
#include <set>

#include "api/fault.h"
#include "common/strings.h"

namespace cairn::api {

struct Router::Node {
  std::map<std::string, std::unique_ptr<Node>, std::less<>> literals;
  std::unique_ptr<Node> param;  // the "{name}" child (names may differ between routes)
  struct Endpoint {
    const Route* route = nullptr;
    std::vector<std::string> param_names;  // in path order
  };
  std::map<std::string, Endpoint, std::less<>> methods;  // at the end of a pattern
};

namespace {

constexpr size_t kMaxSegments = 64;

// The non-empty segments of a path.
std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> segments;
  for (std::string_view piece : Split(path, '/')) {
    if (!piece.empty()) segments.push_back(piece);
  }
  return segments;
}

bool IsMethodToken(std::string_view method) {
  if (method.empty()) return false;
  return std::all_of(method.begin(), method.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

}  // namespace

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

Status Router::Add(std::string_view method, std::string_view pattern, Handler handler, RouteOptions options) {
  std::string upper = Upper(method);
  if (!IsMethodToken(upper)) return Status::InvalidArgument("route method " + Quoted(method) + " is not an HTTP method");
  if (pattern.empty() || pattern.front() != '/') {
    return Status::InvalidArgument("route pattern " + Quoted(pattern) + " must start with '/'");
  }
  std::vector<std::string_view> segments = Segments(pattern);
  if (segments.size() > kMaxSegments) return Status::InvalidArgument("route pattern " + Quoted(pattern) + " is too long");
  Node* node = root_.get();
  std::vector<std::string> names;
  for (std::string_view segment : segments) {
    bool opens = segment.find('{') != std::string_view::npos;
    bool closes = segment.find('}') != std::string_view::npos;
    if (opens || closes) {
      if (segment.size() < 3 || segment.front() != '{' || segment.back() != '}' ||
          segment.substr(1, segment.size() - 2).find_first_of("{}") != std::string_view::npos) {
        return Status::InvalidArgument("route pattern " + Quoted(pattern) + ": malformed parameter segment " +
                                       Quoted(segment));
      }
      std::string name(segment.substr(1, segment.size() - 2));
      if (std::find(names.begin(), names.end(), name) != names.end()) {
        return Status::InvalidArgument("route pattern " + Quoted(pattern) + " repeats the parameter " + Quoted(name));
      }
      names.push_back(std::move(name));
      if (!node->param) node->param = std::make_unique<Node>();
      node = node->param.get();
    } else {
      auto it = node->literals.find(segment);
      if (it == node->literals.end()) it = node->literals.emplace(std::string(segment), std::make_unique<Node>()).first;
      node = it->second.get();
    }
  }
  if (node->methods.count(upper) != 0) {
    return Status::AlreadyExists("route " + upper + " " + std::string(pattern) + " is already taken by " +
                                 node->methods[upper].route->pattern);
  }
  routes_.push_back(std::make_unique<Route>(Route{upper, std::string(pattern), std::move(handler), options}));
  node->methods[upper] = Node::Endpoint{routes_.back().get(), std::move(names)};
  return Status::OK();
}

std::variant<RouteMatch, Response> Router::Match(std::string_view method, std::string_view path) const {
  struct Candidate {
    const Node* node;
    std::vector<std::string_view> values;  // of the parameter segments
  };
  std::vector<std::string_view> segments = Segments(path);
  std::vector<Candidate> candidates;
  if (segments.size() <= kMaxSegments) {
    // Depth-first, literal child before the parameter child: candidates come
    // out best first.
    std::vector<std::string_view> values;
    auto walk = [&](auto&& self, const Node* node, size_t index) -> void {
      if (index == segments.size()) {
        if (!node->methods.empty()) candidates.push_back({node, values});
        return;
      }
      auto it = node->literals.find(segments[index]);
      if (it != node->literals.end()) self(self, it->second.get(), index + 1);
      if (node->param) {
        values.push_back(segments[index]);
        self(self, node->param.get(), index + 1);
        values.pop_back();
      }
    };
    walk(walk, root_.get(), 0);
  }
  if (candidates.empty()) return NotFoundFault("The resource could not be found.");

  std::string upper = Upper(method);
  for (const std::string& wanted : {upper, std::string(upper == "HEAD" ? "GET" : "")}) {
    if (wanted.empty()) continue;
    for (const Candidate& candidate : candidates) {
      auto it = candidate.node->methods.find(wanted);
      if (it == candidate.node->methods.end()) continue;
      RouteMatch match;
      match.route = it->second.route;
      for (size_t i = 0; i < candidate.values.size() && i < it->second.param_names.size(); ++i) {
        match.params.emplace(it->second.param_names[i], std::string(candidate.values[i]));
      }
      return match;
    }
  }
  std::set<std::string> allowed;
  for (const Candidate& candidate : candidates) {
    for (const auto& entry : candidate.node->methods) allowed.insert(entry.first);
  }
  if (allowed.count("GET") != 0) allowed.insert("HEAD");
  return BadMethodFault(Join(std::vector<std::string>(allowed.begin(), allowed.end()), ", "));
}

std::vector<const Route*> Router::Routes() const {
  std::vector<const Route*> routes;
  for (const auto& route : routes_) routes.push_back(route.get());
  return routes;
}

}  // namespace cairn::api
