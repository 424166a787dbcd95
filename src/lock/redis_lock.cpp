#include "lock/redis_lock.hpp"

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

namespace orderly::lock {
namespace asio = boost::asio;
using cache::RedisReply;

namespace {

// Frees or extends the lock only while it still holds this lease's value.
constexpr const char* kRenewScript =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0";
constexpr const char* kReleaseScript =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

// hiredis wants a numeric address, resolved once (as RedisCache does, and for
// the same reason: hiredis would resolve a name with a blocking call).
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

std::shared_ptr<const cache::RedisPoolSettings> settings_from(const cache::RedisCacheOptions& options,
                                                              const core::Clock& clock) {
  if (options.connections_per_loop == 0) throw std::invalid_argument("redis lock needs at least one connection");
  if (options.command_timeout.count() <= 0) throw std::invalid_argument("redis command timeout must be positive");
  if (options.reconnect_backoff.count() <= 0 || options.reconnect_backoff_max < options.reconnect_backoff) {
    throw std::invalid_argument("redis reconnect back-off must be positive and at most its maximum");
  }
  auto settings = std::make_shared<cache::RedisPoolSettings>();
  settings->ip = resolve_once(options.address);
  settings->port = options.address.port;
  settings->address = options.address.to_string();
  settings->connections_per_loop = options.connections_per_loop;
  settings->reconnect_backoff = options.reconnect_backoff;
  settings->reconnect_backoff_max = options.reconnect_backoff_max;
  settings->clock = &clock;
  return settings;
}

void check_ttl(std::chrono::milliseconds ttl) {
  if (ttl.count() <= 0) throw std::invalid_argument("lock ttl must be positive");
}

}  // namespace

struct RedisLock::Impl {
  Impl(const cache::RedisCacheOptions& options, std::string owner_name, const core::Clock& clock)
      : settings(settings_from(options, clock)),
        key_prefix(options.key_prefix),
        command_timeout(options.command_timeout),
        owner(std::move(owner_name)) {
    if (owner.empty()) throw std::invalid_argument("a lock owner must not be empty");
  }

  // This loop's pool, created on first use.
  std::shared_ptr<cache::RedisLoopPool> pool_for(const asio::any_io_executor& loop) {
    auto& service = asio::use_service<cache::RedisLoopService>(asio::query(loop, asio::execution::context));
    auto [pool, created] = service.pool(loop, settings);
    if (created) {
      const std::lock_guard guard(mutex);
      std::erase_if(pools, [](const auto& known) { return known.expired(); });
      pools.push_back(pool);
    }
    return pool;
  }

  [[noreturn]] void fail(const std::string& command, const std::string& why) const {
    throw LockUnavailable("redis lock " + command + " at " + settings->address + ": " + why);
  }

  // Runs one command on this loop's pool; Redis's reply, or LockUnavailable.
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

  // Runs a check-then-act script on the lease's lock; true when it acted.
  asio::awaitable<bool> run_if_held(Lease lease, std::string script, std::vector<std::string> extra_args) {
    std::vector<std::string> command{"EVAL", std::move(script), "1", lock_key(lease.name), value_of(lease)};
    for (auto& arg : extra_args) command.push_back(std::move(arg));
    const auto reply = co_await execute(std::move(command));
    if (reply.type != RedisReply::Type::integer) fail("EVAL", "unexpected reply type");
    co_return reply.integer == 1;
  }

  [[nodiscard]] std::string lock_key(const std::string& name) const { return key_prefix + "lock:" + name; }
  [[nodiscard]] std::string fence_key(const std::string& name) const { return key_prefix + "fence:" + name; }
  [[nodiscard]] static std::string value_of(const Lease& lease) {
    return lease.owner + ":" + std::to_string(lease.fencing_token);
  }

  std::shared_ptr<const cache::RedisPoolSettings> settings;
  std::string key_prefix;
  std::chrono::milliseconds command_timeout;
  std::string owner;
  std::mutex mutex;
  std::vector<std::weak_ptr<cache::RedisLoopPool>> pools;  // one per loop that used the lock
};

RedisLock::RedisLock(cache::RedisCacheOptions options, std::string owner, const core::Clock& clock)
    : impl_(std::make_unique<Impl>(options, std::move(owner), clock)) {}

RedisLock::~RedisLock() {
  // Each pool is closed on its own loop, the only thread that may touch it
  // (the same shutdown as RedisCache's).
  const std::lock_guard guard(impl_->mutex);
  for (const auto& known : impl_->pools) {
    auto pool = known.lock();
    if (!pool) continue;
    auto loop = pool->loop();
    asio::post(loop, [pool = std::move(pool), loop] {
      pool->close();
      asio::use_service<cache::RedisLoopService>(asio::query(loop, asio::execution::context))
          .erase(pool->settings_key());
    });
  }
}

asio::awaitable<std::optional<Lease>> RedisLock::try_acquire(std::string name, std::chrono::milliseconds ttl) {
  check_ttl(ttl);
  auto& impl = *impl_;
  // The token is drawn before the attempt: a failed attempt wastes a number,
  // but a successful one can never carry a token lower than an earlier holder's.
  std::vector<std::string> incr{"INCR", impl.fence_key(name)};
  const auto counted = co_await impl.execute(std::move(incr));
  if (counted.type != RedisReply::Type::integer || counted.integer <= 0) impl.fail("INCR", "unexpected reply");
  Lease lease{std::move(name), impl.owner, static_cast<std::uint64_t>(counted.integer)};

  std::vector<std::string> set{"SET", impl.lock_key(lease.name),  Impl::value_of(lease), "NX",
                               "PX",  std::to_string(ttl.count())};
  const auto taken = co_await impl.execute(std::move(set));
  if (taken.type == RedisReply::Type::nil) co_return std::nullopt;
  if (taken.type != RedisReply::Type::status) impl.fail("SET", "unexpected reply type");
  co_return lease;
}

asio::awaitable<bool> RedisLock::renew(const Lease& lease, std::chrono::milliseconds ttl) {
  check_ttl(ttl);
  return impl_->run_if_held(lease, kRenewScript, {std::to_string(ttl.count())});
}

asio::awaitable<bool> RedisLock::release(const Lease& lease) {
  return impl_->run_if_held(lease, kReleaseScript, {});
}

}  // namespace orderly::lock
