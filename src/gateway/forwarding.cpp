#include "gateway/forwarding.hpp"

#include <array>
#include <vector>

#include <boost/beast/core/string.hpp>

namespace orderly::gateway {
namespace {

constexpr std::array<std::string_view, 9> kHopByHop = {
    "Connection", "Keep-Alive",          "Proxy-Connection",   "TE",     "Trailer", "Transfer-Encoding",
    "Upgrade",    "Proxy-Authorization", "Proxy-Authenticate",
};

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

void strip_hop_by_hop(net::Headers& headers) {
  std::vector<std::string> named;
  for (const auto& [name, value] : headers) {
    if (!boost::beast::iequals(name, "Connection")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const auto token = trim(rest.substr(0, comma));
      if (!token.empty()) named.emplace_back(token);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  for (const auto& name : named) headers.erase(name);
  for (const auto name : kHopByHop) headers.erase(name);
}

net::Request upstream_request(const net::Request& request, const net::RequestContext& context,
                              const RouteConfig& route, bool https) {
  net::Request out;
  out.method = request.method;
  std::string_view path = request.path;
  if (!route.strip_prefix.empty() && path.starts_with(route.strip_prefix)) {
    path.remove_prefix(route.strip_prefix.size());
  }
  out.path = path.empty() || path.front() != '/' ? "/" + std::string(path) : std::string(path);
  out.query = request.query;
  out.target = request.query.empty() ? out.path : out.path + "?" + request.query;
  out.headers = request.headers;
  out.headers.reserve(request.headers.size() + 5);
  strip_hop_by_hop(out.headers);
  out.headers.erase(kUserHeader);
  out.headers.erase(kRolesHeader);

  std::string forwarded_for(out.headers.get("X-Forwarded-For").value_or(""));
  if (!forwarded_for.empty()) forwarded_for += ", ";
  forwarded_for += request.remote_address;
  out.headers.set("X-Forwarded-For", std::move(forwarded_for));
  out.headers.set("X-Forwarded-Proto", https ? "https" : "http");
  if (const auto host = request.headers.get("Host")) out.headers.set("X-Forwarded-Host", std::string(*host));
  if (!context.request_id.empty()) out.headers.set("X-Request-Id", context.request_id);
  if (!context.trace.trace_id.empty()) out.headers.set("traceparent", context.trace.traceparent());
  out.body = request.body;
  out.remote_address = request.remote_address;
  return out;
}

void prepare_downstream(net::Response& response) {
  strip_hop_by_hop(response.headers);
  response.headers.erase("Date");
  response.headers.erase("Server");
}

bool is_retry_safe(const net::Request& request) {
  return request.method == "GET" || request.method == "HEAD" || request.method == "OPTIONS" ||
         request.headers.get("Idempotency-Key").has_value();
}

}  // namespace orderly::gateway
