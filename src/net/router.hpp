#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "net/http_message.hpp"
#include "net/request_context.hpp"

namespace orderly::net {

using Handler = std::function<boost::asio::awaitable<Response>(RequestContext&, Request&)>;

struct RouteOptions {
  std::optional<std::size_t> body_limit;  // bytes; the server default when unset
};

struct Route {
  std::string method;
  std::string path_template;  // "/api/v1/orders/{id}"; the label in logs and metrics
  Handler handler;
  RouteOptions options;
  std::size_t index = 0;  // dense, in registration order
};

struct RouteMatch {
  const Route* route = nullptr;
  std::vector<std::pair<std::string, std::string>> params;  // percent-decoded
  std::string allow;  // when the path exists but not for this method: "GET, HEAD, POST"
};

// Maps method + path to a handler. Templates are literal segments and
// `{name}` parameters; a literal segment wins over a parameter at the same
// place. HEAD is served by the GET route. Routes are added at start-up;
// matching is then read-only and safe from every thread.
class Router {
 public:
  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Throws std::logic_error on a malformed template, a duplicate route, or two
  // parameters of different names at the same place.
  const Route& add(std::string method, std::string_view path_template, Handler handler, RouteOptions options = {});

  // `path` is the percent-encoded path of the request target.
  [[nodiscard]] RouteMatch match(std::string_view method, std::string_view path) const;

  [[nodiscard]] const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }

 private:
  struct Node;
  std::unique_ptr<Node> root_;
  std::vector<std::unique_ptr<Route>> routes_;
};

}  // namespace orderly::net
