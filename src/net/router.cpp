#include "net/router.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include <boost/url/pct_string_view.hpp>

namespace orderly::net {

struct Router::Node {
  std::map<std::string, std::unique_ptr<Node>, std::less<>> literals;
  std::unique_ptr<Node> parameter;
  std::string parameter_name;
  std::vector<const Route*> routes;  // one per method
};

namespace {

// "/a/{id}/b" -> {"a", "{id}", "b"}; "/" -> {}.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path.empty() || path.front() != '/') return segments;
  path.remove_prefix(1);
  if (path.empty()) return segments;
  while (true) {
    const auto slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

bool is_parameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

const Route* find_method(const std::vector<const Route*>& routes, std::string_view method) {
  for (const auto* route : routes) {
    if (route->method == method) return route;
  }
  return nullptr;
}

}  // namespace

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;

const Route& Router::add(std::string method, std::string_view path_template, Handler handler, RouteOptions options) {
  if (path_template.empty() || path_template.front() != '/') {
    throw std::logic_error("route template must start with '/': " + std::string(path_template));
  }
  Node* node = root_.get();
  for (const auto segment : split_path(path_template)) {
    if (segment.empty() || (segment.find_first_of("{}") != std::string_view::npos && !is_parameter(segment))) {
      throw std::logic_error("malformed route template: " + std::string(path_template));
    }
    if (is_parameter(segment)) {
      const auto name = std::string(segment.substr(1, segment.size() - 2));
      if (!node->parameter) {
        node->parameter = std::make_unique<Node>();
        node->parameter_name = name;
      } else if (node->parameter_name != name) {
        throw std::logic_error("conflicting parameter names at the same place: " + std::string(path_template));
      }
      node = node->parameter.get();
    } else {
      auto& child = node->literals[std::string(segment)];
      if (!child) child = std::make_unique<Node>();
      node = child.get();
    }
  }
  if (find_method(node->routes, method) != nullptr) {
    throw std::logic_error("duplicate route: " + method + " " + std::string(path_template));
  }
  auto route = std::make_unique<Route>(
      Route{std::move(method), std::string(path_template), std::move(handler), options, routes_.size()});
  node->routes.push_back(route.get());
  routes_.push_back(std::move(route));
  return *routes_.back();
}

RouteMatch Router::match(std::string_view method, std::string_view path) const {
  const auto segments = split_path(path);
  RouteMatch result;
  std::vector<std::pair<std::string, std::string>> params;

  // Depth-first: literal children before the parameter child, so "/orders/new"
  // beats "/orders/{id}" and "/orders/7" still reaches the parameter.
  const auto walk = [&](const auto& self, const Node* node, std::size_t depth) -> const Node* {
    if (depth == segments.size()) return node->routes.empty() ? nullptr : node;
    const auto segment = segments[depth];
    if (const auto it = node->literals.find(segment); it != node->literals.end()) {
      if (const auto* found = self(self, it->second.get(), depth + 1)) return found;
    }
    if (node->parameter && !segment.empty()) {
      const auto encoded = boost::urls::make_pct_string_view(segment);
      if (!encoded) return nullptr;
      params.emplace_back(node->parameter_name, encoded->decode());
      if (const auto* found = self(self, node->parameter.get(), depth + 1)) return found;
      params.pop_back();
    }
    return nullptr;
  };

  const Node* node = walk(walk, root_.get(), 0);
  if (node == nullptr) return result;

  const Route* route = find_method(node->routes, method);
  if (route == nullptr && method == "HEAD") route = find_method(node->routes, "GET");
  if (route != nullptr) {
    result.route = route;
    result.params = std::move(params);
    return result;
  }
  std::set<std::string> allowed;
  for (const auto* candidate : node->routes) allowed.insert(candidate->method);
  if (allowed.contains("GET")) allowed.insert("HEAD");
  for (const auto& name : allowed) {
    if (!result.allow.empty()) result.allow += ", ";
    result.allow += name;
  }
  return result;
}

}  // namespace orderly::net
