#pragma once

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "cache/redis_connection.hpp"
#include "cache/redis_options.hpp"
#include "core/clock.hpp"

namespace orderly::cache {

// A Redis command could not be answered: no connection, timeout, or an error reply.
class RedisUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What RedisCache and RedisLock share: the validated settings, one lazily
// opened pool per event loop (RedisLoopPool), and running one command on the
// calling loop's pool with a timeout. Every command completes or throws
// RedisUnavailable within the command timeout. Thread-safe; each loop's pool
// is only touched from that loop. Destroy it after the coroutines using it
// have finished: it closes each pool on that pool's own loop.
class RedisClient {
 public:
  // Throws std::invalid_argument for bad options or an address that does not resolve.
  RedisClient(const RedisCacheOptions& options, const core::Clock& clock);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  boost::asio::awaitable<RedisReply> execute(std::vector<std::string> args);

  // The server's address, or the primary's that Sentinel named last.
  [[nodiscard]] std::string address() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orderly::cache
