#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include "auth/token_verifier.hpp"
#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "core/random.hpp"
#include "gateway/jwks_key_source.hpp"
#include "resilience/rate_limiter.hpp"
#include "gateway/gateway_config.hpp"
#include "gateway/route_table.hpp"
#include "gateway/upstream_pool.hpp"
#include "net/pipeline.hpp"

namespace orderly::cache {
class RedisClient;
}

namespace orderly::gateway {

// What the gateway needs from its host process.
struct GatewayDependencies {
  const core::Clock& clock;
  core::Random& random;
  core::metrics::Registry& metrics;
  cache::RedisClient* redis = nullptr;  // for rate limits with store: redis
  auth::VerifierOptions verifier;        // issuer, audience, leeway of access tokens
};

// One configuration in force: its routes and the pools they lead to.
// Immutable once published; a request holds the snapshot it started with, so
// a reload never pulls a pool from under a request in flight.
struct GatewaySnapshot {
  GatewaySnapshot(GatewayConfig config_in, std::vector<std::shared_ptr<UpstreamPool>> pools_in);

  GatewayConfig config;
  RouteTable routes;
  std::vector<std::shared_ptr<UpstreamPool>> pools;  // in config.upstreams order
  std::vector<UpstreamPool*> route_pools;            // per route; null for static routes
  std::vector<std::shared_ptr<resilience::RateLimiter>> route_limiters;  // per route; null without a limit
  std::uint64_t version = 0;
};

// The gateway's state: the snapshot in force, swapped whole by apply().
// Thread-safe. Reading the snapshot on the hot path costs a relaxed load of
// a version number and, once per change and thread, a mutex.
class Gateway {
 public:
  // Throws core::ConfigError when the first configuration cannot be built.
  Gateway(GatewayConfig config, GatewayDependencies dependencies);

  // Puts `config` in force, or throws core::ConfigError and changes nothing.
  // An upstream whose settings are unchanged keeps its pool (health,
  // breakers, ejections, kept-alive connections); others start anew. Rate
  // limiters start anew. Listeners and the Redis address are not changed by
  // a reload.
  void apply(GatewayConfig config);

  [[nodiscard]] std::shared_ptr<const GatewaySnapshot> snapshot() const;

  // Sets the per-instance gauges (breaker state 0 closed / 1 half-open /
  // 2 open, healthy, ejected, in flight) from the snapshot in force; the
  // control loop calls it every second. Instances removed by a reload keep
  // their last values (the registry has no removal).
  void publish_metrics() const;

  // JSON for GET /api/v1/admin/upstreams.
  [[nodiscard]] boost::json::value describe_upstreams() const;

  [[nodiscard]] const core::Clock& clock() const { return dependencies_.clock; }
  [[nodiscard]] core::Random& random() const { return dependencies_.random; }
  [[nodiscard]] JwksKeySource& keys() { return keys_; }
  [[nodiscard]] const auth::TokenVerifier& verifier() const { return verifier_; }

 private:
  [[nodiscard]] std::shared_ptr<resilience::RateLimiter> make_limiter(const RateLimitConfig& limit) const;

  GatewayDependencies dependencies_;
  JwksKeySource keys_;
  auth::TokenVerifier verifier_;
  std::uint64_t id_;  // tells gateways apart in the per-thread snapshot cache
  mutable std::mutex mutex_;
  std::shared_ptr<const GatewaySnapshot> current_;
  std::atomic<std::uint64_t> version_{0};
};

// The last step before the local router: a request that matches a gateway
// route is proxied (or served from files) and answered here; anything else,
// and any request that matched a local route (/healthz, admin) goes on.
class GatewayMiddleware final : public net::Middleware {
 public:
  explicit GatewayMiddleware(Gateway& gateway) : gateway_(gateway) {}
  boost::asio::awaitable<net::Response> handle(net::RequestContext& context, net::Request& request,
                                               net::Next next) override;

 private:
  Gateway& gateway_;
};

// Whether a percent-encoded path has a "." or ".." segment in any spelling
// ("/a/../b", "/a/%2e%2E/b"): refused at the edge rather than normalised.
[[nodiscard]] bool has_dot_segment(std::string_view path);

}  // namespace orderly::gateway
