#include "gateway/gateway.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <yaml-cpp/yaml.h>

#include "core/logging.hpp"
#include "resilience/redis_rate_limiter.hpp"
#include "resilience/sliding_window_limiter.hpp"
#include "resilience/token_bucket_limiter.hpp"
#include "gateway/proxy.hpp"

namespace orderly::gateway {
namespace {

// What makes two upstream configurations the same pool.
bool same_upstream(const UpstreamConfig& a, const UpstreamConfig& b) {
  const auto key = [](const UpstreamConfig& u) {
    std::string text = u.name + "|" + std::to_string(static_cast<int>(u.balance)) + "|" + u.hash_on + "|" +
                       std::to_string(u.virtual_nodes);
    for (const auto& i : u.instances) text += "|" + i.to_string();
    text += "|" + std::to_string(u.connect_timeout.count()) + "|" + std::to_string(u.try_timeout.count()) + "|" +
            std::to_string(u.request_timeout.count()) + "|" + std::to_string(u.max_inflight) + "|" +
            std::to_string(u.max_pending) + "|" + std::to_string(u.max_wait.count()) + "|" +
            std::to_string(u.max_connections_per_instance) + "|" + std::to_string(u.max_idle_per_instance) + "|" +
            std::to_string(u.response_body_limit);
    const auto& h = u.health;
    text += "|" + std::to_string(h.enabled) + h.path + std::to_string(h.interval.count()) + "," +
            std::to_string(h.timeout.count()) + "," + std::to_string(h.healthy_threshold) + "," +
            std::to_string(h.unhealthy_threshold);
    const auto& o = u.outlier;
    text += "|" + std::to_string(o.consecutive_5xx) + "," + std::to_string(o.consecutive_connect_failures) + "," +
            std::to_string(o.base_ejection.count()) + "," + std::to_string(o.max_ejection.count()) + "," +
            std::to_string(o.max_ejection_percent);
    const auto& br = u.breaker;
    text += "|" + std::to_string(br.enabled) + "," + std::to_string(br.consecutive_failures) + "," +
            std::to_string(br.open_for.count()) + "," + std::to_string(br.half_open_probes) + "," +
            std::to_string(br.failure_rate) + "," + std::to_string(br.minimum_calls) + "," +
            std::to_string(br.window.count()) + "," + std::to_string(br.success_threshold);
    const auto& r = u.retry;
    text += "|" + std::to_string(r.max_retries) + "," + std::to_string(r.base_backoff.count()) + "," +
            std::to_string(r.max_backoff.count()) + "," + std::to_string(r.budget_ratio) + "," +
            std::to_string(r.budget_min_per_second) + "," + std::to_string(r.budget_window.count());
    return text;
  };
  return key(a) == key(b);
}

std::atomic<std::uint64_t> next_gateway_id{1};

struct CachedSnapshot {
  std::uint64_t gateway = 0;
  std::uint64_t version = 0;
  std::shared_ptr<const GatewaySnapshot> snapshot;
};
thread_local CachedSnapshot cached_snapshot;

bool is_dot(std::string_view segment) {
  // "." and "%2e" (either case) spell a dot; a segment of one or two is a dot segment.
  std::size_t dots = 0;
  while (!segment.empty()) {
    if (segment.front() == '.') {
      segment.remove_prefix(1);
    } else if (segment.size() >= 3 && segment[0] == '%' && segment[1] == '2' && (segment[2] == 'e' || segment[2] == 'E')) {
      segment.remove_prefix(3);
    } else {
      return false;
    }
    ++dots;
  }
  return dots == 1 || dots == 2;
}

}  // namespace

bool has_dot_segment(std::string_view path) {
  while (!path.empty()) {
    if (path.front() == '/') path.remove_prefix(1);
    const auto slash = path.find('/');
    if (is_dot(path.substr(0, slash))) return true;
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
  }
  return false;
}

GatewaySnapshot::GatewaySnapshot(GatewayConfig config_in, std::vector<std::shared_ptr<UpstreamPool>> pools_in)
    : config(std::move(config_in)), routes(config.routes), pools(std::move(pools_in)) {
  for (const auto& route : config.routes) {
    UpstreamPool* found = nullptr;
    for (const auto& pool : pools) {
      if (route.type == RouteType::proxy && pool->config().name == route.upstream) found = pool.get();
    }
    route_pools.push_back(found);
  }
}

Gateway::Gateway(GatewayConfig config, GatewayDependencies dependencies)
    : dependencies_(dependencies),
      keys_(*this, dependencies.clock),
      verifier_(keys_, dependencies.clock, dependencies.verifier),
      id_(next_gateway_id.fetch_add(1)) {
  apply(std::move(config));
}

std::shared_ptr<resilience::RateLimiter> Gateway::make_limiter(const RateLimitConfig& limit) const {
  resilience::RateLimitPolicy policy{limit.name, limit.limit, limit.window};
  try {
    if (limit.shared) {
      if (dependencies_.redis == nullptr) {
        throw core::ConfigError("rate limit " + limit.name + ": store: redis, but the gateway started without redis");
      }
      resilience::RedisRateLimiterOptions options;
      options.failure_mode = limit.fail_closed ? resilience::FailureMode::closed : resilience::FailureMode::open;
      return std::make_shared<resilience::RedisRateLimiter>(policy, *dependencies_.redis, dependencies_.clock,
                                                            dependencies_.metrics, options);
    }
    if (limit.algorithm == RateLimitConfig::Algorithm::sliding_window) {
      return std::make_shared<resilience::SlidingWindowLimiter>(policy, dependencies_.clock, dependencies_.metrics);
    }
    return std::make_shared<resilience::TokenBucketLimiter>(policy, dependencies_.clock, dependencies_.metrics);
  } catch (const std::invalid_argument& error) {
    throw core::ConfigError("rate limit " + limit.name + ": " + error.what());
  }
}

void Gateway::apply(GatewayConfig config) {
  const std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<resilience::RateLimiter>> limiters;
  for (const auto& route : config.routes) {
    limiters.push_back(route.rate_limit ? make_limiter(*route.rate_limit) : nullptr);
  }
  std::vector<std::shared_ptr<UpstreamPool>> pools;
  std::size_t kept = 0;
  for (const auto& upstream : config.upstreams) {
    std::shared_ptr<UpstreamPool> pool;
    if (current_) {
      for (const auto& old : current_->pools) {
        if (same_upstream(old->config(), upstream)) pool = old;
      }
    }
    if (pool) {
      ++kept;
    } else {
      try {
        pool =
            std::make_shared<UpstreamPool>(upstream, dependencies_.clock, dependencies_.random, dependencies_.metrics);
      } catch (const std::invalid_argument& error) {
        throw core::ConfigError("upstream " + upstream.name + ": " + error.what());
      }
    }
    pools.push_back(std::move(pool));
  }
  auto next = std::make_shared<GatewaySnapshot>(std::move(config), std::move(pools));
  next->route_limiters = std::move(limiters);
  next->version = version_.load() + 1;
  core::log::info("gateway.config_applied", {{"version", next->version},
                                             {"routes", next->config.routes.size()},
                                             {"upstreams", next->pools.size()},
                                             {"pools_kept", kept}});
  current_ = std::move(next);
  version_.store(current_->version, std::memory_order_release);
}

std::shared_ptr<const GatewaySnapshot> Gateway::snapshot() const {
  auto& cached = cached_snapshot;
  const auto version = version_.load(std::memory_order_acquire);
  if (cached.gateway != id_ || cached.version != version) {
    const std::lock_guard lock(mutex_);
    cached.gateway = id_;
    cached.snapshot = current_;
    cached.version = current_->version;
  }
  return cached.snapshot;
}

void Gateway::publish_metrics() const {
  auto& registry = dependencies_.metrics;
  const std::vector<std::string> labels{"upstream", "instance"};
  auto& breaker = registry.gauge("orderly_gateway_instance_breaker_state",
                                 "Circuit breaker of an upstream instance: 0 closed, 1 open, 2 half-open.", labels);
  auto& healthy = registry.gauge("orderly_gateway_instance_healthy", "1 while active health checks pass.", labels);
  auto& ejected = registry.gauge("orderly_gateway_instance_ejected", "1 while ejected by outlier detection.", labels);
  auto& in_flight = registry.gauge("orderly_gateway_instance_in_flight", "Requests in flight to an instance.", labels);
  const auto state = snapshot();
  for (const auto& pool : state->pools) {
    for (const auto& instance : pool->instances()) {
      const std::vector<std::string> values{pool->config().name, instance->label};
      // The same numbering as the library's orderly_circuit_breaker_state.
      breaker.with_labels(values).set(static_cast<double>(instance->breaker.state()));
      healthy.with_labels(values).set(instance->healthy.load() ? 1 : 0);
      ejected.with_labels(values).set(pool->is_ejected(*instance) ? 1 : 0);
      in_flight.with_labels(values).set(static_cast<double>(instance->in_flight.load()));
    }
  }
}

boost::json::value Gateway::describe_upstreams() const {
  const auto state = snapshot();
  boost::json::array upstreams;
  for (const auto& pool : state->pools) upstreams.push_back(pool->describe());
  return boost::json::object{{"config_version", state->version}, {"upstreams", std::move(upstreams)}};
}

boost::asio::awaitable<net::Response> GatewayMiddleware::handle(net::RequestContext& context, net::Request& request,
                                                                net::Next next) {
  if (context.early_response || context.route != nullptr) co_return co_await next(context, request);
  auto state = gateway_.snapshot();
  const auto matched = state->routes.match(request);
  if (!matched) co_return co_await next(context, request);
  if (has_dot_segment(request.path)) {
    co_return net::Response::problem(400, "/problems/bad-request", "Bad Request",
                                     "A path may not contain . or .. segments.");
  }
  co_return co_await serve_route(gateway_, std::move(state), *matched, context, request, context.secure);
}

}  // namespace orderly::gateway
