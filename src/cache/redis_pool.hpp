#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/execution_context.hpp>

#include "cache/redis_connection.hpp"
#include "cache/redis_primary.hpp"
#include "core/clock.hpp"

namespace orderly::cache {

// Where and how a RedisCache connects; shared by its pools on every loop.
struct RedisPoolSettings {
  // The server (numeric address, resolved once when the cache was built), or
  // the primary that Sentinel names: a pool drops its connections when its epoch changes.
  std::shared_ptr<RedisPrimary> primary;
  std::size_t connections_per_loop = 2;
  std::chrono::milliseconds reconnect_backoff{100};
  std::chrono::milliseconds reconnect_backoff_max{2000};
  std::string password;  // AUTH on connect when not empty
  std::string username;  // with the password; empty: the default user
  const core::Clock* clock = nullptr;
};

// The connections of one cache on one event loop, opened lazily up to
// connections_per_loop and handed out round-robin. Used only on its loop's
// thread, so it needs no lock.
//
// Reconnecting is rate-limited per loop: a failed connection is replaced no
// sooner than `reconnect_backoff` after the loop last opened one, and the wait
// doubles (up to reconnect_backoff_max) while no connection gets through. In
// the meantime commands fail at once instead of piling up on a dead server.
class RedisLoopPool {
 public:
  RedisLoopPool(boost::asio::any_io_executor loop, std::shared_ptr<const RedisPoolSettings> settings);

  // A connection to send a command on (open or still connecting), or null
  // when none is usable now; why_unavailable() then says why.
  [[nodiscard]] std::shared_ptr<RedisConnection> acquire();
  [[nodiscard]] std::string why_unavailable() const;

  // Closes every connection (the cache is going away).
  void close();

  [[nodiscard]] const boost::asio::any_io_executor& loop() const { return loop_; }
  [[nodiscard]] const RedisPoolSettings* settings_key() const { return settings_.get(); }

 private:
  void open_one_if_due();

  boost::asio::any_io_executor loop_;
  std::shared_ptr<const RedisPoolSettings> settings_;
  std::vector<std::shared_ptr<RedisConnection>> slots_;
  std::size_t next_ = 0;
  std::chrono::steady_clock::time_point last_open_{};
  std::chrono::milliseconds backoff_;
  std::uint64_t epoch_ = 0;  // of the primary the slots' connections go to
};

// Per-io_context home of the pools: an Asio service, so the pools (and the
// sockets and timers they own) are destroyed with the io_context they belong
// to, whichever of the cache and the io_context goes first. Touched only from
// the loop's own thread (and by the io_context's shutdown).
class RedisLoopService final : public boost::asio::execution_context::service {
 public:
  static inline boost::asio::execution_context::id id;

  explicit RedisLoopService(boost::asio::execution_context& context);

  // The pool for `settings` on this loop, and whether it was created now.
  std::pair<std::shared_ptr<RedisLoopPool>, bool> pool(const boost::asio::any_io_executor& loop,
                                                       const std::shared_ptr<const RedisPoolSettings>& settings);
  void erase(const RedisPoolSettings* settings);

 private:
  void shutdown() override;

  // Keyed by the settings' address: the pool holds the settings, so the key
  // cannot be reused by another cache while the entry exists.
  std::unordered_map<const RedisPoolSettings*, std::shared_ptr<RedisLoopPool>> pools_;
};

}  // namespace orderly::cache
