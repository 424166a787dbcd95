#pragma once

#include <chrono>
#include <cstdint>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"

// The gateway's own configuration file (`orderly gateway --config FILE`):
// listeners, upstream pools and routes. deploy/gateway.example.yaml shows and
// explains every key. Parsed once at start-up and again on SIGHUP; a file that
// fails here never replaces a running configuration.
namespace orderly::gateway {

enum class Balance { round_robin, least_request, consistent_hash };

// Active health checks: GET `path` on every instance each `interval`.
struct HealthCheckConfig {
  bool enabled = true;
  std::string path = "/healthz";
  std::chrono::milliseconds interval{2'000};
  std::chrono::milliseconds timeout{1'000};
  unsigned healthy_threshold = 2;    // passes in a row that bring an instance back
  unsigned unhealthy_threshold = 2;  // failures in a row that take it out
};

// Passive outlier ejection from the answers of real traffic.
struct OutlierConfig {
  unsigned consecutive_5xx = 5;
  unsigned consecutive_connect_failures = 3;
  std::chrono::milliseconds base_ejection{5'000};  // times the number of ejections so far
  std::chrono::milliseconds max_ejection{60'000};
  unsigned max_ejection_percent = 50;  // never more of the pool than this (and never all of it)
};

// A breaker per instance (resilience::CircuitBreaker): consecutive failures,
// or a failure rate over a rolling window, open it; after `open_for` a few
// probes (half-open) decide whether it closes again.
struct BreakerConfig {
  bool enabled = true;
  unsigned consecutive_failures = 5;
  std::chrono::milliseconds open_for{5'000};
  unsigned half_open_probes = 1;
  double failure_rate = 0.5;    // trips when this share of the calls in `window` failed...
  unsigned minimum_calls = 20;  // ...over at least this many calls (0: no rate trip)
  std::chrono::milliseconds window{10'000};
  unsigned success_threshold = 1;  // successful probes in a row that close it
};

// Retries of one request (resilience::backoff_delay between attempts), capped
// per upstream by a resilience::RetryBudget.
struct RetryConfig {
  unsigned max_retries = 2;
  std::chrono::milliseconds base_backoff{10};
  std::chrono::milliseconds max_backoff{200};
  double budget_ratio = 0.2;            // retries at most this share of requests in budget_window...
  unsigned budget_min_per_second = 10;  // ...plus this many per second of it
  std::chrono::milliseconds budget_window{10'000};
};

struct UpstreamConfig {
  std::string name;
  std::vector<core::HostPort> instances;
  // The registry's name of the service whose public listeners are this
  // upstream's instances (they replace `instances`, which may then be empty);
  // empty: the static list. Needs registry.etcd in the process settings.
  std::string registry_service;
  Balance balance = Balance::round_robin;
  // consistent_hash keys: "header:NAME" or "user" (the verified user id;
  // the client address when the request has none).
  std::string hash_on = "user";
  unsigned virtual_nodes = 160;
  std::chrono::milliseconds connect_timeout{1'000};
  std::chrono::milliseconds try_timeout{5'000};       // one attempt
  std::chrono::milliseconds request_timeout{15'000};  // every attempt and back-off together
  std::size_t max_inflight = 1'000;                   // requests at once (0: unbounded)...
  std::size_t max_pending = 100;                      // ...then this many wait for a slot...
  std::chrono::milliseconds max_wait{100};            // ...each this long; beyond: 503 (resilience::Bulkhead)
  std::size_t max_connections_per_instance = 1'024;   // per event loop
  std::size_t max_idle_per_instance = 64;             // per event loop
  std::size_t response_body_limit = 8 * 1024 * 1024;
  HealthCheckConfig health;
  OutlierConfig outlier;
  BreakerConfig breaker;
  RetryConfig retry;
};

enum class RouteType { proxy, static_files };

// A rate limit on a route, one quota per key (see resilience::RateLimiter).
struct RateLimitConfig {
  std::string name;  // the policy name in headers and metrics; never a client's identity
  std::uint64_t limit = 0;
  std::chrono::milliseconds window{1'000};
  enum class Key { client, user, route } key = Key::client;  // user: verified sub, else the client address
  enum class Algorithm { token_bucket, sliding_window } algorithm = Algorithm::token_bucket;
  bool shared = false;      // store: redis (one limit across gateway replicas) instead of local
  bool fail_closed = false;  // with Redis down: deny (closed) instead of allow (open, the default)
};

struct RouteConfig {
  std::string name;
  std::vector<std::string> methods;  // empty: every method
  std::string host;                  // empty: any Host
  std::string path_prefix;           // "/api/v1/orders" matches it and everything below
  std::string path_template;         // "/api/v1/orders/{id}": `{x}` is one segment
  RouteType type = RouteType::proxy;
  std::string upstream;      // proxy routes
  std::string strip_prefix;  // removed from the path before forwarding
  bool auth_required = false;
  std::string static_root;  // static routes
  std::chrono::seconds cache_max_age{300};
  std::optional<RateLimitConfig> rate_limit;
};

// Where the gateway gets the keys that verify access tokens (JWKS of the
// auth service), for routes with auth: required. Issuer, audience and leeway
// are the shared auth.* settings.
struct EdgeAuthConfig {
  std::string jwks_upstream;  // an upstream name; empty: no route may require auth
  std::string jwks_path = "/.well-known/jwks.json";
  std::chrono::milliseconds refresh_interval{300'000};   // routine refetch
  std::chrono::milliseconds min_refetch_interval{5'000};  // at most one refetch per this on unknown kids
};

struct TlsConfig {
  std::string certificate_file;
  std::string private_key_file;
};

struct ListenerConfig {
  std::string name;
  core::HostPort address;
  std::optional<TlsConfig> tls;
  bool redirect_to_https = false;  // plaintext listener answering 308 to the https one
};

struct GatewayConfig {
  std::vector<ListenerConfig> listeners;
  core::HostPort ops_listen{"127.0.0.1", 9190};
  unsigned threads = 0;  // 0: one event loop per core
  std::vector<UpstreamConfig> upstreams;
  std::vector<RouteConfig> routes;
  EdgeAuthConfig auth;
  // For rate limits with store: redis: one fixed server (`redis: HOST:PORT`),
  // or the primary that Redis Sentinels name (`redis_sentinel:`), found again
  // after a failover. The passwords come from ORDERLY_REDIS_PASSWORD and
  // ORDERLY_REDIS_SENTINEL_PASSWORD (secrets stay out of the file).
  std::optional<core::HostPort> redis;
  struct RedisSentinel {
    std::vector<core::HostPort> sentinels;
    std::string master = "orderly";
    std::string user;  // the Redis ACL user; empty: the default user
  };
  std::optional<RedisSentinel> redis_sentinel;
  [[nodiscard]] bool has_redis() const { return redis.has_value() || redis_sentinel.has_value(); }

  [[nodiscard]] const UpstreamConfig* upstream(std::string_view name) const;
};

// Throws core::ConfigError naming the file and the key:
// "gateway.yaml: routes[2].upstream: no upstream called 'ordrs'".
[[nodiscard]] GatewayConfig load_gateway_config(const std::string& path);
[[nodiscard]] GatewayConfig parse_gateway_config(std::string_view yaml, const std::string& source);

}  // namespace orderly::gateway
