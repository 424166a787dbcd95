#include "gateway/health_checker.hpp"

#include <map>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/logging.hpp"

namespace orderly::gateway {
namespace asio = boost::asio;

namespace {

// How often the checker looks for checks that are due.
constexpr std::chrono::milliseconds kTick{50};

asio::awaitable<void> check_one(std::shared_ptr<UpstreamPool> pool, std::size_t index) {
  auto& instance = *pool->instances()[index];
  const auto& health = pool->config().health;
  net::Request request;
  request.method = "GET";
  request.target = health.path;
  request.headers.add("User-Agent", "orderly-gateway-health-check");
  bool passed = false;
  try {
    const auto response = co_await pool->client().send(instance.address, std::move(request), health.timeout);
    passed = response.status >= 200 && response.status < 300;
  } catch (const net::HttpClientError& error) {
    core::log::debug("gateway.health_check_failed",
                     {{"instance", instance.label}, {"error", net::to_string(error.kind())}});
  }
  pool->record_check(instance, passed);
}

}  // namespace

asio::awaitable<void> run_health_checks(Gateway& gateway) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  // When each pool's next round is due; pools are dropped from it on reload.
  std::map<const UpstreamPool*, std::chrono::steady_clock::time_point> due;
  std::chrono::steady_clock::time_point jwks_due{};
  std::chrono::steady_clock::time_point metrics_due{};
  while (true) {
    const auto state = gateway.snapshot();
    const auto now = gateway.clock().monotonic();
    if (!state->config.auth.jwks_upstream.empty() && now >= jwks_due) {
      // Until keys are known, retry at the unknown-kid pace rather than the routine one.
      const bool fetched = co_await gateway.keys().fetch();
      jwks_due = now + (fetched ? state->config.auth.refresh_interval : state->config.auth.min_refetch_interval);
    }
    std::map<const UpstreamPool*, std::chrono::steady_clock::time_point> next_due;
    for (const auto& pool : state->pools) {
      if (!pool->config().health.enabled) continue;
      const auto known = due.find(pool.get());
      auto when = known == due.end() ? now : known->second;
      if (now >= when) {
        for (std::size_t index = 0; index < pool->instances().size(); ++index) {
          asio::co_spawn(executor, check_one(pool, index), asio::detached);
        }
        when = now + pool->config().health.interval;
      }
      next_due[pool.get()] = when;
    }
    due = std::move(next_due);
    if (now >= metrics_due) {
      gateway.publish_metrics();
      metrics_due = now + std::chrono::seconds(1);
    }
    timer.expires_after(kTick);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
  }
}

}  // namespace orderly::gateway
