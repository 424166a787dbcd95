#include "gateway/gateway_config.hpp"

#include <gtest/gtest.h>

namespace orderly::gateway {
namespace {

using namespace std::chrono_literals;

constexpr const char* kMinimal = R"(
listeners:
  - name: public
    address: 127.0.0.1:8000
auth: {jwks_upstream: orders}
upstreams:
  orders:
    instances: [127.0.0.1:8081, "127.0.0.1:8082"]
    balance: least_request
    timeouts: {try: 2s}
    health: {interval: 500ms, unhealthy_threshold: 3}
routes:
  - name: orders
    match: {prefix: /api/v1/orders, methods: [get, POST]}
    upstream: orders
    auth: required
)";

TEST(GatewayConfig, ReadsListenersUpstreamsAndRoutes) {
  const auto config = parse_gateway_config(kMinimal, "test.yaml");
  ASSERT_EQ(config.listeners.size(), 1U);
  EXPECT_EQ(config.listeners[0].address.port, 8000);
  ASSERT_EQ(config.upstreams.size(), 1U);
  const auto& orders = config.upstreams[0];
  EXPECT_EQ(orders.instances.size(), 2U);
  EXPECT_EQ(orders.balance, Balance::least_request);
  EXPECT_EQ(orders.try_timeout, 2s);
  EXPECT_EQ(orders.request_timeout, 15s);  // default kept
  EXPECT_EQ(orders.health.interval, 500ms);
  EXPECT_EQ(orders.health.unhealthy_threshold, 3U);
  ASSERT_EQ(config.routes.size(), 1U);
  EXPECT_EQ(config.routes[0].methods, (std::vector<std::string>{"GET", "POST"}));
  EXPECT_TRUE(config.routes[0].auth_required);
}

void expect_refused(const std::string& yaml, const std::string& fragment) {
  try {
    (void)parse_gateway_config(yaml, "g.yaml");
    ADD_FAILURE() << "accepted:\n" << yaml;
  } catch (const core::ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
  }
}

// Fuzzing finding (issue 18, gateway_config target): a list or mapping as
// a key threw YAML::TypedBadConversion past ConfigError (std::terminate).
TEST(GatewayConfig, AKeyThatIsAListOrAMappingIsAConfigError) {
  expect_refused("listeners:\n  - {address: 127.0.0.1:8080}\nupstreams:\n  [a, b]: {instances: [\"127.0.0.1:1\"]}\n"
                 "routes: []\n",
                 "upstreams: keys must be plain names");
  expect_refused("listeners:\n  - {address: 127.0.0.1:8080, {x: 1}: 2}\nroutes: []\n", "listeners[0]: keys must be");
  expect_refused("? [a]\n: 1\nlisteners:\n  - {address: 127.0.0.1:8080}\nroutes: []\n", "(top): keys must be");
}

TEST(GatewayConfig, ErrorsNameTheFileAndTheKey) {
  std::string unknown_upstream = kMinimal;
  unknown_upstream.replace(unknown_upstream.find("\n    upstream: orders"), 21, "\n    upstream: ordrs");
  expect_refused(unknown_upstream, "g.yaml: routes[0].upstream: no upstream called 'ordrs'");

  std::string typo = kMinimal;
  typo.replace(typo.find("balance:"), 8, "balanse:");
  expect_refused(typo, "upstreams.orders.balanse: unknown key");

  std::string bad_duration = kMinimal;
  bad_duration.replace(bad_duration.find("2s"), 2, "2");
  expect_refused(bad_duration, "upstreams.orders.timeouts.try:");

  expect_refused("listeners: []\nroutes: []\n", "listeners");
  expect_refused("listeners: [ {address: 1.2.3.4:1} ]\nroutes:\n  - match: {prefix: /}\n    upstream: none\n",
                 "no upstream called 'none'");
  expect_refused("listeners: [unclosed", "not valid YAML");

  std::string no_jwks = kMinimal;
  no_jwks.replace(no_jwks.find("auth: {jwks_upstream: orders}"), 29, "");
  expect_refused(no_jwks, "routes[0].auth: auth: required needs auth.jwks_upstream");

  std::string shared_limit = kMinimal;
  shared_limit += "    rate_limit: {limit: 10, store: redis}\n";
  expect_refused(shared_limit, "routes[0].rate_limit.store: store: redis needs redis: HOST:PORT");
}

TEST(GatewayConfig, ReadsARouteRateLimit) {
  const auto config = parse_gateway_config(
      std::string(kMinimal) + "redis: 127.0.0.1:6379\n", "t.yaml");
  EXPECT_TRUE(config.redis.has_value());
  std::string limited = kMinimal;
  limited += "    rate_limit: {name: per-user, limit: 10, window: 1m, key: user, algorithm: sliding_window}\n";
  const auto with_limit = parse_gateway_config(limited, "t.yaml");
  ASSERT_TRUE(with_limit.routes[0].rate_limit.has_value());
  EXPECT_EQ(with_limit.routes[0].rate_limit->limit, 10U);
  EXPECT_EQ(with_limit.routes[0].rate_limit->window, std::chrono::minutes(1));
  EXPECT_EQ(with_limit.routes[0].rate_limit->key, RateLimitConfig::Key::user);
  EXPECT_FALSE(with_limit.routes[0].rate_limit->shared);
}

TEST(GatewayConfig, ReadsRedisSentinels) {
  std::string shared = std::string(kMinimal) + "    rate_limit: {limit: 10, store: redis}\n";
  shared += "redis_sentinel: {sentinels: [127.0.0.1:26379, '127.0.0.1:26380'], master: shop, user: gateway}\n";
  const auto config = parse_gateway_config(shared, "t.yaml");
  ASSERT_TRUE(config.redis_sentinel.has_value());
  EXPECT_FALSE(config.redis.has_value());
  ASSERT_EQ(config.redis_sentinel->sentinels.size(), 2U);
  EXPECT_EQ(config.redis_sentinel->sentinels[1].port, 26380);
  EXPECT_EQ(config.redis_sentinel->master, "shop");
  EXPECT_EQ(config.redis_sentinel->user, "gateway");
  EXPECT_TRUE(config.routes[0].rate_limit->shared);

  expect_refused(std::string(kMinimal) + "redis_sentinel: {master: shop}\n",
                 "redis_sentinel.sentinels: a list of at least one HOST:PORT");
  expect_refused(std::string(kMinimal) + "redis_sentinel: {sentinels: [nowhere]}\n", "redis_sentinel.sentinels:");
  expect_refused(std::string(kMinimal) + "redis: 127.0.0.1:6379\nredis_sentinel: {sentinels: [127.0.0.1:1]}\n",
                 "not both");
}

TEST(GatewayConfig, ReadsTheBulkheadBreakerAndRetryBudgetKeys) {
  std::string yaml = kMinimal;
  yaml.replace(yaml.find("    timeouts: {try: 2s}\n"), 0,
               "    limits: {max_inflight: 8, max_pending: 4, max_wait: 250ms}\n"
               "    breaker: {failure_percent: 25, minimum_calls: 40, window: 30s, success_threshold: 3}\n"
               "    retry: {budget_window: 5s}\n");
  const auto config = parse_gateway_config(yaml, "t.yaml");
  const auto& orders = config.upstreams[0];
  EXPECT_EQ(orders.max_inflight, 8U);
  EXPECT_EQ(orders.max_pending, 4U);
  EXPECT_EQ(orders.max_wait, 250ms);
  EXPECT_DOUBLE_EQ(orders.breaker.failure_rate, 0.25);
  EXPECT_EQ(orders.breaker.minimum_calls, 40U);
  EXPECT_EQ(orders.breaker.window, 30s);
  EXPECT_EQ(orders.breaker.success_threshold, 3U);
  EXPECT_EQ(orders.retry.budget_window, 5s);

  std::string no_cool_down = kMinimal;
  no_cool_down.replace(no_cool_down.find("    timeouts: {try: 2s}\n"), 0, "    breaker: {open_for: 0ms}\n");
  expect_refused(no_cool_down, "upstreams.orders.breaker.open_for: must be at least 1ms");
}

}  // namespace
}  // namespace orderly::gateway
