#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/gateway_config.hpp"
#include "net/http_message.hpp"

namespace orderly::gateway {

// The gateway's routes in file order; the first that matches method, Host
// and path wins. Immutable after construction, shared by every loop.
class RouteTable {
 public:
  explicit RouteTable(const std::vector<RouteConfig>& routes);

  // The index of the matching route, or nullopt.
  [[nodiscard]] std::optional<std::size_t> match(const net::Request& request) const;

  // Whether `path` (percent-encoded) is under `prefix`: equal, or continuing
  // with a '/' ("/api" matches "/api" and "/api/x", not "/apix").
  [[nodiscard]] static bool under_prefix(std::string_view path, std::string_view prefix);
  // `{name}` in a template matches one non-empty segment.
  [[nodiscard]] static bool matches_template(std::string_view path, std::string_view path_template);

 private:
  struct Entry {
    std::vector<std::string> methods;
    std::string host;
    std::string prefix;
    std::string path_template;
  };
  std::vector<Entry> entries_;
};

}  // namespace orderly::gateway
