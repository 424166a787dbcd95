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

#include "cache/redis_client.hpp"

namespace orderly::cache {
namespace asio = boost::asio;


struct RedisCache::Impl {
  Impl(const RedisCacheOptions& options, const core::Clock& clock, core::metrics::Registry& metrics,
       const std::string& name)
      : client(options, clock),
        key_prefix(options.key_prefix),
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

  [[noreturn]] void fail(const std::string& command, const std::string& why) {
    errors.inc();
    throw CacheUnavailable("redis " + command + " at " + client.address() + ": " + why);
  }

  // Runs one command; Redis's reply, or CacheUnavailable (counted).
  asio::awaitable<RedisReply> execute(std::vector<std::string> args) {
    try {
      co_return co_await client.execute(std::move(args));
    } catch (const RedisUnavailable& error) {
      errors.inc();
      throw CacheUnavailable(error.what());
    }
  }

  [[nodiscard]] std::string prefixed(const std::string& key) const { return key_prefix + key; }

  RedisClient client;
  std::string key_prefix;
  core::metrics::Counter& hits;
  core::metrics::Counter& misses;
  core::metrics::Counter& errors;
};

RedisCache::RedisCache(RedisCacheOptions options, const core::Clock& clock, core::metrics::Registry& metrics,
                       const std::string& name)
    : impl_(std::make_unique<Impl>(options, clock, metrics, name)) {}

RedisCache::~RedisCache() = default;

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
