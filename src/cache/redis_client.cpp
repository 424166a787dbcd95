#include "cache/redis_client.hpp"

#include <mutex>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "cache/redis_pool.hpp"
#include "net/loop_pools.hpp"

namespace orderly::cache {
namespace asio = boost::asio;

namespace {

// hiredis wants a numeric address: it would resolve a name with a blocking
// call on the event loop at every reconnect. IPv4 first: "localhost" often
// lists ::1 first while Redis listens on 127.0.0.1 only.
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
  if (options.connections_per_loop == 0) throw std::invalid_argument("redis needs at least one connection per loop");
  if (options.command_timeout.count() <= 0) throw std::invalid_argument("redis command timeout must be positive");
  if (options.reconnect_backoff.count() <= 0 || options.reconnect_backoff_max < options.reconnect_backoff) {
    throw std::invalid_argument("redis reconnect back-off must be positive and at most its maximum");
  }
  auto settings = std::make_shared<RedisPoolSettings>();
  if (options.sentinels.empty()) {
    settings->primary = std::make_shared<RedisPrimary>(resolve_once(options.address), options.address.port);
  } else {
    if (options.master_name.empty()) throw std::invalid_argument("redis sentinels need a master name");
    RedisPrimary::SentinelSettings sentinel;
    for (const auto& address : options.sentinels) sentinel.sentinels.push_back({resolve_once(address), address.port});
    sentinel.master_name = options.master_name;
    sentinel.credentials = RedisCredentials{"", options.sentinel_password};
    sentinel.timeout = options.command_timeout;
    settings->primary = std::make_shared<RedisPrimary>(std::move(sentinel));
  }
  settings->connections_per_loop = options.connections_per_loop;
  settings->reconnect_backoff = options.reconnect_backoff;
  settings->reconnect_backoff_max = options.reconnect_backoff_max;
  settings->password = options.password;
  settings->username = options.username;
  settings->clock = &clock;
  return settings;
}

}  // namespace

struct RedisClient::Impl {
  Impl(const RedisCacheOptions& options, const core::Clock& clock)
      : settings(settings_from(options, clock)), command_timeout(options.command_timeout) {}

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

  [[noreturn]] void fail(const std::string& command, const std::string& why) const {
    throw RedisUnavailable("redis " + command + " at " + settings->primary->current().address + ": " + why);
  }

  std::shared_ptr<const RedisPoolSettings> settings;
  std::chrono::milliseconds command_timeout;
  std::mutex mutex;
  std::vector<std::weak_ptr<RedisLoopPool>> pools;  // one per loop that used the client
};

RedisClient::RedisClient(const RedisCacheOptions& options, const core::Clock& clock)
    : impl_(std::make_unique<Impl>(options, clock)) {}

RedisClient::~RedisClient() {
  const std::lock_guard lock(impl_->mutex);
  net::close_pools_on_their_loops<RedisLoopService>(impl_->pools, &RedisLoopPool::settings_key);
}

std::string RedisClient::address() const { return impl_->settings->primary->current().address; }

asio::awaitable<RedisReply> RedisClient::execute(std::vector<std::string> args) {
  auto& impl = *impl_;
  auto& primary = *impl.settings->primary;
  const auto command = args.front();
  const auto loop = co_await asio::this_coro::executor;
  // With Sentinel: a READONLY reply (the server was demoted to a replica) is
  // a command that did not run, so it goes once more to the primary the
  // Sentinels name now. A connection error is not retried (the command may
  // have run), but the next command asks the Sentinels first.
  for (int attempt = 1;; ++attempt) {
    if (primary.needs_refresh()) {
      if (const auto failure = co_await primary.refresh(loop); !failure.empty() && primary.current().epoch == 0) {
        impl.fail(command, "no primary: " + failure);
      }
    }
    auto pool = impl.pool_for(loop);
    auto connection = pool->acquire();
    const auto epoch = primary.current().epoch;
    if (!connection) {
      primary.mark_stale(epoch);
      impl.fail(command, pool->why_unavailable());
    }
    // A copy only when a READONLY retry may still need the arguments.
    auto sent = attempt == 1 && primary.follows_sentinel() ? args : std::move(args);
    auto [ec, reply] =
        co_await connection->execute(std::move(sent), impl.command_timeout, asio::as_tuple(asio::use_awaitable));
    if (ec) {
      primary.mark_stale(epoch);
      impl.fail(command, reply.text);
    }
    if (reply.type == RedisReply::Type::error) {
      if (reply.text.starts_with("READONLY") && primary.follows_sentinel()) {
        primary.mark_stale(epoch);
        connection->close("the server is a replica now");
        if (attempt == 1) {
          co_await primary.refresh(loop);
          continue;
        }
      }
      impl.fail(command, "error reply: " + reply.text);
    }
    co_return std::move(reply);
  }
}

}  // namespace orderly::cache
