#include "cache/redis_cache.hpp"

#include <mutex>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "cache/redis_pool.hpp"

namespace orderly::cache {
namespace asio = boost::asio;

namespace {

// hiredis wants a numeric address (see RedisCache's contract). IPv4 first:
// "localhost" often lists ::1 first while Redis listens on 127.0.0.1 only.
std::string resolve_once(const core::HostPort& address) {
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(address.host, ec);
  if (!ec) return ip.to_string();
  asio::io_context context;
  asio::ip::tcp::resolver resolver(context);
  const auto results = resolver.resolve(address.host, std::to_string(address.port), ec);
  if (ec || results.empty()) {
    throw std::invalid_argument("redis address " + address.to_string() + " does not resolve: " + ec.message());
  }
  for (const auto& result : results) {
    if (result.endpoint().address().is_v4()) return result.endpoint().address().to_string();
  }
  return results.begin()->endpoint().address().to_string();
}

std::shared_ptr<const RedisPoolSettings> settings_from(const RedisCacheOptions& options, const core::Clock& clock) {
  if (options.connections_per_loop == 0) throw std::invalid_argument("redis cache needs at least one connection");
  if (options.command_timeout.count() <= 0) throw std::invalid_argument("redis command timeout must be positive");
  if (options.reconnect_backoff.count() <= 0 || options.reconnect_backoff_max < options.reconnect_backoff) {
    throw std::invalid_argument("redis reconnect back-off must be positive and at most its maximum");
  }
  auto settings = std::make_shared<RedisPoolSettings>();
  settings->ip = resolve_once(options.address);
  settings->port = options.address.port;
  settings->address = options.address.to_string();
  settings->connections_per_loop = options.connections_per_loop;
  settings->reconnect_backoff = options.reconnect_backoff;
  settings->reconnect_backoff_max = options.reconnect_backoff_max;
  settings->clock = &clock;
  return settings;
}

}  // namespace

struct RedisCache::Impl {
  Impl(const RedisCacheOptions& options, const core::Clock& clock, core::metrics::Registry& metrics,
       const std::string& name)
      : settings(settings_from(options, clock)),
        key_prefix(options.key_prefix),
        command_timeout(options.command_timeout),
        hits(metrics.counter("orderly_cache_hits_total", "Cache reads that found a live entry.", {"cache"})
                 .with_labels({name})),
        misses(
            metrics
                .counter("orderly_cache_misses_total", "Cache reads that found nothing or an expired entry.", {"cache"})
                .with_labels({name})),
        errors(metrics
                   .counter("orderly_cache_errors_total",
                            "Cache commands that failed or timed out (the caller got CacheUnavailable).", {"cache"})
                   .with_labels({name})) {}

  // This loop's pool, created on first use.
  std::shared_ptr<RedisLoopPool> pool_for(const asio::any_io_executor& loop) {
    auto& service = asio::use_service<RedisLoopService>(asio::query(loop, asio::execution::context));
    auto [pool, created] = service.pool(loop, settings);
    if (created) {
      const std::lock_guard lock(mutex);
      std::erase_if(pools, [](const auto& known) { return known.expired(); });
      pools.push_back(pool);
    }
    return pool;
  }

  [[noreturn]] void fail(const std::string& command, const std::string& why) {
    errors.inc();
    throw CacheUnavailable("redis " + command + " at " + settings->address + ": " + why);
  }

  // Runs one command on this loop's pool; Redis's reply, or CacheUnavailable.
  asio::awaitable<RedisReply> execute(std::vector<std::string> args) {
    const auto command = args.front();
    const auto loop = co_await asio::this_coro::executor;
    auto pool = pool_for(loop);
    auto connection = pool->acquire();
    if (!connection) fail(command, pool->why_unavailable());
    auto [ec, reply] =
        co_await connection->execute(std::move(args), command_timeout, asio::as_tuple(asio::use_awaitable));
    if (ec) fail(command, reply.text);
    if (reply.type == RedisReply::Type::error) fail(command, "error reply: " + reply.text);
    co_return std::move(reply);
  }

  [[nodiscard]] std::string prefixed(const std::string& key) const { return key_prefix + key; }

  std::shared_ptr<const RedisPoolSettings> settings;
  std::string key_prefix;
  std::chrono::milliseconds command_timeout;
  core::metrics::Counter& hits;
  core::metrics::Counter& misses;
  core::metrics::Counter& errors;
  std::mutex mutex;
  std::vector<std::weak_ptr<RedisLoopPool>> pools;  // one per loop that used the cache
};

RedisCache::RedisCache(RedisCacheOptions options, const core::Clock& clock, core::metrics::Registry& metrics,
                       const std::string& name)
    : impl_(std::make_unique<Impl>(options, clock, metrics, name)) {}

RedisCache::~RedisCache() {
  // Each pool is closed on its own loop, the only thread that may touch it.
  // If that loop never runs again, the posted closure is destroyed with its
  // io_context, and the pool with it.
  const std::lock_guard lock(impl_->mutex);
  for (const auto& known : impl_->pools) {
    auto pool = known.lock();
    if (!pool) continue;  // its io_context is gone, and the pool with it
    auto loop = pool->loop();
    asio::post(loop, [pool = std::move(pool), loop] {
      pool->close();
      asio::use_service<RedisLoopService>(asio::query(loop, asio::execution::context)).erase(pool->settings_key());
    });
  }
}

asio::awaitable<std::optional<std::string>> RedisCache::get(std::string key) {
  std::vector<std::string> command{"GET", impl_->prefixed(key)};
  auto reply = co_await impl_->execute(std::move(command));
  if (reply.type == RedisReply::Type::nil) {
    impl_->misses.inc();
    co_return std::nullopt;
  }
  if (reply.type != RedisReply::Type::string) impl_->fail("GET", "unexpected reply type");
  impl_->hits.inc();
  co_return std::move(reply.text);
}

asio::awaitable<void> RedisCache::set(std::string key, std::string value, std::chrono::milliseconds ttl) {
  if (ttl.count() <= 0) throw std::invalid_argument("cache ttl must be positive");
  std::vector<std::string> command{"SET", impl_->prefixed(key), std::move(value), "PX", std::to_string(ttl.count())};
  const auto reply = co_await impl_->execute(std::move(command));
  if (reply.type != RedisReply::Type::status) impl_->fail("SET", "unexpected reply type");
}

asio::awaitable<bool> RedisCache::erase(std::string key) {
  std::vector<std::string> command{"DEL", impl_->prefixed(key)};
  const auto reply = co_await impl_->execute(std::move(command));
  if (reply.type != RedisReply::Type::integer) impl_->fail("DEL", "unexpected reply type");
  co_return reply.integer == 1;
}

}  // namespace orderly::cache
