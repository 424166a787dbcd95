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

#include "cache/redis_client.hpp"

namespace orderly::lock {
namespace asio = boost::asio;
using cache::RedisReply;

namespace {

// Frees or extends the lock only while it still holds this lease's value.
constexpr const char* kRenewScript =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0";
constexpr const char* kReleaseScript =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

void check_ttl(std::chrono::milliseconds ttl) {
  if (ttl.count() <= 0) throw std::invalid_argument("lock ttl must be positive");
}

}  // namespace

struct RedisLock::Impl {
  Impl(const cache::RedisCacheOptions& options, std::string owner_name, const core::Clock& clock)
      : client(options, clock), key_prefix(options.key_prefix), owner(std::move(owner_name)) {
    if (owner.empty()) throw std::invalid_argument("a lock owner must not be empty");
  }

  [[noreturn]] void fail(const std::string& command, const std::string& why) const {
    throw LockUnavailable("redis lock " + command + " at " + client.address() + ": " + why);
  }

  // Runs one command; Redis's reply, or LockUnavailable.
  asio::awaitable<RedisReply> execute(std::vector<std::string> args) {
    try {
      co_return co_await client.execute(std::move(args));
    } catch (const cache::RedisUnavailable& error) {
      throw LockUnavailable(std::string("lock: ") + error.what());
    }
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

  cache::RedisClient client;
  std::string key_prefix;
  std::string owner;
};

RedisLock::RedisLock(cache::RedisCacheOptions options, std::string owner, const core::Clock& clock)
    : impl_(std::make_unique<Impl>(options, std::move(owner), clock)) {}

RedisLock::~RedisLock() = default;

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
