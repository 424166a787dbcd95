// The request target through net::split_target (what session.cpp calls) and
// the router's match (net/router.cpp) against the API's route templates
// (every Router::add of src/, outside tests). First byte: the method; the
// rest: the target as sent. Properties: a match binds one parameter per
// `{name}` of its template, each the percent-decoding of its segment, and
// literal segments equal the template's; an unmatched path with an Allow list
// names only methods. Round trip: any bytes, percent-encoded as a segment,
// come back unchanged as the `{id}` of /api/v1/orders/{id}.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <boost/url/encode.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/rfc/pchars.hpp>

#include "net/request_target.hpp"
#include "net/router.hpp"
#include "property.hpp"

namespace {

using namespace orderly;

struct Template {
  const char* method;
  const char* path;
};

constexpr Template kRoutes[] = {
    {"DELETE", "/api/v1/products/{id}"},
    {"GET", "/.well-known/jwks.json"},
    {"GET", "/api/v1/admin/dlq"},
    {"GET", "/api/v1/admin/upstreams"},
    {"GET", "/api/v1/auth/me"},
    {"GET", "/api/v1/jobs/{id}"},
    {"GET", "/api/v1/notifications"},
    {"GET", "/api/v1/orders"},
    {"GET", "/api/v1/orders/{id}"},
    {"GET", "/api/v1/orders/{id}/payment"},
    {"GET", "/api/v1/payment-methods"},
    {"GET", "/api/v1/products"},
    {"GET", "/api/v1/products/{id}"},
    {"GET", "/healthz"},
    {"GET", "/internal/v1/jwks"},
    {"GET", "/internal/v1/users/{user_id}/contact"},
    {"GET", "/internal/v1/users/{user_id}/payment-methods/{method_id}"},
    {"GET", "/internal/v1/users/{user_id}/token-version"},
    {"GET", "/metrics"},
    {"GET", "/readyz"},
    {"PATCH", "/api/v1/products/{id}"},
    {"POST", "/api/v1/admin/dlq/{id}/replay"},
    {"POST", "/api/v1/auth/login"},
    {"POST", "/api/v1/auth/logout"},
    {"POST", "/api/v1/auth/logout-all"},
    {"POST", "/api/v1/auth/password"},
    {"POST", "/api/v1/auth/password-reset"},
    {"POST", "/api/v1/auth/password-reset/confirm"},
    {"POST", "/api/v1/auth/refresh"},
    {"POST", "/api/v1/auth/signup"},
    {"POST", "/api/v1/orders"},
    {"POST", "/api/v1/orders/{id}/cancel"},
    {"POST", "/api/v1/orders/{id}/ship"},
    {"POST", "/api/v1/products"},
    {"POST", "/api/v1/products/import"},
    {"POST", "/internal/v1/service-tokens"},
    {"PUT", "/api/v1/admin/users/{id}/roles"},
};

const net::Router& api_router() {
  static const auto* router = [] {
    auto* built = new net::Router();
    for (const auto& route : kRoutes) built->add(route.method, route.path, {});
    return built;
  }();
  return *router;
}

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path.front() != '/') return out;
  path.remove_prefix(1);
  if (path.empty()) return out;
  while (true) {
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

void check_match(const net::RouteMatch& match, std::string_view path) {
  if (match.route == nullptr) {
    FUZZ_PROPERTY(match.params.empty());
    FUZZ_PROPERTY(match.allow.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ, ") == std::string::npos);
    return;
  }
  FUZZ_PROPERTY(match.allow.empty());
  const auto sent = segments(path);
  const auto wanted = segments(match.route->path_template);
  FUZZ_PROPERTY(sent.size() == wanted.size());
  std::size_t param = 0;
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    if (wanted[i].front() == '{') {
      FUZZ_PROPERTY(param < match.params.size());
      FUZZ_PROPERTY(match.params[param].first == wanted[i].substr(1, wanted[i].size() - 2));
      FUZZ_PROPERTY(match.params[param].second == boost::urls::make_pct_string_view(sent[i])->decode());
      ++param;
    } else {
      FUZZ_PROPERTY(sent[i] == wanted[i]);
    }
  }
  FUZZ_PROPERTY(param == match.params.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static constexpr const char* kMethods[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "get"};
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto& router = api_router();

  net::Request request;
  request.method = kMethods[data[0] % std::size(kMethods)];
  request.target = std::string(rest);
  if (net::split_target(request)) {
    FUZZ_PROPERTY(!request.path.empty() && request.path.front() == '/');
    check_match(router.match(request.method, request.path), request.path);
  }

  if (!rest.empty()) {
    const auto path = "/api/v1/orders/" + boost::urls::encode(rest, boost::urls::pchars);
    const auto match = router.match("GET", path);
    FUZZ_PROPERTY(match.route != nullptr && std::string_view(match.route->path_template) == "/api/v1/orders/{id}");
    FUZZ_PROPERTY(match.params.size() == 1 && match.params[0].second == rest);
  }
  return 0;
}
