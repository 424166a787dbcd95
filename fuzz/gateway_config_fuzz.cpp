// The gateway's configuration file: gateway::parse_gateway_config (what
// `orderly gateway --config FILE` reads: listeners, upstreams, routes, rate
// limits, edge auth) on hostile YAML text.
// Properties: only core::ConfigError escapes (a bad file is one line and
// exit 2, never std::terminate); an accepted file has a listener, every proxy
// route names an upstream that exists and every static route a root, a
// jwks_upstream exists, and a route with a Redis-shared limit has redis.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/config.hpp"
#include "gateway/gateway_config.hpp"
#include "property.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace orderly;
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  gateway::GatewayConfig config;
  try {
    config = gateway::parse_gateway_config(yaml, "gateway.yaml");
  } catch (const core::ConfigError&) {
    return 0;
  }
  FUZZ_PROPERTY(!config.listeners.empty());
  FUZZ_PROPERTY(config.auth.jwks_upstream.empty() || config.upstream(config.auth.jwks_upstream) != nullptr);
  for (const auto& route : config.routes) {
    if (route.type == gateway::RouteType::proxy) FUZZ_PROPERTY(config.upstream(route.upstream) != nullptr);
    if (route.type == gateway::RouteType::static_files) FUZZ_PROPERTY(!route.static_root.empty());
    FUZZ_PROPERTY(route.path_prefix.empty() != route.path_template.empty());
    FUZZ_PROPERTY((route.path_prefix + route.path_template).starts_with('/'));
    FUZZ_PROPERTY(!route.auth_required || !config.auth.jwks_upstream.empty());
    if (route.rate_limit && route.rate_limit->shared) FUZZ_PROPERTY(config.redis.has_value());
  }
  return 0;
}
