#include "gateway/route_table.hpp"

#include <algorithm>

#include <boost/beast/core/string.hpp>

namespace orderly::gateway {
namespace {

std::string_view host_without_port(std::string_view host) {
  if (host.starts_with('[')) {
    const auto end = host.find(']');
    return end == std::string_view::npos ? host : host.substr(0, end + 1);
  }
  const auto colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

std::string_view next_segment(std::string_view& path) {
  if (path.starts_with('/')) path.remove_prefix(1);
  const auto slash = path.find('/');
  const auto segment = path.substr(0, slash);
  path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
  return segment;
}

}  // namespace

RouteTable::RouteTable(const std::vector<RouteConfig>& routes) {
  for (const auto& route : routes) {
    entries_.push_back({route.methods, route.host, route.path_prefix, route.path_template});
  }
}

bool RouteTable::under_prefix(std::string_view path, std::string_view prefix) {
  if (prefix == "/" || path == prefix) return true;
  if (prefix.ends_with('/')) return path.starts_with(prefix);
  return path.starts_with(prefix) && path.size() > prefix.size() && path[prefix.size()] == '/';
}

bool RouteTable::matches_template(std::string_view path, std::string_view path_template) {
  while (!path.empty() || !path_template.empty()) {
    if (path.empty() != path_template.empty()) return false;
    const auto want = next_segment(path_template);
    const auto got = next_segment(path);
    if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
      if (got.empty()) return false;
    } else if (want != got) {
      return false;
    }
  }
  return true;
}

std::optional<std::size_t> RouteTable::match(const net::Request& request) const {
  const auto host = host_without_port(request.headers.get("Host").value_or(""));
  for (std::size_t index = 0; index < entries_.size(); ++index) {
    const auto& entry = entries_[index];
    if (!entry.methods.empty() &&
        std::find(entry.methods.begin(), entry.methods.end(), request.method) == entry.methods.end()) {
      // HEAD goes wherever GET goes.
      if (request.method != "HEAD" ||
          std::find(entry.methods.begin(), entry.methods.end(), "GET") == entry.methods.end()) {
        continue;
      }
    }
    if (!entry.host.empty() && !boost::beast::iequals(entry.host, host)) continue;
    const bool path_ok = entry.prefix.empty() ? matches_template(request.path, entry.path_template)
                                              : under_prefix(request.path, entry.prefix);
    if (path_ok) return index;
  }
  return std::nullopt;
}

}  // namespace orderly::gateway
